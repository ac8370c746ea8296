"""One test per construct of the supported subset, each checked against finite differences
(and the Numba backend against the Python backend)."""
import math

import numpy as np
import pytest

import srcgrad

from checks import check_grads

rng = np.random.default_rng(42)
X5 = rng.uniform(0.5, 1.5, 5)
A34 = rng.uniform(0.5, 1.5, (3, 4))


# ---- scalars and arithmetic ---------------------------------------------------------------------
def poly(x, y):
    z = x * y + x ** 3 - y / x
    return z * z - 2.0 * x


def reassign(x):
    y = x
    y = y * y
    y = math.sin(y) + y
    y = y * x
    return y


def augmented(x, y):
    z = x
    z += y
    z *= x
    z -= 0.5 * y
    z /= y
    z **= 2
    return z


def chained(x):
    return math.exp(math.sin(math.log(x) ** 2)) * math.sqrt(x)


def const_pow(x):
    return x ** 2 + x ** -1.5 + 2.0 ** x + x ** x


def minmax(x, y):
    return max(x, y) * min(x * x, y) + abs(x - 2.0 * y)


def ifexp(x, y):
    z = x * y if x > y else x / y
    return z + (x if y > 0 else -x)


@pytest.mark.parametrize("f,args", [
    (poly, (1.3, 0.7)), (reassign, (0.8,)), (augmented, (1.1, 0.6)), (chained, (1.7,)),
    (const_pow, (1.2,)), (minmax, (0.7, 1.9)), (minmax, (1.9, 0.7)), (ifexp, (0.3, 1.2)),
    (ifexp, (1.3, 0.2)),
])
def test_scalar_code(f, args):
    check_grads(f, args)


# ---- branches -----------------------------------------------------------------------------------
def branches(x, y):
    if x > y:
        z = x * y
    elif x > 0.5 * y:
        z = x + math.sin(y)
        z = z * z
    else:
        z = y / x
    return z


@pytest.mark.parametrize("args", [(2.0, 1.0), (0.8, 1.0), (0.2, 1.0)])
def test_if_elif_else(args):
    check_grads(branches, args)


# ---- loops --------------------------------------------------------------------------------------
def scalar_loop(x, n):
    s = 0.0
    for i in range(n - 1):
        s += math.sin(x[i]) * x[i + 1] ** 2 + math.exp(-x[i])
    return s


def recurrence(x0, dt, T):
    x = x0
    for t in range(T):
        x = x + dt * (-x ** 3 + math.sin(t * dt))
    return x


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def ranges(x):
    s = 0.0
    for i in range(1, len(x), 2):
        s += x[i] * x[i - 1]
    for i in range(len(x) - 1, 0, -1):
        s = s * 0.5 + x[i]
    for i in range(3, 3):
        s += x[i]
    return s


def nested(A):
    s = 0.0
    for i in range(A.shape[0]):
        r = 0.0
        for j in range(i, A.shape[1]):  # triangular: inner bound depends on i
            r = r * A[i, j] + math.cos(A[i, j])
        s += r * r
    return s


def loop_branch(x):
    s = 0.0
    for i in range(len(x)):
        v = x[i] * s + 1.0
        if v > 1.5:
            s = s + math.sqrt(v)
        else:
            s = s * v
    return s


def while_loop(x):
    y = x
    k = 0
    while y < 10.0:
        y = y * 1.5 + x
        k += 1
    return y * k


def newton_sqrt(a):
    # data-dependent trip count: Newton's iteration for sqrt(a)
    x = a
    err = 1.0
    while err > 1e-12:
        x_new = 0.5 * (x + a / x)
        err = abs(x_new - x)
        x = x_new
    return x


def nested_while(x):
    s = 0.0
    for i in range(len(x)):
        y = x[i]
        while y < 4.0:
            y = y * 2.0 + s * 0.01
        s += y
    return s


def with_break(x):
    s = 0.0
    for i in range(len(x)):
        if s > 2.0:
            break
        s += x[i] * x[i]
    return s


def with_continue(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] < 1.0:
            continue
        s += math.log(x[i]) * s + x[i]
    return s


def early_return(x, y):
    if x < 0.0:
        return -x * y
    z = x * y
    for i in range(10):
        z = z * 0.9 + math.sin(x)
        if z > 5.0:
            return z * 2.0
    return z


@pytest.mark.parametrize("f,args", [
    (scalar_loop, (X5, 5)), (recurrence, (0.5, 0.01, 200)), (rosenbrock, (X5,)),
    (ranges, (X5,)), (nested, (A34,)), (loop_branch, (X5,)), (while_loop, (1.3,)),
    (newton_sqrt, (2.0,)), (nested_while, (X5,)), (with_break, (X5,)),
    (with_continue, (rng.uniform(0.5, 2.0, 8),)), (early_return, (-1.0, 2.0)),
    (early_return, (1.0, 0.5)), (early_return, (5.0, 1.5)),
])
def test_loops(f, args):
    check_grads(f, args)


def test_newton_sqrt_closed_form():
    import srcgrad
    g = srcgrad.grad(newton_sqrt)
    assert abs(g(2.0) - 0.5 / math.sqrt(2.0)) < 1e-9


# ---- arrays: element and slice reads and writes, overwrites -------------------------------------
def element_writes(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i] * x[i]
    for i in range(1, len(x)):
        y[i] = y[i] * y[i - 1] + 1.0     # overwrite, reading the old value
    y[0] += x[1]
    return np.sum(y)


def inplace_input(x):
    x[0] = x[0] * 3.0                    # writes into its argument (srcgrad works on a copy)
    for i in range(1, len(x)):
        x[i] = x[i] * x[i - 1]
    return x[len(x) - 1]


def slices(x):
    y = np.zeros(6)
    y[0:3] = x[1:4] * 2.0
    y[3:6] = np.sin(x[0:3])
    y[2:4] += x[3]
    return np.sum(y * y) + np.sum(x[:2])


def matrix_cols(A):
    s = 0.0
    for j in range(A.shape[1]):
        col = A[:, j]
        s += np.sum(col * col) * A[0, j]
    return s


def matrix_writes(A):
    B = np.zeros((A.shape[0], A.shape[1]))
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            B[i, j] = A[i, j] * A[i, 0]
    B[:, 1] = A[:, 2] * 2.0
    return np.sum(B * B)


def copies(x):
    y = x.copy()
    z = np.copy(x)
    y[0] = 5.0
    return np.sum(y * z)


def array_rebind(x, n):
    h = x
    for t in range(n):
        h = np.tanh(h) * 1.1 + x
    return np.sum(h * h)


@pytest.mark.parametrize("f,args", [
    (element_writes, (X5,)), (inplace_input, (X5.copy(),)), (slices, (X5,)),
    (matrix_cols, (A34,)), (matrix_writes, (A34,)), (copies, (X5,)), (array_rebind, (X5, 4)),
])
def test_arrays(f, args):
    check_grads(f, args)


def test_input_not_modified():
    import srcgrad
    x = X5.copy()
    srcgrad.grad(inplace_input)(x)
    np.testing.assert_array_equal(x, X5)


# ---- vectorized NumPy, broadcasting -------------------------------------------------------------
def broadcast(A, r, c, s):
    B = A * r + c
    C = B + s
    D = np.exp(C) / (1.0 + A)
    return np.sum(D) + np.mean(A * A)


def bcast_col(A, c):
    return np.sum(np.sin(A - c) ** 2)


def reductions(A):
    return (np.sum(np.sum(A, axis=0) ** 2) + np.sum(np.mean(A, axis=1) ** 3)
            + np.max(A) * np.min(A) + np.sum(np.max(A, axis=1)) + np.prod(A[0]))


def linalg(A, x, B):
    y = A @ x
    C = A.T @ B
    M = np.outer(y, x)
    return np.dot(y, y) + np.sum(C * C) + np.sum(M) + x @ (A.T @ y)


def where_clip(x):
    y = np.where(x > 1.0, x * x, -x)
    z = np.clip(y, -0.9, 1.5)
    return np.sum(np.maximum(z, 0.2) + np.minimum(x, 1.1))


@pytest.mark.parametrize("f,args", [
    (broadcast, (A34, rng.uniform(0.5, 1, 4), None, 0.3)),
    (bcast_col, (A34, rng.uniform(0.5, 1, (3, 1)))),
    (reductions, (A34,)), (linalg, (A34, rng.uniform(0, 1, 4), rng.uniform(0, 1, (3, 2)))),
    (where_clip, (rng.uniform(0.5, 1.6, 7),)),
])
def test_vectorized(f, args):
    if f is broadcast:
        args = (A34, args[1], args[1], 0.3)
        check_grads(f, args, wrt=(0, 1, 3))
    else:
        check_grads(f, args)


# ---- calls to other user functions (inlined, not decorated) -------------------------------------
def sq(a):
    return a * a


def softplus(v):
    if v > 30.0:
        return v
    return math.log(1.0 + math.exp(v))


def accumulate_into(out, x, k):
    out[k] = out[k] + sq(x[k])


def caller(x):
    s = 0.0
    y = np.zeros(len(x))
    for i in range(len(x)):
        s += softplus(x[i]) * sq(s + 0.1)
        accumulate_into(y, x, i)
    return s + np.sum(y)


def test_user_calls():
    check_grads(caller, (rng.uniform(-0.5, 0.5, 4),))


# ---- outputs: tuples, non-scalar, constants -----------------------------------------------------
def two_outputs(x, y):
    return x * y, np.sin(x) + y


def test_tuple_output():
    check_grads(two_outputs, (X5, 0.7))


def const_output(x):
    return 3.0


def ignores_y(x, y):
    return x * 2.0


def test_output_independent_of_input():
    import srcgrad
    assert srcgrad.grad(const_output)(1.0) == 0.0
    g = srcgrad.grad(ignores_y, wrt=(0, 1))(1.0, np.ones(3))
    assert g[0] == 2.0 and np.all(g[1] == 0.0) and g[1].shape == (3,)


# ---- saves: preallocated by iteration (any start/step), integers and booleans, lists ------------
def strided_recurrence(x, a):
    k = 0
    for i in range(1, 9, 3):
        k = (k + i) % len(a)          # an int overwritten every step, read by the reverse sweep
        big = x > 1.0                 # a bool overwritten every step
        if big:
            x = x * a[k] + math.sin(x)
        else:
            x = x + a[k] * x * x
    return x


def nested_saves(x, n):
    s = x
    for i in range(n):
        for j in range(i + 1):        # saves inside a nested loop go to lists
            s = s * 0.9 + math.cos(s) * (j + 1) * 0.1
    return s


@pytest.mark.parametrize("f,args", [
    (strided_recurrence, (0.7, np.array([1.1, 0.9, 1.3, 0.8]))),
    (strided_recurrence, (1.4, np.array([1.1, 0.9, 1.3, 0.8]))),
    (nested_saves, (0.3, 5)),
])
def test_saves(f, args):
    check_grads(f, args)


# ---- np.einsum becomes loops (its rows in tests/rule_cases.py check the numbers) -------------
def einsum_chain(A, B):
    return np.sum(np.sin(np.einsum("ij,jk->ik", A, B)))


def gaussian_logdensity(x, L0):
    """The log density of N(0, A) with A = L0 L0^T + I, as GP code writes it."""
    A = L0 @ L0.T + np.eye(x.shape[0])
    sign, logdet = np.linalg.slogdet(A)
    L = np.linalg.cholesky(A)
    z = np.linalg.solve(L, x)
    return -0.5 * np.sum(z * z) - 0.5 * logdet - 0.5 * x.shape[0] * np.log(2.0 * np.pi) + 0.0 * sign


def test_slogdet_unpacked_cholesky_and_solve():
    rng = np.random.default_rng(3)
    # Python backend: each rule runs compiled by Numba in tests/test_rules.py
    check_grads(gaussian_logdensity, (rng.normal(size=3), rng.normal(size=(3, 3))),
                backends=("python",))


def cumprod_weighted(x):
    return np.sum(np.cumprod(x) * np.arange(1.0, x.shape[0] + 1.0))


def test_cumprod_with_zeros_is_exact():
    """np.cumprod's adjoint divides by nothing, so zeros in x are no special case (the
    gradient and Hessian at x with a zero entry, against finite differences)."""
    x = np.array([0.5, 0.0, 2.0, -1.0, 0.0])
    check_grads(cumprod_weighted, (x,), backends=("python",))
    H = srcgrad.hessian(cumprod_weighted, backend="python")(x)
    g = srcgrad.grad(cumprod_weighted, backend="python")
    fd = np.array([(g(x + 1e-5 * e) - g(x - 1e-5 * e)) / 2e-5 for e in np.eye(5)]).T
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-7)
