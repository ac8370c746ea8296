"""Built on the rows of an axis (runtime/along.py ``lines``/``unlines``): reductions along an
axis of a 3-D array (the 1-D and 2-D ones: runtime/reductions.py), ``np.take_along_axis`` and
its adjoint, and ``np.average``'s weights laid along an axis."""
from .cached_numpy import np

from .along import lines, unlines
from .broadcast import axis_in, expand_axis
from .jit import overload
from .reductions import (_combine, _prod_grad, _prod_grad_jvp, extremum_mask_axis, max_axis,
                         mean_axis, min_axis, prod_axis, prod_axis_grad, prod_axis_grad_jvp,
                         sum_axis)

__all__ = ["take_along", "put_along", "weights_along", "weights_along_grad"]


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
                acc = _combine(acc, rows[r, j], kind)
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
