"""NumPy's ``np.gradient`` of a 1-D array in srcgrad's subset (loaded with NumPy, always).

    np.gradient(f)      ->  central differences inside, (f[2:] - f[:-2]) / 2, one-sided at
    np.gradient(f, h)       the two ends, (f[1] - f[0]) and (f[-1] - f[-2]), over the spacing h
    np.gradient(f, x)   ->  at points x: NumPy's second-order weights inside (unequal steps
                            d1 = x[i] - x[i-1], d2 = x[i+1] - x[i]), one-sided at the ends

The result is linear in ``f``, and smooth in ``h`` and ``x``, so both modes and Hessians follow
from the primitives.  ``f`` 1-D with at least two points (NumPy's own minimum for
``edge_order=1``), the spacing a number or the points 1-D of ``f``'s length (the shim is picked
by the kinds pass, as ``np.interp``'s); ``edge_order=2``, ``axis=`` and several spacings are
refused at the call, and a ``f`` of rank 2 or more too (NumPy returns one array per axis).
"""
import ast

import numpy as np

from . import chooser, given_args, literal


def gradient_h(f, h):
    if f.ndim != 1 or f.shape[0] < 2:
        raise ValueError("np.gradient: srcgrad differences a 1-D f of at least 2 points")
    n = f.shape[0]
    out = np.zeros(n)
    out[1:n - 1] = (f[2:] - f[:n - 2]) / (2.0 * h)
    out[0] = (f[1] - f[0]) / h
    out[n - 1] = (f[n - 1] - f[n - 2]) / h
    return out


def gradient_x(f, x):
    if f.ndim != 1 or x.ndim != 1 or f.shape[0] < 2 or x.shape[0] != f.shape[0]:
        raise ValueError("np.gradient: srcgrad differences a 1-D f at 1-D points x of its "
                         "length, at least 2")
    n = f.shape[0]
    d1 = x[1:n - 1] - x[:n - 2]
    d2 = x[2:] - x[1:n - 1]
    out = np.zeros(n)
    out[1:n - 1] = (-d2 / (d1 * (d1 + d2)) * f[:n - 2] + (d2 - d1) / (d1 * d2) * f[1:n - 1]
                    + d1 / (d2 * (d1 + d2)) * f[2:])
    out[0] = (f[1] - f[0]) / (x[1] - x[0])
    out[n - 1] = (f[n - 1] - f[n - 2]) / (x[n - 1] - x[n - 2])
    return out


_GRADIENT = ("f", "spacing", "axis", "edge_order")


@chooser(np.gradient, ranks=(_GRADIENT, ("f", "spacing"), lambda kinds: ("a", 1, "f")))
def _gradient(args, kw, kinds):
    given, ok = given_args(_GRADIENT, args, kw)
    if not ok or "f" not in given or "spacing" in kw:  # (NumPy's spacings are positional)
        return "these arguments (one spacing: several are for an f of several axes)"
    if literal(given.get("axis")) is not None or literal(given.get("edge_order"), 1) != 1:
        return "axis= or edge_order=2 (srcgrad differences a 1-D f to first order at its ends)"
    fk = kinds.get("f")
    if fk is None or fk[0] != "a" or fk[1] != 1:
        return "an f that is not 1-D (NumPy returns one array per axis: pass one row, f[k])"
    sk = kinds.get("spacing")
    if "spacing" not in given:
        return gradient_h, [given["f"], ast.Constant(1.0)]
    if sk is not None and sk[0] == "a":
        return gradient_x, [given["f"], given["spacing"]]
    return gradient_h, [given["f"], given["spacing"]]
