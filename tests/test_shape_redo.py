"""Recomputations read only for their shape (srcgrad/passes/shape_redo.py): the reverse sweep
makes an array of the right shape instead of recomputing an elementwise sum or a matrix
product, and the forward sweep keeps the operands' shapes instead of their values.

Each function's derivatives are compared with finite differences in both modes and both
backends, and its Hessian with finite differences of its gradient; the generated code is
checked for what it no longer recomputes or stores, and for what it must keep."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian, general_source


def rnn(Wh, Wx, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t] + b)
    return np.sum(h * h)


def rnn_scalar_bias(Wh, c, xs, h0):
    """A bias of one element, broadcast along the state: its adjoint sums the cotangent."""
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h * 0.5 + c + xs[t])
    return np.sum(h)


def matrix_state(A, H0, B, r):
    """A 2-D state: products of two matrices, a row broadcast down the columns."""
    H = H0
    for k in range(3):
        H = np.tanh(A @ H - A @ B * 0.5 + r)
    return np.sum(H ** 3)


def batch_rnn(W, U, b, X, H0):
    """Written as a stranger would: a batch of states as rows, products on the right."""
    H = H0
    for t in range(X.shape[0]):
        H = np.tanh(H @ W + X[t] @ U + b)   # (B, n) @ (n, n) + (B, d) @ (d, n) + (n,)
    return np.mean(H)


def values_read(W, h0, xs):
    """The product's values are read by the adjoint of ``* xs[t]``: it must be kept."""
    h = h0
    for t in range(xs.shape[0]):
        h = np.sin((W @ h) * xs[t])
    return np.sum(h)


def _args(name, seed=0):
    rng = np.random.default_rng(seed)
    if name == "rnn":
        return (0.5 * rng.standard_normal((4, 4)), rng.standard_normal((4, 3)),
                rng.standard_normal(4), rng.standard_normal((5, 3)), rng.standard_normal(4))
    if name == "rnn_scalar_bias":
        return (0.5 * rng.standard_normal((4, 4)), rng.standard_normal(1),
                rng.standard_normal((5, 4)), rng.standard_normal(4))
    if name == "matrix_state":
        return (0.4 * rng.standard_normal((3, 3)), rng.standard_normal((3, 4)),
                rng.standard_normal((3, 4)), rng.standard_normal(4))
    if name == "batch_rnn":
        return (0.5 * rng.standard_normal((3, 3)), rng.standard_normal((2, 3)),
                rng.standard_normal(3), rng.standard_normal((4, 5, 2)), rng.standard_normal((5, 3)))
    return (0.6 * rng.standard_normal((3, 3)), rng.standard_normal(3), rng.standard_normal(4))


FUNCS = {"rnn": rnn, "rnn_scalar_bias": rnn_scalar_bias, "matrix_state": matrix_state,
         "batch_rnn": batch_rnn, "values_read": values_read}


@pytest.mark.parametrize("name", FUNCS)
def test_against_finite_differences(name):
    check_grads(FUNCS[name], _args(name))


@pytest.mark.parametrize("name", ["rnn_scalar_bias", "matrix_state"])
def test_hessian(name):
    f, args = FUNCS[name], _args(name)
    for backend in ("python", "numba"):
        for i in range(len(args) - 1):
            def grad_i(xi, i=i):
                a = list(args)
                a[i] = xi
                return srcgrad.grad(f, wrt=i, backend="python")(*a)
            H = srcgrad.hessian(f, wrt=i, backend=backend, strict=True)(*args)
            np.testing.assert_allclose(H, fd_jacobian(grad_i, args[i], h=1e-5), rtol=1e-5,
                                       atol=1e-6, err_msg=f"{name}: d2/d(arg {i})2, {backend}")


def _reverse_sweep(name, wrt):
    """The code for any shapes of the arguments' ranks: a call whose arguments have no axis of
    length 1 gets code without the sums these shapes are made for (test_known_shapes.py)."""
    src = general_source(FUNCS[name], _args(name), wrt=wrt)
    rev = src.split("# reverse sweep")[1]
    return src, "\n".join(ln for ln in rev.splitlines() if not ln.strip().startswith("#"))


def test_rnn_keeps_shapes_not_values():
    src, rev = _reverse_sweep("rnn", (0, 1, 2))
    # Wh @ h is (Wh.shape[0],) at every step, and Wh is never rebound: nothing is kept for it
    assert "_stack_t1" not in src and "np.zeros((0,))" not in src
    assert "Wx @" not in rev  # the product read for its shape is not computed again
    assert "empty_broadcast(" in rev
    assert "np.full_like(h, " in rev  # np.sum(h * h)'s adjoint: h * h not computed for its shape
    g = srcgrad.grad(rnn, wrt=(0, 1, 2))
    g(*_args("rnn"))  # no axis of length 1: no shape is needed at all
    assert "unbroadcast(" not in g.source and "empty_broadcast(" not in g.source
    assert not [ln for ln in g.source.split("# reverse sweep")[1].splitlines()
                if "Wx @" in ln and not ln.strip().startswith("#")]


def test_no_steps():
    """The product's temporary is assigned only in the loop: with no step, the reverse sweep
    never reads it."""
    args = list(_args("rnn"))
    args[3] = np.zeros((0, 3))
    for backend in ("python", "numba"):
        g = srcgrad.grad(rnn, wrt=(0, 1, 2), backend=backend, strict=True)(*args)
        for a, ga in zip(args, g):
            np.testing.assert_array_equal(ga, np.zeros_like(a))


def rebound_operand(W, h0, xs):
    """``W`` is rebound after the loop's product reads it: the product's shape is kept a
    step."""
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
        W = np.ascontiguousarray(W[:, :-1]) if t == 0 else W
    return np.sum(h)


def test_rebound_operand_keeps_shapes():
    rng = np.random.default_rng(3)
    args = (rng.standard_normal((4, 5)), rng.standard_normal(5), rng.standard_normal((3, 4)))
    check_grads(rebound_operand, args)
    g = srcgrad.grad(rebound_operand, wrt=(0, 1))
    g(*args)
    assert "_stack_t1_shape" in g.source or "W @ " in g.source.split("# reverse sweep")[1]


def test_matrix_product_shape():
    src, rev = _reverse_sweep("matrix_state", (0, 1, 2, 3))
    assert "np.empty((A.shape[0], B.shape[1]))" in rev and "A @ " not in rev
    assert "_stack_t1_shape" in src  # A @ H: its shape a step


def test_batch_products_shape():
    src, rev = _reverse_sweep("batch_rnn", (0, 1, 2))
    assert "np.empty((X_t.shape[0], U.shape[1]))" in rev and "_stack_t1_shape" in src


def test_values_read_are_kept():
    """``(W @ h) * xs[t]``: the adjoint multiplies by the product's values, so it is
    recomputed or stored, never replaced by an empty array."""
    src, rev = _reverse_sweep("values_read", (0, 1))
    assert "np.empty(W.shape[0])" not in src and "empty_broadcast" not in src
    assert "W @ " in rev or "_stack_t1" in src


def test_inputs_untouched():
    args = _args("rnn")
    before = [a.copy() for a in args]
    srcgrad.grad(rnn, wrt=(0, 1, 2))(*args)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("expr, want", [
    ("np.full_like(h * h, g)", "np.full_like(h, g)"),
    ("np.ones_like(-h * 2.0 + 1)", "np.ones_like(h)"),
    ("np.full_like(h * s, g)", "np.full_like(h * s, g)"),     # a float name may widen the dtype
    ("np.zeros_like(h + k, g)", "np.zeros_like(h + k, g)"),   # two arrays: a broadcast shape
    ("np.zeros_like(i * 2.0)", "np.zeros_like(i * 2.0)"),     # an int array: the dtype changes
    ("np.full_like(h @ k, g)", "np.full_like(h @ k, g)")])
def test_like_of_an_expression_reads_its_array(expr, want):
    """``np.full_like(h * h, g)`` (a sum's adjoint) does not compute ``h * h`` for its shape,
    where the result's shape and dtype are surely ``h``'s (passes/shape_redo.py)."""
    import ast
    from srcgrad.passes.shape_redo import like_of_leaf
    kinds = {"h": ("a", 1, "f"), "k": ("a", 1, "f"), "i": ("a", 1, "i"), "s": ("s", "f"),
             "g": ("s", "f")}
    tree = ast.parse(expr)
    assert ast.unparse(like_of_leaf(tree, kinds)) == want
