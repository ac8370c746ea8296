"""Matrix decompositions as one value each: ``np.linalg.eigh`` and ``np.linalg.svd`` return
tuples, and srcgrad differentiates each part by its own rule (rules/linalg.py), so a part the
function never uses costs nothing in its derivative.  Numba compiles ``eigh`` and ``svd`` of
contiguous float64 matrices through LAPACK (the same routines NumPy calls, so the eigenvectors'
and singular vectors' signs agree between the backends)."""
from .cached_numpy import np

from .jit import overload

__all__ = ["eigh_w", "eigh_v", "svd_u", "svd_s", "svd_vh", "gap_inverse"]

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


def gap_inverse(w):
    """F[i, j] = 1 / (w[j] - w[i]) off the diagonal, 0 on it: how the eigenvectors (or
    singular vectors) of distinct values w turn (inf where two values meet)."""
    w = np.asarray(w, dtype=np.float64)
    d = w[None, :] - w[:, None]
    np.fill_diagonal(d, 1.0)
    with np.errstate(divide="ignore"):
        out = 1.0 / d
    np.fill_diagonal(out, 0.0)
    return out


@overload(gap_inverse)
def _ol_gap_inverse(w):
    def impl(w):
        n = w.shape[0]
        out = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                if i != j:
                    out[i, j] = 1.0 / (w[j] - w[i])
        return out
    return impl


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
