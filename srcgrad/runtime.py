"""Small helpers that generated code calls, kept few so generated code stays readable.

Each helper is a plain Python function (used by ``backend="python"``) with a Numba
implementation registered through ``numba.extending.overload``, chosen by the arguments'
ranks at compile time.  Axis reductions go through helpers because Numba's nopython mode
has no ``np.mean``/``np.max``/``np.min`` with ``axis`` (and compiles ``np.sum(axis=)``
slowly); the helpers are explicit loops, which compile fast.
"""
import numba
import numpy as np
from numba.extending import overload

__all__ = ["unbroadcast", "prod_grad", "prod_grad_jvp", "extremum_mask", "expand_axis",
           "extremum_mask_axis", "sum_axis", "mean_axis", "max_axis", "min_axis", "scatter_add",
           "gather_last", "reshape_as", "reshape_to", "keep_all", "flatten", "diff_grad", "unsort",
           "concat", "take_first", "take_rest", "concat_first", "concat_rest", "var_ddof",
           "std_ddof", "hstack_axis", "as_column"]


# ---- Python implementations ------------------------------------------------------------------
def reshape_as(v, x):
    """``v`` (as many entries as array ``x``) in x's shape; any memory layout."""
    return np.reshape(np.ascontiguousarray(v, dtype=np.float64), np.shape(x))


def reshape_to(v, shape):
    """``np.reshape`` for any memory layout (Numba's needs a contiguous array)."""
    return np.reshape(np.ascontiguousarray(v, dtype=np.float64), shape)


def keep_all(v, x):
    """A full reduction ``v`` of ``x`` as an array of x's rank: ``keepdims=True``."""
    return np.full((1,) * np.ndim(x), v, dtype=np.float64)


def diff_grad(g):
    """The adjoint of ``np.diff`` (1-D): the cotangent ``g`` of ``diff(x)`` mapped to ``x``."""
    out = np.zeros(len(g) + 1)
    out[:-1] -= g
    out[1:] += g
    return out


def unsort(g, x):
    """The adjoint of ``np.sort(x)`` (1-D): ``g`` put back where each sorted entry came from."""
    out = np.zeros(len(x))
    out[np.argsort(x)] = g
    return out


def var_ddof(x, ddof):
    """``np.var(x, ddof=ddof)`` (Numba's ``np.var`` has no ``ddof``)."""
    return np.sum((x - np.mean(x)) ** 2) / (np.size(x) - ddof)


def std_ddof(x, ddof):
    """``np.std(x, ddof=ddof)``."""
    return np.sqrt(var_ddof(x, ddof))


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


def unbroadcast(g, x):
    """Sum the cotangent ``g`` of a broadcast result back to the shape of array ``x``."""
    g = np.asarray(g, dtype=np.float64)
    if g.shape == np.shape(x):
        return g
    lead = g.ndim - np.ndim(x)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(k for k, n in enumerate(np.shape(x)) if n == 1 and g.shape[k] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def prod_grad(x):
    """d prod(x) / d x, exact when some entries are zero (no division)."""
    return _prod_grad(np.ascontiguousarray(x, dtype=np.float64))


def prod_grad_jvp(x, dx):
    """The Hessian of prod(x) times dx (exact with zeros): entry k is
    sum over j != k of dx[j] * prod over i not in {j, k} of x[i]."""
    return _prod_grad_jvp(np.ascontiguousarray(x, dtype=np.float64),
                          np.ascontiguousarray(dx, dtype=np.float64))


def extremum_mask(x, ans):
    """Where x equals its max (or min) ``ans``: 1/count, so ties share the cotangent."""
    m = (x == ans) * 1.0
    return m / m.sum()


def expand_axis(g, x, axis):
    """Broadcast ``g`` (2-D ``x`` reduced over ``axis``) back to x's shape."""
    return np.broadcast_to(np.expand_dims(g, axis), x.shape).copy()


def extremum_mask_axis(x, ans, axis):
    m = (x == np.expand_dims(ans, axis)) * 1.0
    return m / m.sum(axis=axis, keepdims=True)


def sum_axis(x, axis):
    return np.sum(x, axis=axis)


def mean_axis(x, axis):
    return np.mean(x, axis=axis)


def max_axis(x, axis):
    return np.max(x, axis=axis)


def min_axis(x, axis):
    return np.min(x, axis=axis)


def scatter_add(acc, idx, g):
    """``acc`` plus ``g`` added at the rows ``idx`` (1-D integers): a repeated index gets
    every contribution (``acc[idx] += g`` would keep only one).  Returns a new array."""
    out = np.array(acc, dtype=np.float64)
    np.add.at(out, idx, g)
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


# ---- Numba implementations -------------------------------------------------------------------
@numba.njit
def _prod_grad(x):
    flat = x.reshape(x.size)
    out = np.empty(flat.size)
    acc = 1.0
    for k in range(flat.size):
        out[k] = acc
        acc *= flat[k]
    acc = 1.0
    for k in range(flat.size - 1, -1, -1):
        out[k] *= acc
        acc *= flat[k]
    return out.reshape(x.shape)


@numba.njit
def _prod_grad_jvp(x, dx):
    flat, dflat = x.reshape(x.size), dx.reshape(dx.size)
    n = flat.size
    out = np.zeros(n)
    for k in range(n):
        for j in range(n):
            if j != k:
                p = dflat[j]
                for i in range(n):
                    if i != j and i != k:
                        p *= flat[i]
                out[k] += p
    return out.reshape(x.shape)


@numba.njit
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


@overload(unbroadcast)
def _ol_unbroadcast(g, x):
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


@overload(prod_grad)
def _ol_prod_grad(x):
    return lambda x: _prod_grad(np.ascontiguousarray(x))


@overload(prod_grad_jvp)
def _ol_prod_grad_jvp(x, dx):
    return lambda x, dx: _prod_grad_jvp(np.ascontiguousarray(x), np.ascontiguousarray(dx))


@overload(extremum_mask)
def _ol_extremum_mask(x, ans):
    def impl(x, ans):
        m = (x == ans) * 1.0
        return m / m.sum()
    return impl


def _reduce2d(kind):
    def impl(x, axis):
        n_out = x.shape[1] if axis == 0 else x.shape[0]
        out = np.empty(n_out)
        for k in range(n_out):
            acc = x[0, k] if axis == 0 else x[k, 0]
            if kind == 0 or kind == 1:
                acc = 0.0
            n = x.shape[0] if axis == 0 else x.shape[1]
            for m in range(n):
                v = x[m, k] if axis == 0 else x[k, m]
                if kind == 0 or kind == 1:
                    acc += v
                elif kind == 2:
                    acc = max(acc, v)
                else:
                    acc = min(acc, v)
            out[k] = acc / n if kind == 1 else acc
        return out
    return impl


def _register_reduction(fn, kind, full):
    @overload(fn)
    def _ol(x, axis):
        if x.ndim == 1:
            return lambda x, axis: full(x)
        return _reduce2d(kind)


_register_reduction(sum_axis, 0, np.sum)
_register_reduction(mean_axis, 1, np.mean)
_register_reduction(max_axis, 2, np.max)
_register_reduction(min_axis, 3, np.min)


@overload(expand_axis)
def _ol_expand_axis(g, x, axis):
    def impl(g, x, axis):
        out = np.empty(x.shape)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[i, j] = g[j] if axis == 0 else g[i]
        return out
    return impl


@overload(extremum_mask_axis)
def _ol_extremum_mask_axis(x, ans, axis):
    def impl(x, ans, axis):
        m = np.zeros(x.shape)
        cnt = np.zeros(x.shape[1] if axis == 0 else x.shape[0])
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                k = j if axis == 0 else i
                if x[i, j] == ans[k]:
                    m[i, j] = 1.0
                    cnt[k] += 1.0
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                m[i, j] /= cnt[j if axis == 0 else i]
        return m
    return impl


@overload(scatter_add)
def _ol_scatter_add(acc, idx, g):
    def impl(acc, idx, g):
        out = acc.copy()
        for k in range(idx.shape[0]):
            out[idx[k]] += g[k]
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


@overload(reshape_as)
def _ol_reshape_as(v, x):
    def impl(v, x):
        return np.ascontiguousarray(v).reshape(x.shape)
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


@overload(diff_grad)
def _ol_diff_grad(g):
    def impl(g):
        out = np.zeros(g.shape[0] + 1)
        for k in range(g.shape[0]):
            out[k] -= g[k]
            out[k + 1] += g[k]
        return out
    return impl


@overload(unsort)
def _ol_unsort(g, x):
    def impl(g, x):
        out = np.zeros(x.shape[0])
        idx = np.argsort(x)
        for k in range(idx.shape[0]):
            out[idx[k]] = g[k]
        return out
    return impl


@overload(var_ddof)
def _ol_var_ddof(x, ddof):
    def impl(x, ddof):
        return np.sum((x - np.mean(x)) ** 2) / (x.size - ddof)
    return impl


@overload(std_ddof)
def _ol_std_ddof(x, ddof):
    def impl(x, ddof):
        return np.sqrt(np.sum((x - np.mean(x)) ** 2) / (x.size - ddof))
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


def namespace():
    """The helpers by name, for the generated module (both backends)."""
    return {name: globals()[name] for name in __all__}
