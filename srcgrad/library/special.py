"""``scipy.special`` in srcgrad's subset: each shim computes what SciPy computes, stably, from
primitives with rules (``erf``, ``erfc``, ``gammaln``, ``digamma`` and ``gamma`` have rules of
their own: rules/table.py).

    scipy.special.expit(x)           ->  exp(-logaddexp(0, -x))   (no overflow either way)
    scipy.special.logsumexp(a, 1)    ->  m = max(a, 1, keepdims); log(sum(exp(a - m), 1)) + m
"""
import ast
import math

import numpy as np
import scipy.special as sp

from .. import runtime as rt
from . import NOT_LITERAL, chooser, given_args, literal, shim

LOG_SQRT_2PI = 0.9189385332046727  # log(2 pi) / 2
SQRT_HALF = 0.7071067811865476


@shim(sp.erf)
def erf(x):
    return rt.erf(x)


@shim(sp.erfc)
def erfc(x):
    return rt.erfc(x)


@shim(sp.gamma)
def gamma(x):
    return rt.gamma(x)


@shim(sp.gammaln)
def gammaln(x):
    return rt.lgamma(x)


@shim(sp.digamma, sp.psi)
def digamma(x):
    return rt.digamma(x)


@shim(sp.gammainc)
def gammainc(a, x):
    return rt.gammainc(a, x)


@shim(sp.gammaincc)
def gammaincc(a, x):
    return rt.gammaincc(a, x)


@shim(sp.betainc)
def betainc(a, b, x):
    return rt.betainc(a, b, x)


@shim(sp.expit)
def expit(x):
    return np.exp(-np.logaddexp(0.0, -x))


@shim(sp.log_expit)
def log_expit(x):
    return -np.logaddexp(0.0, -x)


@shim(sp.logit)
def logit(p):
    return np.log(p) - np.log1p(-p)


@shim(sp.xlogy)
def xlogy(x, y):
    """0 where x is 0 (even where y is 0), as SciPy; the derivative in x is log(y) there."""
    return x * np.log(np.where(np.logical_and(x == 0.0, y == 0.0), 1.0, y))


@shim(sp.xlog1py)
def xlog1py(x, y):
    return x * np.log1p(np.where(np.logical_and(x == 0.0, y == -1.0), 0.0, y))


@shim(sp.ndtr)
def ndtr(x):
    """The standard normal distribution function."""
    return 0.5 * rt.erfc(-x * SQRT_HALF)


@shim(sp.log_ndtr)
def log_ndtr(x):
    """log ndtr(x); below -20, where ndtr underflows, the asymptotic series (error < 1e-10).
    Each branch is evaluated where it is valid only, so neither gives the other a NaN."""
    lo = np.minimum(x, -20.0)
    z2 = 1.0 / (lo * lo)
    tail = -0.5 * lo * lo - np.log(-lo) - LOG_SQRT_2PI + np.log1p(
        z2 * (-1.0 + z2 * (3.0 + z2 * (-15.0 + z2 * 105.0))))
    return np.where(x < -20.0, tail, np.log(0.5 * rt.erfc(-np.maximum(x, -20.0) * SQRT_HALF)))


@shim(sp.betaln)
def betaln(a, b):
    return rt.lgamma(a) + rt.lgamma(b) - rt.lgamma(a + b)


# ---- logsumexp and the softmaxes: which shim depends on the arguments given ----------------
def logsumexp_all(a):
    m = np.max(a)
    if not math.isfinite(m):  # all -inf (or an inf): SciPy shifts by 0
        m = 0.0
    return m + np.log(np.sum(np.exp(a - m)))


def logsumexp_all_b(a, b):
    m = np.max(a)
    if not math.isfinite(m):
        m = 0.0
    return m + np.log(np.sum(b * np.exp(a - m)))


def logsumexp_axis_keep(a, axis):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m


def logsumexp_axis(a, axis):
    return np.sum(logsumexp_axis_keep(a, axis), axis=axis)  # the kept axis has length 1


def logsumexp_axis_b_keep(a, axis, b):
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    return np.log(np.sum(b * np.exp(a - m), axis=axis, keepdims=True)) + m


def logsumexp_axis_b(a, axis, b):
    return np.sum(logsumexp_axis_b_keep(a, axis, b), axis=axis)


def softmax_all(x):
    return np.exp(x - logsumexp_all(x))


def softmax_axis(x, axis):
    return np.exp(x - logsumexp_axis_keep(x, axis))


def log_softmax_all(x):
    return x - logsumexp_all(x)


def log_softmax_axis(x, axis):
    return x - logsumexp_axis_keep(x, axis)


_given = given_args


@chooser(sp.logsumexp)
def _logsumexp(args, kw):
    given, ok = _given(("a", "axis", "b", "keepdims", "return_sign"), args, kw)
    keep = literal(given.get("keepdims"), False)
    if not ok or "a" not in given:
        return "these arguments"
    if literal(given.get("return_sign"), False) is not False:
        return "return_sign=True (the sign has no derivative; leave it out)"
    if keep not in (True, False):
        return "keepdims that is not a literal True or False"
    axis, b = given.get("axis"), given.get("b")
    b = None if literal(b) is None else b
    if axis is None or literal(axis) is None:
        if keep:
            return "keepdims=True without an axis"
        return (logsumexp_all_b, [given["a"], b]) if b is not None else (logsumexp_all, [given["a"]])
    if literal(axis) is NOT_LITERAL or not isinstance(literal(axis), int):
        return f"axis={ast_text(axis)} (give one integer literal)"
    fn = {(False, False): logsumexp_axis, (True, False): logsumexp_axis_keep,
          (False, True): logsumexp_axis_b, (True, True): logsumexp_axis_b_keep}[(keep, b is not None)]
    return fn, [given["a"], axis] + ([b] if b is not None else [])


def _softmaxes(whole, along):
    def pick(args, kw):
        given, ok = _given(("x", "axis"), args, kw)
        if not ok or "x" not in given:
            return "these arguments"
        axis = given.get("axis")
        if axis is None or literal(axis) is None:
            return whole, [given["x"]]
        if not isinstance(literal(axis), int):
            return f"axis={ast_text(axis)} (give one integer literal)"
        return along, [given["x"], axis]
    return pick


chooser(sp.softmax)(_softmaxes(softmax_all, softmax_axis))
chooser(sp.log_softmax)(_softmaxes(log_softmax_all, log_softmax_axis))


def ast_text(node):
    return ast.unparse(node)
