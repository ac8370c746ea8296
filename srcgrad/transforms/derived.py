"""What every transform shares: a derivative object of a user's function, specialized (like
Numba's own dispatch) on the kinds of the arguments of each call, with ``.source``; and
``srcgrad.source(f, ...)``.

The first call with new kinds asks the pipeline for generated source and a compiled function;
later calls reuse them, until a global the code was built from changes (srcgrad/watch.py).
"""
import ast
import functools
import inspect
import threading

import numpy as np

from .. import kinds as K
from .. import pipeline, watch
from ..errors import Problem, SrcgradError, UnsupportedError
from ..passes import revolve
from .args import prepare, wrt_names

_CACHES = ("_specs", "_fast", "_functions", "_drivers", "_hvps", "_plans")


class Derived:
    """A derivative of ``primal``: callable, with ``.source`` and ``.primal``."""

    gen_mode = "reverse"  # which generated function this object calls
    nests = False         # may a grad be taken of it (a grad of one argument)
    checkpoint = ()       # loops whose adjoint keeps snapshots (passes/revolve.py spec)
    parallel = False      # top-level loops with independent steps as prange (auto_parallel)

    def __init__(self, primal, wrt, backend="numba", strict=False, cache=None):
        if backend not in ("numba", "python"):
            raise ValueError(f"backend must be 'numba' or 'python', not {backend!r}")
        self.primal = primal
        self.backend, self.strict, self.cache = backend, strict, cache
        self._init = dict(wrt=wrt, backend=backend, strict=strict, cache=cache)  # to pickle
        # a derivative of a derivative (grad(grad(f))): never unwrap to f, that would be wrong
        self.inner = primal if isinstance(primal, Derived) else None
        if self.inner is not None:
            if primal.checkpoint:
                raise SrcgradError("a derivative of a checkpointed gradient is not supported: "
                                   "take the inner grad without checkpoint=")
            if not primal.nests:
                raise SrcgradError("a derivative of a derivative takes grad(f, wrt=<one "
                                   "argument>) as the inner one (jacobian(grad(f)), "
                                   "grad(grad(f)), vjp(grad(f), ...)); for other second "
                                   "derivatives use hessian or hvp")
            self._src = primal._src
            self.level = primal.level + 1
        else:
            self._src = pipeline.parse(primal)
            self.level = 0
        self.params = self._src.params
        self.wrt, self.single = wrt_names(primal, wrt, self.params)
        self._specs = {}
        self._lock = threading.RLock()
        self._fast = {}   # cheap argument signature -> compiled function, after a first call
        self._plans = {}  # memory=: the arguments' sizes -> the plan (memory_plan.py)
        self.plan = None  # memory=: the last call's plan (what it checkpoints, and why)
        self._last = None
        # the user's function whose globals the generated code reads (none for functions
        # srcgrad made, whose user function's derived object watches them)
        self._user_fn = self._src.fn if inspect.isfunction(self._src.fn) else None
        self._watch = None
        # name and docstring only: copying __dict__ or setting __wrapped__ would make a
        # grad of a grad look like (and unwrap to) the function itself
        functools.update_wrapper(self, primal, assigned=("__module__", "__name__",
                                                          "__qualname__", "__doc__"), updated=())
        del self.__wrapped__  # update_wrapper sets it whatever ``assigned`` says

    def __reduce__(self):
        """Pickled by reference to the user's function and the options: unpickled (in
        another process: a worker of multiprocessing, concurrent.futures, Dask), it is made
        again and transforms on its first call, or reads the disk cache."""
        return _rebuild, (type(self), self.primal, self._init, self.gen_mode)

    def fresh(self):
        """Drop what was generated if a global it was built from has changed since."""
        w = self._watch
        if w is not None and w.current():
            return
        if self._user_fn is None:
            return
        now = watch.of(self._user_fn, quiet=w is None)
        if w is not None and now is not w:
            with self._lock:
                for name in _CACHES:
                    if hasattr(self, name):
                        getattr(self, name).clear()
                self._last = None
                self.__dict__.pop("_last_text", None)
        self._watch = now

    def bind(self, args, kwargs):
        """The arguments in parameter order, as calling the primal would take them:
        keywords and defaults accepted, a wrong number a TypeError naming the parameters."""
        if not kwargs and len(args) == len(self.params):
            return args
        fn = self._src.fn
        try:
            bound = inspect.signature(fn).bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{fn.__name__}() takes the parameters ({', '.join(self.params)}): "
                            f"{e}") from None
        bound.apply_defaults()
        return tuple(bound.arguments[p] for p in self.params)

    def kinds_of(self, args):
        return {p: K.kind_of_value(a) for p, a in zip(self.params, args)}

    def long_axes(self, args):
        """The arrays' axes of a length other than 1 (``"x.shape[0]"``): reverse-mode code is
        specialized for them (pipeline.generate), as for the kinds."""
        return frozenset(f"{p}.shape[{i}]" for p, a in zip(self.params, args)
                         if isinstance(a, np.ndarray) for i, n in enumerate(a.shape) if n != 1)

    def key_of(self, args):
        """What generated code for ``args`` is specialized on: kinds, and the axes of length
        other than 1."""
        return (tuple(sorted(self.kinds_of(args).items(), key=lambda kv: kv[0])),
                tuple(sorted(self.long_axes(args))))

    def specialize(self, args, mode=None):
        """(Generated, Compiled) for these arguments."""
        if len(args) != len(self.params):
            raise TypeError(f"{self.primal.__name__}() takes {len(self.params)} arguments "
                            f"{tuple(self.params)}, got {len(args)}")
        self.fresh()
        kinds = self.kinds_of(args)
        mode = mode or self.gen_mode
        checkpoint = self.checkpoint
        if self.budget is not None and mode in ("reverse", "value_and_grad"):
            checkpoint = self.plan_for(args).spec
        reverse = mode in ("reverse", "value_and_grad")
        long_axes = self.long_axes(args) if reverse else frozenset()
        key = (mode, tuple(sorted(kinds.items(), key=lambda kv: kv[0])), checkpoint,
               tuple(sorted(long_axes)))
        with self._lock:  # first calls from several threads: one transforms, all get it
            if key not in self._specs:
                keep = getattr(self, "intermediates", ()) if reverse else ()
                gen = pipeline.generate(self.differentiated(args), self.wrt, kinds, mode, keep,
                                        self.cache, checkpoint=checkpoint,
                                        parallel=self.parallel,
                                        budgeted=self.budget is not None, long_axes=long_axes)
                self._specs[key] = (gen, gen.compile(self.backend, self.strict))
        if mode == self.gen_mode:
            self._last = self._specs[key][0]
        return self._specs[key]

    @property
    def budget(self):
        """``memory=``'s bytes, or None."""
        return revolve.budget_of(self.checkpoint)

    def plan_for(self, args):
        """``memory=``: the plan for these arguments' sizes (memory_plan.py), made once per
        shapes and integer values."""
        from .. import memory_plan
        key = tuple((type(a), np.shape(a), getattr(a, "dtype", None),
                     a if isinstance(a, (int, np.integer)) else None) for a in args)
        with self._lock:
            if key not in self._plans:
                self._plans[key] = memory_plan.plan(self, args, self.budget)
            self.plan = self._plans[key]
        return self.plan

    def differentiated(self, args):
        """The function whose derivative this is: the user's, or for a derivative of a
        derivative (jacobian(grad(f)), vjp(grad(f), ...)), the inner derivative's generated
        code as a function of the same parameters, for these arguments' kinds."""
        return self.primal if self.inner is None else self.inner.as_function(args)

    def source_for(self, given=None):
        """The generated source for kinds ``given`` (parsed: {parameter: kind}), read from
        the annotations, or guessed from how the parameters are used; the first line says
        which."""
        head, gen = self.generated_for(given)
        return head + gen.source

    def generated_for(self, given=None):
        """(header line or "", Generated) for kinds ``given``, annotated or guessed."""
        if self.inner is not None:
            raise SrcgradError(f"the source of a derivative of a derivative of "
                               f"{self._src.name}() is generated at its first call (for its "
                               "arguments' kinds): call it, then read .source.")
        kinds, how = K.for_source(self._src, given)
        try:
            gen = pipeline.generate(self.primal, self.wrt, kinds, self.gen_mode,
                                    checkpoint=self.checkpoint, parallel=self.parallel,
                                    budgeted=self.budget is not None)
        except UnsupportedError as e:
            guessed = [p for p in kinds if how[p] == "guessed"]
            if not guessed:
                raise
            said = ", ".join(f"{p}: {K.describe(kinds[p], article=False)}" for p in guessed)
            raise UnsupportedError(e.problems + [Problem(
                None, f"argument kinds guessed, not known ({said})",
                "give them: srcgrad.source(f, kinds=\"x=f8[:], n=int\") or args=(...), "
                "`srcgrad dump --args ...`, annotations (x: \"f8[:]\"), or call the derived "
                "function once and read .source again.")]) from None
        return K.header(kinds, how), gen

    @property
    def source(self):
        """The generated source: of the last call's specialization, or (before any call) of
        the kinds the annotations give or guessed from how the parameters are used."""
        if self._last is None:
            return self.source_for()
        return self._last.source

    @property
    def line_map(self):
        """{line of .source: (file, line)}: the user's line each generated line comes from
        (of the last call's specialization; empty before a call)."""
        if self._last is None:
            return {}
        return dict(self._last.line_map)

    def _grads(self, grads):
        return grads[0] if self.single else tuple(grads)

    def _scalar_output(self, gen, args):
        k = gen.out_kind
        if k is not None and k[0] == "s":
            return
        out = self.primal(*args)
        shape = np.shape(out) if not isinstance(out, tuple) else tuple(np.shape(o) for o in out)
        if self.inner is not None:
            name = self._src.name
            raise SrcgradError(f"grad requires a scalar output, but the derivative of {name}() "
                               f"it differentiates returns shape {shape}: use "
                               f"srcgrad.hessian({name}) or srcgrad.jacobian(grad({name}))")
        raise ValueError(
            f"grad requires a scalar output, but {self.primal.__name__}() returned "
            f"{'a tuple of shapes ' if isinstance(out, tuple) else 'an array of shape '}{shape}; "
            "use srcgrad.vjp(f, *args) and pass a cotangent of that shape to the returned function")

    def __repr__(self):
        return f"<srcgrad {type(self).__name__.lower()} of {self.primal.__name__} wrt {self.wrt}>"


_REBUILT = {}
_REBUILT_LOCK = threading.Lock()


def _rebuild(cls, primal, init, gen_mode):
    """The derived function unpickled: one per process for the same function and options, so
    the second task a worker runs with it calls the code the first compiled (or loaded)."""
    key = (cls, primal, repr(sorted(init.items())), gen_mode)
    with _REBUILT_LOCK:
        d = _REBUILT.get(key)
        if d is None:
            d = cls(primal, **init)
            d.gen_mode = gen_mode
            _REBUILT[key] = d
    return d


def one_draw(gen, what):
    """A function that draws random numbers draws anew at every call of generated code; the
    transforms that call it more than once (or once for the value and again for the
    derivative) would mix draws: refused, saying what to use."""
    if gen.random:
        raise SrcgradError(f"{what} of a function that draws random numbers would use "
                           "different draws for its parts; use grad, value_and_grad or jvp "
                           "(one run: the derivative of the value it returns), or pass the "
                           "noise in as an argument.")


def check_locals(src, names):
    local = set(src.params) | {t.id for n in ast.walk(src.tree) for t in ast.walk(n)
                               if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    for n in names:
        if n not in local:
            raise SrcgradError(f"intermediates: {src.name}() has no local variable {n!r}; its "
                               f"locals are {', '.join(sorted(local))}")


def decorator(cls, f, **kw):
    if f is None:
        return lambda g: cls(g, **kw)
    return cls(f, **kw)


MODES = {"reverse": "reverse", "rev": "reverse", "forward": "forward", "fwd": "forward",
         "value_and_grad": "value_and_grad", "primal": "primal"}


def generated(f, mode="reverse", wrt=0, args=None, kinds=None, checkpoint=None, memory=None):
    """(source text, {line of the text: (file, line)}) as :func:`source` gives the text."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, not {mode!r}")
    d = Derived(getattr(f, "primal", f), wrt)
    d.gen_mode, d.checkpoint = MODES[mode], revolve.spec(checkpoint, memory)
    if args is not None:
        gen = d.specialize(prepare(args, d.params), d.gen_mode)[0]
        return gen.source, dict(gen.line_map)
    head, gen = d.generated_for(K.of_spec(kinds, d.params))
    shift = head.count("\n")
    return head + gen.source, {n + shift: w for n, w in gen.line_map.items()}


def source(f, mode="reverse", wrt=0, args=None, kinds=None, checkpoint=None, memory=None):
    """The generated source of ``f``'s derivative: ``mode="reverse"`` the adjoint (as
    ``grad(f).source``), ``"forward"`` the tangent.  Specialized for the kinds of ``args``
    (values) if given, else of ``kinds`` (``"x=f8[:], A=f8[:,:], n=int"`` or a dict), else of
    the annotations, else guessed from how the parameters are used (the first line says so).
    ``checkpoint``, ``memory``: loop checkpoints, as for ``grad``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))}, not {mode!r}")
    d = Derived(getattr(f, "primal", f), wrt)
    d.gen_mode, d.checkpoint = MODES[mode], revolve.spec(checkpoint, memory)
    if args is not None:
        if kinds is not None:
            raise SrcgradError("give args= (values) or kinds= (their kinds), not both")
        return d.specialize(prepare(args, d.params), d.gen_mode)[0].source
    return d.source_for(K.of_spec(kinds, d.params))
