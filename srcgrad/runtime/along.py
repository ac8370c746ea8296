"""Operations along one axis of an array of rank 1 to 3: the axis is moved last and the array
read as the 2-D stack of its lines (``lines``), a row-wise operation runs on the rows, and the
rows are put back in the array's shape (``unlines``).  ``np.cumsum(x, axis=1)`` is
``unlines(cumsum_rows(lines(x, 1)), x, 1)``: one pair of helpers for every rank and axis, and
row-wise helpers that are plain loops over a matrix.

Sorting and partitioning share one adjoint: the permutation that took ``x`` to the result
``y`` is recovered from the two (``y[r, i] = x[r, perm[r, i]]``, matched by stable sorts), so
the derivative follows the values the call really returned, whichever order the backend's
``np.partition`` leaves within each part.
"""
import numpy as np
from numba.extending import overload

from .broadcast import axis_in, expand_axis
from .reductions import (_cumprod_grad, _cumprod_hvp, _cumprod_jvp, _prod_grad, _prod_grad_jvp,
                         extremum_mask_axis, max_axis, mean_axis, min_axis, prod_axis,
                         prod_axis_grad, prod_axis_grad_jvp, sum_axis)

__all__ = ["lines", "unlines", "cumsum_rows", "cumprod_rows", "cumprod_rows_grad",
           "cumprod_rows_jvp", "cumprod_rows_hvp", "diff_rows", "diff_rows_grad", "sort_rows",
           "partition_rows", "gather_rows", "scatter_rows", "flip_rows", "roll_rows",
           "repeat_rows", "unrepeat_rows", "take_along", "put_along",
           "weights_along", "weights_along_grad"]


# ---- an axis of an array as rows, and back ----------------------------------------------------
def lines(x, axis):
    """``x`` with ``axis`` moved last, as a new C-contiguous matrix of its lines."""
    x = np.asarray(x, dtype=np.float64)
    axis = axis_in.py_func(axis, x.ndim)
    y = np.moveaxis(x, axis, -1)
    return np.array(y.reshape(int(np.prod(y.shape[:-1])), x.shape[axis]))


def unlines(v, x, axis):
    """The inverse of ``lines``: the rows ``v`` in ``x``'s shape, the axis (now as long as a
    row of ``v``) back in its place.  A new array."""
    shape = np.shape(x)
    axis = axis_in.py_func(axis, len(shape))
    v = np.asarray(v, dtype=np.float64)
    y = v.reshape(shape[:axis] + shape[axis + 1:] + (v.shape[1],))
    return np.ascontiguousarray(np.moveaxis(y, -1, axis)).copy()


def _moved(x, a):
    """A view of 3-D ``x`` with axis ``a`` last (the same type for every ``a``)."""
    if a == 0:
        return x.transpose((1, 2, 0))
    if a == 1:
        return x.transpose((0, 2, 1))
    return x.transpose((0, 1, 2))


@overload(_moved)
def _ol_moved(x, a):
    return _moved


@overload(lines)
def _ol_lines(x, axis):
    if x.ndim == 1:
        def impl1(x, axis):
            axis_in(axis, 1)
            out = np.empty((1, x.shape[0]))
            out[0, :] = x
            return out
        return impl1
    if x.ndim == 2:
        def impl2(x, axis):
            a = axis_in(axis, 2)
            t = x.transpose((1, 0)) if a == 0 else x.transpose((0, 1))
            out = np.empty((t.shape[0], t.shape[1]))
            for i in range(t.shape[0]):
                out[i, :] = t[i, :]
            return out
        return impl2

    def impl3(x, axis):
        t = _moved(x, axis_in(axis, 3))
        out = np.empty((t.shape[0] * t.shape[1], t.shape[2]))
        k = 0
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                out[k, :] = t[i, j, :]
                k += 1
        return out
    return impl3


@overload(unlines)
def _ol_unlines(v, x, axis):
    if x.ndim == 1:
        def impl1(v, x, axis):
            axis_in(axis, 1)
            if v.shape[0] != 1:
                raise ValueError("unlines: the rows do not match the array")
            return v[0, :].copy()
        return impl1
    if x.ndim == 2:
        def impl2(v, x, axis):
            a = axis_in(axis, 2)
            if v.shape[0] != x.shape[1 - a]:
                raise ValueError("unlines: the rows do not match the array")
            out = np.empty((v.shape[1], x.shape[1]) if a == 0 else (x.shape[0], v.shape[1]))
            t = out.transpose((1, 0)) if a == 0 else out.transpose((0, 1))
            for i in range(t.shape[0]):
                t[i, :] = v[i, :]
            return out
        return impl2

    def impl3(v, x, axis):
        a = axis_in(axis, 3)
        n = v.shape[1]
        shape = (n, x.shape[1], x.shape[2]) if a == 0 else (x.shape[0], n, x.shape[2]) \
            if a == 1 else (x.shape[0], x.shape[1], n)
        out = np.empty(shape)
        t = _moved(out, a)
        if v.shape[0] != t.shape[0] * t.shape[1]:
            raise ValueError("unlines: the rows do not match the array")
        k = 0
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                t[i, j, :] = v[k, :]
                k += 1
        return out
    return impl3


# ---- row-wise operations (2-D in, 2-D out) ----------------------------------------------------
def cumsum_rows(x):
    return np.cumsum(x, axis=1)


def cumprod_rows(x):
    return np.cumprod(x, axis=1)


def flip_rows(x):
    return x[:, ::-1].copy()


def roll_rows(x, shift):
    return np.roll(x, shift, axis=1)


def repeat_rows(x, k):
    if k < 0:
        raise ValueError("repeat: negative count")
    return np.repeat(x, k, axis=1)


def unrepeat_rows(v, k):
    """The adjoint of ``repeat_rows``: each run of ``k`` entries summed."""
    return np.asarray(v).reshape(v.shape[0], v.shape[1] // k, k).sum(axis=2)


def diff_rows(x):
    return x[:, 1:] - x[:, :-1]


def diff_rows_grad(g):
    """The adjoint of ``diff_rows``: each row's ``g`` mapped to a row one longer."""
    out = np.zeros((g.shape[0], g.shape[1] + 1))
    out[:, :-1] -= g
    out[:, 1:] += g
    return out


def sort_rows(x):
    return np.sort(x, axis=1)


def partition_rows(x, kth):
    return np.partition(x, kth, axis=1)


def _perm(x, y):
    """Per row, where each entry of ``y`` (a permutation of ``x``'s row) came from."""
    perm = np.empty(x.shape, dtype=np.int64)
    rows = np.arange(x.shape[0])[:, None]
    perm[rows, np.argsort(y, axis=1, kind="stable")] = np.argsort(x, axis=1, kind="stable")
    return perm


def gather_rows(v, x, y):
    """``v`` permuted as ``x`` was to give ``y``: the tangent of a sort or a partition."""
    return np.take_along_axis(np.asarray(v, dtype=np.float64), _perm(x, y), axis=1)


def scatter_rows(g, x, y):
    """The adjoint of ``gather_rows``: ``g`` put back where each entry of ``y`` came from."""
    out = np.zeros(np.shape(x))
    np.put_along_axis(out, _perm(x, y), g, axis=1)
    return out


def cumprod_rows_grad(v, x):
    """``cumprod_grad`` of each row (exact with zeros)."""
    return np.array([_cumprod_grad.py_func(np.ascontiguousarray(a, dtype=np.float64),
                                           np.ascontiguousarray(b, dtype=np.float64))
                     for a, b in zip(v, x)]).reshape(np.shape(x))


def cumprod_rows_jvp(x, dx):
    return np.array([_cumprod_jvp.py_func(np.ascontiguousarray(a, dtype=np.float64),
                                          np.ascontiguousarray(b, dtype=np.float64))
                     for a, b in zip(x, dx)]).reshape(np.shape(x))


def cumprod_rows_hvp(v, x, h):
    return np.array([_cumprod_hvp.py_func(*(np.ascontiguousarray(c, dtype=np.float64)
                                            for c in abc))
                     for abc in zip(v, x, h)]).reshape(np.shape(x))


# ---- their Numba versions: loops over rows -----------------------------------------------------
def _rowwise(step):
    """An overload running the 1-D ``step`` on each row (same length in and out)."""
    def impl(x):
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            out[r, :] = step(np.ascontiguousarray(x[r, :]))
        return out
    return impl


@overload(cumsum_rows)
def _ol_cumsum_rows(x):
    return _rowwise(np.cumsum)


@overload(cumprod_rows)
def _ol_cumprod_rows(x):
    return _rowwise(np.cumprod)


@overload(sort_rows)
def _ol_sort_rows(x):
    return _rowwise(np.sort)


@overload(flip_rows)
def _ol_flip_rows(x):
    def impl(x):
        n = x.shape[1]
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            for j in range(n):
                out[r, j] = x[r, n - 1 - j]
        return out
    return impl


@overload(roll_rows)
def _ol_roll_rows(x, shift):
    def impl(x, shift):
        n = x.shape[1]
        out = np.empty(x.shape)
        if n == 0:
            return out
        s = shift % n
        for r in range(x.shape[0]):
            for j in range(n):
                out[r, (j + s) % n] = x[r, j]
        return out
    return impl


@overload(repeat_rows)
def _ol_repeat_rows(x, k):
    def impl(x, k):
        if k < 0:
            raise ValueError("repeat: negative count")
        out = np.empty((x.shape[0], x.shape[1] * k))
        for r in range(x.shape[0]):
            for j in range(x.shape[1]):
                for c in range(k):
                    out[r, j * k + c] = x[r, j]
        return out
    return impl


@overload(unrepeat_rows)
def _ol_unrepeat_rows(v, k):
    def impl(v, k):
        n = v.shape[1] // k
        out = np.zeros((v.shape[0], n))
        for r in range(v.shape[0]):
            for j in range(n):
                for c in range(k):
                    out[r, j] += v[r, j * k + c]
        return out
    return impl


@overload(diff_rows)
def _ol_diff_rows(x):
    def impl(x):
        out = np.empty((x.shape[0], max(x.shape[1] - 1, 0)))
        for r in range(x.shape[0]):
            for j in range(x.shape[1] - 1):
                out[r, j] = x[r, j + 1] - x[r, j]
        return out
    return impl


@overload(diff_rows_grad)
def _ol_diff_rows_grad(g):
    def impl(g):
        out = np.zeros((g.shape[0], g.shape[1] + 1))
        for r in range(g.shape[0]):
            for j in range(g.shape[1]):
                out[r, j] -= g[r, j]
                out[r, j + 1] += g[r, j]
        return out
    return impl


@overload(partition_rows)
def _ol_partition_rows(x, kth):
    def impl(x, kth):
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            out[r, :] = np.partition(np.ascontiguousarray(x[r, :]), kth)
        return out
    return impl


def _perm_nb(x, y):
    perm = np.empty(x.shape, dtype=np.int64)
    for r in range(x.shape[0]):
        sx = np.argsort(np.ascontiguousarray(x[r, :]), kind="mergesort")
        sy = np.argsort(np.ascontiguousarray(y[r, :]), kind="mergesort")
        for j in range(x.shape[1]):
            perm[r, sy[j]] = sx[j]
    return perm


@overload(_perm)
def _ol_perm(x, y):
    return _perm_nb


@overload(gather_rows)
def _ol_gather_rows(v, x, y):
    def impl(v, x, y):
        perm = _perm(x, y)
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[r, j] = v[r, perm[r, j]]
        return out
    return impl


@overload(scatter_rows)
def _ol_scatter_rows(g, x, y):
    def impl(g, x, y):
        perm = _perm(x, y)
        out = np.zeros(x.shape)
        for r in range(x.shape[0]):
            for j in range(x.shape[1]):
                out[r, perm[r, j]] = g[r, j]
        return out
    return impl


@overload(cumprod_rows_grad)
def _ol_cumprod_rows_grad(v, x):
    def impl(v, x):
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            out[r, :] = _cumprod_grad(np.ascontiguousarray(v[r, :]), np.ascontiguousarray(x[r, :]))
        return out
    return impl


@overload(cumprod_rows_jvp)
def _ol_cumprod_rows_jvp(x, dx):
    def impl(x, dx):
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            out[r, :] = _cumprod_jvp(np.ascontiguousarray(x[r, :]), np.ascontiguousarray(dx[r, :]))
        return out
    return impl


@overload(cumprod_rows_hvp)
def _ol_cumprod_rows_hvp(v, x, h):
    def impl(v, x, h):
        out = np.empty(x.shape)
        for r in range(x.shape[0]):
            out[r, :] = _cumprod_hvp(np.ascontiguousarray(v[r, :]), np.ascontiguousarray(x[r, :]),
                                     np.ascontiguousarray(h[r, :]))
        return out
    return impl


# ---- reductions along one axis of a 3-D array (the 1-D and 2-D ones: runtime/reductions.py) --
def _reduced_shape(x, a):
    return (x.shape[1], x.shape[2]) if a == 0 else (x.shape[0], x.shape[2]) if a == 1 \
        else (x.shape[0], x.shape[1])


@overload(_reduced_shape)
def _ol_reduced_shape(x, a):
    return _reduced_shape


def _reduce3(kind):
    def impl(x, axis):
        a = axis_in(axis, 3)
        rows = lines(x, a)
        n = rows.shape[1]
        if n == 0 and kind >= 2:
            raise ValueError("zero-size array to reduction operation with no identity")
        red = np.empty(rows.shape[0])
        for r in range(rows.shape[0]):
            acc = 1.0 if kind == 4 else 0.0 if kind <= 1 else rows[r, 0]
            for j in range(n):
                v = rows[r, j]
                if kind <= 1:
                    acc += v
                elif kind == 4:
                    acc *= v
                elif kind == 2:
                    acc = max(acc, v)
                else:
                    acc = min(acc, v)
            red[r] = acc / n if kind == 1 else acc
        return red.reshape(_reduced_shape(x, a))
    return impl


def _register3(fn, kind):
    @overload(fn)
    def _ol(x, axis):
        return _reduce3(kind) if x.ndim == 3 else None


for _kind, _fn in enumerate((sum_axis, mean_axis, max_axis, min_axis, prod_axis)):
    _register3(_fn, _kind)


def _spread(g, x, a):
    """Rows of ``lines(x, a)``'s shape, row r filled with the r-th entry of ``g`` (x reduced
    over axis ``a``)."""
    gf = np.ascontiguousarray(g).reshape(g.size)
    m = gf.shape[0]
    rows = np.empty((m, x.shape[a]))
    for r in range(m):
        rows[r, :] = gf[r]
    return rows


@overload(_spread)
def _ol_spread(g, x, a):
    return _spread


@overload(expand_axis)
def _ol_expand_axis3(g, x, axis):
    if x.ndim != 3:
        return None

    def impl(g, x, axis):
        a = axis_in(axis, 3)
        return unlines(_spread(g, x, a), x, a)
    return impl


@overload(extremum_mask_axis)
def _ol_extremum_mask_axis3(x, ans, axis):
    if x.ndim != 3:
        return None

    def impl(x, ans, axis):
        a = axis_in(axis, 3)
        rows, best = lines(x, a), _spread(ans, x, a)
        m = np.zeros(rows.shape)
        for r in range(rows.shape[0]):
            cnt = 0.0
            for j in range(rows.shape[1]):
                if rows[r, j] == best[r, j]:
                    m[r, j] = 1.0
                    cnt += 1.0
            for j in range(rows.shape[1]):
                m[r, j] /= cnt
        return unlines(m, x, a)
    return impl


@overload(prod_axis_grad)
def _ol_prod_axis_grad3(x, axis):
    if x.ndim != 3:
        return None

    def impl(x, axis):
        a = axis_in(axis, 3)
        rows = lines(x, a)
        out = np.empty(rows.shape)
        for r in range(rows.shape[0]):
            out[r, :] = _prod_grad(np.ascontiguousarray(rows[r, :]))
        return unlines(out, x, a)
    return impl


@overload(prod_axis_grad_jvp)
def _ol_prod_axis_grad_jvp3(x, dx, axis):
    if x.ndim != 3:
        return None

    def impl(x, dx, axis):
        a = axis_in(axis, 3)
        rows, drows = lines(x, a), lines(dx, a)
        out = np.empty(rows.shape)
        for r in range(rows.shape[0]):
            out[r, :] = _prod_grad_jvp(np.ascontiguousarray(rows[r, :]),
                                       np.ascontiguousarray(drows[r, :]))
        return unlines(out, x, a)
    return impl


# ---- np.take_along_axis and its adjoint (indices broadcast against the array) ----------------
def take_along(x, idx, axis):
    """``np.take_along_axis(x, idx, axis)``."""
    return np.take_along_axis(np.asarray(x, dtype=np.float64), idx, axis)


def put_along(v, x, idx, axis):
    """The adjoint of ``take_along``: zeros shaped like ``x`` with each entry of ``v`` added
    where it was taken from (a repeated index gets every contribution)."""
    x_shape = np.shape(x)
    axis = axis_in.py_func(axis, len(x_shape))
    v = np.asarray(v, dtype=np.float64)
    at = list(np.indices(v.shape, sparse=True))
    at = [np.zeros_like(i) if x_shape[d] == 1 else i for d, i in enumerate(at)]
    at[axis] = np.broadcast_to(idx, v.shape)
    out = np.zeros(x_shape)
    np.add.at(out, tuple(at), v)
    return out


def _as3(a, lead):
    """A contiguous 3-D view of ``a`` (rank 3 - lead) with ``lead`` axes of length 1 before."""
    c = np.ascontiguousarray(a)
    if lead == 2:
        return c.reshape(1, 1, c.shape[-1])
    if lead == 1:
        return c.reshape(1, c.shape[-2], c.shape[-1])
    return c.reshape(c.shape[0], c.shape[1], c.shape[2])


def _along_shape(xs, ids, a):
    """The result's shape (3-D): the indices' length on the axis, else the broadcast."""
    out = [0, 0, 0]
    for d in range(3):
        if d == a:
            out[d] = ids[d]
        elif xs[d] == ids[d] or ids[d] == 1:
            out[d] = xs[d]
        elif xs[d] == 1:
            out[d] = ids[d]
        else:
            raise ValueError("take_along_axis: the indices do not broadcast against the array")
    return out[0], out[1], out[2]


def _take3(x3, i3, a):
    o0, o1, o2 = _along_shape(x3.shape, i3.shape, a)
    out = np.empty((o0, o1, o2))
    n = x3.shape[a]
    for p in range(o0):
        for q in range(o1):
            for r in range(o2):
                k = i3[p if i3.shape[0] > 1 else 0, q if i3.shape[1] > 1 else 0,
                       r if i3.shape[2] > 1 else 0]
                k = k + n if k < 0 else k
                if k < 0 or k >= n:
                    raise IndexError("take_along_axis: index out of bounds")
                at = [p if x3.shape[0] > 1 else 0, q if x3.shape[1] > 1 else 0,
                      r if x3.shape[2] > 1 else 0]
                at[a] = k
                out[p, q, r] = x3[at[0], at[1], at[2]]
    return out


def _put3(v3, xs, i3, a, out3):
    n = xs[a]
    for p in range(v3.shape[0]):
        for q in range(v3.shape[1]):
            for r in range(v3.shape[2]):
                k = i3[p if i3.shape[0] > 1 else 0, q if i3.shape[1] > 1 else 0,
                       r if i3.shape[2] > 1 else 0]
                k = k + n if k < 0 else k
                if k < 0 or k >= n:
                    raise IndexError("take_along_axis: index out of bounds")
                at = [p if xs[0] > 1 else 0, q if xs[1] > 1 else 0, r if xs[2] > 1 else 0]
                at[a] = k
                out3[at[0], at[1], at[2]] += v3[p, q, r]


@overload(_as3)
def _ol_as3(a, lead):
    if a.ndim == 1:
        return lambda a, lead: np.ascontiguousarray(a).reshape(1, 1, a.shape[0])
    if a.ndim == 2:
        return lambda a, lead: np.ascontiguousarray(a).reshape(1, a.shape[0], a.shape[1])
    return lambda a, lead: np.ascontiguousarray(a)


@overload(_take3)
def _ol_take3(x3, i3, a):
    return _take3


@overload(_put3)
def _ol_put3(v3, xs, i3, a, out3):
    return _put3


@overload(_along_shape)
def _ol_along_shape(xs, ids, a):
    return _along_shape


@overload(take_along)
def _ol_take_along(x, idx, axis):
    nd = x.ndim
    if idx.ndim != nd:
        return None

    def impl(x, idx, axis):
        lead = 3 - x.ndim
        a = axis_in(axis, x.ndim) + lead
        out = _take3(_as3(x, lead), _as3(idx, lead), a)
        if x.ndim == 1:
            return out.reshape(out.shape[2])
        if x.ndim == 2:
            return out.reshape(out.shape[1], out.shape[2])
        return out.reshape(out.shape[0], out.shape[1], out.shape[2])
    return impl


@overload(put_along)
def _ol_put_along(v, x, idx, axis):
    def impl(v, x, idx, axis):
        lead = 3 - x.ndim
        a = axis_in(axis, x.ndim) + lead
        out = np.zeros(x.shape)
        x3 = _as3(out, lead)  # a view of out
        _put3(_as3(v, lead), x3.shape, _as3(idx, lead), a, x3)
        return out
    return impl


# ---- np.average(x, axis=k, weights=w): the weights spread along the axis ---------------------
def weights_along(w, x, axis):
    """``w`` as an array shaped like ``x``: itself when shaped like ``x``, a 1-D ``w`` laid
    along ``axis`` (NumPy's rule for ``np.average``'s weights)."""
    w, shape = np.asarray(w, dtype=np.float64), np.shape(x)
    axis = axis_in.py_func(axis, len(shape))
    if w.shape == shape:
        return w.copy()
    if w.ndim != 1 or w.shape[0] != shape[axis]:
        raise ValueError("np.average: the weights must be shaped like the array, or 1-D as "
                         "long as its axis")
    return np.broadcast_to(np.expand_dims(w, [d for d in range(len(shape)) if d != axis]),
                           shape).copy()


def weights_along_grad(v, w, axis):
    """The adjoint of ``weights_along``: ``v`` (shaped like the array) back to ``w``'s shape."""
    v = np.asarray(v, dtype=np.float64)
    if np.shape(w) == v.shape:
        return v.copy()
    return lines(v, axis).sum(axis=0)


@overload(weights_along)
def _ol_weights_along(w, x, axis):
    if w.ndim == x.ndim:
        def same(w, x, axis):
            axis_in(axis, x.ndim)
            if w.shape != x.shape:
                raise ValueError("np.average: the weights must be shaped like the array")
            return w.copy()
        return same
    if w.ndim != 1:
        return None

    def impl(w, x, axis):
        a = axis_in(axis, x.ndim)
        if w.shape[0] != x.shape[a]:
            raise ValueError("np.average: 1-D weights must be as long as the array's axis")
        m = x.size // max(x.shape[a], 1)
        rows = np.empty((m, w.shape[0]))
        for r in range(m):
            rows[r, :] = w
        return unlines(rows, x, a)
    return impl


@overload(weights_along_grad)
def _ol_weights_along_grad(v, w, axis):
    if w.ndim == v.ndim:
        return lambda v, w, axis: np.ascontiguousarray(v).copy()

    def impl(v, w, axis):
        rows = lines(v, axis)
        out = np.zeros(rows.shape[1])
        for r in range(rows.shape[0]):
            out += rows[r, :]
        return out
    return impl
