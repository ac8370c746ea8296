"""Normalize, NumPy ufunc methods: written as the calls they equal.

    np.add.reduce(x)              ->  np.sum(x, axis=0)      (reduce's axis is 0 by default)
    np.multiply.reduce(x, 1)      ->  np.prod(x, axis=1)
    np.maximum.reduce(x, axis=None)  ->  np.max(x)
    np.add.accumulate(x)          ->  np.cumsum(x, axis=0)
    np.multiply.accumulate(x, 1)  ->  np.cumprod(x, axis=1)
    np.subtract.outer(a, b)       ->  np.subtract(a[:, None], b)      (a and b 1-D)
    np.exp is not a method: np.add.outer(A, b), A 2-D, b 1-D  ->  np.add(A[:, :, None], b)

``outer`` needs the operands' ranks (every axis of ``b`` is a new trailing axis of ``a``):
its first normalization is a placeholder whose kind the kinds pass reads (as
``np.tensordot``'s, rank a + rank b), the second writes the call.  Any binary ufunc with a
derivative rule takes ``outer``; ``reduce`` and ``accumulate`` take the ufuncs that have a
NumPy reduction of their own.  Other ufuncs and methods (``np.logaddexp.reduce``,
``np.maximum.accumulate``, ``reduceat``), and ``dtype=``, ``out=``, ``initial=`` or
``where=``, are refused at the call, saying what to write.
"""
import ast

import numpy as np

from ..rules.table import CALLS

_REDUCE = {np.add: "sum", np.multiply: "prod", np.maximum: "max", np.minimum: "min"}
_ACCUMULATE = {np.add: "cumsum", np.multiply: "cumprod"}
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


def _np(name, like):
    return ast.copy_location(ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load()), like)


class UfuncMethods:
    """Mixed into the normalizer."""

    def ufunc_method_call(self, e, out):
        u, method = ufunc_method(e, self.src.resolve)
        name = ast.unparse(e.func)
        if method == "outer":
            return self._ufunc_outer(u, e, name, out)
        table = _REDUCE if method == "reduce" else _ACCUMULATE
        if u not in table:
            what = {"reduce": "np.sum, np.prod, np.max or np.min",
                    "accumulate": "np.cumsum or np.cumprod"}[method]
            self.fail(e, f"{name}() (srcgrad writes {method} of {', '.join(sorted(f'np.{x.__name__}' for x in table))} only)",
                      f"write the reduction with {what}, or a loop.")
        given = dict(zip(("array", "axis"), e.args))
        twice = any(k.arg in given for k in e.keywords)  # (a TypeError in NumPy)
        given.update({k.arg: k.value for k in e.keywords})
        allowed = {"array", "axis"} | ({"keepdims"} if method == "reduce" else set())
        if len(e.args) > 2 or set(given) - allowed or "array" not in given or twice:
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
        if u.nin != 2 or fn is not u or fn not in CALLS or e.keywords or len(e.args) != 2:
            self.fail(e, f"{name}()" + ("" if u.nin == 2 and fn in CALLS else
                                        f" (np.{u.__name__} has no derivative rule of two "
                                        "operands)") + (" with these arguments"
                                                       if e.keywords or len(e.args) != 2
                                                       else ""),
                      "pass two arrays; for a ufunc without a rule write "
                      "np.<ufunc>(a[:, None], b).")
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
