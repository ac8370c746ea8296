"""Kinds pass, calls: the kind of a call's result, from its rule's ``out``, its family (same
kind as its argument, broadcast, a reduction), or, for NumPy's bookkeeping calls (creation,
indices, random draws), from what NumPy returns.

    np.sin(x)          x: 2-D float array   ->  2-D float array    (same as its argument)
    np.sum(A, axis=1)  A: 2-D float array   ->  1-D float array    (a reduction along an axis)
    rng.normal(0, 1, size=(2, 3))           ->  2-D float array    (a draw, by its size)
"""
import ast

from ..errors import SrcgradError
from ..kinds import BOOL, FLOAT, INT, is_array, is_float, literal_dtype, ndim
from ..rules.core import USER_RULES
from ..rules.table import NONDIFF_METHODS, RANDOM_METHODS, RULES


_SAME_AS_ARG = {"pos", "neg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
                "exp", "expm1", "log", "log1p", "log10", "log2", "sqrt", "square", "copy", "contiguous", "as_float",
                "transpose", "transpose_axes", "reciprocal", "exp2", "cbrt", "asinh", "acosh",
                "atanh", "radians", "degrees", "erf", "erfc", "sinc"}
_BROADCAST = {"add", "sub", "mul", "truediv", "pow", "atan2", "hypot", "copysign", "maximum",
              "minimum", "mod", "floordiv", "logaddexp", "logaddexp2", "fmod", "fmax", "fmin", "gammainc",
              "gammaincc", "betainc", "t_cdf", "poisson_cdf", "gammainc_da", "betainc_da",
              "betainc_db", "t_cdf_ddf", "t_log_norm"}
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


def _creation_kind(kind_of, shape, dt):
    """An array made from a shape: a tuple's length axes, one for a number; unknown (None)
    while the shape's kind is unknown, never a guess of one axis."""
    if isinstance(shape, ast.Tuple):
        return ("a", len(shape.elts), dt)
    sk = kind_of(shape) if shape is not None else None
    if sk is not None and sk[0] == "t":
        return ("a", len(sk[1]), dt)
    if sk is None and shape is not None:
        return None
    return ("a", 1, dt)



def creation_dtype(inf, e, default):
    """The dtype character of an array a creation call makes: its ``dtype=`` keyword's, in
    the spelling passes/dtypes.py gives it (``np.int64``, ``np.bool_``, ``x.dtype``), else
    ``default``; None when it is another array's whose kind is not known."""
    d = next((k.value for k in e.keywords if k.arg == "dtype"), None)
    if d is None:
        return default
    if isinstance(d, ast.Attribute) and d.attr == "dtype":
        k = inf.expr(d.value)
        return k[2] if is_array(k) else None
    name = ast.unparse(d)
    if name == "np.float64":
        return "f"
    if name == "np.bool_":
        return "b"
    return "i" if name.startswith(("np.int", "np.uint")) else None


def call_kind(inf, e):
    """The kind of a call's result (``inf``: the kinds pass, for its operands')."""
    if hasattr(e, "pop_from"):
        k = inf.env.get(e.pop_from)
        return k[1] if k else None
    if isinstance(e.func, ast.Attribute) and e.func.attr == "pop" and not e.args \
            and isinstance(e.func.value, ast.Name):  # a stack's item where it is used (a
        k = inf.env.get(e.func.value.id)         # restored shape in a derivative's code)
        if k is not None and k[0] == "l":
            return k[1]
    prim = getattr(e, "prim", None)
    args = [inf.expr(a) for a in e.args]
    if getattr(e, "checkpoint", None) is not None:  # a checkpointed call, before its rule
        try:
            return e.checkpoint.out_kind(args) if all(a is not None for a in args) else None
        except SrcgradError:
            return None
    if getattr(e, "elementwise", False):  # a @numba.vectorize function, before its loop
        return _broadcast(args, floaty=True)
    if getattr(e, "rows_append", False):  # a list growing in a loop (passes/growing.py)
        a = args[0]
        return None if a is None else ("a", (a[1] if is_array(a) else 0) + 1, "f")
    if getattr(e, "array_rows", False):  # np.array([a, b]) before its lowering (calls.py)
        if any(a is None for a in args) or len({a[1] if is_array(a) else 0 for a in args}) > 1:
            return None
        return ("a", (args[0][1] if is_array(args[0]) else 0) + 1, "f")
    if hasattr(e, "library_kind"):  # a library call whose shim depends on ranks (calls.py)
        return e.library_kind(args)
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
        if prim in ("full_like", "prod_grad", "scatter_add", "scatter_add_cols",
                    "gather_last", "gather_last_cols"):  # like the 1st
            return _floaty(args[0])
        if prim == "gather_last_pairs":  # one entry per (i, j) pair
            return ("a", 1, "f")
        if prim in _SAME_AS_ARG:
            a = args[0]
            return ("a", a[1], "f") if is_array(a) else (FLOAT if a else None)
        if prim == "abs":
            return args[0]
        if prim in _BROADCAST:
            return _broadcast(args)
        if prim == "where":
            return _broadcast(args[1:] + [args[0]] if is_array(args[0]) else args[1:], floaty=True)
        if prim == "clip":  # bounds may be arrays: the three broadcast together
            return _broadcast(args, floaty=True)
        if prim in _REDUCE:
            return FLOAT
        if prim.endswith("_axis"):
            nd = ndim(args[0]) - 1
            return ("a", nd, "f") if nd > 0 else FLOAT
        if prim == "matmul":
            return matmul_kind(args[0], args[1])
        if prim == "full":
            return _creation_kind(inf.expr, e.args[0], "f")
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
    if short == "astype" and isinstance(e.func, ast.Attribute) and len(e.args) == 1:
        base, dt = inf.expr(e.func.value), creation_dtype(inf, ast.Call(e.func, [], [
            ast.keyword("dtype", e.args[0])]), None)  # x.astype(np.int64), kept whole
        if dt is None or base is None or base[0] not in ("a", "s"):
            return None
        return ("a", base[1], dt) if is_array(base) else (INT if dt == "i" else BOOL)
    if isinstance(e.func, ast.Attribute) and short in NONDIFF_METHODS and e.func.attr == short \
            and is_array(inf.expr(e.func.value)):  # A.argmax(axis=1) kept whole (an index)
        return call_kind(inf, ast.Call(ast.Attribute(ast.Name("np", ast.Load()), short,
                                                     ast.Load()),
                                       [e.func.value] + list(e.args), e.keywords))
    if isinstance(e.func, ast.Attribute) and short in RANDOM_METHODS:
        return _draw_kind(short, e, args, inf.expr)
    if short in ("argmax", "argmin") and any(k.arg not in ("axis", "out") for k in e.keywords):
        return None  # keepdims=True: another rank (Python runs it; a kind would be a guess)
    if short in ("argmax", "argmin") and args and is_array(args[0]) and (
            len(e.args) > 1 or any(k.arg == "axis" for k in e.keywords)):
        axis = e.args[1] if len(e.args) > 1 else next(k.value for k in e.keywords
                                                       if k.arg == "axis")
        if not (isinstance(axis, ast.Constant) and axis.value is None):
            nd = args[0][1] - 1  # indices along the axis: one per position of the others
            return ("a", nd, "i") if nd > 0 else INT
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
    if short in ("any", "all") and fname.startswith("np.") and len(e.args) == 1 \
            and not e.keywords:
        return BOOL  # of the whole array (with axis=, no kind: Numba has none, Python runs it)
    if short == "allclose":
        return BOOL
    if short in ("size", "ndim") and fname.startswith("np.") and len(e.args) == 1:
        return INT
    if short == "shape" and fname.startswith("np.") and len(e.args) == 1 and is_array(args[0]):
        return ("t", (INT,) * args[0][1])
    if short in ("logical_and", "logical_or", "logical_xor", "isclose"):
        arrays = [a for a in args if is_array(a)]
        return ("a", max(a[1] for a in arrays), "b") if arrays else BOOL
    if short in ("zeros", "ones", "empty"):
        dt = creation_dtype(inf, e, "f")
        return _creation_kind(inf.expr, e.args[0] if e.args else None, dt) if dt else None
    if short in ("zeros_like", "ones_like", "empty_like"):
        dt = creation_dtype(inf, e, args[0][2] if is_array(args[0]) else None)
        return ("a", args[0][1], dt) if is_array(args[0]) and dt else None
    if short == "array" and len(e.args) == 1 and isinstance(e.args[0], ast.List):
        dt = literal_dtype(e.args[0])  # np.array([True, False]), np.array([[0, 1]])
        nested = e.args[0].elts and isinstance(e.args[0].elts[0], ast.List)
        return ("a", 2 if nested else 1, dt) if dt else None
    if short in ("eye", "identity"):
        dt = creation_dtype(inf, e, "f")
        return ("a", 2, dt) if dt else None
    if short in ("nonzero", "where") and len(args) == 1 and is_array(args[0]):
        return ("t", tuple(("a", 1, "i") for _ in range(args[0][1])))  # index arrays
    if short in ("triu_indices", "tril_indices", "triu_indices_from", "tril_indices_from"):
        return ("t", (("a", 1, "i"), ("a", 1, "i")))  # rows, columns
    if short == "count_nonzero" and len(e.args) == 1 and not e.keywords:
        return INT
    if short == "vander" and args and is_array(args[0]):
        return ("a", 2, "f" if is_float(args[0]) else args[0][2])
    if short == "unique" and len(e.args) == 1 and not e.keywords and is_array(args[0]):
        return ("a", 1, args[0][2])
    if short == "bincount" and args and is_array(args[0]):
        weighted = len(e.args) > 1 or any(k.arg == "weights" for k in e.keywords)
        return ("a", 1, "f" if weighted else "i")
    if short == "histogram" and args and is_array(args[0]):
        return ("t", (("a", 1, "i"), ("a", 1, "f")))  # counts, bin edges
    if short == "flatnonzero":
        return ("a", 1, "i")
    if short == "argwhere":
        return ("a", 2, "i")
    if short == "searchsorted" and len(args) >= 2:  # an index per value of the 2nd argument
        return ("a", args[1][1], "i") if is_array(args[1]) else INT
    if short == "argsort" and args and is_array(args[0]):
        return ("a", args[0][1], "i")
    if short == "arange":
        dt = creation_dtype(inf, e, "f" if any(is_float(a) for a in args) else "i")
        return ("a", 1, dt) if dt else None
    if short == "sign":
        return args[0]
    if short == "empty_broadcast" and len(args) == 2 and all(is_array(a) for a in args):
        return ("a", max(ndim(a) for a in args), "f")
    if short in ("extremum_mask", "extremum_mask_axis"):  # shaped like their 1st argument
        return _floaty(args[0])
    if short in ("concatenate", "stack", "hstack", "vstack") and args and args[0] \
            and args[0][0] == "t" and args[0][1] and all(args[0][1]):  # kept whole
        parts = args[0][1]
        nd = max(ndim(k) for k in parts)
        nd = {"stack": nd + 1, "hstack": max(1, nd), "vstack": max(2, nd)}.get(short, nd)
        dt = "f" if any(k[-1] == "f" for k in parts) else parts[0][-1]
        return ("a", nd, dt) if nd > 0 else None
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
