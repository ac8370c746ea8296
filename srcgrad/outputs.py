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
    rets = _returns(src.tree)
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
    tree = copy.deepcopy(src.tree)
    for r in _returns(tree):
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


def unflatten(treedef, leaves):
    """The value's structure with these leaves in it."""
    it = iter(leaves)

    def build(d):
        if d[0] == "leaf":
            return next(it)
        if d[0] == "dict":
            return {k: build(s) for k, s in zip(d[1], d[2])}
        items = [build(s) for s in d[1]]
        return items if d[0] == "list" else tuple(items)
    return build(treedef)


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
