"""Shapes known from the code, axes of length one: an adjoint summed back to a ``keepdims``
shape, reshaped, and spread along an axis, in NumPy's own terms where the shapes prove them.

    b_t5 = unbroadcast(e, _t5)                       b_t5 = np.expand_dims(sum_axis(e, 1), 1)
    bp += expand_axis(reshape_as(b_t5, _t4), p, 1)  ->  bp += b_t5

(``_t4 = sum_axis(p, 1)``, ``_t5 = np.expand_dims(_t4, 1)``: a softmax's
``np.sum(p, axis=1, keepdims=True)``.)  The helpers take any shapes and check them at run
time; the shapes passes/known_shapes.py proves here make them a sum over one axis, nothing,
or a broadcast the operator does anyway.  Each rule is applied only when every axis length it
relies on is proved equal, and only to float arrays:

* ``unbroadcast(g, x)``, of x's rank, where g's axis lengths are x's but at one axis where
  x's is the literal 1: ``np.expand_dims(sum_axis(g, k), k)`` (a sum over leading axes stays
  ``unbroadcast``, whose loop for it Numba caches even at -O0: tests/test_helper_cache.py);
* ``reshape_as(y, s)`` of y already s's shape: ``y``; of ``y = np.expand_dims(z, k)`` with z
  of s's shape: ``z``; ``np.expand_dims(reshape_as(y, s), k)`` of y the shape s has with a 1
  put in at k: ``y``;
* ``expand_axis(z, x, k)`` as an operand of elementwise arithmetic whose other operand has
  x's shape (or added into a name of x's shape), directly or through arithmetic with numbers
  (``2.0 * expand_axis(z, x, k) * c``): ``np.expand_dims(z, k)``, which that operation
  broadcasts to the same numbers, with z proved to be x's shape without axis k.

Generated code then calls fewer helpers (each a Numba function to type and compile for its
argument types: the softmax cross-entropy's first call went from 1.99–2.16 to 1.74–1.80 times
Numba's compile of the function itself, tools/first_call.py), and a sum over an axis it already compiled for the
forward sweep is the same machine code.
"""
import ast

from .common import _call
from .shape_symbols import _axis as _axis_of, _fn  # (a constant axis, made non-negative)


def _named(e, mod, name, nargs):
    """Is ``e`` the call ``mod.name(...)`` (``mod`` "" for a bare name) with nargs args?"""
    return isinstance(e, ast.Call) and len(e.args) == nargs and not e.keywords and \
        _fn(e) == (mod, name)


def simpler_call(sh, e):
    """``e`` (a call, its arguments already simplified) in simpler terms, or ``e``."""
    if _named(e, "", "unbroadcast", 2):
        return _unbroadcast(sh, e)
    if _named(e, "", "reshape_as", 2):
        (sy, fy), (ss, _) = sh.info(e.args[0]), sh.info(e.args[1])
        if fy and sy is not None and len(sy) > 0 and sh.equal(sy, ss):
            return e.args[0]
        y, copied = e.args[0], False
        if _named(y, "np", "copy", 1):  # (a copy kept: the value is written in place later)
            y, copied = y.args[0], True
        if _named(y, "np", "expand_dims", 2):
            (sz, fz) = sh.info(y.args[0])
            if fz and sz is not None and len(sz) > 0 and sh.equal(sz, ss):
                return _call("np.copy", y.args[0]) if copied else y.args[0]
        return e
    if _named(e, "np", "expand_dims", 2) and _named(e.args[0], "", "reshape_as", 2):
        inner = e.args[0]
        (sy, fy), (ss, _) = sh.info(inner.args[0]), sh.info(inner.args[1])
        k = _axis_of(e.args[1], len(ss) + 1) if ss is not None else None
        if fy and k is not None and sy is not None and \
                sh.equal(sy, ss[:k] + (1,) + ss[k:]):
            return inner.args[0]
    return e


def _unbroadcast(sh, e):
    g, x = e.args
    (sg, fg), (sx, _) = sh.info(g), sh.info(x)
    if not fg or sg is None or sx is None or not sx:
        return e
    if len(sg) == len(sx):
        off = [j for j in range(len(sx)) if not sh.equal((sg[j],), (sx[j],))]
        if len(off) == 1 and sh.canon((sx[off[0]],)) == (1,):
            k = ast.Constant(off[0])
            return _call("np.expand_dims", _call("sum_axis", g, k), ast.Constant(off[0]))
    return e


_ELEMENTWISE = (ast.Add, ast.Sub, ast.Mult, ast.Div)


def spread(sh, e, full):
    """``e`` with ``expand_axis(z, x, k)`` as ``np.expand_dims(z, k)``, where e is that call
    or elementwise arithmetic of it and numbers (``2.0 * expand_axis(...)``, ``-...``), and
    what e meets next has shape ``full``, proved to be x's; else None."""
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
        inner = spread(sh, e.operand, full)
        return None if inner is None else ast.UnaryOp(ast.USub(), inner)
    if isinstance(e, ast.BinOp) and isinstance(e.op, _ELEMENTWISE):
        for side, other in (("left", e.right), ("right", e.left)):
            if sh.info(other)[0] == ():
                inner = spread(sh, getattr(e, side), full)
                if inner is not None:
                    setattr(e, side, inner)
                    return e
        return None
    if not _named(e, "", "expand_axis", 3):
        return None
    z, x, axis = e.args
    (sz, fz), (sx, _) = sh.info(z), sh.info(x)
    if not fz or sx is None or sz is None or full is None:
        return None
    k = _axis_of(axis, len(sx))
    if k is None or not sh.equal(full, sx) or not sh.equal(sz, sx[:k] + sx[k + 1:]):
        return None
    return simpler_call(sh, _call("np.expand_dims", z, ast.Constant(k)))


def simpler_binop(sh, e):
    """Elementwise arithmetic with ``expand_axis`` on one side, the other of its full shape:
    the spread left to the operator's broadcasting."""
    if not isinstance(e.op, _ELEMENTWISE):
        return e
    for side, other in (("left", e.right), ("right", e.left)):
        (so, fo) = sh.info(other)
        if not fo:
            continue  # (a float operand: the result's dtype is float either way)
        new = spread(sh, getattr(e, side), so)
        if new is not None:
            setattr(e, side, new)
            return e
    return e
