"""Small helpers that generated code calls.  Each is a Numba-compiled function; the Python
backend calls their ``.py_func``.  Kept few and small, so generated code stays readable."""
import numba
import numpy as np

__all__ = ["unbroadcast", "prod_grad", "extremum_mask", "expand_axis", "extremum_mask_axis"]


@numba.njit(cache=False)
def unbroadcast(g, x):
    """Sum the cotangent ``g`` of a broadcast result back to the shape of array ``x``."""
    if g.shape == x.shape:
        return g
    out = np.zeros(x.shape)
    flat_out = out.reshape(x.size)
    gc = np.ascontiguousarray(g).reshape(g.size)
    off = g.ndim - x.ndim
    for f in range(g.size):
        rem = f
        xf = 0
        stride = 1
        for k in range(g.ndim - 1, -1, -1):
            ik = rem % g.shape[k]
            rem //= g.shape[k]
            if k >= off:
                xk = k - off
                if x.shape[xk] != 1:
                    xf += ik * stride
                stride *= x.shape[xk]
        flat_out[xf] += gc[f]
    return out


@numba.njit(cache=False)
def prod_grad(x):
    """d prod(x) / d x, exact when some entries are zero (no division)."""
    flat = np.ascontiguousarray(x).reshape(x.size)
    n = flat.size
    out = np.empty(n)
    acc = 1.0
    for k in range(n):
        out[k] = acc
        acc *= flat[k]
    acc = 1.0
    for k in range(n - 1, -1, -1):
        out[k] *= acc
        acc *= flat[k]
    return out.reshape(x.shape)


@numba.njit(cache=False)
def extremum_mask(x, ans):
    """Where x equals its max (or min) ``ans``, 1/count; ties share the cotangent."""
    m = (x == ans) * 1.0
    return m / m.sum()


@numba.njit(cache=False)
def expand_axis(g, x, axis):
    """Broadcast ``g`` (2-D ``x`` reduced over ``axis``) back to x's shape."""
    out = np.empty(x.shape)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = g[j] if axis == 0 else g[i]
    return out


@numba.njit(cache=False)
def extremum_mask_axis(x, ans, axis):
    """Like extremum_mask, along ``axis`` of a 2-D array: ties share the cotangent."""
    m = np.zeros(x.shape)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            if x[i, j] == (ans[j] if axis == 0 else ans[i]):
                m[i, j] = 1.0
    cnt = np.zeros(x.shape[1] if axis == 0 else x.shape[0])
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            cnt[j if axis == 0 else i] += m[i, j]
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            m[i, j] /= cnt[j if axis == 0 else i]
    return m


def python_namespace():
    """The helpers as plain Python (for backend="python")."""
    return {name: globals()[name].py_func for name in __all__}


def numba_namespace():
    return {name: globals()[name] for name in __all__}
