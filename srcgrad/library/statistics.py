"""NumPy's covariance, correlation and NaN-skipping reductions in srcgrad's subset (loaded
with NumPy, always).

    np.cov(m)         ->  X = m - np.mean(m, axis=1, keepdims=True);  X @ X.T / (n - ddof)
    np.corrcoef(m)    ->  c = cov(m);  s = np.sqrt(np.diag(c));  c / s[:, None] / s[None, :]
    np.nansum(a)      ->  np.sum(np.where(np.isnan(a), 0.0, a))

Each is NumPy's formula written with primitives, so both modes, Hessians and Numba follow.

``np.cov(m, y=None, rowvar=True, bias=False, ddof=None)``: ``m`` 2-D (one variable a row,
or a column with ``rowvar=False``), or 1-D with ``y`` (``np.cov(x, y)``, a 2 x 2 matrix);
``rowvar``, ``bias`` and ``ddof`` literals.  NumPy squeezes the result, so the covariance
of one variable is a 0-d array there: that raises ``ValueError`` here (write
``np.var(x, ddof=1)``), as would a shape that depends on the data.  ``fweights``,
``aweights`` and ``dtype`` are refused at the call.  ``np.corrcoef`` likewise, clipped to
[-1, 1] as NumPy's.

``np.nansum``, ``np.nanmean`` (with ``axis=`` a literal and ``keepdims=``), ``np.nanmax``,
``np.nanmin`` (the whole array): NaNs count as absent and get derivative zero; an all-NaN
``nanmax``/``nanmin``/``nanmean`` is NaN, as NumPy's.
"""
import ast

import numpy as np

from . import NOT_LITERAL, chooser, given_args, literal


def cov_rows(m, ddof):
    X = np.atleast_2d(m)  # (a 1-D m transforms, and raises below)
    if m.ndim != 2 or X.shape[0] < 2:
        raise ValueError("np.cov and np.corrcoef of one variable are 0-d arrays in NumPy: "
                         "srcgrad needs two or more (for one, write np.var(x, ddof=1))")
    Xc = X - np.mean(X, axis=1, keepdims=True)
    return (Xc @ Xc.T) / max(X.shape[1] - ddof, 0)  # (NumPy: no fewer than 0 degrees)


def cov_cols(m, ddof):
    return cov_rows(m.T, ddof)


def cov_pair(m, y, ddof):
    return cov_rows(np.vstack((np.atleast_2d(m), np.atleast_2d(y))), ddof)


def _unit(c):
    s = np.sqrt(np.diag(c))
    return np.clip(c / s[:, None] / s[None, :], -1.0, 1.0)


def corrcoef_rows(m):
    return _unit(cov_rows(m, 1))


def corrcoef_cols(m):
    return _unit(cov_cols(m, 1))


def corrcoef_pair(m, y):
    return _unit(cov_pair(m, y, 1))


def _covariance(corr):
    names = ("m", "y", "rowvar") if corr else ("m", "y", "rowvar", "bias", "ddof")

    def pick(args, kw):
        given, ok = given_args(names, args, kw)
        if not ok or "m" not in given:
            return "these arguments"
        rowvar = literal(given.get("rowvar"), True)
        if rowvar not in (True, False):
            return "rowvar that is not a literal True or False"
        ddof = None if corr else literal(given.get("ddof"), None)
        bias = False if corr else literal(given.get("bias"), False)
        if bias not in (True, False, 0, 1) or ddof is NOT_LITERAL or not (
                ddof is None or isinstance(ddof, int)):
            return "bias or ddof that is not a literal"
        ddof = ast.Constant((0 if bias else 1) if ddof is None else ddof)
        y = None if literal(given.get("y")) is None else given["y"]
        if y is not None:
            if not rowvar:
                return "y and rowvar=False (pass np.vstack((m.T, y.T)) with rowvar=True)"
            return (corrcoef_pair, [given["m"], y]) if corr else (cov_pair, [given["m"], y, ddof])
        if corr:
            return (corrcoef_rows if rowvar else corrcoef_cols), [given["m"]]
        return (cov_rows if rowvar else cov_cols), [given["m"], ddof]
    return pick


chooser(np.cov)(_covariance(False))
chooser(np.corrcoef)(_covariance(True))


def nansum(a):
    return np.sum(np.where(np.isnan(a), 0.0, a))


def nansum_axis(a, axis):
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis)


def nansum_axis_keep(a, axis):
    return np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=True)


def nanmean(a):
    return np.sum(np.where(np.isnan(a), 0.0, a)) / np.sum(np.where(np.isnan(a), 0.0, 1.0))


def nanmean_axis(a, axis):
    return (np.sum(np.where(np.isnan(a), 0.0, a), axis=axis)
            / np.sum(np.where(np.isnan(a), 0.0, 1.0), axis=axis))


def nanmean_axis_keep(a, axis):
    return (np.sum(np.where(np.isnan(a), 0.0, a), axis=axis, keepdims=True)
            / np.sum(np.where(np.isnan(a), 0.0, 1.0), axis=axis, keepdims=True))


def nanmax(a):
    return np.max(np.where(np.isnan(a), -np.inf, a)) + (np.nan if np.all(np.isnan(a)) else 0.0)


def nanmin(a):
    return np.min(np.where(np.isnan(a), np.inf, a)) + (np.nan if np.all(np.isnan(a)) else 0.0)


def _skipping(whole, along):
    def pick(args, kw):
        given, ok = given_args(("a", "axis", "dtype", "out", "keepdims"), args, kw)
        if not ok or "a" not in given or literal(given.get("dtype")) is not None \
                or literal(given.get("out")) is not None:
            return "these arguments"
        axis, keep = literal(given.get("axis")), literal(given.get("keepdims"), False)
        if keep not in (True, False):
            return "keepdims that is not a literal True or False"
        if axis is None and not keep:
            return whole, [given["a"]]
        if along is None:
            return "axis= or keepdims= (srcgrad takes the whole array here)"
        if not isinstance(axis, int) or isinstance(axis, bool):
            return "an axis that is not one integer literal"
        return along[keep], [given["a"], given["axis"]]
    return pick


chooser(np.nansum)(_skipping(nansum, (nansum_axis, nansum_axis_keep)))
chooser(np.nanmean)(_skipping(nanmean, (nanmean_axis, nanmean_axis_keep)))
chooser(np.nanmax)(_skipping(nanmax, None))
chooser(np.nanmin)(_skipping(nanmin, None))
