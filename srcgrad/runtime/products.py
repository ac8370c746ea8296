"""Products and matrix structure that Numba's nopython mode lacks or restricts: a diagonal of
a matrix (and its adjoint, a matrix with that diagonal), the two halves of kron's adjoint."""
from .cached_numpy import np

from .jit import njit, overload

__all__ = ["outer", "matmul3", "matmul_b", "matvec_b", "vecmat_b", "tmatvec_b", "mT", "diagonal", "undiagonal", "kron", "kron_grad_a", "kron_grad_b", "logabsdet",
           "slogdet_sign"]


def matmul3(a, b):
    """``a @ b`` of two stacks of matrices (3-D arrays): Numba's ``@`` takes 1-D and 2-D."""
    return np.matmul(a, b)


def matmul_b(a, b):
    """``a @ b`` with a stack of matrices on one side or both (3-D and 2-D operands): every
    matrix of the stack times the other operand (NumPy's broadcast of the batch axis)."""
    return np.matmul(a, b)


def matvec_b(a, v):
    """``a @ v``: each matrix of the stack ``a`` (3-D) times the vector ``v``."""
    return np.matmul(a, v)


def vecmat_b(v, a):
    """``v @ a``: the vector ``v`` times each matrix of the stack ``a`` (3-D)."""
    return np.matmul(v, a)


def tmatvec_b(a, u):
    """The sum over the stack of ``a[k].T @ u[k]`` (``a`` 3-D, ``u`` 2-D): the cotangent of
    the vector in ``matvec_b``."""
    if a.shape[:2] != np.shape(u):
        raise ValueError("tmatvec_b: the shapes do not match")
    return np.einsum("bij,bi->j", a, u)


def mT(x):
    """The matrix transpose of a matrix or of each matrix of a stack (last two axes)."""
    return np.swapaxes(x, -1, -2)


def diagonal(x, offset):
    """``np.diagonal(x, offset)`` of a matrix, as a new array."""
    return np.array(np.diagonal(x, offset), dtype=np.float64)


def undiagonal(v, x, offset):
    """Zeros shaped like matrix ``x`` with ``v`` on its ``offset`` diagonal: the adjoint of
    ``diagonal``."""
    out = np.zeros(np.shape(x))
    i0, j0 = (0, offset) if offset >= 0 else (-offset, 0)
    n = len(v)
    out[np.arange(i0, i0 + n), np.arange(j0, j0 + n)] = v
    return out


def kron(a, b):
    """``np.kron(a, b)`` (Numba's needs contiguous arrays)."""
    return np.kron(a, b)


def logabsdet(x):
    """``np.linalg.slogdet(x)[1]``: log |det x|."""
    return float(np.linalg.slogdet(x)[1])


def slogdet_sign(x):
    """``np.linalg.slogdet(x)[0]``: the sign of det x (derivative 0)."""
    return float(np.linalg.slogdet(x)[0])


def _as2(a):
    a = np.asarray(a, dtype=np.float64)
    return a.reshape(1, -1) if a.ndim == 1 else a


def kron_grad_a(v, a, b):
    """The cotangent of ``a`` in ``kron(a, b)`` from the result's cotangent ``v``: each block
    of ``v`` weighted by ``b`` and summed (shaped like ``a``)."""
    A, B = _as2(a), _as2(b)
    V = np.asarray(v, dtype=np.float64).reshape(A.shape[0], B.shape[0], A.shape[1], B.shape[1])
    return np.einsum("ipjq,pq->ij", V, B).reshape(np.shape(a))


def kron_grad_b(v, a, b):
    """The cotangent of ``b`` in ``kron(a, b)``: the blocks of ``v`` weighted by ``a``."""
    A, B = _as2(a), _as2(b)
    V = np.asarray(v, dtype=np.float64).reshape(A.shape[0], B.shape[0], A.shape[1], B.shape[1])
    return np.einsum("ipjq,ij->pq", V, A).reshape(np.shape(b))


@overload(matmul3)
def _ol_matmul3(a, b):
    def impl(a, b):
        if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
            raise ValueError("matmul: the stacks of matrices do not match")
        out = np.empty((a.shape[0], a.shape[1], b.shape[2]))
        for k in range(a.shape[0]):
            out[k] = np.dot(np.ascontiguousarray(a[k]), np.ascontiguousarray(b[k]))
        return out
    return impl


@overload(matmul_b)
def _ol_matmul_b(a, b):
    if a.ndim == 3 and b.ndim == 2:
        def impl(a, b):
            if a.shape[2] != b.shape[0]:
                raise ValueError("matmul: the matrices do not match")
            out = np.empty((a.shape[0], a.shape[1], b.shape[1]))
            bc = np.ascontiguousarray(b)
            for k in range(a.shape[0]):
                out[k] = np.dot(np.ascontiguousarray(a[k]), bc)
            return out
        return impl
    if a.ndim == 2 and b.ndim == 3:
        def impl(a, b):
            if a.shape[1] != b.shape[1]:
                raise ValueError("matmul: the matrices do not match")
            out = np.empty((b.shape[0], a.shape[0], b.shape[2]))
            ac = np.ascontiguousarray(a)
            for k in range(b.shape[0]):
                out[k] = np.dot(ac, np.ascontiguousarray(b[k]))
            return out
        return impl
    return lambda a, b: matmul3(a, b)


@overload(matvec_b)
def _ol_matvec_b(a, v):
    def impl(a, v):
        if a.shape[2] != v.shape[0]:
            raise ValueError("matmul: the matrices do not match")
        out = np.zeros((a.shape[0], a.shape[1]))
        for b in range(a.shape[0]):
            for i in range(a.shape[1]):
                acc = 0.0
                for j in range(a.shape[2]):
                    acc += a[b, i, j] * v[j]
                out[b, i] = acc
        return out
    return impl


@overload(vecmat_b)
def _ol_vecmat_b(v, a):
    def impl(v, a):
        if a.shape[1] != v.shape[0]:
            raise ValueError("matmul: the matrices do not match")
        out = np.zeros((a.shape[0], a.shape[2]))
        for b in range(a.shape[0]):
            for j in range(a.shape[1]):
                for k in range(a.shape[2]):
                    out[b, k] += v[j] * a[b, j, k]
        return out
    return impl


@overload(tmatvec_b)
def _ol_tmatvec_b(a, u):
    def impl(a, u):
        if a.shape[0] != u.shape[0] or a.shape[1] != u.shape[1]:
            raise ValueError("tmatvec_b: the shapes do not match")
        out = np.zeros(a.shape[2])
        for b in range(a.shape[0]):
            for i in range(a.shape[1]):
                for j in range(a.shape[2]):
                    out[j] += a[b, i, j] * u[b, i]
        return out
    return impl


@overload(mT)
def _ol_mT(x):
    if x.ndim == 2:
        return lambda x: x.T
    return lambda x: np.transpose(x, (0, 2, 1))


@overload(diagonal)
def _ol_diagonal(x, offset):
    def impl(x, offset):
        i0, j0 = (0, offset) if offset >= 0 else (-offset, 0)
        n = max(0, min(x.shape[0] - i0, x.shape[1] - j0))
        out = np.empty(n)
        for k in range(n):
            out[k] = x[i0 + k, j0 + k]
        return out
    return impl


@overload(undiagonal)
def _ol_undiagonal(v, x, offset):
    def impl(v, x, offset):
        out = np.zeros(x.shape)
        i0, j0 = (0, offset) if offset >= 0 else (-offset, 0)
        for k in range(v.shape[0]):
            out[i0 + k, j0 + k] = v[k]
        return out
    return impl


@njit
def _kron_blocks(V, W, m, n, p, q, first):
    """sum over the blocks of V (m*p by n*q) weighted by W: by b's entries (first) into an
    m by n result, else by a's entries into a p by q result."""
    out = np.zeros((m, n)) if first else np.zeros((p, q))
    for i in range(m):
        for j in range(n):
            for r in range(p):
                for c in range(q):
                    if first:
                        out[i, j] += V[i * p + r, j * q + c] * W[r, c]
                    else:
                        out[r, c] += V[i * p + r, j * q + c] * W[i, j]
    return out


@njit
def _mn(a):
    return (1, a.shape[0]) if a.ndim == 1 else (a.shape[0], a.shape[a.ndim - 1])


@overload(kron)
def _ol_kron(a, b):
    return lambda a, b: np.kron(np.ascontiguousarray(a), np.ascontiguousarray(b))


@overload(logabsdet)
def _ol_logabsdet(x):
    return lambda x: np.linalg.slogdet(np.ascontiguousarray(x))[1]


@overload(slogdet_sign)
def _ol_slogdet_sign(x):
    return lambda x: np.linalg.slogdet(np.ascontiguousarray(x))[0]


@overload(kron_grad_a)
def _ol_kron_grad_a(v, a, b):
    def impl(v, a, b):
        (m, n), (p, q) = _mn(a), _mn(b)
        V = np.ascontiguousarray(v).reshape(m * p, n * q)
        W = np.ascontiguousarray(b).reshape(p, q)
        return _kron_blocks(V, W, m, n, p, q, True).reshape(a.shape)
    return impl


@overload(kron_grad_b)
def _ol_kron_grad_b(v, a, b):
    def impl(v, a, b):
        (m, n), (p, q) = _mn(a), _mn(b)
        V = np.ascontiguousarray(v).reshape(m * p, n * q)
        W = np.ascontiguousarray(a).reshape(m, n)
        return _kron_blocks(V, W, m, n, p, q, False).reshape(b.shape)
    return impl


def outer(a, b):
    """The outer product of two vectors (np.outer), as a helper: Numba compiles np.outer's own
    implementation in about 1.5 s, this loop in a tenth of that (tools/first_call.py)."""
    return np.outer(a, b)


@overload(outer)
def _ol_outer(a, b):
    def impl(a, b):
        out = np.empty((a.shape[0], b.shape[0]))
        for i in range(a.shape[0]):
            ai = a[i]
            for j in range(b.shape[0]):
                out[i, j] = ai * b[j]
        return out
    return impl
