"""Reverse mode, loop checkpoints: a top-level ``for`` loop whose adjoint keeps ``s`` snapshots
of the state it carries from one step to the next instead of the values of every step, and
re-runs steps from them (binomial checkpointing, Griewank and Walther's "revolve"; the
schedule is srcgrad/runtime/checkpoint.py).  ``grad(f, checkpoint=10)``.

    for t in range(T):              # checkpoint: 10 snapshots of u (revolve)
        u = step(u, k)     ->       _schedule = checkpoint_schedule(len(range(T)), 10)
                                    _snap_u = [u] * 10
                                    while True:    (forward sweep: advance and store
                                        _action, _slot, _step, _to = ...    up to the
                                        ...  checkpoint_next(_schedule)     last step)
                                        if _action == CKPT_DONE or ...ADJOINT:
                                            break
                                        if _action & CKPT_KIND == CKPT_STORE:
                                            _snap_u[_slot] = np.copy(u)
                                        elif ... (restore from _snap_u[_slot])
                                        for t in range(_step, _to):
                                            u = step(u, k)
                                        if _action & CKPT_THEN_ADJOINT:
                                            _action, _step = CKPT_ADJOINT, _to
                                            break
                                    <the last step; the state before it kept>
                                    ...
                                    while _action == CKPT_ADJOINT:   (reverse sweep)
                                        t = _step
                                        <step t, keeping what its adjoint reads>
                                        <the adjoint of step t>
                                        <advance, store, restore up to the next step>

The state a step carries is every variable the loop writes that a step may read before
writing it (an array written into is read); only it is snapshotted.  A step's own saves live
only while its adjoint runs.  The number of advanced steps is the binomial least for ``s``
snapshots, the snapshots hold ``s`` states, and the state before the last step is kept once
more (the rest of the function needs the last step's result before the reverse sweep starts,
so that step runs once more than revolve counts).
"""
import ast
import os
import re
import warnings

from ..backend.emit import comment
from ..errors import CheckpointWarning, Location, Problem, SrcgradError, UnsupportedError
from .clone import clone
from .common import _assign, _call, _name, _tag, loop_exit, range_parts
from .recompute import assigned
from .types import is_array, is_scalar
from .walk import draws, loads

_TEMP = re.compile(r"^_t\d+$")  # the normalizer's temporaries
PROBE = "probe"  # a spec's "snapshots" asking for what each loop carries (memory_plan.py)
PROBE_MARK = "memory probe: loop "


def spec(checkpoint, memory=None):
    """``checkpoint=`` as given (an int: every top-level loop; a dict {loop variable or line
    number: snapshots}), or ``memory=`` (a budget, "64MB": every top-level loop, with as many
    snapshots as its share holds), as a hashable tuple of (which, snapshots or ("bytes", B)),
    () for none."""
    if memory is not None:
        if checkpoint is not None:
            raise ValueError("give checkpoint= (snapshots) or memory= (a budget), not both")
        return (("*", ("bytes", parse_bytes(memory))),)
    if checkpoint is None or checkpoint is False:
        return ()
    items = checkpoint.items() if isinstance(checkpoint, dict) else [("*", checkpoint)]
    out = []
    for which, n in items:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"checkpoint: the number of snapshots must be an int >= 1, not {n!r}")
        if not isinstance(which, (str, int)) or isinstance(which, bool):
            raise ValueError(f"checkpoint: a loop is named by its variable ('t') or its line "
                             f"number, not {which!r}")
        out.append((which, n))
    return tuple(sorted(out, key=lambda wn: (str(type(wn[0])), wn[0])))


def budget_of(spec):
    """The bytes of a ``memory=`` spec, or None."""
    if len(spec) == 1 and isinstance(spec[0][1], tuple) and spec[0][1][0] == "bytes":
        return spec[0][1][1]
    return None


_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "kib": 2**10,
          "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_bytes(text):
    """``"64MB"``, ``"1.5 GiB"``, ``500_000`` -> bytes (kB, MB, GB, TB decimal; KiB...
    binary)."""
    if isinstance(text, int) and not isinstance(text, bool) and text > 0:
        return text
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*", str(text))
    if not m or m.group(2).lower() not in _UNITS or float(m.group(1)) <= 0:
        raise ValueError(f"memory: expected a size such as '64MB', '1.5GB' or a number of "
                         f"bytes, not {text!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def describe_bytes(n):
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _is_range(loop):
    return isinstance(loop, ast.For) and isinstance(loop.iter, ast.Call) and \
        isinstance(loop.iter.func, ast.Name) and loop.iter.func.id == "range" and \
        isinstance(loop.target, ast.Name)


def exposed(stmts, killed, out):
    """Add to ``out`` the names ``stmts`` may read before assigning them (``killed``: the names
    assigned so far on every path; updated).  Writing into an array reads it."""
    for st in stmts:
        if isinstance(st, ast.Assign):
            t = st.targets[0]
            reads = loads(st.value) | (loads(t) if not isinstance(t, ast.Name) else set())
            out |= reads - killed
            if isinstance(t, ast.Name):
                killed.add(t.id)
        elif isinstance(st, ast.If):
            out |= loads(st.test) - killed
            a, b = set(killed), set(killed)
            exposed(st.body, a, out)
            exposed(st.orelse, b, out)
            killed |= a & b
        elif isinstance(st, (ast.For, ast.While)):
            out |= loads(st.iter if isinstance(st, ast.For) else st.test) - killed
            inner = set(killed) | ({st.target.id} if isinstance(st, ast.For) else set())
            exposed(st.body, inner, out)  # may run no times: kills nothing after it
        else:
            out |= loads(st) - killed
            if isinstance(st, ast.AugAssign) and isinstance(st.target, ast.Name) and \
                    st.target.id not in killed:  # (b += e reads b)
                out.add(st.target.id)
    return out


class _Plan:
    """Names and state of one checkpointed loop."""

    def __init__(self, loop, snapshots, carried, entry, names):
        self.loop, self.snapshots, self.carried, self.entry = loop, snapshots, carried, entry
        fresh = names.exact_or_fresh
        self.schedule, self.action = fresh("_schedule"), fresh("_action")
        self.slot, self.step, self.to = fresh("_slot"), fresh("_step"), fresh("_to")
        self.budget = self.total = snapshots[1] if isinstance(snapshots, tuple) else None
        self.count = fresh("_snapshots") if self.budget else None  # chosen at run time
        self.snap = {v: fresh(f"_snap_{v.lstrip('_')}") for v in carried}
        self.last = {v: fresh(f"_last_{v.lstrip('_')}") for v in carried}
        self.saved = {v: fresh(f"_entry_{v.lstrip('_')}") for v in entry}
        self.is_while = isinstance(loop, ast.While)
        exits = not self.is_while and loop_exit(loop)  # ends with ``if flag: break``
        self.steps = loop.body[:-1] if exits else loop.body  # a step, without that check
        self.online = self.is_while or exits  # trips known only at its end
        if self.online:
            self.place, self.thinned = fresh("_place"), fresh("_thinned")
        if self.is_while:
            self.simple, self.k = False, fresh("_k")
        else:
            start, _, step = range_parts(loop)
            self.simple = _const(start, 0) and _const(step, 1)
            self.k = loop.target.id if self.simple else fresh("_k")

    def index(self, k):
        """The loop variable's value at step ``k`` (an expression)."""
        if self.simple:
            return k
        start, _, step = range_parts(self.loop)
        scaled = k if _const(step, 1) else ast.BinOp(k, ast.Mult(), clone(step))
        return scaled if _const(start, 0) else ast.BinOp(clone(start), ast.Add(), scaled)


def _const(e, v):
    return isinstance(e, ast.Constant) and e.value == v


class LoopCheckpoints:
    """Mixed into ReverseGen (``self.checkpoint``: the spec above)."""

    def _plan_checkpoints(self):
        self.ckpts, self.probes = {}, {}
        if not self.checkpoint:
            return
        problems, matched = [], set()
        before = set(self.params)
        self.surely = set(self.params)  # assigned on every path before the loop
        loops = [s for s in self.fdef.body if isinstance(s, (ast.For, ast.While))]
        self.loop_number = {id(s): k for k, s in enumerate(loops)}
        for s in self.fdef.body:
            which, n = self._snapshots_for(s, matched)
            if n == PROBE:  # (memory_plan.py) what each loop would carry, nothing checkpointed
                plan, problem = self._plan_loop(s, 1, before)
                self.probes[id(s)] = (plan.carried, plan.online) if plan else \
                    (None, problem.construct)
            elif n is not None:
                plan, problem = self._plan_loop(s, n, before)
                if plan is not None:
                    self.ckpts[id(s)] = plan
                    plan.surely = set(self.surely)
                elif which != "*":
                    problems.append(problem)
                else:  # every loop was asked for: this one keeps every step, and says so
                    warnings.warn(f"{problem.loc!r}: not checkpointed: {problem.construct}; "
                                  f"{problem.hint}", CheckpointWarning, stacklevel=2)
            before |= assigned(s)
            if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name):
                self.surely.add(s.targets[0].id)
        for which, _ in self.checkpoint:
            if isinstance(which, tuple) and which[0] == "call":
                continue  # a top-level call a plan checkpoints (normalized as one: calls.py)
            if isinstance(which, tuple) and which not in matched:
                raise AssertionError(f"a memory plan names top-level loop {which[1]} of "
                                     f"{self.fdef.name}(), which has {len(loops)}")
            if which != "*" and which not in matched:
                what = f"over {which!r}" if isinstance(which, str) else f"at line {which}"
                raise SrcgradError(f"checkpoint: {self.fdef.name}() has no top-level for loop "
                                   f"{what}")
        if problems:
            raise UnsupportedError(problems)
        for p in self.ckpts.values():  # a budget is shared by the loops it checkpoints
            if p.budget:
                p.budget = max(1, p.budget // len(self.ckpts))

    def _snapshots_for(self, s, matched):
        if not isinstance(s, (ast.For, ast.While)):
            return None, None
        for which, n in self.checkpoint:
            if which == ("#", self.loop_number[id(s)]):  # the k-th top-level loop (a plan's)
                matched.add(which)
                return which, n
            if which == "*" or (isinstance(s, ast.For) and isinstance(s.target, ast.Name)
                                and s.target.id == which) or which == getattr(s, "lineno", None):
                matched.add(which)
                return which, n
        return None, None

    def _where(self, s):
        return Location(self.origin_file or "<unknown>", getattr(s, "lineno", 0),
                        getattr(s, "col_offset", 0), getattr(s, "origin", ""))

    def _plan_loop(self, s, n, before):
        """(_Plan, None), or (None, the Problem that keeps the loop from a checkpoint)."""
        def refuse(what, hint):
            return None, Problem(self._where(s), what, hint)
        if not _is_range(s) and not isinstance(s, ast.While):
            return refuse("a checkpointed for loop that is not over range(...)",
                          "checkpoint a `for t in range(...)` or a `while` loop (name the loop: "
                          "checkpoint={'t': 10}).")
        if draws(s):
            return refuse("a checkpointed loop that draws random numbers",
                          "a step run again would draw other numbers: draw them before the "
                          "loop.")
        if any(isinstance(c, ast.Call) and getattr(c.func, "id", None) == "rows_grown"
               for c in ast.walk(s)):  # (passes/growing.py)
            return refuse("a checkpointed loop that appends to a list",
                          "the list keeps every step's value, so snapshots of it save nothing; "
                          "checkpoint a loop that carries a fixed-size state.")
        t = s.target.id if isinstance(s, ast.For) else None
        written = assigned(s) - {t}
        reads = exposed(s.body, {t}, set()) | (loads(s.test) if t is None else set())
        carried = sorted(written & reads)
        for v in carried:
            k = self.kinds.get(v)
            if v not in before:
                return refuse(f"{v!r}, carried from one step of a checkpointed loop to the "
                              "next, is first assigned inside it", f"assign {v} before the loop.")
            if k is None or not (is_scalar(k) or is_array(k)):
                return refuse(f"{v!r}, carried from one step of a checkpointed loop to the "
                              "next, is not a number or an array", "carry numbers and arrays "
                              "only.")
        entry = sorted(((written - set(carried)) | ({t} if t else set())) & before)
        return _Plan(s, n, carried, entry, self.names), None

    # ---- code ---------------------------------------------------------------------------
    def _primal_step(self, p, whole=False):
        """A step as written (``whole``: with a loop's own ``if flag: break``), its
        temporaries named afresh (each copy's own, so the clean-up folds them into the
        statements that read them)."""
        body = clone(p.loop.body if whole else p.steps)
        own = {}
        for n in ast.walk(ast.Module(body, [])):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and _TEMP.match(n.id):
                own.setdefault(n.id, self.names.fresh("_t"))
        for n in ast.walk(ast.Module(body, [])):
            if isinstance(n, ast.Name) and n.id in own:
                n.id = own[n.id]
        return body

    def _schedule_loop(self, p):
        """``while True`` asking the schedule for actions until the next adjoint step."""
        is_ = lambda what: ast.Compare(_name(p.action), [ast.Eq()], [_name(what)])  # noqa: E731
        if p.simple:
            advance = ast.For(_name(p.k, ast.Store()), _call("range", _name(p.step), _name(p.to)),
                              self._primal_step(p), [], None)
        else:
            index = [] if p.is_while else [_assign(p.loop.target.id, p.index(_name(p.k)))]
            advance = ast.For(_name(p.k, ast.Store()), _call("range", _name(p.step), _name(p.to)),
                              index + self._primal_step(p), [], None)
        store = [_assign(ast.Subscript(_name(p.snap[v]), _name(p.slot), ast.Store()),
                         self._copy(v, _name(v))) for v in p.carried] or [ast.Pass()]
        restore = [_assign(v, self._copy(v, ast.Subscript(_name(p.snap[v]), _name(p.slot),
                                                           ast.Load()))) for v in p.carried]
        kind = ast.BinOp(_name(p.action), ast.BitAnd(), _name("CKPT_KIND"))
        is_kind = lambda what: ast.Compare(kind, [ast.Eq()], [_name(what)])  # noqa: E731
        stop = ast.If(ast.BoolOp(ast.Or(), [is_("CKPT_DONE"), is_("CKPT_ADJOINT")]),
                      [ast.Break()], [])
        keep = ast.If(is_kind("CKPT_STORE"),
                      [comment(f"checkpoint: snapshot {p.slot} keeps the state at step "
                               f"{p.step}")] + store,
                      [ast.If(is_kind("CKPT_RESTORE"),
                              [comment(f"checkpoint: the state at step {p.step} from snapshot "
                                       f"{p.slot}")] + (restore or [ast.Pass()]), [])])
        then = ast.If(ast.BinOp(_name(p.action), ast.BitAnd(), _name("CKPT_THEN_ADJOINT")),
                      [comment(f"checkpoint: then the adjoint of step {p.to}"),
                       _assign(p.step, _name(p.to)), _assign(p.action, _name("CKPT_ADJOINT")),
                       ast.Break()], [])
        ask = _assign(ast.Tuple([_name(x, ast.Store()) for x in (p.action, p.slot, p.step, p.to)],
                                ast.Store()), _call("checkpoint_next", _name(p.schedule)))
        return ast.While(ast.Constant(True), [
            ask, stop, keep, comment(f"checkpoint: run steps {p.step} to {p.to} (nothing kept)"),
            advance, then], [])

    def _copy(self, v, e):
        return _call("np.copy", e) if is_array(self.kinds.get(v)) else e

    def _adjoint_next(self, p):
        return ast.Compare(_name(p.action), [ast.Eq()], [_name("CKPT_ADJOINT")])

    def fwd_checkpointed(self, s):
        p = self.ckpts[id(s)]
        self.pushed_vars.update(p.carried)  # the reverse sweep rebinds them
        what = ", ".join(p.carried) or "nothing"
        many = f"as many snapshots as {describe_bytes(p.budget)} holds" if p.budget else \
            f"{p.snapshots} snapshots"
        how = ("placed as it runs, its trips known only at its end (online: thinned)"
               if p.online else "steps re-run in the reverse sweep (revolve)")
        out = [comment(f"checkpoint: {many} of the state carried by the loop ({what}); {how}")]
        count = ast.Constant(p.snapshots)
        trips = ast.Constant(-1) if p.online else _call("len", clone(s.iter))  # -1: unknown
        if p.budget:
            state = [ast.Attribute(_name(v), "nbytes", ast.Load()) if is_array(self.kinds[v])
                     else ast.Constant(8) for v in p.carried] or [ast.Constant(0)]
            total = state[0]
            for x in state[1:]:
                total = ast.BinOp(total, ast.Add(), x)
            where = f"{os.path.basename(self.origin_file or '?')}:{getattr(s, 'lineno', '?')}"
            what = f"memory={describe_bytes(p.total)}: the loop at {where}"
            out.append(_assign(p.count, _call("checkpoint_snapshots", ast.Constant(p.budget),
                                              trips, total, ast.Constant(what))))
            count = _name(p.count)
        make = _call("checkpoint_online", clone(count)) if p.online else \
            _call("checkpoint_schedule", _call("len", clone(s.iter)), clone(count))
        out.append(_assign(p.schedule, make))
        for v in p.carried:
            out.append(_assign(p.snap[v], ast.BinOp(ast.List([_name(v)], ast.Load()), ast.Mult(),
                                                    clone(count))))
        for v in p.entry:
            if self.restore.needed(v, s):
                if v not in p.surely:  # (a loop's variable, say): bound from the start
                    self.preinit.setdefault(v, self.kinds.get(v))
                out.append(_assign(p.saved[v], _name(v)))
        if p.online:
            return _tag(out + self._online_loop(p), s.origin)
        out.append(self._schedule_loop(p))
        # the rest of the function needs the last step's result now: run it, keeping the
        # state before it for its adjoint (the reverse sweep's first step)
        last = [_assign(p.last[v], self._copy(v, _name(v))) for v in p.carried]
        last += [comment("checkpoint: the last step, its state kept for its adjoint"),
                 _assign(s.target.id, p.index(_name(p.step)))] + self._primal_step(p)
        out.append(ast.If(self._adjoint_next(p), last, []))
        return _tag(out, s.origin)

    def _online_loop(self, p):
        """The loop as it is (a ``while``, or a ``for`` that may end early), each step first
        keeping its state if the placement says so (every d steps, in at most half the
        snapshots, thinned when they are full)."""
        place = [_assign(ast.Tuple([_name(p.place, ast.Store()), _name(p.thinned, ast.Store())],
                                   ast.Store()), _call("checkpoint_place", _name(p.schedule)))]
        thin = [ast.Expr(_call("checkpoint_compact", _name(p.snap[v]), _name(p.thinned)))
                for v in p.carried]
        if thin:
            place.append(ast.If(ast.Compare(_name(p.thinned), [ast.Gt()], [ast.Constant(0)]),
                                [comment("checkpoint: every other snapshot dropped")] + thin, []))
        keep = [_assign(ast.Subscript(_name(p.snap[v]), _name(p.place), ast.Store()),
                        self._copy(v, _name(v))) for v in p.carried]
        if keep:
            place.append(ast.If(ast.Compare(_name(p.place), [ast.GtE()], [ast.Constant(0)]),
                                keep, []))
        if p.is_while:
            loop = ast.While(clone(p.loop.test), place + self._primal_step(p), [])
        else:  # a for loop that may end early
            loop = ast.For(clone(p.loop.target), clone(p.loop.iter),
                           place + self._primal_step(p, whole=True), [], None)
        return [loop, ast.Expr(_call("checkpoint_online_end", _name(p.schedule)))]

    def rev_checkpointed(self, s):
        p = self.ckpts[id(s)]
        body = [] if p.is_while else [_assign(s.target.id, p.index(_name(p.step)))]
        body += self.fwd_block(p.steps, 1)
        body += self.rev_block(p.steps, 1)
        body.append(comment("checkpoint: on to the step before"))
        body.append(self._schedule_loop(p))
        loop = ast.While(self._adjoint_next(p), body, [])
        loop.dead_stores = True  # the step's own result, restored at once (cleanup.py)
        out = [comment("checkpoint: each step again, keeping its values, then its adjoint; the "
                       "last first")]
        if p.online:  # from the last kept state to the last step
            out.append(self._schedule_loop(p))
        else:
            back = [_assign(v, _name(p.last[v])) for v in p.carried] or [ast.Pass()]
            out.append(ast.If(self._adjoint_next(p), back, []))
        out.append(loop)
        for v in p.entry:
            if self.restore.needed(v, s):
                out.append(_assign(v, _name(p.saved[v])))
        return out
