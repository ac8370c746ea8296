"""AST builders and what a normalized statement computes, shared by the reverse and forward
passes: the rule-table row of a primitive at given argument kinds, its operands, how a loop's
range runs backwards, and the copies of parameters a function writes into.

    operands(BinOp(a * b))            ->  ("mul", [a, b])
    operands(BinOp(a * a))            ->  ("square", [a])
    reversed_range(for i in range(n)) ->  for i in range(n - 1, -1, -1)
"""
import ast

from ..rules.core import rule_of
from ..rules.table import RULES, VIEW_CALLS
from .clone import clone
from .walk import names, nodes
from .types import is_array, is_none, ndim


def _name(v, ctx=None):
    return ast.Name(v, ctx or ast.Load())


def _names(node):
    return names(node)


def _assign(target, value):
    t = _name(target, ast.Store()) if isinstance(target, str) else target
    return ast.Assign([t], value)


def _call(func, *args):
    if "." in func:
        mod, attr = func.split(".")
        f = ast.Attribute(_name(mod), attr, ast.Load())
    else:
        f = _name(func)
    return ast.Call(f, list(args), [])


def _tag(nodes, origin):
    for n in nodes:
        if not hasattr(n, "origin"):
            n.origin = origin
    return nodes


def _grad_of(nodes, origin):
    """Label reverse-sweep statements with the user's line (emitted as ``# grad of:``)."""
    for n in nodes:
        if not hasattr(n, "grad_of"):
            n.grad_of = origin
    return nodes


def prim_rule(prim, arg_kinds):
    """The rule-table row for a primitive at these argument kinds."""
    if prim == "matmul":
        a, b = (ndim(k) for k in arg_kinds[:2])
        return RULES["matmul_" + {2: "m", 1: "v"}.get(a, "v") + {2: "m", 1: "v"}.get(b, "v")]
    if prim == "solve":  # one right-hand side, or a matrix of them
        return RULES["solve_m" if ndim(arg_kinds[1]) == 2 else "solve_v"]
    if prim == "diag" and ndim(arg_kinds[0]) == 2:  # np.diag of a matrix takes its diagonal
        return RULES["diagonal"]
    if prim in ("sum_axis", "mean_axis", "amax_axis", "amin_axis", "prod_axis") \
            and ndim(arg_kinds[0]) == 1:
        return RULES[prim[:-5]]
    return rule_of(prim)


def _without_new_axes(index, bv):
    """(index, cotangent) with the axes ``None`` added taken out again: the adjoint of
    ``t = x[:, None]`` is ``bx[:] += bt[:, 0]``."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    if not any(is_none(p) for p in parts):
        return clone(index), bv
    kept = [clone(p) for p in parts if not is_none(p)]
    out = [ast.Constant(0) if is_none(p) else ast.Slice() for p in parts
           if is_none(p) or isinstance(p, ast.Slice)]
    if not kept:
        kept = [ast.Slice()]
    new_index = ast.Tuple(kept, ast.Load()) if len(kept) > 1 else kept[0]
    return new_index, ast.Subscript(bv, ast.Tuple(out, ast.Load()) if len(out) > 1 else out[0],
                                     ast.Load())


def operands(value):
    """(primitive, [argument nodes]) of a normalized right-hand side."""
    if isinstance(value, ast.BinOp):
        if value.prim == "mul" and isinstance(value.left, ast.Name) \
                and isinstance(value.right, ast.Name) and value.left.id == value.right.id:
            return "square", [value.left]  # z * z: one term 2 z g, not z g + z g
        return value.prim, [value.left, value.right]
    if isinstance(value, ast.UnaryOp) and hasattr(value, "prim"):
        return value.prim, [value.operand]
    if isinstance(value, ast.Call) and getattr(value, "prim", None) == "transpose_axes":
        perm = [c.value for c in value.args[1].elts]  # the rule reads the inverse too
        inverse = ast.Tuple([ast.Constant(perm.index(k)) for k in range(len(perm))], ast.Load())
        return value.prim, list(value.args) + [inverse]
    if isinstance(value, ast.Call) and getattr(value, "prim", None):
        return value.prim, list(value.args)
    return None, []


def loop_exit(loop):
    """A normalized loop that can end early ends its body with ``if flag: break``."""
    last = loop.body[-1] if loop.body else None
    return (isinstance(last, ast.If) and len(last.body) == 1
            and isinstance(last.body[0], ast.Break) and not last.orelse)


def range_parts(for_node):
    args = for_node.iter.args
    if len(args) == 1:
        return ast.Constant(0), args[0], ast.Constant(1)
    if len(args) == 2:
        return args[0], args[1], ast.Constant(1)
    return args[0], args[1], args[2]


def _minus(a, b):
    return ast.BinOp(clone(a), ast.Sub(), b)


def _plus_one(e):
    """``e + 1``, written ``a`` when ``e`` is ``a - 1`` and folded when ``e`` is an integer
    literal (``-1 + 1`` is ``0``)."""
    if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Sub) \
            and isinstance(e.right, ast.Constant) and e.right.value == 1:
        return clone(e.left)
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) \
            and isinstance(e.operand, ast.Constant) and type(e.operand.value) is int:
        v = 1 - e.operand.value
        return ast.Constant(v) if v >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-v))
    if isinstance(e, ast.Constant) and type(e.value) is int:
        return ast.Constant(e.value + 1)
    return ast.BinOp(clone(e), ast.Add(), ast.Constant(1))


def reversed_range(for_node, counter=None):
    """(header target, iter, [statements at the top of the reverse body])."""
    start, stop, step = range_parts(for_node)
    var = for_node.target.id
    simple_step = isinstance(step, ast.Constant) and step.value == 1
    if counter is not None:
        if simple_step and isinstance(start, ast.Constant) and start.value == 0:
            return var, _call("range", _minus(_name(counter), ast.Constant(1)),
                              ast.UnaryOp(ast.USub(), ast.Constant(1)),
                              ast.UnaryOp(ast.USub(), ast.Constant(1))), []
        n = _name(counter)
    elif isinstance(step, ast.UnaryOp) and isinstance(step.operand, ast.Constant) \
            and step.operand.value == 1:
        # range(start, stop, -1) backwards is range(stop + 1, start + 1)
        return var, _call("range", _plus_one(stop), _plus_one(start)), []
    elif simple_step:
        # range(start, stop) backwards is range(stop - 1, start - 1, -1), empty when stop <= start
        return var, _call("range", _minus(stop, ast.Constant(1)), _minus(start, ast.Constant(1)),
                          ast.UnaryOp(ast.USub(), ast.Constant(1))), []
    else:
        n = _call("len", clone(for_node.iter))
    k = "_k"
    it = _call("range", _minus(n, ast.Constant(1)), ast.UnaryOp(ast.USub(), ast.Constant(1)),
               ast.UnaryOp(ast.USub(), ast.Constant(1)))
    setv = _assign(var, ast.BinOp(clone(start), ast.Add(),
                                  ast.BinOp(_name(k), ast.Mult(), clone(step))))
    return k, it, [setv]


def written_into(fdef):
    """Names the function writes into (``x[...] = ...``)."""
    return {s.targets[0].value.id for s in nodes(fdef)
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Subscript)}


def copy_written_params(fdef, params, kinds):
    """``x = np.copy(x)`` for array parameters the function writes into, directly or through
    a view (``v = x[1:]; v[0] = 5.0``): generated code never writes into the caller's
    arrays."""
    written = _may_share_written(fdef, written_into(fdef))
    return [_assign(p, _call("np.copy", _name(p))) for p in params
            if p in written and is_array(kinds.get(p))]


def _is_view_of_name(e):
    """``u``, ``u[...]`` or a reshape of ``u``: a value that may share memory with ``u``
    (basic indexing gives a view; taking every subscript as one only adds copies)."""
    return isinstance(e, ast.Name) or (isinstance(e, ast.Subscript)
                                       and isinstance(e.value, ast.Name)) or _view_call(e)


def _view_call(e):
    return isinstance(e, ast.Call) and getattr(e, "prim", None) in VIEW_CALLS \
        and bool(e.args) and isinstance(e.args[0], ast.Name)


def _passed_through(e):
    """The name whose memory the value of ``e`` may be: ``u``, ``u[...]``, and what
    ``unbroadcast`` hands back unchanged when no summing is needed; None for new arrays."""
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name):
        return e.value.id
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "unbroadcast":
        return _passed_through(e.args[0])
    if _view_call(e):
        return e.args[0].id
    return None


def _may_share_written(fdef, written):
    """Variables written into, closed over the aliases the primal makes (``v = u``,
    ``v = u[1:]``): a write into one is a write into the other."""
    pairs = [(s.targets[0].id, _passed_through(s.value))
             for s in nodes(fdef) if isinstance(s, ast.Assign)
             and isinstance(s.targets[0], ast.Name) and _is_view_of_name(s.value)]
    out = set(written)
    changed = True
    while changed:
        changed = False
        for a, b in pairs:
            if (a in out) != (b in out):
                out |= {a, b}
                changed = True
    return out

