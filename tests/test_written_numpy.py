"""NumPy functions srcgrad writes in its subset (passes/written_numpy.py: ``np.meshgrid``,
``np.percentile``, ``np.quantile``), calls kept whole as constants (``np.vander``,
``np.unique``, ``np.bincount``, ``np.histogram``), integer index functions
(``np.triu_indices`` and kin), and ``np.take`` of a literal list.  Derivatives against finite
differences in both modes and backends, NumPy's values exactly (check_grads), Hessians, and
located errors for what is not supported."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian

RNG = np.random.default_rng(5)
X5 = RNG.uniform(-1, 1, 5)
Y3 = RNG.uniform(-1, 1, 3)
S4 = RNG.uniform(-1, 1, (4, 4))


def grid_energy(x, y):
    X, Y = np.meshgrid(x, y)
    return np.sum(np.exp(-(X - Y) ** 2) * X)


def grid_ij(x, y):
    A, B = np.meshgrid(x, y, indexing="ij")
    return np.sum(np.sin(A) * B ** 2) + A[1, 2] * 3.0


def grid_of_matrix(M, y):
    """Inputs of more than one axis are flattened, as NumPy's are."""
    X, Y = np.meshgrid(M, y)
    return np.sum(X * Y)


def percentiles(x):
    return (np.percentile(x, 50.0) + 2.0 * np.percentile(x, 37.5) + np.percentile(x, 0)
            + np.percentile(x, 100) + np.quantile(x, 0.9) + np.median(x))


def percentile_of_matrix(M, q):
    """Over the whole array; the percentile itself carries a derivative too."""
    return np.percentile(M, q) * np.quantile(M, q=0.25)


def taken(x):
    return np.sum(np.take(x, [0, 2, 2, 4]) ** 2) + np.sum(x.take([1, 1]) * x[0])


def upper_triangle(A):
    iu = np.triu_indices(4, 1)
    rows, cols = np.tril_indices_from(A)
    return np.sum(A[iu] ** 2) + np.sum(np.sin(A[rows, cols])) + np.count_nonzero(A > 0)


def constants(c, data):
    """Functions of values with no derivative: the results are constants of it."""
    V = np.vander(np.linspace(0.0, 1.0, 6), 5)
    counts, edges = np.histogram(data, bins=4)
    u = np.unique(np.round(data))
    return (np.sum((V @ c - 1.0) ** 2) + np.sum(counts * edges[:-1]) * c[0]
            + np.sum(u) * c[1] + np.sum(np.bincount(np.arange(5) % 3) * c[2:]))


CASES = [(grid_energy, (X5, Y3), None), (grid_ij, (X5, Y3), None),
         (grid_of_matrix, (S4[:2, :3], Y3), None),
         (percentiles, (RNG.permutation(np.linspace(-1.0, 1.0, 9)) + 0.01 * X5[0],), None),
         (percentiles, (X5,), None), (percentile_of_matrix, (S4, 41.0), None),
         (taken, (X5,), None), (upper_triangle, (S4,), None),
         (constants, (X5, RNG.standard_normal(20)), (0,))]


@pytest.mark.parametrize("f,args,wrt", CASES,
                         ids=[f"{c[0].__name__}-{k}" for k, c in enumerate(CASES)])
def test_against_finite_differences_and_numpys_values(f, args, wrt):
    check_grads(f, args, wrt=wrt)


def test_hessians():
    check_hessian(grid_energy, (X5, Y3), "meshgrid")
    check_hessian(percentile_of_matrix, (S4, 41.0), "percentile")


def percentile_only(x, q):
    return np.percentile(x, q)


@pytest.mark.parametrize("q", [0.0, 12.5, 25.0, 50.0, 62.5, 87.5, 99.0, 100.0])
def test_percentile_values_are_numpys_bit_for_bit(q):
    """Exact index positions, the two halves of NumPy's interpolation, and the ends."""
    x = RNG.standard_normal(9) * 1e3
    for backend in ("numba", "python"):
        v, _ = srcgrad.value_and_grad(percentile_only, backend=backend)(x, q)
        assert v == np.percentile(x, q), (backend, v, np.percentile(x, q))


def test_percentile_of_an_array_with_nan_is_nan_and_out_of_range_is_numpys_error():
    x = np.array([0.5, np.nan, -1.0])
    assert np.isnan(srcgrad.value_and_grad(percentile_only, backend="python")(x, 50.0)[0])
    with pytest.raises(ValueError, match=r"range \[0, 100\]"):
        srcgrad.grad(percentile_only, backend="python")(X5, 101.0)


def several_percentiles(x):
    return np.sum(np.percentile(x, [25.0, 75.0]))


def percentile_array_name(x, qs):
    return np.sum(np.percentile(x, qs))


def percentile_axis(M):
    return np.sum(np.percentile(M, 50.0, axis=0))


def percentile_method(x):
    return np.percentile(x, 50.0, method="nearest")


def grid_of_three(x):
    X, Y, Z = np.meshgrid(x, x, x)
    return np.sum(X * Y * Z)


def grid_sparse(x):
    X, Y = np.meshgrid(x, x, sparse=True)
    return np.sum(X * Y)


def vander_of_active(x):
    return np.sum(np.vander(x, 3))


def unique_of_active(x):
    return np.sum(np.unique(x))


def histogram_of_active(x):
    counts, edges = np.histogram(x, bins=3)
    return np.sum(edges)


def weights_active(x):
    return np.sum(np.bincount(np.arange(5) % 2, weights=x))


@pytest.mark.parametrize("f,args,match", [
    (several_percentiles, (X5,), r"np.percentile\(\) with these arguments"),
    (percentile_array_name, (X5, np.array([25.0, 75.0])), r"np.percentile\(\) of an array of "
                                                           r"percentiles"),
    (percentile_axis, (S4,), r"np.percentile\(\) with these arguments"),
    (percentile_method, (X5,), r"np.percentile\(\) with these arguments"),
    (grid_of_three, (X5,), r"np.meshgrid\(\) of 3 arrays"),
    (grid_sparse, (X5,), r"np.meshgrid\(\) with these arguments"),
    (vander_of_active, (X5,), r"differentiated value 'x' passed to np.vander\(\)"),
    (unique_of_active, (X5,), r"differentiated value 'x' passed to np.unique\(\)"),
    (weights_active, (X5,), r"differentiated value 'x' passed to np.bincount\(\)"),
    (histogram_of_active, (X5,), r"differentiated value 'x' passed to np.histogram\(\)")])
def test_what_is_not_supported_is_a_located_error(f, args, match):
    with pytest.raises(srcgrad.UnsupportedError,
                       match=r"test_written_numpy.py:\d+:\d+: .*" + match):
        srcgrad.grad(f, wrt=0, backend="python")(*args)
