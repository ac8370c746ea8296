"""Recomputations read only for their shape: make an array of that shape instead.

The reverse sweep recomputes a temporary (passes/recompute.py) when its adjoint code reads
it.  Often it reads only its shape: the adjoint of ``_t5 = _t4 + b`` sums the cotangent back
to ``_t4``'s shape (``unbroadcast(b_t5, _t4)``).  Recomputing ``_t4 = _t1 + _t3`` then costs
an elementwise pass, and it reads ``_t1``'s values, so the forward sweep keeps every step's
``_t1`` alive.  The shape of an elementwise result is its operands' shapes broadcast
together, and a matrix product's comes from its operands' ranks, so the recomputation
becomes an allocation that reads only shapes; the saves pass then keeps ``_t1``'s shape
instead of its values (passes/saves.py ``shape_only``):

    _t3 = Wx @ xs_t            ->     _t3 = np.empty(Wx.shape[0])
    _t4 = _t1 + _t3                   _t4 = empty_broadcast(_t1, _t3)
    b_t4 = unbroadcast(b_t5, _t4)     b_t4 = unbroadcast(b_t5, _t4)

Only float arrays made by arithmetic (``+ - * / ** // %``, unary ``-``, ``@``) from names and
number constants, and only when nothing in the same reverse block reads their values.
"""
import ast

from .common import _call, _name
from .saves import value_reads
from .types import is_array, is_scalar, ndim

_ELEMENTWISE_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.FloorDiv, ast.Mod)


def _dim(v, k):
    return ast.Subscript(ast.Attribute(_name(v), "shape", ast.Load()), ast.Constant(k), ast.Load())


def _product_shape(a, b, kinds):
    """The shape of ``a @ b`` (two array names), as an expression, from their ranks; None
    for a product of two vectors (a number) or of other ranks."""
    if not (isinstance(a, ast.Name) and isinstance(b, ast.Name)):
        return None
    ra, rb = ndim(kinds.get(a.id)), ndim(kinds.get(b.id))
    if not (is_array(kinds.get(a.id)) and is_array(kinds.get(b.id))):
        return None
    if (ra, rb) == (2, 1):
        return _dim(a.id, 0)
    if (ra, rb) == (1, 2):
        return _dim(b.id, 1)
    if (ra, rb) == (2, 2):
        return ast.Tuple([_dim(a.id, 0), _dim(b.id, 1)], ast.Load())
    return None


def _shaped(node, kinds):
    """Arrays (expressions reading only shapes) that ``node`` broadcasts together, or None
    when ``node`` is not such an expression (a call, an index, a name of unknown kind)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
        shape = _product_shape(node.left, node.right, kinds)
        return None if shape is None else [_call("np.empty", shape)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, _ELEMENTWISE_OPS):
        left, right = _shaped(node.left, kinds), _shaped(node.right, kinds)
        return None if left is None or right is None else left + [
            r for r in right if ast.dump(r) not in {ast.dump(x) for x in left}]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _shaped(node.operand, kinds)
    if isinstance(node, ast.Constant):
        ok = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        return [] if ok else None
    if isinstance(node, ast.Name):
        k = kinds.get(node.id)
        return [_name(node.id)] if is_array(k) else [] if is_scalar(k) else None
    return None


def shape_form(value, target_kind, kinds):
    """An allocation of the shape ``value`` has, reading only its operands' shapes; None if
    ``value`` is not an elementwise expression or product of a float array."""
    if not (is_array(target_kind) and target_kind[2] == "f"):
        return None
    parts = _shaped(value, kinds)
    if not parts:
        return None
    out = parts[0] if not isinstance(parts[0], ast.Name) else \
        _call("np.empty", ast.Attribute(parts[0], "shape", ast.Load()))
    if len(parts) > 1:
        out = parts[0]
        for p in parts[1:]:
            out = _call("empty_broadcast", out, p)
    return out


def shape_only_redos(out, redos, kinds):
    """Rewrite, in place, the recomputations (``redos``: Assign nodes placed in ``out``, a
    reverse block) whose targets nothing in ``out`` reads for its values.  The last placed
    first: a rewritten one no longer reads the values of the temporaries it was made from."""
    order = {id(st): k for k, st in enumerate(out)}
    for r in sorted(redos, key=lambda r: -order.get(id(r), -1)):
        if id(r) not in order or not isinstance(r.targets[0], ast.Name):
            continue
        v = r.targets[0].id
        new = shape_form(r.value, kinds.get(v), kinds)
        if new is None:
            continue
        if any(v in value_reads(st, loads_only=True) for st in out if st is not r):
            continue
        r.value = new
        r.shape_only = True


_LIKE = {"zeros_like", "ones_like", "empty_like", "full_like"}


def like_of_leaf(fn, kinds):
    """``np.full_like(h * h, g)`` (a sum's adjoint, with its operand substituted in) reads
    ``h * h`` only for its shape and dtype: when the expression is made of one float array
    ``h`` and number constants, it is ``np.full_like(h, g)``, and ``h * h`` is not computed.
    In place."""
    for n in ast.walk(fn):
        f = n.func if isinstance(n, ast.Call) else None
        if not (isinstance(f, ast.Attribute) and f.attr in _LIKE and isinstance(f.value, ast.Name)
                and f.value.id == "np" and n.args
                and isinstance(n.args[0], (ast.BinOp, ast.UnaryOp))):
            continue
        parts = _shaped(n.args[0], kinds)
        if parts and len(parts) == 1 and isinstance(parts[0], ast.Name) \
                and kinds.get(parts[0].id)[2] == "f" and all(
                    x.id == parts[0].id for x in ast.walk(n.args[0]) if isinstance(x, ast.Name)):
            n.args[0] = parts[0]  # (number constants only besides it: they never change the
    return fn                     # array's dtype; a float name might, as np.float64 does)
