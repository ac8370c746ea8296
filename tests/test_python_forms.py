"""Forms of Python and NumPy a new user writes on the first day: helpers with default values
and keyword arguments, ``np.add.at``, ``P[np.arange(n), labels]``, a loop variable read after its loop, ``axis=None``, element targets in a tuple assignment (a swap), ``max``/``min`` of more than two values and of generators, ``np.array`` of a list of
arrays, a list literal passed to a NumPy function.  Each against finite differences in both
modes and both backends (check_grads), and the cases NumPy gives another meaning refused at
their line."""
import math

import numpy as np
import pytest

import srcgrad

from checks import check_grads, check_hessian

RNG = np.random.default_rng(2902)
X5 = RNG.normal(size=5)
A34 = RNG.normal(size=(3, 4))


def swap_elements(x):
    y = x * 1.0
    y[0], y[1] = y[1], y[0] * x[2]
    return np.sum(y * np.arange(1.0, 6.0))


def bubble_pass(x):
    """One pass of bubble sort: the derivative follows the values as they move."""
    y = x.copy()
    for i in range(y.shape[0] - 1):
        if y[i] > y[i + 1]:
            y[i], y[i + 1] = y[i + 1], y[i]
    return np.sum(y * np.arange(1.0, 6.0))


def name_and_element(x):
    y = np.zeros(3)
    a, y[1] = x[0] * 2.0, x[1] ** 2
    return a * np.sum(y)


def swap_copied_rows(A):
    B = A * 1.0
    B[0], B[1] = B[1].copy(), B[0].copy()
    return np.sum(np.sin(B) * np.arange(12.0).reshape(3, 4))


def max3(x):
    return max(x[0], x[1] * x[2], math.sin(x[3])) + min(x[0], x[4], 0.3, x[1] ** 2)


def extremes_of_generators(x):
    """max/min of a generator over a run-time length: a loop keeping the first extreme."""
    return (max(abs(v) for v in x) + min(v * v for v in x if v > -0.5)
            + max(a * b for a, b in zip(x[:-1], x[1:])) + min(x[i] * i for i in range(1, len(x))))


def index_from_a_generator(x):
    """Integer items keep an integer result, which can index."""
    return x[max(int(v > 0) for v in x)] * 2.0 + x[sum(len(x) for _ in range(2)) - 9]


def rows_of_arrays(x):
    M = np.array([x, x ** 2, np.sin(x)])
    return np.sum(M @ x)


def rows_of_matrices(A):
    """np.stack's rule joins vectors and matrices, not matrices into a 3-D array."""
    T = np.array([A, A * A])
    return np.sum(np.tanh(T[1] - T[0]))


def numbers_and_arrays(x):
    return np.sum(np.array([x[0] * x[1], x[2], 1.0]) ** 2)


def list_to_numpy(x):
    return np.sum([x[0], x[1] * 2.0]) + np.mean([x[2] ** 2, x[3], x[4]]) \
        + np.max([x[0], x[3]]) + np.prod([x[1], x[2]])


def list_of_arrays_to_numpy(x):
    return np.sum(np.mean([x, np.sin(x)], axis=0) ** 2)


def huber(r, delta=1.0):
    a = np.abs(r)
    return np.where(a < delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def helpers_with_defaults(x):
    """A module-level helper left at its default, given it by position and by keyword."""
    return np.sum(huber(x)) + np.sum(huber(x, 0.5)) + np.sum(huber(delta=2.0, r=x))


def nested_with_defaults(x):
    def h(v, scale=2.0, shift=-1):
        return scale * v ** 2 + shift
    return np.sum(h(x)) + np.sum(h(x, shift=3.0)) + np.sum(h(scale=0.5, v=x))


IDX = np.array([0, 1, 1, 2, 0])


def scatter_squares(x):
    """np.add.at keeps every contribution of a repeated index (y[IDX] += v keeps one)."""
    y = np.zeros(3)
    np.add.at(y, IDX, x ** 2)
    return np.sum(y ** 2)


def scatter_a_number(x):
    y = x[:3] * 1.0
    np.add.at(y, IDX, x[4])
    return np.sum(np.sin(y))


def embedding_rows(W, x):
    G = np.zeros_like(W)
    np.add.at(G, np.array([1, 0, 1]), np.outer(x, x[:2]))
    np.subtract.at(G, np.array([2, 2]), x[:2])
    return np.sum(G * W) + np.sum(np.tanh(G))


def last_index(x):
    s = 0.0
    for i in range(4):
        s += x[i]
    return s + x[i] * 2.0


def last_index_of_a_stepped_range(x, n):
    s = 0.0
    for i in range(1, n, 2):
        s += x[i] ** 2
    for j in range(n - 1, 0, -2):
        s = s * x[j]
    return s * x[i] + x[j]


def reductions_with_axis_none(x):
    return np.sum(x.reshape(2, 3)[:, 0:2], axis=None) * np.mean(x[:4].reshape(2, 2), axis=None,
                                                                dtype=np.float64)


LABELS = np.array([0, 2, 1, 1, 0])
XS = RNG.normal(size=(5, 4))


def cross_entropy(W):
    """The negative log-likelihood of integer labels: P[np.arange(n), labels]."""
    Z = XS @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(P[np.arange(5), LABELS]))


def repeated_pairs_and_a_column(W):
    rows, cols = np.array([0, 2, 0, 3]), np.array([1, 1, 1, 0])
    return np.sum(np.sin(W[rows, cols]) * np.arange(4.0)) + np.sum(W[rows, 2] ** 2) \
        + np.sum(W[np.array([3, 3, 1]), :] ** 3)


def rows_written_with_a_slice(W, x):
    G = W * 1.0
    G[np.array([1, 3, 1]), :] = np.outer(x[:3], x[:3])
    return np.sum(np.tanh(G))


COLS = np.array([1, 0, 2, 2])


def pairs_kept_whole_and_stacked(W):
    """P[rows, cols] has rank 1 (the kinds pass said 2: np.stack then refused it), with an
    index kept whole that slices a module's integer array."""
    v = W[np.arange(3), COLS[0:3]]
    return np.sum(np.stack([v, v * v]) @ np.ones(3))


def two_d_mask(A):
    """A 2-D mask picks entries in order: rank 1 (the kinds pass said 3)."""
    return np.sum(np.sin(A[A > 0.1]) * 2.0) + np.sum(A[A > 0.0] ** 2)


def _halves(u):
    return u[0:2], u[2:4] * u[1]


def generator_hides_its_sequence(a):
    """The generator's ``a`` hides the parameter inside it, but its first sequence is read in
    the function's scope (the fuzzer's seed 37106: the gradient was zero, or a crash)."""
    return sum(a * b for a, b in zip(a[0:2], a[2:4])) + sum(a * b for a, b in zip(*_halves(a)))


def extreme_hides_its_sequence(a):
    return max(a * a for a in a) + min(np.sin(a) for a in a[1:])


@pytest.mark.parametrize("f,args", [
    (generator_hides_its_sequence, (X5,)), (extreme_hides_its_sequence, (X5,)),
    (pairs_kept_whole_and_stacked, (RNG.normal(size=(4, 3)),)),
    (cross_entropy, (RNG.normal(size=(4, 3)),)),
    (repeated_pairs_and_a_column, (RNG.normal(size=(4, 3)),)),
    (rows_written_with_a_slice, (RNG.normal(size=(4, 3)), X5)),
    (last_index, (X5,)), (last_index_of_a_stepped_range, (X5, 5)),
    (last_index_of_a_stepped_range, (X5, 4)), (reductions_with_axis_none, (RNG.normal(size=6),)),
    (scatter_squares, (X5,)), (scatter_a_number, (X5,)),
    (embedding_rows, (RNG.normal(size=(3, 2)), RNG.normal(size=3))),
    (helpers_with_defaults, (X5 * 2.0,)), (nested_with_defaults, (X5,)),
    (swap_elements, (X5,)), (bubble_pass, (X5,)), (name_and_element, (X5,)),
    (swap_copied_rows, (A34,)), (max3, (X5,)), (max3, (X5[::-1].copy(),)),
    (rows_of_arrays, (X5,)), (numbers_and_arrays, (X5,)),
    (list_to_numpy, (X5,)), (list_of_arrays_to_numpy, (X5,)),
    (extremes_of_generators, (X5,)), (index_from_a_generator, (X5,)),
])
def test_day_one_forms(f, args):
    check_grads(f, args)


def first_nan_kept(x):
    return max(v for v in x)


def nothing_left(x):
    return max(v for v in x if v > 10.0)


def test_extremes_of_generators_are_pythons():
    """A NaN first is kept (nothing is greater), ties keep the first item (its derivative),
    and no item at all is Python's ValueError, in both backends."""
    for backend in ("numba", "python"):
        v, g = srcgrad.value_and_grad(first_nan_kept, backend=backend)(np.array([np.nan, 1.0]))
        assert np.isnan(v) and g.tolist() == [1.0, 0.0]
        v, g = srcgrad.value_and_grad(first_nan_kept, backend=backend)(np.array([2.0, 2.0]))
        assert v == 2.0 and g.tolist() == [1.0, 0.0]
        with pytest.raises(ValueError, match=r"max\(\) arg is an empty sequence"):
            srcgrad.grad(nothing_left, backend=backend)(X5)
    H = srcgrad.hessian(extremes_of_generators, backend="python")(X5)
    from checks import fd_jacobian
    g = srcgrad.grad(extremes_of_generators, backend="python")
    np.testing.assert_allclose(H, fd_jacobian(g, X5, h=1e-5), rtol=1e-5, atol=1e-6)


def imports_first(x):
    """Imports the body starts with bind what Python binds (frontend/source.py)."""
    import numpy as np
    from math import sqrt
    from numba import prange
    import scipy.special
    s = 0.0
    for i in prange(x.shape[0]):
        s += sqrt(1.0 + x[i] ** 2)
    return s + np.sum(scipy.special.expit(x))


def import_after_a_statement(x):
    y = x * 2.0
    import numpy as np
    return np.sum(y)


def import_of_a_name_assigned(x):
    import numpy as np
    np = 3.0
    return x[0] * np


def test_imports_first_in_the_body():
    check_grads(imports_first, (X5,))
    for f in (import_after_a_statement, import_of_a_name_assigned):
        with pytest.raises(srcgrad.UnsupportedError, match=r"test_python_forms.py:\d+:\d+: "
                           r"unsupported construct: import inside the function"):
            srcgrad.grad(f, backend="python")(X5)


def _penalty(v, *, scale=1.0, shift=0.0):
    return scale * np.sum(np.log1p((v - shift) ** 2))


def keyword_only_helper(x):
    """A helper's keyword-only parameters, passed by keyword or left at their defaults."""
    return _penalty(x, scale=2.0) + _penalty(x[::2]) + _penalty(x, shift=0.5, scale=x[0])


def keyword_only_by_position(x):
    return _penalty(x, 2.0)


def test_keyword_only_parameters_of_helpers():
    check_grads(keyword_only_helper, (X5,))
    with pytest.raises(srcgrad.UnsupportedError, match=r"call to _penalty\(\) with 2 positional "
                       r"arguments"):
        srcgrad.grad(keyword_only_by_position, backend="python")(X5)


def test_two_d_masks():
    """(Numba has no 2-D mask indexing: the Python backend; compiled, a FallbackWarning.)"""
    check_grads(two_d_mask, (RNG.normal(size=(3, 4)),), backends=("python",))


def test_add_at_equals_numpy():
    y = np.zeros(3)
    np.add.at(y, IDX, X5 ** 2)
    assert srcgrad.value_and_grad(scatter_squares)(X5)[0] == pytest.approx(np.sum(y ** 2))


def test_hessians_of_day_one_forms():
    check_hessian(cross_entropy, (RNG.normal(size=(4, 3)),), "P[np.arange(n), labels]")
    check_hessian(scatter_squares, (X5,), "np.add.at(y, IDX, x ** 2)")
    H = srcgrad.hessian(last_index_of_a_stepped_range, backend="python")(X5, 5)
    g = srcgrad.grad(last_index_of_a_stepped_range, backend="python")
    from checks import fd_jacobian
    np.testing.assert_allclose(H, fd_jacobian(lambda x: g(x, 5), X5, h=1e-5), rtol=1e-5,
                               atol=1e-6)
    check_hessian(rows_of_arrays, (X5,), "np.array([x, x ** 2, np.sin(x)])")
    check_hessian(generator_hides_its_sequence, (X5,), "sum(a * b for a, b in zip(a, ...))")
    check_hessian(swap_elements, (X5,), "y[0], y[1] = y[1], y[0] * x[2]")


def swap_rows(A):
    B = A * 1.0
    B[0], B[1] = B[1], B[0]
    return np.sum(B * np.arange(12.0).reshape(3, 4))


def swap_halves(x):
    y = x * 1.0
    y[0:2], y[2:4] = y[2:4], y[0:2]
    return np.sum(y * np.arange(5.0))


def last_index_after_a_break(x):
    for i in range(5):
        if x[i] > 0.5:
            break
    return x[i]


def last_index_of_a_run_time_step(x, k):
    for i in range(0, 5, k):
        pass
    return x[i]


def add_at_as_a_value(x):
    y = np.zeros(3)
    z = np.add.at(y, IDX, x)
    return np.sum(y) if z is None else 0.0


def pairs_written(W):
    G = np.zeros((4, 3))
    G[np.arange(4), np.array([0, 2, 1, 1])] = np.sum(W, axis=1)
    return np.sum(G * W)


def add_at_a_view_read_later(x):
    y = x * 1.0
    r = y[0:2]
    np.add.at(y, IDX, 1.0)
    return np.sum(r * y)


def mixed_ranks(x):
    return np.sum(np.array([x, x[0]]))


def view_then_write_in_a_tuple(A):
    r = A[1] * 1.0
    v = r[0:2]
    r[0], q = 5.0, 2.0
    return np.sum(v) * q


def unknown_keyword(x):
    return np.sum(huber(x, alpha=2.0))


def without_a_parameter(x):
    return np.sum(huber(delta=x[0]))


def default_from_a_name(x):
    c = 2.0

    def h(v, scale=c):
        return scale * v
    return np.sum(h(x))


@pytest.mark.parametrize("f,args,what", [
    (unknown_keyword, (X5,), r"keyword argument alpha= in the call to huber\(\)"),
    (without_a_parameter, (X5,), r"call to huber\(\) without its parameter 'r'"),
    (default_from_a_name, (X5,), "a default value in a nested function that is not a literal"),
    # NumPy assigns in turn: the rows are views, so both end up the old B[1]
    (swap_rows, (A34,), r"write into B\[0\] while B\[0\], which may share its memory"),
    (swap_halves, (X5,), r"write into y\[0:2\] while y\[0:2\], which may share its memory"),
    (mixed_ranks, (X5,), r"np.array\(\) of a list of values of ranks 1, 0"),
    (add_at_a_view_read_later, (X5,), "write into 'y', which shares memory with 'r'"),
    (add_at_as_a_value, (X5,), r"np.add.at\(\) used as a value"),
    (last_index_after_a_break, (X5,), "the loop variable 'i' read after a loop that may end "
                                      "early"),
    (last_index_of_a_run_time_step, (X5, 2), "the loop variable 'i' read after a loop that "
                                             "steps by a number known only at run time"),
    (view_then_write_in_a_tuple, (A34,), "write into 'r', which shares memory with 'v'"),
    (rows_of_matrices, (A34,), r"np.stack\(\)"),
])
def test_forms_with_another_meaning_are_refused(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as e:
        srcgrad.grad(f, backend="python")(*args)
    assert "test_python_forms.py" in str(e.value)


def powered(x, p=3.0):
    return np.sum(np.abs(x) ** p)


def test_vjp_and_jvp_fill_in_default_values():
    """As calling f(x) does: jvp(f, (x,), (v,)) and vjp(f, x) of def f(x, p=3.0) take p's
    default, a constant (no cotangent for it unless it is passed)."""
    v = RNG.normal(size=5)
    out, tangent = srcgrad.jvp(powered, (X5,), (v,))
    h = 1e-6
    assert out == pytest.approx(powered(X5))
    assert tangent == pytest.approx((powered(X5 + h * v) - powered(X5 - h * v)) / (2 * h),
                                    rel=1e-6)
    out, fn = srcgrad.vjp(powered, X5)
    (bx,) = fn(1.0)
    np.testing.assert_allclose(np.sum(bx * v), tangent, rtol=1e-10)
    out, fn = srcgrad.vjp(powered, X5, 2.0)
    assert len(fn(1.0)) == 2


def test_pairs_written():
    """``G[np.arange(n), labels] = v`` (refused before; tests/test_fancy_writes.py)."""
    check_grads(pairs_written, (RNG.normal(size=(4, 3)),))
