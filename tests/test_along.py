"""Operations along one axis of arrays of rank 1 to 3, compiled by Numba: the rows helpers
(runtime/along.py) and the 3-D reductions, in reverse mode, forward mode and under hessian,
against finite differences.  One function each, so each compiles once."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian


def along_ops(x, y):
    a = np.cumsum(x, axis=1) * y + np.flip(x, axis=0) * np.roll(x, 1, axis=2)
    b = np.sum(np.sort(x, axis=0)[0] * np.partition(x, 1, axis=0)[1])
    c = np.sum(np.diff(x, n=2, axis=-1) ** 2) + np.sum(np.cumprod(0.5 + 0.3 * np.tanh(x), axis=0))
    d = np.sum(np.repeat(x, 2, axis=1)[:, 1::2] * y)
    return np.sum(np.sin(a)) + b + c + d


def reductions_3d(x, y):
    a = np.sum(np.sin(np.sum(x, axis=1)) * y) + np.sum(np.max(x, axis=2) ** 2)
    return a + np.sum(np.prod(0.5 + 0.3 * np.tanh(x), axis=0))


def more_reductions_3d(x, y):
    a = np.sum(np.mean(x, axis=0) ** 2) + np.sum(np.min(x, axis=(0, 2)))
    b = np.sum(np.linalg.norm(x, axis=1)) + np.sum(np.var(x, axis=2))
    return a + b + np.sum(np.std(x, axis=1, keepdims=True) * x)


# the rows helpers compile in tests/test_rules.py (group ALONG) and below one by one; the 3-D
# reductions compile here, in both modes
CASES = [(along_ops, ((2, 3, 4), (4,)), ("python",)),
         (reductions_3d, ((2, 3, 4), (4,)), ("numba", "python")),
         (more_reductions_3d, ((2, 3, 4), (4,)), ("python",))]


@pytest.mark.parametrize("f,shapes,backends", CASES, ids=[f.__name__ for f, _, _ in CASES])
def test_against_finite_differences(f, shapes, backends):
    rng = np.random.default_rng(3)
    args = tuple(rng.uniform(-1.0, 1.0, s) for s in shapes)
    check_grads(f, args, backends=backends)  # reverse and forward, strict (no fallback)
    check_hessian(f, args, f.__name__)


def test_compiled_hessian_helper_matches_its_python():
    """``cumprod_rows_hvp`` runs only in Hessians of cumprod along an axis (the other rows
    helpers compile in tests/test_rules.py's group): compiled, it gives what its Python
    version gives."""
    import numba
    from srcgrad import runtime as rt
    rng = np.random.default_rng(5)
    v, x, h = (rng.standard_normal((3, 4)) for _ in range(3))
    got = numba.njit(lambda v, x, h: rt.cumprod_rows_hvp(v, x, h))(v, x, h)
    np.testing.assert_allclose(got, rt.cumprod_rows_hvp(v, x, h), rtol=1e-13, atol=1e-15)


def test_partition_follows_the_values_returned():
    """np.partition leaves the order within each part to the implementation (Numba's differs
    from NumPy's): the derivative follows the values the call returned, in both backends."""
    def f(x, w):
        return np.partition(x, 2) @ w

    def part(x):
        return np.partition(x, 2)

    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(7), rng.standard_normal(7)
    for backend in ("numba", "python"):
        y, dy = srcgrad.jvp(part, (x,), (np.arange(7.0),), backend=backend)
        assert sorted(y) == sorted(x) and max(y[:2]) <= y[2] <= min(y[3:])
        perm = [int(np.flatnonzero(x == v)[0]) for v in y]  # y[i] = x[perm[i]]
        np.testing.assert_array_equal(dy, np.arange(7.0)[perm])  # the tangent moves alike
        val, g = srcgrad.value_and_grad(f, wrt=0, backend=backend)(x, w)
        assert val == pytest.approx(y @ w, abs=1e-14)
        expect = np.zeros(7)
        expect[perm] = w
        np.testing.assert_allclose(g, expect, rtol=0, atol=1e-15)


def test_refusals_name_the_axis():
    def f(x):
        return np.sum(np.sort(x) * x)

    with pytest.raises(srcgrad.UnsupportedError, match="give the axis"):
        srcgrad.grad(f)(np.ones((2, 3)))
