"""Normalize, inlining: a call of a user's function (a module-level ``def``, a nested one, a
lambda, or one passed in as an argument) becomes its body, its locals renamed.

    def layer(h, W):                          layer_z = x @ W1
        z = h @ W                 ->          layer_a = np.tanh(layer_z)
        return np.tanh(z)         h = layer(x, W1)   ->   h = layer_a

A call in the differentiated function's own body (not a helper's) is a *site*
(``("call", line, column)``): its statements carry it (walk.Origin.site), and ``sites``
records its argument and result atoms, so that a memory plan can measure what the call keeps
and checkpoint it (``call_checkpoints``: as ``srcgrad.checkpoint(g)(...)``, srcgrad/
memory_plan.py).  Mixed into the normalizer.
"""
import ast
import copy
import inspect

import numpy as np

from .. import library
from ..frontend import loops
from ..frontend.source import _MISSING, Source, read_source
from ..rules.table import CALLS, NONDIFF_CALLS
from .clone import clone
from .common import _may_share_written, written_into
from .walk import draws


class Inlining:
    def function_arg(self, a):
        """What a call's argument is when it is a function: ("global", obj) for a NumPy,
        math or module-level function (or a library one srcgrad knows), ("local", def,
        captured) for a lambda or a nested def of the caller, else None (a value)."""
        if isinstance(a, ast.Lambda):
            return ("local", loops.lambda_def("lambda", a), self._captured_here())
        if isinstance(a, ast.Name) and a.id in self.fn_args and a.id not in self.locals:
            return ("local",) + tuple(self.fn_args[a.id])
        if isinstance(a, ast.Name) and a.id in self.local_fns and a.id not in self.locals:
            return ("local", self.local_fns[a.id], self._captured_here())
        if not isinstance(a, (ast.Name, ast.Attribute)):
            return None
        obj = self.src.resolve(a)
        if obj is _MISSING or isinstance(obj, (np.ndarray, type)) or not callable(obj):
            return None
        try:
            known = obj in CALLS or obj in NONDIFF_CALLS or library.known(obj)
        except TypeError:
            known = False
        return ("global", obj) if known or inspect.isfunction(obj) else None

    def _captured_here(self):
        return {**self.captured, **{v: self.name(v) for v in self.locals}}

    def inline(self, fn, e, out, site=True):
        """``fn``'s body in place of the call ``e``; ``site``: a call of the function's own
        is a site (not the number body of a @vectorize function, passes/elementwise.py)."""
        if getattr(fn, "__srcgrad_elementwise__", False):
            return self.elementwise_call(fn, e, out)  # a @numba.vectorize function
        if self.depth > 20:
            self.fail(e, "calls nested more than 20 deep", "flatten the call chain.")
        callee = read_source(fn)
        given = fn.__defaults__ or ()
        defaults = dict(zip(callee.params[len(callee.params) - len(given):], given))
        if callee.tree.args.vararg is not None:  # def f(w, *args): what this call passes
            callee = Source(callee.fn, _varargs(callee.tree, len(e.args)), callee.filename,
                            callee.lines, callee.namespace)
        positional = len(callee.params)
        if callee.tree.args.kwonlyargs:  # def f(x, *, scale=1.0): passed by keyword only
            callee = _keywords_last(callee)
            defaults.update(fn.__kwdefaults__ or {})
        args = self.call_args(e, callee.params, defaults, fn.__name__, positional)
        if site and self.depth == 0 and self.prefix is None and not self.src.internal:
            site = ("call", e.lineno, e.col_offset)  # a top-level call: a plan may checkpoint it
            if site in self.call_checkpoints:
                from ..checkpoints import checkpoint
                return self.custom_call(checkpoint(fn), e, out)
        else:
            site = None
        return self.inline_source(callee, fn.__name__, args, out, site=site)

    def call_args(self, e, params, defaults, name, positional=None):
        """The arguments of the call ``e`` in the order of ``params``: positional ones, then
        keywords, then ``defaults`` ({parameter: a number, bool, string or None, or the
        literal node of a nested def's default}) for the parameters not passed.  Only the
        first ``positional`` parameters (all by default) may be passed by position."""
        if any(isinstance(a, ast.Starred) for a in e.args) or \
                any(k.arg is None for k in e.keywords):
            self.fail(e, f"call to {name}() with *args or **kwargs", "pass arguments by name "
                      "or position.")
        positional = len(params) if positional is None else positional
        if len(e.args) > positional:
            self.fail(e, f"call to {name}() with {len(e.args)} positional arguments",
                      f"{name}() takes the parameters ({', '.join(params)}), "
                      f"{positional} of them by position.")
        given = dict(zip(params, e.args))
        for k in e.keywords:
            if k.arg not in params or k.arg in given:
                self.fail(e, f"keyword argument {k.arg}= in the call to {name}()",
                          f"{name}() takes the parameters ({', '.join(params)}).")
            given[k.arg] = k.value
        for p in params:
            if p in given:
                continue
            if p not in defaults:
                self.fail(e, f"call to {name}() without its parameter {p!r}",
                          f"pass {p} (it has no default value).")
            d = defaults[p]
            if isinstance(d, np.generic) and d.dtype.kind in "biuf":
                d = d.item()
            if isinstance(d, ast.AST):
                given[p] = clone(d)
            elif d is None or isinstance(d, (bool, int, float, str)):
                given[p] = ast.copy_location(ast.Constant(d), e)
            else:
                self.fail(e, f"call to {name}() leaving {p} at its default value, a "
                          f"{type(d).__name__}", f"pass {p} explicitly.")
        return [given[p] for p in params]

    def inline_local(self, fdef, e, out):
        """A call to a nested ``def`` or a lambda: inlined like a module-level helper, its
        free names reading the enclosing function's variables as they are at the call."""
        if self.depth > 20:
            self.fail(e, "calls nested more than 20 deep", "flatten the call chain.")
        if fdef.args.vararg is not None:
            fdef = _varargs(fdef, len(e.args))
        callee = Source(None, fdef, self.src.filename, self.src.lines, self.src.namespace)
        captured = {**self.captured, **{v: self.name(v) for v in self.locals}}
        given = fdef.args.defaults  # (literals: the check stage says so)
        params = [a.arg for a in fdef.args.args]
        args = self.call_args(e, params, dict(zip(params[len(params) - len(given):], given)),
                              fdef.name)
        return self.inline_source(callee, fdef.name, args, out, captured)

    def inline_source(self, callee, prefix, args, out, captured=None, site=None):
        """``site``: a top-level call's (walk.Origin): its statements carry it, and ``sites``
        records its argument and result atoms (memory plans checkpoint such calls)."""
        passed = {p: self.function_arg(a) for p, a in zip(callee.params, args)}
        passed = {p: v for p, v in passed.items() if v is not None}
        if passed:  # functions passed in: known here, so the callee calls them by name
            args = [a for p, a in zip(callee.params, args) if p not in passed]
            callee = _with_functions(callee, set(passed), {p: v[1] for p, v in passed.items()
                                                           if v[0] == "global"})
        bind = {p: self.atom(a, out) for p, a in zip(callee.params, args)}
        sub = type(self)(callee, self.names, prefix, self.constants, self.depth + 1,
                         self.tuples, self.ranks, self.local_fns, captured)
        sub.fn_args = {p: v[1:] for p, v in passed.items() if v[0] == "local"}
        sub.site, sub.sites = site or self.site, self.sites
        body = sub.function(bind).body
        ret = body.pop()
        out.extend(body)
        if site is not None:  # (run again, a call that draws would draw anew, and one that
            # writes into an argument would write again, where its adjoint cannot see it)
            args = [bind[p] for p in callee.params if p in bind]
            block = ast.Module(body, [])
            written = _may_share_written(block, written_into(block))
            self.sites[site] = {"args": args, "result": ret.value, "passed": bool(passed),
                                "draws": any(draws(s) for s in body),
                                "writes": any(getattr(a, "id", None) in written for a in args)}
        return ret.value  # an atom, or a tuple of atoms


def _with_functions(callee, dropped, functions):
    """``callee`` without the parameters given functions (``dropped``): the names denote
    them, global ones through its namespace, local ones through the normalizer's
    ``fn_args``."""
    tree = copy.copy(callee.tree)
    tree.args = copy.copy(tree.args)
    tree.args.args = [a for a in tree.args.args if a.arg not in dropped]
    return Source(callee.fn, tree, callee.filename, callee.lines,
                  {**callee.namespace, **functions})


def _varargs(fdef, given):
    """``fdef`` (a copy) with its ``*args`` as parameters of their own, one per positional
    argument a call passes beyond the named ones, packed into the tuple ``args`` by a first
    statement: ``def f(w, *args)`` called ``f(W, a, b)`` is ``def f(w, args_0, args_1):
    args = (args_0, args_1); ...``."""
    tree = copy.copy(fdef)
    tree.args = copy.copy(tree.args)
    name = tree.args.vararg.arg
    taken = {n.id for n in ast.walk(fdef) if isinstance(n, ast.Name)} | {
        a.arg for a in fdef.args.args + fdef.args.kwonlyargs}
    extra, k = [], 0
    while len(extra) < max(0, given - len(fdef.args.args)):
        if f"{name}_{k}" not in taken:
            extra.append(f"{name}_{k}")
        k += 1
    tree.args.args = list(tree.args.args) + [ast.arg(x) for x in extra]
    tree.args.vararg = None
    pack = ast.Assign([ast.Name(name, ast.Store())],
                      ast.Tuple([ast.Name(x, ast.Load()) for x in extra], ast.Load()))
    tree.body = [ast.fix_missing_locations(ast.copy_location(pack, fdef.body[0]))] + \
        list(tree.body)
    return tree


def _keywords_last(callee):
    """``callee`` with its keyword-only parameters after its positional ones (a copy: the
    call binds them by keyword, call_args checks that)."""
    tree = copy.copy(callee.tree)
    tree.args = copy.copy(tree.args)
    tree.args.args = list(tree.args.args) + list(tree.args.kwonlyargs)
    tree.args.kwonlyargs, tree.args.kw_defaults = [], []
    return Source(callee.fn, tree, callee.filename, callee.lines, callee.namespace)
