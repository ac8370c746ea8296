"""Matrix decompositions as one value each: ``np.linalg.eigh`` and ``np.linalg.svd`` return
tuples, and srcgrad differentiates each part by its own rule (rules/linalg.py), so a part the
function never uses costs nothing in its derivative.  Numba compiles ``eigh`` and ``svd`` of
contiguous float64 matrices through LAPACK (the same routines NumPy calls, so the eigenvectors'
and singular vectors' signs agree between the backends)."""
import numpy as np
from numba.extending import overload

__all__ = ["eigh_w", "eigh_v", "svd_u", "svd_s", "svd_vh"]

_FULL = ("srcgrad differentiates np.linalg.svd(x) with full_matrices=True only for a square x "
         "(the extra columns of U or V of a non-square x are not determined by x, so they have "
         "no derivative); pass full_matrices=False")


def eigh_w(x):
    """``np.linalg.eigh(x)[0]``: the eigenvalues (ascending) of the symmetric matrix that
    ``x``'s lower half stands for."""
    return np.linalg.eigh(x)[0]


def eigh_v(x):
    """``np.linalg.eigh(x)[1]``: the eigenvectors, as columns."""
    return np.linalg.eigh(x)[1]


def _check(x, full):
    if full and x.shape[0] != x.shape[1]:
        raise ValueError(_FULL)


def svd_u(x, full):
    """``np.linalg.svd(x, full)[0]``; ``full`` only for a square ``x``."""
    _check(x, full)
    return np.linalg.svd(x, False)[0]


def svd_s(x):
    """The singular values of ``x``, descending (``np.linalg.svd(x, compute_uv=False)``)."""
    return np.linalg.svd(x, False)[1]


def svd_vh(x, full):
    """``np.linalg.svd(x, full)[2]``; ``full`` only for a square ``x``."""
    _check(x, full)
    return np.linalg.svd(x, False)[2]


@overload(eigh_w)
def _ol_eigh_w(x):
    return lambda x: np.linalg.eigh(np.ascontiguousarray(x))[0]


@overload(eigh_v)
def _ol_eigh_v(x):
    return lambda x: np.linalg.eigh(np.ascontiguousarray(x))[1]


@overload(svd_u)
def _ol_svd_u(x, full):
    def impl(x, full):
        if full and x.shape[0] != x.shape[1]:
            raise ValueError(_FULL)
        return np.linalg.svd(np.ascontiguousarray(x), False)[0]
    return impl


@overload(svd_s)
def _ol_svd_s(x):
    return lambda x: np.linalg.svd(np.ascontiguousarray(x), False)[1]


@overload(svd_vh)
def _ol_svd_vh(x, full):
    def impl(x, full):
        if full and x.shape[0] != x.shape[1]:
            raise ValueError(_FULL)
        return np.linalg.svd(np.ascontiguousarray(x), False)[2]
    return impl
