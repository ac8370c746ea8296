"""Normalize, calls: a call becomes a primitive of the rule table, a kept-whole bookkeeping
call, an array literal, or the inlined body of a user function (NumPy calls that become
several primitives: passes/numpy_calls.py).

    np.sum(x, axis=1)          ->  _t1 = sum_axis(x, 1)          (prim sum_axis)
    np.transpose(x, (1, 0, 2)) ->  _t2 = np.transpose(x, (1, 0, 2))   (prim transpose_axes)
    np.array([a, 2.0 * a])     ->  _t3 = np.zeros(2); _t3[0] = a; _t3[1] = _t4
    helper(x[0])               ->  the body of helper, locals renamed helper_v
                                   (passes/inline.py)

Every primitive call is checked against its rule: the number of arguments and the keywords it
understands; ranks are checked with the kinds (passes/types.py).
"""
import ast
import inspect
import math

import numpy as np

from .. import custom, library, runtime
from ..errors import SrcgradError
from ..frontend.loops import int_literal
from ..frontend.source import _MISSING, Source, read_source
from ..rules.table import (ARRAY_LITERAL_CALLS, CALLS, CONSTANT_CALLS, CREATION_CALLS, DEFAULTS, JOIN_CALLS,
                           EINSUM_CALLS, LOWERED, METHODS, NONDIFF_CALLS, NONDIFF_METHODS, RANDOM_METHODS, RULES,
                           SELECT_CALLS,
                           SPLIT_CALLS)
from . import einsum
from .along import SIGNATURES
from .clone import clone
from .dtypes import DTYPE_AT
from .clip_bounds import clip_bounds
from .constants import static_isinstance
from .types import literal_dtype
from .walk import marked
from .ufunc_methods import ufunc_method
from .written_numpy import WRITTEN


# calls emitted as builtins in generated code, everything else as np.<name> or math.<name>
BUILTIN_EMIT = {abs: "abs", min: "min", max: "max", float: "float", len: "len", int: "int",
                range: "range", round: "round", bool: "bool", print: "print"}

# math functions Numba does not compile, emitted as their NumPy equivalent (same values)
NUMBA_EMIT = {f: name for f, name in ((getattr(math, "cbrt", None), "cbrt"), (math.fmod, "fmod"))
              if f is not None}


class Calls:
    """Mixed into the normalizer."""

    def call(self, e, out):
        f = e.func
        if isinstance(f, ast.Name) and f.id in self.fn_args and f.id not in self.locals:
            fdef, captured = self.fn_args[f.id]  # a local function passed in: its own scope
            return self.inline_source(Source(None, fdef, self.src.filename, self.src.lines,
                                             self.src.namespace), fdef.name, e.args, out,
                                      captured)
        if isinstance(f, ast.Name) and f.id in self.local_fns and f.id not in self.locals:
            return self.inline_local(self.local_fns[f.id], e, out)
        from ..checkpoints import checkpoint_of  # (checkpoints.py builds on the pipeline)
        c = checkpoint_of(self.src, f)
        if c is not None:  # srcgrad.checkpoint(g)(...): g's call, checkpointed
            return self.custom_call(c, ast.copy_location(ast.Call(f.args[0], e.args,
                                                                  e.keywords), e), out)
        if isinstance(f, ast.Attribute) and f.attr == "at" \
                and custom.rule_for(self.src.resolve(f.value)) is None \
                and isinstance(self.src.resolve(f.value), np.ufunc):  # np.add.at in a value
            self.fail(e, f"{ast.unparse(f)}() used as a value", "it changes its first argument "
                      "and returns None: write it as a statement of its own.")
        if ufunc_method(e, self.src.resolve) is not None:  # np.add.reduce(x), np.add.outer
            return self.ufunc_method_call(e, out)
        obj = self.src.resolve(f)
        c = custom.rule_for(obj)
        if c is not None:  # the user's own derivative rule (srcgrad/custom.py)
            return self.custom_call(c, e, out)
        if obj is isinstance:
            return static_isinstance(self, e)
        if len(e.args) == 1 and isinstance(e.args[0], ast.Name) \
                and e.args[0].id in self.growing():  # a list that grows in a loop: its rows
            node = self.growing_call(obj, e, out)
            if node is not None:
                return node
        if obj in (np.shape, np.size, np.ndim) and len(e.args) == 1 and not e.keywords:
            return self.flat(ast.copy_location(ast.Attribute(  # np.shape(x): x.shape
                e.args[0], obj.__name__, ast.Load()), e), out)
        if obj in (np.array, np.asarray, np.asanyarray) and len(e.args) == 1 and not e.keywords \
                and isinstance(e.args[0], ast.Name):  # of a list variable, or of an array
            value = self.flat(e.args[0], out)
            if self.elements(value) is not None:  # a list (or tuple) of known length
                return self.array_literal(ast.List([marked(a) for a in self.elements(value)],
                                                   ast.Load()), e, out)
            return self.prim_call("copy", _np_func("copy", []), [e.args[0]], [], e, out) \
                if obj is np.array else value
        if obj in (sum, max, min) and len(e.args) == 1 and not e.keywords:  # of a sequence
            return self.sequence_call(obj.__name__, e, out)
        if obj in (max, min) and len(e.args) > 2 and not e.keywords:  # max(a, b, c): folded
            seq = ast.copy_location(ast.Tuple(list(e.args), ast.Load()), e)
            return self.sequence_call(obj.__name__, ast.copy_location(
                ast.Call(e.func, [seq], []), e), out)
        if obj is np.array and len(e.args) == 1 and isinstance(e.args[0], ast.ListComp) \
                and not e.keywords:  # np.array([f(v) for v in vs]) over a tuple
            items = self.comprehension(e.args[0], out)
            if items is None:
                self.fail(e.args[0], "a list comprehension over a run-time length",
                          "allocate with np.zeros(n) and fill it in a loop.")
            return self.array_literal(ast.List([marked(a) for a in items], ast.Load()), e, out)
        if self.src.internal and isinstance(f, ast.Attribute) and f.attr == "pop":
            st = self.name(f.value.id)
            node = ast.Call(ast.Attribute(ast.Name(st, ast.Load()), "pop", ast.Load()), [], [])
            node.pop_from = st
            return ast.copy_location(node, e)
        view = self.dict_view(obj, e, out)  # p.items(), len(p) of a dict argument's values
        if view is not None:
            return view
        if obj is _MISSING and isinstance(f, ast.Attribute) and f.attr in RANDOM_METHODS \
                and isinstance(f.value, ast.Name):  # rng.normal(...): a draw, kept whole
            return self.keep(e, out)
        if obj is _MISSING and isinstance(f, ast.Attribute) and f.attr in NONDIFF_METHODS:
            node = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), f.attr, ast.Load()),
                            [f.value] + list(e.args), e.keywords)  # x.any(): np.any(x), whose
            # derivative is zero
            return self.keep(ast.fix_missing_locations(ast.copy_location(node, e)), out)
        if obj is _MISSING and isinstance(f, ast.Attribute) and f.attr in METHODS:
            prim = METHODS[f.attr]
            args = [f.value] + list(e.args)
            return self.prim_call(prim, _np_func(prim, args), args, e.keywords, e, out)
        try:
            known = obj in CALLS or obj in NONDIFF_CALLS or obj in CREATION_CALLS \
                or obj in JOIN_CALLS or obj in CONSTANT_CALLS
        except TypeError:
            known = False
        if obj in ARRAY_LITERAL_CALLS and len(e.args) == 1 and isinstance(e.args[0], ast.List) \
                and not e.keywords:
            if literal_dtype(e.args[0]) in ("b", "i"):  # a mask or indices: NumPy's own array
                return self.keep(e, out)
            return self.array_literal(e.args[0], e, out)
        if obj in JOIN_CALLS.keys():
            return self.join(JOIN_CALLS[obj], e, out)
        if obj in WRITTEN.keys():  # np.meshgrid, np.percentile: written in the subset
            return self.written_call(obj, e, out)
        if obj in SPLIT_CALLS.keys():
            return self.split(SPLIT_CALLS[obj], e, out)
        if obj in EINSUM_CALLS:
            return self.einsum(e, out) if EINSUM_CALLS[obj] == "einsum" else \
                self.tensordot(e, out)
        if obj in SELECT_CALLS:
            return self.select(e, out)
        if obj is np.where and len(e.args) == 1 and not e.keywords:
            return self.keep(e, out)  # np.where(c): the indices where c holds, a constant
        if known and obj in DTYPE_AT:  # np.zeros(n, int): dtype=np.int64 (passes/dtypes.py)
            e = self.with_dtype(obj, e)
        if known and obj in CALLS:
            prim = CALLS[obj]
            args = list(e.args)
            if args and isinstance(args[0], ast.List):  # np.sum([a, b]): NumPy's array of it
                arr = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "array", ast.Load()),
                               [args[0]], [])
                args[0] = ast.fix_missing_locations(ast.copy_location(arr, args[0]))
            return self.prim_call(prim, self.emit_func(obj, e.func), args, e.keywords, e, out)
        if known:
            return self.keep(e, out)
        if library.known(obj):  # scipy.special.logsumexp & co.: written in the subset
            return self.library_call(obj, e, out)
        if inspect.isfunction(obj):
            return self.inline(obj, e, out)
        self.fail(e, f"call to {ast.unparse(f)}() with no derivative rule",
                  "see docs/adding-a-rule.md.")

    def custom_call(self, c, e, out):
        """A call of a function with its user's rule: a primitive whose templates call the
        wrappers srcgrad/custom.py generates, bound under names free in this function."""
        what = f"call to {ast.unparse(e.func)}()"
        if c.refusal:
            self.fail(e, what, c.refusal + ".")
        try:
            c.rule()
            params = c.params
        except SrcgradError as err:
            self.fail(e, what, str(err) + ".")
        atoms = [self.atom(a, out) for a in self.call_args(e, params, custom.defaults(c),
                                                             c.base)]
        natives = c.natives()
        if getattr(c, "needs_kinds", False):  # a checkpoint: wrappers made per argument kinds
            key = (self.src.filename, e.lineno, e.col_offset)
            kinds = (self.ranks or {}).get(key)
            if kinds is None:  # the first normalization: a placeholder for the kinds pass
                node = ast.copy_location(ast.Call(ast.Name(c.base, ast.Load()), atoms, []), e)
                node.rank_site, node.rank_origin, node.checkpoint = key, (self.src, e), c
                return node
            try:
                natives = c.natives(kinds)
            except SrcgradError as err:
                self.fail(e, what, str(err) + ".")
        names = {}
        for ph, native in natives.items():
            bound = next((k for k, v in self.constants.items() if v is native), None)
            if bound is None:
                want = c.placeholders()[ph]
                if ph == "PRIMAL" and isinstance(e.func, ast.Name) and e.func.id == want \
                        and self.prefix is None and want not in self.locals \
                        and want not in self.constants:
                    bound = want  # the user's own name for it, as for a global array
                    self.names.taken.add(want)
                else:
                    bound = self.names.exact_or_fresh(want)
                self.constants[bound] = native
            names[ph] = bound
        node = ast.Call(ast.Name(names["PRIMAL"], ast.Load()), atoms, [])
        node.prim = c.prim
        node.rule_names = names  # template placeholders -> the names bound here
        return ast.copy_location(node, e)

    def array_literal(self, lst, e, out):
        """``np.array([a, b])`` (or nested, 2-D) becomes a zeros array and element writes;
        ``np.array([u, v])`` of arrays of one rank, ``np.stack([u, v])`` (which the kinds
        pass tells: a placeholder first, as for ``np.tensordot``)."""
        rows = lst.elts
        if rows and not any(isinstance(r, ast.List) for r in rows) \
                and not all(isinstance(r, ast.Constant) or (isinstance(r, ast.UnaryOp) and
                                                          isinstance(r.operand, ast.Constant))
                            for r in rows):  # (numbers only: no second normalization)
            key = (self.src.filename, e.lineno, e.col_offset)
            ranks = (self.ranks or {}).get(key)
            if ranks is None:  # the first normalization: a placeholder for the kinds pass
                node = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "array", ast.Load()),
                                [self.atom(r, out) for r in rows], [])
                node = ast.copy_location(node, e)
                node.rank_site, node.rank_origin, node.array_rows = key, (self.src, e), True
                return node
            if any(ranks):
                if len(set(ranks)) > 1:
                    self.fail(e, f"{ast.unparse(e.func)}() of a list of values of ranks "
                              f"{', '.join(map(str, ranks))}", "give it arrays of one shape "
                              "(np.stack) or numbers, not both.")
                stack = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "stack", ast.Load()),
                                 [ast.List(list(rows), ast.Load())], [])
                return self.flat(ast.fix_missing_locations(ast.copy_location(stack, e)), out)
        if rows and all(isinstance(r, ast.List) for r in rows):
            shape = (len(rows), len(rows[0].elts))
            if any(len(r.elts) != shape[1] for r in rows):
                self.fail(e, "ragged np.array literal", "give every row the same length.")
            items = [((i, j), v) for i, r in enumerate(rows) for j, v in enumerate(r.elts)]
        else:
            shape = (len(rows),)
            items = [((i,), v) for i, v in enumerate(rows)]
        t = self.temp()
        zeros = ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "zeros", ast.Load()),
                         [ast.Tuple([ast.Constant(n) for n in shape], ast.Load())
                          if len(shape) > 1 else ast.Constant(shape[0])], [])
        self.emit(out, t, zeros)
        for idx, v in items:
            atom = self.atom(v, out)
            index = ast.Tuple([ast.Constant(i) for i in idx], ast.Load()) if len(idx) > 1 \
                else ast.Constant(idx[0])
            self.emit(out, ast.Subscript(ast.Name(t, ast.Load()), index, ast.Store()), atom)
        return ast.Name(t, ast.Load())

    def emit_func(self, obj, like):
        if obj in BUILTIN_EMIT:
            return ast.Name(BUILTIN_EMIT[obj], ast.Load())
        if obj in NUMBA_EMIT:  # the same function under a name Numba compiles
            return ast.Attribute(ast.Name("np", ast.Load()), NUMBA_EMIT[obj], ast.Load())
        helper = getattr(obj, "__name__", None)
        if helper in runtime.__all__ and getattr(runtime, helper) is obj:
            return ast.Name(helper, ast.Load())  # generated code's helpers are in its namespace
        for mod, modname in ((math, "math"), (np, "np")):
            name = getattr(obj, "__name__", None)
            if name and getattr(mod, name, None) is obj:  # np.arcsin, not its alias np.asin
                return ast.Attribute(ast.Name(modname, ast.Load()), name, ast.Load())
        for mod, modname in ((math, "math"), (np, "np")):
            for attr in dir(mod):
                if getattr(mod, attr, None) is obj:
                    return ast.Attribute(ast.Name(modname, ast.Load()), attr, ast.Load())
        return like  # pragma: no cover

    def prim_call(self, prim, func, args, keywords, e, out):
        axis, keepdims = None, False
        kw = {k.arg: k.value for k in keywords}
        if prim in LOWERED:
            return self.lowered(prim, args, kw, e, out)
        if prim in SIGNATURES:  # along an axis: rows (passes/along.py)
            node = self.along_axis(prim, args, kw, e, out)
            if node is not None:
                return node
            kw = {k.arg: k.value for k in keywords}
        if prim in ("var", "std") and (len(args) > 1 or "axis" in kw or "keepdims" in kw):
            return self.spread_axis(prim, args, kw, e, out)
        if prim == "mean" and ("weights" in kw or len(args) > 2):  # np.average(x, weights=w)
            return self.weighted_average(args, kw, e, out)
        if prim in ("sum", "mean", "prod", "amax", "amin"):
            keep = kw.pop("keepdims", None)
            if keep is not None and not (isinstance(keep, ast.Constant)
                                         and isinstance(keep.value, bool)):
                self.fail(e, f"keepdims={ast.unparse(keep)}", "write keepdims=True or False.")
            keepdims = keep is not None and keep.value
            if len(args) > 1:
                axis = args[1]
                args = args[:1]
            axis = kw.pop("axis", axis)
            if isinstance(axis, ast.Constant) and axis.value is None:
                axis = None  # axis=None: the whole array, as without it
            dtype = kw.pop("dtype", None)
            if dtype is not None and (self.src.resolve(dtype) if not isinstance(
                    dtype, ast.Constant) else dtype.value) not in (float, np.float64, "float64"):
                self.fail(e, f"dtype={ast.unparse(dtype)} in {ast.unparse(e.func)}()",
                          "only dtype=np.float64 (the float arrays srcgrad differentiates).")
            if isinstance(axis, (ast.Tuple, ast.List)):
                return self.reduce_axes(prim, args, axis, keepdims, kw, e, out)
            if axis is not None:
                prim += "_axis"
        elif prim == "norm" and (len(args) > 1 or kw):
            keep = kw.pop("keepdims", args[3] if len(args) > 3 else None)
            args = args[:3]
            if keep is not None and not (isinstance(keep, ast.Constant)
                                         and isinstance(keep.value, bool)):
                self.fail(e, f"keepdims={ast.unparse(keep)}", "write keepdims=True or False.")
            keepdims = keep is not None and keep.value
            if len(args) > 1 or kw:
                prim, func, args = self.norm_kind(args, kw, e)
        elif prim in ("var", "std") and "ddof" in kw:  # np.var(x, ddof=1)
            prim, func, args = prim + "_ddof", ast.Name(prim + "_ddof", ast.Load()), \
                args + [kw.pop("ddof")]
        elif prim == "reshape" and len(args) > 2:  # x.reshape(3, 4): the shape as a tuple
            args = [args[0], ast.copy_location(ast.Tuple(args[1:], ast.Load()), e)]
        elif prim == "clip":  # a bound left out or None: no bound (an infinite one)
            args = clip_bounds(args, kw, method=self.src.resolve(e.func) is not np.clip)
        elif prim == "transpose" and (len(args) > 1 or "axes" in kw):
            if len(args) > 2:  # x.transpose(1, 0, 2): the axes as a tuple
                args = [args[0], ast.copy_location(ast.Tuple(args[1:], ast.Load()), e)]
            axes = kw.pop("axes", args[1] if len(args) > 1 else None)
            perm = _literal_ints(axes)
            if perm is None or sorted(perm) != list(range(len(perm))) or len(args) > 2:
                self.fail(e, f"{ast.unparse(e.func)}() with axes {ast.unparse(axes)}",
                          "give the axes as a literal tuple of integers, e.g. (1, 0, 2).")
            prim, args = "transpose_axes", args[:1]
            consts = [ast.Tuple([ast.Constant(k) for k in perm], ast.Load())]
        if prim == "norm":  # (Numba's own is wrong for a vector with a negative stride)
            func = ast.Name("norm2", ast.Load())
        if prim in RULES and axis is None:  # keywords by their names, defaults filled in
            params, defaults = RULES[prim].params, DEFAULTS.get(prim, {})
            for p in params[len(args):]:
                if p in kw:
                    args.append(kw.pop(p))
                elif p in defaults:
                    args.append(ast.Constant(defaults[p]))
        if "out" in kw:
            self.fail(e, f"out= in {ast.unparse(e.func)}() (a write into an array)",
                      "assign the result instead: c = f(...), or c[:] = f(...) to write into c.")
        if kw:
            self.fail(e, f"keyword argument {next(iter(kw))}= in {ast.unparse(e.func)}()",
                      "pass it positionally, or leave it out.")
        atoms = [self.atom(a, out) for a in args]
        if prim in ("minimum", "maximum") and len(atoms) != 2:
            self.fail(e, f"{ast.unparse(e.func)}() with {len(atoms)} arguments",
                      "use min/max of two values (nest the calls for more).")
        if prim == "transpose_axes":
            atoms += consts
        if prim == "squeeze" and len(atoms) == 1 and axis is None:
            self.fail(e, f"{ast.unparse(e.func)}() without an axis (its rank would depend on "
                      "the array's shape)", "give the axis: x.squeeze(0), np.squeeze(x, axis=0).")
        expected = 2 if prim == "matmul" else len(RULES[prim].params) - (prim == "transpose_axes")
        if len(atoms) + (axis is not None) != expected:
            self.fail(e, f"{ast.unparse(e.func)}() with {len(atoms) + (axis is not None)} "
                      f"arguments", f"srcgrad's rule for it takes {expected}: "
                      f"{', '.join(RULES[prim].params[:expected]) if prim in RULES else 'a, b'}.")
        if axis is not None:
            atoms.append(self.keep(axis, out))
        helper = {"sum_axis": "sum_axis", "mean_axis": "mean_axis", "amax_axis": "max_axis",
                  "amin_axis": "min_axis", "prod_axis": "prod_axis"}.get(prim)
        if helper:  # Numba lacks np.mean(axis=) & co.: explicit-loop helpers
            func = ast.Name(helper, ast.Load())
        if prim == "reshape":  # Numba's np.reshape refuses arrays that are not contiguous
            func = ast.Name("reshape_to", ast.Load())
        elif prim in runtime.__all__:  # np.squeeze & co., which Numba lacks: srcgrad's helper
            func = ast.Name(prim, ast.Load())
        node = ast.Call(func, atoms, [])
        node.prim = prim
        node = ast.copy_location(node, e)
        if keepdims:  # the reduced value, with the reduced axes kept as length 1
            t = self.temp()
            self.emit(out, t, node)
            reduced = ast.Name(t, ast.Load())
            if axis is not None or prim == "norm_axis":
                node = self._prim_call_node("expand_dims", [reduced, clone(atoms[-1])], e)
            else:
                node = self._prim_call_node("keep_all", [reduced, clone(atoms[0])], e)
        return node

    def reduce_axes(self, prim, args, axis, keepdims, kw, e, out):
        """``np.sum(x, axis=(0, 1))`` and the other reductions over a literal tuple of axes:
        one axis at a time, each reduction the same function of the previous one (a mean of
        means is the mean); non-negative axes from the last, negative ones from the first, so
        the axes still to reduce keep their numbers."""
        axes = [int_literal(a) for a in axis.elts]
        name = ast.unparse(e.func)
        mixed = any(a < 0 for a in axes if a is not None) and any(
            a >= 0 for a in axes if a is not None)
        if kw or len(args) != 1 or not axes or None in axes or len(set(axes)) != len(axes) \
                or (mixed and not keepdims):
            self.fail(e, f"{name}() with axis={ast.unparse(axis)}",
                      "give distinct integer literals, all non-negative or all negative (or "
                      "keepdims=True).")
        cur = args[0]
        order = sorted(axes, reverse=True) if min(axes) >= 0 else sorted(axes)
        for a in order:
            keep = [ast.keyword("keepdims", ast.Constant(True))] if keepdims else []
            node = self.prim_call(prim, _np_func(prim, []), [cur, ast.Constant(a)], keep, e, out)
            t = self.temp()
            self.emit(out, t, node)
            cur = ast.Name(t, ast.Load())
            cur.normalized = True  # an atom already: not read again as the user's name
        return cur

    def _prim_call_node(self, prim, atoms, e, shown=None):
        func = {"copy": ast.Attribute(ast.Name("np", ast.Load()), "copy", ast.Load()),
                "where": ast.Attribute(ast.Name("np", ast.Load()), "where", ast.Load()),
                "solve": ast.Attribute(ast.Attribute(ast.Name("np", ast.Load()), "linalg",
                                                     ast.Load()), "solve", ast.Load()),
                "inv": ast.Attribute(ast.Attribute(ast.Name("np", ast.Load()), "linalg",
                                                   ast.Load()), "inv", ast.Load()),
                }.get(prim) or (ast.Name(prim, ast.Load()) if prim in runtime.__all__
                                else _np_func(prim, []))  # srcgrad's helper, else np.<prim>
        node = ast.Call(func, list(atoms), [])
        node.prim = prim
        if shown:
            node.shown = shown  # errors name the user's call (np.stack), not the primitive
        return ast.copy_location(node, e)

    def _prim_node(self, prim, atoms, e, out, shown=None):
        t = self.temp()
        self.emit(out, t, self._prim_call_node(prim, atoms, e, shown))
        return ast.Name(t, ast.Load())

    def library_call(self, obj, e, out):
        """A library function with a shim (srcgrad/library/): the shim's body, inlined at the
        user's call, the shim's defaults filling absent arguments."""
        name = library.qualname(obj)
        ranks = None
        by_rank = library.rank_params(obj)
        if by_rank is not None:  # the shim depends on ranks: a placeholder first (as tensordot)
            signature, wanted, kind = by_rank
            given = dict(zip(signature, e.args), **{k.arg: k.value for k in e.keywords})
            present = [p for p in wanted if p in given]
            key = (self.src.filename, e.lineno, e.col_offset)
            ranks = (self.ranks or {}).get(key)
            if ranks is None:
                for p, arg in given.items():  # (the others too, for the rank sites in them:
                    if p not in present and not isinstance(arg, (ast.List, ast.Tuple)) and \
                            any(isinstance(n, ast.Call) for n in ast.walk(arg)):
                        self.atom(arg, out)  # np.tensordot inside np.interp's xp)
                node = ast.Call(ast.Name("library_call", ast.Load()),
                                [self.atom(given[p], out) for p in present], [])
                node = ast.copy_location(node, e)
                node.rank_site, node.rank_origin = key, (self.src, e)
                node.library_kind = lambda kinds, present=present: kind(dict(zip(present, kinds)))
                return node
            ranks = dict(zip(present, ranks))  # (their kinds: passes/einsum.py rank_sites)
        picked = library.bind(obj, e.args, e.keywords, ranks)
        if isinstance(picked, str):
            self.fail(e, f"{name}() with {picked}", "see docs/subset.md for the arguments "
                      "srcgrad takes.")
        fn, args = picked
        callee = read_source(fn)
        callee = einsum.located_source(ast.unparse(callee.tree), e, self.src,
                                       namespace=callee.namespace)
        return self.inline_source(callee, fn.__name__, args, out)


def _literal_ints(e):
    """The integers of a literal tuple or list such as ``(1, 0, 2)``, else None."""
    if isinstance(e, (ast.Tuple, ast.List)) and all(
            isinstance(x, ast.Constant) and type(x.value) is int for x in e.elts):
        return [x.value for x in e.elts]
    return None


def _np_func(prim, args):
    if prim == "flatten":  # a copy, where np.ravel may give a view
        return ast.Name("flatten", ast.Load())
    name = {"amax": "max", "amin": "min", "matmul": "dot"}.get(prim, prim)
    return ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load())

