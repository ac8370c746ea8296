"""Arguments at the boundary: checked, converted (lists of numbers to arrays, NumPy scalars
to Python ones), a cheap signature for the fast path, ``wrt`` read, tangents and cotangents
checked against their primals."""
import numpy as np

from .. import kinds as K
from ..errors import Problem, SrcgradError, UnsupportedError
from ..frontend.source import read_source


def prepare(args, params):
    out = []
    for p, a in zip(params, args):
        if isinstance(a, (list, tuple)):
            a = number_sequence(p, a)
        if isinstance(a, np.ndarray):
            if a.dtype == np.float32 or a.dtype == np.float16:
                raise SrcgradError(f"argument {p!r} is a {a.dtype} array; srcgrad computes in "
                                   "float64: pass x.astype(np.float64).")
            if a.ndim == 0:
                a = a.item()
        elif isinstance(a, np.floating):
            a = float(a)
        elif isinstance(a, np.integer) and not isinstance(a, np.bool_):
            a = int(a)
        if K.kind_of_value(a) is None:
            raise UnsupportedError([Problem(
                None, f"argument {p!r} of type {type(a).__name__}",
                "srcgrad takes floats, ints, bools and NumPy arrays of them (lists of numbers "
                "as arrays; grad, value_and_grad, vjp and jvp also tuples, lists and dicts of "
                "them); pass the arrays inside it as separate arguments.")])
        out.append(a)
    return out


def number_sequence(p, a):
    """A list or tuple of numbers (nested: rows) as a float64 array; anything else refused."""
    def numbers_only(x):
        if isinstance(x, (list, tuple)):
            return all(numbers_only(e) for e in x)
        return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
    if not numbers_only(a):
        kinds = sorted({type(e).__name__ for e in a})
        raise UnsupportedError([Problem(
            None, f"argument {p!r}: a {type(a).__name__} of {', '.join(kinds)}",
            "grad, value_and_grad, vjp and jvp take tuples, lists and dicts of arrays; here "
            "(jacobian, hessian, hvp) pass the arrays as separate arguments, or np.stack them "
            "into one array.")])
    try:
        return np.asarray(a, dtype=np.float64)
    except ValueError:
        raise UnsupportedError([Problem(None, f"argument {p!r}: a ragged {type(a).__name__}",
                                        "give every row the same length.")]) from None


_SCALARS = (float, int, bool)


def signature(args):
    """A cheap key for arguments that need no conversion (float, int, float64/int64 arrays),
    or None.  An array's axes of length 1 are part of it: reverse-mode code is specialized on
    the others (Derived.long_axes)."""
    key = []
    for a in args:
        t = type(a)
        if t in _SCALARS:
            key.append(t)
        elif t is np.ndarray and a.dtype.char in "dlq?" and a.flags.c_contiguous:
            key.append((a.ndim, a.dtype.char,
                        tuple([n == 1 for n in a.shape]) if 1 in a.shape else None))
        else:
            return None
    return tuple(key)


def wrt_names(fn, wrt, params):
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    names = []
    for w in items:
        if isinstance(w, int) and not isinstance(w, bool):
            if not -len(params) <= w < len(params):
                raise SrcgradError(f"wrt={w} is out of range: {fn.__name__}() has "
                                   f"{len(params)} parameters {tuple(params)}")
            names.append(params[w])
        elif isinstance(w, str):
            if w not in params:
                raise SrcgradError(f"wrt={w!r} is not a parameter of {fn.__name__}(); its "
                                   f"parameters are {tuple(params)}")
            names.append(w)
        else:
            raise SrcgradError(f"wrt must be an index, a parameter name or a tuple of them, not {w!r}")
    if len(set(names)) != len(names):
        raise SrcgradError(f"wrt names a parameter twice: {tuple(names)}")
    return names, single


def float_params(params, args):
    return tuple(p for p, a in zip(params, args) if K.is_float(K.kind_of_value(a)))


def shaped_like(value, primal, what):
    """A cotangent or tangent, checked to have its primal's shape, as float64."""
    if value is None:
        return None
    if np.ndim(primal) == 0:
        if np.ndim(value) != 0:
            raise ValueError(f"{what} must be a scalar like its primal, got shape {np.shape(value)}")
        return float(value)
    value = np.asarray(value, dtype=np.float64)
    if value.shape != np.shape(primal):
        raise ValueError(f"{what} has shape {value.shape}, but its primal has shape "
                         f"{np.shape(primal)}")
    return value


def params_of(f):
    """Parameter names without reading the source (Derived checks the function itself)."""
    if hasattr(f, "_src") and hasattr(f, "params"):  # a derivative (vjp(grad(f), ...))
        return list(f.params)
    code = getattr(f, "__code__", None)
    if code is None:
        return read_source(f).params  # raises the located "not a Python function" error
    return list(code.co_varnames[:code.co_argcount])
