"""Reverse mode, loop order: an adjoint loop whose steps only add into adjoints runs forward.

The adjoint of a loop runs its steps in reverse, since in general step i's adjoint needs
what step i+1's adjoint computed.  When it does not -- every variable the adjoint body writes
is either a temporary of one step (set before it is read in that step) or an accumulator only
ever added into (``bx[i] += ...``, ``bw += ...``, never read otherwise), and nothing it reads
is changed by another step -- the steps commute (up to the order of floating-point sums), and
the loop is emitted in the forward order, which Numba/LLVM compile to a tighter loop:

    # grad of: for i in range(n - 1):            # grad of: for i in range(n - 1):
    for i in range(n - 2, -1, -1):        ->     for i in range(n - 1):   (forward: adds only)
        b_t4 = bs * 200.0 * (x[i + 1] - ...)         b_t4 = bs * 200.0 * (x[i + 1] - ...)
        bx[i] += -b_t4 * 2 * x[i]                    bx[i] += -b_t4 * 2 * x[i]
        bx[i + 1] += b_t4                            bx[i + 1] += b_t4

A carried adjoint (``bx = bx * (1 - 3 dt x**2)`` of a recurrence), an adjoint read after it
is added into (``bt += ...; bx[i] += bt * 2``), a value popped from a list (saved in an order),
an element restored (``x[i] = _saved``) or a loop that may end early keeps the reverse order.
"""
import ast

from ..backend.emit import _MARK, comment
from .clone import clone
from .common import loop_exit
from .types import is_scalar
from .walk import nodes


def is_comment(st):
    v = st.value
    return isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == _MARK


def _stores(node):
    """(names assigned with =, names added into with +=/-=) anywhere in ``node``."""
    assigned, added = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                assigned |= {_base(t)} if isinstance(t, ast.Subscript) else \
                    {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
        elif isinstance(n, ast.AugAssign):
            t = n.target
            (added if isinstance(t, ast.Name) else assigned).add(
                t.id if isinstance(t, ast.Name) else _base(t))
            if isinstance(t, ast.Subscript):
                added.add(_base(t))
                assigned.discard(_base(t))
        elif isinstance(n, (ast.For, ast.comprehension)):
            assigned |= {x.id for x in ast.walk(n.target) if isinstance(x, ast.Name)}
    return assigned, added


def _base(t):
    while isinstance(t, ast.Subscript):
        t = t.value
    return t.id if isinstance(t, ast.Name) else None


def _reads(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _is_zero_reset(st, v):
    return isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
        st.targets[0].id == v and isinstance(st.value, ast.Constant) and st.value.value == 0.0


def _zero_after(stmts, zero):
    """Given ``zero`` (the names that are 0 before ``stmts``), the names 0 after them on every
    path.  Each compound statement looks only at the names it mentions (linear in the body)."""
    zero = set(zero)
    for st in stmts:
        if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name) and \
                _is_zero_reset(st, st.targets[0].id):
            zero.add(st.targets[0].id)
        elif isinstance(st, ast.If):
            m = {n.id for n in ast.walk(st) if isinstance(n, ast.Name)}
            both = _zero_after(st.body, zero & m) & _zero_after(st.orelse, zero & m)
            zero = (zero - m) | both
        elif isinstance(st, ast.For):  # zero or more steps, each from the 0 it left
            m = {n.id for n in ast.walk(st) if isinstance(n, ast.Name)}
            targets = {n.id for n in ast.walk(st.target) if isinstance(n, ast.Name)}
            zero = (zero - m) | ((zero & m) - targets) & _zero_after(st.body, m)
        else:  # (a statement that only reads a name leaves it as it was)
            assigned, added = _stores(st)
            zero -= assigned | added
    return zero


def _partitioned(body, index):
    """Names that every occurrence in ``body`` indexes first by the loop variable ``index``
    itself (``b[i]``, ``b[i, j]``), which the body never assigns."""
    if index in _stores_all(body):
        return set()
    at_index, seen, elsewhere = set(), set(), set()
    for st in body:
        for n in ast.walk(st):
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name):
                first = n.slice.elts[0] if isinstance(n.slice, ast.Tuple) and n.slice.elts \
                    else n.slice
                if isinstance(first, ast.Name) and first.id == index:
                    at_index.add(id(n.value))
    for st in body:
        for n in ast.walk(st):
            if isinstance(n, ast.Name) and n.id != index:
                seen.add(n.id)
                if id(n) not in at_index:
                    elsewhere.add(n.id)
    return seen - elsewhere


def _stores_all(body):
    out = set()
    for st in body:
        a, b = _stores(st)
        out |= a | b
    return out


class _Order:
    """Walks an adjoint body once, in order, deciding whether its steps commute."""

    def __init__(self, body, local, index=None):
        assigned, added = set(), set()
        for st in body:
            a, b = _stores(st)
            assigned |= a
            added |= b
        # arrays each step reads and writes only at its own index (``bout[i, j] = 0.0``):
        # the steps touch disjoint elements, in any order
        self.own_elements = _partitioned(body, index) if index else set()
        assigned -= self.own_elements
        added -= self.own_elements
        self.accumulators = added - assigned   # only ever added into
        self.temporaries = assigned            # must be set in a step before that step reads
        # ... or be 0 at the start of every step: the loop's own numbers that each step adds
        # into and leaves 0 again (the adjoint of a step's temporary, reset after its use)
        self.zeroed = _zero_after(body, assigned & local) & assigned & local
        # ... and be the loop's own (read by nothing after it), since the last step to set
        # them is another one in the forward order
        self.reason = None
        self.inner_loops = 0  # the loops inside a step the walk is in
        outside = sorted(assigned - local)
        if outside:
            self.fail(f"its adjoint sets {', '.join(outside)}, which code after the loop reads")

    @property
    def ok(self):
        return self.reason is None

    def fail(self, reason):
        if self.reason is None:
            self.reason = reason

    def read(self, node, defined):
        for v in sorted(_reads(node)):
            if v in self.accumulators:
                self.fail(f"a step reads {v}, which other steps add into")
            elif v in self.temporaries and v not in defined:
                self.fail(f"a step reads {v} as another step left it")

    def block(self, stmts, defined):
        for st in stmts:
            if not self.ok:
                return
            self.stmt(st, defined)

    def stmt(self, st, defined):
        if isinstance(st, ast.Assign):
            t = st.targets[0]
            if isinstance(t, ast.Subscript) and _base(t) in self.own_elements:
                self.read(st.value, defined)
                self.read(t.slice, defined)
                return
            if not isinstance(t, ast.Name):  # an element restored, or any other write
                self.fail(f"a step writes {_text(t)} (an element restored for the "
                          "steps before it)")
                return
            self.read(st.value, defined)
            defined.add(t.id)
        elif isinstance(st, ast.AugAssign):
            t = st.target
            v = _base(t)
            self.read(st.value, defined)
            if isinstance(t, ast.Subscript):
                self.read(t.slice, defined)
            if v in self.temporaries and v not in defined:
                self.fail(f"a step adds into {v} as another step left it")
            elif v in self.accumulators and v in _reads(st.value):
                self.fail(f"a step reads {v}, which other steps add into")
        elif isinstance(st, ast.If):
            self.read(st.test, defined)
            d_body, d_else = set(defined), set(defined)
            self.block(st.body, d_body)
            self.block(st.orelse, d_else)
            defined |= d_body & d_else
        elif isinstance(st, ast.For):
            self.read(st.iter, defined)
            inner = set(defined) | {x.id for x in ast.walk(st.target) if isinstance(x, ast.Name)}
            self.inner_loops += 1
            self.block(st.body, inner)  # a value carried between the inner loop's steps
            self.inner_loops -= 1  # must be set before the inner loop (else it comes from
            # another outer step)
        elif isinstance(st, ast.While) and not st.orelse:  # (a step's own while, run again)
            self.read(st.test, defined)
            self.inner_loops += 1
            self.block(st.body, set(defined))
            self.inner_loops -= 1
        elif isinstance(st, (ast.Break, ast.Continue)) and self.inner_loops:
            pass  # (it leaves or goes on with a loop inside the step)
        elif isinstance(st, ast.Expr) and is_comment(st):
            pass
        elif isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and \
                isinstance(st.value.func, ast.Attribute) and st.value.func.attr == "append" \
                and _base(st.value.func.value) in getattr(self, "lists", ()):
            self.read(st.value, defined)  # a save into the step's own list
        else:  # a call kept for its effect (a list's pop, a schedule step), while, return...
            self.fail(f"a step runs {_text(st)}")


def _text(node):
    """The first line of a generated node's source (which may have no line numbers)."""
    return ast.unparse(ast.fix_missing_locations(clone(node))).splitlines()[0]


def commutes(body, local, index=None):
    """May this adjoint loop body run its steps in any order (so forward)?  ``local``: the
    names the body may set (the loop's own variables and their adjoints, which no code
    after the loop reads)."""
    return order_problem(body, local, index) is None


def order_problem(body, local, index=None, lists=()):
    """Why the steps of this adjoint loop body depend on each other, or None.  ``lists``:
    lists of saves each step makes anew (a step run again for its adjoint: parallel.py)."""
    for n in (x for st in body for x in nodes(st)):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in ("pop", "append") and not (
                    isinstance(n.func.value, ast.Name) and n.func.value.id in lists):
            return "it reads back values saved in the order the steps ran"
    order = _Order(body, local, index)
    order.lists = set(lists)
    order.block(body, set(order.zeroed))
    return order.reason


def zeroed(body, local, index=None):
    """The numbers that are 0 at the start of every step of an adjoint body (their steps'
    additions start from the 0 the step before left)."""
    return _Order(body, local, index).zeroed


def accumulators(body, index=None):
    """The names an adjoint body only adds into (not those each step touches only at its
    own index)."""
    return _Order(body, set(), index).accumulators


class Fusion:
    """Mixed into ReverseGen: when the value is returned too (``value_and_grad``), the last
    loop before the return stores nothing and its adjoint steps commute, the adjoint step runs
    inside the forward loop, right after the step it differentiates: one pass over the data
    instead of two.

        s = 0.0                                 s = 0.0
        for i in range(n - 1):          ->      bx = np.zeros_like(x)
            s += f(x[i], x[i + 1])              for i in range(n - 1):
        return s                                    s += f(x[i], x[i + 1])
                                                    bx[i] += ...; bx[i + 1] += ...
    """

    def plan_fusion(self, with_value, seed_code):
        """The loop that may be fused (checked again when its adjoint is made), or None."""
        self.fuse_loop, self.fused_body, self.fwd_of = None, None, {}
        body = self.fdef.body
        if not with_value or self.intermediates or seed_code or len(body) < 2:
            return
        loop, ret = body[-2], body[-1].value
        if not isinstance(loop, ast.For) or loop_exit(loop) or id(loop) in self.ckpts \
                or not isinstance(ret, ast.Name) or loop.iter.func.id != "range":
            return  # (a prange loop's adjoint runs in parallel on its own: passes/parallel.py)
        assigned = {t.id for n in nodes(loop) if isinstance(n, (ast.Assign, ast.AugAssign))
                    for t in ast.walk(n.targets[0] if isinstance(n, ast.Assign) else n.target)
                    if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
        if any(not is_scalar(self.kinds.get(v)) for v in assigned):
            return  # (an array's adjoint starts at np.zeros_like of it: set before the loop)
        self.fuse_loop = loop

    def fuse(self, loop, body):
        """Keep ``body`` (the adjoint loop's) to run inside the forward loop, if allowed."""
        fwd = self.fwd_of.get(id(loop))
        if loop is not self.fuse_loop or fwd is None or self.prealloc.get(id(loop)) \
                or self.needs_push(loop.target.id, loop):
            return False
        saves = set(self.saved_vars.values()) | {st for st in self.stacks.values()}
        if any(isinstance(n, ast.Name) and n.id in saves for st in fwd.body for n in nodes(st)):
            return False  # the forward loop keeps values: its adjoint needs them in reverse
        if not commutes(body, self._own_names(loop), loop.target.id):
            return False
        self.fused_body = body
        return True

    def fused(self, fwd, inits):
        """The sweeps with the fused loop: its adjoint's starting values before it."""
        loop = self.fwd_of[id(self.fuse_loop)]
        loop.body = loop.body + [comment("its adjoint step (adjoint steps only add into "
                                         "adjoints: fused with the forward loop)")] + \
            self.fused_body
        i = fwd.index(loop)
        return fwd[:i] + inits + [comment("forward sweep and reverse sweep of this loop, "
                                          "fused")] + fwd[i:]
