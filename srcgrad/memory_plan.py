"""Memory plans: ``grad(f, memory="64MB")`` chooses, for the sizes of each call's arguments,
which top-level loops to checkpoint and with how many snapshots, and which top-level helper
calls to checkpoint, so that everything the reverse sweep keeps stays under the budget, with
as little run again as it can.

First a probe measures, then a choice is made, then the adjoint is generated for it:

    probe   f's adjoint with nothing checkpointed, cut where its reverse sweep would begin,
            every save and every value the reverse sweep reads counted instead of kept
            (memory_probe.py).  For each top-level loop: its trips, the bytes it would keep,
            the most one step keeps, and the bytes of the state it carries (from the loop
            checkpointer's own analysis, passes/revolve.py); for each top-level call of a
            helper: the bytes its statements keep, and the bytes of its arguments; and the
            bytes kept outside both.
    choose  keep everything whole if it fits.  Otherwise checkpoint loops and calls (the
            fewest, then those that run the fewest bytes again: every subset is tried, up to
            12 of them) so that what stays whole, what is kept outside, for each checkpointed
            loop one snapshot, the state before its last step and one step's own values, and
            for each checkpointed call its arguments (and, while its adjoint runs, what it
            keeps: the largest such call's) fit; then share the rest out as snapshots where
            they save the most steps run again.  A budget that nothing fits is a ValueError
            saying how much is needed.
    code    ``checkpoint={("#", k): s, ("call", line, column): 0, ...}``: the k-th top-level
            loop with ``s`` snapshots, the call at that place as ``srcgrad.checkpoint(g)(...)``
            (one specialization per plan; the plan is remade when the arguments' shapes or
            integer values change).

The plan counts what the probe counts: saves (an array kept under two names counts twice, so
a plan errs on the safe side), the forward sweep's values the reverse sweep reads, snapshots,
the schedule's own ints, and a checkpointed call's arguments whether or not something else
keeps them already.  Not counted: the adjoint's own arrays (one per array, as without a
budget) and one step's temporaries.  Calls inside loops or branches are not chosen (the loop
is); a helper whose loops are at the top level of the call is left to its loops.
"""
import copy
import itertools
import linecache
import os

import numpy as np

from .passes.revolve import PROBE, describe_bytes
from .runtime.checkpoint import binomial_steps

SNAPSHOT_EXTRA = 16  # the schedule's ints a snapshot (runtime/checkpoint.py)


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


class CallUse:
    """What one top-level call of a helper keeps, measured by the probe: ``stored`` inlined,
    ``inputs`` (its arguments) checkpointed."""

    def __init__(self, site, text, stored, inputs, file=None):
        self.site, self.text, self.file = site, text, file
        self.line = site[1]
        self.stored, self.inputs = stored, inputs

    @property
    def where(self):
        return f"{os.path.basename(self.file)}:{self.line}" if self.file else \
            f"line {self.line}"


class Plan:
    """What ``memory=`` chose for one call's sizes: ``snapshots`` {loop number: s}, and
    ``calls`` the sites of the helper calls it checkpoints."""

    def __init__(self, budget, loops, outside, snapshots, name="f", calls=(), chosen=(),
                 refused=()):
        self.budget, self.loops, self.outside = budget, loops, outside
        self.snapshots, self.name = dict(snapshots), name
        self.call_uses = list(calls)
        self.calls = set(chosen)
        self.refused = list(refused)  # [(where, text, why)]: calls no plan can checkpoint

    @property
    def spec(self):
        """The checkpoint spec that generates this plan (passes/revolve.py, normalize.py)."""
        return tuple(sorted([(("#", k), s) for k, s in self.snapshots.items()]
                            + [(site, 0) for site in self.calls]))

    def kept(self, lp):
        s = self.snapshots.get(lp.number)
        return lp.stored if s is None else s * (lp.state + SNAPSHOT_EXTRA) + lp.state + lp.step

    def call_kept(self, c):
        return c.inputs if c.site in self.calls else c.stored

    @property
    def rerun_peak(self):
        """What the largest checkpointed call keeps while its adjoint runs."""
        return max((c.stored for c in self.call_uses if c.site in self.calls), default=0)

    @property
    def total(self):
        """Bytes the reverse sweep keeps under this plan (as the probe counts)."""
        return self.outside + sum(self.kept(lp) for lp in self.loops) + \
            sum(self.call_kept(c) for c in self.call_uses) + self.rerun_peak

    @property
    def steps_again(self):
        return sum(lp.again(self.snapshots[lp.number]) for lp in self.loops
                   if lp.number in self.snapshots)

    def __str__(self):
        b = describe_bytes
        again = []
        if self.snapshots:
            again.append(f"{self.steps_again:,} steps run again")
        if self.calls:
            again.append(f"{len(self.calls)} call{'s' if len(self.calls) > 1 else ''} run again")
        out = [f"memory={b(self.budget)} for {self.name}(): keeps {b(self.total)}"
               + (", " + ", ".join(again) if again else
                  ", everything whole (nothing run again)")]
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
        for c in self.call_uses:
            if c.site in self.calls:
                out.append(f"  {c.where}: {c.text} -- checkpointed, keeps its arguments "
                           f"{b(c.inputs)}; runs again in the reverse sweep (keeping "
                           f"{b(c.stored)} while its adjoint runs)")
            else:
                out.append(f"  {c.where}: {c.text} -- whole, {b(c.stored)}")
        for where, text, why in self.refused:
            out.append(f"  {where}: {text} -- whole, counted outside loops; cannot be "
                       f"checkpointed: {why}")
        out.append(f"  outside loops{' and calls' if self.call_uses else ''}: "
                   f"{b(self.outside)}")
        return "\n".join(out) + "\n"

    __repr__ = __str__


def choose(budget, loops, outside, name="f", calls=(), refused=()):
    """The :class:`Plan` for ``loops`` (LoopUse), ``calls`` (CallUse) and ``outside`` bytes
    within ``budget``; ``refused``: [(where, text, why)] of the calls that cannot be
    checkpointed (their bytes are in ``outside``), named in the plan and in a refusal."""
    whole = Plan(budget, loops, outside, {}, name, calls, refused=refused)
    if whole.total <= budget:
        return whole
    can = [lp for lp in loops if lp.why_not is None and lp.trips > 1 and lp.least() < lp.stored]
    can += [c for c in calls if c.inputs < c.stored]

    def at_least(chosen):  # the plan checkpointing ``chosen``, one snapshot a loop
        return Plan(budget, loops, outside, {x.number: 1 for x in chosen
                                             if isinstance(x, LoopUse)}, name, calls,
                    {x.site for x in chosen if isinstance(x, CallUse)})

    subsets = (itertools.chain.from_iterable(itertools.combinations(can, r)
                                             for r in range(1, len(can) + 1))
               if len(can) <= 12 else [_greedy(can, at_least, budget)])
    best, least = None, whole
    for chosen in subsets:
        p = at_least(chosen)
        if p.total < least.total:
            least = p
        room = budget - p.total
        if room < 0:
            continue
        ls = [x for x in chosen if isinstance(x, LoopUse)]
        snaps = _share(ls, room)
        cost = sum(lp.again(snaps[lp.number]) * max(lp.step, 8) for lp in ls) + \
            sum(c.stored for c in chosen if isinstance(c, CallUse))  # bytes run again
        if best is None or (len(chosen), cost) < best[0]:
            best = ((len(chosen), cost), snaps, p.calls)
    if best is None:
        n = least.total
        refusals = [f"the call at {where} cannot be checkpointed: {why}"
                    for where, _, why in refused]
        raise ValueError(f"memory={describe_bytes(budget)}: the reverse sweep of {name}() needs "
                         f"at least {n:,} bytes{_roughly(n)} however it is "
                         f"checkpointed: {'; '.join(_needs(least) + refusals)}. Give memory= "
                         "at least that.")
    return Plan(budget, loops, outside, best[1], name, calls, best[2], refused)


def _greedy(can, at_least, budget):
    """What to checkpoint when there is much (more than 12 loops and calls): the largest
    savings first, until the rest fits."""
    def saves(x):
        return x.stored - (x.least() if isinstance(x, LoopUse) else x.inputs)
    chosen = []
    for x in sorted(can, key=saves, reverse=True):
        if at_least(chosen).total <= budget:
            break
        chosen.append(x)
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


def _needs(least):
    """Where the bytes of the plan that keeps least go."""
    out = []
    for lp in least.loops:
        where = f"the loop at {lp.where}"
        if lp.number in least.snapshots:
            out.append(f"{where}, checkpointed with one snapshot: {describe_bytes(lp.least())} "
                       f"(its state {describe_bytes(lp.state)}, one step "
                       f"{describe_bytes(lp.step)})")
        elif lp.stored:
            why = f", cannot be checkpointed: {lp.why_not}" if lp.why_not else ""
            out.append(f"{where}, whole: {describe_bytes(lp.stored)}{why}")
    for c in least.call_uses:
        if c.site in least.calls:
            out.append(f"the call at {c.where}, checkpointed: its arguments "
                       f"{describe_bytes(c.inputs)}")
        elif c.stored:
            out.append(f"the call at {c.where}, whole: {describe_bytes(c.stored)}")
    if least.calls:
        out.append(f"while a checkpointed call's adjoint runs: {describe_bytes(least.rerun_peak)}")
    out.append(f"outside loops{' and calls' if least.call_uses else ''}: "
               f"{describe_bytes(least.outside)}")
    return out


# ---- the probe ------------------------------------------------------------------------------
def plan(d, args, budget):
    """The :class:`Plan` for derived function ``d`` (a Derived) called with ``args``."""
    from . import pipeline
    from .memory_probe import instrumented
    fn = d.differentiated(args)
    gen = pipeline.generate(fn, d.wrt, d.kinds_of(args), "reverse", (), d.cache,
                            checkpoint=(("*", PROBE),))
    text, groups, sites = instrumented(gen)
    probe = pipeline.Generated(text, gen.name, gen.constants, gen.seeds, None, gen.active,
                               gen.cache_dir)
    probe.line_map = gen.line_map
    # a generator of the caller's is not drawn from: the probe draws from a copy; NumPy's
    # global one (np.random.normal()) is put back as it was, so the probe runs as Python
    # there (compiled code draws from Numba's own)
    comp = probe.compile("python" if gen.random else d.backend, d.strict)
    args = tuple(copy.deepcopy(a) if isinstance(a, np.random.Generator) else a for a in args)
    state = np.random.get_state()
    try:
        mem = comp(*args, *([0.0] * len(gen.seeds)))  # the seeds are never read
    finally:
        np.random.set_state(state)
    loops = []
    for g in groups:
        k = g["number"]
        file, line = gen.line_map.get(g["lineno"], (None, None))
        text = linecache.getline(file, line).strip() if file else ""
        loops.append(LoopUse(k, line, text, int(mem[k, 1]), int(mem[k, 0]), int(mem[k, 2]),
                             int(mem[k, 3]), g["online"], g["why_not"], file))
    file = d._src.filename
    calls = [CallUse(site, linecache.getline(file, site[1]).strip(), int(mem[row, 0]),
                     int(mem[row, 1]), file) for site, row in sites]
    refused = [(CallUse(site, "", 0, 0, file).where, linecache.getline(file, site[1]).strip(),
                why) for site, why in sorted(gen.refused_sites.items())]
    return choose(budget, loops, int(mem[-1, 0]), d._src.name, calls, refused)
