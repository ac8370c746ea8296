"""Recompute instead of store: which temporaries the reverse sweep recomputes.

A variable defined once, whose uses all follow it in the same block, can be recomputed in
the reverse sweep if nothing it reads is reassigned between its definition and its last use.
It then costs no stack at all:

    for i in range(n):                 for i in range(n - 1, -1, -1):
        _t1 = x[i]                         # grad of: s += math.sin(x[i])
        _t2 = math.sin(_t1)      ->        _t1 = x[i]              (recomputed, not popped)
        s = s + _t2                        bx[i] += bs * math.cos(_t1)

A recomputation is placed just before the adjoint of the last use, in forward order.  A
temporary whose operand *is* reassigned later in the block (``_t1 = x ** 3`` before
``x = x + ...``) is recomputed after that reassignment has been undone, if its last use comes
before it; otherwise it is stored as before.

Except a costly number (``math.exp(...)``, ``math.sin(...)``: tens of cycles, where a push
and a pop take a few) in a loop body the forward sweep runs anyway, because it sets a
variable the reverse sweep reads: that one is kept on a stack.  Without checkpoints or a
memory budget only; with them, memory comes first.  (The GMM's
``se += math.exp(vals[i, k] - mx)``: 1.10x the hand adjoint recomputed, 1.07x kept.)

The same analysis finds *single-use* variables, whose adjoint is assigned once by their only
use (no zero-initialization, no reset).
"""
import ast

from .walk import draws, loads as _loads, statements


def assigned(stmt):
    """Every name a statement (or anything nested in it) assigns or writes into."""
    out = set()
    for n in statements([stmt]):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    out.add(t.id)
                elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                    out.add(t.value.id)
        elif isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name):
            out.add(n.target.id)
        elif isinstance(n, ast.For):
            out.add(n.target.id)
    return out


class Plan:
    def __init__(self):
        self.at = {}            # id(statement) -> [definitions to recompute before its adjoint]
        self.recomputed = set()
        self.single_use = {}    # variable -> id(its only using statement)


def _def_sites(fdef):
    sites = {}
    for n in statements(fdef.body):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name):
                    sites[t.id] = sites.get(t.id, 0) + 1
                elif isinstance(t, ast.Subscript):
                    sites[t.value.id] = sites.get(t.value.id, 0) + 2  # written into: not single
        elif isinstance(n, ast.For):
            sites[n.target.id] = sites.get(n.target.id, 0) + 2
    return sites


class Planner:
    """What does not depend on the reverse sweep's reads, worked out once: the candidates of
    every block (defined once, used only later in the same block) and their operands.  The
    reverse pass asks :meth:`plan` again for each round of its reads fixpoint."""

    def __init__(self, fdef, params, views=None, keep_costly=True):
        """``views``: {id(statement): {variable: the arrays whose memory it may share}}
        (saves.live_views): a write into such an array changes the variable's value, so a
        temporary computed from a view is not recomputed after one (``_t3 = A[i]; _t6 =
        _t3 / n; A[i] = _t6``: _t6 again would divide the new row)."""
        once = {v for v, k in _def_sites(fdef).items() if k == 1 and v not in params}
        returned = _loads(fdef.body[-1])
        load_stmts = {}  # variable -> number of statements (anywhere) that load it
        for n in statements(fdef.body):
            if not isinstance(n, ast.FunctionDef):
                for v in _direct_loads(n):
                    load_stmts[v] = load_stmts.get(v, 0) + 1
        self.keep_costly = keep_costly  # (not with checkpoints or a memory budget: memory first)
        self.single_use = {}
        self.blocks = []  # (block, cands, deps, written) of the blocks inside loops
        todo = [(fdef.body[:-1], False)]
        while todo:
            block, in_loop = todo.pop()
            cands, deps = _candidates(block, once, returned, load_stmts, self.single_use)
            for v, (j, _) in cands.items():
                shared = (views or {}).get(id(block[j]), {})
                deps[v] = deps[v] | {b for d in deps[v] for b in shared.get(d, ())}
            if in_loop and cands:
                self.blocks.append((block, cands, deps, {}))
            for st in block:
                for field in ("body", "orelse"):
                    sub = getattr(st, field, None)
                    if sub:
                        todo.append((sub, in_loop or isinstance(st, (ast.For, ast.While))))

    def plan(self, reads):
        """``reads``: names the reverse sweep reads.  Returns a :class:`Plan`.  Outside loops
        nothing is overwritten, so values stay available: recomputation only inside them."""
        p = Plan()
        p.single_use = dict(self.single_use)
        for block, cands, deps, written in self.blocks:
            _recompute_block(block, cands, deps, written, reads, p, self.keep_costly)
        return p


def _direct_loads(stmt):
    """Names a statement reads itself (not in the statements nested in it)."""
    if isinstance(stmt, (ast.For,)):
        return _loads(stmt.iter)
    if isinstance(stmt, (ast.If, ast.While)):
        return _loads(stmt.test)
    if isinstance(stmt, ast.Assign):
        out = _loads(stmt.value)
        t = stmt.targets[0]
        if isinstance(t, ast.Subscript):
            out |= _loads(t.slice) | {t.value.id}
        return out
    return _loads(stmt)


def _candidates(block, once, returned, load_stmts, single_use):
    """Variables defined once in ``block`` and read only after that, in it:
    variable -> (index of the definition, index of the last use); and their operands."""
    defs = {}
    for j, s in enumerate(block):
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) and s.targets[0].id in once \
                and not draws(s.value):  # a draw is stored, never made again
            defs[s.targets[0].id] = j
    uses = {v: [] for v in defs}
    defined = set(defs)
    for k, s in enumerate(block):
        for v in _loads(s) & defined:
            uses[v].append(k)
    cands = {}
    for v, j in defs.items():
        us = uses[v]
        if us and min(us) > j and v not in returned and len(us) == load_stmts.get(v, 0):
            cands[v] = (j, max(us))
            if len(us) == 1 and _direct_loads(block[us[0]]) >= {v} and \
                    isinstance(block[us[0]], ast.Assign):
                single_use[v] = id(block[us[0]])
    return cands, {v: _loads(block[j].value) for v, (j, _) in cands.items()}


def _recompute_block(block, cands, deps, written, reads, p, keep_costly=True):
    """Which candidates of a block inside a loop the reverse sweep recomputes: those it reads,
    and what recomputing them needs, when nothing they read is written before their last use
    (``written``: a cache of what each statement assigns)."""
    last = {v: k for v, (_, k) in cands.items()}
    needed = {v for v in cands if v in reads}
    if keep_costly and _runs_anyway(block, cands, reads):  # kept: a stack costs less
        for v in [v for v in needed if _costly(block[cands[v][0]].value)]:
            needed.discard(v)
    todo = list(needed)
    while todo:  # what recomputing a needed temporary needs, needed no later than it
        v = todo.pop()
        for d in deps[v]:
            if d in cands and (d not in needed or last[d] < last[v]):
                needed.add(d)
                last[d] = max(last[d], last[v])
                todo.append(d)
    ok = set()
    for v in needed:
        j = cands[v][0]
        for k in range(j + 1, last[v] + 1):
            if k not in written:
                written[k] = assigned(block[k])
            if deps[v] & written[k]:
                break
        else:
            ok.add(v)
    for v in sorted(ok, key=lambda v: cands[v][0]):
        p.at.setdefault(id(block[last[v]]), []).append(block[cands[v][0]])
        p.recomputed.add(v)


# math's functions that take tens of cycles (a push and a pop take a few)
_COSTLY = {"exp", "expm1", "log", "log1p", "log2", "log10", "sin", "cos", "tan", "asin", "acos",
           "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "pow", "erf",
           "erfc", "gamma", "lgamma"}


def _costly(value):
    """``math.exp(...)`` and the like: a number that is dear to compute again."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
        and isinstance(value.func.value, ast.Name) and value.func.value.id == "math" \
        and value.func.attr in _COSTLY


def _runs_anyway(block, cands, reads):
    """Does the forward sweep run this loop body whatever is recomputed: does it set a
    variable (not a candidate) that the reverse sweep reads?  Then a costly temporary is kept
    on a stack rather than computed twice; a loop whose every value the reverse sweep makes
    again (Rosenbrock's) is left out of the forward sweep instead."""
    for st in block:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
            v = st.targets[0].id
        elif isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name):
            v = st.target.id
        else:
            continue
        if v not in cands and v in reads:
            return True
    return False
