"""Derivative rules users give: ``custom_vjp``, ``custom_jvp`` (JAX's shapes) and ``defrule``.

    @srcgrad.custom_vjp
    def lse(x):                          # called as it is in the forward sweep, never read
        m = np.max(x)
        return m + np.log(np.sum(np.exp(x - m)))

    def lse_fwd(x):                      # (value, residuals)
        y = lse(x)
        return y, (x, y)

    def lse_bwd(res, g):                 # one cotangent per argument, as a tuple
        x, y = res
        return (g * np.exp(x - y),)

    lse.defvjp(lse_fwd, lse_bwd)

A call ``y = lse(x)`` in a differentiated function is a primitive of the rule table whose
rule calls a wrapper generated here; the wrappers check what the rule returns (a tuple of
one cotangent per argument, each shaped like its argument) and compile with Numba when the
rule functions do:

    reverse:  bx += lse_vjp_rule(x, by)[0]     def lse_vjp_rule(a0, g):
                                                  _out, _res = lse_fwd(a0)
                                                  _cs = rule_tuple(lse_bwd(_res, g), (a0,))
                                                  return (rule_like(_cs[0], a0),)
    forward:  dy = lse_jvp_rule0(x, dx)        def lse_jvp_rule0(a0, d):
                                                  _out, _t = lse_jvp((a0,), (d,))
                                                  return rule_like(_t, _out)

The reverse sweep runs ``fwd`` and ``bwd`` from the saved inputs (only the inputs are kept,
as a checkpoint would).  A function with a ``jvp`` rule only gets its reverse rule by
transposing: one ``jvp`` call per entry of each differentiated argument.  Forward mode of a
function with a vjp rule only is a located error, as in JAX.  Second derivatives (``hessian``,
a grad of a grad) differentiate the wrappers, so the rule functions themselves: they must be
in the subset, and the function needs a jvp rule too.
"""
import ast
import functools
import inspect
import itertools
import keyword
import re
import threading
import types

from . import kinds as K
from . import runtime
from .errors import SrcgradError

_BY_FUNCTION = {}       # defrule: a function (and the Python function of an @njit one) -> Custom
_COUNT = itertools.count(1)
_LOCK = threading.Lock()


class Custom:
    """A function with its user's derivative rule(s).  Calling it calls the function."""

    __srcgrad_rule__ = True

    def __init__(self, fn, out=None):
        if not callable(fn):
            raise TypeError(f"custom_vjp/custom_jvp/defrule take a function, not {fn!r}")
        self.fn, self.out = fn, out
        self.fwd = self.bwd = self.jvp = None
        self.version = 0
        self.refusal = None  # set for the wrappers that must not be differentiated
        name = re.sub(r"\W", "_", getattr(fn, "__name__", "") or "f")
        self.base = name if name.isidentifier() and not keyword.iskeyword(name) else "f"
        self.prim = f"custom_{self.base}_{next(_COUNT)}"  # its key in the rule table
        self._lock = threading.Lock()
        self._natives = None
        self._out_kinds = {}
        functools.update_wrapper(self, fn, updated=())

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    def __repr__(self):
        return f"<srcgrad custom rule for {self.base}>"

    def __reduce__(self):
        """Pickled by reference: the module-level name it is bound to (as a function)."""
        return self.__qualname__

    # ---- the user's rules ------------------------------------------------------------------
    def defvjp(self, fwd, bwd):
        """``fwd(*args) -> (value, residuals)`` and ``bwd(residuals, g) -> tuple`` of one
        cotangent per argument (as JAX's custom_vjp)."""
        if not (callable(fwd) and callable(bwd)):
            raise TypeError("defvjp takes two functions: fwd(*args) -> (value, residuals) and "
                            "bwd(residuals, g) -> (one cotangent per argument,)")
        self.fwd, self.bwd = fwd, bwd
        self._changed()
        return self

    def defjvp(self, jvp):
        """``jvp(primals, tangents) -> (value, tangent)``, primals and tangents tuples with one
        entry per argument (as JAX's custom_jvp); usable as a decorator."""
        if not callable(jvp):
            raise TypeError("defjvp takes a function jvp(primals, tangents) -> (value, tangent)")
        self.jvp = jvp
        self._changed()
        return jvp

    def _changed(self):
        with self._lock:
            self.version += 1
            self._natives = None

    # ---- what the passes ask ----------------------------------------------------------------
    @property
    def params(self):
        return _params(self.fn, self.base)

    def rule(self):
        """The rule-table row of this function (registered under ``self.prim``)."""
        from .rules.core import USER_RULES, Rule
        n = len(self.params)
        ps = [f"a{i}" for i in range(n)]
        args = ", ".join(ps)
        if self.fwd is not None:
            vjp = [f"VJP_RULE({args}, g)[{i}]" for i in range(n)]
        elif self.jvp is not None:
            vjp = [f"TVJP_RULE{i}({args}, g)" for i in range(n)]
        else:
            raise SrcgradError(f"{self.base}() has no derivative rule yet: give one with "
                               f"{self.base}.defvjp(fwd, bwd) or {self.base}.defjvp(jvp)")
        jvp = [f"JVP_RULE{i}({args}, d{p})" for i, p in enumerate(ps)]
        r = Rule(self.prim, " ".join(ps), vjp, jvp, elementwise=False)
        r.out_fn = self.out_kind
        r.custom = self
        if self.jvp is None:
            r.refused_forward = (
                f"{self.base}() has a vjp rule only, and forward mode (jvp, jacfwd, hessian, "
                f"a grad of a grad) needs a jvp rule: give one with {self.base}.defjvp(...)")
        USER_RULES[self.prim] = r
        return r

    def placeholders(self):
        """Template name -> the wrapper's own name (the call site may rename it)."""
        n = len(self.params)
        names = {"PRIMAL": self.base}
        if self.fwd is not None:
            names["VJP_RULE"] = f"{self.base}_vjp_rule"
        elif self.jvp is not None:
            names.update({f"TVJP_RULE{i}": f"{self.base}_tvjp_rule{i}" for i in range(n)})
        names.update({f"JVP_RULE{i}": f"{self.base}_jvp_rule{i}" for i in range(n)})
        return names

    def natives(self):
        """{placeholder: Native} for the primal and every wrapper (built once per version)."""
        with self._lock:
            if self._natives is None:
                self._natives = _build(self)
            return self._natives

    def out_kind(self, arg_kinds):
        """The result's kind for these argument kinds: from ``out=`` (a kind as text, or the
        name of the parameter it is shaped like), else by typing the function with Numba."""
        key = tuple(arg_kinds)
        if key not in self._out_kinds:
            self._out_kinds[key] = _out_kind(self, list(arg_kinds))
        return self._out_kinds[key]

    @property
    def __srcgrad_source__(self):
        """Differentiating the function itself (``grad(lse)``): a function calling it."""
        return _caller(self)


def custom_vjp(fn=None, *, out=None):
    """A function with a reverse-mode rule, given by ``.defvjp(fwd, bwd)`` (JAX's shape)."""
    if fn is None:
        return lambda f: Custom(f, out)
    return Custom(fn, out)


def custom_jvp(fn=None, *, out=None):
    """A function with a forward-mode rule, given by ``.defjvp(jvp)`` (JAX's shape)."""
    if fn is None:
        return lambda f: Custom(f, out)
    return Custom(fn, out)


def defrule(fn, *, fwd=None, bwd=None, jvp=None, out=None):
    """Give an existing function (a SciPy function, an ``@njit`` function, your own) a
    derivative rule, used wherever a differentiated function calls it; ``fwd``/``bwd`` and
    ``jvp`` as for :func:`custom_vjp` and :func:`custom_jvp`.  Returns the Custom object."""
    if (fwd is None) != (bwd is None):
        raise TypeError("defrule: give fwd and bwd together")
    if fwd is None and jvp is None:
        raise TypeError("defrule: give fwd and bwd, or jvp, or all three")
    c = Custom(fn, out)
    if fwd is not None:
        c.defvjp(fwd, bwd)
    if jvp is not None:
        c.defjvp(jvp)
    with _LOCK:
        _BY_FUNCTION[_key(fn)] = c
        py = getattr(fn, "py_func", None)
        if py is not None:
            _BY_FUNCTION[_key(py)] = c
    return c


def undefrule(fn):
    """Forget the rule :func:`defrule` gave ``fn``."""
    with _LOCK:
        for f in (fn, getattr(fn, "py_func", None)):
            if f is not None:
                _BY_FUNCTION.pop(_key(f), None)


def defaults(c):
    """Default values of the function's parameters that are numbers, booleans or None."""
    try:
        sig = inspect.signature(_python(c.fn))
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in sig.parameters.values()
            if p.default is not p.empty and (p.default is None or isinstance(
                p.default, (bool, int, float)))}


def _key(fn):
    try:
        hash(fn)
        return fn
    except TypeError:
        return id(fn)


def rule_for(obj):
    """The Custom for a called object: itself, or the rule defrule gave it; else None."""
    if isinstance(obj, Custom):
        return obj
    if not _BY_FUNCTION:
        return None
    try:
        return _BY_FUNCTION.get(_key(obj))
    except TypeError:
        return None


# ---- the functions generated code calls ---------------------------------------------------------
class Native:
    """A function generated code calls, in each backend's version: the Python function, and a
    Numba dispatcher made on first use."""

    def __init__(self, python, numba_of, fingerprint):
        self.python, self._numba_of, self.fingerprint = python, numba_of, fingerprint
        self._numba = None

    def for_backend(self, backend):
        if backend == "python":
            return self.python
        if self._numba is None:
            self._numba = self._numba_of()
        return self._numba


def for_backend(value, backend):
    return value.for_backend(backend) if isinstance(value, Native) else value


def _python(f):
    if isinstance(f, Custom):
        return f
    py = getattr(f, "py_func", None)
    return py if inspect.isfunction(py) else f


def _jit(f):
    """A Numba version of a user's function: its dispatcher, njit of its Python function, or
    the object itself (a NumPy ufunc; anything else fails to compile and falls back)."""
    import numba
    if isinstance(f, Custom):
        return _jit(f.fn)
    if type(f).__module__.startswith("numba"):
        return f
    if inspect.isfunction(f):
        cached = getattr(f, "__srcgrad_njit__", None)
        if cached is None:
            cached = numba.njit(f)
            try:
                f.__srcgrad_njit__ = cached
            except AttributeError:  # pragma: no cover
                pass
        return cached
    return f


def _source_of(f):
    try:
        return inspect.getsource(_python(f.fn if isinstance(f, Custom) else f))
    except (OSError, TypeError):
        return repr(f)


def _params(fn, name):
    import numpy as np
    if isinstance(fn, np.ufunc):  # scipy.special's functions: their inputs, not out= & co.
        return ["x"] if fn.nin == 1 else [f"x{i + 1}" for i in range(fn.nin)]
    try:
        sig = inspect.signature(_python(fn))
    except (TypeError, ValueError):
        raise SrcgradError(f"cannot read the parameters of {name}(); call it from a function "
                           "of yours with positional arguments") from None
    ps = [p.name for p in sig.parameters.values()
          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in sig.parameters.values()):
        raise SrcgradError(f"{name}() takes *args or **kwargs; a function with a derivative "
                           "rule takes a fixed list of parameters")
    return ps


def _build(c):
    from .backend.emit import filename_for, register
    n = len(c.params)
    names = c.placeholders()
    ps = [f"a{i}" for i in range(n)]
    args = ", ".join(ps)
    tup = "(" + ", ".join(ps) + ("," if n == 1 else "") + ")"
    user = {f"{c.base}_fwd": c.fwd, f"{c.base}_bwd": c.bwd, f"{c.base}_jvp": c.jvp}
    texts = {}   # placeholder -> (checked text run by both backends, text differentiated)
    if c.fwd is not None:
        w = names["VJP_RULE"]
        cs = ", ".join(f"rule_like(_cs[{i}], a{i})" for i in range(n)) + ("," if n == 1 else "")
        run = (f"def {w}({args}, g):\n    _out, _res = {c.base}_fwd({args})\n"
               f"    _cs = rule_tuple({c.base}_bwd(_res, g), {tup})\n    return ({cs})\n")
        unpack = ", ".join(f"_c{i}" for i in range(n)) + ("," if n == 1 else "")
        plain = (f"def {w}({args}, g):\n    _out, _res = {c.base}_fwd({args})\n"
                 f"    {unpack} = {c.base}_bwd(_res, g)\n    return ({unpack})\n")
        texts["VJP_RULE"] = (run, plain)
    if c.jvp is not None:
        for i in range(n):
            w = names[f"JVP_RULE{i}"]
            tans = "(" + ", ".join("d" if j == i else f"rule_zero(a{j})" for j in range(n)) + \
                ("," if n == 1 else "") + ")"
            run = (f"def {w}({args}, d):\n    _out, _t = {c.base}_jvp({tup}, {tans})\n"
                   f"    return rule_like(_t, _out)\n")
            texts[f"JVP_RULE{i}"] = (run, run.replace("rule_like(_t, _out)", "_t"))
        if c.fwd is None:
            for i in range(n):
                w = names[f"TVJP_RULE{i}"]
                tans = "(" + ", ".join(f"rule_unit(a{j}, _k)" if j == i else f"rule_zero(a{j})"
                                       for j in range(n)) + ("," if n == 1 else "") + ")"
                run = (f"def {w}({args}, g):\n    _c = rule_zero(a{i})\n"
                       f"    for _k in range(rule_entries(a{i})):\n"
                       f"        _out, _t = {c.base}_jvp({tup}, {tans})\n"
                       f"        _c = rule_put(_c, _k, rule_inner(g, rule_like(_t, _out)))\n"
                       f"    return _c\n")
                texts[f"TVJP_RULE{i}"] = (run, None)
    fingerprint = "\0".join([c.prim, str(c.out)] + [_source_of(f) for f in
                                                     (c.fn, c.fwd, c.bwd, c.jvp) if f is not None])
    py_ns = {**runtime.namespace(), **{k: _python(f) for k, f in user.items() if f is not None}}
    import numpy as np
    import math
    py_ns.update(np=np, math=math)
    out = {"PRIMAL": Native(c, lambda: _jit(c.fn), fingerprint + "\0primal")}
    for ph, (run, plain) in texts.items():
        name = names[ph]
        filename = filename_for(name, run)
        register(run, filename)
        ns = dict(py_ns)
        exec(compile(run, filename, "exec"), ns)
        fn = ns[name]
        if plain is not None:
            fn.__srcgrad_source__ = _plain_source(plain, name, py_ns)
        else:  # the transposed jvp: run, never differentiated
            refuse = Custom(fn)
            refuse.base = name
            refuse.refusal = (
                f"{c.base}() has a jvp rule only; its reverse rule is made by transposing the "
                f"jvp, which srcgrad does not differentiate again: for hessian or a grad of a "
                f"grad give {c.base} a vjp rule too ({c.base}.defvjp(fwd, bwd))")
            fn = refuse
        out[ph] = Native(fn, functools.partial(_jit_wrapper, run, name, user),
                         fingerprint + "\0" + run)
    return out


def _jit_ns():
    """The namespace a wrapper compiled with Numba is run in (srcgrad/checkpoints.py too)."""
    import math

    import numpy as np
    return {"np": np, "math": math, **runtime.namespace()}


def _jit_wrapper(text, name, user):
    import numba
    ns = {**_jit_ns(), **{k: _jit(f) for k, f in user.items() if f is not None}}
    exec(compile(text, f"<srcgrad rule {name}>", "exec"), ns)
    return numba.njit(ns[name])


def _plain_source(text, name, namespace):
    from .backend.emit import filename_for, register
    from .frontend.source import Source
    filename = filename_for(name + "_plain", text)
    register(text, filename)
    tree = ast.parse(text).body[0]
    return Source(None, tree, filename, text.splitlines(True), namespace)


def _caller(c):
    """A function ``def lse(x): return lse(x)`` whose call is the rule's primitive."""
    from .backend.emit import filename_for, register
    from .frontend.source import Source
    params = ", ".join(c.params)
    text = f"def {c.base}({params}):\n    return {c.base}({params})\n"
    filename = filename_for(c.base + "_call", text)
    register(text, filename)
    made = {}
    exec(compile(text, filename, "exec"), made)
    ns = {c.base: c}  # the name the caller calls is the Custom, not the caller itself
    fn = types.FunctionType(made[c.base].__code__, ns, c.base)
    src = Source(fn, ast.parse(text).body[0], filename, text.splitlines(True), ns)
    fn.__srcgrad_source__ = src
    return src


def _out_kind(c, arg_kinds):
    out = c.out
    if isinstance(out, str) and out in c.params:
        k = arg_kinds[c.params.index(out)]
        return ("a", k[1], "f") if K.is_array(k) else K.FLOAT
    if out is not None:
        k = K.of_annotation(out)
        if k is None:
            raise SrcgradError(f"out={out!r} of {c.base}: write a kind (\"f8\", \"f8[:]\", "
                               f"\"f8[:,:]\") or the name of the parameter it is shaped like")
        return k
    return _typed_by_numba(c, arg_kinds)


def _typed_by_numba(c, arg_kinds):
    import numba
    from numba.core import types as nt
    dtypes = {"f": nt.float64, "i": nt.int64, "b": nt.boolean}

    def nb(k):
        if k is None or k[0] not in "as":
            raise SrcgradError(f"{c.base}() takes {K.describe(k)} here; a function with a "
                               "derivative rule takes numbers and arrays")
        return dtypes[k[1]] if k[0] == "s" else nt.Array(dtypes[k[2]], k[1], "A")

    def kind(t):
        if isinstance(t, nt.Array):
            return ("a", t.ndim, "f" if isinstance(t.dtype, nt.Float) else
                    "b" if isinstance(t.dtype, nt.Boolean) else "i")
        if isinstance(t, nt.Float):
            return K.FLOAT
        if isinstance(t, nt.Boolean):
            return K.BOOL
        if isinstance(t, nt.Integer):
            return K.INT
        if isinstance(t, nt.BaseTuple):
            return ("t", tuple(kind(e) for e in t.types))
        return None
    sig = tuple(nb(k) for k in arg_kinds)
    try:
        disp = _jit(c.fn)
        if not isinstance(disp, numba.core.dispatcher.Dispatcher):
            raise TypeError(f"{type(c.fn).__name__} is not a Python function")
        disp.compile(sig)
        ret = disp.overloads[sig].signature.return_type
        cres = kind(ret)
    except Exception as e:  # noqa: BLE001 -- any failure: the user must say it
        raise SrcgradError(
            f"cannot tell what {c.base}() returns for arguments of kinds "
            f"({', '.join(K.describe(k, article=False) for k in arg_kinds)}): Numba could not "
            f"type it ({type(e).__name__}); say it: custom_vjp(out=\"f8[:]\") (a kind) or "
            f"out=\"x\" (shaped like parameter x)") from None
    if cres is None or (cres[0] == "t"):
        raise SrcgradError(f"{c.base}() returns {ret}; a function with a derivative rule "
                           "returns a float or a float array")
    return cres


def _numba_typeof(val, c):
    """Inside Numba-compiled code (a rule's fwd calling the function itself), a Custom is the
    dispatcher of its function."""
    import numba
    return numba.typeof(_jit(val.fn))


def _register_numba():
    from numba.extending import typeof_impl
    typeof_impl.register(Custom)(_numba_typeof)


_register_numba()
