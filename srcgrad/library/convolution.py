"""NumPy's discrete convolution and correlation of two 1-D arrays in srcgrad's subset
(loaded with NumPy, always).

    np.convolve(a, v, mode)  ->  out = np.zeros(n + m - 1)
                                 out[i + j] += a[i] * v[j]  for every i, j   (then a slice)

The full convolution is a double loop adding into the output, so both modes, Hessians and
Numba follow from the primitives: the adjoint in ``a`` is the correlation of the cotangent
with ``v``, and in ``v`` with ``a``.  ``mode`` ("full", "same", "valid"; NumPy's defaults:
"full" for ``convolve``, "valid" for ``correlate``) must be a string literal, and picks the
slice of the full result NumPy returns.  ``np.correlate(a, v)`` is the convolution of ``a``
with ``v`` reversed; for "same" NumPy centres it differently when ``v`` is the longer one,
and so do these.  An empty ``a`` or ``v`` raises ``ValueError``, as NumPy's does.
"""
import numpy as np

from . import NOT_LITERAL, chooser, given_args, literal


def full_convolution(a, v):
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError("object too deep for desired array (srcgrad's np.convolve and "
                         "np.correlate take 1-D arrays, as NumPy's)")
    n = a.shape[0]
    m = v.shape[0]
    if n == 0 or m == 0:
        raise ValueError("v cannot be empty")
    out = np.zeros(n + m - 1)
    for i in range(n):
        for j in range(m):
            out[i + j] += a[i] * v[j]
    return out


def convolve_same(a, v):
    out = full_convolution(a, v)
    lo = min(a.shape[0], v.shape[0])
    start = (lo - 1) // 2
    return out[start:start + max(a.shape[0], v.shape[0])]


def convolve_valid(a, v):
    out = full_convolution(a, v)
    return out[min(a.shape[0], v.shape[0]) - 1:max(a.shape[0], v.shape[0])]


def correlate_full(a, v):
    return full_convolution(a, v[::-1])


def correlate_valid(a, v):
    return convolve_valid(a, v[::-1])


def correlate_same(a, v):
    out = full_convolution(a, v[::-1])
    lo = min(a.shape[0], v.shape[0])
    start = (lo - 1) // 2 if a.shape[0] >= v.shape[0] else lo // 2
    return out[start:start + max(a.shape[0], v.shape[0])]


def _by_mode(shims, default):
    def pick(args, kw):
        given, ok = given_args(("a", "v", "mode"), args, kw)
        if not ok or "a" not in given or "v" not in given:
            return "these arguments"
        mode = literal(given.get("mode"), default)
        if mode is NOT_LITERAL or mode not in shims:
            return "a mode that is not one of the literals 'full', 'same', 'valid'"
        return shims[mode], [given["a"], given["v"]]
    return pick


chooser(np.convolve)(_by_mode({"full": full_convolution, "same": convolve_same,
                               "valid": convolve_valid}, "full"))
chooser(np.correlate)(_by_mode({"full": correlate_full, "same": correlate_same,
                                "valid": correlate_valid}, "valid"))
