"""NumPy's piecewise-linear interpolation and trapezoidal integration in srcgrad's subset
(loaded with NumPy, always).

    np.interp(x, xp, fp)  ->  j = np.searchsorted(xp, x, side="right") - 1   (clamped)
                              step = xp[j + 1] - xp[j]  # 0 only for a repeated last knot, whose value np.where drops:
    t = (x - xp[j]) / np.where(step == 0.0, 1.0, step)  # 1 there, or its gradient is NaN
                              fp[j] + t * (fp[j + 1] - fp[j]), fp[0] / fp[-1] outside

The interval index is an integer (no derivative); the value is linear in ``fp`` and, between
two knots, in ``x`` and ``xp``, so every derivative follows from the primitives, in both
modes and to any order.  At a knot the derivative in ``x`` is the right-hand interval's
slope (the function has a kink there); outside ``[xp[0], xp[-1]]`` it is zero, as the value
is constant.  ``x`` is a number or an array of any shape (of rank 2 or more: raveled,
interpolated, and reshaped, a shim the kinds pass picks by its rank), ``xp`` (increasing, as NumPy
requires but does not check) and ``fp`` 1-D with at least two points; ``left=`` and
``right=`` replace the end values, as NumPy's; ``period=`` is refused at the call.

    np.trapezoid(y, x=None, dx=1.0)  ->  sum of (y[1:] + y[:-1]) / 2 times the steps

``y`` 1-D (a 2-D ``y`` raises ``ValueError``; ``axis=`` is refused at the call), ``x`` the
sample points or ``dx`` their spacing; ``np.trapz``, its older name, too.
"""
import ast

import numpy as np

from . import chooser, given_args, literal


def interp(x, xp, fp):
    if xp.ndim != 1 or fp.ndim != 1:
        raise ValueError("np.interp: xp and fp must be 1-D")
    n = xp.shape[0]
    if n < 2 or fp.shape[0] != n:
        raise ValueError("np.interp: srcgrad needs xp and fp of one length, at least 2")
    j = np.searchsorted(xp, x, side="right") - 1
    j = np.minimum(np.maximum(j, 0), n - 2)
    step = xp[j + 1] - xp[j]  # 0 only for a repeated last knot, whose value np.where drops:
    t = (x - xp[j]) / np.where(step == 0.0, 1.0, step)  # 1 there, or its gradient is NaN
    y = fp[j] + t * (fp[j + 1] - fp[j])
    y = np.where(x < xp[0], fp[0], y)
    return np.where(x >= xp[n - 1], fp[n - 1], y)


def interp_left(x, xp, fp, left):
    return np.where(x < xp[0], left, interp(x, xp, fp))


def interp_right(x, xp, fp, right):
    return np.where(x > xp[xp.shape[0] - 1], right, interp(x, xp, fp))


def interp_left_right(x, xp, fp, left, right):
    return np.where(x > xp[xp.shape[0] - 1], right, interp_left(x, xp, fp, left))


# x of rank 2 or more: its entries in a row, interpolated, and put back in x's shape
def interp_nd(x, xp, fp):
    return np.reshape(interp(np.ravel(x), xp, fp), x.shape)


def interp_left_nd(x, xp, fp, left):
    return np.reshape(interp_left(np.ravel(x), xp, fp, left), x.shape)


def interp_right_nd(x, xp, fp, right):
    return np.reshape(interp_right(np.ravel(x), xp, fp, right), x.shape)


def interp_left_right_nd(x, xp, fp, left, right):
    return np.reshape(interp_left_right(np.ravel(x), xp, fp, left, right), x.shape)


_ND = {interp: interp_nd, interp_left: interp_left_nd, interp_right: interp_right_nd,
       interp_left_right: interp_left_right_nd}


def _float_like(kinds, name):
    k = kinds.get(name)
    return ("a", k[1], "f") if k is not None and k[0] == "a" else ("s", "f")


_INTERP = ("x", "xp", "fp", "left", "right", "period")


@chooser(np.interp, ranks=(_INTERP, ("x", "left", "right"),
                           lambda kinds: _float_like(kinds, "x")))
def _interp(args, kw, kinds):
    if any(k is not None and k[0] != "s" for k in (kinds.get("left"), kinds.get("right"))):
        return "left= or right= that is not one number"
    picked = _interp_1d(args, kw)
    k = kinds.get("x")
    if k is not None and k[0] == "a" and k[1] >= 2 and not isinstance(picked, str):
        return _ND[picked[0]], picked[1]
    return picked


def _interp_1d(args, kw):
    given, ok = given_args(_INTERP, args, kw)
    if not ok or not {"x", "xp", "fp"} <= set(given):
        return "these arguments"
    if literal(given.get("period")) is not None:
        return "period= (write the periodic wrap yourself: x % period, and the knots extended)"
    left, right = (None if literal(given.get(k)) is None else given[k] for k in ("left", "right"))
    head = [given["x"], given["xp"], given["fp"]]
    if left is None and right is None:
        return interp, head
    if right is None:
        return interp_left, head + [left]
    if left is None:
        return interp_right, head + [right]
    return interp_left_right, head + [left, right]


def trapezoid_dx(y, dx):
    if y.ndim != 1:
        raise ValueError("np.trapezoid: srcgrad integrates a 1-D y (pass one row, y[k])")
    return dx * (np.sum(y[1:] + y[:-1]) / 2.0)


def trapezoid_x(y, x):
    if y.ndim != 1 or x.ndim != 1:
        raise ValueError("np.trapezoid: srcgrad integrates a 1-D y at 1-D points x")
    return np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0)


def _trapezoid(args, kw):
    given, ok = given_args(("y", "x", "dx", "axis"), args, kw)
    if not ok or "y" not in given:
        return "these arguments"
    if literal(given.get("axis"), -1) != -1:
        return "axis= (srcgrad integrates a 1-D y: pass one row, y[k])"
    if literal(given.get("x")) is not None:
        return trapezoid_x, [given["y"], given["x"]]
    dx = given.get("dx")
    return trapezoid_dx, [given["y"], dx if dx is not None else ast.Constant(1.0)]


for _f in (getattr(np, "trapezoid", None), getattr(np, "trapz", None)):
    if _f is not None:
        chooser(_f)(_trapezoid)
