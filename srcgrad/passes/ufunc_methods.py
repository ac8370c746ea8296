"""Normalize, NumPy ufunc methods: written as the calls they equal.

    np.add.reduce(x)              ->  np.sum(x, axis=0)      (reduce's axis is 0 by default)
    np.multiply.reduce(x, 1)      ->  np.prod(x, axis=1)
    np.maximum.reduce(x, axis=None)  ->  np.max(x)
    np.add.accumulate(x)          ->  np.cumsum(x, axis=0)
    np.multiply.accumulate(x, 1)  ->  np.cumprod(x, axis=1)
    np.subtract.outer(a, b)       ->  np.subtract(a[:, None], b)      (a and b 1-D)
    np.exp is not a method: np.add.outer(A, b), A 2-D, b 1-D  ->  np.add(A[:, :, None], b)

``np.maximum.accumulate`` and ``np.minimum.accumulate`` of a 1-D array are the running
extremum, a loop inlined at the call.  ``outer`` needs the operands' ranks (every axis of ``b`` is a new trailing axis of ``a``):
its first normalization is a placeholder whose kind the kinds pass reads (as
``np.tensordot``'s, rank a + rank b), the second writes the call.  Any binary ufunc with a
derivative rule takes ``outer``; ``reduce`` and ``accumulate`` take the ufuncs that have a
NumPy reduction of their own.  Other ufuncs and methods (``np.logaddexp.reduce``,
``reduceat``), ``np.maximum.accumulate`` of a matrix, and ``dtype=``, ``out=``, ``initial=`` or
``where=``, are refused at the call, saying what to write.
"""
import ast

import numpy as np

from ..frontend.source import read_source
from ..rules.table import CALLS
from . import einsum

_REDUCE = {np.add: "sum", np.multiply: "prod", np.maximum: "max", np.minimum: "min"}
_ACCUMULATE = {np.add: "cumsum", np.multiply: "cumprod"}


def maximum_accumulate(x):
    """``np.maximum.accumulate`` of a 1-D array: the running maximum (a NaN carried on, as
    ``np.maximum`` carries it)."""
    out = np.zeros(x.shape[0])
    if x.shape[0] > 0:
        m = x[0]
        out[0] = m
        for i in range(1, x.shape[0]):
            m = np.maximum(m, x[i])
            out[i] = m
    return out


def minimum_accumulate(x):
    """``np.minimum.accumulate`` of a 1-D array: the running minimum."""
    out = np.zeros(x.shape[0])
    if x.shape[0] > 0:
        m = x[0]
        out[0] = m
        for i in range(1, x.shape[0]):
            m = np.minimum(m, x[i])
            out[i] = m
    return out


_RUNNING = {np.maximum: maximum_accumulate, np.minimum: minimum_accumulate}
METHODS = ("reduce", "accumulate", "outer")


def ufunc_method(e, resolve):
    """(ufunc, method) of a call ``np.<ufunc>.<method>(...)`` of one of METHODS, else None."""
    f = e.func if isinstance(e, ast.Call) else None
    if not (isinstance(f, ast.Attribute) and f.attr in METHODS):
        return None
    try:
        u = resolve(f.value)
    except Exception:  # noqa: BLE001 -- not a name this module knows
        return None
    return (u, f.attr) if isinstance(u, np.ufunc) else None


def _array_axis(e, more):
    """{"array": ..., "axis": ...} (and the keywords ``more``) of a reduce or accumulate
    call, positional or by keyword; None for anything else, or a name given twice (a
    TypeError in NumPy)."""
    given = dict(zip(("array", "axis"), e.args))
    if len(e.args) > 2 or any(k.arg in given for k in e.keywords):
        return None
    given.update({k.arg: k.value for k in e.keywords})
    return given if "array" in given and not set(given) - {"array", "axis"} - more else None


def _np(name, like):
    return ast.copy_location(ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load()), like)


class UfuncMethods:
    """Mixed into the normalizer."""

    def ufunc_method_call(self, e, out):
        u, method = ufunc_method(e, self.src.resolve)
        name = ast.unparse(e.func)
        if method == "outer":
            return self._ufunc_outer(u, e, name, out)
        if method == "accumulate" and u in _RUNNING:
            return self._running(u, e, name, out)
        table = _REDUCE if method == "reduce" else _ACCUMULATE
        if u not in table:
            what = {"reduce": "np.sum, np.prod, np.max or np.min",
                    "accumulate": "np.cumsum or np.cumprod"}[method]
            if method == "accumulate":
                table = {**table, **_RUNNING}
            self.fail(e, f"{name}() (srcgrad writes {method} of {', '.join(sorted(f'np.{x.__name__}' for x in table))} only)",
                      f"write the reduction with {what}, or a loop.")
        given = _array_axis(e, {"keepdims"} if method == "reduce" else set())
        if given is None:
            self.fail(e, f"{name}() with these arguments",
                      f"pass the array and axis={'' if method == 'accumulate' else ' and keepdims='}"
                      "only (dtype=, out=, initial= and where= are not supported).")
        axis = given.get("axis", ast.Constant(0))  # (a ufunc method's axis is 0 by default)
        keywords = [] if isinstance(axis, ast.Constant) and axis.value is None else \
            [ast.keyword("axis", axis)]
        if "keepdims" in given:
            keywords.append(ast.keyword("keepdims", given["keepdims"]))
        call = ast.copy_location(ast.Call(_np(table[u], e.func), [given["array"]], keywords), e)
        return self.flat(ast.fix_missing_locations(call), out)

    def _ufunc_outer(self, u, e, name, out):
        fn = getattr(np, u.__name__, None)
        if u.nin != 2 or fn is not u or fn not in CALLS:
            self.fail(e, f"{name}() (np.{u.__name__} has no derivative rule of two operands)",
                      "write np.<ufunc>(a[:, None], b) with a ufunc that has one.")
        if e.keywords or len(e.args) != 2:
            self.fail(e, f"{name}() with these arguments", "pass two arrays, by position.")
        key = (self.src.filename, e.lineno, e.col_offset)
        ranks = (self.ranks or {}).get(key)
        if ranks is None:  # the first normalization: a placeholder for the kinds pass
            a, b = (self.atom(x, out) for x in e.args)
            node = ast.copy_location(ast.Call(ast.Name("tensordot", ast.Load()), [a, b], []), e)
            node.rank_site, node.rank_origin, node.contracted = key, (self.src, e), 0
            return node
        ra, rb = ranks
        index = [ast.Slice()] * ra + [ast.Constant(None)] * rb
        a = ast.Subscript(e.args[0], ast.Tuple(index, ast.Load()) if len(index) > 1
                          else index[0], ast.Load())
        call = ast.Call(_np(u.__name__, e.func), [ast.copy_location(a, e.args[0]), e.args[1]],
                        [])
        return self.flat(ast.fix_missing_locations(ast.copy_location(call, e)), out)

    def _running(self, u, e, name, out):
        """``np.maximum.accumulate(x)`` of a 1-D ``x`` (axis 0): the running extremum, a loop
        (its rank from the kinds pass, as ``outer``'s)."""
        given = _array_axis(e, set())
        axis = (given or {}).get("axis", ast.Constant(0))
        if given is None or not (isinstance(axis, ast.Constant) and axis.value in (0, -1)):
            self.fail(e, f"{name}() with these arguments", "pass a 1-D array (axis 0 only; "
                      "for a matrix, write a loop over its rows).")
        key = (self.src.filename, e.lineno, e.col_offset)
        ranks = (self.ranks or {}).get(key)
        if ranks is None:  # the first normalization: a placeholder for the kinds pass
            node = ast.copy_location(ast.Call(ast.Name("library_call", ast.Load()),
                                              [self.atom(given["array"], out)], []), e)
            node.rank_site, node.rank_origin = key, (self.src, e)
            node.library_kind = lambda kinds: ("a", 1, "f") if kinds[0] is not None else None
            return node
        kind = ranks[0]
        if kind is None or kind[0] != "a" or kind[1] != 1:
            self.fail(e, f"{name}() of an argument that is not a 1-D array",
                      "pass a 1-D array (for a matrix, write a loop over its rows).")
        fn = _RUNNING[u]
        callee = read_source(fn)
        callee = einsum.located_source(ast.unparse(callee.tree), e, self.src,
                                       namespace=callee.namespace)
        return self.inline_source(callee, fn.__name__, [given["array"]], out)
