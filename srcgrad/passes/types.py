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
from ..rules.table import ACCEPT_HINTS, ACCEPTS, RANDOM_METHODS, RULES
from .walk import nodes


_SAME_AS_ARG = {"pos", "neg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                "exp", "expm1", "log", "log1p", "log10", "log2", "sqrt", "square", "copy",
                "transpose", "transpose_axes", "reciprocal", "exp2", "cbrt", "asinh", "acosh",
                "atanh", "radians", "degrees", "erf", "erfc", "sinc"}
_BROADCAST = {"add", "sub", "mul", "truediv", "pow", "atan2", "hypot", "maximum", "minimum",
              "mod", "floordiv", "logaddexp", "logaddexp2", "fmod", "fmax", "fmin", "gammainc",
              "gammaincc", "betainc", "t_cdf", "poisson_cdf"}
_REDUCE = {"sum", "mean", "prod", "amax", "amin"}


def _broadcast(kinds, floaty=False):
    if any(k is None for k in kinds):
        return None
    arrays = [k for k in kinds if is_array(k)]
    dt = "f" if floaty or any(is_float(k) for k in kinds) else "i"
    if arrays:
        return ("a", max(k[1] for k in arrays), dt)
    return ("s", dt)


def _floaty(k):
    return ("a", k[1], "f") if is_array(k) else (FLOAT if k else None)


def _out_kind(rule, args):
    """The result's kind from a rule's ``out``: "x" (like parameter x, as floats), "scalar",
    "x-1" (an array of x's rank minus one), "3-v" (three minus v's rank), "2" (rank 2)."""
    kinds = dict(zip(rule.params, args))
    spec = rule.out
    if spec == "scalar":
        return FLOAT
    if spec in kinds:
        k = kinds[spec]
        return _floaty(k) if k is not None and k[0] in ("a", "s") else None
    if spec.isdigit():
        return ("a", int(spec), "f")
    left, _, right = spec.partition("-")
    a = kinds.get(left)
    b = kinds.get(right)
    if left in kinds and right.isdigit():
        nd = ndim(a) - int(right) if is_array(a) else -1
    elif right in kinds and left.isdigit():
        nd = int(left) - ndim(b) if is_array(b) else -1
    else:  # pragma: no cover - a rule written wrong fails its test row
        raise ValueError(f"rule {rule.name}: out={spec!r}")
    return ("a", nd, "f") if nd > 0 else FLOAT if nd == 0 else None


def matmul_kind(a, b):
    if a is None or b is None:
        return None
    na, nb = ndim(a), ndim(b)
    if (na, nb) == (2, 2):
        return ("a", 2, "f")
    if (na, nb) in ((3, 3), (3, 2), (2, 3)):
        return ("a", 3, "f")
    if (na, nb) in ((2, 1), (1, 2)):
        return ("a", 1, "f")
    if (na, nb) in ((3, 1), (1, 3)):
        return ("a", 2, "f")
    if max(na, nb) > 3:
        return None
    return FLOAT


def is_none(i):
    return isinstance(i, ast.Constant) and i.value is None


def index_rank_change(index, kind_of):
    """How many axes indexing adds: an integer index drops one, ``None`` adds one, a slice
    keeps one, a k-D integer array replaces one with k."""
    change = 0
    for i in index.elts if isinstance(index, ast.Tuple) else [index]:
        if is_none(i):
            change += 1
        elif isinstance(i, ast.Slice):
            continue
        else:
            k = kind_of(i)
            change += (k[1] - 1) if is_array(k) else -1
    return change


def _creation_kind(kind_of, shape, dt):
    if isinstance(shape, ast.Tuple):
        return ("a", len(shape.elts), dt)
    sk = kind_of(shape) if shape is not None else None
    if sk is not None and sk[0] == "t":
        return ("a", len(sk[1]), dt)
    return ("a", 1, dt)


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
                if cond is not None and is_array(self.env.get(cond[0])):
                    self.refused.append(cond[1])
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
            arrays = [self.expr(p) for p in parts if is_array(self.expr(p))]
            return ("a", max(k[1] for k in arrays), "b") if arrays else BOOL
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
        if hasattr(e, "pop_from"):
            k = self.env.get(e.pop_from)
            return k[1] if k else None
        prim = getattr(e, "prim", None)
        args = [self.expr(a) for a in e.args]
        if getattr(e, "checkpoint", None) is not None:  # a checkpointed call, before its rule
            try:
                return e.checkpoint.out_kind(args) if all(a is not None for a in args) else None
            except SrcgradError:
                return None
        if getattr(e, "elementwise", False):  # a @numba.vectorize function, before its loop
            return _broadcast(args, floaty=True)
        if hasattr(e, "rank_site"):  # np.tensordot before its lowering (passes/normalize.py)
            if not all(is_array(a) for a in args):
                return None
            nd = args[0][1] + args[1][1] - 2 * e.contracted
            return ("a", nd, "f") if nd > 0 else FLOAT
        if prim in USER_RULES:
            try:  # a user's rule (srcgrad/custom.py): what the function returns
                return USER_RULES[prim].out_fn(args) if all(a is not None for a in args) \
                    else None
            except SrcgradError:
                return None  # check_call says why, at the statement
        if prim in RULES and RULES[prim].out is not None:
            return _out_kind(RULES[prim], args)
        if prim is not None:
            if prim in ("unbroadcast", "expand_axis"):   # shaped like their 2nd argument
                return _floaty(args[1])
            if prim in ("full_like", "prod_grad", "scatter_add", "gather_last"):  # like the 1st
                return _floaty(args[0])
            if prim in _SAME_AS_ARG:
                a = args[0]
                return ("a", a[1], "f") if is_array(a) else (FLOAT if a else None)
            if prim == "abs":
                return args[0]
            if prim in _BROADCAST:
                return _broadcast(args)
            if prim == "where":
                return _broadcast(args[1:] + [args[0]] if is_array(args[0]) else args[1:], floaty=True)
            if prim == "clip":
                return args[0] if is_array(args[0]) else FLOAT
            if prim in _REDUCE:
                return FLOAT
            if prim.endswith("_axis"):
                nd = ndim(args[0]) - 1
                return ("a", nd, "f") if nd > 0 else FLOAT
            if prim == "matmul":
                return matmul_kind(args[0], args[1])
            if prim == "full":
                return _creation_kind(self.expr, e.args[0], "f")
            if prim in ("reshape", "reshape_to"):
                shape = args[1]
                nd = len(shape[1]) if shape and shape[0] == "t" else 1 if shape == INT else 0
                return ("a", nd, "f") if nd > 0 else None
            if prim == "expand_dims":
                return ("a", ndim(args[0]) + 1, "f") if args[0] else None
            if prim == "cross":  # a pair of 3-vectors, or rows of them (broadcast)
                return _broadcast(args)
            if prim == "solve":  # chosen by the rank of b (passes/common.py)
                return _floaty(args[1]) if is_array(args[1]) else None
            if prim == "atleast_2d":
                return ("a", max(2, ndim(args[0])), "f") if args[0] else None
            if prim == "broadcast_to":
                shape = args[1]
                nd = len(shape[1]) if shape and shape[0] == "t" else 1 if shape == INT else 0
                return ("a", nd, "f") if nd > 0 else None
            if prim == "tile":  # an int repeats the last axis; a tuple may add axes
                reps = args[1]
                nd = max(len(reps[1]), ndim(args[0])) if reps and reps[0] == "t" else ndim(args[0])
                return ("a", nd, "f") if is_array(args[0]) else None
            if prim == "kron":
                return ("a", max(ndim(args[0]), ndim(args[1])), "f") if all(args) else None
            return None
        fname = ast.unparse(e.func)
        short = fname.split(".")[-1]
        if isinstance(e.func, ast.Attribute) and short in RANDOM_METHODS:
            return _draw_kind(short, e, args, self.expr)
        if short in ("len", "int", "round", "around", "floor", "ceil", "argmax", "argmin",
                     "trunc", "rint", "fix", "hstack_axis", "split_bound"):
            if fname.startswith("np.") and args and is_array(args[0]) \
                    and short not in ("argmax", "argmin"):
                return _floaty(args[0])  # rounded elementwise: derivative zero
            return INT
        if short in ("float", "slogdet_sign"):
            return FLOAT
        if short in ("bool", "isnan", "isinf", "isfinite", "logical_not"):
            return BOOL if not (args and is_array(args[0])) else ("a", args[0][1], "b")
        if short in ("logical_and", "logical_or", "logical_xor"):
            arrays = [a for a in args if is_array(a)]
            return ("a", max(a[1] for a in arrays), "b") if arrays else BOOL
        if short in ("zeros", "ones", "empty"):
            dtype_kw = {k.arg: k.value for k in e.keywords}.get("dtype")
            dt = "f"
            if dtype_kw is not None and ast.unparse(dtype_kw) in ("int", "np.int64", "np.int32", "np.intp"):
                dt = "i"
            return _creation_kind(self.expr, e.args[0] if e.args else None, dt)
        if short in ("zeros_like", "ones_like", "empty_like"):
            return args[0]
        if short == "array" and len(e.args) == 1 and isinstance(e.args[0], ast.List):
            dt = literal_dtype(e.args[0])  # np.array([True, False]), np.array([[0, 1]])
            nested = e.args[0].elts and isinstance(e.args[0].elts[0], ast.List)
            return ("a", 2 if nested else 1, dt) if dt else None
        if short in ("eye", "identity"):
            return ("a", 2, "f")
        if short in ("nonzero", "where") and len(args) == 1 and is_array(args[0]):
            return ("t", tuple(("a", 1, "i") for _ in range(args[0][1])))  # index arrays
        if short == "flatnonzero":
            return ("a", 1, "i")
        if short == "argwhere":
            return ("a", 2, "i")
        if short == "argsort" and args and is_array(args[0]):
            return ("a", args[0][1], "i")
        if short == "arange":
            return ("a", 1, "f" if any(is_float(a) for a in args) else "i")
        if short == "sign":
            return args[0]
        if short in ("extremum_mask", "extremum_mask_axis"):  # shaped like their 1st argument
            return _floaty(args[0])
        return None


# where a draw's size is, by method: the position of ``size`` (None: the sizes are the
# arguments themselves, as randn(2, 3)), and how many distribution parameters come first
_SIZE_AT = {"normal": 2, "uniform": 2, "laplace": 2, "logistic": 2, "gumbel": 2, "lognormal": 2,
            "exponential": 1, "standard_t": 1, "standard_normal": 0, "random": 0,
            "random_sample": 0, "standard_exponential": 0, "standard_cauchy": 0,
            "randn": None, "rand": None}


def _draw_kind(method, e, args, expr):
    """A draw's kind: a float array of the size's rank, or shaped like its parameters."""
    if _SIZE_AT[method] is None:  # randn(2, 3)
        return ("a", len(e.args), "f") if e.args else FLOAT
    at = _SIZE_AT[method]
    kw = {k.arg: k.value for k in e.keywords}
    size = kw.get("size", e.args[at] if len(e.args) > at else None)
    if size is None or (isinstance(size, ast.Constant) and size.value is None):
        return _broadcast(args[:at], floaty=True) if at else FLOAT
    k = expr(size)
    if k == INT:
        return ("a", 1, "f")
    return ("a", len(k[1]), "f") if k and k[0] == "t" else None
