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

from ..errors import Location, Problem, UnsupportedError
from ..rules.core import rule_of
from ..rules.table import RANDOM_METHODS, NONDIFF_CALLS
from .common import operands, prim_rule
from .types import is_float
from .walk import nodes


def deps_of(expr):
    """Variables whose values flow (differentiably) into ``expr``: not through indices,
    shapes or comparisons."""
    out, todo = set(), [expr]
    while todo:  # a work list, not a recursive closure (which would be a cycle per call)
        e = todo.pop()
        if isinstance(e, ast.Name):
            out.add(e.id)
        elif isinstance(e, ast.Subscript):
            todo.append(e.value)
        elif isinstance(e, ast.Attribute):
            if e.attr == "T":
                todo.append(e.value)
        elif isinstance(e, ast.Call):
            if getattr(e, "prim", None) is None:
                continue  # len(), int(), np.zeros(): no derivative flows through
            args = e.args[1:] if e.prim == "where" else e.args
            rule = rule_of(e.prim)
            if rule is not None:  # only parameters that carry a derivative
                args = [a for p, a in zip(rule.params, e.args) if rule.vjp.get(p) or rule.jvp.get(p)]
            elif e.prim.endswith("_axis"):
                args = args[:1]
            todo.extend(args)
        elif isinstance(e, ast.BinOp):
            todo += (e.left, e.right)
        elif isinstance(e, ast.UnaryOp) and not isinstance(e.op, ast.Not):
            todo.append(e.operand)
        elif isinstance(e, ast.Tuple):
            todo.extend(e.elts)
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


def analyze(fdef, wrt, kinds, origin_file=None, mode=None):
    """Return the set of active variable names.  A differentiated value that reaches a place
    with no derivative defined (a value of unknown kind, an argument of ``np.arange``) is a
    located error: unknown never means constant."""
    edges = _edges(fdef.body, [])
    varied = {w for w in wrt if is_float(kinds.get(w))}
    carriers = set(varied)  # varied, whatever the kind: to find where a derivative gets lost
    changed = True
    while changed:
        changed = False
        for t, srcs in edges:
            if t not in carriers and srcs & carriers:
                carriers.add(t)
                changed = True
            if t not in varied and srcs & varied and is_float(kinds.get(t)):
                varied.add(t)
                changed = True
    _refuse_lost_derivatives(fdef, kinds, carriers, origin_file, mode)
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


# calls kept whole that may read a differentiated value: their derivative is zero by
# definition (the rule table's non-differentiable calls), or they read only its shape
_ZERO_DERIVATIVE_OK = set(NONDIFF_CALLS.values()) | {"zeros_like", "ones_like", "empty_like"} \
    | {"astype"}  # (kept whole only to integers or booleans: passes/numpy_calls.py)


def _refuse_lost_derivatives(fdef, kinds, carriers, origin_file, mode=None):
    def where(s):
        return Location(origin_file or "<unknown>", getattr(s, "lineno", 0),
                        getattr(s, "col_offset", 0), getattr(s, "origin", ""))
    problems, truncating = [], []  # (the truncating writes first: the cause of the others)
    for s in nodes(fdef):
        if not isinstance(s, ast.Assign):
            continue
        t = s.targets[0]
        name = t.id if isinstance(t, ast.Name) else None
        if name is not None and name in carriers and kinds.get(name) is None \
                and not hasattr(s.value, "pop_from"):
            problems.append(Problem(where(s), f"a differentiated value of unknown kind "
                                              f"({ast.unparse(s.value)})",
                                    "write it with the supported operations (docs/subset.md)."))
        base = t.value if isinstance(t, ast.Subscript) else None
        k = kinds.get(base.id) if isinstance(base, ast.Name) else None
        if k is not None and k[0] == "a" and k[2] in "ib" and _data_names(s.value) & carriers:
            truncating.append(Problem(where(s), f"a value carrying a derivative written into "
                                              f"{'an integer' if k[2] == 'i' else 'a boolean'}"
                                              f" array ({base.id!r}): NumPy truncates it",
                                    "make the array a float one (dtype=np.float64, or no "
                                    "dtype), or write int(...) or np.floor(...) where a whole "
                                    "number is meant."))
            continue
        prim, args = operands(s.value) if getattr(s.value, "prim", None) else (None, [])
        rule = prim_rule(prim, [kinds.get(getattr(a, "id", None)) for a in args]) if prim else None
        for p, a in zip(rule.params if rule else (), args):
            if mode == "forward" and getattr(rule, "refused_forward", None) \
                    and isinstance(a, ast.Name) and a.id in carriers:
                problems.append(Problem(where(s), f"a differentiated value ({a.id!r}) passed "
                                                  f"to {rule.custom.base}() in forward mode",
                                        rule.refused_forward + "."))
                break
            if isinstance(a, ast.Name) and a.id in carriers and p in rule.refused:
                problems.append(Problem(where(s), f"a differentiated value ({a.id!r}) passed "
                                                  f"as {p!r} of {prim}()",
                                        rule.refused[p] + "."))
                continue
            if isinstance(a, ast.Name) and a.id in carriers and not is_float(kinds.get(a.id)) \
                    and (rule.vjp.get(p) or rule.jvp.get(p)):
                what = "a tuple" if (kinds.get(a.id) or ("?",))[0] == "t" else "a value"
                problems.append(Problem(where(s), f"{what} carrying a derivative ({a.id!r}) "
                                                  f"passed to {prim}()",
                                        "pass arrays or numbers: index the tuple's elements, "
                                        "or build an array with np.array([...])."))
        for call in _value_calls(s.value):
            if isinstance(call, ast.Call) and getattr(call, "prim", None) is None \
                    and not hasattr(call, "pop_from"):
                fname = ast.unparse(call.func).split(".")[-1]
                if fname in RANDOM_METHODS and isinstance(call.func, ast.Attribute):
                    used = set()
                    for a in list(call.args) + [k.value for k in call.keywords]:
                        used |= _data_names(a)
                    if used & carriers:  # the draw depends on them: not a constant
                        problems.append(Problem(
                            where(s), f"a random draw whose parameters carry a derivative "
                                      f"({sorted(used & carriers)[0]!r} in "
                                      f"{ast.unparse(call.func)}())",
                            "reparameterize: draw standard noise and transform it, e.g. "
                            "mu + sigma * rng.standard_normal(n)."))
                    continue
                if fname in _ZERO_DERIVATIVE_OK:
                    continue
                used = set()
                for a in list(call.args) + [k.value for k in call.keywords]:
                    used |= _data_names(a)
                if used & carriers:
                    problems.append(Problem(where(s), f"differentiated value "
                                                      f"{sorted(used & carriers)[0]!r} passed to "
                                                      f"{ast.unparse(call.func)}()",
                                            "its derivative is not defined there; pass a "
                                            "constant, or write the computation with "
                                            "supported operations."))
    if truncating or problems:
        raise UnsupportedError(truncating + problems)


def _value_calls(e):
    """Calls whose results are part of the value (not of a comparison or an index)."""
    if isinstance(e, (ast.Compare, ast.BoolOp)) or (
            isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
        return
    if isinstance(e, ast.Call):
        yield e
        if getattr(e, "prim", None) is None and \
                ast.unparse(e.func).split(".")[-1] in _ZERO_DERIVATIVE_OK:
            return  # nothing flows through it
    for field, child in ast.iter_fields(e):
        if isinstance(e, ast.Subscript) and field == "slice":
            continue
        for c in child if isinstance(child, list) else [child]:
            if isinstance(c, ast.expr):
                yield from _value_calls(c)


def _data_names(e):
    """Names whose values (not shapes, lengths, or truth) flow into ``e``."""
    if isinstance(e, ast.Name):
        return {e.id}
    if isinstance(e, ast.Attribute):
        return set() if e.attr in ("shape", "size", "ndim", "dtype") else _data_names(e.value)
    if isinstance(e, ast.Subscript):
        return _data_names(e.value)
    if isinstance(e, (ast.Compare, ast.BoolOp)) or (
            isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not)):
        return set()
    if isinstance(e, ast.Call) and getattr(e, "prim", None) is None \
            and ast.unparse(e.func).split(".")[-1] in _ZERO_DERIVATIVE_OK:
        return set()
    out = set()
    for c in ast.iter_child_nodes(e):
        if isinstance(c, ast.expr):
            out |= _data_names(c)
    return out
