"""Reverse mode, parallel loops: the adjoint of a ``numba.prange`` loop is a ``prange`` loop.

The user declared the loop's steps independent.  Their adjoint steps are independent too
when they only add into adjoints (passes/loop_order.py decides, and says why not: a located
error, never a race), and when the forward steps keep nothing for the reverse sweep (values
recomputed from the step's own inputs need nothing kept).  Adjoints the steps add into are
then, by how they are indexed:

- ``bx[i] += ...`` (indexed first by the loop's own variable): each step its own elements,
  written as they are;
- a number (``bw += ...``): each step adds into a sum of its own, then once into ``bw``: a
  reduction, which Numba's ``prange`` makes per thread itself;
- an array several steps add into (``bW += ...``, ``bx[i + 1] += ...``): one copy per thread
  (``_part_bx[_tid, i + 1] += ...``), added up after the loop.

    for i in prange(n):                     _part_bW = np.zeros((num_threads(),) + bW.shape)
        s += np.sum(np.tanh(W @ X[i]))      # adjoint steps only add into adjoints: parallel
                                    ->      for i in prange(n):
                                                _tid = thread_id()
                                                ...
                                                _part_bW[_tid] += np.outer(b_t1, X[i])
                                            for _p in range(_part_bW.shape[0]):
                                                bW += _part_bW[_p]
"""
import ast

from ..backend.emit import comment
from ..errors import Location, Problem, SerialLoop, UnsupportedError
from .clone import clone
from .common import _assign, _call, _name, loop_exit
from .loop_order import accumulators, order_problem, zeroed
from .revolve import exposed
from .types import is_array
from .walk import nodes


def is_parallel(loop):
    it = getattr(loop, "iter", None)
    return isinstance(loop, ast.For) and isinstance(it, ast.Call) and \
        isinstance(it.func, ast.Name) and it.func.id == "prange"


def _first_access(stmts):
    """{array: "read" or "write"}: how the statements, in the order they run, first touch
    each array they write elements of (``b[i] = min(b[i], x)`` reads ``b`` first)."""
    written = {t.value.id for st in stmts for n in nodes(st)
               if isinstance(n, (ast.Assign, ast.AugAssign))
               for t in ([n.targets[0]] if isinstance(n, ast.Assign) else [n.target])
               if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)}
    first = {}

    def touch(node, how):
        for n in nodes(node):
            if isinstance(n, ast.Name) and n.id in written:
                first.setdefault(n.id, how)

    def run(block):
        for st in block:
            if isinstance(st, (ast.Assign, ast.AugAssign)):
                t = st.targets[0] if isinstance(st, ast.Assign) else st.target
                touch(st.value, "read")
                if isinstance(t, ast.Subscript):
                    touch(t.slice, "read")
                    if isinstance(st, ast.AugAssign):
                        touch(t.value, "read")
                    touch(t.value, "write")
            elif isinstance(st, (ast.For, ast.While)):
                touch(st.iter if isinstance(st, ast.For) else st.test, "read")
                run(st.body)
            elif isinstance(st, ast.If):
                touch(st.test, "read")
                run(st.body)
                run(st.orelse)
            else:
                touch(st, "read")
    run(stmts)
    return first


class ParallelLoops:
    """Mixed into ReverseGen."""

    def _refuse_parallel(self, s, why):
        if getattr(s, "auto_parallel", None) is not None:  # parallel=True: serial instead
            raise SerialLoop(s.auto_parallel, f"its adjoint cannot run in parallel: {why}")
        raise UnsupportedError([Problem(
            Location(self.origin_file, getattr(s, "lineno", 0), getattr(s, "col_offset", 0),
                     getattr(s, "origin", "")),
            f"the adjoint of this prange loop cannot run in parallel: {why}",
            "use range (its adjoint then runs in reverse order, one step at a time), or "
            "compute what the steps share outside the loop.")])

    def _step_names(self, s):
        """The step's own variables, with the trip counts of its inner ``while`` loops (and
        ``_``, the variable of the loops that run them back)."""
        counters = {self.counters[id(n)] for n in nodes(s) if n is not s and id(n) in
                    self.counters}
        if any(isinstance(n, ast.While) for n in nodes(s)):
            counters.add("_")
        return self._own_names(s) | counters

    def parallel_forward(self, s, body):
        """The forward steps of a prange loop: a step that keeps values in lists (saves
        inside its inner loops) keeps none here (the steps would share the lists); its
        adjoint runs the step again, keeping them in lists of its own (``rerun``)."""
        if loop_exit(s):
            self._refuse_parallel(s, "it may end early (break or return)")
        lists = {st for (v, what, loop), st in self.stacks.items() if loop is None}
        if any(isinstance(n, ast.Name) and n.id in lists for st in body for n in nodes(st)):
            # (the forward body with its saves: a save of an element before the step
            # overwrites it keeps the value from before the loop, which the step run again
            # after the forward sweep cannot see)
            overwritten = sorted(v for v, first in _first_access(body).items()
                                 if first == "read")
            if overwritten:  # the step run again would read the new values
                self._refuse_parallel(s, f"a step overwrites elements of "
                                         f"{', '.join(overwritten)} that it reads first or whose "
                                         "old values the adjoint needs, and its adjoint runs "
                                         "the step again after the forward sweep")
            self.rerun[id(s)] = True
            return _NoPushes(lists).strip(body)
        return body

    def _step_again(self, s, depth, body):
        """The step run again, keeping its values in lists of its own, then its adjoint."""
        own = self._step_names(s)
        again = self.fwd_block(s.body, depth + 1)
        shared = {v for st in s.body for n in nodes(st) if isinstance(n, (ast.Assign, ast.AugAssign))
                  for t in ([n.targets[0]] if isinstance(n, ast.Assign) else [n.target])
                  for v in [t.id if isinstance(t, ast.Name) else None] if v} - own
        again = _Without(shared).strip(again)  # (a sum over the steps: made once, forward)
        read = {n.id for st in body for n in nodes(st) if isinstance(n, ast.Name)} & shared
        if read:
            self._refuse_parallel(s, f"a step's adjoint reads {', '.join(sorted(read))}, "
                                     "which the steps share")
        # the step's own variables that it saves before setting them (a save the serial
        # adjoint chains from step to step): set first, so each step starts from its own
        user_reads = exposed(s.body, {s.target.id}, set()) & own
        if user_reads:
            self._refuse_parallel(s, f"a step reads {', '.join(sorted(user_reads))} as the "
                                     "step before left it (a prange loop's steps must be "
                                     "independent)")
        first = [_assign(v, self.zero_of(self.kinds.get(v), None))
                 for v in sorted(exposed(again, {s.target.id}, set()) & own)]
        again = first + again
        lists = {}
        for (v, what, loop), st in self.stacks.items():
            if loop is None and any(isinstance(n, ast.Name) and n.id == st
                                    for x in again + body for n in nodes(x)):
                # a list of the step's own: the function's list of the same saves holds
                # those of other loops, which their adjoints pop after this loop's
                own_list = self._step_lists.setdefault(
                    (id(s), st), self.names.exact_or_fresh(f"{st}_step"))
                lists[own_list] = self.new_stack(v, what, own_list)
                for x in again + body:
                    for n in nodes(x):
                        if isinstance(n, ast.Name) and n.id == st:
                            n.id = own_list
        again = _drop_entry_saves(again, body, lists, own, self.adj, len(first), s.target.id)
        step = list(lists.values()) + [comment("the step again, keeping its values")] + again
        return step + self._zero_own_adjoints(s, own, again, body) + body, set(lists)

    def _zero_own_adjoints(self, s, own, again, body):
        """``bv = np.zeros_like(v)`` for the step's own arrays ``v`` whose adjoints its
        adjoint adds into before setting them (``bxi[k] += ...`` of a row ``xi = X[i]`` read
        element by element): the serial adjoint starts each step with zeros of the value ``v``
        has in that step (the step after left it reset so), which the step run again has just
        set."""
        # (set on every path: at the step's level, a placeholder included)
        set_again = {st.targets[0].id for st in again if isinstance(st, ast.Assign)
                     and isinstance(st.targets[0], ast.Name)}
        primal = {b: v for v, b in self.adj.items()}
        zeroed = [b for b in sorted(exposed(body, {s.target.id}, set()))
                  if b in primal and primal[b] in own and primal[b] in set_again
                  and is_array(self.kinds.get(primal[b]))]
        self.step_zeroed |= set(zeroed)  # (its zeros before the loop go: adjoint_inits)
        return [_assign(b, _call("np.zeros_like", _name(primal[b]))) for b in zeroed]

    def rev_parallel(self, s, body, depth=0):
        lists = set()
        if self.rerun.get(id(s)):
            body, lists = self._step_again(s, depth, body)
        why = order_problem(body, self._step_names(s) | lists, s.target.id, lists)
        if why:
            self._refuse_parallel(s, why)
        i = s.target.id
        primal = {b: v for v, b in self.adj.items()}
        tid = self.names.fresh("_tid")
        before, after, parts = [], [], {}
        sums = {}
        for b in sorted(accumulators(body, i)):
            if not is_array(self.kinds.get(primal.get(b))):
                sums[b] = self.names.fresh(f"_sum_{b}")  # one reduction statement a step
                continue
            if _disjoint(body, b, i):
                continue
            if getattr(s, "auto_parallel", None) is not None and _at_the_step(body, b, i) \
                    and _cheap(body):
                # (parallel=True: a copy per thread of an array with a row a step, added up
                # after the loop, costs more than arithmetic steps save: Rosenbrock's
                # bx[i + 1]; steps that call exp or sin gain: 1.8x on 2 cores)
                raise SerialLoop(s.auto_parallel, f"its adjoint would keep a copy of {b} per "
                                 f"thread, as long as the loop ({b} is added into at the "
                                 "step's index, not only its own), and its steps are only "
                                 "arithmetic: serial is faster")
            if any(isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Subscript)
                   and isinstance(n.target.value, ast.Subscript) and _base(n.target) == b
                   for st in body for n in nodes(st)):
                self._refuse_parallel(s, f"{b} is added into through an index of an index")
            part = self.names.fresh(f"_part_{b}")
            parts[b] = part
            shape = ast.BinOp(ast.Tuple([_call("num_threads")], ast.Load()), ast.Add(),
                              ast.Attribute(_name(b), "shape", ast.Load()))
            before.append(_assign(part, _call("np.zeros", shape)))
            p = self.names.fresh("_p")
            after.append(ast.For(_name(p, ast.Store()),
                                 _call("range", ast.Subscript(ast.Attribute(
                                     _name(part), "shape", ast.Load()), ast.Constant(0),
                                     ast.Load())),
                                 [ast.AugAssign(_name(b, ast.Store()), ast.Add(),
                                                ast.Subscript(_name(part), _name(p), ast.Load()))],
                                 [], None))
        new_body = [_PerThread(parts, tid, sums).visit(st) for st in body]
        # a number the steps add into: each step adds into its own sum, then once into the
        # number, which Numba's prange then reduces per thread (it takes one += a step)
        new_body = [_assign(t, ast.Constant(0.0)) for t in sums.values()] + new_body + \
            [ast.AugAssign(_name(b, ast.Store()), ast.Add(), _name(t)) for b, t in sums.items()]
        # numbers 0 at the start of every step (loop_order.zeroed): set so in the step, which
        # makes them the step's own in Numba's prange (not a reduction)
        new_body = [_assign(v, ast.Constant(0.0))
                    for v in sorted(zeroed(body, self._step_names(s) | lists, i))] + new_body
        if parts:
            new_body = [_assign(tid, _call("thread_id"))] + new_body
        header = ast.For(_name(i, ast.Store()), clone(s.iter), new_body, [], None)
        header.dead_stores = bool(lists)  # the step's own results, run again (cleanup.py)
        if self.rerun.get(id(s)):  # the forward loop it runs again (passes/dead_loops.py)
            header.rerun_of = id(s)
        return before + [comment("adjoint steps only add into adjoints: in parallel")] + \
            [header] + after


def _drop_entry_saves(again, body, lists, own, adj, n_first, index):
    """The step run again without the save of each own variable's value from before the step
    (its first save, at the step's level) and the adjoint without its restore (the last, then
    the reset of its adjoint to zeros of that value): in serial order they hand a value to the
    step before, in a parallel step nothing reads them (the step sets the variable before
    reading it), and a list of arrays inside a prange loop is more than Numba compiles.
    Placeholders set first only for those saves go too.  Returns the new ``again``."""
    for st_list in list(lists):
        def mentions(x):
            return any(isinstance(n, ast.Name) and n.id == st_list for n in nodes(x))
        push = next((k for k, x in enumerate(again) if mentions(x)), None)
        pops = [k for k, x in enumerate(body) if mentions(x)]
        if push is None or not pops:
            continue
        v = _saved_name(again[push], st_list)
        if v is None or v not in own or _restored_name(body[pops[-1]], st_list) != v:
            continue
        end = pops[-1] + 1
        if end < len(body) and _is_reset(body[end], adj.get(v), v):
            end += 1
        del body[pops[-1]:end]
        again = again[:push] + again[push + 1:]
        if not any(mentions(x) for x in again + body):
            del lists[st_list]
    needed = exposed(again[n_first:], {index}, set())
    return [x for x in again[:n_first] if x.targets[0].id in needed] + again[n_first:]


def _saved_name(st, stack):
    """v of ``stack.append(v)`` or ``stack.append(v.shape)``."""
    if not (isinstance(st, ast.Expr) and isinstance(st.value, ast.Call)
            and isinstance(st.value.func, ast.Attribute) and st.value.func.attr == "append"
            and isinstance(st.value.func.value, ast.Name) and st.value.func.value.id == stack
            and len(st.value.args) == 1):
        return None
    a = st.value.args[0]
    if isinstance(a, ast.Attribute) and a.attr == "shape":
        a = a.value
    return a.id if isinstance(a, ast.Name) else None


def _restored_name(st, stack):
    """v of ``v = stack.pop()`` or ``v = np.empty(stack.pop())`` (one pop)."""
    if not (isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name)):
        return None
    pops = [n for n in nodes(st.value) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute) and n.func.attr == "pop"
            and isinstance(n.func.value, ast.Name) and n.func.value.id == stack]
    return st.targets[0].id if len(pops) == 1 else None


def _is_reset(st, b, v):
    """Is ``st`` ``b = np.zeros_like(v)``?"""
    return b is not None and isinstance(st, ast.Assign) and \
        isinstance(st.targets[0], ast.Name) and st.targets[0].id == b and \
        isinstance(st.value, ast.Call) and ast.unparse(st.value.func) == "np.zeros_like" and \
        len(st.value.args) == 1 and isinstance(st.value.args[0], ast.Name) and \
        st.value.args[0].id == v


def _base(t):
    while isinstance(t, ast.Subscript):
        t = t.value
    return t.id if isinstance(t, ast.Name) else None


_CHEAP_CALLS = {"abs", "min", "max", "float", "int", "len", "range"}


def _cheap(body):
    """Only arithmetic: no inner loop, no call but abs, min, max and conversions."""
    for st in body:
        for n in nodes(st):
            if isinstance(n, (ast.For, ast.While)):
                return False
            if isinstance(n, ast.Call) and not (isinstance(n.func, ast.Name)
                                                and n.func.id in _CHEAP_CALLS):
                return False
    return True


def _at_the_step(body, b, i):
    """Is ``b`` added into at an index that holds the loop variable ``i``?"""
    for st in body:
        for n in nodes(st):
            if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Subscript) and \
                    _base(n.target) == b and any(isinstance(x, ast.Name) and x.id == i
                                                 for x in ast.walk(n.target.slice)):
                return True
    return False


def _disjoint(body, b, i):
    """Is every addition into ``b`` indexed first by the loop variable ``i`` itself?"""
    for st in body:
        for n in nodes(st):
            if isinstance(n, ast.AugAssign):
                t = n.target
                base = t
                while isinstance(base, ast.Subscript):
                    base = base.value
                if not (isinstance(base, ast.Name) and base.id == b):
                    continue
                if not isinstance(t, ast.Subscript) or t.value is not base:
                    return False
                first = t.slice.elts[0] if isinstance(t.slice, ast.Tuple) else t.slice
                if not (isinstance(first, ast.Name) and first.id == i):
                    return False
    return True


class _PerThread(ast.NodeTransformer):
    """``b[...] += e`` -> ``_part_b[_tid, ...] += e`` (and ``b += e`` likewise), a number's
    ``bw += e`` -> ``_sum_bw += e``;
    ``v -= e`` -> ``v += -(e)`` so that Numba sees one reduction operator."""

    def __init__(self, parts, tid, sums):
        self.parts, self.tid, self.sums = parts, tid, sums

    def visit_AugAssign(self, n):
        if isinstance(n.op, ast.Sub):
            n = ast.copy_location(ast.AugAssign(n.target, ast.Add(),
                                                ast.UnaryOp(ast.USub(), n.value)), n)
        t = n.target
        base = t
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(t, ast.Name) and t.id in self.sums:
            n.target = _name(self.sums[t.id], ast.Store())
        elif isinstance(base, ast.Name) and base.id in self.parts:
            part, tid = _name(self.parts[base.id]), _name(self.tid)
            if t is base:  # b += e  ->  _part_b[_tid] += e
                n.target = ast.Subscript(part, tid, ast.Store())
            else:          # b[i + 1] += e  ->  _part_b[_tid, i + 1] += e
                idx = t.slice.elts if isinstance(t.slice, ast.Tuple) else [t.slice]
                n.target = ast.Subscript(part, ast.Tuple([tid] + list(idx), ast.Load()),
                                         ast.Store())
        return n


class _NoPushes:
    """Statements without the saves into ``lists`` (``_stack_t.append(t)``)."""

    def __init__(self, lists):
        self.lists = lists

    def drop(self, st):
        return isinstance(st, ast.Expr) and isinstance(st.value, ast.Call) and \
            isinstance(st.value.func, ast.Attribute) and st.value.func.attr == "append" and \
            isinstance(st.value.func.value, ast.Name) and st.value.func.value.id in self.lists

    def strip(self, stmts):
        out = []
        for st in stmts:
            if self.drop(st):
                continue
            if isinstance(st, (ast.For, ast.While, ast.If)):
                st = clone(st)
                st.body = self.strip(st.body) or [ast.Pass()]
                st.orelse = self.strip(st.orelse)
            out.append(st)
        return out


class _Without(_NoPushes):
    """Statements without the assignments to ``names``."""

    def drop(self, st):
        t = st.targets[0] if isinstance(st, ast.Assign) else (
            st.target if isinstance(st, ast.AugAssign) else None)
        return isinstance(t, ast.Name) and t.id in self.lists
