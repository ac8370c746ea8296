"""Calls that become other code: np.tensordot the einsum its operands' ranks and literal axes
spell (the ranks come from the kinds pass, so the function is normalized twice:
srcgrad/pipeline.py); x.compress(c) a mask read; np.array of bool or int literals NumPy's own
array (a mask or indices).  The rows in tests/rule_cases.py check the numbers; these check
the lowerings' edges."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian


def contract(A, B):
    return np.tensordot(A, B, axes=2)


def helper_twice(A, B, v):
    return np.sum(contract(A, B)) + np.sum(contract(B, v))


def of_a_scalar(a, B):
    return np.sum(np.tensordot(a, B, 0))


def uneven_axes(A, B):
    return np.sum(np.tensordot(A, B, axes=([0, 1], [0])))


def axes_from_a_variable(A, B, k):
    return np.sum(np.tensordot(A, B, axes=k))


def test_a_helper_holding_tensordot_inlined_twice_with_one_rank():
    rng = np.random.default_rng(1)
    A, B, C = rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(5, 3, 4))
    check_grads(helper_twice_same, (A, B, C), backends=("python",))
    # against the closed form: d/dA sum_k sum_ij A[k,i,j] B[i,j] = B in every slice
    np.testing.assert_allclose(srcgrad.grad(contract_sum, backend="python")(A, B),
                               np.broadcast_to(B, A.shape))


def contract_sum(A, B):
    return np.sum(contract(A, B))


def helper_twice_same(A, B, C):
    return np.sum(contract(A, B)) + np.sum(contract(C, B))


def test_helper_reached_with_different_ranks_is_located():
    rng = np.random.default_rng(2)
    with pytest.raises(srcgrad.UnsupportedError, match="different ranks"):
        srcgrad.grad(helper_twice)(rng.normal(size=(2, 3, 4)), rng.normal(size=(3, 4)),
                                   rng.normal(size=(3, 4)))


@pytest.mark.parametrize("f,args,what", [
    (of_a_scalar, (1.5, np.ones((2, 2))), "of a scalar"),
    (uneven_axes, (np.ones((2, 3)), np.ones((2, 3))), "2 axes of one operand against 1"),
    (axes_from_a_variable, (np.ones((2, 3)), np.ones((2, 3)), 1), "these arguments"),
])
def test_refusals_name_the_users_line(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as e:
        srcgrad.grad(f)(*args)
    assert "test_lowered_calls.py" in str(e.value)


def test_sizes_that_disagree_raise_like_numpy():
    with pytest.raises(ValueError):
        np.tensordot(np.ones((2, 3)), np.ones((4, 3)), axes=([1], [0]))  # NumPy raises too
    f = srcgrad.grad(uneven_sizes, backend="python")
    with pytest.raises(ValueError, match="tensordot: operands disagree"):
        f(np.ones((2, 3)), np.ones((4, 3)))


def uneven_sizes(A, B):
    return np.sum(np.tensordot(A, B, axes=([1], [0])))


def compress_rows(x, c):
    return np.sum(np.sin(x.compress(c, axis=0)))


def test_compress_with_a_condition_longer_than_the_axis_raises():
    """NumPy raises when the condition selects past the end; Numba would read past it."""
    x = np.ones((2, 3))
    for backend in ("numba", "python"):
        with pytest.raises(IndexError, match="longer than the axis"):
            srcgrad.grad(compress_rows, backend=backend)(x, np.array([False, True, True]))
    g = srcgrad.grad(compress_rows)(x, np.array([False, True]))  # a shorter one selects within
    np.testing.assert_allclose(g, [[0, 0, 0], [np.cos(1.0)] * 3])


def literal_mask_and_indices(x):
    keep = np.array([True, False, True])
    idx = np.array([2, 0, 2])
    return np.sum(x[keep] ** 2) + np.sum(x[idx] * np.array([1, 2, 3]))


def test_bool_and_int_array_literals_keep_their_dtype():
    x = np.array([0.5, -1.0, 2.0])
    want = np.array([2 * 0.5 + 2.0, 0.0, 2 * 2.0 + 1.0 + 3.0])  # by hand
    for backend in ("numba", "python"):
        np.testing.assert_allclose(srcgrad.grad(literal_mask_and_indices, backend=backend)(x),
                                   want)


def sum_mixed_axes(x):
    return np.sum(np.sum(x, axis=(0, -1)))


def sum_repeated_axes(x):
    return np.sum(np.sum(x, axis=(1, 1)))


def var_tuple_axes(x):
    return np.var(x, axis=(0, 1))


@pytest.mark.parametrize("f", [sum_mixed_axes, sum_repeated_axes, var_tuple_axes])
def test_tuple_axes_that_need_the_rank_are_located_errors(f):
    """Axes of both signs depend on the rank to order (NumPy takes them; srcgrad asks for one
    sign, or keepdims=True); a repeated axis is NumPy's error too; var and std take one axis."""
    with pytest.raises(srcgrad.UnsupportedError, match="axis") as e:
        srcgrad.grad(f)(np.ones((2, 3)))
    assert "test_lowered_calls.py" in str(e.value)


# ---- indices as constants: np.where(c), np.nonzero, np.flatnonzero, np.argwhere ------------
def where_indices(x, y):
    i = np.where(x > 0.0)
    j = np.nonzero(y > 0.0)[0]
    k = np.flatnonzero(x < 0.0)
    m = np.argwhere(y < 0.0)
    return np.sum(x[i[0]] ** 2) + np.sum(np.sin(y[j]) * x[0]) + np.sum(x[k] * y[0]) \
        + np.sum(y[m[:, 0]] ** 3)


def test_one_argument_where_and_nonzero_are_constant_indices():
    """The indices where a condition holds carry no derivative (they move only where the
    condition flips); the values read through them do, in both backends."""
    x = np.array([0.5, -1.2, 0.8, -0.3, 1.1])
    y = np.array([-0.7, 0.4, 0.9, -0.2, 0.6])
    check_grads(where_indices, (x, y))


def powers(a):
    return np.sum(np.linalg.matrix_power(a, 5)) + np.sum(np.linalg.matrix_power(a, 1) * a)


def negative_power(a):
    return np.sum(np.linalg.matrix_power(a + 3.0 * np.eye(3), -3))


def test_matrix_power_by_squaring():
    """np.linalg.matrix_power with a literal n: products by repeated squaring (of the
    inverse for n < 0); both modes and Hessians against finite differences."""
    from checks import check_hessian
    rng = np.random.default_rng(4)
    a = rng.uniform(-0.5, 0.5, (3, 3))
    for f in (powers, negative_power):
        check_grads(f, (a,))
        check_hessian(f, (a,), f.__name__)
    # a power of 1 is a new array, as in NumPy: writing into it leaves a alone
    assert srcgrad.value_and_grad(powers, backend="python")(a)[0] == pytest.approx(
        powers(a.copy()), rel=1e-12)


def power_of_a_variable(a, n):
    return np.sum(np.linalg.matrix_power(a, n))


def test_matrix_power_needs_a_literal():
    with pytest.raises(srcgrad.UnsupportedError, match="non-zero integer literal"):
        srcgrad.grad(power_of_a_variable)(np.eye(2), 3)


def same_array_forms(x, W):
    y = np.asanyarray(x)
    A = np.ascontiguousarray(W.T)
    return np.sum(np.sin(A @ y)) + np.sum(np.asfortranarray(W) * W)


def test_asanyarray_and_layouts():
    """np.asanyarray is np.asarray; np.ascontiguousarray / np.asfortranarray keep the values,
    so their derivatives are the identity's (rows in tests/rule_cases.py too)."""
    rng = np.random.default_rng(4)
    check_grads(same_array_forms, (rng.normal(size=3), rng.normal(size=(3, 2))))


def write_into_contiguous(W):
    A = np.ascontiguousarray(W)
    A[0, 0] = 0.0  # A is W itself when W is C-contiguous: refused while W is read afterwards
    return np.sum(A * W)


def test_write_into_contiguous_result_is_refused():
    with pytest.raises(srcgrad.UnsupportedError, match="shares memory"):
        srcgrad.grad(write_into_contiguous)(np.ones((2, 2)))


def index_methods(x, A):
    o = x.argsort()
    top = x[x.argmax()] * 2.0 + x[np.abs(x).argmin()]
    pos = np.sum(x[(x > 0).nonzero()] ** 2)
    rows = A[np.arange(2), A.argmax(axis=1)] + np.sum(A[np.argmin(A, axis=0), np.arange(3)])
    return top + np.sum(x[o][:2]) + pos + np.sum(rows) + np.sum(x * x.round(1))


def real_values(x):
    return np.sum(np.real(x) * x.conj()) + np.float64(x[0]) * np.conjugate(x)[1]


@pytest.mark.parametrize("f", [index_methods, real_values])
def test_index_methods_and_real_values(f):
    """x.argmax(), x.argsort(), c.nonzero(), x.round(k): NumPy's functions of the same name,
    integers or derivative zero; np.real, np.conj and np.float64 of float64 values: the values."""
    rng = np.random.default_rng(5)
    x, rest = rng.normal(size=5), (() if f is real_values else (rng.normal(size=(2, 3)),))
    check_grads(f, (x,) + rest)

    def grad0(v):
        return srcgrad.grad(f, wrt=0, backend="python")(v, *rest)
    for backend in ("python", "numba"):
        H = srcgrad.hessian(f, wrt=0, backend=backend)(x, *rest)
        np.testing.assert_allclose(H, fd_jacobian(grad0, x, h=1e-5), rtol=1e-5, atol=1e-6)


def gaussian_halves(params, z):
    D = np.shape(params)[-1] // 2
    mean, log_std = params[:, :D], params[:, D:]
    return np.sum((z - mean) ** 2 * np.exp(-2.0 * log_std)) + np.size(z) * np.ndim(params)


def test_shape_size_ndim_functions():
    """np.shape(x), np.size(x), np.ndim(x): x.shape, x.size, x.ndim (integers)."""
    rng = np.random.default_rng(6)
    check_grads(gaussian_halves, (rng.normal(size=(3, 4)), rng.normal(size=(3, 2))))
