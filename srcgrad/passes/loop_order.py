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
                assigned |= {x.id for x in ast.walk(t) if isinstance(x, ast.Name)}
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


class _Order:
    """Walks an adjoint body once, in order, deciding whether its steps commute."""

    def __init__(self, body, local):
        assigned, added = set(), set()
        for st in body:
            a, b = _stores(st)
            assigned |= a
            added |= b
        self.accumulators = added - assigned   # only ever added into
        self.temporaries = assigned            # must be set in a step before that step reads
        # ... and be the loop's own (read by nothing after it), since the last step to set
        # them is another one in the forward order
        self.ok = assigned <= local

    def read(self, node, defined):
        for v in _reads(node):
            if v in self.accumulators or (v in self.temporaries and v not in defined):
                self.ok = False

    def block(self, stmts, defined):
        for st in stmts:
            if not self.ok:
                return
            self.stmt(st, defined)

    def stmt(self, st, defined):
        if isinstance(st, ast.Assign):
            t = st.targets[0]
            if not isinstance(t, ast.Name):  # an element restored, or any other write
                self.ok = False
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
                self.ok = False
            elif v not in self.accumulators and v not in self.temporaries:
                self.ok = False
            elif v in self.accumulators and v in _reads(st.value):
                self.ok = False
        elif isinstance(st, ast.If):
            self.read(st.test, defined)
            d_body, d_else = set(defined), set(defined)
            self.block(st.body, d_body)
            self.block(st.orelse, d_else)
            defined |= d_body & d_else
        elif isinstance(st, ast.For):
            self.read(st.iter, defined)
            inner = set(defined) | {x.id for x in ast.walk(st.target) if isinstance(x, ast.Name)}
            self.block(st.body, inner)  # a value carried between the inner loop's steps
            # must be set before the inner loop (else it comes from another outer step)
        elif isinstance(st, ast.Expr) and is_comment(st):
            pass
        else:  # a call kept for its effect (a list's pop, a schedule step), while, return...
            self.ok = False


def commutes(body, local):
    """May this adjoint loop body run its steps in any order (so forward)?  ``local``: the
    names the body may set (the loop's own variables and their adjoints, which no code
    after the loop reads)."""
    for n in (x for st in body for x in nodes(st)):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and \
                n.func.attr in ("pop", "append"):
            return False  # a list of saved values: read back in the order it was written
    order = _Order(body, local)
    order.block(body, set())
    return order.ok


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
                or not isinstance(ret, ast.Name):
            return
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
        if not commutes(body, self._own_names(loop)):
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
