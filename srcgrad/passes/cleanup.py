"""Clean-up: constant folding, dead code, forward substitution of temporaries.

    b_t10 = bs                                 _t8 = 1.0 - x[i]
    b_t9 = b_t10                               bx[i] += -(bs * 2 * _t8)
    _t7 = x[i]                       ->
    _t8 = 1.0 - _t7
    b_t8 = b_t9 * 2 * _t8
    bx[i] += -b_t8

* constant folding: ``2 - 1`` -> ``1``, ``e ** 1`` -> ``e``, ``n - 1 - 1`` -> ``n - 2``;
* dead code (mark and sweep): statements whose results nothing live reads, loops whose bodies
  are dead; stack operations, array writes into live arrays and prints are live;
* forward substitution: a generated temporary (``_t3``, ``b_t3``, ``d_t3``) read once, or cheap to
  read (a name, a constant, ``x[i]``), is substituted into its uses when nothing it reads
  changes in between.
"""
import ast
import operator
import re
from .clone import clone
from .dead_loops import drop_dead_loops
from .walk import (child_fields, depth as _depth, draws, load_counts, loads as _loads, names, nodes,
                   statements)

_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
TEMP = re.compile(r"^[bd]?_t\d+$")


def _num(n):
    return isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) \
        and not isinstance(n.value, bool)


def _const(v, like):
    return ast.copy_location(ast.Constant(v) if v >= 0 else
                             ast.UnaryOp(ast.USub(), ast.Constant(-v)), like)


def _fold(node):
    """Constant folding, bottom-up, in place (returns the node's replacement)."""
    for f in child_fields(node.__class__):
        v = getattr(node, f, None)
        if v.__class__ is list:
            for i, x in enumerate(v):
                if isinstance(x, ast.AST):
                    v[i] = _fold(x)
        elif isinstance(v, ast.AST):
            setattr(node, f, _fold(v))
    if node.__class__ is ast.BinOp:
        return _fold_binop(node)
    if node.__class__ is ast.UnaryOp:
        return _fold_unary(node)
    return node


def _fold_binop(node):
    l, r, op = node.left, node.right, node.op
    if _num(l) and _num(r) and type(op) in _FOLD:
        return _const(_FOLD[type(op)](l.value, r.value), node)
    if isinstance(op, ast.Pow) and _num(r) and r.value == 1:
        return l
    if isinstance(op, ast.Sub) and isinstance(r, ast.UnaryOp) and isinstance(r.op, ast.USub):
        return ast.copy_location(ast.BinOp(l, ast.Add(), r.operand), node)
    if isinstance(op, ast.Add) and isinstance(r, ast.UnaryOp) and isinstance(r.op, ast.USub):
        return ast.copy_location(ast.BinOp(l, ast.Sub(), r.operand), node)
    # (a - c1) - c2  ->  a - (c1 + c2)
    if isinstance(op, (ast.Add, ast.Sub)) and _num(r) and isinstance(l, ast.BinOp) \
            and isinstance(l.op, (ast.Add, ast.Sub)) and _num(l.right):
        c1 = l.right.value if isinstance(l.op, ast.Add) else -l.right.value
        c2 = r.value if isinstance(op, ast.Add) else -r.value
        c = c1 + c2
        if c == 0:
            return l.left
        return ast.copy_location(ast.BinOp(l.left, ast.Add() if c > 0 else ast.Sub(),
                                           ast.Constant(abs(c))), node)
    return node


def _fold_unary(node):
    if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.UnaryOp) \
            and isinstance(node.operand.op, ast.USub):
        return node.operand.operand
    return node


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


# ---- dead code -----------------------------------------------------------------------------------
def _target_name(s):
    t = s.targets[0] if isinstance(s, ast.Assign) else s.target
    if isinstance(t, ast.Name):
        return t.id
    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
        return t.value.id
    return None


def _own_reads(s):
    """Names a statement reads when it is live (a compound statement: its header only)."""
    if isinstance(s, (ast.If, ast.While)):
        return _loads(s.test)
    if isinstance(s, ast.For):
        return _loads(s.iter)
    if isinstance(s, ast.Assign):
        t = s.targets[0]
        return _loads(s.value) | (_loads(t.slice) | {t.value.id} if isinstance(t, ast.Subscript)
                                  else set())
    if isinstance(s, ast.AugAssign):
        return _loads(s.value) | _loads(s.target)
    return _loads(s)


def _live_statements(body):
    """id() of the live statements, by mark and sweep over names (flow-insensitive): a
    statement is live if it assigns a name that a live statement reads, or has an effect
    (returns, stack pushes, prints, raises); a compound statement is live if anything in it
    is.  A worklist visits each statement once."""
    definers, roots, parent = {}, [], {}

    def index(stmts, up):
        for s in stmts:
            parent[id(s)] = up
            if isinstance(s, (ast.If, ast.For, ast.While)):
                index(s.body + s.orelse, s)
            elif isinstance(s, (ast.Assign, ast.AugAssign)):
                name = _target_name(s)
                definers.setdefault(name, []).append(s)
                if _effectful(s.value):
                    roots.append(s)
            elif not isinstance(s, ast.Pass):
                roots.append(s)
    index(body, None)
    live_ids, live_names, todo = set(), set(), []

    def mark(s):
        while s is not None and id(s) not in live_ids:
            live_ids.add(id(s))
            todo.extend(_own_reads(s) - live_names)
            s = parent[id(s)]
    for s in roots:
        mark(s)
    while todo:
        v = todo.pop()
        if v in live_names:
            continue
        live_names.add(v)
        for s in definers.get(v, ()):
            mark(s)
    index = None  # a recursive closure is a cycle: break it (the tree is then freed at once)
    return live_ids


def _sweep(stmts, live):
    out = []
    for s in stmts:
        if id(s) not in live:
            continue
        if isinstance(s, ast.Assign) and isinstance(s.value, ast.Name) \
                and isinstance(s.targets[0], ast.Name) and s.value.id == s.targets[0].id:
            continue
        for field in ("body", "orelse"):
            sub = getattr(s, field, None)
            if sub:
                setattr(s, field, _sweep(sub, live) or ([ast.Pass()] if field == "body" else []))
        out.append(s)
    return out


def remove_dead(fn):
    fn.body = _sweep(fn.body, _live_statements(fn.body))
    return fn


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


def _substitutable(block, j, v, reads, counts, defs, facts, here):
    value = block[j].value
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


def substitute(fn):
    for _ in range(3):
        counts = load_counts(fn.body)
        defs = {}
        for n in statements(fn.body):
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name):
                defs[n.targets[0].id] = defs.get(n.targets[0].id, 0) + 1
        if not _substitute_block(fn.body, _local_only(fn), counts, defs, _Facts()):
            break
    return fn


def drop_dead_stores(stmts):
    """Drop an assignment to a name that a later statement of the same block assigns again
    before anything reads it.  Compound statements count as reading every name in them, and
    every name is live at the block's end, so this is safe in any block; used on the blocks
    marked ``dead_stores`` (a checkpointed loop's step run for its adjoint computes its
    result, which the adjoint restores at once: passes/revolve.py)."""
    out, dead = [], set()
    for st in reversed(stmts):
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            v = st.targets[0].id
            if v in dead and not _effectful(st.value):
                continue
            dead.add(v)
            dead -= _loads(st.value)
        else:
            dead -= _loads(st)
        out.append(st)
    return out[::-1]


def _push(st):
    """(stack, name) of ``stack.append(name)``, else None."""
    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and \
            isinstance(st.value.func, ast.Attribute) and st.value.func.attr == "append" and \
            isinstance(st.value.func.value, ast.Name) and len(st.value.args) == 1 and \
            isinstance(st.value.args[0], ast.Name):
        return st.value.func.value.id, st.value.args[0].id
    return None


def _pop_into(st, stack, v):
    return isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
        st.targets[0].id == v and isinstance(st.value, ast.Call) and \
        isinstance(st.value.func, ast.Attribute) and st.value.func.attr == "pop" and \
        getattr(st.value.func.value, "id", None) == stack


def drop_idle_pushes(stmts):
    """``s.append(v)`` ... ``v = s.pop()`` with nothing between writing ``v`` or touching
    ``s``: both go (the value was never changed)."""
    out = list(stmts)
    i = 0
    while i < len(out):
        sv = _push(out[i])
        if sv is not None:
            stack, v = sv
            for j in range(i + 1, len(out)):
                if _pop_into(out[j], stack, v):
                    del out[j], out[i]
                    i -= 1
                    break
                if v in _writes(out[j]) or stack in names(out[j]):
                    break
        i += 1
    return out


def _marked_dead_stores(stmts):
    changed = False
    for s in statements(stmts):
        if getattr(s, "dead_stores", False):
            before = len(s.body)
            s.body = drop_idle_pushes(drop_dead_stores(s.body))
            changed |= len(s.body) != before
    return changed


def cleanup(fn):
    fn = _fold(fn)
    fn = remove_dead(fn)
    fn = substitute(fn)
    fn = _fold(fn)
    fn = remove_dead(drop_dead_loops(fn, _effectful))
    while _marked_dead_stores(fn.body):
        fn = remove_dead(fn)
    return fn
