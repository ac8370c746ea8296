"""Clean-up, element loads: an input's element a loop step reads several times is read once.

    for i in range(n - 2, -1, -1):                    for i in range(n - 2, -1, -1):
        bx[i] += -(bs * math.exp(-x[i]))                  x_i = x[i]
        bx[i + 1] += bs * math.sin(x[i]) * 2 *    ->      x_ip1 = x[i + 1]
            x[i + 1]                                      bx[i] += -(bs * math.exp(-x_i))
        bx[i] += bs * x[i + 1] ** 2 * math.cos(x[i])      bx[i + 1] += bs * math.sin(x_i) * 2 * x_ip1
                                                          bx[i] += bs * x_ip1 ** 2 * math.cos(x_i)

Numba compiles ``x[i]`` to a load from memory, and LLVM cannot keep one load for the next when
a store to another array comes between (``bx`` might share memory with ``x`` as far as it
knows), so each read is a load again.  Hand-written adjoints read the elements into locals
(``a, b = x[i], x[i + 1]``); so does this pass: the scalar loop's gradient (tools/kernels.py,
10^5 elements) ran 1.25x the hand adjoint's time before it, 0.95-1.0x after.

Only elements of the function's array parameters that it never rebinds are read once: the
generated code never writes into its caller's arrays (a parameter it writes into is copied
first, which rebinds its name: passes/common.py ``copy_written_params``), so nothing in a loop
step changes them.  The index must be made of names that no statement of the step sets, and
constants.  The load moves to the top of the step, or, when a ``break``, ``continue`` or
``return`` may end the step early, to just before the first statement that reads it on every
path through the step (not one inside an ``if``, a short-circuit or a conditional
expression, which may not run: the read could be out of bounds); it replaces the reads from
there on.  A branch of an ``if`` inside a loop is a step of its own: its loads go to its top.
"""
import ast

from .loop_order import is_comment
from .walk import names

_LABELS = ("grad_of", "tangent_of", "origin")
_SIMPLE = (ast.Assign, ast.AugAssign, ast.Expr, ast.AnnAssign, ast.Return)


def hoist_loads(fn):
    params = {a.arg for a in fn.args.args}
    rebound = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
               and not isinstance(n.ctx, ast.Load)}
    inputs = {p for p in params - rebound}
    if not inputs:
        return fn
    taken = dict.fromkeys(names(fn.body) | params)  # and element -> its local
    blocks = []  # (statement, field) of each block inside a loop, outer blocks first

    def visit(stmts, in_loop):
        for st in stmts:
            if isinstance(st, (ast.For, ast.While)):
                blocks.append((st, "body"))
                visit(st.body, True)
            elif isinstance(st, ast.If) and in_loop:
                blocks.extend([(st, "body"), (st, "orelse")])
                visit(st.body, True)
                visit(st.orelse, True)
            elif isinstance(st, ast.If):
                visit(st.body, in_loop)
                visit(st.orelse, in_loop)
    visit(fn.body, False)
    for st, field in blocks:
        setattr(st, field, _hoist(getattr(st, field), inputs, taken))
    return fn


def _set_in(body):
    """Names any statement of ``body`` binds (targets of =, +=, for, with ...)."""
    return {n.id for st in body for n in ast.walk(st)
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def _index_name(e):
    """``i`` -> "i", ``i + 1`` -> "ip1", ``i - 1`` -> "im1", ``(i, j)`` -> "i_j", else None."""
    if isinstance(e, ast.Name):
        return e.id
    if isinstance(e, ast.Constant) and isinstance(e.value, int) and not isinstance(e.value, bool):
        return str(e.value) if e.value >= 0 else f"m{-e.value}"
    if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub) and \
            isinstance(e.operand, ast.Constant) and isinstance(e.operand.value, int):
        return f"m{e.operand.value}"
    if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Sub)):
        l, r = _index_name(e.left), _index_name(e.right)
        if l is not None and r is not None:
            return f"{l}{'p' if isinstance(e.op, ast.Add) else 'm'}{r}"
    if isinstance(e, ast.Tuple) and e.elts:
        parts = [_index_name(x) for x in e.elts]
        if all(p is not None for p in parts):
            return "_".join(parts)
    return None


def _unconditional_reads(node, out):
    """The subscript loads in ``node`` that run whenever it does (not in a branch of an
    ``if`` expression, a later operand of ``and``/``or``, a comprehension or a lambda)."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        out.append(node)
    if isinstance(node, ast.IfExp):
        _unconditional_reads(node.test, out)
        return
    if isinstance(node, ast.BoolOp):
        _unconditional_reads(node.values[0], out)
        return
    if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                         ast.GeneratorExp)):
        return
    for child in ast.iter_child_nodes(node):
        _unconditional_reads(child, out)


def _key(sub):
    return ast.dump(sub.value), ast.dump(sub.slice)


def _hoist(body, inputs, taken):
    """The block ``body`` (a loop's step, or a branch inside one) with its loads hoisted."""
    changing = _set_in(body)
    firsts = {}  # key -> (top-level statement index, the subscript node, local name)
    for k, st in enumerate(body):
        if not isinstance(st, _SIMPLE):
            continue
        reads = []
        _unconditional_reads(st, reads)
        for sub in reads:
            if not isinstance(sub.value, ast.Name) or sub.value.id not in inputs:
                continue
            if names(sub.slice) & changing or any(
                    isinstance(n, (ast.Call, ast.Slice, ast.Subscript, ast.Attribute))
                    for n in ast.walk(sub.slice)):
                continue
            key = _key(sub)
            if key not in firsts:
                label = _index_name(sub.slice)
                if label is not None and f"{sub.value.id}_{label}".isidentifier():
                    firsts[key] = (k, sub, label, len(firsts))
    if not firsts:
        return body
    counts = {}
    for k, st in enumerate(body):
        for n in ast.walk(st):
            if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load):
                key = _key(n)
                if key in firsts and k >= firsts[key][0]:
                    counts[key] = counts.get(key, 0) + 1
    chosen = sorted((v for key, v in firsts.items() if counts.get(key, 0) >= 2),
                    key=lambda v: v[3])
    if not chosen:
        return body
    if not any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Raise))
               for st in body for n in ast.walk(st)):
        # every step that starts reaches each read: all the loads go first, as a hand
        # would write them
        top = next((k for k, st in enumerate(body)
                    if not (isinstance(st, ast.Expr) and is_comment(st))), 0)
        chosen = [(min(k, top), sub, label, o) for k, sub, label, o in chosen]
    local = {}
    for k, sub, label, _ in chosen:
        name = taken.get(_key(sub))  # the same element has the same local in every step
        if name is None:
            name = f"{sub.value.id}_{label}"
            n = 2
            while name in taken:
                name, n = f"{sub.value.id}_{label}_{n}", n + 1
            taken[name] = taken[_key(sub)] = name
        local[_key(sub)] = (name, k)
    new_body = []
    for k, st in enumerate(body):
        for at, sub, _, _ in chosen:
            if at == k:
                load = ast.copy_location(
                    ast.Assign([ast.Name(local[_key(sub)][0], ast.Store())],
                               ast.Subscript(sub.value, sub.slice, ast.Load())), st)
                load.hoisted = True  # a local of the step alone (passes/rotate.py reuses it)
                for attr in _LABELS:  # the comment naming the user's line comes first
                    if hasattr(st, attr):
                        setattr(load, attr, getattr(st, attr))
                new_body.append(load)
        new_body.append(_Replace(local, k).visit(st))
    return new_body


class _Replace(ast.NodeTransformer):
    """Element reads of hoisted loads, by their local (those hoisted at or before statement
    ``k`` of the step)."""

    def __init__(self, local, k):
        self.local = {key: name for key, (name, at) in local.items() if at <= k}

    def visit_Subscript(self, node):
        if isinstance(node.ctx, ast.Load):
            name = self.local.get(_key(node))
            if name is not None:
                return ast.copy_location(ast.Name(name, ast.Load()), node)
        self.generic_visit(node)
        return node
