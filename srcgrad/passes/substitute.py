"""Forward substitution of generated temporaries (a pass of the clean-up, passes/cleanup.py).

    b_t10 = bs                                 _t8 = 1.0 - x[i]
    b_t9 = b_t10                               bx[i] += -(bs * 2 * _t8)
    _t7 = x[i]                       ->
    _t8 = 1.0 - _t7
    b_t8 = b_t9 * 2 * _t8
    bx[i] += -b_t8

A generated temporary (``_t3``, ``b_t3``, ``d_t3``) read once, or cheap to read (a name, a
constant, ``x[i]``), is substituted into its uses when nothing it reads changes in between,
and nothing it reads is a view (``_t7 = x[0:2]``) of an array written in between.
"""
import ast
import re

from .clone import clone
from .walk import (depth as _depth, draws, load_counts, loads as _loads, names, nodes,
                   statements)

TEMP = re.compile(r"^[bd]?_t\d+$")


def _effectful(node):
    for n in nodes(node):
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr in ("pop", "append"):
                return True
            if isinstance(f, ast.Name) and f.id in ("print", "checkpoint_next", "checkpoint_place"):
                return True  # (a checkpoint schedule moves on: passes/revolve.py)
            if draws(n):  # a random draw: made once, in order
                return True
        elif isinstance(n, (ast.Raise, ast.Assert, ast.Return, ast.Break)):
            return True
    return False


def _writes(stmt):
    """Names a statement or anything nested in it assigns, or writes into."""
    return _writes_and_defines(stmt)[0]


def _writes_and_defines(stmt):
    """Names a statement or anything nested in it assigns, or writes into; and how many times
    it assigns each name as a whole (``v = ...``)."""
    out, defines, todo = set(), {}, [stmt]
    while todo:
        n = todo.pop()
        if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name):
            defines[n.targets[0].id] = defines.get(n.targets[0].id, 0) + 1
        targets = n.targets if isinstance(n, ast.Assign) else (
            [n.target] if isinstance(n, (ast.AugAssign, ast.For)) else [])
        for t in targets:
            if isinstance(t, ast.Name):
                out.add(t.id)
            elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                out.add(t.value.id)
        if isinstance(n, (ast.If, ast.For, ast.While)):
            todo += n.body + n.orelse
    return out, defines



# ---- forward substitution --------------------------------------------------------------------------
def _cheap(e):
    if isinstance(e, (ast.Name, ast.Constant)):
        return True
    if isinstance(e, ast.UnaryOp) and isinstance(e.operand, (ast.Name, ast.Constant)):
        return True
    if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name):
        return all(isinstance(n, (ast.Name, ast.Constant, ast.Load, ast.BinOp, ast.Add, ast.Sub,
                                  ast.Tuple, ast.Slice, ast.UnaryOp, ast.USub))
                   for n in ast.walk(e.slice))
    return False


class _Facts:
    """What each statement reads (with counts), writes and defines, worked out once per
    statement and again only when a substitution rewrites it: the look-ahead window asks
    about the same statements for every temporary before them."""

    def __init__(self):
        self.memo, self.depths = {}, {}

    def of(self, s):
        """(reads with counts, names written, definitions with counts)."""
        if isinstance(s, (ast.If, ast.For, ast.While)):  # may change inside: never kept
            return (load_counts(s),) + _writes_and_defines(s)
        f = self.memo.get(id(s))
        if f is None or f[0] is not s:
            f = self.memo[id(s)] = (s, load_counts(s)) + _writes_and_defines(s)
        return f[1:]

    def depth(self, s):
        d = self.depths.get(id(s))
        if d is None or d[0] is not s:
            d = self.depths[id(s)] = (s, _depth(s))
        return d[1]

    def forget(self, s):
        self.depths.pop(id(s), None)
        self.memo.pop(id(s), None)


def _replace(node, name, expr):
    """Every read of ``name`` in the subtree becomes a copy of ``expr`` (in place; the copies
    are not looked into)."""
    for n in list(nodes(node)):
        for f in n._fields:
            v = getattr(n, f, None)
            if v.__class__ is ast.Name and v.id == name and isinstance(v.ctx, ast.Load):
                setattr(n, f, clone(expr))
            elif v.__class__ is list:
                for i, x in enumerate(v):
                    if x.__class__ is ast.Name and x.id == name and isinstance(x.ctx, ast.Load):
                        v[i] = clone(expr)


def _local_only(fn):
    """Temporaries every read of which follows a definition in the same block (one pass)."""
    ok = {v for v in names(fn) if TEMP.match(v)}

    def visit(block):
        defined = set()
        for s in block:
            ok.difference_update((_direct_reads(s) & ok) - defined)
            nested = [x for f in ("body", "orelse") for x in (getattr(s, f, None) or [])]
            if nested:
                inner = set()
                for x in nested:
                    inner |= _loads(x)
                ok.difference_update(inner & defined)  # read in a nested block, defined out here
                for f in ("body", "orelse"):
                    if getattr(s, f, None):
                        visit(getattr(s, f))
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name):
                defined.add(s.targets[0].id)
    visit(fn.body)
    visit = None  # a recursive closure is a cycle: break it (the tree is then freed at once)
    return ok


def _direct_reads(s):
    if isinstance(s, ast.For):
        return _loads(s.iter)
    if isinstance(s, (ast.If, ast.While)):
        return _loads(s.test)
    if isinstance(s, ast.AugAssign):
        return _loads(s.value) | _loads(s.target)
    return _loads(s)


WINDOW = 12  # generated temporaries are read within a few statements of their definition
MAX_DEPTH = 40


def _substitute_block(block, local, counts, defs, facts):
    """One forward pass: a temporary read once (or cheap to read), whose reads all lie within
    the next WINDOW statements of this block with nothing it reads written in between, is
    substituted into them.  Chains resolve in the same pass (the next definition slides into
    the freed slot)."""
    changed = False
    here = _BlockCounts(block, facts)
    j = 0
    while j < len(block):
        s = block[j]
        if (isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
                and s.targets[0].id in local and not _effectful(s.value)):
            v = s.targets[0].id
            if _substitutable(block, j, v, _loads(s.value), counts, defs, facts, here):
                changed = True
                continue  # the next statement slid into slot j
        for field in ("body", "orelse"):
            sub = getattr(s, field, None)
            if sub:
                changed |= _substitute_block(sub, local, counts, defs, facts)
        j += 1
    return changed


class _BlockCounts:
    """How many times the statements of one block (and everything nested in them) read and
    define each name, kept up to date as substitutions rewrite the block."""

    def __init__(self, block, facts):
        self.facts, self.reads, self.defines = facts, {}, {}
        for s in block:
            self.add(s, 1)

    def add(self, s, sign):
        r, _, d = self.facts.of(s)
        for v, n in r.items():
            self.reads[v] = self.reads.get(v, 0) + sign * n
        for v, n in d.items():
            self.defines[v] = self.defines.get(v, 0) + sign * n


def _views(fn, kinds):
    """{name: the arrays it may be a view of}: ``t = x[0:2]``, ``t = x.T``, ``t = x``
    (transitively); not a number read out of an array (``b_t7 = by[i]``, by ``kinds``: the
    primal's, whose names the adjoint's ``b``/``d`` names extend).  Moving a read of ``t``
    past a write into ``x`` would read the write."""
    def number(v):
        k = kinds.get(v) or (kinds.get(v[1:]) if v[:1] in ("b", "d") else None)
        return k is not None and k[0] == "s"
    direct = {}
    for n in statements(fn.body):
        if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name) \
                and not number(n.targets[0].id):
            v, base = n.value, None
            while isinstance(v, (ast.Subscript, ast.Attribute)):
                v = v.value
            if isinstance(v, ast.Name) and v is not n.value or isinstance(n.value, ast.Name):
                base = v.id
            if base is not None and base != n.targets[0].id:
                direct.setdefault(n.targets[0].id, set()).add(base)
    views = {}
    for t in direct:
        seen, todo = set(), list(direct[t])
        while todo:
            b = todo.pop()
            if b not in seen:
                seen.add(b)
                todo += direct.get(b, ())
        views[t] = seen
    return views


def _substitutable(block, j, v, reads, counts, defs, facts, here):
    value = block[j].value
    reads = reads.union(*(facts.views.get(r, ()) for r in reads))  # and what they view
    uses, total, stop, redefined = [], 0, None, False
    for k in range(j + 1, min(len(block), j + 1 + WINDOW)):
        t = block[k]
        read, w, _ = facts.of(t)
        n = read.get(v, 0)
        if n and isinstance(t, (ast.If, ast.For, ast.While)):
            return False  # read inside a nested block: leave it
        if n:
            uses.append(k)
            total += n
        if v in w or reads & w:
            stop = k
            redefined = v in w and isinstance(t, ast.Assign) and isinstance(t.targets[0], ast.Name) \
                and t.targets[0].id == v
            break
    if not uses or not (total == 1 or _cheap(value)) or draws(value):
        return False
    if any(_depth(value) + facts.depth(block[k]) > MAX_DEPTH for k in uses):
        return False  # keep generated expressions well within what Python's compiler accepts
    if not redefined:  # every later read must be one of these
        if defs.get(v, 0) == 1:
            if total != counts.get(v, 0):
                return False
        elif here.defines.get(v, 0) == 1:
            # defined nowhere else in this block, and a temporary all of whose reads follow
            # a definition in their own block: its reads here all follow this definition
            if total != here.reads.get(v, 0):
                return False
        else:
            start = (stop if stop is not None else j + WINDOW) + 1
            for t in block[start:]:
                if v in facts.of(t)[0]:
                    return False
                if isinstance(t, ast.Assign) and isinstance(t.targets[0], ast.Name) \
                        and t.targets[0].id == v:
                    break
    for k in uses:
        here.add(block[k], -1)
        facts.forget(block[k])
        _replace(block[k], v, value)
        here.add(block[k], 1)
    counts[v] = counts.get(v, 0) - total
    here.add(block[j], -1)
    del block[j]
    return True


def substitute(fn, kinds=None):
    for _ in range(3):
        counts = load_counts(fn.body)
        defs = {}
        for n in statements(fn.body):
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name):
                defs[n.targets[0].id] = defs.get(n.targets[0].id, 0) + 1
        facts = _Facts()
        facts.views = _views(fn, kinds or {})
        if not _substitute_block(fn.body, _local_only(fn), counts, defs, facts):
            break
    return fn
