"""runtime/cached_numpy.py: the allocation functions generated code and the runtime helpers
call are NumPy's, in values, dtype, shape and (compiled) Numba's types, for every kind of
argument they accept; only their implementations differ (srcgrad's compile in one step)."""
import numba
import numpy as np
import pytest

from srcgrad.runtime.cached_numpy import np as cnp

ARRAYS = {
    "float C": np.arange(6.0).reshape(2, 3) - 2.5,
    "float F": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
    "float A": np.arange(12.0).reshape(3, 4)[:, ::2],
    "int 1-D": np.arange(4),
    "bool": np.array([True, False, True]),
    "complex": np.array([1 + 2j, -3j]),
    "0-d": np.array(4.5),
    "empty": np.zeros((0, 3)),
    "readonly": np.arange(3.0),
}
ARRAYS["readonly"].setflags(write=False)


@numba.njit
def likes_ours(a):
    return (cnp.zeros_like(a), cnp.ones_like(a), cnp.full_like(a, 2.75), cnp.full_like(a, 3),
            cnp.full_like(a, True), cnp.empty_like(a).shape, cnp.ascontiguousarray(a))


@numba.njit
def likes_numba(a):
    return (np.zeros_like(a), np.ones_like(a), np.full_like(a, 2.75), np.full_like(a, 3),
            np.full_like(a, True), np.empty_like(a).shape, np.ascontiguousarray(a))


def likes_numpy(a):
    return (np.zeros_like(a), np.ones_like(a), np.full_like(a, 2.75), np.full_like(a, 3),
            np.full_like(a, True), np.empty_like(a).shape, np.ascontiguousarray(a))


def same(got, want):
    assert type(got) is type(want), (got, want)
    if isinstance(want, np.ndarray):
        assert got.dtype == want.dtype and got.shape == want.shape, (got, want)
        np.testing.assert_array_equal(got, want)
    else:
        assert got == want


@pytest.mark.parametrize("name", list(ARRAYS))
def test_like_functions_are_numpys(name):
    a = ARRAYS[name]
    ours, want, numbas = likes_ours(a), likes_numpy(a), likes_numba(a)
    if a.ndim == 0:  # NumPy's ascontiguousarray makes it 1-D; Numba's (and ours) keep 0-d
        want = want[:-1] + numbas[-1:]
    for got, w in zip(ours, want):
        same(got, w)
    assert np.asarray(cnp.zeros_like(a)).dtype == np.zeros_like(a).dtype  # Python: NumPy's
    # the compiled types are Numba's own implementations' types (layout included)
    sig = (numba.typeof(a),)
    assert likes_ours.overloads[sig].signature.return_type == \
        likes_numba.overloads[sig].signature.return_type


@numba.njit
def shapes_ours(n, shape):
    return (cnp.zeros(n), cnp.zeros(shape), cnp.ones(shape), cnp.empty(shape).shape,
            cnp.empty(n).shape, cnp.zeros(()), cnp.zeros(shape, np.int64),
            cnp.ones(n, np.bool_), cnp.empty(shape, np.float32).size)


def test_shape_functions_are_numpys():
    got = shapes_ours(3, (2, 4))
    want = (np.zeros(3), np.zeros((2, 4)), np.ones((2, 4)), (2, 4), (3,), np.zeros(()),
            np.zeros((2, 4), np.int64), np.ones(3, np.bool_), 8)
    for g, w in zip(got, want):
        same(g, w)
    same(shapes_ours(0, (0, 2))[1], np.zeros((0, 2)))


@numba.njit
def negative(n):
    return cnp.zeros(n)


def test_a_negative_dimension_is_numpys_error():
    with pytest.raises(ValueError, match="negative dimensions"):
        negative(-1)
    with pytest.raises(ValueError, match="negative dimensions"):
        cnp.zeros(-1)


@numba.njit
def fresh(a):
    b = cnp.ascontiguousarray(a)  # a C array itself, as NumPy returns it
    c = cnp.zeros_like(a)         # a new array, never a's memory
    c[0] = 7.0
    return b, c


def test_new_arrays_are_new_and_contiguous_arrays_are_themselves():
    a = np.arange(3.0)
    b, c = fresh(a)
    assert np.shares_memory(a, b) and not np.shares_memory(a, c)
    np.testing.assert_array_equal(a, [0.0, 1.0, 2.0])
    f = np.arange(6.0).reshape(2, 3)[:, ::2]
    same(numba.njit(lambda x: cnp.ascontiguousarray(x))(f), np.ascontiguousarray(f))


def fortran_scratch(x):
    A = np.zeros((2, 3), order="F")
    A[0, :] = x
    return np.sum(A * A) + np.sum(np.zeros_like(x, shape=(3,)) + x)


def test_numpys_other_keywords_are_passed_on():
    """order=, shape= (which srcgrad's compiled allocations do not take): NumPy's in Python,
    and a compiled function holding them runs as Python with a warning, right, as before
    these functions were srcgrad's (it was a TypeError in between)."""
    import warnings
    import srcgrad
    assert cnp.zeros((2, 2), order="F").flags.f_contiguous
    assert cnp.empty_like(np.ones(3), shape=(2, 2)).shape == (2, 2)
    x = np.array([0.5, 1.0, -2.0])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        g = srcgrad.grad(fortran_scratch)(x)
    np.testing.assert_array_equal(g, 2 * x + 1)
    assert any(issubclass(i.category, srcgrad.FallbackWarning) for i in w)
