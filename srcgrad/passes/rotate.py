"""Clean-up, carried elements: a loop that reads ``x[i]`` and ``x[i + 1]`` keeps each in a local.

In a forward loop, step i's ``x[i + 1]`` is step i+1's ``x[i]``, and the additions into
``bx[i]`` and ``bx[i + 1]`` of two neighbouring steps go to the same element.  Memory
cannot carry them for free: LLVM must assume a store to ``bx`` may change ``x`` and reload,
and the store of step i must reach memory before step i+1 loads it again.  So the pass keeps
the window of elements in locals that move along one place a step (a rotation, as a hand
would carry ``a = b``), reading each input element once and writing each adjoint element
once:

    for i in range(n - 1):                          bx_i = 0.0
        x_i = x[i]                                  if n - 1 > 0:
        bx[i] += -(bs * 2 * (1.0 - x_i))                x_i = x[0]
        b_t4 = bs * 200.0 * (x[i + 1] - x_i ** 2)   for i in range(n - 1):
        bx[i] += -b_t4 * 2 * x_i             ->         x_ip1 = x[i + 1]
        bx[i + 1] += b_t4                               bx_i += -(bs * 2 * (1.0 - x_i))
                                                        b_t4 = bs * 200.0 * (x_ip1 - x_i ** 2)
                                                        bx_i += -b_t4 * 2 * x_i
                                                        bx_ip1 = b_t4
                                                        bx[i] += bx_i
                                                        x_i = x_ip1
                                                        bx_i = bx_ip1
                                                    if n - 1 > 0:
                                                        bx[n - 1] += bx_i

(Rosenbrock's gradient at 10^5 elements, ``python tools/bench.py``: 0.110 ms before, 0.039 ms
after, against 0.078 ms for the fastest hand-written adjoint in tools/hand_adjoints.py.)

It applies to a ``for i in range(lo, hi)`` loop (step 1: forward) with no ``break``,
``continue`` or ``return``, whose range reads names no step sets, and:

* loads: a function parameter never rebound and never written through (the generated code
  writes only into copies of its caller's arrays), read only as ``x[i + c]``, ``x[k, i + c]``
  (c an integer constant, the other indices the same in every read and set by no step), the
  offsets c consecutive, each read by every step (not only under an ``if``): then the loop
  reads no element the original loop did not;
* additions: an array the reverse sweep allocates for an adjoint (float or complex, so a
  local starting at 0.0 holds its partial sums), only added into in the loop (never read,
  never viewed or passed anywhere by any name), at consecutive offsets each added into by
  every step, into one element each (an index per axis, the other indices integers: never
  a row, never a fancy index); the last elements are added after the loop, when it ran.  The
  sums are associated differently, as when steps commute (passes/loop_order.py).

The locals are named after their elements (``x_ip1``, ``bx_i``, ``X_k_jp1``); a load already
hoisted into a local of the step (passes/hoist_loads.py) keeps its name, and two loops carrying
the same element share its local, which each sets before it reads it.

A reverse-sweep loop whose steps commute is emitted in the reverse order and marked with its
forward ``range`` (``forward_iter``, passes/reverse.py); when this pass can carry elements it
turns it forward (running such a loop forward without carrying measured slower here).
A ``prange`` loop is never rotated: its steps must stay independent.
"""
import ast

from .hoist_loads import _LABELS, _index_name, _unconditional_reads
from .loop_order import _base, is_comment
from .walk import name_counts, names

# calls whose result is new memory, never a view of an argument
_FRESH = {"zeros", "zeros_like", "empty", "empty_like", "ones", "ones_like", "full",
          "full_like", "copy", "array", "arange", "linspace", "eye", "identity", "empty_broadcast"}


def rotate(fn, accumulable=None, kinds=None):
    """Carry elements between the steps of ``fn``'s forward loops.  ``accumulable``: local
    float/complex arrays (adjoints) whose additions may be kept in locals -> their number of
    axes (an addition is kept in a local only into one element, never into a row);
    ``kinds``: the primal's kinds (an element's other indices must be integers)."""
    accumulable, kinds = accumulable or {}, kinds or {}
    params = {a.arg for a in fn.args.args}
    loops = [n for n in ast.walk(fn) if isinstance(n, ast.For) and _candidate(n)]
    if not loops:
        return fn
    rebound = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
               and not isinstance(n.ctx, ast.Load)}
    links, escaped, written, unfresh = _aliases(fn)
    inputs = {p for p in params - rebound
              if not _class(p, links) & written and p not in escaped}
    accum = {a for a in accumulable if a not in params | escaped | unfresh and a in rebound
             and not links.get(a)}
    if not inputs and not accum:
        return fn
    taken = _Taken(names(fn) | params)
    # locals of one step (hoisted loads) and the carried ones this pass makes: each loop sets
    # them before it reads them, so loops may share their names (x_i is x_i in every loop)
    taken.temps = {st.targets[0].id for st in ast.walk(fn) if getattr(st, "hoisted", False)}
    counts = name_counts(fn)
    blocks = {}
    for n in ast.walk(fn):
        for field in ("body", "orelse"):
            block = getattr(n, field, None)
            if isinstance(block, list):
                for st in block:
                    blocks[id(st)] = block
    for loop in loops:
        _rotate_loop(loop, inputs, {a: accumulable[a] for a in accum}, taken, counts,
                     blocks[id(loop)], kinds)
    return fn


class _Taken(set):
    """The function's names, and which of them are locals of one step (``temps``)."""
    temps = None


def _candidate(loop):
    """A forward ``range`` loop (or one marked as allowed to run forward) that indexes by its
    variable: worth analysing."""
    it = getattr(loop, "forward_iter", None) or loop.iter
    if not (isinstance(loop.target, ast.Name) and isinstance(it, ast.Call) and
            isinstance(it.func, ast.Name) and it.func.id == "range" and
            1 <= len(it.args) <= 2 and not it.keywords and not loop.orelse):
        return False
    i = loop.target.id
    return any(isinstance(n, ast.Subscript) and i in names(n.slice)
               for st in loop.body for n in ast.walk(st))


def _may_view(e):
    """Names whose memory the value of ``e`` may share (conservative)."""
    if isinstance(e, ast.Name):
        return {e.id}
    if isinstance(e, (ast.Subscript, ast.Attribute, ast.Starred)):
        return _may_view(e.value)
    if isinstance(e, ast.Call):
        f = e.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id == "np" and f.attr in _FRESH:
            return set()
        out = set()
        for a in list(e.args) + [k.value for k in e.keywords]:
            out |= _may_view(a)
        if isinstance(f, ast.Attribute):
            out |= _may_view(f.value)
        return out
    if isinstance(e, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Constant, ast.JoinedStr)):
        return set()  # (arithmetic makes a new array)
    out = set()
    for child in ast.iter_child_nodes(e):
        if isinstance(child, ast.expr):
            out |= _may_view(child)
    return out


def _aliases(fn):
    """(links: name -> names it may share memory with, names passed to a call made for its
    effect, names written through: ``a[...] = ``, ``a[...] += ``, names bound otherwise than
    to new memory by ``name = ...``)."""
    links, escaped, written, unfresh = {}, set(), set(), set()

    def link(targets, value_names):
        for t in targets:
            for v in value_names:
                if v != t:
                    links.setdefault(t, set()).add(v)
                    links.setdefault(v, set()).add(t)
    for st in ast.walk(fn):
        if isinstance(st, ast.Assign):
            view = _may_view(st.value)
            for t in st.targets:
                if isinstance(t, ast.Subscript):
                    written.add(_base(t))
                else:
                    bound = {n.id for n in ast.walk(t) if isinstance(n, ast.Name)}
                    link(bound, view)
                    if view or not isinstance(t, ast.Name) or len(st.targets) > 1:
                        unfresh |= bound
        elif isinstance(st, ast.AugAssign):
            if isinstance(st.target, ast.Subscript):
                written.add(_base(st.target))
            else:
                written.add(st.target.id)  # (an array's += writes into it)
        elif isinstance(st, (ast.For, ast.comprehension)):
            bound = {n.id for n in ast.walk(st.target) if isinstance(n, ast.Name)}
            link(bound, _may_view(st.iter))
            unfresh |= bound
        elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
            escaped |= _may_view(st.value)
        elif isinstance(st, (ast.With, ast.NamedExpr, ast.Global, ast.Nonlocal,
                             ast.AnnAssign)):
            escaped |= names(st)
    return links, escaped, written, unfresh


def _class(v, links):
    seen, todo = {v}, [v]
    while todo:
        for w in links.get(todo.pop(), ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def _pure(e):
    return all(isinstance(n, (ast.Name, ast.Constant, ast.BinOp, ast.UnaryOp, ast.Attribute,
                              ast.Subscript, ast.Load, ast.operator, ast.unaryop, ast.Tuple))
               or (isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                   and n.func.id == "len" and len(n.args) == 1)
               for n in ast.walk(e))


def _offset(e, i):
    """``i`` -> 0, ``i + 2`` / ``2 + i`` -> 2, ``i - 1`` -> -1, else None."""
    if isinstance(e, ast.Name) and e.id == i:
        return 0
    if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Sub)):
        l, r = e.left, e.right
        if isinstance(l, ast.Name) and l.id == i and _int(r) is not None:
            return _int(r) if isinstance(e.op, ast.Add) else -_int(r)
        if isinstance(e.op, ast.Add) and isinstance(r, ast.Name) and r.id == i and \
                _int(l) is not None:
            return _int(l)
    return None


def _int(e):
    if isinstance(e, ast.Constant) and type(e.value) is int:
        return e.value
    return None


def _plus(e, c):
    """``e + c``, folded where it can be read off (``0 + 1`` -> ``1``, ``n - 1 + 1`` -> ``n``)."""
    if c == 0:
        return _copy(e)
    if _int(e) is not None:
        return ast.Constant(_int(e) + c)
    if isinstance(e, ast.BinOp) and isinstance(e.op, (ast.Add, ast.Sub)) and \
            _int(e.right) is not None:
        k = _int(e.right) * (1 if isinstance(e.op, ast.Add) else -1) + c
        return _plus(e.left, k)
    return ast.BinOp(_copy(e), ast.Add() if c > 0 else ast.Sub(), ast.Constant(abs(c)))


def _copy(e):
    return ast.parse(ast.unparse(e), mode="eval").body


class _Group:
    """The accesses of one array in a loop: ``x[..., i + c, ...]`` at position ``at``."""

    def __init__(self, array, at, others):
        self.array, self.at, self.others = array, at, others
        self.nodes = []        # (subscript, offset)
        self.unconditional = set()  # offsets every step reads (or adds into)

    def index(self, c, i_expr):
        """The index of element ``i + c`` with ``i_expr`` for ``i``."""
        e = _plus(i_expr, c)
        if self.others is None:
            return e
        elts = [_copy(x) for x in self.others]
        elts.insert(self.at, e)
        return ast.Tuple(elts, ast.Load())

    def offsets(self):
        cs = {c for _, c in self.nodes}
        lo, hi = min(cs), max(cs)
        return lo, hi, cs == set(range(lo, hi + 1)) and cs <= self.unconditional


def _one_element(sub, axes, others, kinds):
    """Does ``sub`` address one element of an array of ``axes`` axes: an index per axis, the
    other indices integer constants or integer names (not arrays: a fancy index)?"""
    n = len(sub.slice.elts) if isinstance(sub.slice, ast.Tuple) else 1
    return n == axes and all(
        _int(x) is not None or (isinstance(x, ast.Name) and kinds.get(x.id) == ("s", "i"))
        for x in others or ())


def _access(sub, i, set_in_body):
    """(position of the loop variable, the other indices, offset) of ``sub``, or None."""
    s = sub.slice
    elts = s.elts if isinstance(s, ast.Tuple) else [s]
    at = [k for k, x in enumerate(elts) if i in names(x)]
    if len(at) != 1 or any(isinstance(n, (ast.Slice, ast.Starred)) for n in ast.walk(s)):
        return None
    c = _offset(elts[at[0]], i)
    others = [x for k, x in enumerate(elts) if k != at[0]]
    if c is None or any(not _pure(x) or names(x) & set_in_body for x in others):
        return None
    return at[0], others if isinstance(s, ast.Tuple) else None, c


def _rotate_loop(loop, inputs, accum, taken, counts, block, kinds):
    it = getattr(loop, "forward_iter", None) or loop.iter
    i = loop.target.id
    body = loop.body
    set_in_body = {n.id for st in body for n in ast.walk(st)
                   if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    if i in set_in_body or any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Raise,
                                              ast.Yield, ast.FunctionDef, ast.Lambda))
                               for st in body for n in ast.walk(st)):
        return
    lo, hi = (ast.Constant(0), it.args[0]) if len(it.args) == 1 else it.args
    if not (_pure(lo) and _pure(hi)) or (names(lo) | names(hi)) & set_in_body:
        return
    groups = {}
    for st in body:
        for n in ast.walk(st):
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and \
                    n.value.id in inputs | set(accum):
                a = n.value.id
                acc = _access(n, i, set_in_body)
                load = isinstance(n.ctx, ast.Load)
                if acc is None or load != (a in inputs) or (a in accum and not _one_element(
                        n, accum[a], acc[1], kinds)):
                    groups[a] = None
                    continue
                at, others, c = acc
                key = (at, None if others is None else [ast.dump(x) for x in others])
                g = groups.get(a, False)
                if g is None:
                    continue
                if g is False:
                    g = groups[a] = _Group(a, at, others)
                    g.key = key
                elif g.key != key:
                    groups[a] = None
                    continue
                g.nodes.append((n, c))
    # every occurrence of an accumulated array is the target of a += or -= (else it is read)
    targets = {id(st.target): st for st in ast.walk(loop) if isinstance(st, ast.AugAssign)
               and isinstance(st.op, (ast.Add, ast.Sub))}
    occurrences = {}
    for st in body:
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and n.id in groups:
                occurrences[n.id] = occurrences.get(n.id, 0) + 1
    for a, g in list(groups.items()):
        if g is None:
            continue
        if a in accum and (occurrences.get(a, 0) != len(g.nodes) or
                           any(id(sub) not in targets for sub, _ in g.nodes)):
            groups[a] = None
    groups = {a: g for a, g in groups.items() if g is not None}
    if not groups:
        return
    # which offsets every step touches
    for st in body:
        if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Subscript):
            g = groups.get(_base(st.target))
            if g is not None:
                g.unconditional |= {c for sub, c in g.nodes if sub is st.target}
        reads = []
        if isinstance(st, (ast.Assign, ast.AugAssign, ast.Expr)):
            _unconditional_reads(st.value, reads)
        for sub in reads:
            g = groups.get(sub.value.id) if isinstance(sub.value, ast.Name) else None
            if g is not None:
                g.unconditional |= {c for s2, c in g.nodes if s2 is sub}
    chosen = []
    for a, g in sorted(groups.items()):
        cmin, cmax, ok = g.offsets()
        if not ok:
            continue
        if a in inputs and cmax > cmin:
            chosen.append(g)
        elif a in accum and (cmax > cmin or len(g.nodes) >= 2):
            chosen.append(g)
    if not chosen:
        return
    _apply(loop, it, lo, hi, chosen, inputs, taken, counts, block)


def _apply(loop, it, lo, hi, chosen, inputs, taken, counts, block):
    i = loop.target.id
    here = name_counts(loop)
    assigned = {}
    for st in loop.body:
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                assigned[n.id] = assigned.get(n.id, 0) + 1
    # a load already hoisted into a local of the step (``x_i = x[i]``) keeps its local
    hoisted = {}
    at = {id(sub): (g.array, c) for g in chosen if g.array in inputs for sub, c in g.nodes}
    for st in loop.body:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
                id(st.value) in at and at[id(st.value)] not in hoisted:
            v = st.targets[0].id
            if assigned.get(v) == 1 and (v in taken.temps or
                                         counts.get(v, 0) == here.get(v, 0)):
                hoisted[at[id(st.value)]] = (v, st)
    regs, dropped = {}, set()
    for g in chosen:
        g.cmin, g.cmax, _ = g.offsets()
        for c in range(g.cmin, g.cmax + 1):
            if (g.array, c) in hoisted:
                v, st = hoisted[(g.array, c)]
                regs[(g.array, c)] = v
                dropped.add(id(st))
    for g in chosen:
        for c in range(g.cmin, g.cmax + 1):
            if (g.array, c) not in regs:
                regs[(g.array, c)] = _fresh(g, c, i, taken, set(regs.values()) | set(here))
    by_node = {id(sub): regs[(g.array, c)] for g in chosen for sub, c in g.nodes}
    body = [_Replace(by_node).visit(st) for st in loop.body if id(st) not in dropped]
    loads = [g for g in chosen if g.array in inputs]
    adds = [g for g in chosen if g.array not in inputs]
    iv = ast.Name(i, ast.Load())
    top = [_assign(regs[(g.array, g.cmax)], _element(g, g.cmax, iv)) for g in loads]
    for g in adds:
        r = regs[(g.array, g.cmax)]
        first = next((st for st in body if r in names(st)), None)
        if isinstance(first, ast.AugAssign) and isinstance(first.target, ast.Name):
            # the step's first addition into its newest element sets it
            value = first.value if isinstance(first.op, ast.Add) else \
                ast.UnaryOp(ast.USub(), first.value)
            new = ast.copy_location(_assign(r, value), first)
            _label([new], first)
            body[body.index(first)] = new
        else:
            top.append(_assign(r, ast.Constant(0.0)))
    end = [ast.AugAssign(ast.Subscript(ast.Name(g.array, ast.Load()),
                                       g.index(g.cmin, iv), ast.Store()), ast.Add(),
                         ast.Name(regs[(g.array, g.cmin)], ast.Load())) for g in adds]
    for g in loads + adds:
        end += [_assign(regs[(g.array, c)], ast.Name(regs[(g.array, c + 1)], ast.Load()))
                for c in range(g.cmin, g.cmax)]
    loop.body[:] = top + body + end
    loop.iter = it
    ran = ast.Compare(_copy(hi), [ast.Gt()], [_copy(lo)])
    before = [_assign(regs[(g.array, c)], ast.Constant(0.0))
              for g in adds for c in range(g.cmin, g.cmax)]
    first_loads = [_assign(regs[(g.array, c)], _element(g, c, lo))
                   for g in loads for c in range(g.cmin, g.cmax)]
    if first_loads:
        before.append(ast.If(ran, first_loads, []))
    last = [ast.AugAssign(ast.Subscript(ast.Name(g.array, ast.Load()), g.index(c, hi),
                                        ast.Store()), ast.Add(),
                          ast.Name(regs[(g.array, c)], ast.Load()))
            for g in adds for c in range(g.cmin, g.cmax)]
    after = [ast.If(_copy(ran), last, [])] if last else []
    # each new statement is labelled as the code it belongs to (the "# grad of:" comments)
    real = [st for st in body if not (isinstance(st, ast.Expr) and is_comment(st))] or [loop]
    _label(top, real[0])
    _label(end, real[-1])
    _label(before + after, loop)
    k = next(k for k, st in enumerate(block) if st is loop)
    block[k:k + 1] = before + [loop] + after


def _label(stmts, like):
    for st in stmts:
        for attr in _LABELS:
            if hasattr(like, attr):
                setattr(st, attr, getattr(like, attr))


def _element(g, c, i_expr):
    return ast.Subscript(ast.Name(g.array, ast.Load()), g.index(c, i_expr), ast.Load())


def _assign(name, value):
    return ast.Assign([ast.Name(name, ast.Store())], value, lineno=0)


def _fresh(g, c, i, taken, here):
    """``x_ip1`` for element ``x[i + 1]``: a name no other variable has, or the same element's
    carried local in another loop (set before that loop reads it); never one of this loop's."""
    off = _index_name(_plus(ast.Name(i, ast.Load()), c))
    if g.others is not None:
        parts = [_index_name(x) or "k" for x in g.others]
        parts.insert(g.at, off)
        off = "_".join(parts)
    base = name = f"{g.array}_{off}"
    n = 2
    while (name in taken and name not in taken.temps) or name in here:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    taken.temps.add(name)
    return name


class _Replace(ast.NodeTransformer):
    def __init__(self, by_node):
        self.by_node = by_node

    def visit_Subscript(self, node):
        name = self.by_node.get(id(node))
        if name is not None:
            return ast.copy_location(ast.Name(name, node.ctx.__class__()), node)
        self.generic_visit(node)
        return node
