"""Dtypes of the arrays a function makes (srcgrad/passes/dtypes.py): every spelling of an
integer, boolean or float dtype, positional or by keyword, and another array's ``.dtype``,
gives the array its kind.  A value carrying a derivative written into an integer or boolean
array (NumPy truncates it) is refused at the write; before, the array was taken for a float
one and the derivative came out wrong.  Also ``x.item()`` and ``np.isclose``/``np.allclose``.

Derivatives are compared with finite differences in both modes and both backends
(tests/checks.py), and one function's Hessian with finite differences of its gradient."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian


def int_positional(x):
    a = np.zeros(3, np.int64)
    a[0] = x[0] * 3.7
    return np.sum(a * x)


def int_like_keyword(x):
    a = np.zeros_like(x, dtype=np.int64)
    a[0] = x[0] * 3.7
    return np.sum(a * x)


def int_builtin(x):
    a = np.empty(3, dtype=int)
    a[:] = x * 3.7
    return np.sum(a * x)


def int_string(x):
    a = np.ones((3,), "i4")
    a[1] = x[1]
    return np.sum(a * x)


def bool_write(x):
    m = np.zeros(3, dtype=bool)
    m[0] = x[0]
    return np.sum(m * x)


@pytest.mark.parametrize("f", [int_positional, int_like_keyword, int_builtin, int_string,
                               bool_write])
def test_derivative_written_into_integer_array_is_refused(f):
    with pytest.raises(srcgrad.UnsupportedError, match="NumPy truncates it") as err:
        srcgrad.grad(f)(np.array([0.5, 1.0, 2.0]))
    assert "test_dtypes.py" in str(err.value)


def int_truncated_on_purpose(x):
    a = np.zeros(3, int)
    a[0] = int(x[0] * 3.7)
    a[2] = 2
    return np.sum(a * x)


def float_spellings(x, y):
    a = np.zeros(3, float)
    b = np.empty_like(x, dtype=x.dtype)
    c = np.ones(3, "f8") * y
    d = np.full(3, y, np.float64)
    e = np.zeros((3,), dtype=np.float64)
    for i in range(3):
        a[i] = x[i] ** 2
        b[i] = np.sin(x[i])
        e[i] = a[i] * c[i]
    return np.sum(a * b) + np.sum(c * d) + np.sum(e)


def float_from_int_like(x):
    idx = np.arange(3)
    a = np.zeros_like(idx, dtype=np.float64)
    a[1] = x[0] * 2.0
    a += x
    return np.sum(a * a)


def mask_of_bools(x):
    m = np.zeros(x.shape[0], dtype=np.bool_)
    for i in range(x.shape[0]):
        m[i] = x[i] > 0.0
    return np.sum(np.where(m, x * x, -x))


@pytest.mark.parametrize("f, args", [
    (int_truncated_on_purpose, (np.array([0.5, 1.0, 2.0]),)),
    (float_spellings, (np.array([0.5, -1.0, 2.0]), 0.7)),
    (float_from_int_like, (np.array([0.5, 1.0, 2.0]),)),
    (mask_of_bools, (np.array([0.5, -1.0, 2.0]),)),
])
def test_dtype_spellings_against_finite_differences(f, args):
    check_grads(f, args)


def test_integer_array_is_a_constant():
    x = np.array([0.5, 1.0, 2.0])
    g = srcgrad.grad(int_truncated_on_purpose)(x)
    np.testing.assert_array_equal(g, [1.0, 0.0, 2.0])  # the integers themselves


def test_hessian_through_dtypes():
    x, y = np.array([0.5, -1.0, 2.0]), 0.7

    def grad_x(v):
        return srcgrad.grad(float_spellings, backend="python")(v, y)
    for backend in ("python", "numba"):
        H = srcgrad.hessian(float_spellings, backend=backend)(x, y)
        np.testing.assert_allclose(H, fd_jacobian(grad_x, x, h=1e-5), rtol=1e-5, atol=1e-6)


def float32_array(x):
    a = np.zeros(3, dtype=np.float32)
    return np.sum(a * x)


def full_of_ints(x):
    return np.sum(np.full(3, 2, dtype=np.int64) * x)


@pytest.mark.parametrize("f, what", [(float32_array, "dtype=np.float32"),
                                     (full_of_ints, "with dtype=np.int64")])
def test_dtypes_without_a_kind_are_refused(f, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what):
        srcgrad.grad(f)(np.ones(3))


def item_of_slice(x):
    return float(x[0]) * x[1] + x[2:3].item() ** 2


def item_of_vector(x):
    return x.item() * 2.0


def test_item():
    check_grads(item_of_slice, (np.array([0.5, -1.0, 2.0]),))
    for backend in ("python", "numba"):  # NumPy's ValueError for more than one element
        with pytest.raises(ValueError):
            srcgrad.grad(item_of_vector, backend=backend)(np.ones(3))


def isclose_branch(x, y):
    if np.isclose(x[0], 0.0) or np.allclose(x, y):
        return 0.0
    return np.sum(np.where(np.isclose(x, y, atol=0.1), 0.0, np.exp(x) * y))


def test_isclose_allclose():
    check_grads(isclose_branch, (np.array([0.5, -1.0, 2.0]), np.array([0.45, 1.0, 2.0])))


def dtype_of_expressions(x, M):
    """Found by the fuzzer: the dtype of an element of a tuple, of a product's row."""
    t = (x, M)
    a = np.ones(4, dtype=t[0].dtype) * x
    b = np.zeros(3, (M * 2)[0].dtype)
    b[1] = x[0]
    return np.sum(a * x) + np.sum(b)


def test_dtype_of_an_expression():
    check_grads(dtype_of_expressions, (np.array([0.3, -0.5, 1.0, 2.0]), np.ones((3, 4))))


def arange_and_eye(x):
    a = np.arange(3, dtype=float)  # floats: a derivative written into it stays
    a[0] = x[0] * 2.0
    b = np.arange(0.0, 3.0)
    b[1] = x[1]
    c = np.eye(3, dtype=np.float64)
    c[0, 2] = x[2]
    return np.sum(a * x) + np.sum(b * x) + np.sum(c @ x)


def eye_of_ints_written(x):
    c = np.eye(3, dtype=int)
    c[0, 1] = x[0] * 2.7
    return np.sum(c * x)


def test_arange_and_eye_dtypes():
    check_grads(arange_and_eye, (np.array([0.5, 1.0, 2.0]),))
    with pytest.raises(srcgrad.UnsupportedError, match="integer array \\('c'\\)"):
        srcgrad.grad(eye_of_ints_written)(np.array([0.5, 1.0, 2.0]))


def int_element_augmented(x):
    a = np.zeros(3, dtype=np.int64)
    a[0] += x[0] * 3.7
    return np.sum(a * x)


def test_augmented_write_into_integer_array_says_why_first():
    with pytest.raises(srcgrad.UnsupportedError) as err:
        srcgrad.grad(int_element_augmented)(np.array([0.5, 1.0, 2.0]))
    first = str(err.value).splitlines()[0]
    assert "integer array ('a'): NumPy truncates it" in first and "test_dtypes.py" in first


def floats_from_integers(x):
    idx = np.arange(3)
    a = idx.astype(float)  # a new float array: a derivative written into it stays
    a[0] = x[0] * 2.7
    b = (idx * 2).astype(np.float64) * x
    return np.sum(a * x) + np.sum(b)


def test_astype_float_of_integers():
    """x.astype(float) of an integer array was np.copy of it, an integer array still: the
    write then truncated (the adjoint failed with a casting error)."""
    check_grads(floats_from_integers, (np.array([0.5, 1.0, 2.0]),))
