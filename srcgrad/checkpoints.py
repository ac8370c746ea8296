"""Call checkpoints: store only a call's inputs; in the reverse sweep, run its forward sweep
again from them, then its adjoint.  The same gradient for less memory.

    def loss(x, W):                                 def loss_vjp(x, W, bs):
        h = srcgrad.checkpoint(layer)(x, W)             h = layer(x, W)       # nothing kept
        return np.sum(h * h)                            ...
                                                        # checkpoint: layer's forward sweep
                                                        # runs again inside its adjoint
                                                        bx += layer_checkpoint_vjp(x, W, bh)[0]

``srcgrad.checkpoint(g)(*args)`` inside a differentiated function, or ``@srcgrad.checkpoint``
on a helper's definition.  A checkpointed call is a primitive with a rule (srcgrad/custom.py)
whose wrappers call the adjoint and tangent srcgrad generates for ``g`` itself, specialized for
the kinds of the call's arguments (known from the kinds pass: a placeholder first, then the
call, as for ``np.tensordot``).  The outer adjoint keeps the inputs the rule reads, nothing of
``g``'s inside; ``g``'s adjoint keeps what it needs only while it runs.  Forward mode calls
``g``'s tangent (nothing to save there); a Hessian differentiates the wrappers, so ``g``'s
generated code.  A call with several differentiated arguments runs ``g``'s adjoint once: the
outer adjoint keeps its result's parts (``bh_parts = layer_checkpoint_vjp(h, W, bh)``,
passes/adjoints.py).  A memory plan (``memory=``, srcgrad/memory_plan.py) may checkpoint a
top-level helper call the same way, as if it were written ``srcgrad.checkpoint(g)(...)``.
"""
import threading

from . import kinds as K
from . import pipeline, runtime
from .custom import Custom, Native, _jit_ns
from .errors import SrcgradError


class Checkpoint(Custom):
    needs_kinds = True  # its rule's wrappers are generated per argument kinds

    def __init__(self, fn):
        if isinstance(fn, Custom):
            raise SrcgradError(f"checkpoint of {fn.base}(), which has a rule of yours: "
                               "checkpoint the function that calls it instead")
        super().__init__(fn)
        self.fwd = self.bwd = self.jvp = "generated"
        self._by_kinds = {}
        self._kinds_lock = threading.RLock()

    def __repr__(self):
        return f"<srcgrad checkpoint of {self.base}>"

    def rule(self):
        from .rules.core import USER_RULES, Rule
        ps = [f"a{i}" for i in range(len(self.params))]
        args = ", ".join(ps)
        vjp = [f"VJP_RULE({args}, g)[{i}]" for i in range(len(ps))]
        jvp = [f"JVP_RULE{i}({args}, d{p})" for i, p in enumerate(ps)]
        r = Rule(self.prim, " ".join(ps), vjp, jvp, elementwise=False)
        r.out_fn, r.custom = self.out_kind, self
        USER_RULES[self.prim] = r
        return r

    def placeholders(self):
        names = {"PRIMAL": self.base, "VJP_RULE": f"{self.base}_checkpoint_vjp"}
        names.update({f"JVP_RULE{i}": f"{self.base}_checkpoint_jvp{i}"
                      for i in range(len(self.params))})
        return names

    def out_kind(self, arg_kinds):
        gen = self._generated(tuple(arg_kinds))["primal"]
        k = gen.out_kind
        if k is None or k[0] not in "as":
            raise SrcgradError(f"checkpoint of {self.base}(): it returns "
                               f"{K.describe(k)}; a checkpointed function returns a float or "
                               "a float array")
        return k

    def natives(self, kinds=None):
        """{placeholder: Native} for calls with arguments of ``kinds`` (without: the primal
        only, for the cache's key)."""
        fingerprint = f"checkpoint\0{_source(self.fn)}"
        if kinds is None:
            return {"PRIMAL": Native(self, lambda: None, fingerprint)}
        kinds = tuple(kinds)
        with self._kinds_lock:
            if kinds not in self._by_kinds:
                self._by_kinds[kinds] = self._build(kinds, fingerprint)
            return self._by_kinds[kinds]

    def _generated(self, kinds):
        key = ("gen", kinds)
        with self._kinds_lock:
            if key not in self._by_kinds:
                ks = dict(zip(self.params, kinds))
                floats = [p for p in self.params if K.is_float(ks[p])]
                gens = {"primal": pipeline.generate(self.fn, [], ks, "primal")}
                if gens["primal"].written_params:  # the rule cannot say the caller's array
                    # changed (and run again, it would write again)
                    raise SrcgradError(f"checkpoint of {self.base}(), which writes into its "
                                       f"argument {gens['primal'].written_params[0]!r}: "
                                       "write into a copy inside it (h = h.copy()), or do "
                                       "not checkpoint it")
                if gens["primal"].random:  # run again, it would draw other numbers
                    raise SrcgradError(f"checkpoint of {self.base}(), which draws random "
                                       "numbers: its second run would draw others and the "
                                       "gradient would be wrong; draw them outside and pass "
                                       "them in, or do not checkpoint it")
                if floats:
                    gens["reverse"] = pipeline.generate(self.fn, floats, ks, "reverse")
                    gens["forward"] = pipeline.generate(self.fn, floats, ks, "forward")
                self._by_kinds[key] = (gens, floats)
            return self._by_kinds[key][0]

    def _build(self, kinds, fingerprint):
        from .backend.emit import filename_for, register
        gens = self._generated(kinds)
        floats = self._by_kinds[("gen", kinds)][1]
        comps = {m: g.compile("numba", False) for m, g in gens.items()}
        names = self.placeholders()
        out = {"PRIMAL": Native(self, comps["primal"].dispatcher,
                                fingerprint + "\0" + gens["primal"].source)}
        if not floats:
            return out
        n = len(self.params)
        ps = [f"a{i}" for i in range(n)]
        args = ", ".join(ps)
        rev, fwd = gens["reverse"], gens["forward"]
        parts = []
        for i, p in enumerate(self.params):
            if p in floats:
                parts.append("_c" if len(floats) == 1 else f"_c[{floats.index(p)}]")
            else:
                parts.append("0.0")
        texts = {"VJP_RULE": (
            f"def {names['VJP_RULE']}({args}, g):\n"
            f"    # checkpoint: {self.base}'s forward sweep runs again here, then its adjoint\n"
            f"    _c = {rev.name}({args}, g)\n"
            f"    return ({', '.join(parts)}{',' if n == 1 else ''})\n")}
        for i, p in enumerate(self.params):
            if p not in floats:
                continue
            tans = ", ".join("d" if q == p else f"rule_zero(a{self.params.index(q)})"
                             for q in floats)
            texts[f"JVP_RULE{i}"] = (f"def {names[f'JVP_RULE{i}']}({args}, d):\n"
                                     f"    _out, _t = {fwd.name}({args}, {tans})\n"
                                     f"    return _t\n")
        called = {rev.name: comps["reverse"], fwd.name: comps["forward"]}
        for ph, text in texts.items():
            name = names[ph]
            filename = filename_for(name, text)
            register(text, filename)
            ns = {**runtime.namespace(), **{k: c._python() for k, c in called.items()}}
            exec(compile(text, filename, "exec"), ns)
            out[ph] = Native(ns[name], _numba_of(text, name, called),
                             fingerprint + "\0" + text + rev.source + fwd.source)
        return out


def _numba_of(text, name, called):
    def make():
        import numba
        ns = _jit_ns()
        ns.update({k: c.dispatcher() for k, c in called.items()})
        exec(compile(text, f"<srcgrad checkpoint {name}>", "exec"), ns)
        return numba.njit(ns[name])
    return make


def _source(fn):
    import inspect
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return repr(fn)


_MADE = {}
_MADE_LOCK = threading.Lock()


def checkpoint(fn):
    """``checkpoint(g)(*args)`` in a differentiated function (or ``@checkpoint`` on ``g``):
    the reverse sweep keeps only the call's inputs and runs ``g``'s forward sweep again
    (docs/checkpointing.md).  Called from Python, it calls ``g``."""
    if isinstance(fn, Checkpoint):
        return fn
    if not callable(fn):
        raise TypeError(f"checkpoint takes a function, not {fn!r}")
    with _MADE_LOCK:  # one object per function: its generated code is made once per kinds
        key = id(fn)
        made = _MADE.get(key)
        if made is None or made.fn is not fn:
            made = _MADE[key] = Checkpoint(fn)
        return made


def checkpoint_of(src, f):
    """The Checkpoint of ``g`` when ``f`` (a call's function, in ``src``) is
    ``srcgrad.checkpoint(g)``, else None (passes/calls.py)."""
    import ast
    import inspect
    from .errors import UnsupportedError
    if not isinstance(f, ast.Call) or len(f.args) != 1 or f.keywords \
            or src.resolve(f.func) is not checkpoint:
        return None
    g = src.resolve(f.args[0])
    if not inspect.isfunction(g) and not isinstance(g, Custom):
        raise UnsupportedError([src.problem(f, f"checkpoint({ast.unparse(f.args[0])})",
                                            "checkpoint a function defined with def at "
                                            "module level.")])
    return checkpoint(g)
