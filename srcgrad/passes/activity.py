"""Activity analysis: which variables carry a derivative.

A variable is *varied* if its value depends on a differentiated input, *useful* if the
returned value depends on it, and *active* if both (and its kind is float).  Only active
variables get adjoints (``bx``) or tangents (``dx``):

    def f(x, n):          wrt = x
        k = n * 2         k: int, not varied       -> no adjoint
        c = 3.0 * n       c: not varied            -> no adjoint
        y = x * c         y: varied and useful     -> by
        z = x * 2.0       z: varied, never used    -> no adjoint
        return y

Dependencies flow through assignments and array element writes (``y[i] = v`` makes ``y``
depend on ``v``); control decisions do not carry derivatives.
"""
import ast

from ..rules.table import RULES
from .types import is_float


def deps_of(expr):
    """Variables whose values flow (differentiably) into ``expr``: not through indices,
    shapes or comparisons."""
    out = set()

    def walk(e):
        if isinstance(e, ast.Name):
            out.add(e.id)
        elif isinstance(e, ast.Subscript):
            walk(e.value)
        elif isinstance(e, ast.Attribute):
            if e.attr == "T":
                walk(e.value)
        elif isinstance(e, ast.Call):
            if getattr(e, "prim", None) is None:
                return  # len(), int(), np.zeros(): no derivative flows through
            args = e.args[1:] if e.prim == "where" else e.args
            rule = RULES.get(e.prim)
            if rule is not None:  # only parameters that carry a derivative
                args = [a for p, a in zip(rule.params, e.args) if rule.vjp.get(p) or rule.jvp.get(p)]
            elif e.prim.endswith("_axis"):
                args = args[:1]
            for a in args:
                walk(a)
        elif isinstance(e, (ast.BinOp,)):
            walk(e.left)
            walk(e.right)
        elif isinstance(e, ast.UnaryOp) and not isinstance(e.op, ast.Not):
            walk(e.operand)
        elif isinstance(e, ast.Tuple):
            for x in e.elts:
                walk(x)
    walk(expr)
    return out


def _edges(stmts, edges):
    """(target, sources) for every assignment, flow-insensitively."""
    for s in stmts:
        if isinstance(s, ast.Assign):
            t = s.targets[0]
            name = t.id if isinstance(t, ast.Name) else t.value.id
            pop = getattr(s.value, "pop_from", None)
            edges.append((name, {pop} if pop else deps_of(s.value)))
        elif isinstance(s, ast.Expr) and hasattr(s, "push"):
            edges.append((s.push, deps_of(s.value.args[0])))
        elif isinstance(s, (ast.If, ast.For, ast.While)):
            _edges(s.body, edges)
            _edges(s.orelse, edges)
    return edges


def analyze(fdef, wrt, kinds):
    """Return the set of active variable names."""
    edges = _edges(fdef.body, [])
    varied = {w for w in wrt if is_float(kinds.get(w))}
    changed = True
    while changed:
        changed = False
        for t, srcs in edges:
            if t not in varied and srcs & varied and is_float(kinds.get(t)):
                varied.add(t)
                changed = True
    ret = fdef.body[-1].value
    useful = deps_of(ret) if ret is not None else set()
    changed = True
    while changed:
        changed = False
        for t, srcs in edges:
            if t in useful and not srcs <= useful:
                useful |= srcs
                changed = True
    return {v for v in varied & useful if is_float(kinds.get(v))}
