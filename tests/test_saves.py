"""What the forward sweep saves, and the order of inner adjoint loops (srcgrad/passes/saves.py,
reverse.py): a value is saved only if reverse code reads it after its restore.

* A number set anew before an inner loop that adds into it (``se = 0.0; for k: se = se +
  ...``): the partial sums are never read by the reverse sweep, only the value before the
  reset (which that reset restores), so the inner loop saves nothing.
* An element written once per step of the loops around it (``vals[i, k] = ...``, every access
  of ``vals`` in the loop over i at row i): the other steps, whose adjoints run after its
  restore, read other elements, so its old value is not saved.
* An inner loop whose adjoint steps only add into adjoints runs forward in the reverse sweep.

Each has a counterpart that must keep its saves (or order), and every function's gradient is
compared with finite differences, with both backends."""
import math

import numpy as np
import pytest

import srcgrad
from checks import check_grads


def partial_sums(x, c):
    total = 0.0
    for i in range(x.shape[0]):
        se = c
        for k in range(x.shape[0]):
            se = se + math.exp(x[k] * x[i])
        total = total + math.log(se) * se
    return total


def partial_products(x, c):
    """The inner loop's adjoint reads se (a product): its values are saved."""
    total = 0.0
    for i in range(x.shape[0]):
        se = c
        for k in range(x.shape[0]):
            se = se * (1.0 + 0.1 * math.sin(x[k] * x[i]))
        total = total + se * se
    return total


def read_between(x, c):
    """Between the reset and the loop, a statement whose adjoint reads se: saved."""
    total = 0.0
    for i in range(x.shape[0]):
        se = c
        w = se * x[i]
        for k in range(x.shape[0]):
            se = se + x[k] * x[i]
        total = total + se * se + w * w
    return total


def rows(X, w):
    N, K = X.shape
    vals = np.zeros((N, K))
    total = 0.0
    for i in range(N):
        for k in range(K):
            vals[i, k] = math.tanh(X[i, k] * w[k])
        m = vals[i, 0]
        for k in range(1, K):
            m = max(m, vals[i, k])
        total = total + m * m
    return total


def rows_shifted(X, w):
    """A step reads the row before its own: the old values are saved."""
    N, K = X.shape
    vals = np.zeros((N, K))
    total = 0.0
    for i in range(1, N):
        for k in range(K):
            vals[i, k] = math.tanh(X[i, k] * w[k]) + vals[i - 1, k] * 0.5
        total = total + vals[i, K - 1] * vals[i, 0]
    return total


def inner_sums(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            s += X[i, j] * w[j] * w[j] + math.sin(X[i, j])
    return s


def inner_carried(X, w):
    """The inner adjoint carries ``bt`` from step to step: reverse order."""
    s = 0.0
    for i in range(X.shape[0]):
        t = 1.0
        for j in range(X.shape[1]):
            t = t * 0.5 + X[i, j] * w[j]
        s += t * t
    return s


def shape_only(x, M):
    """The old h is read only for its shape (its adjoint starts at np.zeros_like(h)): the
    forward sweep keeps h.shape, not h."""
    h = x * 1.0
    for t in range(4):
        a = M @ h
        b = a + 1.0
        h = np.tanh(b) * 0.5
    return np.sum(h * h)


def shape_and_value(x, M):
    """The counterpart: the old h is read for its values (h * M's adjoint), so h is kept."""
    h = x * 1.0
    for t in range(4):
        a = M @ np.sin(h)
        h = np.tanh(a + 1.0) * 0.5
    return np.sum(h * h)


def _vec(r):
    return (r.uniform(-1, 1, 5), 0.7)


def _mat(r):
    return (r.uniform(-1, 1, (4, 3)), r.uniform(-1, 1, 3))


def _square(r):
    return (r.uniform(-1, 1, 4), r.uniform(-1, 1, (4, 4)))


FUNCTIONS = {"partial_sums": (partial_sums, _vec), "partial_products": (partial_products, _vec),
             "read_between": (read_between, _vec), "rows": (rows, _mat),
             "rows_shifted": (rows_shifted, _mat), "inner_sums": (inner_sums, _mat),
             "inner_carried": (inner_carried, _mat),
             "shape_only": (shape_only, _square), "shape_and_value": (shape_and_value, _square)}


def _args(name):
    return FUNCTIONS[name][1](np.random.default_rng(5))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_derivatives_match_finite_differences(name):
    f = FUNCTIONS[name][0]
    check_grads(f, _args(name), backends=("numba", "python") if name in (
        "partial_sums", "rows", "shape_only") else ("python",))


def _source(name):
    args = _args(name)
    wrt = tuple(k for k, a in enumerate(args) if isinstance(a, np.ndarray))
    return srcgrad.source(FUNCTIONS[name][0], args=args, wrt=wrt)


def _saves_of_se(src):
    """Where the forward sweep saves se: appends to a list, or writes into an array stack at
    its count (a count known as the loop starts: passes/step_stacks.py)."""
    return src.count("_stack_se.append(") + src.count("_stack_se[_stack_se_n] = ")


def test_partial_sums_are_not_saved():
    src = _source("partial_sums")
    assert _saves_of_se(src) == 1, src  # the value before the reset only
    for name in ("partial_products", "read_between"):
        src = _source(name)
        assert _saves_of_se(src) == 2, src


def test_elements_of_a_steps_own_row_are_not_saved():
    assert "_stack_vals_elem" not in _source("rows")
    assert "_stack_vals_elem" in _source("rows_shifted")


def test_an_array_read_only_for_its_shape_keeps_its_shape():
    x, M = _args("shape_only")
    src = srcgrad.source(shape_only, args=(x, M), wrt=0)  # (wrt M: bM reads h's values)
    assert "_stack_h_shape.append(h.shape)" in src and "_stack_h.append" not in src, src
    assert "h = np.empty(_stack_h_shape.pop())" in src
    src = srcgrad.source(shape_and_value, args=(x, M), wrt=0)
    assert "_stack_h.append(h)" in src and "_shape" not in src, src
    check_grads(shape_and_value, (x, M), wrt=(0,), backends=("python",))
    r = srcgrad.memory(shape_only, x, M, wrt=(0,))  # a shape a step: 8 bytes, not 32
    # four shapes, and the old a (32 bytes; before the first step an empty placeholder)
    assert [lp.kept for lp in r.loops] == [4 * 8 + 3 * 32]
    h = srcgrad.hessian(shape_only, wrt=0)(x, M)
    g = srcgrad.grad(shape_only, wrt=0, backend="python")
    eps = 1e-6
    fd = np.stack([(g(x + eps * e, M) - g(x - eps * e, M)) / (2 * eps) for e in np.eye(x.size)])
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-7)


def shape_then_scalar(x, a):
    """fuzz seed 9769: a copy read only for its shape; its second derivative in x alone runs
    the tangent of the generated adjoint, whose ``np.empty(_stack_u_shape.pop())`` is kept
    whole (the stack's name must be renamed there as everywhere)."""
    u = np.broadcast_to(a[0:1] * x, (4,))
    for t in range(2):
        nxt = u.copy()
        u = nxt
    return np.sum(u * u) + x


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_second_derivative_through_a_shape_stack(backend):
    a = np.linspace(0.1, 1.0, 4)
    gx = srcgrad.grad(shape_then_scalar, wrt=0, backend=backend)
    assert gx(0.3, a) == pytest.approx(8 * a[0] ** 2 * 0.3 + 1.0, rel=1e-13)
    assert srcgrad.grad(gx, wrt=0, backend=backend)(0.3, a) == pytest.approx(8 * a[0] ** 2,
                                                                            rel=1e-13)


def _reverse_loops(src):
    rev = src[src.index("# reverse sweep"):]
    return [ln.strip() for ln in rev.splitlines() if ln.strip().startswith("for j in")]


def test_inner_adjoint_loops_that_only_add_run_forward():
    assert _reverse_loops(_source("inner_sums")) == ["for j in range(X.shape[1]):"]
    assert _reverse_loops(_source("inner_carried")) == ["for j in range(X.shape[1] - 1, -1, -1):"]


def test_hessian_of_partial_sums():
    x, c = _args("partial_sums")
    h = srcgrad.hessian(partial_sums)(x, c)
    g = srcgrad.grad(partial_sums, backend="python")
    eps = 1e-6
    fd = np.stack([(g(x + eps * e, c) - g(x - eps * e, c)) / (2 * eps) for e in np.eye(x.size)])
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-7)


# ---- shuttled saves (srcgrad/passes/shuttled.py): a step's save and restore nobody reads -------
SHUTTLE = """
def f(x, n):
    _t1 = 0.0
    _stack_t1 = [0.0] * 0
    s = 0.0
    while n > 0:
        {before}
        _stack_t1.append(_t1)
        _t1 = x * x
        s = s + _t1
        _t1 = _stack_t1.pop()
        {after}
        n = n - 1
    return {ret}
"""


@pytest.mark.parametrize("before,after,ret,dropped", [
    ("pass", "pass", "s", True),                      # set before read in every step
    ("s = s + _t1", "pass", "s", False),             # read as the step before left it
    ("pass", "s = s * _t1", "s", False),             # read after its restore
    ("pass", "pass", "s + _t1", False),              # read after the loop
    ("pass", "_stack_t1.append(s)", "s", False),     # the stack has another use
])
def test_a_save_nobody_reads_back_goes(before, after, ret, dropped):
    import ast
    from srcgrad.passes.shuttled import drop_shuttled
    fn = ast.parse(SHUTTLE.format(before=before, after=after, ret=ret)).body[0]
    text = ast.unparse(drop_shuttled(fn))
    assert ("_stack_t1.append(_t1)" not in text) == dropped, text
    assert ("_stack_t1.pop()" not in text) == dropped, text


def test_a_tuple_assignment_is_live_when_one_of_its_names_is_read():
    """The clean-up's dead-code pass (srcgrad/passes/cleanup.py) once dropped ``a, b = x, 2.0``
    (its target is no single name); generated checkpoint code writes such assignments."""
    import ast
    from srcgrad.passes.cleanup import remove_dead
    fn = ast.parse("def f(x):\n    a, b = x, 2.0\n    c = 3\n    return b\n").body[0]
    text = ast.unparse(remove_dead(fn))
    assert "a, b = (x, 2.0)" in text and "c = 3" not in text, text
