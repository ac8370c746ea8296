"""Which names an AST subtree reads: the question every pass asks of every statement, so it is
answered here once, about three times faster than ``ast.walk``.

    loads(x[i] = a * b[i])      ->  {"a", "b", "i"}        (names read, not written)
    names(x[i] = a * b[i])      ->  {"x", "a", "b", "i"}   (every name)
    load_counts(s = s + s * t)  ->  {"s": 2, "t": 1}

The walk skips the leaves that can never hold a name (contexts, operators, identifiers and
constants) instead of yielding them as ``ast.walk`` does.
"""
import ast
from collections import deque

_LEAF_FIELDS = {"ctx", "op", "ops", "id", "attr", "arg", "name", "kind", "type_comment", "module",
                "level", "conversion", "is_async", "simple"}
_FIELDS = {}


def _fields(cls):
    f = () if cls is ast.Constant else tuple(x for x in cls._fields if x not in _LEAF_FIELDS)
    _FIELDS[cls] = f
    return f


def _fields_of(fields, c):
    f = fields.get(c)
    return _fields(c) if f is None else f


def child_fields(cls):
    """The fields of a node class that may hold nodes other than contexts and operators."""
    return _fields_of(_FIELDS, cls)


def _push_children(n, push):
    """Push the children of ``n`` that may hold names (not contexts or operators)."""
    for f in _fields_of(_FIELDS, n.__class__):
        v = getattr(n, f, None)
        if v.__class__ is list:
            for x in v:
                if isinstance(x, ast.AST):
                    push(x)
        elif isinstance(v, ast.AST):
            push(v)


def _name_nodes(node):
    """Every ``ast.Name`` in the subtree (or list of subtrees), in no particular order."""
    stack = list(node) if isinstance(node, list) else [node]
    pop, push, Name = stack.pop, stack.append, ast.Name
    while stack:
        n = pop()
        if n.__class__ is Name:
            yield n
        else:
            _push_children(n, push)


def loads(node):
    """Names the subtree reads."""
    Load = ast.Load
    return {n.id for n in _name_nodes(node) if n.ctx.__class__ is Load}


def stores(node):
    """Names the subtree (or list of subtrees) binds or deletes."""
    Load = ast.Load
    return {n.id for n in _name_nodes(node) if n.ctx.__class__ is not Load}


def names(node):
    """Every name in the subtree, read or written."""
    return {n.id for n in _name_nodes(node)}


def name_counts(node):
    """How many times the subtree names each name, read or written."""
    out = {}
    for n in _name_nodes(node):
        out[n.id] = out.get(n.id, 0) + 1
    return out


def load_counts(node):
    """How many times the subtree reads each name."""
    out, Load = {}, ast.Load
    for n in _name_nodes(node):
        if n.ctx.__class__ is Load:
            out[n.id] = out.get(n.id, 0) + 1
    return out


def nodes(node):
    """Every node of the subtree except contexts and operators, in ``ast.walk``'s order."""
    todo = deque((node,))
    pop, push = todo.popleft, todo.append
    while todo:
        n = pop()
        yield n
        _push_children(n, push)


_HAS_LEAF_NODE = {}


def depth(node):
    """The height of the subtree, counted as ``ast.iter_child_nodes`` counts it (a context or
    an operator is a level of its own)."""
    c = node.__class__
    leaf = _HAS_LEAF_NODE.get(c)
    if leaf is None:
        leaf = _HAS_LEAF_NODE[c] = any(f in ("ctx", "op", "ops") for f in c._fields)
    best = 1 if leaf else 0
    for f in _fields_of(_FIELDS, c):
        v = getattr(node, f, None)
        if v.__class__ is list:
            for x in v:
                if isinstance(x, ast.AST):
                    d = depth(x)
                    if d > best:
                        best = d
        elif isinstance(v, ast.AST):
            d = depth(v)
            if d > best:
                best = d
    return best + 1


def statements(body):
    """Every statement of a block and of the blocks nested in it (bodies and else-blocks)."""
    todo = list(reversed(body))
    while todo:
        s = todo.pop()
        yield s
        for field in ("orelse", "body"):
            sub = getattr(s, field, None)
            if sub and isinstance(sub, list):
                todo.extend(reversed(sub))


def marked(e):
    """An expression normalized already: its names are not read as the user's again."""
    if isinstance(e, ast.Name):
        e = ast.Name(e.id, ast.Load())
        e.normalized = True
        return e
    if isinstance(e, ast.Tuple):
        return ast.Tuple([marked(x) for x in e.elts], ast.Load())
    return e


class Origin(str):
    """The text of the user's line a statement came from, which also knows the line's file and
    number (for generated code's line map, srcgrad/backend/emit.py), and for a statement of a
    helper inlined at a top-level call of the differentiated function, that call's ``site``
    (("call", line, column): memory plans may checkpoint it, srcgrad/memory_plan.py)."""

    def __new__(cls, text, file=None, line=None, site=None):
        self = super().__new__(cls, text)
        self.file, self.line, self.site = file, line, site
        return self


def tag(stmt, origin):
    stmt.origin = origin
    return stmt


def draws(node):
    """Does ``node`` contain a random draw (``rng.normal(...)``, ``np.random.randn(...)``)?
    Draws are effects: made once, in order, never recomputed, moved or removed."""
    from ..rules.table import RANDOM_METHODS
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
               and n.func.attr in RANDOM_METHODS for n in ast.walk(node))


def place(node):
    """A statement's place in its file (kind, start and end): the same for its copies."""
    return (type(node).__name__, getattr(node, "lineno", None), getattr(node, "col_offset", None),
            getattr(node, "end_lineno", None), getattr(node, "end_col_offset", None))
