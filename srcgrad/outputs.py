"""Containers as return values: a function returning a list or dict literal (nested, with
tuples) is differentiated as its *flat* version, which returns the leaves as a tuple; ``vjp``
and ``jvp`` put the value and the tangent back into the structure, and take a cotangent
structured like the value.

    def f(x):                                        def f(x):
        return {"y": x * 2.0, "parts": [x, x ** 2]}  ->   return (x * 2.0, x, x ** 2)

Every ``return`` of the function must return a literal of the same structure (the keys of a
dict literal are constants).  A plain tuple return stays what it was (one cotangent per
value).
"""
import ast
import copy
import types as pytypes

from .errors import Problem, UnsupportedError
from .frontend.source import Source, read_source
from .pytree import unflatten  # noqa: F401  (the value's structure with its leaves)


def _def(node):
    """The structure of a return value's literal: ("leaf",), ("tuple"|"list", defs) or
    ("dict", keys, defs); None for a dict whose keys are not constants."""
    if isinstance(node, (ast.List, ast.Tuple)):
        subs = [_def(e) for e in node.elts]
        return None if None in subs else ("list" if isinstance(node, ast.List) else "tuple",
                                          tuple(subs))
    if isinstance(node, ast.Dict):
        if not all(isinstance(k, ast.Constant) for k in node.keys):
            return None
        subs = [_def(v) for v in node.values]
        return None if None in subs else ("dict", tuple(k.value for k in node.keys), tuple(subs))
    return ("leaf",)


def _has_container(d):
    return d[0] in ("list", "dict") or (d[0] == "tuple" and any(_has_container(s) for s in d[1]))


def _leaves(node):
    if isinstance(node, (ast.List, ast.Tuple)):
        return [x for e in node.elts for x in _leaves(e)]
    if isinstance(node, ast.Dict):
        return [x for v in node.values for x in _leaves(v)]
    return [node]


def _returns(fdef):
    """The function's own return statements (not those of nested functions)."""
    out, todo = [], list(fdef.body)
    while todo:
        n = todo.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(n, ast.Return):
            out.append(n)
        todo.extend(ast.iter_child_nodes(n))
    return out


def returned(fn):
    """``(flat_fn, treedef)`` when ``fn`` returns list or dict literals, else ``(fn, None)``.
    Made once per function."""
    cached = fn.__dict__.get("__srcgrad_returned__") if hasattr(fn, "__dict__") else None
    if cached is not None:
        return cached
    result = _make(fn)
    try:
        fn.__srcgrad_returned__ = result
    except AttributeError:  # pragma: no cover - a builtin: read_source refuses it anyway
        pass
    return result


def _make(fn):
    try:
        src = read_source(fn)
    except UnsupportedError:
        return fn, None
    tree = copy.deepcopy(src.tree)
    _literal_names(tree)
    rets = _returns(tree)
    defs = [_def(r.value) if r.value is not None else ("leaf",) for r in rets]
    if not any(d is not None and _has_container(d) for d in defs):
        return fn, None
    first = next(d for d in defs if d is not None and _has_container(d))
    for r, d in zip(rets, defs):
        if d != first:
            raise UnsupportedError([src.problem(
                r, "returns of different structures (a container literal here, another "
                   "structure elsewhere)",
                "return the same list or dict literal (same length, same keys) everywhere.")])
    for r in rets:
        r.value = ast.copy_location(ast.Tuple(_leaves(r.value), ast.Load()), r.value)
    ast.fix_missing_locations(tree)
    code = compile(ast.Module([tree], type_ignores=[]), src.filename, "exec")
    fcode = next(c for c in code.co_consts if isinstance(c, pytypes.CodeType))
    if fcode.co_freevars:  # a closure: its cells cannot be rebuilt here
        raise UnsupportedError([Problem(None, f"{fn.__name__}() returns a container and "
                                              "reads variables of an enclosing function",
                                        "define it at module level.")])
    new = pytypes.FunctionType(fcode, fn.__globals__, fn.__name__, fn.__defaults__)
    new.__srcgrad_source__ = Source(None, tree, src.filename, src.lines, src.namespace)
    new.__srcgrad_source__.fn = new
    return new, first


def _literal_names(fdef):
    """``return d`` of a name bound once, at the top level, to a list or dict literal: the
    literal's structure, its leaves read through the name (``{"W": d["W"], ...}``)."""
    stores = {}
    for n in ast.walk(fdef):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            stores[n.id] = stores.get(n.id, 0) + 1
    changed = {n.value.id for n in ast.walk(fdef)  # hs.append(h), hs[0] = v: not the literal
               if isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.value, ast.Name)
               and (isinstance(n, ast.Attribute) or not isinstance(n.ctx, ast.Load))}
    bound = {s.targets[0].id: s.value for s in fdef.body
             if isinstance(s, ast.Assign) and len(s.targets) == 1
             and isinstance(s.targets[0], ast.Name) and stores.get(s.targets[0].id) == 1
             and isinstance(s.value, (ast.List, ast.Dict)) and s.targets[0].id not in changed}

    def through(literal, path):
        if isinstance(literal, (ast.List, ast.Tuple)):
            return type(literal)([through(e, ast.Subscript(path, ast.Constant(i), ast.Load()))
                                  for i, e in enumerate(literal.elts)], ast.Load())
        if isinstance(literal, ast.Dict) and all(isinstance(k, ast.Constant) for k in literal.keys):
            return ast.Dict([ast.Constant(k.value) for k in literal.keys],
                            [through(v, ast.Subscript(path, ast.Constant(k.value), ast.Load()))
                             for k, v in zip(literal.keys, literal.values)])
        return path
    for r in _returns(fdef):
        if isinstance(r.value, ast.Name) and r.value.id in bound:
            new = through(bound[r.value.id], ast.Name(r.value.id, ast.Load()))
            for n in ast.walk(new):
                ast.copy_location(n, r.value)
            r.value = new


def leaves_of(treedef, value, what):
    """The leaves of ``value`` (a cotangent or tangent) read by the value's structure; a
    ValueError when it is structured otherwise."""
    out = []

    def walk(d, v, where):
        if d[0] == "leaf":
            out.append(v)
            return
        if d[0] == "dict":
            if not isinstance(v, dict) or set(v) != set(d[1]):
                raise ValueError(f"{what}{where} must be a dict with the keys {list(d[1])}")
            for k, s in zip(d[1], d[2]):
                walk(s, v[k], f"{where}[{k!r}]")
            return
        if not isinstance(v, (list, tuple)) or len(v) != len(d[1]):
            raise ValueError(f"{what}{where} must be a {d[0]} of {len(d[1])} values")
        for i, s in enumerate(d[1]):
            walk(s, v[i], f"{where}[{i}]")
    walk(treedef, value, "")
    return out
