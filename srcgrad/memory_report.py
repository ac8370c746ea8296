"""The memory report: what the reverse sweep of ``f``'s gradient keeps, loop by loop, measured
on the generated code itself.

    >>> print(srcgrad.memory(heat, u0, 0.1, 10000))
    srcgrad memory: heat() wrt u0, k; the reverse sweep keeps 80.0 MB
       line  loop or statement                        trips    per trip        kept
          7  for t in range(T):                       10000      8.0 kB     80.0 MB
             outside loops                                                  0 bytes
    >>> print(srcgrad.memory(heat, u0, 0.1, 10000, wrt="u0", checkpoint=100))
    ...
          7  for t in range(T):                       10000                816.0 kB
               checkpointed: 100 snapshots of 8.0 kB + one step's 16.0 kB; 24,748 steps run
               again (3.5x the loop)

The generated adjoint is instrumented: its forward sweep runs (compiled, or as Python with
``backend="python"``) and, where the reverse sweep would begin, returns every stack, saved
value and snapshot it holds, and each top-level loop's trip count.  Their sizes are those of
compiled code (8 bytes a number, an array kept under two names once); nothing is estimated.
``srcgrad memory file.py:f --args ...`` prints the same from the shell.
"""
import ast
import copy
import linecache

import numpy as np

from .backend.compile import load
from .backend.emit import filename_for
from .memory_probe import live_values
from .passes import revolve
from .runtime.checkpoint import (CKPT_ADJOINT, CKPT_DONE, binomial_steps,
                                 checkpoint_next, checkpoint_online, checkpoint_online_end,
                                 checkpoint_place)

_KEPT = ("_stack_", "_saved_", "_snap_", "_last_")


class Loop:
    """One top-level loop of the forward sweep and what the reverse sweep keeps of it."""

    def __init__(self, line, text, trips, kept, snapshots=None, state=None, online=False):
        self.line, self.text, self.trips, self.kept = line, text, trips, kept
        self.snapshots, self.state = snapshots, state  # checkpointed: s, bytes of one state
        self.online = online  # a while loop: snapshots placed as it runs

    @property
    def per_trip(self):
        return self.kept / self.trips if self.trips and self.snapshots is None else None

    @property
    def steps_again(self):
        """Steps run more than once (checkpointed loops: the binomial least, and the last
        step, whose result the rest of the function needs before the reverse sweep)."""
        if not self.snapshots or not self.trips:
            return 0
        if self.online:  # the schedule itself, played on step numbers
            return online_steps_again(self.trips, self.snapshots)
        return binomial_steps(self.trips, self.snapshots) + 1


def online_steps_again(T, s):
    """Steps an online schedule (srcgrad/runtime/checkpoint.py) runs again in the reverse
    sweep of a loop of T steps, counted by playing it."""
    rv = checkpoint_online(s)
    for _ in range(T):
        checkpoint_place(rv)
    checkpoint_online_end(rv)
    again = 0
    while True:
        action, _, step, to = checkpoint_next(rv)
        if action == CKPT_DONE:
            return again
        if action != CKPT_ADJOINT:  # (a store, a restore or an advance, then on to ``to``)
            again += to - step


class Report:
    def __init__(self, name, wrt, loops, outside, statements=(), plan=None):
        self.name, self.wrt, self.loops, self.outside = name, wrt, loops, outside
        self.statements = list(statements)  # (line, text, bytes) kept by one outside loops
        self.total = outside + sum(lp.kept for lp in loops)
        self.plan = plan  # memory=: what the budget chose (memory_plan.Plan), before measuring

    def __str__(self):
        b = revolve.describe_bytes
        out = [f"srcgrad memory: {self.name}() wrt {', '.join(self.wrt)}; the reverse sweep "
               f"keeps {b(self.total)}",
               f"  {'line':>5}  {'loop or statement':<36} {'trips':>9} {'per trip':>11} {'kept':>11}"]
        for lp in self.loops:
            text = lp.text if len(lp.text) <= 36 else lp.text[:33] + "..."
            if lp.snapshots is None:
                per = b(round(lp.per_trip)) if lp.per_trip is not None else ""
                out.append(f"  {lp.line or '':>5}  {text:<36} {lp.trips:>9} {per:>11} "
                           f"{b(lp.kept):>11}")
            else:
                step = lp.kept - lp.snapshots * lp.state
                again = lp.steps_again
                out.append(f"  {lp.line or '':>5}  {text:<36} {lp.trips:>9} {'':>11} "
                           f"{b(lp.kept):>11}")
                out.append(f"  {'':>5}    checkpointed: {lp.snapshots} snapshots of "
                           f"{b(lp.state)} + one step's {b(step)}; {again:,} steps run again "
                           f"({(lp.trips + again) / max(lp.trips, 1):.1f}x the loop)")
        for line, text, n in self.statements:
            text = text if len(text) <= 36 else text[:33] + "..."
            out.append(f"  {line or '':>5}  {text:<36} {'':>9} {'':>11} {b(n):>11}")
        out.append(f"  {'':>5}  {'outside loops':<36} {'':>9} {'':>11} {b(self.outside):>11}")
        text = "\n".join(out) + "\n"
        if self.plan is not None:
            text += "the plan: " + str(self.plan)
        return text

    __repr__ = __str__


def memory(f, *args, wrt=None, checkpoint=None, memory=None, backend="numba"):
    """A :class:`Report` of what ``grad(f, wrt=..., checkpoint=..., memory=...)(*args)``
    keeps for its reverse sweep (``wrt``: default every float argument)."""
    from .transforms.args import float_params, prepare
    from .transforms.derived import Derived
    from .transforms.vjp import _counted
    f = getattr(f, "primal", f)
    params = _counted(f, len(args), "memory got {} arguments")
    args = prepare(args, params)
    if wrt is None:
        wrt = float_params(params, args)
    d = Derived(f, wrt, backend=backend)  # (its adjoint is read, never compiled)
    d.gen_mode, d.checkpoint = "reverse", revolve.spec(checkpoint, memory)
    gen, _ = d.specialize(args)  # memory=: planned by a probe run with ``backend``
    text, groups = instrumented(gen.source, gen.site_map)
    fn = load(text, filename_for(gen.name + "_memory", text), gen.name, "python", gen.constants)
    if backend == "numba" and not gen.random:  # (draws: as Python, from NumPy's state)
        import numba
        fn = numba.njit(fn)
    seeds = [0.0] * len(gen.seeds)  # never read: the report returns before the reverse sweep
    # the caller's generators, and NumPy's global one, are left as they were
    args = tuple(copy.deepcopy(a) if isinstance(a, np.random.Generator) else a for a in args)
    state = np.random.get_state()
    try:
        kept_values, trips = fn(*args, *seeds)
    finally:
        np.random.set_state(state)
    seen = set()  # an array kept twice (pushed under two names) is memory once
    sizes = [_bytes(x, seen) for x in kept_values]
    line_map = gen.line_map
    loops = []
    values = dict(zip(groups["names"], kept_values))
    sizes = dict(zip(groups["names"], sizes))
    for g, (n, snapshots) in zip(groups["loops"], trips):
        kept = sum(sizes[v] for v in g["names"])
        file, line = line_map.get(g["lineno"], (None, None))
        text = linecache.getline(file, line).strip() if file else ""
        state = None
        if g["checkpointed"]:  # snapshots of the state, all of them in use at some time
            snap = [v for v in g["names"] if v.startswith("_snap_")]
            state = sum(_bytes(values[v][0], set()) for v in snap if len(values[v]))
            kept += snapshots * state - sum(sizes[v] for v in snap)
        loops.append(Loop(line, text, n, kept, snapshots if g["checkpointed"] else None, state,
                          g.get("online", False)))
    inside = {v for g in groups["loops"] for v in g["names"]}
    outside = sum(s for v, s in sizes.items() if v not in inside)
    statements = {}  # values kept by statements outside loops, by the line they come from
    for v, (lineno, site, left) in groups["saved_at"].items():
        if v not in inside and sizes.get(v):
            file, line = line_map.get(lineno, (None, None))
            if site is not None:  # a helper's statement: the call in the function's own code
                file, line = d._src.filename, site[1]
            if file:
                text = linecache.getline(file, line).strip()
                if left:  # what a loop leaves for the reverse sweep (not what it keeps)
                    text = f"(last values) {text}"
                elif line == gen.line_map.get(0, (None, d._src.tree.lineno))[1] and \
                        text.startswith("def "):
                    text = "(srcgrad's own)"
                key = (line, text)
                statements[key] = statements.get(key, 0) + sizes[v]
    return Report(d._src.name, list(d.wrt), loops, outside,
                  [(line, text, n) for (line, text), n in sorted(statements.items())], d.plan)


def instrumented(source, site_map=None):
    """(source, groups): the generated adjoint returning, where its reverse sweep would begin,
    ``(sizes of what it keeps, trips of each top-level loop)``: its saves, and the forward
    sweep's values the reverse sweep reads (memory_probe.live_values)."""
    tree = ast.parse(source)
    fdef = tree.body[0]
    lines = source.split("\n")
    boundary = next(i + 1 for i, ln in enumerate(lines) if ln.strip() == "# reverse sweep")
    fwd = [s for s in fdef.body if s.lineno < boundary]
    taped = _taped_steps(fdef.body[len(fwd):], lines)
    kept = sorted({n.id for n in ast.walk(ast.Module(fwd + [x for t in taped.values() for x in t],
                                                     [])) if isinstance(n, ast.Name)
                   and n.id.startswith(_KEPT)})
    saves = set(kept)  # (a loop's own; the values the reverse sweep reads count outside)
    live = live_values(fwd, fdef.body[len(fwd):], [a.arg for a in fdef.args.args])
    kept += [v for v, _ in live if v not in kept]
    body, loops, after = [], [], []
    i = 0
    while i < len(fwd):
        s = fwd[i]
        trips, count = f"_mem_trips{len(loops)}", f"_mem_snapshots{len(loops)}"
        if _is_schedule(s):  # a checkpointed loop: schedule, snapshots, loop, its end
            online = s.value.func.id == "checkpoint_online"
            j = i + 1
            while j < len(fwd) and not _ends_group(fwd[j]):
                j += 1
            body.append(s)
            body.append(ast.Assign([ast.Name(count, ast.Store())], s.value.args[-1]))
            if not online:
                body.append(ast.Assign([ast.Name(trips, ast.Store())], s.value.args[0]))
            body += fwd[i + 1:j + 1]
            if online:  # the trips the schedule counted
                body.append(ast.parse(f"{trips} = {s.targets[0].id}[7]").body[0])
            # one step run for its adjoint (from the state kept before the last step): what
            # it keeps is kept while the reverse sweep runs (measured at the end)
            step = taped.get(s.targets[0].id, [])
            last = [(n.targets[0].id, n.value) for n in ast.walk(fwd[j]) if isinstance(n, ast.Assign)
                    and isinstance(n.targets[0], ast.Name) and n.targets[0].id.startswith("_last_")]
            back = [ast.Assign([_carried(v)], ast.Name(k, ast.Load())) for k, v in last]
            test = ast.Compare(ast.Name(trips, ast.Load()), [ast.Gt()], [ast.Constant(0)])
            after.append(ast.If(test, back + step or [ast.Pass()], []))
            loops.append(_group(fwd[i:j + 1] + step, saves, True))
            loops[-1]["online"] = online
            i = j + 1
            continue
        if isinstance(s, (ast.For, ast.While)):
            body.append(ast.parse(f"{trips} = 0\n{count} = 0").body)
            body = body[:-1] + body[-1]
            s.body.insert(0, ast.parse(f"{trips} += 1").body[0])
            loops.append(_group([s], saves, False))
        body.append(s)
        i += 1
    body += after
    sizes = ast.Tuple([ast.Name(v, ast.Load()) for v in kept] + [ast.Constant(0)], ast.Load())
    trips = ast.Tuple([ast.Tuple([ast.Name(f"_mem_trips{j}", ast.Load()),
                                  ast.Name(f"_mem_snapshots{j}", ast.Load())], ast.Load())
                       for j in range(len(loops))] + [ast.Tuple([ast.Constant(0)] * 2,
                                                                ast.Load())], ast.Load())
    body.append(ast.Return(ast.Tuple([sizes, trips], ast.Load())))
    fdef.body = body  # the reverse sweep is not run: its seeds are never read
    saved_at = {}  # a value saved outside loops: the line of the statement overwriting it;
    for s, after in zip(fwd, fwd[1:]):  # a value left for the reverse sweep: its statement
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) and \
                s.targets[0].id.startswith(_KEPT) and not isinstance(s.value, (ast.List, ast.BinOp)):
            saved_at[s.targets[0].id] = after.lineno
    compound = set()  # values a loop (or a checkpointed loop's schedule) leaves
    for v, i in live:
        saved_at[v] = fwd[i].lineno
        if not isinstance(fwd[i], (ast.Assign, ast.AugAssign, ast.Expr)) or \
                any(fwd[i].lineno == lp["lineno"] for lp in loops):
            compound.add(v)
    saved_at = {v: (n, (site_map or {}).get(n), v in compound) for v, n in saved_at.items()}
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n", {"names": kept, "loops": loops, "saved_at": saved_at}


def _bytes(x, seen):
    """Bytes ``x`` (a stack, an array, a number) takes in compiled code: an array's data once
    however often it is kept, 8 bytes a number."""
    if isinstance(x, np.ndarray):
        key = (x.__array_interface__["data"][0], x.nbytes)
        if key in seen:
            return 0
        seen.add(key)
        return x.nbytes
    if isinstance(x, (list, tuple)):
        return sum(_bytes(e, seen) for e in x)
    return 8


def _carried(value):
    """The name ``_last_v = v`` (or ``np.copy(v)``) keeps, as an assignment target."""
    while isinstance(value, ast.Call):
        value = value.args[0]
    return ast.Name(value.id, ast.Store())


def _taped_steps(reverse, lines):
    """{schedule name: the statements of its reverse loop that run a step keeping its values
    (those before the loop body's first ``# grad of:`` comment)}."""
    out = {}
    for n in ast.walk(ast.Module(reverse, [])):
        if isinstance(n, ast.While) and _tests_adjoint(n):
            calls = [c for c in ast.walk(n) if isinstance(c, ast.Call)
                     and getattr(c.func, "id", None) == "checkpoint_next"]
            if not calls:
                continue
            first = next((k + 1 for k in range(n.lineno, n.end_lineno)
                          if lines[k].strip().startswith("# grad of:")), n.end_lineno + 1)
            out[calls[0].args[0].id] = [x for x in n.body if x.lineno < first]
    return out


def _is_schedule(s):
    return isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and \
        getattr(s.value.func, "id", None) in ("checkpoint_schedule", "checkpoint_online")


def _ends_group(s):
    """The last statement of a checkpointed loop's forward sweep: the last step (revolve),
    or the end of the online schedule."""
    if isinstance(s, ast.If) and _tests_adjoint(s):
        return True
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and \
        getattr(s.value.func, "id", None) == "checkpoint_online_end"


def _tests_adjoint(s):
    return any(isinstance(n, ast.Name) and n.id == "CKPT_ADJOINT" for n in ast.walk(s.test))


def _group(stmts, kept, checkpointed):
    names = {n.id for s in stmts for n in ast.walk(s) if isinstance(n, ast.Name)
             and n.id in kept}
    return {"names": sorted(names), "lineno": stmts[0].lineno, "checkpointed": checkpointed}
