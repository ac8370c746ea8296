"""Day-one forms (tools/day_one_science.py found them refused): unpacking a 1-D array into
names (``a, b, c = p``), a literal list of integers as an index (``x[[0, 2]]``), the columns
of a matrix picked by an integer array (``A[:, cols]``), and
``np.any``/``np.all`` (and ``.any()``/``.all()``) deciding a branch.  Each against finite
differences in both modes and both backends (check_grads) and under ``hessian``; what
Python or NumPy would give another meaning is refused at its line, or raises as Python does.
"""
import numpy as np
import pytest

import srcgrad

from checks import check_grads, check_hessian

RNG = np.random.default_rng(3001)
P4 = RNG.normal(size=4)
X6 = RNG.normal(size=6)
X32 = RNG.normal(size=(3, 2))


def unpack_params(p):
    a, b, c, d = p
    return a * b + c ** 2 * np.sin(d)


def unpack_rows_in_loop(p, X):
    w0, w1, b = p[0], p[1], p[2]
    s = 0.0
    for i in range(X.shape[0]):
        x0, x1 = X[i]
        s += (w0 * x0 + w1 * x1 + b) ** 2
    return s


def unpack_data_in_loop(X, p):
    """The unpacked row is the differentiated one."""
    s = 0.0
    for i in range(X.shape[0]):
        u, v = X[i]
        s += p[0] * u * v + np.tanh(u) * p[1]
    return s


def unpack_then_write(p):
    """The names hold copies of the entries: a later write into the array leaves them."""
    q = p * 2.0
    a, b, c = q[:3]
    q[0] = 5.0 * p[3]
    return a * b * c + q[0] * q[1]


def unpack_expression(p):
    a, b = np.sin(p[:2]) * p[2:]
    return a / (1.0 + b * b)


def list_index_read(x):
    return np.sum(x[[0, 2, 2, -1]] ** 2)


def list_index_pair(x):
    A = x.reshape(2, 3)
    return np.sum(A[1, [0, 2]] * A[0, [1, 1]])


def list_index_write(x):
    y = x.copy()
    y[[0, 2]] = x[[1, 3]] * 2.0
    return np.sum(y ** 3)


def list_index_repeated_add(x):
    y = x.copy()
    y[[0, 0, 1]] += x[:3] ** 2  # buffered, as NumPy: the last write to y[0] wins
    return np.sum(y ** 3)


def list_index_negative_write(x):
    y = np.zeros(4)
    y[[-1, 1]] = np.sin(x[[0, -2]])
    return np.sum(y * np.arange(4.0))


def column_list(x):
    A = x.reshape(2, 3)
    return np.sum(A[:, [0, 2, 2]] ** 2)


def column_gather(A, cols):
    B = np.tanh(A[:, cols])
    return np.sum(B * B) + np.sum(A[:, cols] @ np.ones(cols.shape[0]))


def column_gather_in_loop(A):
    cols = np.array([1, -1, 1])
    s = 0.0
    for i in range(A.shape[0]):
        s += np.sum(A[:, cols][i] * A[i, 0])
    return s


def any_branch(x):
    if np.any(x > 1.0):
        return np.sum(x ** 2)
    return np.sum(np.sin(x))


def all_in_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        if np.all(x[i:] > -5.0) and not np.any(np.isnan(x)):
            s += x[i] ** 3
    return s


def method_any_all(x):
    s = np.sum(x) if x.any() else 0.0
    if (x < 3.0).all():
        s = s * np.sum(x * x)
    return s


CASES = [
    (unpack_params, (P4,)),
    (unpack_rows_in_loop, (P4[:3], X32)),
    (unpack_data_in_loop, (X32, P4[:2])),
    (unpack_then_write, (P4,)),
    (unpack_expression, (P4,)),
    (list_index_read, (X6,)),
    (list_index_pair, (X6,)),
    (list_index_write, (X6,)),
    (list_index_repeated_add, (X6,)),
    (list_index_negative_write, (X6,)),
    (column_list, (X6,)),
    (column_gather, (RNG.normal(size=(3, 4)), np.array([3, 0, 3]))),
    (column_gather_in_loop, (RNG.normal(size=(3, 4)),)),
    (any_branch, (X6,)),
    (any_branch, (X6 + 2.0,)),
    (all_in_loop, (X6,)),
    (method_any_all, (X6,)),
]


@pytest.mark.parametrize("f,args", CASES, ids=[f"{f.__name__}-{i}" for i, (f, _) in
                                                  enumerate(CASES)])
def test_forms(f, args):
    check_grads(f, args)


@pytest.mark.parametrize("f,args", [(unpack_params, (P4,)), (unpack_rows_in_loop, (P4[:3], X32)),
                                    (list_index_repeated_add, (X6,)), (any_branch, (X6,)),
                                    (column_gather_in_loop, (RNG.normal(size=(3, 4)),))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_hessians(f, args):
    check_hessian(f, args, "")


def test_unpack_needs_the_right_length():
    """Python raises ValueError when the lengths differ; so does the derivative."""
    for backend in ("numba", "python"):
        with pytest.raises(ValueError, match="does not have 4 entries"):
            srcgrad.grad(unpack_params, backend=backend)(np.ones(5))


def unpack_matrix(A):
    a, b = A
    return np.sum(a * b)


def unpack_number(p):
    a, b = p
    return a * b


def unpack_columns(P):
    """``x, y = P.T``: the columns of two-column data, as scientific code writes it."""
    x, y = P.T
    return np.sum(np.sin(x) * y) + np.sum(y * y)


def unpack_rows_of_a_product(A, B):
    r0, r1, r2 = A @ B
    return np.sum(r0 * r1) + np.sum(np.tanh(r2))


def unpack_rows_then_write_a_row(A):
    """``a`` is a view of ``A``'s first row: writing into it changes ``A``, read after."""
    a, b = A
    a[0] = 5.0
    return np.sum(A * A) + np.sum(b)


def unpack_rows_then_write_the_matrix(A):
    a, b = A
    A2 = A
    A2[0, 0] = 3.0
    return np.sum(a * b)


def _set_first(v):
    v[0] = 2.0


def unpack_rows_then_a_helper_writes_one(A):
    a, b = A.copy()
    _set_first(a)
    return np.sum(a * b)


def unpack_rows_of_a_copy_written(A):
    """The rows of a copy, written: the copy changes, and nothing reads it after."""
    a, b = A.copy()
    a[0] = 5.0
    return np.sum(a * b)


@pytest.mark.parametrize("f,args", [
    (unpack_matrix, (RNG.normal(size=(2, 3)),)), (unpack_columns, (RNG.normal(size=(5, 2)),)),
    (unpack_rows_of_a_product, (RNG.normal(size=(3, 2)), RNG.normal(size=(2, 4)))),
    (unpack_rows_then_a_helper_writes_one, (RNG.normal(size=(2, 3)),)),
    (unpack_rows_of_a_copy_written, (RNG.normal(size=(2, 3)),))],
    ids=lambda v: getattr(v, "__name__", ""))
def test_unpacking_rows(f, args):
    """The rows of a matrix (views of it), each as ``A[k]`` is."""
    check_grads(f, args)


def test_hessian_of_unpacked_columns():
    check_hessian(unpack_columns, (RNG.normal(size=(5, 2)),), "x, y = P.T")


@pytest.mark.parametrize("f", [unpack_rows_then_write_a_row, unpack_rows_then_write_the_matrix])
def test_rows_written_while_their_matrix_is_read_are_refused(f):
    with pytest.raises(srcgrad.UnsupportedError, match="shares memory"):
        srcgrad.grad(f)(RNG.normal(size=(2, 3)))


def test_unpacking_what_is_not_an_array_is_refused():
    """A number has nothing to unpack; the rows of a matrix of another length: ValueError."""
    with pytest.raises(srcgrad.UnsupportedError, match="unpacking what is not an array"):
        srcgrad.grad(unpack_number)(1.0)
    for backend in ("numba", "python"):
        with pytest.raises(ValueError, match="does not have 2 entries"):
            srcgrad.grad(unpack_matrix, backend=backend)(np.ones((3, 2)))


def column_write(x):
    A = np.zeros((2, 3))
    A[:, [0, 2]] = x.reshape(2, 3)[:, 0:2]
    return np.sum(A ** 2)


def test_column_write():
    """Columns picked by a literal list, written (refused before: tests/test_fancy_writes.py):
    only x's first two columns of each row reach the result, twice."""
    g = srcgrad.grad(column_write)(X6)
    want = 2 * X6.reshape(2, 3) * np.array([1.0, 1.0, 0.0])
    np.testing.assert_allclose(g, want.ravel(), rtol=1e-14)
    check_grads(column_write, (X6,))


def any_axis(x):
    m = np.any(x.reshape(2, 3) > 0.0, axis=1)
    return np.sum(x) if m[0] else np.sum(x * x)


def test_any_with_axis_runs():
    """Numba has no np.any(axis=): that derivative runs as Python, with a warning."""
    with pytest.warns(srcgrad.FallbackWarning):
        g = srcgrad.grad(any_axis)(X6)
    expected = np.ones(6) if np.any(X6[:3] > 0.0) else 2 * X6
    np.testing.assert_allclose(g, expected)
