"""Normalize, ``grad(f, parallel=True)``: a top-level ``for`` loop over ``range`` whose steps
are independent runs as ``numba.prange``, its adjoint too (passes/parallel.py), as if the
user had written prange.  The steps are independent when, read in order, every step

- sets each variable before reading it (the variable is the step's own), or only adds into
  it (``s = s + ...``: a sum over the steps, which prange reduces per thread);
- writes arrays only at rows indexed by the loop's variable (``g[i] = ...``,
  ``out[i, :] = ...``), and reads those arrays at that row only;
- draws no random numbers, prints nothing, and does not leave the loop early.

    s = 0.0                                   s = 0.0
    for i in range(n):              ->        for i in prange(n):     # each step its own _t
        _t1 = X[i] @ w                            _t1 = X[i] @ w
        s = s + np.log1p(np.exp(-_t1))            s = s + np.log1p(np.exp(-_t1))

A loop that is not independent stays a ``range`` loop, and a ParallelWarning says why.
"""
import ast

from .walk import draws


def _first_index(sub):
    s = sub.slice
    return s.elts[0] if isinstance(s, ast.Tuple) and s.elts else s


def _is_var(node, var):
    return isinstance(node, ast.Name) and node.id == var


def _sum_into(s):
    """The variable ``s`` adds into (``v = v + e``, ``v = e + v``, ``v += e``), or None."""
    if isinstance(s, ast.AugAssign) and isinstance(s.op, ast.Add) \
            and isinstance(s.target, ast.Name):
        return s.target.id
    if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) \
            and isinstance(s.value, ast.BinOp) and isinstance(s.value.op, ast.Add):
        v = s.targets[0].id
        left, right = s.value.left, s.value.right
        if _is_var(left, v) != _is_var(right, v):
            other = right if _is_var(left, v) else left
            if not any(_is_var(n, v) for n in ast.walk(other)):
                return v
    return None


def forward_problem(loop):
    """Why the steps of ``loop`` (a normalized ``for v in range(...)``) are not independent,
    or None if they are."""
    var = loop.target.id
    if len(loop.iter.args) > 2:
        return "it has a step (prange runs steps of one)"
    body = loop.body
    for n in (x for s in body for x in ast.walk(s)):
        if isinstance(n, (ast.Break, ast.Return, ast.Raise)):
            return "a step may leave the loop early"
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print":
            return "a step prints"
        if isinstance(n, (ast.While, ast.Continue)):
            return "a step has a while loop or continue"
    if any(draws(s) for s in body):
        return "a step draws random numbers (the draws' order would change)"
    sums = {}  # variable -> does every write add into it
    for s in (x for st in body for x in ast.walk(st)):
        if isinstance(s, (ast.Assign, ast.AugAssign)):
            t = s.targets[0] if isinstance(s, ast.Assign) else s.target
            if isinstance(t, ast.Name):
                v = _sum_into(s)
                sums[t.id] = sums.get(t.id, True) and v == t.id
    own = set()
    rows = {t.value.id for st in body for x in ast.walk(st)  # arrays the steps write into
            for t in (x.targets if isinstance(x, ast.Assign) else
                      [x.target] if isinstance(x, ast.AugAssign) else [])
            if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)}
    inner = {var}
    for s in (x for st in body for x in ast.walk(st)):
        if isinstance(s, ast.For) and isinstance(s.target, ast.Name):
            inner.add(s.target.id)
    return _walk(body, var, sums, own, rows, inner)


def _walk(stmts, var, sums, own, rows, inner):
    for s in stmts:
        if isinstance(s, ast.If):
            why = _reads(s.test, var, sums, own, rows, inner)
            if why:
                return why
            # a variable set in one branch only is not the step's own after the if
            in_body, in_else = set(own), set(own)
            why = _walk(s.body, var, sums, in_body, rows, inner) or \
                _walk(s.orelse, var, sums, in_else, rows, inner)
            if why:
                return why
            own.update(in_body & in_else)
            continue
        if isinstance(s, ast.For):
            why = _reads(s.iter, var, sums, own, rows, inner)
            if why:
                return why
            own.add(s.target.id)
            why = _walk(s.body, var, sums, own, rows, inner)
            if why:
                return why
            continue
        if not isinstance(s, (ast.Assign, ast.AugAssign, ast.Expr)):
            return f"a step has a {type(s).__name__} statement"
        target = s.targets[0] if isinstance(s, ast.Assign) else getattr(s, "target", None)
        if isinstance(target, ast.Name) and sums.get(target.id) and target.id not in own:
            # a sum over the steps: its own reads are the addition itself
            other = s.value if isinstance(s, ast.AugAssign) else (
                s.value.right if _is_var(s.value.left, target.id) else s.value.left)
            why = _reads(other, var, sums, own, rows, inner)
            if why:
                return why
            continue
        why = _reads(s.value, var, sums, own, rows, inner)
        if why:
            return why
        if isinstance(s, ast.AugAssign):
            why = _reads(target, var, sums, own, rows, inner)
            if why:
                return why
        if isinstance(target, ast.Name):
            own.add(target.id)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            a = target.value.id
            if a in own:
                continue  # an array the step made
            if not _is_var(_first_index(target), var):
                return (f"a step writes {a} at rows other than its own ({ast.unparse(target)}, "
                        f"not {a}[{var}, ...])")
            why = _reads(target.slice, var, sums, own, rows, inner)
            if why:
                return why
        elif target is not None:
            return f"a step writes {ast.unparse(target)}"
    return None


def _reads(node, var, sums, own, rows, inner):
    """Why reading ``node`` in a step would read another step's work, or None."""
    if node is None:
        return None
    for n in ast.walk(node):
        if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) \
                and n.value.id in rows and n.value.id not in own:
            if not _is_var(_first_index(n), var):
                return f"a step reads {ast.unparse(n)}, which other steps write"
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in own \
                and n.id not in inner:
            if n.id in sums:
                return (f"a step reads {n.id}, which the steps " +
                        ("add into" if sums[n.id] else "set") + " (a step's own variable is "
                        "set before it is read)")
            if n.id in rows and not any(
                    isinstance(p, ast.Subscript) and p.value is n for p in ast.walk(node)):
                return f"a step reads all of {n.id}, which the steps write"
    return None
