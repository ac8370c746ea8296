"""np.linalg.eigh and np.linalg.svd as user code writes them: tuples unpacked, parts unused,
and the calls whose derivative does not exist refused (the rules' own numbers are checked in
tests/test_rules.py)."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads


def eigen_energy(A, y):
    """The symmetric-matrix quadratic form through its eigendecomposition, plus the largest
    eigenvalue: w and V both carry derivatives."""
    S = A + A.T + 5.0 * np.diag(np.arange(3.0))
    w, V = np.linalg.eigh(S)
    z = V.T @ y
    return np.sum(w * z * z) + w[-1]


def nuclear_and_top(A):
    """The nuclear norm (singular values only) plus the top singular pair's outer product
    read at one entry; U and Vh unpacked, of a non-square matrix."""
    U, s, Vh = np.linalg.svd(A, full_matrices=False)
    return np.sum(s) + s[0] * U[0, 0] * Vh[0, 1]


def low_rank_error(A):
    """A square SVD with the default full_matrices=True (the same as the reduced one there)."""
    U, s, Vh = np.linalg.svd(A)
    B = (U[:, :2] * s[:2]) @ Vh[:2, :]
    return np.sum((A - B) ** 2)


def singular_values_only(A):
    return np.sum(np.linalg.svd(A, compute_uv=False) ** 3)


def full_of_tall(A):
    U, s, Vh = np.linalg.svd(A)
    return np.sum(U)


RNG = np.random.default_rng(5)


def test_eigh_unpacked():
    A = 0.2 * RNG.normal(size=(3, 3))
    # Python backend: tests/test_rules.py compiles eigh's rules with Numba
    check_grads(eigen_energy, (A, RNG.normal(size=3)), backends=("python",))
    # the quadratic form equals y^T S y, whose gradient in A is 2 (y y^T) plus the top
    # eigenvalue's (v v^T + v v^T): a closed form, independent of the rule
    y = RNG.normal(size=3)
    S = A + A.T + 5.0 * np.diag(np.arange(3.0))
    v = np.linalg.eigh(S)[1][:, -1]
    want = 2.0 * np.outer(y, y) + 2.0 * np.outer(v, v)
    np.testing.assert_allclose(srcgrad.grad(eigen_energy, wrt=0, backend="python")(A, y), want, atol=1e-10)


@pytest.mark.parametrize("shape", [(4, 2), (2, 4)])
def test_svd_unpacked(shape):
    A = RNG.normal(size=shape) + 3.0 * np.eye(*shape) * np.arange(1.0, shape[1] + 1.0)
    # Python backend: each part's rule runs compiled by Numba in tests/test_rules.py
    check_grads(nuclear_and_top, (A,), backends=("python",))


def test_svd_square_default_and_values_only():
    A = RNG.normal(size=(3, 3)) + 3.0 * np.diag(np.arange(1.0, 4.0))
    check_grads(low_rank_error, (A,), backends=("python",))
    check_grads(singular_values_only, (A,), backends=("python",))
    # d/dA sum(s^3) = U diag(3 s^2) Vh: a closed form
    U, s, Vh = np.linalg.svd(A)
    np.testing.assert_allclose(srcgrad.grad(singular_values_only, backend="python")(A), (U * 3 * s ** 2) @ Vh,
                               rtol=1e-10)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_full_matrices_of_a_non_square_matrix_is_refused(backend):
    """The extra columns of a full U are not determined by A: no derivative, a clear error."""
    with pytest.raises(ValueError, match="full_matrices=False"):
        srcgrad.grad(full_of_tall, backend=backend)(RNG.normal(size=(4, 2)))


def eigh_upper(A):
    return np.sum(np.linalg.eigh(A, UPLO="U")[0])


def svd_hermitian(A):
    return np.sum(np.linalg.svd(A, hermitian=True)[1])


@pytest.mark.parametrize("f", [eigh_upper, svd_hermitian])
def test_other_arguments_are_located_errors(f):
    with pytest.raises(srcgrad.UnsupportedError, match="test_decompositions.py"):
        srcgrad.grad(f)(np.eye(3))
