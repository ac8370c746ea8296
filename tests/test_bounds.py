"""Index checks where loops begin (passes/bounds.py): code compiled without Numba's check at
each access raises IndexError exactly where Python does, and nowhere else."""
import os
import random
import sys

import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian, general_source, module_from_text

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from kernels import gmm_args, gmm_objective  # noqa: E402  (the benchmark's GMM)


def shifted(x, n):
    s = 0.0
    for i in range(n):
        s += x[i + 1] * x[i]   # past the end when n >= len(x)
    return s


def wraps(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i - 1] * x[i]   # x[-1] at i = 0: NumPy reads the last one
    return s


def empty_inner(A, m):
    s = 0.0
    for i in range(A.shape[0]):
        for j in range(m):
            s += A[i + 5, j]   # out of bounds, but never read when m == 0
    return s


def leaves_early(x):
    s = 0.0
    for i in range(100):
        if i >= x.shape[0]:
            break
        s += x[i] * x[i]
    return s


def fancy(x, idx):
    s = 0.0
    for j in range(idx.shape[0]):
        s += x[idx[j]] ** 2
    return s


def reversed_steps(x, y):
    s = 0.0
    for i in range(x.shape[0] - 1, -1, -1):
        s = s * 0.5 + x[i] * y[i]
    return s


RNG = np.random.default_rng(3)
X = RNG.standard_normal(5)


def test_the_gmm_compiles_unchecked_and_is_right():
    args = gmm_args(3, K=2, D=2)
    src = general_source(gmm_objective, args, wrt=0)
    assert "# indices checked where their loops begin" in src.splitlines()[3], src
    assert "check_span(0, K - 1, qs.shape[0])" in src, src
    check_grads(gmm_objective, args, wrt=(0, 1, 2))
    check_hessian(gmm_objective, args, "gmm_objective")


def test_mismatched_shapes_raise_index_error_as_python_does():
    alphas, means, qs, x = gmm_args(2, K=3, D=2)
    means, qs = means[:2], qs[:2]  # K = 3 components, two rows
    with pytest.raises(IndexError):
        gmm_objective(alphas, means, qs, x)
    for backend in ("numba", "python"):
        with pytest.raises(IndexError):
            srcgrad.grad(gmm_objective, wrt=(0, 1, 2), backend=backend, strict=True)(
                alphas, means, qs, x)
        with pytest.raises(IndexError):
            srcgrad.jvp(gmm_objective, (alphas, means, qs, x), (alphas, means, qs, None),
                        backend=backend)


def test_past_the_end_raises_and_in_bounds_is_right():
    with pytest.raises(IndexError):
        shifted(X, 5)
    for backend in ("numba", "python"):
        with pytest.raises(IndexError):
            srcgrad.grad(shifted, backend=backend, strict=True)(X, 5)
        with pytest.raises(IndexError):
            srcgrad.jvp(shifted, (X, 5), (X, None), backend=backend)
    check_grads(shifted, (X, 4))
    check_grads(shifted, (X, 0))


def test_negative_indices_read_from_the_end():
    check_grads(wraps, (X,))
    check_hessian(wraps, (X,), "wraps")


def test_a_loop_that_never_runs_checks_nothing():
    A = RNG.standard_normal((3, 2))
    assert empty_inner(A, 0) == 0.0
    for backend in ("numba", "python"):
        g = srcgrad.grad(empty_inner, backend=backend, strict=True)(A, 0)
        np.testing.assert_array_equal(g, np.zeros_like(A))
        with pytest.raises(IndexError):
            srcgrad.grad(empty_inner, backend=backend, strict=True)(A, 1)


def test_loops_that_end_early_and_index_arrays_keep_numbas_checks():
    for f, args in ((leaves_early, (X,)), (fancy, (X, np.array([0, 4, 4, 2])))):
        src = general_source(f, args, wrt=0)
        assert "indices checked" not in src and "check_span" not in src, src
        check_grads(f, args, wrt=(0,))
    with pytest.raises(IndexError):
        srcgrad.grad(fancy, strict=True)(X, np.array([0, 5]))


def test_reversed_loops_and_the_forward_mode():
    y = RNG.standard_normal(5)
    src = general_source(reversed_steps, (X, y), wrt=0)
    assert "check_span" in src and "indices checked" in src
    check_grads(reversed_steps, (X, y))
    with pytest.raises(IndexError):
        srcgrad.grad(reversed_steps, strict=True)(X, y[:3])
    with pytest.raises(IndexError):
        srcgrad.jvp(reversed_steps, (X, y[:3]), (X, y[:3]))


# ---- generated loop nests: IndexError exactly where Python raises it ------------------------
def _program(r, name):
    def bound(v):
        return r.choice(["n", "m", "len(x)", "A.shape[0]", "A.shape[1]", "n + 1", "m - 1"])

    def idx(vs):
        terms = [f"{v}" if r.random() < 0.8 else f"2 * {v}" for v in vs if r.random() < 0.8]
        c = r.randint(-2, 1)
        e = " + ".join(terms) if terms else "0"
        return f"{e} + {c}" if c > 0 else f"{e} - {-c}" if c < 0 else e

    lines = [f"def {name}(x, A, n, m):", "    s = 0.0"]
    i_lo = r.choice(["", "1, "])
    if r.random() < 0.3:
        lines.append(f"    for i in range({bound('i')} - 1, -1, -1):")
    else:
        lines.append(f"    for i in range({i_lo}{bound('i')}):")
    lines.append(f"        s += x[{idx(['i'])}] * 0.5")
    lines.append(f"        for j in range({bound('j')}):")
    lines.append(f"            s += A[{idx(['i'])}, {idx(['j', 'i'])}] * x[{idx(['j'])}]")
    lines.append(f"    return s + x[{r.randint(-4, 4)}]")
    return "\n".join(lines) + "\n"


def _outcome(f, *args):
    try:
        return f(*args)
    except IndexError:
        return IndexError


def test_generated_loop_nests_raise_exactly_where_python_does(tmp_path):
    r = random.Random(38)
    names = [f"nest{k}" for k in range(8)]
    text = "import numpy as np\n\n\n" + "\n\n".join(_program(r, n) for n in names)
    mod = module_from_text(tmp_path / "bounds_nests.py", text)
    rng = np.random.default_rng(38)
    raised = fine = unchecked = 0
    for name in names:
        f = getattr(mod, name)
        vg = srcgrad.value_and_grad(f, wrt=(0, 1), strict=True)
        vg_py = srcgrad.value_and_grad(f, wrt=(0, 1), backend="python")
        x, A = np.ones(3), np.ones((2, 2))
        unchecked += "indices checked where" in general_source(f, (x, A, 2, 2), wrt=(0, 1))
        for _ in range(12):
            x = rng.standard_normal(rng.integers(2, 10))
            A = rng.standard_normal((rng.integers(2, 8), rng.integers(2, 8)))
            n, m = int(rng.integers(0, 6)), int(rng.integers(0, 6))
            expected = _outcome(f, x, A, n, m)
            got = _outcome(vg, x, A, n, m)
            if expected is IndexError:
                assert got is IndexError, (name, x.shape, A.shape, n, m, text)
                raised += 1
                continue
            assert got is not IndexError, (name, x.shape, A.shape, n, m, text)
            value, (gx, gA) = got
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
            _, (px, pA) = vg_py(x, A, n, m)
            np.testing.assert_allclose(gx, px, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(gA, pA, rtol=1e-12, atol=1e-12)
            fine += 1
    assert raised >= 10 and fine >= 10 and unchecked >= 4, (raised, fine, unchecked)
