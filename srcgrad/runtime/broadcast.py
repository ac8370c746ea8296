"""Broadcasting and indexing: sums a cotangent back to a broadcast input's shape, adds at
repeated indices, gathers what the last write to an index kept."""
import numba
from .cached_numpy import np

from .jit import njit, overload

__all__ = ["unbroadcast", "expand_axis", "scatter_add", "scatter_add_cols", "gather_last", "add_at",
           "add_at_pairs", "gather_last_pairs", "gather_last_cols"]


def unbroadcast(g, x):
    """Sum the cotangent ``g`` of a broadcast result back to the shape of array ``x``."""
    g = np.asarray(g, dtype=np.float64)
    if g.shape == np.shape(x):
        return g
    lead = g.ndim - np.ndim(x)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(k for k, n in enumerate(np.shape(x)) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def expand_axis(g, x, axis):
    """Broadcast ``g`` (2-D ``x`` reduced over ``axis``) back to x's shape."""
    return np.broadcast_to(np.expand_dims(g, axis), x.shape).copy()


def scatter_add(acc, idx, g):
    """``acc`` plus ``g`` added at the rows ``idx`` (1-D integers): a repeated index gets
    every contribution (``acc[idx] += g`` would keep only one).  Returns a new array."""
    out = np.array(acc, dtype=np.float64)
    np.add.at(out, idx, g)
    return out


def add_at(acc, idx, v):
    """``np.add.at(acc, idx, v)`` on a copy of ``acc``, returned: ``v`` (a number, one value
    or row per index, or one row for all) added at the entries or rows ``idx`` (1-D
    integers), every contribution of a repeated index kept."""
    out = np.array(acc, dtype=np.float64)
    np.add.at(out, idx, v)
    return out


def add_at_pairs(acc, i, j, v):
    """``acc`` plus ``v[k]`` added at ``(i[k], j[k])`` for every ``k`` (1-D integer arrays of
    one length), a repeated pair getting every contribution: the adjoint of ``P[i, j]``.
    Returns a new array."""
    out = np.array(acc, dtype=np.float64)
    np.add.at(out, (i, j), v)
    return out


def scatter_add_cols(acc, idx, g):
    """``acc`` (2-D) plus column ``k`` of ``g`` added at column ``idx[k]`` for every ``k``, a
    repeated index getting every contribution: the adjoint of ``A[:, idx]``.  Returns a new
    array."""
    out = np.array(acc, dtype=np.float64)
    np.add.at(out, (slice(None), idx), g)
    return out


def gather_last(y, idx):
    """``y[idx]``, with zeros where a later entry of ``idx`` repeats the index: the adjoint
    of ``x[idx] = v``, where only the last write to a repeated index survives."""
    out = np.array(y[idx], dtype=np.float64)
    seen = set()
    for k in range(len(idx) - 1, -1, -1):
        j = int(idx[k]) % y.shape[0]
        if j in seen:
            out[k] = 0.0
        seen.add(j)
    return out


def gather_last_pairs(y, i, j):
    """``y[i, j]`` (2-D ``y``, 1-D ``i`` and ``j`` of one length), with zeros where a later
    ``(i, j)`` pair repeats the entry: the adjoint of ``Y[i, j] = v``, where only the last
    write to a repeated pair survives."""
    out = np.array(y[i, j], dtype=np.float64)
    seen = set()
    for k in range(len(i) - 1, -1, -1):
        at = (int(i[k]) % y.shape[0], int(j[k]) % y.shape[1])
        if at in seen:
            out[k] = 0.0
        seen.add(at)
    return out


def gather_last_cols(y, idx):
    """``y[:, idx]`` with zero columns where a later entry of ``idx`` repeats the column: the
    adjoint of ``Y[:, idx] = v``."""
    out = np.array(y[:, idx], dtype=np.float64)
    seen = set()
    for k in range(len(idx) - 1, -1, -1):
        c = int(idx[k]) % y.shape[1]
        if c in seen:
            out[:, k] = 0.0
        seen.add(c)
    return out


@njit
def _unbroadcast_flat(g, x_shape, out):
    """Accumulate every entry of ``g`` into ``out`` (x's shape, size-1 axes broadcast)."""
    gc = np.ascontiguousarray(g).reshape(g.size)
    flat_out = out.reshape(out.size)
    off = g.ndim - len(x_shape)
    for f in range(g.size):
        rem = f
        xf = 0
        stride = 1
        for k in range(g.ndim - 1, -1, -1):
            ik = rem % g.shape[k]
            rem //= g.shape[k]
            if k >= off:
                n = x_shape[k - off]
                if n != 1:
                    xf += ik * stride
                stride *= n
        flat_out[xf] += gc[f]


def _unbroadcast_2d(g, x):
    """2-D ``g`` summed back to 2-D ``x``, whose axes of length 1 were broadcast."""
    if g.shape == x.shape:
        return np.ascontiguousarray(g)
    out = np.zeros(x.shape)
    keep0, keep1 = x.shape[0] != 1, x.shape[1] != 1
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            out[i if keep0 else 0, j if keep1 else 0] += g[i, j]
    return out


def _unbroadcast_rows(g, x):
    """2-D ``g`` summed back to 1-D ``x`` (broadcast along g's rows, and along its columns
    where x has length 1)."""
    out = np.zeros(x.shape)
    keep = x.shape[0] != 1
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            out[j if keep else 0] += g[i, j]
    return out


@overload(unbroadcast)
def _ol_unbroadcast(g, x):
    if isinstance(x, numba.types.Number):  # a number broadcast: its cotangent is the sum
        return lambda g, x: np.sum(g)
    if g.ndim == x.ndim == 1:  # the common case, compiled in a fraction of the general one
        def impl(g, x):
            if g.shape[0] == x.shape[0]:
                return np.ascontiguousarray(g)
            out = np.zeros(x.shape)  # x of length 1, broadcast along g
            total = 0.0
            for i in range(g.shape[0]):
                total += g[i]
            out[0] = total
            return out
        return impl
    if g.ndim == 2 and x.ndim in (1, 2):  # loops: a fraction of the general case's compile
        return _unbroadcast_2d if x.ndim == 2 else _unbroadcast_rows
    if g.ndim == x.ndim:
        def impl(g, x):
            if g.shape == x.shape:
                return np.ascontiguousarray(g)
            out = np.zeros(x.shape)
            _unbroadcast_flat(g, x.shape, out)
            return out
    else:
        def impl(g, x):
            out = np.zeros(x.shape)
            _unbroadcast_flat(g, x.shape, out)
            return out
    return impl


@njit
def axis_in(axis, ndim):
    """``axis`` (negative counts from the end) as 0..ndim-1, or ValueError as NumPy raises:
    the compiled helpers branch on ``axis == 0``, so -2 or 2 must never reach them."""
    a = axis + ndim if axis < 0 else axis
    if a < 0 or a >= ndim:
        raise ValueError("axis is out of bounds for the array's rank")
    return a


def literal_axis(axis, ndim):
    """The axis a compiled helper is called with, 0..ndim-1, when the call site passes it as
    a constant in range (Numba types it as a literal), else None.  Helpers then compile
    for that one axis: their loops lose the branch on ``axis``, which compiles faster (and
    runs no slower) than the general version that LLVM splits into one loop per axis."""
    value = getattr(axis, "literal_value", None)
    if not isinstance(value, int) or isinstance(value, bool) or not -ndim <= value < ndim:
        return None
    return value % ndim


@overload(expand_axis, prefer_literal=True)
def _ol_expand_axis(g, x, axis):
    if x.ndim != 2:
        return None  # 3-D: runtime/along.py
    fixed = literal_axis(axis, 2)
    if fixed is not None:
        def impl_fixed(g, x, axis):
            out = np.empty(x.shape)
            for i in range(x.shape[0]):
                for j in range(x.shape[1]):
                    out[i, j] = g[j] if fixed == 0 else g[i]
            return out
        return impl_fixed

    def impl(g, x, axis):
        axis = axis_in(axis, x.ndim)
        out = np.empty(x.shape)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = g[j] if axis == 0 else g[i]
        return out
    return impl


@overload(scatter_add)
def _ol_scatter_add(acc, idx, g):
    def impl(acc, idx, g):
        out = acc.copy()
        for k in range(idx.shape[0]):
            out[idx[k]] += g[k]
        return out
    return impl


@overload(add_at)
def _ol_add_at(acc, idx, v):
    if isinstance(v, numba.types.Number):
        def impl_number(acc, idx, v):
            out = acc.copy()
            for k in range(idx.shape[0]):
                out[idx[k]] += v
            return out
        return impl_number
    if v.ndim == acc.ndim:  # a value (or a row) per index
        def impl_each(acc, idx, v):
            if v.shape[0] != idx.shape[0] and v.shape[0] != 1:
                raise ValueError("np.add.at: the values do not broadcast to the indices")
            out = acc.copy()
            step = 1 if v.shape[0] != 1 else 0
            for k in range(idx.shape[0]):
                out[idx[k]] += v[k * step]
            return out
        return impl_each

    def impl_row(acc, idx, v):  # one row added at every index
        out = acc.copy()
        for k in range(idx.shape[0]):
            out[idx[k]] += v
        return out
    return impl_row


@overload(add_at_pairs)
def _ol_add_at_pairs(acc, i, j, v):
    def impl(acc, i, j, v):
        if i.shape[0] != j.shape[0] or v.shape[0] != i.shape[0]:
            raise ValueError("shape mismatch: indexing arrays could not be broadcast together")
        out = acc.copy()
        for k in range(i.shape[0]):
            out[i[k], j[k]] += v[k]
        return out
    return impl


@overload(scatter_add_cols)
def _ol_scatter_add_cols(acc, idx, g):
    def impl(acc, idx, g):
        if g.shape[0] != acc.shape[0] or g.shape[1] != idx.shape[0]:
            raise ValueError("shape mismatch: the cotangent of A[:, idx] has A's rows and "
                             "idx's length")
        out = acc.copy()
        n = acc.shape[1]
        for k in range(idx.shape[0]):
            j = idx[k] + n if idx[k] < 0 else idx[k]
            for i in range(acc.shape[0]):
                out[i, j] += g[i, k]
        return out
    return impl


@overload(gather_last)
def _ol_gather_last(y, idx):
    def impl(y, idx):
        out = y[idx].copy()
        n = y.shape[0]
        seen = np.zeros(n, dtype=np.bool_)
        for k in range(idx.shape[0] - 1, -1, -1):
            j = idx[k] % n
            if seen[j]:
                out[k] = 0.0
            seen[j] = True
        return out
    return impl


@overload(gather_last_pairs)
def _ol_gather_last_pairs(y, i, j):
    def impl(y, i, j):
        if i.shape[0] != j.shape[0]:
            raise ValueError("shape mismatch: indexing arrays could not be broadcast together")
        out = np.empty(i.shape[0])
        seen = np.zeros(y.shape, dtype=np.bool_)
        for k in range(i.shape[0] - 1, -1, -1):
            r, c = i[k] % y.shape[0], j[k] % y.shape[1]
            out[k] = 0.0 if seen[r, c] else y[r, c]
            seen[r, c] = True
        return out
    return impl


@overload(gather_last_cols)
def _ol_gather_last_cols(y, idx):
    def impl(y, idx):
        out = np.empty((y.shape[0], idx.shape[0]))
        seen = np.zeros(y.shape[1], dtype=np.bool_)
        for k in range(idx.shape[0] - 1, -1, -1):
            c = idx[k] % y.shape[1]
            for r in range(y.shape[0]):
                out[r, k] = 0.0 if seen[c] else y[r, c]
            seen[c] = True
        return out
    return impl
