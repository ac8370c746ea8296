"""``vjp`` and ``jvp``: functions, not decorators; one derived object per function and
options, kept on the function, so repeated calls transform and compile once."""
import inspect

import numpy as np

from .. import kinds as K
from .. import outputs, pytree, watch
from ..errors import SrcgradError
from ..passes import revolve
from .args import float_params, params_of, prepare, shaped_like
from .derived import Derived, one_draw


def _counted(f, n, got):
    """``f``'s parameters, checked to be ``n``; a TypeError naming them otherwise."""
    params = params_of(f)
    if n != len(params):
        raise TypeError(f"{f.__name__}() takes the parameters ({', '.join(params)}); "
                        + got.format(n))
    return params


def _defaulted(f, args):
    """``args`` followed by the default values of the parameters they leave out, as calling
    ``f(*args)`` would take them (``jvp(f, (x,), (v,))`` of ``def f(x, p=3.0)``)."""
    params, given = params_of(f), tuple(args)
    defaults = getattr(f, "__defaults__", None) or ()
    missing = len(params) - len(given)
    if 0 < missing <= len(defaults):
        given += tuple(defaults[len(defaults) - missing:])
    return given


def _watched(f):
    """A global ``f`` reads changed: its kept versions are dropped before they are used."""
    if inspect.isfunction(f):
        watch.of(f, quiet=True)


def reused(f, wrt, backend, strict, cache, mode, checkpoint=(), parallel=False):
    """One Derived per function and options, so repeated vjp/jvp calls transform and compile
    once, as a grad object does.  Kept on the function itself: it lives and dies with it."""
    per_fn = f.__dict__.setdefault("__srcgrad_derived__", {})
    key = (wrt, backend, strict, cache, mode, checkpoint, parallel)
    if key not in per_fn:
        d = Derived(f, wrt, backend, strict, cache)
        d.gen_mode, d.checkpoint, d.parallel = mode, checkpoint, parallel
        per_fn[key] = d
    return per_fn[key]


class VjpFunction:
    """The ``vjp_fn`` that :func:`vjp` returns: called with a cotangent; ``.source``; pickles
    as the call of ``vjp`` that made it (made again where it is unpickled)."""

    def __init__(self, fn, f, args, options):
        self._fn, self._made = fn, (f, args, options)
        self.source = fn.source

    def __call__(self, cotangent):
        return self._fn(cotangent)

    def __reduce__(self):
        return _vjp_fn_again, self._made


def _vjp_fn_again(f, args, options):
    return vjp(f, *args, **options)[1]


def vjp(f, *args, wrt=None, backend="numba", strict=False, cache=None, checkpoint=None,
        memory=None, parallel=False):
    """``(out, vjp_fn)``: ``vjp_fn(cotangent)`` returns one input cotangent per ``wrt``
    argument (default: every float argument), as a tuple.  ``checkpoint``, ``memory``,
    ``parallel``: as for ``grad``."""
    options = dict(wrt=wrt, backend=backend, strict=strict, cache=cache, checkpoint=checkpoint,
                   memory=memory, parallel=parallel)
    out, fn = _vjp(f, *args, **options)
    return out, VjpFunction(fn, f, args, options)


def _vjp(f, *args, wrt=None, backend="numba", strict=False, cache=None, checkpoint=None,
         memory=None, parallel=False):
    _watched(f)
    flat_f, out_def = outputs.returned(f)
    if out_def is not None:  # a list or dict returned: the flat function's, regrouped
        out, fn = _vjp(flat_f, *args, wrt=wrt, backend=backend, strict=strict, cache=cache,
                       checkpoint=checkpoint, memory=memory, parallel=parallel)

        def regrouped(cotangent):
            return fn(tuple(outputs.leaves_of(out_def, cotangent, "the cotangent")))
        regrouped.source = fn.source
        return outputs.unflatten(out_def, out), regrouped
    given = len(args)
    args = _defaulted(f, args)
    params = _counted(f, len(args), "vjp got {} arguments")
    if any(pytree.is_container(a) for a in args):
        return pytree.vjp_call(_vjp, f, args, wrt, dict(backend=backend, strict=strict,
                                                         cache=cache, checkpoint=checkpoint,
                                                         memory=memory, parallel=parallel))
    args = prepare(args, params)
    if wrt is None:  # (not the parameters left at their default values)
        wrt = float_params(params[:given], args[:given])
    wrt = tuple(wrt) if isinstance(wrt, (tuple, list)) else (wrt,)
    d = reused(f, wrt, backend, strict, cache, "reverse", revolve.spec(checkpoint, memory),
               bool(parallel))
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
        seeds = [shaped_like(c, o, f"cotangent for output {i}")
                 for i, (c, o) in enumerate(zip(cts, outs))]
        grads = comp(*args, *seeds)
        return (grads,) if len(d.wrt) == 1 else tuple(grads)

    vjp_fn.source = gen.source
    return out, vjp_fn


def jvp(f, primals, tangents, *, backend="numba", strict=False, cache=None):
    """``(out, tangent_out)``: the value of ``f(*primals)`` and its directional derivative
    along ``tangents`` (a tuple like ``primals``; ``None`` marks a constant argument)."""
    _watched(f)
    flat_f, out_def = outputs.returned(f)
    if out_def is not None:  # a list or dict returned: the flat function's, regrouped
        out, tangent = jvp(flat_f, primals, tangents, backend=backend, strict=strict,
                           cache=cache)
        return outputs.unflatten(out_def, out), outputs.unflatten(out_def, tangent)
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"primals and tangents must have the same length "
                         f"({len(primals)} != {len(tangents)})")
    given = len(primals)
    primals = _defaulted(f, primals)
    tangents += (None,) * (len(primals) - given)  # (a default value is a constant)
    params = _counted(f, len(primals), "jvp got {} primals")
    if any(pytree.is_container(a) for a in primals):
        return pytree.jvp_call(jvp, f, primals, tangents, dict(backend=backend, strict=strict,
                                                               cache=cache))
    args = prepare(primals, params)
    for p, a, t in zip(params, args, tangents):
        if t is not None and not K.is_float(K.kind_of_value(a)):
            raise SrcgradError(f"jvp: a tangent was given for {p!r}, which is "
                               f"{K.describe(K.kind_of_value(a))}: pass None as its tangent "
                               f"(only floats carry derivatives), or pass {p} as a float "
                               f"({float(a) if np.ndim(a) == 0 else 'x.astype(float)'}) to "
                               "differentiate with respect to it")
    wrt = tuple(p for p, t in zip(params, tangents) if t is not None)
    d = reused(f, wrt, backend, strict, cache, "forward")
    _, comp = d.specialize(args)
    tans = [shaped_like(t, a, f"tangent for {p!r}") for p, a, t in zip(params, args, tangents)
            if t is not None]
    return comp(*args, *tans)
