"""Memory plans: ``grad(f, memory="64MB")`` chooses, for the sizes of each call's arguments,
which top-level loops to checkpoint and with how many snapshots, so that everything the
reverse sweep keeps stays under the budget, with as few steps run again as it can.

First a probe measures, then a choice is made, then the adjoint is generated for it:

    probe   f's adjoint with nothing checkpointed, cut where its reverse sweep would begin,
            every save counted instead of kept (nothing is stored):

                _stack_u.append(u)     ->    _mem_step += kept_bytes(u)

            For each top-level loop: its trips, the bytes it would keep, the most one step
            keeps, and the bytes of the state it carries (from the loop checkpointer's own
            analysis, passes/revolve.py); and the bytes kept outside loops.
    choose  keep every loop whole if all of it fits.  Otherwise checkpoint loops (the
            fewest, then the cheapest: every subset is tried, up to 12 loops) so that what
            stays whole, what is kept outside loops, and for each checkpointed loop one
            snapshot, the state before its last step and one step's own values fit; then
            share the rest out as snapshots where they save the most steps run again.  A
            budget that nothing fits is a ValueError saying how much is needed.
    code    ``checkpoint={("#", k): s, ...}``: the k-th top-level loop with ``s`` snapshots
            (one specialization per plan; the plan is remade when the arguments' shapes or
            integer values change).

The plan counts what the probe counts: saves (an array kept under two names counts twice, so
a plan errs on the safe side), snapshots, and the schedule's own ints.  Not counted: the
adjoint's own arrays (one per array, as without a budget) and one step's temporaries.  Calls
are not chosen for checkpoints (``srcgrad.checkpoint`` them by hand); a call's saves count
against the budget where the call is.
"""
import ast
import copy
import itertools
import linecache
import os

import numpy as np

from .errors import SrcgradError
from .passes.revolve import PROBE, PROBE_MARK, describe_bytes
from .runtime.checkpoint import binomial_steps

SNAPSHOT_EXTRA = 16  # the schedule's ints a snapshot (runtime/checkpoint.py)
_COLUMNS = 4         # per loop: bytes kept, trips, one step's most, the state's bytes


class LoopUse:
    """What one top-level loop's reverse sweep keeps, measured by the probe."""

    def __init__(self, number, line, text, trips, stored, step, state, online, why_not,
                 file=None):
        self.number, self.line, self.text, self.file = number, line, text, file
        self.trips, self.stored, self.step, self.state = trips, stored, step, state
        self.online = online
        self.why_not = why_not  # None, or why it cannot be checkpointed

    @property
    def where(self):
        if not self.line:
            return f"top-level loop {self.number}"
        return f"{os.path.basename(self.file)}:{self.line}" if self.file else f"line {self.line}"

    def least(self):
        """Bytes it keeps checkpointed with one snapshot."""
        return self.state + SNAPSHOT_EXTRA + self.state + self.step

    def again(self, s):
        """Steps run again with ``s`` snapshots (the last step once more, as generated)."""
        return binomial_steps(self.trips, s) + 1 if self.trips > 0 else 0


class Plan:
    """What ``memory=`` chose for one call's sizes: ``snapshots`` {loop number: s}."""

    def __init__(self, budget, loops, outside, snapshots, name="f"):
        self.budget, self.loops, self.outside = budget, loops, outside
        self.snapshots, self.name = dict(snapshots), name

    @property
    def spec(self):
        """The checkpoint spec that generates this plan (passes/revolve.py)."""
        return tuple(sorted((("#", k), s) for k, s in self.snapshots.items()))

    def kept(self, lp):
        s = self.snapshots.get(lp.number)
        return lp.stored if s is None else s * (lp.state + SNAPSHOT_EXTRA) + lp.state + lp.step

    @property
    def total(self):
        """Bytes the reverse sweep keeps under this plan (as the probe counts)."""
        return self.outside + sum(self.kept(lp) for lp in self.loops)

    @property
    def steps_again(self):
        return sum(lp.again(self.snapshots[lp.number]) for lp in self.loops
                   if lp.number in self.snapshots)

    def __str__(self):
        b = describe_bytes
        out = [f"memory={b(self.budget)} for {self.name}(): keeps {b(self.total)}"
               + (f", {self.steps_again:,} steps run again" if self.snapshots else
                  ", every loop whole (nothing run again)")]
        for lp in self.loops:
            where = lp.where
            s = self.snapshots.get(lp.number)
            if s is None:
                why = f" (cannot be checkpointed: {lp.why_not})" if lp.why_not and \
                    lp.stored > 0 else ""
                out.append(f"  {where}: {lp.text} -- whole, {lp.trips} trips, "
                           f"{b(lp.stored)}{why}")
            else:
                out.append(f"  {where}: {lp.text} -- checkpointed, {s} snapshots of "
                           f"{b(lp.state)} + one step's {b(lp.step)} = {b(self.kept(lp))}; "
                           f"{lp.again(s):,} steps run again ({lp.trips} trips)")
        out.append(f"  outside loops: {b(self.outside)}")
        return "\n".join(out) + "\n"

    __repr__ = __str__


def choose(budget, loops, outside, name="f"):
    """The :class:`Plan` for ``loops`` (LoopUse) and ``outside`` bytes within ``budget``."""
    whole = Plan(budget, loops, outside, {}, name)
    if whole.total <= budget:
        return whole
    can = [lp for lp in loops if lp.why_not is None and lp.trips > 1 and lp.least() < lp.stored]
    fixed = outside + sum(lp.stored for lp in loops if lp not in can)
    least = fixed + sum(lp.least() for lp in can)
    if least > budget:
        parts = [f"{b}" for b in _needs(loops, can, outside)]
        raise ValueError(f"memory={describe_bytes(budget)}: the reverse sweep of {name}() needs "
                         f"at least {least:,} bytes{_roughly(least)} however it is "
                         f"checkpointed: {'; '.join(parts)}. Give memory= at least that.")
    best = None
    subsets = (itertools.chain.from_iterable(itertools.combinations(can, r)
                                             for r in range(1, len(can) + 1))
               if len(can) <= 12 else [_greedy(can, budget - fixed)])
    for chosen in subsets:
        room = budget - outside - sum(lp.stored for lp in loops if lp not in chosen) - \
            sum(lp.least() for lp in chosen)
        if room < 0:
            continue
        snaps = _share(chosen, room)
        cost = sum(lp.again(snaps[lp.number]) * max(lp.step, 8) for lp in chosen)
        if best is None or (len(chosen), cost) < best[0]:
            best = ((len(chosen), cost), snaps)
    return Plan(budget, loops, outside, best[1], name)


def _greedy(can, room):
    """Loops to checkpoint, the largest savings first, until the rest fits (many loops)."""
    chosen, need = [], sum(lp.stored for lp in can)
    for lp in sorted(can, key=lambda lp: lp.least() - lp.stored):
        if need <= room:
            break
        chosen.append(lp)
        need += lp.least() - lp.stored
    return tuple(chosen)


def _share(chosen, room):
    """{loop number: snapshots}: one each, then ``room`` bytes more in snapshots, each time
    to the loop where doubling (or filling) its snapshots saves the most steps a byte."""
    snaps = {lp.number: 1 for lp in chosen}
    while True:
        best = None
        for lp in chosen:
            s = snaps[lp.number]
            per = lp.state + SNAPSHOT_EXTRA
            more = min(s, lp.trips - s, room // per)  # double, or what still fits
            if more <= 0:
                continue
            gain = (lp.again(s) - lp.again(s + more)) * max(lp.step, 8) / (more * per)
            if best is None or gain > best[0]:
                best = (gain, lp, more)
        if best is None:
            return snaps
        _, lp, more = best
        snaps[lp.number] += more
        room -= more * (lp.state + SNAPSHOT_EXTRA)


def _roughly(n):
    return f" ({describe_bytes(n)})" if n >= 1000 else ""


def _needs(loops, can, outside):
    out = []
    for lp in loops:
        where = f"the loop at {lp.where}"
        if lp in can:
            out.append(f"{where}, checkpointed with one snapshot: {describe_bytes(lp.least())} "
                       f"(its state {describe_bytes(lp.state)}, one step "
                       f"{describe_bytes(lp.step)})")
        elif lp.stored:
            why = f", cannot be checkpointed: {lp.why_not}" if lp.why_not else ""
            out.append(f"{where}, whole: {describe_bytes(lp.stored)}{why}")
    out.append(f"outside loops: {describe_bytes(outside)}")
    return out


# ---- the probe ------------------------------------------------------------------------------
def plan(d, args, budget):
    """The :class:`Plan` for derived function ``d`` (a Derived) called with ``args``."""
    from . import pipeline
    fn = d.differentiated(args)
    gen = pipeline.generate(fn, d.wrt, d.kinds_of(args), "reverse", (), d.cache,
                            checkpoint=(("*", PROBE),))
    text, groups = instrumented(gen.source)
    probe = pipeline.Generated(text, gen.name, gen.constants, gen.seeds, None, gen.active,
                               gen.cache_dir)
    probe.line_map = gen.line_map
    comp = probe.compile(d.backend, d.strict)
    # a generator of the caller's is not drawn from: the probe draws from a copy
    args = tuple(copy.deepcopy(a) if isinstance(a, np.random.Generator) else a for a in args)
    mem = comp(*args, *([0.0] * len(gen.seeds)))  # the seeds are never read
    loops = []
    for g in groups:
        k = g["number"]
        file, line = gen.line_map.get(g["lineno"], (None, None))
        text = linecache.getline(file, line).strip() if file else ""
        loops.append(LoopUse(k, line, text, int(mem[k, 1]), int(mem[k, 0]), int(mem[k, 2]),
                             int(mem[k, 3]), g["online"], g["why_not"], file))
    return choose(budget, loops, int(mem[-1, 0]), d._src.name)


def instrumented(source):
    """(probe source, groups): the generated adjoint (made with the PROBE spec) returning,
    where its reverse sweep would begin, an array with a row per top-level loop (bytes kept,
    trips, one step's most, the state's bytes) and a last row (bytes kept outside loops)."""
    tree = ast.parse(source)
    fdef = tree.body[0]
    lines = source.split("\n")
    boundary = next((i + 1 for i, ln in enumerate(lines) if ln.strip() == "# reverse sweep"),
                    len(lines) + 1)
    marks = {}
    for i, ln in enumerate(lines):
        text = ln.strip()
        if text.startswith("# " + PROBE_MARK):
            marks[i + 1] = _mark(text[len("# " + PROBE_MARK):])
    n = max((m["number"] for m in marks.values()), default=-1) + 1
    fwd = [s for s in fdef.body if s.lineno < boundary]
    body = ast.parse(f"_mem = np.zeros(({n + 1}, {_COLUMNS}))\n_mem_step = 0.0").body
    bound = set(a.arg for a in fdef.args.args)
    groups, current, seen, itemsize = [], None, 0, {}
    for s in fwd:
        for ln in range(seen + 1, s.lineno):
            if ln in marks:
                current = marks[ln]
        seen = s.end_lineno
        if isinstance(s, (ast.For, ast.While)) and current is not None:
            k = current["number"]
            state = " + ".join(f"kept_bytes({v})" if kind == "a" and v in bound else "8"
                               for v, kind in current["carried"]) or "0"
            body += ast.parse(f"_mem[{k}, 3] = {state}").body
            _Counted("_mem_step", itemsize).visit(s)
            flush = ast.parse(f"_mem[{k}, 0] += _mem_step\n"
                              f"_mem[{k}, 2] = max(_mem[{k}, 2], _mem_step)\n"
                              "_mem_step = 0.0").body
            s.body = flush + ast.parse(f"_mem[{k}, 1] += 1").body + s.body
            body += [s] + ast.parse("\n".join(ast.unparse(x) for x in flush)).body
            groups.append({**current, "lineno": s.lineno})
            current = None
        else:
            body.append(_Counted(f"_mem[{n}, 0]", itemsize).visit(s))
        bound |= {x.id for x in ast.walk(s) if isinstance(x, ast.Name)
                  and isinstance(x.ctx, ast.Store)}
    body = [s for s in body if s is not None]
    left = sorted({x.id for s in body for x in ast.walk(s) if isinstance(x, ast.Name)
                   and x.id.startswith(("_stack_", "_saved_")) and isinstance(x.ctx, ast.Load)})
    if left:
        raise SrcgradError(f"a bug in srcgrad: the memory probe's forward sweep reads what it "
                           f"saves ({', '.join(left)}); please report it")
    fdef.body = body + [ast.Return(ast.Name("_mem", ast.Load()))]
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n", groups


def _mark(text):
    """'3 online carries u:a s:s' or '3 kept whole: <why>' -> its fields."""
    number, _, rest = text.partition(" ")
    online = rest.startswith("online ")
    rest = rest[len("online "):] if online else rest
    if rest.startswith("carries"):
        carried = [tuple(v.split(":")) for v in rest[len("carries"):].split()]
        return {"number": int(number), "online": online, "carried": carried, "why_not": None}
    return {"number": int(number), "online": False, "carried": [],
            "why_not": rest[len("kept whole: "):]}


class _Counted(ast.NodeTransformer):
    """Saves become counts added to ``into``: ``_stack_v.append(x)``, ``_stack_v[i] = x``,
    ``_saved_v = x``; a preallocated stack (``_stack_v = np.empty(n)``) is not made."""

    def __init__(self, into, itemsize):
        self.into = into
        self.itemsize = itemsize  # preallocated stacks of bools: a byte an element

    def _count(self, value, size=None):
        if isinstance(value, ast.Call) and ast.unparse(value.func) == "np.copy":
            value = value.args[0]  # (its size, not a copy)
        target = _store(ast.parse(self.into, mode="eval").body)
        return ast.AugAssign(target, ast.Add(), ast.Constant(size) if size else
                             ast.Call(ast.Name("kept_bytes", ast.Load()), [value], []))

    def visit_Expr(self, node):
        c = node.value
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and \
                c.func.attr == "append" and _kept(c.func.value):
            return self._count(c.args[0])
        return self.generic_visit(node)

    def visit_Assign(self, node):
        t = node.targets[0]
        if isinstance(t, ast.Subscript) and _kept(t.value):
            return self._count(node.value, self.itemsize.get(t.value.id))
        if isinstance(t, ast.Name) and t.id.startswith("_saved_"):
            return self._count(node.value)
        if isinstance(t, ast.Name) and t.id.startswith("_stack_"):  # never filled here
            if "np.bool_" in ast.unparse(node.value):
                self.itemsize[t.id] = 1
            return None
        return self.generic_visit(node)

    def generic_visit(self, node):
        node = super().generic_visit(node)
        for field in ("body", "orelse"):  # a block left empty
            if isinstance(getattr(node, field, None), list) and not getattr(node, field) \
                    and field == "body":
                node.body = [ast.Pass()]
        return node


def _kept(e):
    return isinstance(e, ast.Name) and e.id.startswith("_stack_")


def _store(e):
    for x in ast.walk(e):
        if hasattr(x, "ctx"):
            x.ctx = ast.Load()
    e.ctx = ast.Store()
    return e
