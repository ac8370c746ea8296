"""passes/known_shapes.py: an unbroadcast goes only where the shapes are proved equal (or
where the call's arguments have no axis of length 1 that could broadcast), and an adjoint's
zeros only where its first addition is a new float array of its shape.  Each function runs
with arguments that broadcast (length-1 axes) and with arguments that do not, against finite
differences, in both modes, both backends, and under hessian."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian, general_source


def softmax_rows(W, b, X):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    p = np.exp(logits - m)
    p = p / np.sum(p, axis=1, keepdims=True)
    return np.sum(np.sin(p))


def outer_sum(x, y):
    return np.sum(np.tanh(x * y + x))


def shrinking(x):
    y = x
    for i in range(3):
        y = y[1:] * y[:-1] + 0.5
    return np.sum(y * y)


def branch_shapes(x, b, c):
    if c > 0:
        z = x * b
    else:
        z = x[:1] * b
    return np.sum(np.sin(z + b))


def product_chain(A, B, v):
    C = A @ B
    D = np.tanh(C) * C
    return np.sum(D @ v) + np.sum(C.T @ C)


def huber(w, X, y, delta):
    r = X @ w - y
    a = np.abs(r)
    return np.mean(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)))


def relu_layer(W1, b1, W2, X):
    h = np.maximum(X @ W1 + b1, 0.0)
    return np.sum(np.tanh(h @ W2))


def standardize(x):
    c = x - np.mean(x, axis=0, keepdims=True)
    return np.sum(np.sin(c) / (np.sum(c * c, axis=0, keepdims=True) + 1.0))


def standardize_rows(x, w):
    """keepdims along axis=-1 (a negative axis: the rules read it as the last)."""
    z = x * w
    c = z - np.mean(z, axis=-1, keepdims=True)
    return np.sum(np.tanh(c) / np.sqrt(np.sum(c * c, axis=-1, keepdims=True) + 1.0))


def rows(n, m, seed):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (n, m))


CASES = {
    "softmax": (softmax_rows, (rows(4, 3, 0), rows(1, 3, 1)[0], rows(5, 4, 2))),
    "softmax, bias of length 1": (softmax_rows, (rows(4, 3, 0), rows(1, 1, 1)[0], rows(5, 4, 2))),
    "outer": (outer_sum, (rows(4, 1, 3), rows(1, 3, 4))),
    "outer, no broadcast": (outer_sum, (rows(4, 3, 3), rows(4, 3, 4))),
    "column and row": (outer_sum, (rows(4, 1, 3), rows(4, 3, 4))),
    "shrinking": (shrinking, (rows(1, 7, 5)[0],)),
    "branch, wide": (branch_shapes, (rows(1, 4, 6)[0], rows(1, 4, 7)[0], 1.0)),
    "branch, broadcast": (branch_shapes, (rows(1, 4, 6)[0], rows(1, 1, 7)[0], 1.0)),
    "branch, other way": (branch_shapes, (rows(1, 4, 6)[0], rows(1, 1, 7)[0], -1.0)),
    "products": (product_chain, (rows(3, 4, 8), rows(4, 3, 9), rows(1, 3, 10)[0])),
    "huber": (huber, (rows(1, 3, 11)[0], rows(6, 3, 12), rows(1, 6, 13)[0], 0.4)),
    "huber, one target": (huber, (rows(1, 3, 11)[0], rows(6, 3, 12), rows(1, 1, 13)[0], 0.4)),
    "relu": (relu_layer, (rows(3, 5, 14), rows(1, 5, 15)[0] + 0.3, rows(5, 2, 16), rows(4, 3, 17))),
    "softmax, one class": (softmax_rows, (rows(4, 1, 0), rows(1, 1, 1)[0], rows(5, 4, 2))),
    "standardize": (standardize, (rows(5, 3, 18),)),
    "standardize, one row": (standardize, (rows(1, 3, 18),)),
    "standardize, one column": (standardize, (rows(5, 1, 18),)),
    "rows, last axis": (standardize_rows, (rows(4, 3, 19), rows(1, 3, 20)[0])),
    "relu, one bias": (relu_layer, (rows(3, 5, 14), rows(1, 1, 15)[0] + 0.3, rows(5, 2, 16),
                                    rows(4, 3, 17))),
}


# compiled too (the pass runs before the backend is chosen; these reach its every rewrite)
COMPILED = {"softmax", "softmax, bias of length 1", "huber, one target", "relu, one bias",
            "softmax, one class", "standardize", "standardize, one row", "rows, last axis"}


@pytest.mark.parametrize("name", CASES)
def test_gradients_with_and_without_broadcasting(name):
    f, args = CASES[name]
    check_grads(f, args, backends=("numba", "python") if name in COMPILED else ("python",))


@pytest.mark.parametrize("name", ["softmax, bias of length 1", "column and row", "branch, broadcast",
                                  "huber, one target", "softmax", "standardize, one row"])
def test_hessian_where_arguments_broadcast(name):
    f, args = CASES[name]
    H = srcgrad.hessian(f, wrt=0)(*args)
    g = srcgrad.grad(f, wrt=0)
    fd = fd_jacobian(lambda x: g(x, *args[1:]), args[0], h=1e-5)
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-7)


def test_the_sums_that_sum_nothing_are_gone():
    """The code for every shape of the arguments' ranks (no values given)."""
    f, args = CASES["softmax"]
    src = general_source(f, args, wrt=(0, 1))
    assert "bp = bp / _t5" in src and "bp = np.zeros_like" not in src
    assert "bW = X.T @" in src and "bW = np.zeros_like" not in src   # X @ W proved the shapes
    assert "unbroadcast(blogits, b)" in src   # b may be of length 1
    src = general_source(huber, CASES["huber"][1])  # np.where keeps the shapes
    assert src.count("unbroadcast(") == 1 and "X.T @ unbroadcast(br, _t1)" in src
    src = general_source(relu_layer, CASES["relu"][1], wrt=(0, 1, 2))
    assert "bW2 = h.T @" in src  # h @ W2 proved h's columns are W2's rows
    src = general_source(outer_sum, CASES["outer"][1])
    assert src.count("unbroadcast(") == 2  # x's two uses: x + (x * y) and x * y broadcast it


def test_axes_of_length_other_than_one_sum_nothing():
    """Reverse-mode code is specialized on which axes have length 1: an operand none of whose
    axes has, broadcast to a result of its rank, is that result's shape (the operands'
    lengths are equal or 1), so its cotangent is summed over nothing."""
    src = srcgrad.source(huber, wrt=0, args=CASES["huber"][1])
    assert "unbroadcast(" not in src and "bw = X.T @ br" in src
    src = srcgrad.source(huber, wrt=(0, 2), args=CASES["huber, one target"][1])
    assert "by = unbroadcast(-br, y)" in src   # y of length 1 broadcast: its cotangent sums
    assert "bw = X.T @ br" in src   # X @ w's length is not 1: the result's
    src = srcgrad.source(softmax_rows, wrt=(0, 1), args=CASES["softmax"][1])
    assert "unbroadcast(blogits, b)" in src   # a row broadcast down the columns: summed
    src = srcgrad.source(outer_sum, args=CASES["outer"][1])
    assert src.count("unbroadcast(") == 2  # x (4, 1) and y (1, 3): each axis of length 1 sums


def test_keepdims_sums_in_numpy_terms():
    """passes/keepdims.py: a cotangent summed back to a keepdims shape is a sum over that
    axis, and its reshape and spread along the axis are left to broadcasting, where the
    call's shapes prove it; with an axis of length 1 where it could broadcast, the helpers
    stay (checked against finite differences above, both backends)."""
    src = srcgrad.source(softmax_rows, wrt=(0, 1), args=CASES["softmax"][1])
    for helper in ("reshape_as(", "expand_axis("):
        assert helper not in src, src
    assert src.count("unbroadcast(") == 1 and "unbroadcast(blogits, b)" in src, src  # (rows)
    assert "np.expand_dims(sum_axis(" in src and "bp += b_t5" in src, src
    assert "blogits += bm * extremum_mask_axis(logits, _t2, 1)" in src, src
    src = srcgrad.source(standardize, args=CASES["standardize"][1])
    assert "unbroadcast(" not in src and "reshape_as(" not in src, src
    src = srcgrad.source(standardize_rows, args=CASES["rows, last axis"][1])
    assert "reshape_as(" not in src and "expand_axis(" not in src, src
    src = general_source(softmax_rows, CASES["softmax"][1], wrt=(0, 1))
    assert "unbroadcast(blogits, b)" in src, src  # (b may be of length 1: not proved)


def test_one_function_called_with_and_without_axes_of_length_one():
    """The specializations alternate, each right, and .source shows the last call's."""
    g = srcgrad.grad(huber, wrt=(0, 2))
    for name in ("huber", "huber, one target", "huber", "huber, one target"):
        args = CASES[name][1]
        got = g(*args)
        want = [fd_jacobian(lambda v, i=i: huber(*[v if j == i else a for j, a in enumerate(args)]),
                            args[i]) for i in (0, 2)]
        for x, y in zip(got, want):
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-8, err_msg=name)
        assert ("unbroadcast(-br, y)" in g.source) == (name == "huber, one target")


def test_zeros_stay_where_the_first_addition_is_not_a_new_array_of_that_shape():
    src = srcgrad.source(shrinking, args=CASES["shrinking"][1])
    assert "bx = np.zeros_like(x)" in src  # added to through views of slices


def test_generated_code_compiles_without_the_helpers_it_no_longer_calls():
    """The softmax's gradient, compiled, equals the Python backend's to rounding."""
    f, args = CASES["softmax"]
    a = srcgrad.grad(f, wrt=(0, 1), backend="numba", strict=True)(*args)
    b = srcgrad.grad(f, wrt=(0, 1), backend="python")(*args)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-14)


def test_a_product_that_may_not_run_proves_nothing():
    """``A @ B`` proves A's columns are B's rows only where it surely runs: not in a branch
    of a conditional expression (the walk itself, on a small generated function)."""
    import ast
    from srcgrad.passes import known_shapes
    text = ("def f(A, B, c):\n"
            "    y = unbroadcast(A @ B, A) if c > 0 else 0.0\n"
            "    z = unbroadcast(B @ A, B) if c > 0 else 0.0\n"
            "    u = unbroadcast(A.T, B)\n"
            "    w = A @ B\n"
            "    v = B @ A\n"
            "    return unbroadcast(A.T, B) + u\n")
    kinds = {"A": ("a", 2, "f"), "B": ("a", 2, "f"), "c": ("s", "f")}
    out = ast.unparse(known_shapes.simplify(ast.parse(text).body[0], kinds.get))
    assert "u = unbroadcast(A.T, B)" in out      # before the products that surely run
    assert "return A.T + u" in out               # after them: A.T has B's shape
