"""The pass order, and the compile and cache policy, in one place.

    parse -> check the subset -> normalize -> infer kinds (-> normalize again, with the ranks
          of calls lowered by rank and of lists that grow in loops, and infer again) -> activity
          -> reverse (or forward) generation (saves, recompute, shape_redo, revolve
             checkpoints, loop fusion: passes/loop_order.py) -> clean-up -> shapes known from
          the code (passes/known_shapes.py: sums of broadcasts that sum nothing, and zeros an
          adjoint's first addition replaces, go) -> np.where of numbers a conditional
          expression (passes/scalar_where.py) -> loop steps'
          partial derivatives kept by the forward sweep (passes/preaccumulate.py; reverse
          modes without checkpoints or a memory budget) -> one memory layout per variable
          (passes/layouts.py) -> index checks where loops begin, the function then compiled
          without Numba's check at each access (passes/bounds.py) -> emit source -> compile

With ``memory=``, reverse generation runs twice: first with every top-level loop marked and
every top-level helper call's statements tagged with its site (the probe: its saves and the
values its reverse sweep reads counted, not kept: memory_probe.py, memory_plan.py), then with
the loops the plan chose checkpointed and the calls it chose normalized as
``srcgrad.checkpoint`` calls.

The transforms (srcgrad/transforms/) ask this module for what they need: a parsed and checked
function (``parse``), generated source (``generate``, then ``Generated.compile``), a compiled
driver that calls generated sweeps in a loop (``driver``), or generated code as a plain Python
function that can be differentiated again (``python_function``).
"""
import ast
import contextlib
import gc
import math
import os
import sys
import threading

import numpy as np

from . import errors, runtime, stats
from .backend import cache as diskcache
from .backend.compile import Compiled
from .backend.emit import filename_for, line_map, register, to_source
from .errors import InternalError, Problem, SrcgradError, UnsupportedError
from .frontend.check import raise_if_unsupported
from .frontend.source import read_source
from .passes import (activity, bounds, cleanup, common, drivers, einsum, forward, known_shapes, layouts,
                     names, normalize, preaccumulate, reverse, scalar_where, types, walk)


class Generated:
    """Generated source for one function, mode, ``wrt`` and argument kinds."""

    def __init__(self, source, name, constants, seeds, out_kind, active, cache_dir=None,
                 random=False):
        self.source, self.name, self.constants = source, name, constants
        self.seeds, self.out_kind, self.active = seeds, out_kind, active
        self.cache_dir = cache_dir
        self.random = random  # the function draws random numbers (each call draws anew)
        self.line_map = {}    # generated line -> (file, line) of the user's code
        self.serial = []      # [where, why] of loops parallel=True left serial
        self.site_map = {}    # generated line -> site of the top-level call it comes from
        self.sites = {}       # top-level helper calls that can be checkpointed -> their args
        self.refused_sites = {}  # ... and those that cannot -> why (memory_plan.py says so)
        self.written_params = []  # primal mode: array parameters the function writes into

    def compile(self, backend, strict):
        filename = filename_for(self.name, self.source)
        comp = Compiled(self.source, filename, self.name, self.constants, backend, strict,
                        cache_dir=self.cache_dir)
        comp.line_map = self.line_map
        errors.GENERATED_LINES[filename] = self.line_map
        return comp


def _tuples(x):
    return tuple(_tuples(e) for e in x) if isinstance(x, list) else x


@contextlib.contextmanager
def deep_recursion(fn):
    """The passes recurse over expressions, whose depth Python's parser bounds (about 200
    levels), so a raised recursion limit is enough for any valid input."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))
    try:
        yield
    except RecursionError:
        name = getattr(fn, "__name__", "the function")
        raise UnsupportedError([Problem(None, f"expressions nested too deeply in {name}()",
                                        "split the expression into several assignments.")])
    finally:
        sys.setrecursionlimit(limit)


_gc_lock = threading.Lock()
_gc_paused = [0, False]  # transformations running, whether the collector was on before


@contextlib.contextmanager
def collector_paused():
    """The passes allocate millions of small AST nodes and free few before the end; Python's
    cyclic collector would scan them all again at every collection (a third of the time for
    a function of thousands of statements).  It is paused while any transformation runs and
    switched back on, if it was on, when the last one ends."""
    with _gc_lock:
        if _gc_paused[0] == 0:
            _gc_paused[1] = gc.isenabled()
            gc.disable()
        _gc_paused[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_paused[0] -= 1
            if _gc_paused[0] == 0 and _gc_paused[1]:
                gc.enable()


@contextlib.contextmanager
def ours(name, mode):
    """Any failure inside srcgrad's own stages that is not a deliberate SrcgradError is a bug
    in srcgrad: say so (InternalError), never blame the user's line."""
    try:
        yield
    except (SrcgradError, RecursionError):
        raise
    except Exception as e:  # noqa: BLE001
        raise InternalError(f"{type(e).__name__}: {e}", name, mode) from e


def parse(fn):
    """Parse ``fn`` and check it is in the subset (at decoration time: the user hears early)."""
    src = read_source(fn)
    with deep_recursion(fn), ours(src.name, "check"):
        raise_if_unsupported(src)
    return src


def driver(kind, name, deps, backend, strict, cache, *spec):
    """(source, Compiled) of a generated driver: ``kind`` "jacobian" or "hessian", a loop over
    directions calling the generated sweeps ``deps`` (name -> Compiled); ``spec`` as
    passes/drivers.py takes it."""
    make = {"jacobian": drivers.jacobian_driver, "hessian": drivers.hessian_driver}[kind]
    text = make(name, *spec)
    return text, Compiled(text, filename_for(name, text), name, {}, backend, strict, deps,
                          diskcache.cache_dir(cache))


def python_function(name, text, deps):
    """The plain Python function ``name`` defined by ``text``, calling the generated functions
    ``deps`` (name -> Compiled); its source is registered, so it can be differentiated again
    (a grad of a grad)."""
    filename = filename_for(name, text)
    register(text, filename)
    ns = {"np": np, "math": math, **runtime.namespace(),
          **{n: comp._python() for n, comp in deps.items()}}
    exec(compile(text, filename, "exec"), ns)
    return ns[name]


def normalized(fn, arg_kinds):
    """(Source, normalized FunctionDef, {variable: kind}, constants): the function as the
    derivative passes see it, one operation per statement, for ``check_grads``."""
    with deep_recursion(fn), collector_paused():
        src = read_source(fn)
        with ours(src.name, "check"):
            raise_if_unsupported(src)
            norm = normalize.normalize(src, param_kinds=arg_kinds)
            kinds = types.infer(norm.fdef, arg_kinds, norm.constants, norm.names, src)
            ranks = einsum.rank_sites(norm.fdef, types._Infer(kinds).expr)
            if ranks:
                norm = normalize.normalize(src, ranks=ranks, param_kinds=arg_kinds)
                kinds = types.infer(norm.fdef, arg_kinds, norm.constants, norm.names, src)
    return src, norm.fdef, kinds, norm.constants


def generate(fn, wrt, arg_kinds, mode="reverse", intermediates=(), cache=None, checkpoint=(),
             parallel=False, budgeted=False, long_axes=()):
    """``checkpoint``: the loops whose adjoint keeps snapshots (passes/revolve.py ``spec``);
    ``parallel``: top-level loops with independent steps run as prange loops
    (passes/auto_parallel.py); ``budgeted``: under a memory budget (``memory=``), whose plan
    counted the saves as generated, so no loop step keeps its partial derivatives instead
    (passes/preaccumulate.py); ``long_axes``: the parameters' axes (``"x.shape[0]"``) the
    arguments have of a length other than 1, so that no broadcast along them needs summing
    back (passes/known_shapes.py): the code then serves only such arguments.  Reverse modes
    only."""
    if mode not in ("reverse", "value_and_grad"):
        checkpoint, parallel, budgeted, long_axes = (), False, False, ()
    with deep_recursion(fn), collector_paused():
        return _generate(fn, wrt, arg_kinds, mode, intermediates, cache, checkpoint, parallel,
                         budgeted, tuple(sorted(long_axes)))


def _generate(fn, wrt, arg_kinds, mode, intermediates, cache, checkpoint=(), parallel=False,
              budgeted=False, long_axes=()):
    src = read_source(fn)                                         # parse
    with ours(src.name, mode):
        raise_if_unsupported(src)                                 # check the subset
    for w in wrt:
        if not types.is_float(arg_kinds.get(w)):
            raise SrcgradError(f"cannot differentiate {src.name}() with respect to {w!r}: it is "
                               f"{types.describe(arg_kinds.get(w))}; only float scalars and float "
                               "arrays carry derivatives (pass 3.0, not 3).")
    directory = diskcache.cache_dir(cache) if not src.internal else None
    if directory:                                                 # transformed before?
        key = diskcache.transform_key(src, wrt, arg_kinds, mode, intermediates, checkpoint,
                                      parallel, budgeted, long_axes)
        meta = diskcache.load_transform(directory, key)
        if meta:
            # global arrays, each resolved in its own function's module (the key holds their
            # values; which generated name reads which is decided by normalizing again)
            constants = normalize.normalize(src, param_kinds=arg_kinds).constants \
                if meta["constants"] else {}
            if sorted(constants) == meta["constants"]:
                gen = Generated(meta["source"], meta["name"], constants, meta["seeds"],
                                _tuples(meta["out_kind"]), set(meta["active"]), directory,
                                meta.get("random", False))
                gen.line_map = {n: (f, ln) for n, f, ln in meta.get("line_map", [])}
                gen.site_map = {n: tuple(site) for n, site in meta.get("site_map", [])}
                gen.sites = {tuple(site): args for site, args in meta.get("sites", [])}
                gen.refused_sites = {tuple(site): why
                                     for site, why in meta.get("refused_sites", [])}
                _warn_serial(meta.get("serial", []))
                stats.count("transform_cache_hits")
                return gen
    with ours(src.name, mode), stats.timed("seconds_transforming"):
        gen = _transform(src, wrt, arg_kinds, mode, intermediates, checkpoint, parallel,
                         budgeted, long_axes)
    _warn_serial(gen.serial)
    stats.count("transformed")
    if directory:
        diskcache.store_transform(directory, key, {
            "source": gen.source, "name": gen.name, "constants": sorted(gen.constants),
            "seeds": gen.seeds, "out_kind": gen.out_kind, "active": sorted(gen.active),
            "random": gen.random, "serial": gen.serial,
            "line_map": [[n, f, ln] for n, (f, ln) in sorted(gen.line_map.items())],
            "site_map": [[n, list(site)] for n, site in sorted(gen.site_map.items())],
            "sites": [[list(site), args] for site, args in sorted(gen.sites.items())],
            "refused_sites": [[list(site), why]
                              for site, why in sorted(gen.refused_sites.items())]})
        gen.cache_dir = directory
    return gen


def _warn_serial(serial):
    import warnings
    from .watch import _user_level
    for where, why in serial:
        warnings.warn(f"parallel=True: the loop at {where} stays serial: {why}",
                      errors.ParallelWarning, stacklevel=_user_level())


def _transform(src, wrt, arg_kinds, mode, intermediates, checkpoint=(), parallel=False,
               budgeted=False, long_axes=()):
    serial = {}  # loops parallel=True leaves serial: place -> why
    while True:
        try:
            gen = _transform_once(src, wrt, arg_kinds, mode, intermediates, checkpoint,
                                  parallel, serial, budgeted, long_axes)
        except errors.SerialLoop as e:  # its adjoint cannot run in parallel: serial, again
            serial[e.place] = e.why
            continue
        gen.serial = [[f"{os.path.basename(src.filename)}:{place[1]}", why]
                      for place, why in sorted(serial.items(), key=lambda kv: kv[0][1] or 0)]
        return gen


def _transform_once(src, wrt, arg_kinds, mode, intermediates, checkpoint, parallel, serial,
                    budgeted=False, long_axes=()):
    calls = {which for which, _ in checkpoint if isinstance(which, tuple) and which[0] == "call"}
    norm = normalize.normalize(src, param_kinds=arg_kinds,        # one operation per statement
                               parallel=parallel, serial=serial, call_checkpoints=calls)
    kinds = types.infer(norm.fdef, arg_kinds, norm.constants, norm.names, src)  # kinds
    ranks = einsum.rank_sites(norm.fdef, types._Infer(kinds).expr)
    if ranks:  # calls lowered by their operands' ranks (np.tensordot): normalize again
        norm = normalize.normalize(src, ranks=ranks, param_kinds=arg_kinds, parallel=parallel,
                                   serial=serial, call_checkpoints=calls)
        kinds = types.infer(norm.fdef, arg_kinds, norm.constants, norm.names, src)
    serial.update(norm.serial_why)
    active = activity.analyze(norm.fdef, wrt, kinds, src.filename, mode)  # activity
    ret = norm.fdef.body[-1].value
    out_kind = types._Infer(kinds).expr(ret) if ret is not None else None
    accumulable = {}
    if mode in ("reverse", "value_and_grad"):
        # "reverse" returns the input cotangents; "value_and_grad" the primal value first
        with_value = mode == "value_and_grad"
        name = f"{src.name}_{'value_and_grad' if with_value else 'vjp'}"
        gen = reverse.ReverseGen(norm, kinds, active, wrt, norm.names, intermediates,
                                 checkpoint)
        fn_ast, seeds = gen.build(name, with_value)
        accumulable = {b: kinds[v][1] for v, b in gen.adj.items()
                       if types.is_array(kinds.get(v)) and kinds[v][2] in "fc"}
    elif mode == "forward":
        name, seeds = f"{src.name}_jvp", []
        fgen = forward.ForwardGen(norm, kinds, active, wrt, norm.names)
        fn_ast = fgen.build(name)
    elif mode == "primal":  # the normalized function itself (user calls inlined), for values
        name, seeds = f"{src.name}_primal", []
        fn_ast = norm.fdef
        fn_ast.name = name
        copies = common.copy_written_params(fn_ast, norm.params, kinds)
        fn_ast.body = copies + fn_ast.body
        written_params = [c.targets[0].id for c in copies]
    else:
        raise ValueError(f"unknown mode {mode!r}")
    fn_ast = cleanup.cleanup(fn_ast, kinds, accumulable)          # clean-up
    named = gen.adj if mode in ("reverse", "value_and_grad") else \
        fgen.tan if mode == "forward" else {}
    param_kinds = {**kinds, **{b: kinds.get(v) for v, b in named.items()}}
    fn_ast = cleanup.remove_dead(known_shapes.simplify(fn_ast, param_kinds.get,  # shapes
                                                       long_axes))
    fn_ast = scalar_where.rewrite(fn_ast, param_kinds)          # np.where of numbers
    if mode in ("reverse", "value_and_grad") and not checkpoint and not budgeted:
        floats = {b for v, b in gen.adj.items()                   # loop steps' partials
                  if types.is_scalar(kinds.get(v)) and types.is_float(kinds.get(v))}
        if types.is_scalar(out_kind) and types.is_float(out_kind):
            floats |= set(seeds)
        others = (set(gen.adj.values()) | set(seeds)) - floats
        fn_ast = preaccumulate.preaccumulate(fn_ast, floats, others, norm.names)
    fn_ast = layouts.c_ordered(fn_ast)                   # one memory layout per variable
    fn_ast, _ = bounds.hoist(fn_ast, param_kinds)         # index checks where loops begin
    fn_ast = names.call_shadowed(fn_ast)  # helpers named like a parameter: by their alias
    where = f"{os.path.basename(src.filename)}:{src.tree.lineno}"
    header = [f"generated by srcgrad from {src.name}() at {where}",
              f"{mode} mode" + (f", wrt {', '.join(wrt)}" if mode != "primal" else "")]
    attr = "tangent_of" if mode == "forward" else "grad_of"
    if mode == "forward":
        source = to_source(fn_ast, attr="tangent_of", prefix="tangent of: ", header=header)
    else:
        source = to_source(fn_ast, header=header)                 # emit source
    gen = Generated(source, name, norm.constants, seeds, out_kind, active,
                    random=walk.draws(norm.fdef))
    if mode == "primal":  # (the caller's arrays it writes into: it writes into copies)
        gen.written_params = written_params
    gen.line_map = line_map(fn_ast, source, attr, (src.filename, src.tree.lineno))
    if mode in ("reverse", "value_and_grad"):  # top-level calls a memory plan may checkpoint
        gen.site_map = line_map(fn_ast, source, attr, sites=True)
        gen.sites, gen.refused_sites = _checkpointable(norm.sites, kinds)
    return gen


def _checkpointable(sites, kinds):
    """{site: its arguments' names}: the top-level helper calls ``srcgrad.checkpoint`` could
    take (memory_plan.py): arguments that are names or numbers of scalar or array kinds, no
    functions passed, no random draws, no writes into its arguments, one float or float-array
    result; and {site: why not} for the others."""
    out, refused = {}, {}
    infer = types._Infer(kinds).expr
    for site, use in sites.items():
        r = use["result"]
        kind = infer(r) if isinstance(r, ast.Name) else None
        why = ("a function is passed to it" if use["passed"] else
               "it draws random numbers (run again, it would draw others)" if use["draws"] else
               "it writes into its arguments" if use["writes"] else
               "it returns something other than one float or float array"
               if kind is None or kind[0] not in "as" or not types.is_float(kind) else
               "an argument is neither a name nor a number" if not all(
                   isinstance(a, ast.Constant) or (isinstance(a, ast.Name) and (
                       types.is_array(infer(a)) or types.is_scalar(infer(a))))
                   for a in use["args"]) else None)
        if why is None:
            out[site] = [a.id for a in use["args"] if isinstance(a, ast.Name)]
        else:
            refused[site] = why
    return out, refused
