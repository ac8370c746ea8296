"""Reductions and their derivatives: axis reductions Numba lacks, exact products with zeros,
ties of max/min, var/std with ddof, the adjoints of diff and sort."""
from .cached_numpy import np

from .broadcast import axis_in, literal_axis
from .jit import njit, overload

__all__ = ["prod_grad", "prod_grad_jvp", "extremum_mask", "extremum_mask_axis", "sum_axis",
           "mean_axis", "max_axis", "min_axis", "var_ddof", "std_ddof", "diff_grad", "unsort", "cumprod_grad", "cumprod_jvp",
           "cumprod_hvp", "norm1", "norminf", "norm2",
           "norm_axis", "prod_axis",
           "prod_axis_grad", "prod_axis_grad_jvp"]


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


def extremum_mask_axis(x, ans, axis):
    m = (x == np.expand_dims(ans, axis)) * 1.0
    return m / m.sum(axis=axis, keepdims=True)


def sum_axis(x, axis):
    return np.sum(x, axis=axis)


def mean_axis(x, axis):
    return np.mean(x, axis=axis)


def max_axis(x, axis):
    return np.max(x, axis=axis)


def prod_axis(x, axis):
    return np.prod(x, axis=axis)


def prod_axis_grad(x, axis):
    """d prod(x, axis) / d x, entry by entry (the product of the others along the axis),
    exact with zeros."""
    return np.apply_along_axis(prod_grad, axis, np.asarray(x, dtype=np.float64))


def prod_axis_grad_jvp(x, dx, axis):
    """``prod_grad_jvp`` along each line of the axis."""
    x, dx = np.asarray(x, dtype=np.float64), np.asarray(dx, dtype=np.float64)
    axis = axis_in.py_func(axis, x.ndim)
    xs, dxs = np.moveaxis(x, axis, -1), np.moveaxis(dx, axis, -1)
    out = np.empty(xs.shape)
    for k in np.ndindex(*xs.shape[:-1]):
        out[k] = prod_grad_jvp(xs[k], dxs[k])
    return np.moveaxis(out, -1, axis)


def min_axis(x, axis):
    return np.min(x, axis=axis)


def cumprod_grad(v, x):
    """The cotangent of ``x`` in ``np.cumprod(x)`` (1-D) from the result's cotangent ``v``:
    entry i is the sum over j >= i of v[j] times the product of x[:j+1] without x[i] (exact
    with zeros: no division)."""
    return _cumprod_grad(_flat(v), _flat(x))


def cumprod_jvp(x, dx):
    """The tangent of ``np.cumprod(x)`` along ``dx``."""
    return _cumprod_jvp(_flat(x), _flat(dx))


def cumprod_hvp(v, x, h):
    """The Hessian of ``v . cumprod(x)`` times ``h`` (symmetric): the derivative of
    ``cumprod_grad(v, x)`` along ``h``."""
    return _cumprod_hvp(_flat(v), _flat(x), _flat(h))


def norm1(x):
    """``np.linalg.norm(x, 1)`` of a vector: the sum of magnitudes."""
    return float(np.sum(np.abs(x)))


def norminf(x):
    """``np.linalg.norm(x, np.inf)`` of a vector: the largest magnitude."""
    return float(np.max(np.abs(x)))


def norm2(x):
    """``np.linalg.norm(x)``: a vector's 2-norm, a matrix's Frobenius norm.  Compiled, a
    vector not laid out contiguously is copied first: Numba 0.68's ``np.linalg.norm`` of a
    vector with a negative stride (``np.flip(x)``, ``x[::-1]``, ``M[::-1, 0]``) is wrong."""
    return float(np.linalg.norm(x))


def norm_axis(x, axis):
    """``np.linalg.norm(x, axis=axis)`` of a matrix: the 2-norms of its columns or rows."""
    return np.sqrt(np.sum(np.asarray(x) ** 2, axis=axis))


def _flat(a):
    return np.ascontiguousarray(a, dtype=np.float64)


@njit
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


@njit
def _cumprod_grad(v, x):
    n = x.shape[0]
    out = np.empty(n)
    s = 0.0
    for i in range(n - 1, -1, -1):  # s = sum_{j >= i} v[j] prod_{i < l <= j} x[l]
        s = v[i] + (x[i + 1] * s if i + 1 < n else 0.0)
        out[i] = s
    p = 1.0
    for i in range(n):  # times prod_{l < i} x[l]
        out[i] *= p
        p *= x[i]
    return out


@njit
def _cumprod_jvp(x, dx):
    n = x.shape[0]
    out = np.empty(n)
    y, dy = 1.0, 0.0
    for j in range(n):
        dy = dy * x[j] + y * dx[j]
        y *= x[j]
        out[j] = dy
    return out


@njit
def _cumprod_hvp(v, x, h):
    n = x.shape[0]
    out = np.zeros(n)
    for i in range(n):
        p, sd, acc = 1.0, 0.0, 0.0  # prod of x[:j+1] without x[i], and its derivative along h
        for j in range(n):
            if j != i:
                sd = sd * x[j] + p * h[j]
                p *= x[j]
            if j >= i:
                acc += v[j] * sd
        out[i] = acc
    return out


@njit
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


@overload(cumprod_grad)
def _ol_cumprod_grad(v, x):
    return lambda v, x: _cumprod_grad(np.ascontiguousarray(v), np.ascontiguousarray(x))


@overload(cumprod_jvp)
def _ol_cumprod_jvp(x, dx):
    return lambda x, dx: _cumprod_jvp(np.ascontiguousarray(x), np.ascontiguousarray(dx))


@overload(cumprod_hvp)
def _ol_cumprod_hvp(v, x, h):
    return lambda v, x, h: _cumprod_hvp(np.ascontiguousarray(v), np.ascontiguousarray(x),
                                        np.ascontiguousarray(h))


@overload(norm1)
def _ol_norm1(x):
    return lambda x: np.sum(np.abs(x))


@overload(norminf)
def _ol_norminf(x):
    return lambda x: np.max(np.abs(x))


@overload(norm2)
def _ol_norm2(x):
    if getattr(x, "ndim", 0) == 1 and x.layout != "C":
        return lambda x: np.linalg.norm(np.ascontiguousarray(x))
    return lambda x: np.linalg.norm(x)


@overload(norm_axis)
def _ol_norm_axis(x, axis):
    def impl(x, axis):
        return np.sqrt(sum_axis(x * x, axis))
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


@njit
def _combine(acc, v, kind):
    """One step of a reduction: 0 sum, 1 mean (a sum, divided at the end), 2 max, 3 min,
    4 prod."""
    if kind <= 1:
        return acc + v
    if kind == 4:
        return acc * v
    return max(acc, v) if kind == 2 else min(acc, v)


def _reduce2d(kind, fixed=None):
    """Reduce a 2-D array along ``axis``; along ``fixed`` when the call site's axis is a
    constant (``literal_axis``)."""
    if fixed is not None:
        def impl_fixed(x, axis):
            n_out = x.shape[1] if fixed == 0 else x.shape[0]
            n = x.shape[0] if fixed == 0 else x.shape[1]
            out = np.empty(n_out)
            for k in range(n_out):
                acc = x[0, k] if fixed == 0 else x[k, 0]
                if kind == 0 or kind == 1:
                    acc = 0.0
                elif kind == 4:
                    acc = 1.0
                for m in range(n):
                    acc = _combine(acc, x[m, k] if fixed == 0 else x[k, m], kind)
                out[k] = acc / n if kind == 1 else acc
            return out
        return impl_fixed

    def impl(x, axis):
        axis = axis_in(axis, 2)
        n_out = x.shape[1] if axis == 0 else x.shape[0]
        out = np.empty(n_out)
        for k in range(n_out):
            acc = x[0, k] if axis == 0 else x[k, 0]
            if kind == 0 or kind == 1:
                acc = 0.0
            elif kind == 4:
                acc = 1.0
            n = x.shape[0] if axis == 0 else x.shape[1]
            for m in range(n):
                acc = _combine(acc, x[m, k] if axis == 0 else x[k, m], kind)
            out[k] = acc / n if kind == 1 else acc
        return out
    return impl


def _register_reduction(fn, kind, full):
    @overload(fn, prefer_literal=True)
    def _ol(x, axis):
        if x.ndim == 1:
            def impl1(x, axis):
                axis_in(axis, 1)  # 0 or -1: anything else raises, as in NumPy
                return full(x)
            return impl1
        if x.ndim == 2:
            return _reduce2d(kind, literal_axis(axis, 2))
        return None  # 3-D: runtime/along.py


_register_reduction(sum_axis, 0, np.sum)


_register_reduction(mean_axis, 1, np.mean)


_register_reduction(max_axis, 2, np.max)


_register_reduction(min_axis, 3, np.min)
_register_reduction(prod_axis, 4, np.prod)


@overload(prod_axis_grad)
def _ol_prod_axis_grad(x, axis):
    if x.ndim > 2:
        return None  # runtime/along.py
    if x.ndim == 1:
        def impl1(x, axis):
            axis_in(axis, 1)
            return _prod_grad(np.ascontiguousarray(x))
        return impl1

    def impl(x, axis):
        axis = axis_in(axis, 2)
        out = np.empty(x.shape)
        for k in range(x.shape[1] if axis == 0 else x.shape[0]):
            if axis == 0:
                out[:, k] = _prod_grad(np.ascontiguousarray(x[:, k]))
            else:
                out[k, :] = _prod_grad(np.ascontiguousarray(x[k, :]))
        return out
    return impl


@overload(prod_axis_grad_jvp)
def _ol_prod_axis_grad_jvp(x, dx, axis):
    if x.ndim > 2:
        return None  # runtime/along.py
    if x.ndim == 1:
        return lambda x, dx, axis: _prod_grad_jvp(np.ascontiguousarray(x), np.ascontiguousarray(dx))

    def impl(x, dx, axis):
        axis = axis_in(axis, 2)
        out = np.empty(x.shape)
        for k in range(x.shape[1] if axis == 0 else x.shape[0]):
            if axis == 0:
                out[:, k] = _prod_grad_jvp(np.ascontiguousarray(x[:, k]),
                                           np.ascontiguousarray(dx[:, k]))
            else:
                out[k, :] = _prod_grad_jvp(np.ascontiguousarray(x[k, :]),
                                           np.ascontiguousarray(dx[k, :]))
        return out
    return impl


@overload(extremum_mask_axis, prefer_literal=True)
def _ol_extremum_mask_axis(x, ans, axis):
    if x.ndim != 2:
        return None  # 3-D: runtime/along.py
    fixed = literal_axis(axis, 2)
    if fixed is not None:
        def impl_fixed(x, ans, axis):
            m = np.zeros(x.shape)
            cnt = np.zeros(x.shape[1] if fixed == 0 else x.shape[0])
            for i in range(x.shape[0]):
                for j in range(x.shape[1]):
                    k = j if fixed == 0 else i
                    if x[i, j] == ans[k]:
                        m[i, j] = 1.0
                        cnt[k] += 1.0
            for i in range(x.shape[0]):
                for j in range(x.shape[1]):
                    m[i, j] /= cnt[j if fixed == 0 else i]
            return m
        return impl_fixed

    def impl(x, ans, axis):
        axis = axis_in(axis, 2)
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
