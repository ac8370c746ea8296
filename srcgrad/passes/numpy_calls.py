"""Normalize, NumPy calls that become other primitives: joins and splits of several arrays,
``np.append``, ``np.select``, ``np.einsum`` (loops, passes/einsum.py), ``np.linalg.norm``
with ``ord``/``axis``, ``np.var``/``np.std`` along an axis, and the calls in ``LOWERED``.

    np.concatenate((a, b, c))   ->  _t1 = concat(a, b, 0); _t2 = concat(_t1, c, 0)
    a, b = np.split(x, 2)       ->  _t3 = split_bound(x, 2, 0, 0, True) ...;
                                    a = piece(x, _t3, _t4, 0); b = piece(x, _t4, _t5, 0)
    np.var(x, axis=1)           ->  mean_axis, expand_dims, sub, mul, sum_axis, truediv
    np.inner(a, b)              ->  a @ np.transpose(b)
    np.add.at(y, idx, v)        ->  y = add_at(y, idx, v)      (a statement; subtract: -v)
"""
import ast
import math

import numpy as np

from .. import runtime
from . import einsum
from ..frontend.loops import int_literal
from .calls import _np_func
from .clone import clone
from .walk import marked


class NumpyCalls:
    """Mixed into the normalizer (with passes/calls.py's ``Calls``)."""

    def norm_kind(self, args, kw, e):
        """``np.linalg.norm(x, ord, axis)``: the primitive for a literal ``ord`` (None, 2,
        "fro", 1, ``np.inf``) and a literal integer ``axis``; ranks are checked with the
        kinds (``ord=2``, 1 and inf only of vectors: for a matrix NumPy means other norms)."""
        ord_ = kw.pop("ord", args[1] if len(args) > 1 else None)
        axis = kw.pop("axis", args[2] if len(args) > 2 else None)
        if isinstance(axis, ast.Constant) and axis.value is None:
            axis = None
        val = None if ord_ is None else ord_.value if isinstance(ord_, ast.Constant) \
            else self.src.resolve(ord_)
        if len(args) > 3 or (axis is not None and not (
                isinstance(axis, ast.Constant) and type(axis.value) is int)):
            val = "?"
        prim = {None: "norm", "fro": "norm_fro", 2: "norm_vec", 1: "norm1", math.inf: "norminf"}.get(
            val if isinstance(val, (str, int, float)) or val is None else "?")
        if axis is not None and prim in ("norm", "norm_vec"):  # ('fro' takes no axis: refused)
            return "norm_axis", ast.Name("norm_axis", ast.Load()), [args[0], axis]
        if prim is None or axis is not None:
            self.fail(e, f"{ast.unparse(e.func)}() with these arguments",
                      "srcgrad takes ord None, 2, 'fro', 1 or np.inf (literals) and axis a "
                      "literal integer with the 2-norm.")
        func = ast.Name(prim if prim in ("norm1", "norminf") else "norm2", ast.Load())
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

    def weighted_average(self, args, kw, e, out):
        """``np.average(x, weights=w)``: ``sum(x * w) / sum(w)`` over the whole array (``w``
        shaped like ``x``, or broadcasting to it, as NumPy requires); with ``axis=k`` the sums
        run along the axis, a 1-D ``w`` laid along it (``weights_along``)."""
        given = dict(zip(("x", "axis", "weights", "returned"), args), **kw)
        axis, returned = given.get("axis"), given.get("returned", ast.Constant(False))
        if axis is not None and isinstance(axis, ast.Constant) and axis.value is None:
            axis = None
        if set(given) - {"x", "axis", "weights", "returned"} or "weights" not in given \
                or isinstance(axis, (ast.Tuple, ast.List)) \
                or not (isinstance(returned, ast.Constant) and returned.value is False):
            self.fail(e, f"{ast.unparse(e.func)}() with weights and these arguments",
                      "srcgrad takes np.average(x, axis=k, weights=w) with one integer axis "
                      "or none, and no returned= or keepdims=.")
        x, w = self.atom(given["x"], out), self.atom(given["weights"], out)
        if axis is None:
            num = self._prim_node("sum", [self._binop(x, ast.Mult(), w, e, out)], e, out)
            den = self._prim_node("sum", [clone(w)], e, out)
            return self._binop(num, ast.Div(), den, e, out)
        axis = self.keep(axis, out)
        spread = self._prim_node("weights_along", [w, clone(x), axis], e, out)
        prod = self._binop(x, ast.Mult(), spread, e, out)
        num = self._prim_node("sum_axis", [prod, clone(axis)], e, out)
        den = self._prim_node("sum_axis", [clone(spread), clone(axis)], e, out)
        return self._binop(num, ast.Div(), den, e, out)

    def matrix_power(self, args, kw, e, out, name):
        """``np.linalg.matrix_power(a, n)`` with ``n`` a non-zero integer literal: products by
        repeated squaring (of ``inv(a)`` for negative ``n``), so both modes and Hessians follow
        from ``@`` and ``inv``."""
        given = dict(zip(("a", "n"), args), **kw)
        n = int_literal(given.get("n")) if set(given) == {"a", "n"} and len(args) <= 2 else None
        if not n:
            self.fail(e, f"{name}() with these arguments",
                      "give n a non-zero integer literal (np.eye(len(a)) for n = 0; a loop "
                      "of @ for a power known only at run time).")
        base = self.atom(given["a"], out)
        if n == 1:  # a new array in NumPy
            return self._prim_call_node("copy", [base], e, name)
        if n < 0:
            base = self._prim_node("inv", [base], e, out, name)
            n = -n
        result = None
        while n:
            if n & 1:
                result = base if result is None else self._binop(result, ast.MatMult(),
                                                                  clone(base), e, out)
            n >>= 1
            if n:
                base = self._binop(base, ast.MatMult(), clone(base), e, out)
        return result

    def _binop(self, a, op, b, e, out):
        node = ast.copy_location(ast.BinOp(a, op, b), e)
        node.prim = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv",
                     ast.MatMult: "matmul"}[type(op)]
        t = self.temp()
        self.emit(out, t, node)
        return ast.Name(t, ast.Load())

    def lowered(self, prim, args, kw, e, out):
        """Calls that are other primitives: ``np.inner(a, b)`` is ``a @ b.T`` (for vectors
        and matrices), ``np.rollaxis`` a ``moveaxis``, ``np.take(x, idx)`` the index
        ``x[idx]``, ``x.astype(np.float64)`` a copy, ``np.linalg.solve`` a solve whose rule
        is chosen by the rank of its right-hand side."""
        name = ast.unparse(e.func)
        if prim == "matrix_power":
            return self.matrix_power(args, kw, e, out, name)
        if prim == "take" and len(args) == 2 and not kw:
            return self.flat(ast.copy_location(ast.Subscript(args[0], args[1], ast.Load()), e), out)
        if prim == "astype" and len(args) == 2 and not kw:
            d = self.dtype_node(args[1], e)  # (passes/dtypes.py: refused if it has no kind)
            if ast.unparse(d) == "np.float64":  # a new float array (of integers too)
                return self._prim_call_node("as_float", [self.atom(args[0], out)], e, name)
            if not (isinstance(d, ast.Attribute) and isinstance(d.value, ast.Name)
                    and d.value.id == "np"):
                self.fail(e, f"{name}({ast.unparse(args[1])})",
                          "give the dtype itself: astype(np.float64), or astype(int) for "
                          "whole numbers.")
            # integers or booleans: NumPy truncates, derivative zero (as int(), np.floor)
            base = self.atom(args[0], out)  # (lowered like any value: np.maximum.reduce(M))
            base.normalized = True  # (an atom already: keep() does not read it again)
            cast = ast.copy_location(ast.Call(ast.Attribute(base, "astype", ast.Load()),
                                              [d], []), e)
            cast.integer_cast = True  # (kept whole: passes/keepwhole.py)
            return self.keep(cast, out)
        if prim == "item" and len(args) == 1 and not kw:  # NumPy's ValueError if x.size != 1
            flat = self._prim_node("reshape", [self.atom(args[0], out), ast.Tuple(
                [ast.Constant(1)], ast.Load())], e, out, name)
            node = ast.copy_location(ast.Subscript(flat, ast.Constant(0), ast.Load()), e)
            node.prim = "getitem"
            return node
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
        if prim in ("eigh", "eigvalsh") and len(args) == 1 \
                and all(ast.unparse(v) in ("'L'", '"L"') for k, v in kw.items() if k == "UPLO") \
                and set(kw) <= {"UPLO"}:  # (w, V), or w: a primitive each
            x = self.atom(args[0], out)
            w = self._prim_node("eigh_w", [x], e, out, name)
            if prim == "eigvalsh":
                return w
            return ast.Tuple([w, self._prim_node("eigh_v", [clone(x)], e, out, name)], ast.Load())
        if prim == "svd":
            return self.svd(args, kw, e, out, name)
        if prim == "compress":
            return self.compress(args, kw, e, out, name)
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
                   "eigh": "np.linalg.eigh(x) of one matrix (its lower half, UPLO='L').",
                   "eigvalsh": "np.linalg.eigvalsh(x) of one matrix (its lower half, UPLO='L').",
                   "astype": "write x.astype(np.float64)."}.get(prim, "pass its two arrays."))

    def compress(self, args, kw, e, out, name):
        """``x.compress(c, axis)`` and ``np.compress(c, x, axis)``: the mask read ``x[c]``
        along the axis (of the flattened ``x`` without one), ``c`` at most as long as it."""
        if self.src.resolve(e.func) is np.compress:
            args = [args[1], args[0], *args[2:]] if len(args) >= 2 else args
        given = dict(zip(("x", "c", "axis"), args), **kw)
        axis = given.get("axis", ast.Constant(None))
        if len(args) > 3 or set(given) - {"x", "c", "axis"} or len(given) < 2 \
                or not (isinstance(axis, ast.Constant) and axis.value in (None, 0, 1)):
            self.fail(e, f"{name}() with these arguments",
                      "pass the condition, and axis=0 or 1 (a literal) at most.")
        seq = {None: "x.ravel()", 0: "x", 1: "x.T"}[axis.value]
        text = (f"def compress(c, x):\n"
                f"    if c.shape[0] > {seq}.shape[0]:\n"
                f"        raise IndexError('compress: the condition is longer than the axis')\n"
                f"    return {seq}[0:c.shape[0]][c]" + (".T\n" if axis.value == 1 else "\n"))
        callee = einsum.located_source(text, e, self.src)
        return self.inline_source(callee, "compress", [given["c"], given["x"]], out)

    def svd(self, args, kw, e, out, name):
        """``np.linalg.svd(x, full_matrices, compute_uv)``: the singular values alone
        (``compute_uv=False``), or the tuple ``(U, s, Vh)``, a primitive each."""
        given = dict(zip(("x", "full_matrices", "compute_uv"), args), **kw)
        uv = given.get("compute_uv", ast.Constant(True))
        if len(args) > 3 or set(given) - {"x", "full_matrices", "compute_uv"} \
                or not (isinstance(uv, ast.Constant) and uv.value in (True, False)):
            self.fail(e, f"{name}() with these arguments",
                      "pass the matrix, and full_matrices= and compute_uv= (a literal True or "
                      "False) at most.")
        x = self.atom(given["x"], out)
        s = self._prim_node("svd_s", [x], e, out, name)
        if not uv.value:
            return s
        full = self.atom(given.get("full_matrices", ast.Constant(True)), out)
        u = self._prim_node("svd_u", [clone(x), full], e, out, name)
        vh = self._prim_node("svd_vh", [clone(x), clone(full)], e, out, name)
        return ast.Tuple([u, s, vh], ast.Load())

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
            bounds += [self.keep_atom(item, out) for item in sections.elts]
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
        return self._as_temp(self.keep(c, out), out)  # kept whole (a condition, a bound)

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

    def tensordot(self, e, out):
        """``np.tensordot(a, b, axes)`` with literal axes: the einsum its ranks spell (the
        ranks come from the kinds pass: see ``normalize.rank_sites``)."""
        name = ast.unparse(e.func)
        given = dict(zip(("a", "b", "axes"), e.args), **{k.arg: k.value for k in e.keywords})
        axes = einsum.tensordot_axes(given.get("axes", ast.Constant(2)))
        if len(e.args) > 3 or set(given) - {"a", "b", "axes"} or not {"a", "b"} <= set(given) \
                or axes is None:
            self.fail(e, f"{name}() with these arguments",
                      "pass two arrays and axes= as a literal: an integer, or a pair of "
                      "integers or of lists of integers.")
        key = (self.src.filename, e.lineno, e.col_offset)
        ranks = (self.ranks or {}).get(key)
        if ranks is None:  # the first normalization: a placeholder for the kinds pass
            a, b = self.atom(given["a"], out), self.atom(given["b"], out)
            node = ast.copy_location(ast.Call(ast.Name("tensordot", ast.Load()), [a, b], []), e)
            node.rank_site, node.rank_origin = key, (self.src, e)
            node.contracted = axes if isinstance(axes, int) else len(axes[0])
            return node
        subs = einsum.tensordot_subscripts(ranks, axes)
        if isinstance(subs, str):
            self.fail(e, f"{name}() with {subs}", "contract axes that both operands have, "
                      "of equal number.")
        callee = einsum.helper(*subs, e, self.src, "tensordot")
        return self.inline_source(callee, "tensordot", [given["a"], given["b"]], out)

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

    def add_at(self, e, out):
        """``np.add.at(y, idx, v)`` (a statement): ``y = add_at(y, idx, v)``, every
        contribution of a repeated index kept; ``np.subtract.at`` adds ``-v``."""
        name = ast.unparse(e.func)
        if len(e.args) != 3 or e.keywords or not isinstance(e.args[0], ast.Name):
            self.fail(e, f"{name}() with these arguments", f"write {name}(y, idx, values) with "
                      "y a variable.")
        y, idx, v = e.args
        if ufunc_at(e, self.src.resolve) == "subtract":
            v = ast.copy_location(ast.UnaryOp(ast.USub(), v), v)
        atoms = [self.atom(a, out) for a in (y, idx, v)]
        t = self._prim_node("add_at", atoms, e, out, name)
        self.assign(ast.copy_location(ast.Name(y.id, ast.Store()), y), marked(t), out)


def ufunc_at(e, resolve):
    """"add" for a call ``np.add.at(...)``, "subtract" for ``np.subtract.at(...)``, else
    None."""
    if not (isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute) and e.func.attr == "at"):
        return None
    try:
        ufunc = resolve(e.func.value)
    except Exception:  # noqa: BLE001 -- not a name this module knows
        return None
    return {id(np.add): "add", id(np.subtract): "subtract"}.get(id(ufunc))
