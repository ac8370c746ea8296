"""Clean-up: constant folding, dead code, forward substitution of temporaries.

    for i in range(n - 1 - 1):                 for i in range(n - 2):
        _t3 = x[i] ** 1                  ->        bx[i] += bs * x[i]
        _t4 = _t3 * 2.0       # never read
        bx[i] += bs * _t3

* constant folding: ``2 - 1`` -> ``1``, ``e ** 1`` -> ``e``, ``n - 1 - 1`` -> ``n - 2``;
* dead code (mark and sweep): statements whose results nothing live reads, loops whose bodies
  are dead; stack operations, array writes into live arrays and prints are live;
* forward substitution (passes/substitute.py): a generated temporary (``_t3``, ``b_t3``,
  ``d_t3``) read once, or cheap to read (a name, a constant, ``x[i]``), is substituted into its
  uses when nothing it reads (or views) changes in between;
* unread placeholders: a top-level assignment no later statement reads before setting it
  again (a loop counts only what its steps may read first);
* shuttled saves (passes/shuttled.py): a loop step's save and restore of a value that the next
  step sets again before anything reads it (a checkpointed step run again) go;
* stacks of known size (passes/step_stacks.py): a list a ``prange`` step grows, when the
  number of its appends is known as the step starts, is an array of that length; so is a
  list of the function's that one top-level ``for`` fills, when the number is known exactly;
* element loads (passes/hoist_loads.py): an input's element a loop step reads several times
  is read once, into a local (``x_i = x[i]``);
* carried elements (passes/rotate.py): a forward loop's ``x[i]``, ``x[i + 1]`` and its
  additions into ``bx[i]``, ``bx[i + 1]`` are kept in locals that move along a step.
"""
import ast
import operator

from .clone import clone
from .dead_loops import drop_dead_loops
from .hoist_loads import hoist_loads
from .rotate import rotate
from .shape_redo import like_of_leaf
from .shuttled import append_of, drop_shuttled, pop_of
from .step_stacks import bounded_loop_stacks, bounded_step_stacks
from .revolve import exposed
from .substitute import _effectful, _writes, substitute
from .walk import child_fields, loads as _loads, names, statements

_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


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
    if node.__class__ is ast.Call:
        return _fold_empty(node)
    return node


def _is_empty(node):
    f = node.func if node.__class__ is ast.Call else None
    return f.__class__ is ast.Attribute and f.attr == "empty" and \
        f.value.__class__ is ast.Name and f.value.id == "np" and len(node.args) == 1 \
        and not node.keywords


def _fold_empty(node):
    """``np.empty(np.empty(s).shape)`` is ``np.empty(s)`` (shapes of shapes: passes/shape_redo.py
    makes them, substitution nests them)."""
    if _is_empty(node):
        a = node.args[0]
        if a.__class__ is ast.Attribute and a.attr == "shape" and _is_empty(a.value):
            return a.value
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
                t = s.targets[0] if isinstance(s, ast.Assign) else s.target
                parts = t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]
                for part in parts:  # (a, b = ...: live if a or b is read)
                    name = _target_name(ast.Assign([part], s.value))
                    definers.setdefault(name, []).append(s)
                if _effectful(s.value) or None in (_target_name(ast.Assign([x], s.value))
                                                   for x in parts):
                    roots.append(s)  # (a target that is not a name: kept)
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


def drop_unread_placeholders(fn):
    """A top-level ``v = ...`` (nothing effectful) that no later statement reads before it
    sets ``v`` again goes: a placeholder or an adjoint's zeros before a loop whose every step
    sets ``v`` first (``xi = np.zeros((0,))`` before a prange loop whose steps begin with
    ``xi = X[i]``).  The mark and sweep above counts a loop as reading every name in it; this
    walks the function's statements from the end with the names each reads before it sets
    them (revolve.exposed), so a loop counts only what its steps may read first."""
    live, keep = set(), []
    for st in reversed(fn.body):
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
                len(st.targets) == 1 and st.targets[0].id not in live and \
                not _effectful(st.value):
            continue
        keep.append(st)
        set_here = {st.targets[0].id} if isinstance(st, ast.Assign) and \
            isinstance(st.targets[0], ast.Name) else set()
        live = (live - set_here) | exposed([st], set(), set())
    fn.body = keep[::-1]
    return fn


def drop_idle_pushes(stmts):
    """``s.append(v)`` ... ``v = s.pop()`` with nothing between writing ``v`` or touching
    ``s``: both go (the value was never changed)."""
    out = list(stmts)
    i = 0
    while i < len(out):
        sv = append_of(out[i])
        if sv is not None:
            stack, v = sv
            for j in range(i + 1, len(out)):
                if pop_of(out[j]) == (stack, v):
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


_SINGLETONS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)


def untangled(fn):
    """``fn`` with every node in one place only: generated code may hold one node in two (a
    prange step run again in the reverse sweep is the forward sweep's statements), and the
    clean-up marks liveness by statement (a shared statement's forward loop was dropped as
    dead) and rewrites nodes in place; each further place gets its own copy."""
    seen, todo = set(), [fn]
    while todo:
        node = todo.pop()
        for f in child_fields(node.__class__):
            v = getattr(node, f, None)
            items = v if v.__class__ is list else [v]
            for k, x in enumerate(items):
                if not isinstance(x, ast.AST) or isinstance(x, _SINGLETONS):
                    continue
                if id(x) in seen:
                    x = clone(x)
                    if v.__class__ is list:
                        v[k] = x
                    else:
                        setattr(node, f, x)
                seen.add(id(x))
                todo.append(x)
    return fn


def cleanup(fn, kinds=None, accumulable=None):
    """``kinds``: the primal's variables' kinds (forward substitution tells numbers read out
    of arrays from views of them); ``accumulable``: the float adjoint arrays a loop may keep
    its additions into in locals, with their numbers of axes (passes/rotate.py)."""
    fn = _fold(untangled(fn))
    fn = remove_dead(fn)
    fn = substitute(fn, kinds)
    fn = _fold(like_of_leaf(fn, kinds or {}))
    fn = remove_dead(drop_dead_loops(fn, _effectful))
    while _marked_dead_stores(fn.body):
        fn = remove_dead(fn)
    fn = bounded_step_stacks(drop_unread_placeholders(remove_dead(drop_shuttled(fn))))
    fn = bounded_loop_stacks(fn)
    return rotate(hoist_loads(fn), accumulable, kinds)
