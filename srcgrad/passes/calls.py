"""Normalize, calls: a call becomes a primitive of the rule table, a kept-whole bookkeeping
call, an array literal, or the inlined body of a user function.

    np.sum(x, axis=1)          ->  _t1 = sum_axis(x, 1)          (prim sum_axis)
    np.transpose(x, (1, 0, 2)) ->  _t2 = np.transpose(x, (1, 0, 2))   (prim transpose_axes)
    np.array([a, 2.0 * a])     ->  _t3 = np.zeros(2); _t3[0] = a; _t3[1] = _t4
    helper(x[0])               ->  the body of helper, locals renamed helper_v

Every primitive call is checked against its rule: the number of arguments and the keywords it
understands; ranks are checked with the kinds (passes/types.py).
"""
import ast
import inspect
import math

import numpy as np

from .. import runtime
from ..frontend.source import _MISSING, read_source
from ..rules.table import (ARRAY_LITERAL_CALLS, CALLS, CREATION_CALLS, DEFAULTS, JOIN_CALLS,
                           EINSUM_CALLS, LOWERED, METHODS, NONDIFF_CALLS, RULES, SELECT_CALLS,
                           SPLIT_CALLS)
from . import einsum
from .clone import clone


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
        obj = self.src.resolve(f)
        if self.src.internal and isinstance(f, ast.Attribute) and f.attr == "pop":
            st = self.name(f.value.id)
            node = ast.Call(ast.Attribute(ast.Name(st, ast.Load()), "pop", ast.Load()), [], [])
            node.pop_from = st
            return ast.copy_location(node, e)
        if obj is _MISSING and isinstance(f, ast.Attribute) and f.attr in METHODS:
            prim = METHODS[f.attr]
            args = [f.value] + list(e.args)
            return self.prim_call(prim, _np_func(prim, args), args, e.keywords, e, out)
        try:
            known = obj in CALLS or obj in NONDIFF_CALLS or obj in CREATION_CALLS \
                or obj in JOIN_CALLS
        except TypeError:
            known = False
        if obj in ARRAY_LITERAL_CALLS and len(e.args) == 1 and isinstance(e.args[0], ast.List) \
                and not e.keywords:
            return self.array_literal(e.args[0], e, out)
        if obj in JOIN_CALLS.keys():
            return self.join(JOIN_CALLS[obj], e, out)
        if obj in SPLIT_CALLS.keys():
            return self.split(SPLIT_CALLS[obj], e, out)
        if obj in EINSUM_CALLS:
            return self.einsum(e, out)
        if obj in SELECT_CALLS:
            return self.select(e, out)
        if known and obj in CALLS:
            prim = CALLS[obj]
            return self.prim_call(prim, self.emit_func(obj, e.func), list(e.args), e.keywords, e, out)
        if known:
            return self.keep(e, out)
        if inspect.isfunction(obj):
            return self.inline(obj, e, out)
        self.fail(e, f"call to {ast.unparse(f)}() with no derivative rule",
                  "see docs/adding-a-rule.md.")

    def array_literal(self, lst, e, out):
        """``np.array([a, b])`` (or nested, 2-D) becomes a zeros array and element writes."""
        rows = lst.elts
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
        if prim in ("var", "std") and (len(args) > 1 or "axis" in kw or "keepdims" in kw):
            return self.spread_axis(prim, args, kw, e, out)
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
            if axis is not None:
                prim += "_axis"
        elif prim == "norm" and (len(args) > 1 or kw):
            prim, func, args = self.norm_kind(args, kw, e)
        elif prim in ("var", "std") and "ddof" in kw:  # np.var(x, ddof=1)
            prim, func, args = prim + "_ddof", ast.Name(prim + "_ddof", ast.Load()), \
                args + [kw.pop("ddof")]
        elif prim == "reshape" and len(args) > 2:  # x.reshape(3, 4): the shape as a tuple
            args = [args[0], ast.copy_location(ast.Tuple(args[1:], ast.Load()), e)]
        elif prim == "clip":
            args = args + [kw.pop(k) for k in ("a_min", "a_max") if k in kw]
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
        if prim in RULES and axis is None:  # keywords by their names, defaults filled in
            params, defaults = RULES[prim].params, DEFAULTS.get(prim, {})
            for p in params[len(args):]:
                if p in kw:
                    args.append(kw.pop(p))
                elif p in defaults:
                    args.append(ast.Constant(defaults[p]))
        if kw:
            self.fail(e, f"keyword argument {next(iter(kw))}= in {ast.unparse(e.func)}()",
                      "pass it positionally, or leave it out.")
        atoms = [self.atom(a, out) for a in args]
        if prim in ("minimum", "maximum") and len(atoms) != 2:
            self.fail(e, f"{ast.unparse(e.func)}() with {len(atoms)} arguments",
                      "use min/max of two values (nest the calls for more).")
        if prim == "transpose_axes":
            atoms += consts
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
            if axis is not None:
                node = self._prim_call_node("expand_dims", [reduced, clone(atoms[-1])], e)
            else:
                node = self._prim_call_node("keep_all", [reduced, clone(atoms[0])], e)
        return node

    def norm_kind(self, args, kw, e):
        """``np.linalg.norm(x, ord, axis)``: the primitive for a literal ``ord`` (None, 2,
        "fro", 1, ``np.inf``) and a literal integer ``axis``; ranks are checked with the
        kinds (``ord=2``, 1 and inf only of vectors: for a matrix NumPy means other norms)."""
        ord_ = kw.pop("ord", args[1] if len(args) > 1 else None)
        axis = kw.pop("axis", args[2] if len(args) > 2 else None)
        val = None if ord_ is None else ord_.value if isinstance(ord_, ast.Constant) \
            else self.src.resolve(ord_)
        if len(args) > 3 or (axis is not None and not (
                isinstance(axis, ast.Constant) and type(axis.value) is int)):
            val = "?"
        prim = {None: "norm", "fro": "norm", 2: "norm_vec", 1: "norm1", math.inf: "norminf"}.get(
            val if isinstance(val, (str, int, float)) or val is None else "?")
        if axis is not None and prim in ("norm", "norm_vec"):
            return "norm_axis", ast.Name("norm_axis", ast.Load()), [args[0], axis]
        if prim is None or axis is not None:
            self.fail(e, f"{ast.unparse(e.func)}() with these arguments",
                      "srcgrad takes ord None, 2, 'fro', 1 or np.inf (literals) and axis a "
                      "literal integer with the 2-norm.")
        func = ast.Name(prim, ast.Load()) if prim in ("norm1", "norminf") else clone(e.func)
        return prim, func, args[:1]

    def spread_axis(self, prim, args, kw, e, out):
        """``np.var(x, axis=k, ddof=d, keepdims=...)`` and ``np.std``: the mean along the
        axis, the squared deviations summed along it over ``n - ddof``, and a square root for
        ``std``, written in the primitives (so both modes and Hessians follow)."""
        name = ast.unparse(e.func)
        axis = kw.pop("axis", args[1] if len(args) > 1 else None)
        ddof = kw.pop("ddof", ast.Constant(0))
        keep = kw.pop("keepdims", ast.Constant(False))
        if kw or len(args) > 2 or not (isinstance(axis, ast.Constant) and type(axis.value) is int
                                       and axis.value >= 0) or not (
                isinstance(keep, ast.Constant) and isinstance(keep.value, bool)):
            self.fail(e, f"{name}() with these arguments",
                      "give axis= a non-negative integer literal (ddof= and keepdims=True "
                      "or False may follow).")
        x = self.atom(args[0], out)
        ddof = self.atom(ddof, out)
        mean = self._prim_node("mean_axis", [x, axis], e, out, name)
        if axis.value > 0:  # along axis 0 the means broadcast against x as they are
            mean = self._prim_node("expand_dims", [mean, clone(axis)], e, out, name)
        dev = self._binop(x, ast.Sub(), mean, e, out)
        sq = self._binop(dev, ast.Mult(), clone(dev), e, out)
        total = self._prim_node("sum_axis", [sq, clone(axis)], e, out, name)
        n = self.temp()
        self.emit(out, n, ast.BinOp(ast.Subscript(ast.Attribute(clone(x), "shape", ast.Load()),
                                                  clone(axis), ast.Load()), ast.Sub(), ddof))
        result = self._binop(total, ast.Div(), ast.Name(n, ast.Load()), e, out)
        if prim == "std":
            node = ast.copy_location(ast.Call(_np_func("sqrt", []), [result], []), e)
            node.prim = "sqrt"
            t = self.temp()
            self.emit(out, t, node)
            result = ast.Name(t, ast.Load())
        if keep.value:
            return self._prim_call_node("expand_dims", [result, clone(axis)], e, name)
        return result

    def _binop(self, a, op, b, e, out):
        node = ast.copy_location(ast.BinOp(a, op, b), e)
        node.prim = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv"}[type(op)]
        t = self.temp()
        self.emit(out, t, node)
        return ast.Name(t, ast.Load())

    def lowered(self, prim, args, kw, e, out):
        """Calls that are other primitives: ``np.inner(a, b)`` is ``a @ b.T`` (for vectors
        and matrices), ``np.rollaxis`` a ``moveaxis``, ``np.take(x, idx)`` the index
        ``x[idx]``, ``x.astype(np.float64)`` a copy, ``np.linalg.solve`` a solve whose rule
        is chosen by the rank of its right-hand side."""
        name = ast.unparse(e.func)
        if prim == "take" and len(args) == 2 and not kw:
            return self.flat(ast.copy_location(ast.Subscript(args[0], args[1], ast.Load()), e), out)
        if prim == "astype" and len(args) == 2 and not kw:
            dtype = self.src.resolve(args[1]) if not isinstance(args[1], ast.Constant) \
                else args[1].value
            if dtype in (float, np.float64, "float64", "f8", "float", "d"):
                return self._prim_call_node("copy", [self.atom(args[0], out)], e, name)
            self.fail(e, f"{name}({ast.unparse(args[1])})",
                      "only astype(np.float64) (a copy) keeps a derivative; use np.floor or "
                      "int() where an integer is meant.")
        if prim == "median" and len(args) == 1 and not kw:  # the middle one or two of a sort
            s = self._prim_node("sort", [self.atom(args[0], out)], e, out, name)
            lo, hi = self.temp(), self.temp()
            n = ast.Subscript(ast.Attribute(clone(s), "shape", ast.Load()), ast.Constant(0), ast.Load())
            self.emit(out, lo, ast.BinOp(ast.BinOp(n, ast.Sub(), ast.Constant(1)), ast.FloorDiv(),
                                         ast.Constant(2)))
            self.emit(out, hi, ast.BinOp(clone(n), ast.FloorDiv(), ast.Constant(2)))
            a, b = (self._as_temp(self._getitem(s, i, e), out) for i in (lo, hi))
            total = self._binop(a, ast.Add(), b, e, out)
            return self._binop(total, ast.Mult(), ast.Constant(0.5), e, out)
        if prim == "slogdet" and len(args) == 1 and not kw:  # (sign, log|det|): a tuple
            x = self.atom(args[0], out)
            sign = self.temp()
            self.emit(out, sign, ast.Call(ast.Name("slogdet_sign", ast.Load()), [clone(x)], []))
            return ast.Tuple([ast.Name(sign, ast.Load()),
                              self._prim_node("logabsdet", [x], e, out, name)], ast.Load())
        if prim in ("inner", "solve") and len(args) == 2 and not kw:
            a, b = (self.atom(x, out) for x in args)
            if prim == "solve":
                return self._prim_call_node("solve", [a, b], e, name)
            bt = self._prim_node("transpose", [b], e, out, name)
            return self._prim_call_node("matmul", [a, bt], e, name)
        if prim == "rollaxis" and 2 <= len(args) + len(kw) <= 3 and set(kw) <= {"axis", "start"}:
            given = dict(zip(("x", "axis", "start"), args), **kw)
            axis, start = given.get("axis"), given.get("start", ast.Constant(0))
            ints = [v.value if isinstance(v, ast.Constant) and type(v.value) is int else -1
                    for v in (axis, start)]
            if min(ints) >= 0:
                dst = ints[1] if ints[1] <= ints[0] else ints[1] - 1
                return self._prim_call_node("moveaxis", [self.atom(given["x"], out),
                                                         ast.Constant(ints[0]), ast.Constant(dst)],
                                            e, name)
            self.fail(e, f"{name}() with axis {ast.unparse(axis)}",
                      "give axis and start as non-negative integer literals, or use np.moveaxis.")
        self.fail(e, f"{name}() with these arguments",
                  {"take": "take with one 1-D integer index array and no axis, or index directly.",
                   "median": "np.median of a 1-D array, with no axis.",
                   "astype": "write x.astype(np.float64)."}.get(prim, "pass its two arrays."))

    def join(self, kind, e, out):
        """``np.concatenate((a, b, c), axis)`` and the stacks: the arrays joined two at a time
        by the primitive ``concat`` (``stack`` first gives each array the new axis,
        ``vstack`` makes 1-D arrays rows, ``hstack`` joins 1-D arrays end to end and 2-D ones
        side by side, ``column_stack`` makes 1-D arrays columns)."""
        name = ast.unparse(e.func)
        kw = {k.arg: k.value for k in e.keywords}
        if kind == "append":
            return self.append(e, kw, out)
        axis = kw.pop("axis", e.args[1] if len(e.args) > 1 else None)
        if kw or len(e.args) > (2 if kind in ("concatenate", "stack") else 1) or not e.args \
                or (axis is not None and kind not in ("concatenate", "stack")):
            self.fail(e, f"{name}() with these arguments",
                      "pass the arrays as a literal tuple or list (and axis= for concatenate "
                      "and stack).")
        seq = e.args[0]
        items = list(seq.elts) if isinstance(seq, (ast.List, ast.Tuple)) else \
            self.elements(self.flat(seq, out))
        if not items:
            self.fail(e, f"{name}() of {ast.unparse(seq)}",
                      "pass the arrays as a literal tuple or list, e.g. (a, b).")
        parts = [self.atom(x, out) for x in items]
        if axis is None:
            axis = ast.Constant(0)
        if kind != "hstack" and not (isinstance(axis, ast.Constant) and axis.value in (0, 1)):
            self.fail(e, f"{name}() with axis={ast.unparse(axis)}",
                      "srcgrad joins along axis 0 or 1 (a literal); transpose for others.")
        if kind == "stack":
            parts = [self._prim_node("expand_dims", [p, clone(axis)], e, out, name) for p in parts]
        elif kind == "vstack":
            parts = [self._prim_node("atleast_2d", [p], e, out, name) for p in parts]
        elif kind == "column_stack":  # 1-D arrays become columns; joined side by side
            parts = [self._prim_node("as_column", [p], e, out, name) for p in parts]
            axis = ast.Constant(1)
        elif kind == "hstack":  # along axis 0 for 1-D arrays, 1 for 2-D ones: decided at run time
            axis = ast.Name(self.temp(), ast.Load())
            self.emit(out, axis.id, ast.Call(ast.Name("hstack_axis", ast.Load()),
                                             [clone(parts[0])], []))
        acc = parts[0]
        if len(parts) == 1:
            return self._prim_call_node("copy", [acc], e, name)
        for p in parts[1:-1]:
            acc = self._prim_node("concat", [acc, p, clone(axis)], e, out, name)
        return self._prim_call_node("concat", [acc, parts[-1], clone(axis)], e, name)

    def split(self, kind, e, out):
        """``np.split(x, k, axis)`` and its kin: a tuple of ``k`` pieces, each the primitive
        ``piece(x, lo, hi, axis)``; the bounds come from ``split_bound`` (which raises, as
        NumPy does, when ``np.split`` cannot split evenly) or from a literal list of
        indices.  ``hsplit`` splits along axis 1, or 0 for a 1-D array (decided at run
        time), ``vsplit`` along 0 and ``dsplit`` along 2."""
        name = ast.unparse(e.func)
        kw = {k.arg: k.value for k in e.keywords}
        fixed = {"vsplit": 0, "dsplit": 2}.get(kind)
        axis = kw.pop("axis", e.args[2] if len(e.args) > 2 else None)
        if kw or len(e.args) not in (2, 3) or (axis is not None and kind not in (
                "split", "array_split")) or (axis is not None and not (
                isinstance(axis, ast.Constant) and axis.value in (0, 1, 2))):
            self.fail(e, f"{name}() with these arguments",
                      "pass the array and the number of pieces (or a literal list of indices), "
                      "and axis= a literal 0, 1 or 2 for split and array_split.")
        x = self.atom(e.args[0], out)
        if kind == "hsplit":
            axis = ast.Name(self.temp(), ast.Load())
            self.emit(out, axis.id, ast.Call(ast.Name("hstack_axis", ast.Load()), [clone(x)], []))
        else:
            axis = ast.Constant(fixed if fixed is not None else axis.value if axis else 0)
        sections = e.args[1]
        if isinstance(sections, ast.Constant) and type(sections.value) is int and sections.value > 0:
            k, bounds = sections.value, []
            for i in range(k + 1):
                t = self.temp()
                self.emit(out, t, ast.Call(ast.Name("split_bound", ast.Load()), [
                    clone(x), ast.Constant(k), ast.Constant(i), clone(axis),
                    ast.Constant(kind != "array_split")], []))
                bounds.append(ast.Name(t, ast.Load()))
        elif isinstance(sections, (ast.List, ast.Tuple)) and sections.elts:
            bounds = [ast.Constant(0)]
            for item in sections.elts:
                kept = self.keep(item, out)
                if not _is_atom(kept):
                    t = self.temp()
                    self.emit(out, t, kept)
                    kept = ast.Name(t, ast.Load())
                bounds.append(kept)
            bounds.append(ast.Constant(runtime.shape.END))
        else:
            self.fail(e, f"{name}() into {ast.unparse(sections)} pieces",
                      "give the number of pieces as an integer literal (or a literal list of "
                      "indices): srcgrad needs to know how many arrays come back.")
        return ast.Tuple([self._prim_node("piece", [clone(x), lo, hi, clone(axis)], e, out, name)
                          for lo, hi in zip(bounds, bounds[1:])], ast.Load())

    def select(self, e, out):
        """``np.select([c1, c2], [a1, a2], default)``: the first true condition's choice, as
        ``where(c1, a1, where(c2, a2, default))``."""
        name = ast.unparse(e.func)
        kw = {k.arg: k.value for k in e.keywords}
        args = list(e.args) + [kw.pop(k) for k in ("condlist", "choicelist", "default") if k in kw]
        if kw or len(args) not in (2, 3) or not all(
                isinstance(a, (ast.List, ast.Tuple)) for a in args[:2]) \
                or len(args[0].elts) != len(args[1].elts) or not args[0].elts:
            self.fail(e, f"{name}() with these arguments",
                      "pass two literal lists of the same length (conditions, choices) and "
                      "optionally a default.")
        acc = self.atom(args[2], out) if len(args) == 3 else ast.Constant(0.0)
        pairs = list(zip(args[0].elts, args[1].elts))
        for k, (c, a) in enumerate(reversed(pairs)):
            atoms = [self.keep_atom(c, out), self.atom(a, out), acc]
            if k == len(pairs) - 1:
                return self._prim_call_node("where", atoms, e, name)
            acc = self._prim_node("where", atoms, e, out, name)

    def _getitem(self, base, index_name, e):
        node = ast.copy_location(ast.Subscript(clone(base), ast.Name(index_name, ast.Load()),
                                               ast.Load()), e)
        node.prim = "getitem"
        return node

    def _as_temp(self, v, out):
        if isinstance(v, (ast.Name, ast.Constant)):
            return v
        t = self.temp()
        self.emit(out, t, v)
        return ast.Name(t, ast.Load())

    def keep_atom(self, c, out):
        kept = self.keep(c, out)
        if isinstance(kept, (ast.Name, ast.Constant)):
            return kept
        t = self.temp()
        self.emit(out, t, kept)
        return ast.Name(t, ast.Load())

    def einsum(self, e, out):
        """``np.einsum("ij,jk->ik", a, b)``: a helper of loops (passes/einsum.py), inlined."""
        sub = e.args[0] if e.args else None
        parsed = einsum.parse(sub.value if isinstance(sub, ast.Constant) else None,
                              len(e.args) - 1)
        if isinstance(parsed, str) or e.keywords:
            self.fail(e, f"{ast.unparse(e.func)}() with {parsed if isinstance(parsed, str) else 'keywords'}",
                      "give literal subscripts with explicit letters (\"ij,jk->ik\"), one per "
                      "operand, and no keywords.")
        callee = einsum.helper(*parsed, e, self.src)
        return self.inline_source(callee, "einsum", e.args[1:], out)

    def append(self, e, kw, out):
        """``np.append(a, b)``: both flattened and joined; with ``axis=``, a concatenate."""
        axis = kw.pop("axis", e.args[2] if len(e.args) > 2 else None)
        if kw or len(e.args) not in (2, 3) or (axis is not None and not (
                isinstance(axis, ast.Constant) and axis.value in (0, 1))):
            self.fail(e, f"{ast.unparse(e.func)}() with these arguments",
                      "pass two arrays (and axis=0 or 1, a literal).")
        parts = [self.atom(x, out) for x in e.args[:2]]
        if axis is None:
            parts = [self._prim_node("ravel", [p], e, out, "np.append") for p in parts]
            axis = ast.Constant(0)
        return self._prim_call_node("concat", parts + [axis], e, "np.append")

    def _prim_call_node(self, prim, atoms, e, shown=None):
        func = {"copy": ast.Attribute(ast.Name("np", ast.Load()), "copy", ast.Load()),
                "where": ast.Attribute(ast.Name("np", ast.Load()), "where", ast.Load()),
                "solve": ast.Attribute(ast.Attribute(ast.Name("np", ast.Load()), "linalg",
                                                     ast.Load()), "solve", ast.Load()),
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

    def inline(self, fn, e, out):
        if self.depth > 20:
            self.fail(e, "calls nested more than 20 deep", "flatten the call chain.")
        callee = read_source(fn)
        if len(e.args) != len(callee.params) or e.keywords:
            self.fail(e, f"call to {fn.__name__}() with {len(e.args)} positional arguments",
                      f"pass exactly its {len(callee.params)} parameters positionally.")
        return self.inline_source(callee, fn.__name__, e.args, out)

    def inline_source(self, callee, prefix, args, out):
        bind = {p: self.atom(a, out) for p, a in zip(callee.params, args)}
        sub = type(self)(callee, self.names, prefix, self.constants, self.depth + 1,
                          self.tuples)
        body = sub.function(bind).body
        ret = body.pop()
        out.extend(body)
        return ret.value  # an atom, or a tuple of atoms


def _is_atom(e):
    return isinstance(e, (ast.Name, ast.Constant))


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
