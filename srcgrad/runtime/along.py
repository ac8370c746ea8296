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
from .cached_numpy import np

from .broadcast import axis_in
from .jit import overload
from .reductions import _cumprod_grad, _cumprod_hvp, _cumprod_jvp

__all__ = ["lines", "unlines", "cumsum_rows", "cumprod_rows", "cumprod_rows_grad",
           "cumprod_rows_jvp", "cumprod_rows_hvp", "diff_rows", "diff_rows_grad", "sort_rows",
           "partition_rows", "gather_rows", "scatter_rows", "flip_rows", "roll_rows",
           "repeat_rows", "unrepeat_rows"]


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
