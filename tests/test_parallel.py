"""Loops written with ``numba.prange``: their adjoint is a ``prange`` loop too
(srcgrad/passes/parallel.py) when its steps only add into adjoints -- adjoints indexed by the
loop's own variable written as they are, numbers reduced by Numba, arrays several steps add
into kept per thread and added up after.  Every gradient equals the serial one (the same
source with ``range``: checks.serial_twin) to 1e-12 relative, and finite differences;
forward mode and Hessians too; a loop whose adjoint cannot run in parallel is a located
error."""
import math
import os
import sys
import warnings

import numpy as np
import pytest
from numba import prange

import srcgrad
from checks import check_grads, serial_twin

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from kernels import per_sample_loss as per_sample  # noqa: E402
from kernels import rosenbrock as rosen_serial, scalar_loop as neighbours_sin  # noqa: E402


def rosen(x, c):
    s = 0.0
    for i in prange(x.shape[0] - 1):
        s += c * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def rows(A, w):
    out = np.zeros(A.shape)
    for i in prange(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] > 0.0:
                out[i, j] = A[i, j] * w[j]
            else:
                out[i, j] = math.sin(A[i, j]) * w[j] * w[j]
    return np.sum(out * out)


RNG = np.random.default_rng(5)
W, B = RNG.standard_normal((3, 4)), RNG.standard_normal(3)
X, Y = RNG.standard_normal((40, 4)), RNG.standard_normal(40)
XR = RNG.uniform(-1, 1, 30)
A = RNG.standard_normal((12, 5))
CASES = [(per_sample, (W, B, X, Y), (0, 1)), (rosen, (XR, 100.0), (0, 1)),
         (rows, (A, XR[:5]), (0, 1))]
IDS = [c[0].__name__ for c in CASES]


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """Each parallel function's serial reference: the same source with range."""
    folder = tmp_path_factory.mktemp("serial")
    return {f: serial_twin(f, folder) for f in (per_sample, rosen, rows, lse_rows, overwritten,
                                                in_a_branch, updates_in_place, row_lse,
                                                row_lse_read_after, shares_saves,
                                                updates_in_place_inner, overwrites_in_a_branch,
                                                overwrites_in_a_branch_inner)}


# compiled: rosen and rows (per-thread copies, elements each step owns); per_sample's parallel
# compile takes 7 s, so it runs compiled in tools/bench_parallel.py and as Python here
@pytest.mark.parametrize("f,args,wrt,backend", [
    (f, args, wrt, backend) for f, args, wrt in CASES for backend in ("numba", "python")
    if not (backend == "numba" and f is per_sample)],
    ids=[f"{backend}-{f.__name__}" for f, _, _ in CASES for backend in ("numba", "python")
         if not (backend == "numba" and f is per_sample)])
def test_parallel_gradient_equals_the_serial_one(f, args, wrt, backend, twins):
    serial = twins[f]
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)  # compiles with parallel=True
        g = srcgrad.value_and_grad(f, wrt=wrt, backend=backend)
        value, got = g(*args)
    assert "in parallel" in g.source and "prange(" in g.source
    # (the serial reference and forward mode as Python: the suite compiles the parallel code)
    v_want, want = srcgrad.value_and_grad(serial, wrt=wrt, backend="python")(*args)
    assert value == pytest.approx(v_want, rel=1e-12)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    _, t = srcgrad.jvp(f, args, tuple(np.ones_like(a) if i in wrt else None
                                      for i, a in enumerate(map(np.asarray, args))),
                       backend="python")
    assert t == pytest.approx(sum(np.sum(a) for a in want), rel=1e-10)


@pytest.mark.parametrize("f,args,wrt", CASES, ids=IDS)
def test_parallel_gradient_against_finite_differences(f, args, wrt):
    check_grads(f, args, wrt=wrt, backends=("python",))  # (compiled: equal to serial above)


def test_parallel_hessian(twins):
    H = srcgrad.hessian(rosen, backend="python")(XR[:5], 100.0)
    Hs = srcgrad.hessian(twins[rosen], backend="python")(XR[:5], 100.0)
    np.testing.assert_allclose(H, Hs, rtol=1e-12, atol=1e-10)


def test_disjoint_adjoints_need_no_copies():
    """bA[i, j] (indexed first by the loop's variable) is written as it is; bw, which every
    step adds into, is kept per thread."""
    src = srcgrad.grad(rows, wrt=(0, 1), backend="python")
    src(A, XR[:5])
    assert "_part_bA" not in src.source and "_part_bw" in src.source


def lse_rows(A, w):
    """Each step keeps values in its inner loops (a running max and sum): its adjoint runs
    the step again, keeping them in lists of its own."""
    s = 0.0
    for i in prange(A.shape[0]):
        mx = A[i, 0] * w[0]
        for j in range(1, A.shape[1]):
            mx = max(mx, A[i, j] * w[j])
        se = 0.0
        for j in range(A.shape[1]):
            se = se + math.exp(A[i, j] * w[j] - mx)
        s += mx + math.log(se)
    return s


def row_lse(A, w):
    """Each step writes its own row of V, then reads it back (a running max and a sum): its
    adjoint runs the step again, which writes the row again before reading it, so the
    forward loop is dropped and the gradient makes one pass over the data."""
    V = np.zeros(A.shape)
    s = 0.0
    for i in prange(A.shape[0]):
        for j in range(A.shape[1]):
            V[i, j] = A[i, j] * w[j]
        mx = V[i, 0]
        for j in range(1, A.shape[1]):
            mx = max(mx, V[i, j])
        se = 0.0
        for j in range(A.shape[1]):
            se = se + math.exp(V[i, j] - mx)
        s += mx + math.log(se)
    return s


def row_lse_read_after(A, w):
    """The counterpart: V's values are read after the loop, which stays."""
    V = np.zeros(A.shape)
    s = 0.0
    for i in prange(A.shape[0]):
        for j in range(A.shape[1]):
            V[i, j] = A[i, j] * w[j]
        mx = V[i, 0]
        for j in range(1, A.shape[1]):
            mx = max(mx, V[i, j])
        s += mx
    return s + np.sum(V * V)


def overwritten(x):
    s = 0.0
    for i in prange(x.shape[0]):
        t = x[i] * 2.0
        t = np.sin(t) * t
        s += t * t
    return s


def in_a_branch(x, a):
    """A prange loop inside an if whose steps keep values (t is overwritten): the forward
    loop and the step run again were one set of statements in the generated tree, and the
    clean-up dropped the forward loop as dead (a silently wrong gradient).  (Saves in a loop
    in a branch now go to an array indexed by the step, as outside branches.)"""
    b = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        b[i] = a[i] * x
    if x > -5.0:
        for i in prange(2):
            t = a[i] * x
            t = t * t + x
            b[i] = t
    return x + np.sum(b * b)


def shares_saves(x, a):
    """Two loops in a branch saving b's elements (fuzz seed 27448: when such saves went to
    lists, the step run again used the function's list, emptied by each step, and the next
    pop failed; they now go to arrays, one per loop, indexed by the step)."""
    b = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        b[i] = a[i] * x
    y = x
    if x > -5.0:
        for i in range(2):
            y = np.logaddexp(y, b[i])
            b[i] = b[i] * y
        for i in prange(a.shape[0]):
            b[i] = a[i] * 0.5
    return y + np.sum(b * b)


def overwrites_in_a_branch(x, a):
    """The steps overwrite b[i], whose old value the adjoint of the line before needs (the
    fuzzer's seed 29634, where the loop was range and parallel=True made it prange): in a
    branch, the old values went to a list, and the adjoint ran each step again after the
    forward sweep, keeping the new values (a wrong gradient).  Now an array indexed by the
    step keeps them, as for a loop outside branches."""
    b = a * x
    s = x
    if a[0] < 5.0:
        s = np.sum(np.tanh(a) * b)
        for i in prange(a.shape[0] - 1):
            b[i] = a[i]
    return s + np.sum(b * b)


def overwrites_in_a_branch_inner(x, a):
    """The same overwrite in an inner loop: its saves go to lists, so the adjoint would run
    the step again on the new values; refused."""
    b = a * x
    s = np.sum(np.tanh(a) * b)
    for i in prange(a.shape[0] - 1):
        for j in range(2):
            b[i] = a[i] * j
    return s + np.sum(b * b)


def updates_in_place(x, a):
    """A step that overwrites b[i], which it reads first: in a branch, its saves go to an
    array indexed by the step (they went to a list, which made its adjoint run the step again
    on the new b[i], a located error since a wrong gradient was found)."""
    b = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        b[i] = a[i] * x
    if x > -5.0:
        for i in prange(2):
            b[i] = min(b[i], x)
    return x + np.sum(b * b)


def updates_in_place_inner(x, a):
    """The same update in an inner loop: saves in lists, so the adjoint runs the step again,
    which would read the new b[i]."""
    b = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        b[i] = a[i] * x
    for i in prange(2):
        for j in range(2):
            b[i] = min(b[i], x * j)
    return x + np.sum(b * b)

@pytest.mark.parametrize("f,args", [(lse_rows, (A, XR[:5])), (overwritten, (XR,)),
                                    (in_a_branch, (0.7, XR[:4])), (row_lse, (A, XR[:5])),
                                    (row_lse_read_after, (A, XR[:5])),
                                    (shares_saves, (0.7, XR[:4])),
                                    (updates_in_place, (-0.5, XR[:4])),
                                    (overwrites_in_a_branch, (0.9, XR[:4]))],
                         ids=["lse_rows", "overwritten", "in_a_branch", "row_lse",
                              "row_lse_read_after", "shares_saves", "updates_in_place",
                              "overwrites_in_a_branch"])
@pytest.mark.parametrize("backend", ["numba", "python"])
def test_steps_that_keep_values(f, args, backend, twins):
    serial = twins[f]
    wrt = tuple(range(len(args)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        g = srcgrad.grad(f, wrt=wrt, backend=backend)
        got = g(*args)
    assert "in parallel" in g.source
    want = srcgrad.grad(serial, wrt=wrt, backend="python")(*args)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    if backend == "python":
        check_grads(f, args, backends=("python",))


def _prange_loops(src):
    return sum(1 for ln in src.splitlines() if ln.strip().startswith("for i in prange("))


def test_a_forward_loop_its_adjoint_runs_again_is_dropped(twins):
    """One pass over the data: the forward prange loop whose steps the adjoint runs again
    goes when nothing after it reads what it computed (V only for its shape); it stays when
    V's values are read after it, or when the value is returned too."""
    src = srcgrad.source(row_lse, args=(A, XR[:5]), wrt=(0, 1))
    assert _prange_loops(src) == 1 and "the step again" in src, src
    src = srcgrad.source(row_lse_read_after, args=(A, XR[:5]), wrt=(0, 1))
    assert _prange_loops(src) == 2, src
    src = srcgrad.source(row_lse, args=(A, XR[:5]), wrt=(0, 1), mode="value_and_grad")
    assert _prange_loops(src) == 2, src
    w = XR[:5]  # its Hessian (forward mode over that adjoint) against the serial twin's
    H = srcgrad.hessian(row_lse, wrt=1, backend="python")(A, w)
    Hs = srcgrad.hessian(twins[row_lse], wrt=1, backend="python")(A, w)
    np.testing.assert_allclose(H, Hs, rtol=1e-12, atol=1e-12)


# ---- refused, at the loop's line ------------------------------------------------------------
def carried(x):
    s = 0.0
    for i in prange(x.shape[0]):
        s = s * 0.5 + x[i]
    return s


def reads_the_step_before(x):
    s = 0.0
    t = 0.0
    for i in prange(x.shape[0]):
        t = t * 0.5 + x[i]
        s += t * t
    return s



@pytest.mark.parametrize("f,args,why", [
    (carried, (XR,), "cannot run in parallel"),
    (reads_the_step_before, (XR,), "cannot run in parallel"),
    (updates_in_place_inner, (-0.5, XR[:4]), "overwrites elements of b that it reads first")])
def test_unsafe_parallel_adjoints_are_located_errors(f, args, why):
    with pytest.raises(srcgrad.UnsupportedError, match=why) as e:
        srcgrad.grad(f, backend="python")(*args)
    assert "test_parallel.py" in str(e.value) and "prange" in str(e.value)


def test_parallel_true_keeps_an_in_place_update_serial(twins):
    """The same loop written with range: parallel=True leaves it serial, says why, and gives
    the serial gradient (found by the scalar fuzzer: tests/fuzz_regressions)."""
    serial = twins[updates_in_place_inner]
    args = (-0.5, XR[:4])
    with pytest.warns(srcgrad.ParallelWarning, match="reads first"):
        got = srcgrad.grad(serial, wrt=(0, 1), backend="python", parallel=True)(*args)
    want = srcgrad.grad(serial, wrt=(0, 1), backend="python")(*args)
    assert np.isclose(got[0], want[0], rtol=1e-12) and np.allclose(got[1], want[1], rtol=1e-12)
    check_grads(serial, args, backends=("python",))


# ---- grad(f, parallel=True): the user's range loops made prange where their steps allow ----
def per_sample_serial(W, b, X, y):
    s = 0.0
    for i in range(X.shape[0]):
        h = np.tanh(W @ X[i] + b)
        s = s + (np.sum(h) - y[i]) ** 2
    return s


def rows_then_recurrence(A, w, x):
    out = np.zeros(A.shape[0])
    for i in range(A.shape[0]):  # independent steps: parallel
        out[i] = np.sum(np.tanh(A[i] * w))
    h = 0.0
    for t in range(x.shape[0]):  # each step reads the last: stays serial
        h = math.sin(h + x[t] * out[t % A.shape[0]])
    return h + np.sum(out * out)


def neighbours(x):
    y = np.zeros(x.shape[0])
    for i in range(1, x.shape[0]):
        y[i] = x[i] * x[i]
        y[i - 1] = y[i - 1] + x[i]  # another step's row
    return np.sum(y * y)


def test_parallel_true_keeps_arithmetic_steps_that_share_an_adjoint_serial():
    """Rosenbrock's adjoint adds into bx[i] and bx[i + 1]: in parallel, a copy of bx per
    thread, as long as the loop, added up after it, costs more than its arithmetic steps
    (0.59x on 2 cores): serial, saying why.  The same shape with sin and exp in its steps
    gains (1.8x): parallel."""
    x = np.linspace(0.1, 1.2, 9)
    with pytest.warns(srcgrad.ParallelWarning, match=r"kernels.py:\d+ stays serial: its "
                      r"adjoint would keep a copy of bx per thread.*only arithmetic"):
        g = srcgrad.grad(rosen_serial, backend="python", parallel=True)
        got = g(x)
    assert "prange" not in g.source
    np.testing.assert_allclose(got, srcgrad.grad(rosen_serial, backend="python")(x), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.ParallelWarning)
        g = srcgrad.grad(neighbours_sin, backend="python", parallel=True)
        got = g(x)
    assert "_part_bx" in g.source
    np.testing.assert_allclose(got, srcgrad.grad(neighbours_sin, backend="python")(x),
                               rtol=1e-12)


def test_parallel_true_makes_independent_loops_prange():
    """The sum over samples becomes a prange loop, its adjoint too, with the same gradient
    and value as the serial code; the loop that carries h stays serial and says why."""
    rng = np.random.default_rng(4)
    args = (rng.normal(size=(4, 6)), rng.normal(size=4), rng.normal(size=(30, 6)),
            rng.normal(size=30))
    g = srcgrad.value_and_grad(per_sample_serial, wrt=(0, 1), backend="python", parallel=True)
    value, (gW, gb) = g(*args)
    assert g.source.count("prange(") == 2 and "_part_bW" in g.source  # the value, the adjoint
    v0, (gW0, gb0) = srcgrad.value_and_grad(per_sample_serial, wrt=(0, 1),
                                            backend="python")(*args)
    np.testing.assert_allclose([value], [v0], rtol=1e-12)
    np.testing.assert_allclose(gW, gW0, rtol=1e-12)
    np.testing.assert_allclose(gb, gb0, rtol=1e-12)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=5))
    with pytest.warns(srcgrad.ParallelWarning, match=r"test_parallel.py:\d+ stays serial: a "
                      r"step reads h, which the steps set"):
        gp = srcgrad.grad(rows_then_recurrence, wrt=(0, 1, 2), backend="python", parallel=True)
        got = gp(*args)
    assert gp.source.count("prange(") == 2  # the first loop and its adjoint
    for a, b in zip(got, srcgrad.grad(rows_then_recurrence, wrt=(0, 1, 2),
                                      backend="python")(*args)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    with pytest.warns(srcgrad.ParallelWarning, match=r"a step reads y\[i - 1\], which other "
                      r"steps write"):
        g = srcgrad.grad(neighbours, backend="python", parallel=True)
        x = rng.normal(size=5)
        np.testing.assert_allclose(g(x), srcgrad.grad(neighbours, backend="python")(x),
                                   rtol=1e-12)
    assert "prange" not in g.source



def test_steps_that_overwrite_values_the_adjoint_needs(twins):
    args = (0.9, XR[:4])
    serial = twins[overwrites_in_a_branch]
    want = srcgrad.grad(serial, wrt=(0, 1), backend="python")(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.ParallelWarning)
        got = srcgrad.grad(serial, wrt=(0, 1), backend="python", parallel=True)(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    serial = twins[overwrites_in_a_branch_inner]
    check_grads(serial, args, backends=("python",))
    with pytest.warns(srcgrad.ParallelWarning, match=r"stays serial: .*overwrites elements of "
                      r"b that it reads first or whose old values the adjoint needs"):
        got = srcgrad.grad(serial, wrt=(0, 1), backend="python", parallel=True)(*args)
    for g, w in zip(got, srcgrad.grad(serial, wrt=(0, 1), backend="python")(*args)):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    with pytest.raises(srcgrad.UnsupportedError, match=r"test_parallel.py:\d+:\d+: .*prange "
                       r"loop cannot run in parallel: a step overwrites elements of b"):
        srcgrad.grad(overwrites_in_a_branch_inner, wrt=(0, 1), backend="python")(*args)


# ---- a step's own saves, run again: arrays sized as the step starts (passes/step_stacks.py) --
def keeps_in_branches(A, w):
    """Saves at the step's level, in a range loop and in its branches: their number is known
    as the step starts (1 + 2 * (columns - 1) at most), so they go to an array."""
    s = 0.0
    for i in prange(A.shape[0]):
        m = A[i, 0] * w[0]
        for k in range(1, A.shape[1]):
            v = A[i, k] * w[k]
            if v > m:
                m = v
            else:
                m = 0.5 * (m + math.tanh(v))
        t = m
        for k in range(2):
            t = math.sin(t) * w[k]
        s += t * t
    return s


def keeps_unbounded(A, w):
    """Saves in a loop whose length the step decides, and in a while loop: lists."""
    s = 0.0
    for i in prange(A.shape[0]):
        n = 1 + int(abs(A[i, 0]) * 3.0)
        t = w[0]
        for k in range(n):
            t = math.sin(t) * w[1] + A[i, 1]
        u = w[2]
        j = 0
        while j < 2:
            u = math.tanh(u) * A[i, 2]
            j += 1
        s += t * t + u
    return s


def _against_serial_twin(f, args, backend, folder):
    """f's gradient in ``backend`` (compiled, never a fallback) against its serial twin's, and
    against finite differences in Python; returns the generated source."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        g = srcgrad.grad(f, wrt=(0, 1), backend=backend)
        got = g(*args)
    want = srcgrad.grad(serial_twin(f, folder), wrt=(0, 1), backend="python")(*args)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)
    if backend == "python":
        check_grads(f, args, backends=("python",))
    assert "in parallel" in g.source and "prange(" in g.source, g.source
    return g.source


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_a_steps_saves_go_to_an_array_when_their_number_is_known(backend, tmp_path):
    src = _against_serial_twin(keeps_in_branches, (A[:6], XR[:5]), backend, tmp_path)
    step = src[src.index("in parallel"):]
    assert "np.empty(" in step and ".append(" not in step and ".pop()" not in step, src
    if backend == "python":
        w = XR[:5]  # its Hessian in w against the serial twin's
        H = srcgrad.hessian(keeps_in_branches, wrt=1, backend="python")(A[:4], w)
        Hs = srcgrad.hessian(serial_twin(keeps_in_branches, tmp_path), wrt=1,
                             backend="python")(A[:4], w)
        np.testing.assert_allclose(H, Hs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_a_steps_saves_stay_in_lists_when_their_number_is_not_known(backend, tmp_path):
    src = _against_serial_twin(keeps_unbounded, (A[:6] * 0.8, XR[:3]), backend, tmp_path)
    assert ".append(" in src, src


def row_elements(W, X):
    """A row bound to a name and read element by element: its adjoint bxi is added into
    before it is set, and each step starts it at zeros of its own row (it was refused: 'a
    step adds into bxi as another step left it'); the row's save from before the step, a list
    of arrays that Numba cannot compile in a prange loop, goes."""
    s = 0.0
    for i in prange(X.shape[0]):
        xi = X[i]
        t = 0.0
        for k in range(xi.shape[0]):
            t += W[0, k] * xi[k] * xi[k]
        s += t * t
    return s


def row_in_a_branch(W, X):
    """The row bound and read in a branch only: each step's adjoint starts at zeros of its
    row, or of the placeholder where the branch is not taken."""
    s = 0.0
    for i in prange(X.shape[0]):
        if X[i, 0] > 0.0:
            xi = X[i]
            t = 0.0
            for k in range(xi.shape[0]):
                t += W[0, k] * xi[k] * xi[k]
        else:
            t = 0.5
        s += t * t
    return s


def while_with_break(A, w):
    """A while loop with a break inside a step (its trip count the step's own)."""
    s = 0.0
    for i in prange(A.shape[0]):
        u = w[0]
        j = 0
        while True:
            u = math.tanh(u) * A[i, 1] + w[1]
            j += 1
            if j >= 3:
                break
        s += u * u
    return s


@pytest.mark.parametrize("f", [row_elements, row_in_a_branch, while_with_break])
@pytest.mark.parametrize("backend", ["numba", "python"])
def test_steps_with_rows_and_whiles(f, backend, tmp_path):
    args = (A[:3].copy(), A.copy()) if f is not while_with_break else (A, XR[:2])
    src = _against_serial_twin(f, args, backend, tmp_path)
    step = src[src.index("in parallel"):]
    if f is row_elements:  # (saves in a while loop go to lists)
        assert ".append(" not in step and "np.zeros_like(xi)" in step, src
