"""The user-facing transforms.  Each is a thin layer over srcgrad.pipeline.

Generated code is specialized on the kinds of the arguments (float, int, array rank), like
Numba's own dispatch: the first call with new kinds transforms and compiles, later calls
reuse the compiled function.
"""
import ast
import functools
import inspect

import numpy as np

from . import pipeline
from .errors import SrcgradError
from .frontend.check import raise_if_unsupported
from .frontend.source import read_source
from .passes import types


def _prepare(args, params):
    out = []
    for p, a in zip(params, args):
        if isinstance(a, (list, tuple)):
            a = np.asarray(a, dtype=np.float64)
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
        out.append(a)
    return out


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
    for node in ast.walk(src.tree):  # names used inside an index are ints
        if isinstance(node, ast.Subscript):
            for n in ast.walk(node.slice):
                if isinstance(n, ast.Name) and n.id in kinds and not types.is_array(kinds[n.id]):
                    kinds[n.id] = types.INT
    return kinds


class Derived:
    """A derivative of ``primal``: callable, with ``.source`` and ``.primal``."""

    mode = "reverse"

    def __init__(self, primal, wrt, backend="numba", strict=False):
        if backend not in ("numba", "python"):
            raise ValueError(f"backend must be 'numba' or 'python', not {backend!r}")
        self.primal = primal
        self.backend, self.strict = backend, strict
        self._src = read_source(primal)
        raise_if_unsupported(self._src)  # at decoration time: the user hears early
        self.params = self._src.params
        self.wrt, self.single = _wrt_names(primal, wrt, self.params)
        self._specs = {}
        self._last = None
        functools.update_wrapper(self, primal)

    def specialize(self, args, mode=None):
        """(Generated, Compiled) for these arguments."""
        if len(args) != len(self.params):
            raise TypeError(f"{self.primal.__name__}() takes {len(self.params)} arguments "
                            f"{tuple(self.params)}, got {len(args)}")
        kinds = {p: types.kind_of_value(a) for p, a in zip(self.params, args)}
        key = (mode or self.mode, tuple(sorted(kinds.items(), key=lambda kv: kv[0])))
        if key not in self._specs:
            gen = pipeline.generate(self.primal, self.wrt, kinds, mode or self.mode)
            self._specs[key] = (gen, gen.compile(self.backend, self.strict))
        if (mode or self.mode) == self.mode:
            self._last = self._specs[key][0]
        return self._specs[key]

    @property
    def source(self):
        """The generated source: of the last call's specialization, or (before any call) of
        the kinds guessed from how the parameters are used."""
        if self._last is None:
            gen = pipeline.generate(self.primal, self.wrt, guess_kinds(self._src), self.mode)
            return gen.source
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
    def __init__(self, primal, wrt=0, backend="numba", strict=False, with_value=False):
        super().__init__(primal, wrt, backend, strict)
        self.with_value = with_value
        self.mode = "value_and_grad" if with_value else "reverse"

    def __call__(self, *args):
        args = _prepare(args, self.params)
        gen, comp = self.specialize(args)
        self._scalar_output(gen, args)
        result = comp(*args, 1.0)
        if self.with_value:
            return result[0], self._grads(result[1:])
        return self._grads((result,) if len(self.wrt) == 1 else result)


def _decorator(cls, f, **kw):
    if f is None:
        return lambda g: cls(g, **kw)
    return cls(f, **kw)


def grad(f=None, wrt=0, *, backend="numba", strict=False):
    """Gradient of a scalar-valued ``f`` with respect to argument(s) ``wrt`` (an index, a
    parameter name, or a tuple of them; a tuple gives a tuple of gradients)."""
    return _decorator(Grad, f, wrt=wrt, backend=backend, strict=strict)


def value_and_grad(f=None, wrt=0, *, backend="numba", strict=False):
    """Like :func:`grad`, returning ``(value, gradient)`` from one call."""
    return _decorator(Grad, f, wrt=wrt, backend=backend, strict=strict, with_value=True)


def _float_params(params, args):
    return tuple(p for p, a in zip(params, args) if types.is_float(types.kind_of_value(a)))


def _seed_value(ct, like, what):
    if np.ndim(like) == 0:
        if np.ndim(ct) != 0:
            raise ValueError(f"cotangent for {what} must be a scalar (the output is a scalar), "
                             f"got shape {np.shape(ct)}")
        return float(ct)
    ct = np.asarray(ct, dtype=np.float64)
    if ct.shape != np.shape(like):
        raise ValueError(f"cotangent for {what} has shape {ct.shape}, but the output has shape "
                         f"{np.shape(like)}")
    return ct


def vjp(f, *args, wrt=None, backend="numba", strict=False):
    """``(out, vjp_fn)``: ``vjp_fn(cotangent)`` returns one input cotangent per ``wrt``
    argument (default: every float argument), as a tuple."""
    params = read_source(f).params
    args = _prepare(args, params)
    if wrt is None:
        wrt = _float_params(params, args)
    d = Derived(f, tuple(wrt) if isinstance(wrt, (tuple, list)) else (wrt,), backend, strict)
    gen, comp = d.specialize(args)
    _, primal = d.specialize(args, mode="primal")
    out = primal(*args)
    outs = out if isinstance(out, tuple) else (out,)

    def vjp_fn(cotangent):
        cts = cotangent if isinstance(out, tuple) else (cotangent,)
        if len(cts) != len(outs):
            raise ValueError(f"{f.__name__}() returns {len(outs)} values; pass a tuple of "
                             f"{len(outs)} cotangents")
        seeds = [_seed_value(c, o, f"output {i}") for i, (c, o) in enumerate(zip(cts, outs))]
        grads = comp(*args, *seeds)
        return (grads,) if len(d.wrt) == 1 else tuple(grads)

    vjp_fn.source = gen.source
    return out, vjp_fn


def source(f, mode="reverse", wrt=0, args=None):
    """The generated source of ``f``'s derivative (for ``args``' kinds if given)."""
    if mode not in ("reverse", "value_and_grad", "primal"):
        raise ValueError(f"mode must be 'reverse', 'value_and_grad' or 'primal', not {mode!r}")
    d = Derived(f, wrt)
    d.mode = mode
    if args is None:
        return d.source
    return d.specialize(_prepare(args, d.params), mode)[0].source
