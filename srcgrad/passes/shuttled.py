"""Clean-up, shuttled saves: a loop step that saves a value and restores it for nobody.

    while _action == CKPT_ADJOINT:              while _action == CKPT_ADJOINT:
        t = _step                                   t = _step
        _stack_t1.append(_t1)            ->         _t1 = x ** 3
        _t1 = x ** 3                                ... (its adjoint reads _t1)
        ... (its adjoint reads _t1)
        _t1 = _stack_t1.pop()

A checkpointed loop's reverse sweep runs each step again before its adjoint
(passes/revolve.py), and the step's variables are saved and restored as anywhere else; but a
variable the step sets before reading it, read nowhere outside the loop, gets back a value
that the next step's run sets again before anything reads it.  The save and the restore go
(the stack then has no other use and goes as dead code).

Only a pair in one loop's own block, on a stack used nowhere else, for a variable that every
step sets (an unconditional ``v = ...`` not reading ``v``) before any statement of the step
reads it, that no statement after the restore reads, and that nothing outside the loop reads.
"""
import ast

from .walk import loads, names


def append_of(st):
    """(stack, variable) of ``stack.append(variable)``."""
    if isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and \
            isinstance(st.value.func, ast.Attribute) and st.value.func.attr == "append" and \
            isinstance(st.value.func.value, ast.Name) and len(st.value.args) == 1 and \
            isinstance(st.value.args[0], ast.Name):
        return st.value.func.value.id, st.value.args[0].id
    return None


def pop_of(st):
    """(stack, variable) of ``variable = stack.pop()``."""
    if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
            isinstance(st.value, ast.Call) and isinstance(st.value.func, ast.Attribute) and \
            st.value.func.attr == "pop" and not st.value.args and \
            isinstance(st.value.func.value, ast.Name):
        return st.value.func.value.id, st.targets[0].id
    return None


def _counts(fn):
    out = {}
    for n in ast.walk(fn):
        if isinstance(n, ast.Name):
            out[n.id] = out.get(n.id, 0) + 1
    return out


def _loops(stmts, out):
    for st in stmts:
        if isinstance(st, (ast.For, ast.While)):
            out.append(st)
        for field in ("body", "orelse"):
            _loops(getattr(st, field, None) or [], out)
    return out


def drop_shuttled(fn):
    counts = _counts(fn)
    for loop in _loops(fn.body, []):
        body = loop.body
        appends = {append_of(st): k for k, st in enumerate(body) if append_of(st)}
        pops = {pop_of(st): k for k, st in enumerate(body) if pop_of(st)}
        drop = set()
        for pair, a in appends.items():
            p = pops.get(pair)
            if p is None or p < a or not _shuttled(fn, loop, body, pair, a, p, counts):
                continue
            drop |= {a, p}
        if drop:
            loop.body = [st for k, st in enumerate(body) if k not in drop]
            counts = _counts(fn)
    return fn


def _shuttled(fn, loop, body, pair, a, p, counts):
    stack, v = pair
    inits = sum(1 for n in ast.walk(fn) if isinstance(n, ast.Assign)
                for t in n.targets if isinstance(t, ast.Name) and t.id == stack)
    if counts.get(stack, 0) != inits + 2:
        return False  # the stack has other uses
    inside = sum(1 for st in body for n in ast.walk(st) if isinstance(n, ast.Name) and n.id == v)
    outside_loads = sum(1 for n in ast.walk(fn) if isinstance(n, ast.Name) and n.id == v and
                        isinstance(n.ctx, ast.Load)) - sum(
        1 for st in body for n in ast.walk(st) if isinstance(n, ast.Name) and n.id == v and
        isinstance(n.ctx, ast.Load))
    if outside_loads or inside == 0 or v in names(loop.iter if isinstance(loop, ast.For)
                                                  else loop.test):
        return False  # read outside the loop (or by its header)
    sets = next((k for k in range(a + 1, p) if isinstance(body[k], ast.Assign) and
                 isinstance(body[k].targets[0], ast.Name) and body[k].targets[0].id == v), None)
    if sets is None or v in loads(body[sets].value):
        return False
    for k, st in enumerate(body):
        if k in (a, p) or sets <= k < p:
            continue
        if v in loads(st):
            return False  # read before the step sets it, or after its restore
    return True
