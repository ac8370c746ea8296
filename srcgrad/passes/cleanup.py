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

_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
TEMP = re.compile(r"^[bd]?_t\d+$")


def _num(n):
    return isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) \
        and not isinstance(n.value, bool)


def _const(v, like):
    return ast.copy_location(ast.Constant(v) if v >= 0 else
                             ast.UnaryOp(ast.USub(), ast.Constant(-v)), like)


class _Fold(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
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

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.UnaryOp) \
                and isinstance(node.operand.op, ast.USub):
            return node.operand.operand
        return node


def _loads(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _effectful(node):
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr in ("pop", "append"):
                return True
            if isinstance(f, ast.Name) and f.id == "print":
                return True
        if isinstance(n, (ast.Raise, ast.Assert, ast.Return, ast.Break)):
            return True
    return False


def _writes(stmt):
    """Names a statement or anything nested in it assigns, or writes into."""
    out = set()
    for n in ast.walk(stmt):
        targets = n.targets if isinstance(n, ast.Assign) else (
            [n.target] if isinstance(n, (ast.AugAssign, ast.For)) else [])
        for t in targets:
            if isinstance(t, ast.Name):
                out.add(t.id)
            elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                out.add(t.value.id)
    return out


# ---- dead code -----------------------------------------------------------------------------------
def _target_name(s):
    t = s.targets[0] if isinstance(s, ast.Assign) else s.target
    if isinstance(t, ast.Name):
        return t.id
    if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
        return t.value.id
    return None


def _is_live(s, live):
    if isinstance(s, (ast.Assign, ast.AugAssign)):
        return _target_name(s) in live or _effectful(s.value)
    if isinstance(s, (ast.If, ast.For, ast.While)):
        return any(_is_live(x, live) for x in s.body + s.orelse)
    if isinstance(s, ast.Pass):
        return False
    return True  # Return, Expr (stack pushes, prints), Raise, Assert, Break


def _live_reads(stmts, live):
    """Names read by live statements (for a compound statement: its header and live body)."""
    out = set()
    for s in stmts:
        if not _is_live(s, live):
            continue
        if isinstance(s, (ast.If, ast.While)):
            out |= _loads(s.test) | _live_reads(s.body + s.orelse, live)
        elif isinstance(s, ast.For):
            out |= _loads(s.iter) | _live_reads(s.body, live)
        elif isinstance(s, ast.Assign):
            out |= _loads(s.value)
            if isinstance(s.targets[0], ast.Subscript):
                out |= _loads(s.targets[0].slice) | {s.targets[0].value.id}
        elif isinstance(s, ast.AugAssign):
            out |= _loads(s.value) | _loads(s.target)
        else:
            out |= _loads(s)
    return out


def _sweep(stmts, live):
    out = []
    for s in stmts:
        if not _is_live(s, live):
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
    live = set()
    while True:
        new = live | _live_reads(fn.body, live)
        if new == live:
            break
        live = new
    fn.body = _sweep(fn.body, live)
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


def _count_loads(node, name):
    return sum(1 for n in ast.walk(node) if isinstance(n, ast.Name) and n.id == name
               and isinstance(n.ctx, ast.Load))


class _Replace(ast.NodeTransformer):
    def __init__(self, name, expr):
        self.name, self.expr = name, expr

    def visit_Name(self, node):
        if node.id == self.name and isinstance(node.ctx, ast.Load):
            return clone(self.expr)
        return node


def _local_only(fn):
    """Temporaries every read of which follows a definition in the same block (one pass)."""
    ok = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and TEMP.match(n.id)}

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


def _depth(node):
    return 1 + max((_depth(c) for c in ast.iter_child_nodes(node)), default=0)


def _substitute_block(block, local, counts, defs):
    """One forward pass: a temporary read once (or cheap to read), whose reads all lie within
    the next WINDOW statements of this block with nothing it reads written in between, is
    substituted into them.  Chains resolve in the same pass (the next definition slides into
    the freed slot)."""
    changed = False
    j = 0
    while j < len(block):
        s = block[j]
        if (isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
                and s.targets[0].id in local and not _effectful(s.value)):
            v = s.targets[0].id
            if _substitutable(block, j, v, _loads(s.value), counts, defs):
                changed = True
                continue  # the next statement slid into slot j
        for field in ("body", "orelse"):
            sub = getattr(s, field, None)
            if sub:
                changed |= _substitute_block(sub, local, counts, defs)
        j += 1
    return changed


def _substitutable(block, j, v, reads, counts, defs):
    value = block[j].value
    uses, total, stop, redefined = [], 0, None, False
    for k in range(j + 1, min(len(block), j + 1 + WINDOW)):
        t = block[k]
        n = _count_loads(t, v)
        if n and isinstance(t, (ast.If, ast.For, ast.While)):
            return False  # read inside a nested block: leave it
        if n:
            uses.append(k)
            total += n
        w = _writes(t)
        if v in w or reads & w:
            stop = k
            redefined = v in w and isinstance(t, ast.Assign) and isinstance(t.targets[0], ast.Name) \
                and t.targets[0].id == v
            break
    if not uses or not (total == 1 or _cheap(value)):
        return False
    if any(_depth(value) + _depth(block[k]) > MAX_DEPTH for k in uses):
        return False  # keep generated expressions well within what Python's compiler accepts
    if not redefined:  # every later read must be one of these
        if defs.get(v, 0) == 1:
            if total != counts.get(v, 0):
                return False
        else:
            start = (stop if stop is not None else j + WINDOW) + 1
            for t in block[start:]:
                if _count_loads(t, v):
                    return False
                if isinstance(t, ast.Assign) and isinstance(t.targets[0], ast.Name) \
                        and t.targets[0].id == v:
                    break
    for k in uses:
        block[k] = _Replace(v, value).visit(block[k])
    counts[v] = counts.get(v, 0) - total
    del block[j]
    return True


def substitute(fn):
    for _ in range(3):
        counts = {}
        for n in ast.walk(fn):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
                counts[n.id] = counts.get(n.id, 0) + 1
        defs = {}
        for n in ast.walk(fn):
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name):
                defs[n.targets[0].id] = defs.get(n.targets[0].id, 0) + 1
        if not _substitute_block(fn.body, _local_only(fn), counts, defs):
            break
    return fn


def cleanup(fn):
    fn = _Fold().visit(fn)
    fn = remove_dead(fn)
    fn = substitute(fn)
    fn = _Fold().visit(fn)
    return remove_dead(fn)
