"""The user-facing transforms.  Each is a thin layer over srcgrad.pipeline.

Generated code is specialized on the kinds of the arguments (float, int, array rank), like
Numba's own dispatch: the first call with new kinds transforms and compiles, later calls
reuse the compiled function.
"""
import ast
import functools
import inspect
import math
import threading

import numpy as np

from . import outputs, pipeline, pytree, ravel
from . import runtime
from .backend import cache as diskcache
from .backend.compile import Compiled
from .backend.emit import filename_for, register
from .passes import drivers
from .errors import Problem, SrcgradError, UnsupportedError
from .frontend.check import raise_if_unsupported
from .frontend.source import read_source
from .passes import types


def _prepare(args, params):
    out = []
    for p, a in zip(params, args):
        if isinstance(a, (list, tuple)):
            a = _number_sequence(p, a)
        if isinstance(a, np.ndarray):
            if a.dtype == np.float32 or a.dtype == np.float16:
                raise SrcgradError(f"argument {p!r} is a {a.dtype} array; srcgrad computes in "
                                   "float64: pass x.astype(np.float64).")
            if a.ndim == 0:
                a = a.item()
        elif isinstance(a, np.floating):
            a = float(a)
        elif isinstance(a, np.integer) and not isinstance(a, np.bool_):
            a = int(a)
        if types.kind_of_value(a) is None:
            raise UnsupportedError([Problem(
                None, f"argument {p!r} of type {type(a).__name__}",
                "srcgrad takes floats, ints, bools and NumPy arrays of them (lists of numbers "
                "as arrays; grad, value_and_grad, vjp and jvp also tuples, lists and dicts of "
                "them); pass the arrays inside it as separate arguments.")])
        out.append(a)
    return out


def _number_sequence(p, a):
    """A list or tuple of numbers (nested: rows) as a float64 array; anything else refused."""
    def numbers_only(x):
        if isinstance(x, (list, tuple)):
            return all(numbers_only(e) for e in x)
        return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
    if not numbers_only(a):
        kinds = sorted({type(e).__name__ for e in a})
        raise UnsupportedError([Problem(
            None, f"argument {p!r}: a {type(a).__name__} of {', '.join(kinds)}",
            "grad, value_and_grad, vjp and jvp take tuples, lists and dicts of arrays; here "
            "(jacobian, hessian, hvp) pass the arrays as separate arguments, or np.stack them "
            "into one array.")])
    try:
        return np.asarray(a, dtype=np.float64)
    except ValueError:
        raise UnsupportedError([Problem(None, f"argument {p!r}: a ragged {type(a).__name__}",
                                        "give every row the same length.")]) from None


_SCALARS = (float, int, bool)


def _signature(args):
    """A cheap key for arguments that need no conversion (float, int, float64/int64 arrays),
    or None."""
    key = []
    for a in args:
        t = type(a)
        if t in _SCALARS:
            key.append(t)
        elif t is np.ndarray and a.dtype.char in "dlq?" and a.flags.c_contiguous:
            key.append((a.ndim, a.dtype.char))
        else:
            return None
    return tuple(key)


def _wrt_names(fn, wrt, params):
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    names = []
    for w in items:
        if isinstance(w, int) and not isinstance(w, bool):
            if not -len(params) <= w < len(params):
                raise SrcgradError(f"wrt={w} is out of range: {fn.__name__}() has "
                                   f"{len(params)} parameters {tuple(params)}")
            names.append(params[w])
        elif isinstance(w, str):
            if w not in params:
                raise SrcgradError(f"wrt={w!r} is not a parameter of {fn.__name__}(); its "
                                   f"parameters are {tuple(params)}")
            names.append(w)
        else:
            raise SrcgradError(f"wrt must be an index, a parameter name or a tuple of them, not {w!r}")
    if len(set(names)) != len(names):
        raise SrcgradError(f"wrt names a parameter twice: {tuple(names)}")
    return names, single


def guess_kinds(src):
    """Argument kinds read off how parameters are used, for ``.source`` before any call:
    subscripted k times -> k-d array, used as a bound/index/size -> int, otherwise float."""
    params = src.params
    kinds = {p: types.FLOAT for p in params}
    for node in ast.walk(src.tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in kinds:
            n = len(node.slice.elts) if isinstance(node.slice, ast.Tuple) else 1
            old = kinds[node.value.id]
            kinds[node.value.id] = ("a", max(n, types.ndim(old)), "f")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in kinds and node.attr in ("shape", "size", "T"):
            if not types.is_array(kinds[node.value.id]):
                kinds[node.value.id] = ("a", 2 if node.attr == "T" else 1, "f")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
            a = node.args[0]
            if isinstance(a, ast.Name) and a.id in kinds:
                if node.func.id == "range":
                    kinds[a.id] = types.INT
                elif node.func.id == "len" and not types.is_array(kinds[a.id]):
                    kinds[a.id] = ("a", 1, "f")
            for b in node.args[1:]:
                if node.func.id == "range" and isinstance(b, ast.Name) and b.id in kinds:
                    kinds[b.id] = types.INT
    for node in ast.walk(src.tree):  # reduced along an axis: 2-D; operands of @: arrays
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name) \
                and node.args[0].id in kinds and (len(node.args) > 1 or any(
                    k.arg == "axis" for k in node.keywords)) \
                and ast.unparse(node.func).split(".")[-1] in ("sum", "mean", "max", "min", "amax", "amin"):
            kinds[node.args[0].id] = ("a", max(2, types.ndim(kinds[node.args[0].id])), "f")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            for side, nd in ((node.left, 2), (node.right, 1)):
                if isinstance(side, ast.Name) and side.id in kinds \
                        and not types.is_array(kinds[side.id]):
                    kinds[side.id] = ("a", nd, "f")
    for node in ast.walk(src.tree):  # names used inside an index are ints
        if isinstance(node, ast.Subscript):
            for n in ast.walk(node.slice):
                if isinstance(n, ast.Name) and n.id in kinds and not types.is_array(kinds[n.id]):
                    kinds[n.id] = types.INT
    return kinds


class Derived:
    """A derivative of ``primal``: callable, with ``.source`` and ``.primal``."""

    gen_mode = "reverse"  # which generated function this object calls

    def __init__(self, primal, wrt, backend="numba", strict=False, cache=None):
        if backend not in ("numba", "python"):
            raise ValueError(f"backend must be 'numba' or 'python', not {backend!r}")
        self.primal = primal
        self.backend, self.strict, self.cache = backend, strict, cache
        # a derivative of a derivative (grad(grad(f))): never unwrap to f, that would be wrong
        self.inner = primal if isinstance(primal, Derived) else None
        if self.inner is not None:
            if not isinstance(primal, Grad) or primal.with_value or primal.intermediates \
                    or len(primal.wrt) != 1:
                raise SrcgradError("only grad(...) of a grad(f, wrt=<one argument>) nests; for "
                                   "second derivatives of vector functions use hessian or hvp")
            self._src = primal._src
            self.level = primal.level + 1
        else:
            self._src = read_source(primal)
            with pipeline.deep_recursion(primal), pipeline.ours(self._src.name, "check"):
                raise_if_unsupported(self._src)  # at decoration time: the user hears early
            self.level = 0
        self.params = self._src.params
        self.wrt, self.single = _wrt_names(primal, wrt, self.params)
        self._specs = {}
        self._lock = threading.RLock()
        self._fast = {}   # cheap argument signature -> compiled function, after a first call
        self._last = None
        # name and docstring only: copying __dict__ or setting __wrapped__ would make a
        # grad of a grad look like (and unwrap to) the function itself
        functools.update_wrapper(self, primal, assigned=("__module__", "__name__",
                                                          "__qualname__", "__doc__"), updated=())

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

    def specialize(self, args, mode=None):
        """(Generated, Compiled) for these arguments."""
        if len(args) != len(self.params):
            raise TypeError(f"{self.primal.__name__}() takes {len(self.params)} arguments "
                            f"{tuple(self.params)}, got {len(args)}")
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}
        mode = mode or self.gen_mode
        key = (mode, tuple(sorted(kinds.items(), key=lambda kv: kv[0])))
        with self._lock:  # first calls from several threads: one transforms, all get it
            if key not in self._specs:
                keep = getattr(self, "intermediates", ()) if mode in ("reverse", "value_and_grad") else ()
                gen = pipeline.generate(self.primal, self.wrt, kinds, mode, keep, self.cache)
                self._specs[key] = (gen, gen.compile(self.backend, self.strict))
        if mode == self.gen_mode:
            self._last = self._specs[key][0]
        return self._specs[key]

    @property
    def source(self):
        """The generated source: of the last call's specialization, or (before any call) of
        the kinds guessed from how the parameters are used."""
        if self._last is None:
            kinds = guess_kinds(self._src)
            said = ", ".join(f"{p}: {types.describe(k, article=False)}" for p, k in kinds.items())
            try:
                gen = pipeline.generate(self.primal, self.wrt, kinds, self.gen_mode)
            except UnsupportedError as e:
                raise UnsupportedError(e.problems + [Problem(
                    None, f"argument kinds guessed, not known ({said})",
                    "pass the arguments: srcgrad.source(f, args=(...)), or call the derived "
                    "function once and read .source again.")]) from None
            return f"# argument kinds guessed from how the parameters are used: {said}\n" + \
                gen.source
        return self._last.source

    def _grads(self, grads):
        return grads[0] if self.single else tuple(grads)

    def _scalar_output(self, gen, args):
        k = gen.out_kind
        if k is not None and k[0] == "s":
            return
        out = self.primal(*args)
        shape = np.shape(out) if not isinstance(out, tuple) else tuple(np.shape(o) for o in out)
        raise ValueError(
            f"grad requires a scalar output, but {self.primal.__name__}() returned "
            f"{'a tuple of shapes ' if isinstance(out, tuple) else 'an array of shape '}{shape}; "
            "use srcgrad.vjp(f, *args) and pass a cotangent of that shape to the returned function")

    def __repr__(self):
        return f"<srcgrad {type(self).__name__.lower()} of {self.primal.__name__} wrt {self.wrt}>"


class Grad(Derived):
    def __init__(self, primal, wrt=0, backend="numba", strict=False, with_value=False,
                 intermediates=(), cache=None):
        self.with_value = with_value
        self.intermediates = tuple(intermediates)
        super().__init__(primal, wrt, backend, strict, cache)
        self.gen_mode = "value_and_grad" if with_value else "reverse"
        if self.intermediates:
            _check_locals(self._src, self.intermediates)
        self._functions = {}

    def __call__(self, *args, **kwargs):
        fast = None if kwargs else self._fast.get(_signature(args))
        if fast is not None and len(args) == len(self.params):  # seen these types: compiled
            return self._unpack(fast(*args, 1.0))
        args = self.bind(args, kwargs)
        if any(pytree.is_container(a) for a in args):  # lists of (W, b): the flat version
            return pytree.grad_call(self, args)
        args = _prepare(args, self.params)
        if self.inner is not None:
            return self._nested(args)
        gen, comp = self.specialize(args)
        self._scalar_output(gen, args)
        result = comp(*args, 1.0)
        key = _signature(args)
        if key is not None:
            self._fast[key] = comp.direct()
        return self._unpack(result)

    def _unpack(self, result):
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.wrt) + (1 if self.with_value else 0)
        main, captured = result[:n], result[n:]
        value, grads = (main[0], main[1:]) if self.with_value else (None, main)
        grads = self._grads(grads)
        if self.intermediates:
            grads = (grads, dict(zip(self.intermediates, captured)))
        return (value, grads) if self.with_value else grads

    # ---- nesting: grad(grad(f)) ---------------------------------------------------------------
    def _nested(self, args):
        """d/dx of the inner derivative, by forward mode over its generated code."""
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}
        w = self.wrt[0]
        if len(self.wrt) != 1 or kinds[w] != types.FLOAT:
            raise SrcgradError(f"nested grad differentiates with respect to one float scalar; "
                               f"{w!r} is {types.describe(kinds[w])}: use hessian or jacfwd")
        key = ("nested", tuple(sorted(kinds.items(), key=lambda kv: kv[0])))
        if key not in self._specs:
            fn = self.inner.as_function(args)
            gen = pipeline.generate(fn, self.wrt, kinds, "forward")
            self._specs[key] = (gen, gen.compile(self.backend, self.strict))
        gen, comp = self._specs[key]
        self._last = gen
        if gen.out_kind is None or gen.out_kind[0] != "s":
            raise ValueError("grad requires a scalar output; the inner derivative is not a scalar")
        _, tangent = comp(*args, 1.0)
        return tangent

    def as_function(self, args):
        """A generated Python function of the primal's parameters computing this derivative
        (source in linecache, so it can be differentiated again)."""
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}
        key = tuple(sorted(kinds.items(), key=lambda kv: kv[0]))
        if key not in self._functions:
            params = ", ".join(self.params)
            name = self._src.name + "_grad" * (self.level + 1)
            if self.inner is None:
                gen, comp = self.specialize(args)
                one_draw(gen, "a grad of a grad")
                body = f"    return {gen.name}({params}, 1.0)\n"
            else:
                self._nested(args)
                gen, comp = self._specs[("nested", key)]
                body = f"    _out, _tangent = {gen.name}({params}, 1.0)\n    return _tangent\n"
            text = f"def {name}({params}):\n{body}"
            filename = filename_for(name, text)
            register(text, filename)
            ns = {"np": np, "math": math, **runtime.namespace(), gen.name: comp._python()}
            exec(compile(text, filename, "exec"), ns)
            self._functions[key] = ns[name]
        return self._functions[key]


def one_draw(gen, what):
    """A function that draws random numbers draws anew at every call of generated code; the
    transforms that call it more than once (or once for the value and again for the
    derivative) would mix draws: refused, saying what to use."""
    if gen.random:
        raise SrcgradError(f"{what} of a function that draws random numbers would use "
                           "different draws for its parts; use grad, value_and_grad or jvp "
                           "(one run: the derivative of the value it returns), or pass the "
                           "noise in as an argument.")


def _check_locals(src, names):
    local = set(src.params) | {t.id for n in ast.walk(src.tree) for t in ast.walk(n)
                               if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    for n in names:
        if n not in local:
            raise SrcgradError(f"intermediates: {src.name}() has no local variable {n!r}; its "
                               f"locals are {', '.join(sorted(local))}")


def _decorator(cls, f, **kw):
    if f is None:
        return lambda g: cls(g, **kw)
    return cls(f, **kw)


def grad(f=None, wrt=0, *, backend="numba", strict=False, cache=None, intermediates=()):
    """Gradient of a scalar-valued ``f`` with respect to argument(s) ``wrt`` (an index, a
    parameter name, or a tuple of them; a tuple gives a tuple of gradients).

    ``intermediates=("y",)``: also return the adjoints of those local variables' last
    assigned values, as ``(gradients, {"y": adjoint})`` (PyTorch's ``retain_grad``)."""
    return _decorator(Grad, f, wrt=wrt, backend=backend, strict=strict, cache=cache,
                      intermediates=intermediates)


def value_and_grad(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """Like :func:`grad`, returning ``(value, gradient)`` from one call."""
    return _decorator(Grad, f, wrt=wrt, backend=backend, strict=strict, cache=cache, with_value=True)


def _float_params(params, args):
    return tuple(p for p, a in zip(params, args) if types.is_float(types.kind_of_value(a)))


def _shaped_like(value, primal, what):
    """A cotangent or tangent, checked to have its primal's shape, as float64."""
    if value is None:
        return None
    if np.ndim(primal) == 0:
        if np.ndim(value) != 0:
            raise ValueError(f"{what} must be a scalar like its primal, got shape {np.shape(value)}")
        return float(value)
    value = np.asarray(value, dtype=np.float64)
    if value.shape != np.shape(primal):
        raise ValueError(f"{what} has shape {value.shape}, but its primal has shape "
                         f"{np.shape(primal)}")
    return value


def _params(f):
    """Parameter names without reading the source (Derived checks the function itself)."""
    code = getattr(f, "__code__", None)
    if code is None:
        return read_source(f).params  # raises the located "not a Python function" error
    return list(code.co_varnames[:code.co_argcount])


def _reused(f, wrt, backend, strict, cache, mode):
    """One Derived per function and options, so repeated vjp/jvp calls transform and compile
    once, as a grad object does.  Kept on the function itself: it lives and dies with it."""
    per_fn = f.__dict__.setdefault("__srcgrad_derived__", {})
    key = (wrt, backend, strict, cache, mode)
    if key not in per_fn:
        d = Derived(f, wrt, backend, strict, cache)
        d.gen_mode = mode
        per_fn[key] = d
    return per_fn[key]


def vjp(f, *args, wrt=None, backend="numba", strict=False, cache=None):
    """``(out, vjp_fn)``: ``vjp_fn(cotangent)`` returns one input cotangent per ``wrt``
    argument (default: every float argument), as a tuple."""
    flat_f, out_def = outputs.returned(f)
    if out_def is not None:  # a list or dict returned: the flat function's, regrouped
        out, fn = vjp(flat_f, *args, wrt=wrt, backend=backend, strict=strict, cache=cache)

        def regrouped(cotangent):
            return fn(tuple(outputs.leaves_of(out_def, cotangent, "the cotangent")))
        regrouped.source = fn.source
        return outputs.unflatten(out_def, out), regrouped
    params = _params(f)
    if len(args) != len(params):
        raise TypeError(f"{f.__name__}() takes the parameters ({', '.join(params)}); "
                        f"vjp got {len(args)} arguments")
    if any(pytree.is_container(a) for a in args):
        return pytree.vjp_call(vjp, f, args, wrt, dict(backend=backend, strict=strict,
                                                        cache=cache))
    args = _prepare(args, params)
    if wrt is None:
        wrt = _float_params(params, args)
    wrt = tuple(wrt) if isinstance(wrt, (tuple, list)) else (wrt,)
    d = _reused(f, wrt, backend, strict, cache, "reverse")
    gen, comp = d.specialize(args)
    one_draw(gen, "vjp")
    _, primal = d.specialize(args, mode="primal")
    out = primal(*args)
    outs = out if isinstance(out, tuple) else (out,)

    def vjp_fn(cotangent):
        cts = cotangent if isinstance(out, tuple) else (cotangent,)
        if len(cts) != len(outs):
            raise ValueError(f"{f.__name__}() returns {len(outs)} values; pass a tuple of "
                             f"{len(outs)} cotangents")
        seeds = [_shaped_like(c, o, f"cotangent for output {i}")
                 for i, (c, o) in enumerate(zip(cts, outs))]
        grads = comp(*args, *seeds)
        return (grads,) if len(d.wrt) == 1 else tuple(grads)

    vjp_fn.source = gen.source
    return out, vjp_fn


def jvp(f, primals, tangents, *, backend="numba", strict=False, cache=None):
    """``(out, tangent_out)``: the value of ``f(*primals)`` and its directional derivative
    along ``tangents`` (a tuple like ``primals``; ``None`` marks a constant argument)."""
    flat_f, out_def = outputs.returned(f)
    if out_def is not None:  # a list or dict returned: the flat function's, regrouped
        out, tangent = jvp(flat_f, primals, tangents, backend=backend, strict=strict,
                           cache=cache)
        return outputs.unflatten(out_def, out), outputs.unflatten(out_def, tangent)
    params = _params(f)
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"primals and tangents must have the same length "
                         f"({len(primals)} != {len(tangents)})")
    if len(primals) != len(params):
        raise TypeError(f"{f.__name__}() takes the parameters ({', '.join(params)}); "
                        f"jvp got {len(primals)} primals")
    if any(pytree.is_container(a) for a in primals):
        return pytree.jvp_call(jvp, f, primals, tangents, dict(backend=backend, strict=strict,
                                                               cache=cache))
    args = _prepare(primals, params)
    wrt = tuple(p for p, t in zip(params, tangents) if t is not None)
    d = _reused(f, wrt, backend, strict, cache, "forward")
    _, comp = d.specialize(args)
    tans = [_shaped_like(t, a, f"tangent for {p!r}") for p, a, t in zip(params, args, tangents)
            if t is not None]
    return comp(*args, *tans)


class _Driven(Derived):
    """A derivative computed by a generated driver that calls generated sweeps in a loop."""

    def _run_driver(self, key, build, args):
        """``build()`` gives (driver name, driver source, {name: Compiled it calls}, text of
        the sweep it calls); the compiled driver is cached under ``key``."""
        if key not in self._drivers:
            name, src, deps, sweep_text = build()
            comp = Compiled(src, filename_for(name, src), name, {}, self.backend, self.strict, deps,
                            diskcache.cache_dir(self.cache))
            self._drivers[key] = (src + "\n" + sweep_text, comp)
        text, comp = self._drivers[key]
        self._last_text = text
        return comp(*args)

    @property
    def source(self):
        """The driver and the sweep it calls (after a call), else the reverse sweep."""
        return getattr(self, "_last_text", None) or super().source


class Jacobian(_Driven):
    """The full Jacobian, shape ``out.shape + in.shape``, by columns (``"fwd"``: one tangent
    sweep per input direction) or rows (``"rev"``: one adjoint sweep per output direction),
    the sweeps running inside a generated, compiled driver.  ``"auto"`` picks the one with
    fewer sweeps and records it in ``.mode``."""

    def __init__(self, primal, wrt=0, mode="auto", backend="numba", strict=False, cache=None):
        if mode not in ("auto", "fwd", "rev"):
            raise ValueError(f"mode must be 'auto', 'fwd' or 'rev', not {mode!r}")
        super().__init__(primal, wrt, backend, strict, cache)
        self.requested = mode
        self.mode = None if mode == "auto" else mode
        self._drivers = {}

    def __call__(self, *args, **kwargs):
        args = self.bind(args, kwargs)
        if any(pytree.is_container(a) for a in args):  # blocks per leaf (srcgrad/ravel.py)
            return ravel.call(self, args)
        args = _prepare(args, self.params)
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}
        gen_p, primal = self.specialize(args, mode="primal")
        one_draw(gen_p, type(self).__name__.lower())
        if gen_p.out_kind is None or gen_p.out_kind[0] == "t":
            raise SrcgradError(f"jacobian needs {self.primal.__name__}() to return one scalar "
                               "or array, not a tuple")
        how = self.requested
        if how == "auto":
            n_in = sum(int(np.size(args[self.params.index(w)])) for w in self.wrt)
            n_out = int(np.size(primal(*args)))
            how = "fwd" if n_in <= n_out else "rev"  # fewer sweeps wins
        self.mode = how
        def build():
            gen_s, sweep = self.specialize(args, mode="forward" if how == "fwd" else "reverse")
            fname = self._src.name
            name = f"{fname}_jac{how}"
            src = drivers.jacobian_driver(name, fname, self.params, self.wrt, kinds,
                                          gen_p.out_kind, how)
            return name, src, {f"{fname}_primal": primal, gen_s.name: sweep}, gen_s.source

        return self._run_driver((how, tuple(sorted(kinds.items(), key=lambda kv: kv[0]))), build,
                                args)


def jacobian(f=None, wrt=0, mode="auto", *, backend="numba", strict=False, cache=None):
    return _decorator(Jacobian, f, wrt=wrt, mode=mode, backend=backend, strict=strict, cache=cache)


def jacfwd(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """Jacobian by columns: one forward (tangent) sweep per input direction."""
    return _decorator(Jacobian, f, wrt=wrt, mode="fwd", backend=backend, strict=strict, cache=cache)


def jacrev(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """Jacobian by rows: one reverse (adjoint) sweep per output direction."""
    return _decorator(Jacobian, f, wrt=wrt, mode="rev", backend=backend, strict=strict, cache=cache)


class _ForwardOverReverse(_Driven):
    """Second derivatives: the tangent transformation applied to the generated adjoint."""

    def __init__(self, primal, wrt=0, backend="numba", strict=False, cache=None):
        super().__init__(primal, wrt, backend, strict, cache)
        if len(self.wrt) != 1:
            raise SrcgradError("hessian and hvp take one wrt argument")
        self._hvps = {}
        self._drivers = {}

    def hvp_compiled(self, args):
        """(Generated, Compiled) of ``f_vjp_jvp(*args, seed, dw) -> (grad, H @ dw)``."""
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}
        key = tuple(sorted(kinds.items(), key=lambda kv: kv[0]))
        if key not in self._hvps:
            gen_r, comp_r = self.specialize(args, mode="reverse")
            one_draw(gen_r, type(self).__name__.lower())
            if gen_r.out_kind is None or gen_r.out_kind[0] != "s":
                raise ValueError(f"hessian requires a scalar output; {self.primal.__name__}() "
                                 "does not return one")
            adjoint = comp_r._python()  # generated source, registered in linecache
            seed = gen_r.seeds[0]
            gen_h = pipeline.generate(adjoint, self.wrt, {**kinds, seed: types.FLOAT}, "forward")
            self._hvps[key] = (gen_h, gen_h.compile(self.backend, self.strict), seed)
        return self._hvps[key]


class Hvp(_ForwardOverReverse):
    def __call__(self, *args_and_v, **kwargs):
        *args, v = args_and_v
        args = self.bind(tuple(args), kwargs)
        if any(pytree.is_container(a) for a in args):  # v structured like wrt (ravel.py)
            return ravel.call(self, args, v)
        args = _prepare(args, self.params)
        gen, comp, _ = self.hvp_compiled(args)
        self._last = gen
        w = self.params.index(self.wrt[0])
        _, hv = comp(*args, 1.0, _shaped_like(v, args[w], f"v (a direction for {self.wrt[0]!r})"))
        return hv


class Hessian(_ForwardOverReverse):
    def __call__(self, *args, **kwargs):
        args = self.bind(args, kwargs)
        if any(pytree.is_container(a) for a in args):  # blocks per pair of leaves (ravel.py)
            return ravel.call(self, args)
        args = _prepare(args, self.params)
        gen, hvp_comp, seed = self.hvp_compiled(args)
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}

        def build():
            name = f"{self._src.name}_hessian"
            src = drivers.hessian_driver(name, self.params, self.wrt[0], kinds[self.wrt[0]],
                                         gen.name, "1.0")
            return name, src, {gen.name: hvp_comp}, gen.source

        return self._run_driver(tuple(sorted(kinds.items(), key=lambda kv: kv[0])), build, args)


def hessian(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """The Hessian of scalar-valued ``f`` w.r.t. argument ``wrt``, shape ``x.shape + x.shape``,
    by forward-over-reverse: one tangent sweep of the generated adjoint per direction."""
    return _decorator(Hessian, f, wrt=wrt, backend=backend, strict=strict, cache=cache)


def hvp(f=None, wrt=0, *, backend="numba", strict=False, cache=None):
    """A function ``(*args, v) -> H @ v`` computed in one forward-over-reverse sweep,
    without forming H."""
    return _decorator(Hvp, f, wrt=wrt, backend=backend, strict=strict, cache=cache)


_MODES = ("reverse", "forward", "value_and_grad", "primal")


def source(f, mode="reverse", wrt=0, args=None):
    """The generated source of ``f``'s derivative (for ``args``' kinds if given):
    ``mode="reverse"`` the adjoint (as ``grad(f).source``), ``"forward"`` the tangent."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, _MODES))}, not {mode!r}")
    d = Derived(getattr(f, "primal", f), wrt)
    d.gen_mode = mode
    if args is None:
        return d.source
    return d.specialize(_prepare(args, d.params), mode)[0].source
