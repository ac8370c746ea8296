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

import numpy as np

FLOAT, INT, BOOL = ("s", "f"), ("s", "i"), ("s", "b")

_SAME_AS_ARG = {"pos", "neg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                "exp", "expm1", "log", "log1p", "log10", "log2", "sqrt", "square", "copy",
                "transpose"}
_BROADCAST = {"add", "sub", "mul", "truediv", "pow", "atan2", "hypot", "maximum", "minimum",
              "mod", "floordiv"}
_REDUCE = {"sum", "mean", "prod", "amax", "amin"}


def kind_of_value(v):
    if isinstance(v, (bool, np.bool_)):
        return BOOL
    if isinstance(v, (int, np.integer)):
        return INT
    if isinstance(v, (float, np.floating)):
        return FLOAT
    if isinstance(v, np.ndarray):
        return ("a", v.ndim, "f" if v.dtype.kind == "f" else ("b" if v.dtype.kind == "b" else "i"))
    if isinstance(v, tuple):
        return ("t", tuple(kind_of_value(x) for x in v))
    return None


def is_array(k):
    return k is not None and k[0] == "a"


def is_scalar(k):
    return k is not None and k[0] == "s"


def is_float(k):
    """May this kind carry a derivative?  (A stack of generated code may, if its items may.)"""
    return k is not None and ((k[0] == "s" and k[1] == "f") or (k[0] == "a" and k[2] == "f")
                              or (k[0] == "l" and is_float(k[1])))


def ndim(k):
    return k[1] if is_array(k) else 0


def join(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    if a[0] == b[0] == "s":
        return FLOAT if "f" in (a[1], b[1]) else INT
    if a[0] == b[0] == "l":
        return ("l", join(a[1], b[1]))
    if a[0] == b[0] == "a" and a[1] == b[1]:
        return ("a", a[1], "f" if "f" in (a[2], b[2]) else a[2])
    return a  # conflicting kinds: Numba will report it when compiling


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


def matmul_kind(a, b):
    if a is None or b is None:
        return None
    na, nb = ndim(a), ndim(b)
    if (na, nb) == (2, 2):
        return ("a", 2, "f")
    if (na, nb) in ((2, 1), (1, 2)):
        return ("a", 1, "f")
    return FLOAT


def infer(fdef, arg_kinds, constants):
    """Return {variable: kind} for the normalized ``fdef`` given {param: kind}."""
    env = dict(arg_kinds)
    for name, value in constants.items():
        env[name] = kind_of_value(value)
    for _ in range(20):
        before = dict(env)
        _Infer(env).block(fdef.body)
        if env == before:
            break
    return env


class _Infer:
    def __init__(self, env):
        self.env = env

    def set(self, name, k):
        self.env[name] = join(self.env.get(name), k)

    def block(self, stmts):
        for s in stmts:
            if isinstance(s, ast.Assign):
                t = s.targets[0]
                if isinstance(t, ast.Name):
                    self.set(t.id, self.expr(s.value))
            elif isinstance(s, ast.Expr) and hasattr(s, "push"):
                self.set(s.push, ("l", self.expr(s.value.args[0])))
            elif isinstance(s, ast.For):
                self.set(s.target.id, INT)
                self.block(s.body)
            elif isinstance(s, (ast.If, ast.While)):
                self.block(s.body)
                self.block(s.orelse)

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
                    return base[1][idx.value]
                return base[1][0] if base[1] else None
            if not is_array(base):
                return None
            idx = e.slice.elts if isinstance(e.slice, ast.Tuple) else [e.slice]
            dropped = sum(1 for i in idx if not isinstance(i, ast.Slice) and not is_array(self.expr(i)))
            nd = base[1] - dropped
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
        if prim is not None:
            if prim in ("unbroadcast", "expand_axis"):   # shaped like their 2nd argument
                return _floaty(args[1])
            if prim in ("full_like", "prod_grad"):        # shaped like their 1st argument
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
            if prim == "outer":
                return ("a", 2, "f")
            return None
        fname = ast.unparse(e.func)
        short = fname.split(".")[-1]
        if short in ("len", "int", "round", "floor", "ceil", "argmax", "argmin"):
            if short in ("floor", "ceil") and fname.startswith("np.") and is_array(args[0]):
                return args[0]
            return INT
        if short == "float":
            return FLOAT
        if short in ("bool", "isnan", "isinf", "isfinite"):
            return BOOL if not (args and is_array(args[0])) else ("a", args[0][1], "b")
        if short in ("zeros", "ones", "empty", "full"):
            shape = e.args[0] if e.args else None
            dtype_kw = {k.arg: k.value for k in e.keywords}.get("dtype")
            dt = "f"
            if dtype_kw is not None and ast.unparse(dtype_kw) in ("int", "np.int64", "np.int32", "np.intp"):
                dt = "i"
            if isinstance(shape, ast.Tuple):
                return ("a", len(shape.elts), dt)
            sk = self.expr(shape) if shape is not None else None
            if sk is not None and sk[0] == "t":
                return ("a", len(sk[1]), dt)
            return ("a", 1, dt)
        if short in ("zeros_like", "ones_like", "empty_like"):
            return args[0]
        if short == "arange":
            return ("a", 1, "f" if any(is_float(a) for a in args) else "i")
        if short == "sign":
            return args[0]
        return None
