"""Shapes and joins: reshapes for any memory layout, keepdims, and NumPy's joins two arrays
at a time with the pieces their adjoints split back."""
import numba
from .cached_numpy import np
from numba import types
from numba.np.unsafe.ndarray import to_fixed_tuple

from .jit import overload

__all__ = ["reshape_as", "reshape_to", "keep_all", "as_column", "hstack_axis", "concat",
           "take_first", "take_rest", "concat_first", "concat_rest", "flatten", "squeeze", "piece", "unpiece",
           "split_bound", "tile", "untile", "tile_to", "empty_broadcast", "c_order", "as_float"]


def empty_broadcast(a, b):
    """An array of the shape ``a`` and ``b`` broadcast together, its values never read: what
    the reverse sweep makes in place of an elementwise result it reads only for its shape
    (passes/shape_redo.py)."""
    return np.empty(np.broadcast_shapes(np.shape(a), np.shape(b)))


def as_float(x):
    """``x.astype(np.float64)``: a new float array, whatever ``x``'s dtype (an integer
    array's values as floats), as NumPy's method gives; of a number, a float64."""
    return x.astype(np.float64) if isinstance(x, np.ndarray) else np.float64(x)


def c_order(x):
    """``x`` itself when it is C-contiguous, else a C-contiguous copy: what generated code
    assigns to an array variable it also sets elsewhere, where the value may have another
    memory layout (``P = np.linalg.inv(Q)`` before a loop setting ``P = A @ P``), so Numba
    types the variable with one layout (passes/layouts.py)."""
    return np.ascontiguousarray(x)


def reshape_as(v, x):
    """``v`` (as many entries as array ``x``) in x's shape; any memory layout."""
    return np.reshape(np.ascontiguousarray(v, dtype=np.float64), np.shape(x))


def reshape_to(v, shape):
    """``np.reshape`` for any memory layout (Numba's needs a contiguous array)."""
    return np.reshape(np.ascontiguousarray(v, dtype=np.float64), shape)


def keep_all(v, x):
    """A full reduction ``v`` of ``x`` as an array of x's rank: ``keepdims=True``."""
    return np.full((1,) * np.ndim(x), v, dtype=np.float64)


def as_column(x):
    """What ``np.column_stack`` makes of each array: a 1-D array as a column, a 2-D one as is."""
    x = np.asarray(x, dtype=np.float64)
    return x.reshape(-1, 1) if x.ndim == 1 else x.copy()


def hstack_axis(a):
    """The axis ``np.hstack`` joins along: 0 for 1-D arrays, 1 otherwise."""
    return 0 if np.ndim(a) == 1 else 1


def concat(a, b, axis):
    """``np.concatenate((a, b), axis)``: the joins of NumPy, two arrays at a time."""
    return np.concatenate((a, b), axis)


def take_first(g, a, axis):
    """The part of ``g`` (shaped like ``concat(a, b, axis)``) that came from ``a``."""
    return np.array(np.split(g, [np.shape(a)[axis]], axis)[0], dtype=np.float64)


def take_rest(g, a, axis):
    """The part of ``g`` (shaped like ``concat(a, b, axis)``) that came from ``b``."""
    return np.array(np.split(g, [np.shape(a)[axis]], axis)[1], dtype=np.float64)


def concat_first(v, b, axis):
    """``concat(v, zeros like b, axis)``."""
    return np.concatenate((v, np.zeros(np.shape(b))), axis)


def concat_rest(a, v, axis):
    """``concat(zeros like a, v, axis)``."""
    return np.concatenate((np.zeros(np.shape(a)), v), axis)


def flatten(x):
    """``x.flatten()``: a one-dimensional copy (``np.ravel`` may be a view)."""
    return np.array(x, dtype=np.float64).ravel()


def squeeze(x, axis):
    """``np.squeeze(x, axis)`` of one axis of length 1 (Numba has no ``np.squeeze``)."""
    return np.array(np.squeeze(x, axis), dtype=np.float64)


@overload(squeeze)
def _ol_squeeze(x, axis):
    nd = x.ndim - 1  # a constant of the compiled function: the rank is known

    def impl(x, axis):
        k = axis + x.ndim if axis < 0 else axis
        if x.shape[k] != 1:
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
        shape = np.empty(nd, dtype=np.intp)
        j = 0
        for i in range(x.ndim):
            if i != k:
                shape[j] = x.shape[i]
                j += 1
        return np.ascontiguousarray(x).reshape(to_fixed_tuple(shape, nd))
    return impl


END = 2 ** 62  # a slice bound past any axis: "to the end"


def split_bound(x, k, i, axis, even):
    """Where piece ``i`` of ``np.split(x, k, axis)`` (``even``) or ``np.array_split``
    starts; ``i == k`` gives the end.  Unequal pieces for ``np.split`` raise, as NumPy does."""
    n = np.shape(x)[axis]
    if even and n % k != 0:
        raise ValueError("array split does not result in an equal division")
    q, r = divmod(n, k)
    return i * q + min(i, r)


def piece(x, lo, hi, axis):
    """``x[lo:hi]`` along ``axis`` (0, 1 or 2), as a new array: one piece of a split."""
    index = (slice(None),) * axis + (slice(lo, hi),)
    return np.array(x[index], dtype=np.float64)


def unpiece(v, x, lo, hi, axis):
    """Zeros shaped like ``x`` with ``v`` where ``piece(x, lo, hi, axis)`` came from."""
    out = np.zeros(np.shape(x))
    out[(slice(None),) * axis + (slice(lo, hi),)] = v
    return out


@overload(split_bound)
def _ol_split_bound(x, k, i, axis, even):
    def impl(x, k, i, axis, even):
        if axis < 0 or axis >= x.ndim:
            raise ValueError("axis out of range for the array split")
        n = x.shape[axis]
        if even and n % k != 0:
            raise ValueError("array split does not result in an equal division")
        q, r = n // k, n % k
        return i * q + min(i, r)
    return impl


@overload(piece)
def _ol_piece(x, lo, hi, axis):
    if x.ndim == 1:
        return lambda x, lo, hi, axis: x[lo:hi].copy()
    if x.ndim == 2:
        def impl2(x, lo, hi, axis):
            return x[lo:hi].copy() if axis == 0 else x[:, lo:hi].copy()
        return impl2

    def impl3(x, lo, hi, axis):
        if axis == 0:
            return x[lo:hi].copy()
        return x[:, lo:hi].copy() if axis == 1 else x[:, :, lo:hi].copy()
    return impl3


@overload(unpiece)
def _ol_unpiece(v, x, lo, hi, axis):
    if x.ndim == 1:
        def impl1(v, x, lo, hi, axis):
            out = np.zeros(x.shape)
            out[lo:hi] = v
            return out
        return impl1
    if x.ndim == 2:
        def impl2(v, x, lo, hi, axis):
            out = np.zeros(x.shape)
            if axis == 0:
                out[lo:hi] = v
            else:
                out[:, lo:hi] = v
            return out
        return impl2

    def impl3(v, x, lo, hi, axis):
        out = np.zeros(x.shape)
        if axis == 0:
            out[lo:hi] = v
        elif axis == 1:
            out[:, lo:hi] = v
        else:
            out[:, :, lo:hi] = v
        return out
    return impl3


def tile(x, reps):
    """``np.tile(x, reps)`` (Numba has no ``np.tile``)."""
    return np.array(np.tile(x, reps), dtype=np.float64)


def _lead(shape, nd):
    return (1,) * (nd - len(shape)) + tuple(shape)


def untile(v, x):
    """The adjoint of tiling ``x``: the blocks of ``v`` summed into x's shape."""
    v = np.asarray(v, dtype=np.float64)
    xs = _lead(np.shape(x), v.ndim)
    split = [m for n_out, n in zip(v.shape, xs) for m in (n_out // n, n)]
    return v.reshape(split).sum(axis=tuple(range(0, 2 * v.ndim, 2))).reshape(np.shape(x))


def tile_to(x, like):
    """``x`` tiled to the shape of ``like`` (the adjoint of ``untile``)."""
    xs = _lead(np.shape(x), np.ndim(like))
    return np.tile(np.reshape(x, xs), tuple(a // b for a, b in zip(np.shape(like), xs)))


def _as_matrix_shape(x):
    """(rows, columns) of a 1-D array as a row, or of a 2-D array."""
    return (1, x.shape[0]) if x.ndim == 1 else (x.shape[0], x.shape[1])


@overload(_as_matrix_shape)
def _ol_as_matrix_shape(x):
    if x.ndim == 1:
        return lambda x: (1, x.shape[0])
    return lambda x: (x.shape[0], x.shape[1])


@overload(tile)
def _ol_tile(x, reps):
    if isinstance(reps, types.Integer):
        rank, r0, r1 = x.ndim, (lambda reps: 1), (lambda reps: reps)
    else:
        rank = max(len(reps), x.ndim)
        if len(reps) == 1:
            r0, r1 = (lambda reps: 1), (lambda reps: reps[0])
        else:
            r0, r1 = (lambda reps: reps[0]), (lambda reps: reps[1])
    if rank > 2:
        return None  # Numba falls back; NumPy's tile runs
    f0, f1 = numba.njit(r0), numba.njit(r1)

    def tiled(x, reps):
        a, b = _as_matrix_shape(x)
        X = np.ascontiguousarray(x).reshape(a, b)
        k0, k1 = f0(reps), f1(reps)
        out = np.empty((a * k0, b * k1))
        for i in range(a * k0):
            for j in range(b * k1):
                out[i, j] = X[i % a, j % b]
        return out
    tiled = numba.njit(tiled)
    if rank == 1:
        return lambda x, reps: tiled(x, reps).reshape(x.shape[0] * f1(reps))
    return lambda x, reps: tiled(x, reps)


@overload(tile_to)
def _ol_tile_to(x, like):
    def impl(x, like):
        a, b = _as_matrix_shape(x)
        A, B = _as_matrix_shape(like)
        X = np.ascontiguousarray(x).reshape(a, b)
        out = np.empty((A, B))
        for i in range(A):
            for j in range(B):
                out[i, j] = X[i % a, j % b]
        return out.reshape(like.shape)
    return impl


@overload(untile)
def _ol_untile(v, x):
    def impl(v, x):
        a, b = _as_matrix_shape(x)
        A, B = _as_matrix_shape(v)
        V = np.ascontiguousarray(v).reshape(A, B)
        out = np.zeros((a, b))
        for i in range(A):
            for j in range(B):
                out[i % a, j % b] += V[i, j]
        return out.reshape(x.shape)
    return impl


@overload(reshape_as)
def _ol_reshape_as(v, x):
    def impl(v, x):
        return np.ascontiguousarray(v).reshape(x.shape)
    return impl


@overload(as_float)
def _ol_as_float(x):
    if isinstance(x, types.Array):
        return lambda x: x.astype(np.float64)
    return lambda x: np.float64(x)


@overload(c_order)
def _ol_c_order(x):
    def impl(x):
        return np.ascontiguousarray(x)
    return impl


@overload(reshape_to)
def _ol_reshape_to(v, shape):
    def impl(v, shape):
        return np.ascontiguousarray(v).reshape(shape)
    return impl


@overload(keep_all)
def _ol_keep_all(v, x):
    shape = (1,) * x.ndim  # a constant of the compiled function

    def impl(v, x):
        return np.full(shape, v)
    return impl


@overload(as_column)
def _ol_as_column(x):
    if x.ndim == 1:
        return lambda x: np.ascontiguousarray(x).reshape(x.shape[0], 1)
    return lambda x: x.copy()


@overload(hstack_axis)
def _ol_hstack_axis(a):
    axis = 0 if a.ndim == 1 else 1
    return lambda a: axis


@overload(concat)
def _ol_concat(a, b, axis):
    def impl(a, b, axis):
        return np.concatenate((a, b), axis)
    return impl


@overload(take_first)
def _ol_take_first(g, a, axis):
    if g.ndim == 1:
        return lambda g, a, axis: g[:a.shape[0]].copy()

    def impl(g, a, axis):
        if axis == 0:
            return g[:a.shape[0]].copy()
        return g[:, :a.shape[1]].copy()
    return impl


@overload(take_rest)
def _ol_take_rest(g, a, axis):
    if g.ndim == 1:
        return lambda g, a, axis: g[a.shape[0]:].copy()

    def impl(g, a, axis):
        if axis == 0:
            return g[a.shape[0]:].copy()
        return g[:, a.shape[1]:].copy()
    return impl


@overload(concat_first)
def _ol_concat_first(v, b, axis):
    def impl(v, b, axis):
        return np.concatenate((v, np.zeros(b.shape)), axis)
    return impl


@overload(concat_rest)
def _ol_concat_rest(a, v, axis):
    def impl(a, v, axis):
        return np.concatenate((np.zeros(a.shape), v), axis)
    return impl


@overload(flatten)
def _ol_flatten(x):
    def impl(x):
        return x.flatten()
    return impl


@overload(empty_broadcast)
def _ol_empty_broadcast(a, b):
    nd = max(a.ndim, b.ndim)  # (np.broadcast_shapes compiles in 0.8 s; these in a fraction)
    if a.ndim == b.ndim == 1:
        def impl1(a, b):
            na, nb = a.shape[0], b.shape[0]
            if na != nb and na != 1 and nb != 1:
                raise ValueError("operands could not be broadcast together")
            return np.empty(na if nb == 1 else nb)
        return impl1
    if nd == 2:
        def impl2(a, b):
            a0, b0 = a.shape[0] if a.ndim == 2 else 1, b.shape[0] if b.ndim == 2 else 1
            a1, b1 = a.shape[a.ndim - 1], b.shape[b.ndim - 1]
            if (a0 != b0 and a0 != 1 and b0 != 1) or (a1 != b1 and a1 != 1 and b1 != 1):
                raise ValueError("operands could not be broadcast together")
            return np.empty((a0 if b0 == 1 else b0, a1 if b1 == 1 else b1))
        return impl2

    def impl(a, b):
        shape = np.empty(nd, np.int64)
        for k in range(nd):
            ka, kb = k - (nd - a.ndim), k - (nd - b.ndim)
            na = a.shape[ka] if ka >= 0 else 1
            nb = b.shape[kb] if kb >= 0 else 1
            if na != nb and na != 1 and nb != 1:
                raise ValueError("operands could not be broadcast together")
            shape[k] = na if nb == 1 else nb
        return np.empty(to_fixed_tuple(shape, nd))
    return impl
