"""Clean-up, stacks of known size: a list of saves becomes an array sized once, with a count.

    for i in prange(n):                         for i in prange(n):
        _stack_m_step = [0.0] * 0                   _stack_m_step = np.empty(1 + len(range(1, K)))
        _stack_m_step.append(m)                     _stack_m_step_n = 0
        m = v[i, 0]                                 _stack_m_step[_stack_m_step_n] = m
        for k in range(1, K):          ->           _stack_m_step_n += 1
            _stack_m_step.append(m)                 m = v[i, 0]
            m = max(m, v[i, k])                     for k in range(1, K):
        ...                                             _stack_m_step[_stack_m_step_n] = m
        m = _stack_m_step.pop()                         _stack_m_step_n += 1
                                                        ...
                                                    _stack_m_step_n -= 1
                                                    m = _stack_m_step[_stack_m_step_n]

The adjoint of a ``prange`` loop whose steps keep values in inner loops runs each step again
with lists of the step's own (passes/parallel.py).  A list grows by reallocating, and in a
parallel loop every step does that anew, on every thread at once: the GMM's gradient spent
about a tenth of its time there.  When every append into such a list is at the step's level or
in ``for`` loops over ``range`` whose bounds the step does not change, the number of appends
is known when the step starts: the list is an array of that length with a count of what it
holds.  The bound is an upper one (both branches of an ``if`` count); an index past it would
be an IndexError (generated code checks bounds), never a value read from the wrong place.
A list used any other way stays a list.

The function's own lists get the same treatment when one top-level ``for`` makes all their
appends (``bounded_loop_stacks``): the GMM's forward sweep keeps ``mx`` N * K times and its
exponentials N * K times; made as lists, their appends and pops cost 4% of its gradient.  The
number must be exact there, not a bound (both branches of an ``if`` append alike, no loop
ends early), so the array is no larger than the list would grow.  The array is made just
before the loop (the bounds it reads are set by then) and replaces the list's empty start.
Reads and writes at the count are marked ``in_bounds``: the count holds every append and a
pop takes one back, so passes/bounds.py needs no check for them.
"""
import ast

from .common import _assign, _call, _name
from .walk import nodes

_DTYPES = {float: None, int: "int64", bool: "bool_"}


def bounded_step_stacks(fn):
    """Every ``prange`` loop's own lists of saves that can be, as arrays with a count."""
    taken = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    for loop in [n for n in ast.walk(fn) if _is_prange(n)]:
        for st in list(loop.body):
            item = _empty_list(st)
            if item is not None:
                _rewrite(fn, loop, st, item, taken)
    return fn


def bounded_loop_stacks(fn):
    """The function's own lists of saves that one top-level ``for`` fills with a number of
    appends known as it starts, as arrays of that length with a count, made just before it."""
    taken = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    for init in [st for st in fn.body if _empty_list(st) is not None]:
        _rewrite_top(fn.body, init, _empty_list(init), taken)
    return fn


def _rewrite_top(body, init, item, taken):
    stack = init.targets[0].id
    fills = [i for i, st in enumerate(body)
             if any(_method(n, stack) == "append" for n in nodes(st))]
    if len(fills) != 1:
        return  # (a checkpointed loop's steps run again elsewhere: they fill it too)
    at, start = fills[0], body.index(init)
    loop = body[at]
    if start > at or not (isinstance(loop, ast.For) and isinstance(loop.target, ast.Name)) or \
            any(_mentions(st, stack) for st in body[:at] if st is not init):
        return
    cap = _capacity([loop], stack, _stores([loop]), exact=True)
    rest = body[at:]
    if cap is None or _zero(cap) or not _uses_ok(rest, stack):
        return
    indexed = _Indexed(stack, _fresh(f"{stack}_n", taken), item)
    indexed.block(rest)
    body[at:] = indexed.start(cap) + rest
    del body[start]


def _is_prange(n):
    return isinstance(n, ast.For) and isinstance(n.iter, ast.Call) and \
        isinstance(n.iter.func, ast.Name) and n.iter.func.id == "prange"


def _empty_list(st):
    """The item type of ``L = [c] * 0`` (c a number or a bool), else None."""
    if not (isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)):
        return None
    v = st.value
    if isinstance(v, ast.BinOp) and isinstance(v.op, ast.Mult) and \
            isinstance(v.left, ast.List) and len(v.left.elts) == 1 and \
            isinstance(v.left.elts[0], ast.Constant) and isinstance(v.right, ast.Constant) \
            and v.right.value == 0 and type(v.left.elts[0].value) in _DTYPES:
        return type(v.left.elts[0].value)
    return None


def _method(n, stack):
    """``stack.append`` / ``stack.pop`` / ... of a call node: the method's name, else None."""
    if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
            isinstance(n.func.value, ast.Name) and n.func.value.id == stack:
        return n.func.attr
    return None


def _is_append(st, stack):
    return isinstance(st, ast.Expr) and _method(st.value, stack) == "append" and \
        len(st.value.args) == 1 and not st.value.keywords


def _rewrite(fn, loop, init, item, taken):
    stack = init.targets[0].id
    inside = {id(n) for n in nodes(loop)}
    if any(isinstance(n, ast.Name) and n.id == stack and id(n) not in inside
           for st in fn.body for n in nodes(st)):
        return  # (used outside the step)
    at = loop.body.index(init)
    rest = loop.body[at + 1:]
    if any(isinstance(n, ast.Name) and n.id == stack for st in loop.body[:at]
           for n in nodes(st)):
        return
    set_in_step = _stores(loop.body) | {loop.target.id}
    cap = _capacity(rest, stack, set_in_step - {loop.target.id})
    if cap is None or not _uses_ok(rest, stack):
        return
    indexed = _Indexed(stack, _fresh(f"{stack}_n", taken), item)
    indexed.block(rest)
    loop.body[at:] = indexed.start(cap) + rest


def _stores(stmts):
    out = set()
    for st in stmts:
        for n in nodes(st):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                out.add(n.id)
            elif isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                    isinstance(n.func.value, ast.Name):
                out.add(n.func.value.id)  # (a list a method changes: its len changes)
    return out


def _capacity(stmts, stack, changing, exact=False):
    """An expression for how many appends into ``stack`` the statements make at most, or
    None if that is not known before they run (a ``while``, a loop over anything but a
    ``range`` of bounds the step keeps, an append anywhere else).  ``exact``: the number
    they make, whatever path they take (branches append alike, loops run every step)."""
    terms = []
    for st in stmts:
        if _is_append(st, stack):
            terms.append(ast.Constant(1))
            continue
        if not any(_method(n, stack) == "append" for n in nodes(st)):
            continue
        if isinstance(st, ast.If):
            parts = [_capacity(st.body, stack, changing, exact),
                     _capacity(st.orelse, stack, changing, exact)]
            if None in parts or (exact and ast.dump(parts[0]) != ast.dump(parts[1])):
                return None
            terms += [p for p in parts[:1 if exact else 2] if not _zero(p)]
        elif isinstance(st, ast.For) and not st.orelse and _range_of_kept(st.iter, changing) \
                and not (exact and _exits(st)):
            inner = _capacity(st.body, stack, changing, exact)
            if inner is None:
                return None
            trips = _call("len", _call("range", *st.iter.args))
            terms.append(trips if _one(inner) else ast.BinOp(trips, ast.Mult(), inner))
        else:
            return None
    if not terms:
        return ast.Constant(0)
    ones = sum(1 for t in terms if _one(t))
    rest = [t for t in terms if not _one(t)]
    out = ast.Constant(ones) if ones else None
    for t in rest:
        out = t if out is None else ast.BinOp(out, ast.Add(), t)
    return out


def _exits(loop):
    return any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Raise, ast.Try))
               for n in nodes(loop))


def _zero(e):
    return isinstance(e, ast.Constant) and e.value == 0


def _one(e):
    return isinstance(e, ast.Constant) and e.value == 1


_PLAIN = (ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Attribute, ast.Subscript,
          ast.Load, ast.operator, ast.unaryop, ast.Tuple)


def _range_of_kept(it, changing):
    """``range(a, b, c)`` whose bounds read only names the step does not set (nor any list's
    length), through arithmetic, ``.shape`` and constant subscripts."""
    if not (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and
            it.func.id == "range" and 1 <= len(it.args) <= 3 and not it.keywords):
        return False
    for a in it.args:
        for n in ast.walk(a):
            if not isinstance(n, _PLAIN):
                return False
            if isinstance(n, ast.Name) and n.id in changing:
                return False
            if isinstance(n, ast.Attribute) and n.attr not in ("shape", "size", "ndim"):
                return False
            if isinstance(n, ast.Subscript) and not isinstance(n.slice, ast.Constant):
                return False
    return True


def _mentions(node, stack):
    return any(isinstance(n, ast.Name) and n.id == stack for n in nodes(node))


def _uses_ok(stmts, stack):
    """Every use of ``stack``: an append statement, or one ``stack.pop()`` in the value of a
    plain statement (not in a loop's or a branch's head)."""
    for st in stmts:
        if isinstance(st, (ast.For, ast.While, ast.If)):
            head = [st.iter, st.target] if isinstance(st, ast.For) else [st.test]
            if any(_mentions(h, stack) for h in head) or not _uses_ok(st.body, stack) or \
                    not _uses_ok(st.orelse, stack):
                return False
            continue
        if not _mentions(st, stack):
            continue
        if _is_append(st, stack):
            if _mentions(st.value.args[0], stack):
                return False
            continue
        if not isinstance(st, (ast.Assign, ast.AugAssign, ast.Expr)):
            return False
        calls = [c for c in nodes(st) if _method(c, stack) is not None]
        uses = [n for n in nodes(st) if isinstance(n, ast.Name) and n.id == stack]
        if len(calls) != 1 or len(uses) != 1 or _method(calls[0], stack) != "pop" or \
                calls[0].args or calls[0].keywords or not _mentions(st.value, stack):
            return False
    return True


def _fresh(base, taken):
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}{k}"
    taken.add(name)
    return name


class _Indexed(ast.NodeTransformer):
    """Appends and pops of ``stack`` as writes and reads at its count.  The count stays
    within the array (it holds every append; a pop takes back an append), so the index
    checks pass (passes/bounds.py) takes these reads and writes as checked (``in_bounds``)."""

    def __init__(self, stack, count, item):
        self.stack, self.count, self.item = stack, count, item

    def start(self, cap):
        """The array, and its count at zero."""
        alloc = _call("np.empty", cap)
        if _DTYPES[self.item]:
            alloc.keywords = [ast.keyword("dtype", ast.Attribute(
                _name("np"), _DTYPES[self.item], ast.Load()))]
        return [_assign(self.stack, alloc), _assign(self.count, ast.Constant(0))]

    def _at(self, ctx):
        sub = ast.Subscript(_name(self.stack), _name(self.count), ctx)
        sub.in_bounds = True
        return sub

    def block(self, stmts):
        out = []
        for st in stmts:
            if isinstance(st, (ast.For, ast.While, ast.If)):
                self.block(st.body)
                self.block(st.orelse)
                out.append(st)
            elif _is_append(st, self.stack):
                out += [ast.copy_location(ast.Assign([self._at(ast.Store())],
                                                     st.value.args[0]), st),
                        self._move(ast.Add())]
            elif _mentions(st, self.stack):  # one pop (_uses_ok)
                out.append(self._move(ast.Sub()))
                if not (isinstance(st, ast.Expr) and _method(st.value, self.stack) == "pop"):
                    out.append(self.visit(st))
            else:
                out.append(st)
        stmts[:] = out

    def visit_Call(self, n):
        if _method(n, self.stack) == "pop":
            return self._at(ast.Load())
        return self.generic_visit(n)

    def _move(self, op):
        return ast.AugAssign(_name(self.count, ast.Store()), op, ast.Constant(1))
