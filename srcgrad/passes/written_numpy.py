"""Normalize, NumPy functions srcgrad writes in its own subset and inlines at the call.

    X, Y = np.meshgrid(x, y)       ->  xs = x.ravel(); ys = y.ravel()
                                       X = np.broadcast_to(xs[None, :], (len(ys), len(xs))).copy()
                                       Y = np.broadcast_to(ys[:, None], (len(ys), len(xs))).copy()
    np.percentile(x, q)            ->  the two neighbouring entries of np.sort(x.ravel()),
    np.quantile(x, q)                  interpolated as NumPy interpolates them

Each is a small Python function below, written with operations that have derivative rules,
so its derivative is theirs: ``meshgrid`` passes each grid's cotangent back summed over the
axis it was repeated along; a percentile's goes to the one or two order statistics it reads.
NumPy's values are kept exactly: ``meshgrid`` copies (``copy=True``, its default);
``percentile`` computes the virtual index ``(q / 100) * (n - 1)`` and NumPy's linear
interpolation (``b - (b - a) * (1 - t)`` from ``t >= 0.5``), and is NaN when the array holds
one, as NumPy's is.

Refused at the call, saying what to write: ``meshgrid`` of other than two arrays, or with
``sparse=True``/``copy=False``; a percentile of an array of percentiles, along an axis, or
with a method other than the default (linear).
"""
import ast
import math

import numpy as np

from ..frontend.source import read_source
from . import einsum


def meshgrid_xy(x, y):
    """``np.meshgrid(x, y)``: ``X[i, j] = x[j]``, ``Y[i, j] = y[i]``."""
    xs = x.ravel()
    ys = y.ravel()
    X = np.broadcast_to(xs[None, :], (ys.shape[0], xs.shape[0])).copy()
    Y = np.broadcast_to(ys[:, None], (ys.shape[0], xs.shape[0])).copy()
    return X, Y


def meshgrid_ij(x, y):
    """``np.meshgrid(x, y, indexing="ij")``: ``X[i, j] = x[i]``, ``Y[i, j] = y[j]``."""
    xs = x.ravel()
    ys = y.ravel()
    X = np.broadcast_to(xs[:, None], (xs.shape[0], ys.shape[0])).copy()
    Y = np.broadcast_to(ys[None, :], (xs.shape[0], ys.shape[0])).copy()
    return X, Y


def quantile_of_sorted(s, v):
    """Entry ``v`` (a virtual index, 0 to n - 1) of the sorted ``s``: NumPy's linear
    interpolation between its two neighbours; NaN when ``s`` holds one (sorted last)."""
    n = s.shape[0]
    if np.isnan(s[n - 1]):
        return s[n - 1]
    lo = int(math.floor(v))
    hi = min(lo + 1, n - 1)
    t = v - lo
    a = s[lo]
    d = s[hi] - a
    if t >= 0.5:
        return s[hi] - d * (1.0 - t)
    return a + d * t


def percentile(x, q):
    """``np.percentile(x, q)`` of one percentile ``q`` (0 to 100), over the whole array."""
    if q < 0.0 or q > 100.0:
        raise ValueError("Percentiles must be in the range [0, 100]")
    return quantile_of_sorted(np.sort(x.ravel()), (q / 100.0) * (x.size - 1))


def quantile(x, q):
    """``np.quantile(x, q)`` of one quantile ``q`` (0 to 1), over the whole array."""
    if q < 0.0 or q > 1.0:
        raise ValueError("Quantiles must be in the range [0, 1]")
    return quantile_of_sorted(np.sort(x.ravel()), q * (x.size - 1))


WRITTEN = {np.meshgrid: "meshgrid", np.percentile: "percentile", np.quantile: "quantile"}
_FUNCTIONS = {"meshgrid_xy": meshgrid_xy, "meshgrid_ij": meshgrid_ij, "percentile": percentile,
              "quantile": quantile}


def _bind(e, names, defaults):
    """{name: node} of the call's arguments (positional, then keywords), or None when one is
    given twice, unknown, or missing."""
    if len(e.args) > len(names):
        return None
    given = dict(zip(names, e.args))
    for k in e.keywords:
        if k.arg is None or k.arg in given or k.arg not in names:
            return None
        given[k.arg] = k.value
    for name, value in defaults.items():
        given.setdefault(name, ast.Constant(value))
    return given if set(given) == set(names) else None


def _literal(node, *allowed):
    return isinstance(node, ast.Constant) and any(node.value == a and type(node.value) is
                                                  type(a) for a in allowed)


class WrittenNumpy:
    """Mixed into the normalizer."""

    def written_call(self, obj, e, out):
        name = ast.unparse(e.func)
        kind = WRITTEN[obj]
        if kind == "meshgrid":
            if len(e.args) != 2:
                self.fail(e, f"{name}() of {len(e.args)} arrays",
                          "pass two arrays (a grid of more axes: np.broadcast_to each one "
                          "with None for the other axes).")
            given = _bind(ast.Call(e.func, [], e.keywords), ["indexing", "sparse", "copy"],
                          {"indexing": "xy", "sparse": False, "copy": True})
            ok = given is not None and _literal(given["sparse"], False) \
                and _literal(given["copy"], True) and _literal(given["indexing"], "xy", "ij")
            if not ok:
                self.fail(e, f"{name}() with these arguments",
                          "pass two arrays, and indexing='xy' or 'ij' as a literal at most "
                          "(sparse=True and copy=False are not supported).")
            fn = "meshgrid_" + given["indexing"].value
            return self._written(fn, list(e.args), e, out)
        given = _bind(e, ["a", "q", "axis", "method"], {"axis": None, "method": "linear"})
        if given is None or not _literal(given["axis"], None) \
                or not _literal(given["method"], "linear") \
                or isinstance(given["q"], (ast.List, ast.Tuple)):
            self.fail(e, f"{name}() with these arguments",
                      f"pass the array and one {kind} (a number), over the whole array "
                      "(no axis=, and the default method); for several, call it once each.")
        return self._written(kind, [given["a"], given["q"]], e, out, check_q=True)

    def _written(self, fn, args, e, out, check_q=False):
        if check_q:  # the percentile must be a number: its kind, from the kinds pass
            key = (self.src.filename, e.lineno, e.col_offset)
            kinds = (self.ranks or {}).get(key)
            if kinds is None:  # the first normalization: a placeholder for the kinds pass
                node = ast.copy_location(ast.Call(ast.Name("library_call", ast.Load()),
                                                  [self.atom(a, out) for a in args], []), e)
                node.rank_site, node.rank_origin = key, (self.src, e)
                node.library_kind = lambda kinds: ("s", "f") if all(kinds) else None
                return node
            if kinds[1] is None or kinds[1][0] != "s":
                self.fail(e, f"{ast.unparse(e.func)}() of an array of {fn}s",
                          f"pass one {fn} (a number); for several, call it once each.")
        source = read_source(_FUNCTIONS[fn])
        callee = einsum.located_source(ast.unparse(source.tree), e, self.src,
                                       namespace=source.namespace)
        return self.inline_source(callee, fn, args, out)
