"""Infer a kind for every variable: int/float/bool scalar, or array of some rank.

Specialized on the argument kinds of a call (like Numba's own dispatch), so the reverse pass
knows ``bx = 0.0`` from ``bx = np.zeros_like(x)`` and where a broadcast must be summed back:

    def f(x, n):          x: array(1, f)   n: int
        _t1 = x[i]        _t1: float
        s = s + _t1       s: float

A kind is a tuple: ``("s", "f")`` float, ``("s", "i")`` int, ``("s", "b")`` bool,
``("a", ndim, dtype)`` array, ``("t", kinds)`` tuple; ``None`` when not known.
"""
import ast

# the kinds' vocabulary lives in srcgrad/kinds.py; imported from here by the passes
from ..kinds import (BOOL, FLOAT, INT, describe, is_array, is_float,  # noqa: F401
                     is_scalar, join, kind_of_value, literal_dtype, ndim)
from ..errors import Problem, SrcgradError, UnsupportedError
from ..rules.core import USER_RULES
from ..rules.table import ACCEPT_HINTS, ACCEPTS, RULES
from .callkinds import _broadcast, call_kind, matmul_kind  # noqa: F401
from .walk import nodes


def is_none(i):
    return isinstance(i, ast.Constant) and i.value is None


def index_rank_change(index, kind_of):
    """How many axes indexing adds: an integer index drops one, ``None`` adds one, a slice
    keeps one, a k-D integer array replaces one with k, a k-D mask k with one; integer arrays
    together (``P[rows, cols]``) replace theirs with their broadcast shape's."""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    kinds = [None if is_none(i) or isinstance(i, ast.Slice) else kind_of(i) for i in parts]
    arrays = [k for k in kinds if is_array(k)]
    if len(arrays) > 1:  # NumPy broadcasts the integer arrays (and numbers) together:
        # their axes are replaced by the broadcast shape's; a k-D mask counts as its k axes
        # and gives one (its entries' positions)
        consumed = sum(k[1] if k[2] == "b" else 1 for k in kinds if k is not None)
        added = max(1 if k[2] == "b" else k[1] for k in arrays)
        return added - consumed + sum(1 for i in parts if is_none(i))
    change = 0
    for i, k in zip(parts, kinds):
        if is_none(i):
            change += 1
        elif isinstance(i, ast.Slice):
            continue
        elif is_array(k) and k[2] == "b":
            change += 1 - k[1]  # a k-D mask: its k axes become one
        else:
            change += (k[1] - 1) if is_array(k) else -1
    return change


def _accepts(want, k):
    if k is None:
        return True
    if want == "s":
        return is_scalar(k)
    if want == "n":
        return is_scalar(k) and k[1] in "ib"
    if want == "i":
        return (is_scalar(k) and k[1] in "ib") or (k[0] == "t" and all(_accepts("i", x) for x in k[1]))
    return is_array(k) and k[1] in want


_WANT = {"s": "a scalar", "n": "an integer (one axis)", "i": "an integer or a tuple of integers"}


def infer(fdef, arg_kinds, constants, names=None, src=None):
    """Return {variable: kind} for the normalized ``fdef`` given {param: kind}.

    A variable that holds values of different ranks (``x = np.sum(x)`` for an array ``x``)
    is split into versions (``x``, ``x_1``) where it is rebound in straight-line code at the
    top of the function; elsewhere that is a located error."""
    env, conflicts, refused = _fixpoint(fdef, arg_kinds, constants)
    if conflicts and names is not None:
        for v in sorted(conflicts):
            _split_versions(fdef, v, names, src)
        env, conflicts, refused = _fixpoint(fdef, arg_kinds, constants)
    if conflicts:
        v = sorted(conflicts)[0]
        raise UnsupportedError([_problem(src, fdef, v)])
    if refused:
        raise UnsupportedError([r if isinstance(r, Problem) else
                                Problem(src.loc(r[0]) if src is not None else None, *r[1:])
                                for r in refused])
    return env


def _problem(src, fdef, v):
    site = next((s for s in nodes(fdef) if isinstance(s, ast.Assign)
                 and isinstance(s.targets[0], ast.Name) and s.targets[0].id == v), fdef)
    loc = None
    if src is not None and getattr(site, "lineno", None):
        loc = src.loc(site)
    if v.startswith("_"):  # srcgrad's own temporary: say what the user wrote
        return Problem(loc, "a value that is an array on one path and a scalar (or an array "
                            "of another rank) on another, such as a tuple of mixed elements "
                            "indexed by a variable",
                       "index mixed tuples with literal indices, or give each kind its own name.")
    return Problem(loc, f"variable {v!r} holds values of different kinds (an array and a "
                        "scalar, or arrays of different ranks) inside a loop or branch",
                   "give each kind of value its own name.")


def _fixpoint(fdef, arg_kinds, constants):
    env = dict(arg_kinds)
    for name, value in constants.items():
        env[name] = kind_of_value(value)
    inf = _Infer(env)
    for _ in range(20):
        before = dict(env)
        inf.conflicts, inf.refused = set(), []
        inf.block(fdef.body)
        if env == before:
            break
    return env, inf.conflicts, inf.refused


def _split_versions(fdef, v, names, src):
    """Rename the values a top-level ``v = ...`` binds to a new version of ``v``."""
    top = fdef.body
    if any(isinstance(s, (ast.For, ast.While, ast.If)) and v in _stored(s) for s in top):
        return  # rebound inside a loop or branch: left to the error
    current = v
    for s in top:
        for n in nodes(s.value if isinstance(s, ast.Assign) else s):
            if isinstance(n, ast.Name) and n.id == v and not isinstance(n.ctx, ast.Store):
                n.id = current
        if isinstance(s, ast.Assign):
            t = s.targets[0]
            base = t if isinstance(t, ast.Name) else t.value
            if isinstance(t, ast.Subscript) and base.id == v:
                base.id = current
                for n in nodes(t.slice):
                    if isinstance(n, ast.Name) and n.id == v:
                        n.id = current
            elif base.id == v:
                current = names.exact_or_fresh(f"{v}_1") if current == v else \
                    names.fresh(f"{v}_")
                base.id = current


def _stored(stmt):
    return {n.id for n in nodes(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} | {
        t.value.id for n in nodes(stmt) if isinstance(n, ast.Assign)
        for t in n.targets if isinstance(t, ast.Subscript)}


class _Infer:
    def __init__(self, env):
        self.env = env
        self.conflicts, self.refused = set(), []

    def set(self, name, k):
        old = self.env.get(name)
        if old is not None and k is not None and old != k and (
                old[0] != k[0] or (old[0] == "a" and old[1] != k[1])):
            self.conflicts.add(name)
        self.env[name] = join(old, k)

    def block(self, stmts):
        for s in stmts:
            if isinstance(s, ast.Assign):
                t = s.targets[0]
                if getattr(s.value, "prim", None) == "matmul":
                    self.matmul(s)
                self.check_call(s)
                if isinstance(t, ast.Name):
                    self.set(t.id, self.expr(s.value))
                cond = getattr(s, "alias_check", None)  # shares memory if cond is an array
                for name, problem in ([cond] if isinstance(cond, tuple) else cond or []):
                    if is_array(self.env.get(name)):
                        self.refused.append(problem)
                unpack = getattr(s, "unpack_check", None)  # a, b = p: p an array or tuple
                if unpack is not None and not is_array(self.env.get(unpack[0])) \
                        and (self.env.get(unpack[0]) or ("?",))[0] != "t":
                    self.refused.append(unpack[1])  # (a tuple: NumPy's, as np.histogram's)
            elif isinstance(s, ast.Expr) and hasattr(s, "push"):
                self.set(s.push, ("l", self.expr(s.value.args[0])))
            elif isinstance(s, ast.For):
                self.set(s.target.id, INT)
                self.block(s.body)
            elif isinstance(s, (ast.If, ast.While)):
                self.block(s.body)
                self.block(s.orelse)

    def check_call(self, s):
        """Every argument of a primitive within the ranks its rule was written for; an array
        written into an element has at most the element's rank."""
        e, t = s.value, s.targets[0]
        if isinstance(t, ast.Subscript):
            base, k = self.env.get(t.value.id), self.expr(e)
            if is_array(base) and is_array(k):
                nd = base[1] + index_rank_change(t.slice, self.expr)
                if k[1] > nd:
                    self.refused.append((s, f"writing an array of rank {k[1]} into "
                                            f"{ast.unparse(t)} of rank {nd}",
                                         "write values of the element's shape."))
            return
        prim = getattr(e, "prim", None)
        user = USER_RULES.get(prim)
        if user is not None:  # a user's rule (srcgrad/custom.py): what the function returns
            args = [self.expr(a) for a in e.args]
            if all(a is not None for a in args):
                try:
                    user.out_fn(args)
                except SrcgradError as err:
                    self.refused.append((s, f"call to {user.custom.base}()", str(err) + "."))
            return
        if prim not in ACCEPTS or not isinstance(e, ast.Call):
            return
        for p, a in zip(RULES[prim].params, e.args):
            want, k = ACCEPTS[prim].get(p), self.expr(a)
            if want is not None and not _accepts(want, k):
                what = _WANT.get(want) or "an array of rank " + " or ".join(map(str, want))
                shown = getattr(e, "shown", None)  # the user's call it stands for (np.stack)
                self.refused.append((s, f"an argument of {shown}() is {describe(k)}", f"{shown} "
                                     f"takes {what} there.") if shown else
                                    (s, f"argument {p!r} of {prim}() is {describe(k)}",
                                     f"srcgrad's rule for {prim} takes {what} there"
                                     + (f"; {ACCEPT_HINTS[prim]}" if prim in ACCEPT_HINTS
                                        else ".")))

    def matmul(self, s):
        """``np.dot(s, x)`` with a scalar is a product; ``@`` of a scalar, and operands of
        rank 3 or more (batched products, which Numba does not compile), are refused."""
        e = s.value
        args = [e.left, e.right] if isinstance(e, ast.BinOp) else e.args
        kinds = [self.expr(a) for a in args]
        if len(args) != 2 or any(k is None for k in kinds):
            return
        if any(is_scalar(k) for k in kinds):
            if isinstance(e, ast.Call) and ast.unparse(e.func) == "np.dot":
                mul = ast.copy_location(ast.BinOp(args[0], ast.Mult(), args[1]), e)
                mul.prim = "mul"
                s.value = mul
                return
            self.refused.append((s, "matrix product with a scalar operand",
                                 "multiply with * instead (NumPy's @ refuses scalars)."))
        elif isinstance(e, ast.Call) and ast.unparse(e.func) == "np.dot" \
                and ndim(kinds[1]) == 3 and ndim(kinds[0]) > 1:
            self.refused.append((s, f"np.dot of arrays of ranks {ndim(kinds[0])} and "
                                    f"{ndim(kinds[1])}",
                                 "np.dot sums over the last axis of a and the second-to-last "
                                 "of b, which is not a product of stacks of matrices; write @ "
                                 "(np.matmul) or np.einsum for what is meant."))
        elif all(ndim(k) == 3 for k in kinds):  # a batch of matrix products (Numba: a helper)
            node = ast.copy_location(ast.Call(ast.Name("matmul3", ast.Load()), list(args), []), e)
            node.prim = "matmul3"
            s.value = node
        elif sorted(ndim(k) for k in kinds) == [1, 3]:  # a stack times a vector, or back
            prim = "matvec_b" if ndim(kinds[0]) == 3 else "vecmat_b"
            node = ast.copy_location(ast.Call(ast.Name(prim, ast.Load()), list(args), []), e)
            node.prim = prim
            s.value = node
        elif sorted(ndim(k) for k in kinds) == [2, 3]:  # a stack times a matrix, or back
            node = ast.copy_location(ast.Call(ast.Name("matmul_b", ast.Load()), list(args), []), e)
            node.prim = "matmul_b"
            s.value = node
        elif any(ndim(k) > 2 for k in kinds):
            self.refused.append((s, "matrix product of arrays of ranks "
                                    f"{ndim(kinds[0])} and {ndim(kinds[1])}",
                                 "srcgrad multiplies stacks of matrices (3-D) by vectors, "
                                 "matrices and stacks; loop over the other axes."))

    def expr(self, e):
        env = self.env
        if isinstance(e, ast.Constant):
            return kind_of_value(e.value)
        if isinstance(e, ast.Name):
            return env.get(e.id)
        if isinstance(e, ast.UnaryOp):
            if isinstance(e.op, ast.Not):
                return BOOL
            return self.expr(e.operand)
        if isinstance(e, ast.BinOp) and isinstance(e.left, ast.List):  # [0.0] * 0: a stack
            return ("l", self.expr(e.left.elts[0]) if e.left.elts else None)
        if isinstance(e, ast.BinOp):
            a, b = self.expr(e.left), self.expr(e.right)
            if isinstance(e.op, ast.MatMult):
                return matmul_kind(a, b)
            return _broadcast([a, b], floaty=isinstance(e.op, ast.Div))
        if isinstance(e, (ast.Compare, ast.BoolOp)):
            parts = [e.left] + e.comparators if isinstance(e, ast.Compare) else e.values
            ks = [self.expr(p) for p in parts]
            arrays = [k for k in ks if is_array(k)]
            if arrays:
                return ("a", max(k[1] for k in arrays), "b")
            return None if any(k is None for k in ks) else BOOL  # unknown is not a bool
        if isinstance(e, ast.Tuple):
            return ("t", tuple(self.expr(x) for x in e.elts))
        if isinstance(e, ast.List):
            return ("l", None)
        if isinstance(e, ast.Attribute):
            base = self.expr(e.value)
            if e.attr == "shape":
                return ("t", (INT,) * ndim(base)) if base else None
            if e.attr in ("size", "ndim"):
                return INT
            return base
        if isinstance(e, ast.Subscript):
            base = self.expr(e.value)
            if base is None:
                return None
            if base[0] == "t":
                idx = e.slice
                if isinstance(idx, ast.Constant) and isinstance(idx.value, int):
                    n = len(base[1])  # x.shape[1] of a vector: unknown, refused later
                    return base[1][idx.value] if -n <= idx.value < n else None
                return base[1][0] if base[1] else None
            if not is_array(base):
                return None
            nd = base[1] + index_rank_change(e.slice, self.expr)
            return ("a", nd, base[2]) if nd > 0 else ("s", base[2])
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, ast.IfExp):
            return join(self.expr(e.body), self.expr(e.orelse))
        return None

    def call(self, e):
        return call_kind(self, e)


# the kinds' vocabulary, for the passes that import it from here
__all__ = ["BOOL", "FLOAT", "INT", "describe", "is_array", "is_float", "is_scalar", "join",
           "kind_of_value", "literal_dtype", "ndim", "infer", "index_rank_change", "is_none",
           "matmul_kind"]
