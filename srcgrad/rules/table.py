"""The derivative rules: one row per primitive, reverse and forward mode side by side.

A row names the primitive's parameters and, for each parameter, two Python expressions:

* ``vjp``: its cotangent contribution, in terms of ``g`` (the cotangent of the output),
  ``ans`` (the output's value) and the parameters;
* ``jvp``: its contribution to the output's tangent, in terms of ``d<param>`` (that
  parameter's tangent), ``ans`` and the parameters.

The expressions are plain Python: they are parsed once, names are substituted, and the
result is emitted into the generated source.  Bare NumPy/math names (``cos``, ``sqrt``,
``sign``) become ``math.cos`` for scalars and ``np.cos`` for arrays; names from
``srcgrad.runtime`` (``prod_grad``, ``expand_axis``...) stay as they are.

``elementwise`` rows broadcast: the emitter sums a contribution back to its parameter's
shape.  Other rows give contributions of exactly the parameter's shape.

Conventions at points where a function is not differentiable (docs/semantics.md): ``abs``
has derivative 0 at 0; ties of ``maximum``/``minimum`` split the cotangent in half; ties of a
reduction ``max``/``min`` share it equally; ``clip`` passes the cotangent at its bounds.

The rows live by family, as autograd splits its VJPs: ``elementwise.py``, ``reductions.py``,
``shape.py``, ``linalg.py``, ``helpers.py`` (the registry is ``core.py``).  This module adds
what a call in user code means (``CALLS``, methods, constructors) and what each primitive
accepts.  To add a rule: a row in its family module, an entry in ``CALLS`` here if users call
it by a new name, a row in ``tests/rule_cases.py``.  Nothing else.
"""
import math

import numpy as np

from . import along, core, elementwise, helpers, linalg, reductions, shape

FAMILIES = (elementwise, reductions, shape, linalg, along, helpers)  # importing them adds their rows
RULES, Rule = core.RULES, core.Rule


# ---- what each primitive accepts -----------------------------------------------------------
# Ranks an argument may have where a row's template assumes them (checked with the kinds, at
# the user's line): "s" a scalar, "n" an integer, "i" an integer or a tuple of them (a shape),
# a number the rank of an array.  Parameters not named here take a scalar or an array of any
# rank.
ACCEPTS = {
    "full":      {"shape": "i", "v": "s"},
    "full_like": {"v": "s"},
    "linspace":  {"lo": "s", "hi": "s", "n": "n"},
    "outer":     {"a": (1,), "b": (1,)},
    "sum_axis":  {"x": (1, 2, 3), "axis": "n"}, "mean_axis": {"x": (1, 2, 3), "axis": "n"},
    "amax_axis": {"x": (1, 2, 3), "axis": "n"}, "amin_axis": {"x": (1, 2, 3), "axis": "n"},
    "transpose_axes": {"axes": "i"},
    "reshape": {"x": (1, 2, 3, 4), "shape": "i"}, "reshape_to": {"shape": "i"},
    "ravel": {"x": (1, 2, 3, 4)}, "flatten": {"x": (1, 2, 3, 4)},
    "flip": {"x": (1, 2, 3)}, "fliplr": {"x": (2, 3)}, "flipud": {"x": (1, 2, 3)},
    "swapaxes": {"x": (2, 3), "a": "n", "b": "n"}, "roll": {"x": (1,), "shift": "n"},
    "atleast_2d": {"x": (1, 2)}, "atleast_1d": {"x": (1, 2, 3)}, "ptp": {"x": (1, 2, 3)},
    "concat": {"a": (1, 2), "b": (1, 2), "axis": "n"}, "as_column": {"x": (1, 2)},
    "var_ddof": {"x": (1, 2, 3), "ddof": "n"}, "std_ddof": {"x": (1, 2, 3), "ddof": "n"},
    "take_first": {"v": (1, 2), "a": (1, 2), "axis": "n"},
    "take_rest": {"v": (1, 2), "a": (1, 2), "axis": "n"},
    "concat_first": {"v": (1, 2), "b": (1, 2), "axis": "n"},
    "concat_rest": {"a": (1, 2), "v": (1, 2), "axis": "n"},
    "inv": {"x": (2,)}, "det": {"x": (2,)}, "broadcast_to": {"x": (1, 2), "shape": "i"},
    "repeat": {"x": (1,), "k": "n"}, "triu": {"x": (2,), "k": "n"}, "tril": {"x": (2,), "k": "n"},
    "var": {"x": (1, 2, 3)}, "std": {"x": (1, 2, 3)}, "norm": {"x": (1, 2)},
    "trace": {"x": (2,)}, "cumsum": {"x": (1,)}, "diff": {"x": (1,)}, "sort": {"x": (1,)},
    "vdot": {"a": (1,), "b": (1,)}, "diff_grad": {"v": (1,)}, "unsort": {"v": (1,), "x": (1,)},
    "expand_dims": {"x": (1, 2, 3), "axis": "n"}, "keep_all": {"v": "s", "x": (1, 2, 3, 4)},
    "squeeze": {"x": (2, 3, 4), "axis": "n"}, "moveaxis": {"x": (2, 3, 4), "source": "n",
    "destination": "n"}, "rot90": {"x": (2, 3), "k": "n"}, "atleast_3d": {"x": (1, 2, 3)},
    "diag": {"v": (1, 2), "k": "n"}, "diagonal": {"x": (2,), "offset": "n"},
    "undiagonal": {"v": (1,), "x": (2,), "offset": "n"}, "cross": {"a": (1, 2), "b": (1, 2)},
    "kron": {"a": (1, 2), "b": (1, 2)}, "kron_grad_a": {"a": (1, 2), "b": (1, 2)},
    "kron_grad_b": {"a": (1, 2), "b": (1, 2)}, "solve_v": {"a": (2,), "b": (1,)},
    "solve_m": {"a": (2,), "b": (2,)},
    "piece": {"x": (1, 2, 3), "lo": "n", "hi": "n", "axis": "n"},
    "logabsdet": {"x": (2,)}, "cholesky": {"x": (2,)}, "pinv": {"x": (2,)},
    "eigh_w": {"x": (2,)}, "eigh_v": {"x": (2,)}, "svd_s": {"x": (2,)}, "svd_u": {"x": (2,)},
    "svd_vh": {"x": (2,)}, "gap_inverse": {"w": (1,)}, "matmul_b": {"a": (2, 3), "b": (2, 3)},
    "mT": {"x": (2, 3)}, "matvec_b": {"a": (3,), "v": (1,)}, "vecmat_b": {"v": (1,), "a": (3,)},
    "tmatvec_b": {"a": (3,), "u": (2,)},
    "tile": {"x": (1, 2), "reps": "i"}, "untile": {"v": (1, 2), "x": (1, 2)},
    "tile_to": {"x": (1, 2), "like": (1, 2)}, "cumprod": {"x": (1,)},
    "cumprod_grad": {"v": (1,), "x": (1,)}, "norm_vec": {"x": (1,)}, "norm_fro": {"x": (2,)}, "norm1": {"x": (1,)},
    "norminf": {"x": (1,)}, "norm_axis": {"x": (2, 3), "axis": "n"},
    "matmul3": {"a": (3,), "b": (3,)},
    "prod_axis": {"x": (1, 2, 3), "axis": "n"}, "prod_axis_grad": {"x": (1, 2, 3), "axis": "n"},
    "unpiece": {"x": (1, 2, 3), "lo": "n", "hi": "n", "axis": "n"},
    # along an axis (rules/along.py): any axis of a rank-1 to 3 array, as rows
    "lines": {"x": (1, 2, 3), "axis": "n"}, "unlines": {"v": (2,), "x": (1, 2, 3), "axis": "n"},
    "cumsum_rows": {"x": (2,)}, "cumprod_rows": {"x": (2,)}, "diff_rows": {"x": (2,)},
    "sort_rows": {"x": (2,)}, "flip_rows": {"x": (2,)}, "roll_rows": {"x": (2,), "shift": "n"},
    "repeat_rows": {"x": (2,), "k": "n"}, "partition_rows": {"x": (2,), "kth": "n"},
    "unrepeat_rows": {"v": (2,), "k": "n"}, "diff_rows_grad": {"v": (2,)},
    "cumprod_rows_grad": {"v": (2,), "x": (2,)},
    "weights_along": {"w": (1, 2, 3), "x": (1, 2, 3), "axis": "n"},
    "weights_along_grad": {"v": (1, 2, 3), "w": (1, 2, 3), "axis": "n"},
    "take_along": {"x": (1, 2, 3), "idx": (1, 2, 3), "axis": "n"},
    "put_along": {"x": (1, 2, 3), "idx": (1, 2, 3), "axis": "n"},
    "gather_rows": {"v": (2,), "x": (2,), "y": (2,)}, "scatter_rows": {"v": (2,), "x": (2,), "y": (2,)},
}

# what to write instead when a 1-D primitive gets an array (passes/along.py takes an axis)
_FLAT = "give axis= for one axis, or call np.ravel(x) first (without an axis NumPy flattens)."
ACCEPT_HINTS = {"cumsum": _FLAT, "cumprod": _FLAT, "roll": _FLAT, "repeat": _FLAT,
                "sort": "give the axis: axis=-1 is NumPy's default for arrays, axis=None sorts "
                        "the flattened array.",
                "diff": "give the axis: axis=-1 is NumPy's default for arrays."}

# optional parameters: their defaults, filled in when a call leaves them out
DEFAULTS = {"rot90": {"k": 1}, "diag": {"k": 0}, "diagonal": {"offset": 0}, "triu": {"k": 0},
            "tril": {"k": 0}}

# ---- what a call in user code means --------------------------------------------------------
def _both(name, *aliases):
    """math.<name> and np.<alias> for a scalar/array function."""
    out = {}
    if hasattr(math, name):
        out[getattr(math, name)] = name
    for a in aliases or (name,):
        if hasattr(np, a):
            out[getattr(np, a)] = name
    return out


CALLS = {abs: "abs", min: "minimum", max: "maximum", float: "pos"}
for _n in ["sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "expm1", "log", "log1p",
           "log10", "log2", "sqrt"]:
    CALLS.update(_both(_n))
CALLS.update(_both("asin", "arcsin"))
CALLS.update(_both("acos", "arccos"))
CALLS.update(_both("atan", "arctan"))
CALLS.update(_both("atan2", "arctan2"))
CALLS.update(_both("hypot"))
CALLS.update(_both("copysign"))
CALLS.update(_both("asinh", "arcsinh"))
CALLS.update(_both("acosh", "arccosh"))
CALLS.update(_both("atanh", "arctanh"))
CALLS.update(_both("exp2"))
CALLS.update(_both("cbrt"))
CALLS.update(_both("radians", "radians", "deg2rad"))
CALLS.update(_both("degrees", "degrees", "rad2deg"))
CALLS.update(_both("erf", "-"))
CALLS.update(_both("erfc", "-"))
CALLS.update(_both("fmod"))
CALLS.update(_both("gamma", "-"))
CALLS.update(_both("lgamma", "-"))

# NumPy's function forms of the operators and its other elementwise functions
CALLS.update({np.add: "add", np.subtract: "sub", np.multiply: "mul", np.divide: "truediv",
              np.true_divide: "truediv", np.negative: "neg", np.positive: "pos",
              np.reciprocal: "reciprocal", np.mod: "mod", np.remainder: "mod",
              np.absolute: "abs", np.sinc: "sinc", np.logaddexp: "logaddexp",
              np.logaddexp2: "logaddexp2", np.fmax: "fmax", np.fmin: "fmin"})
CALLS.update({math.fabs: "abs", np.abs: "abs", np.fabs: "abs", math.pow: "pow",
              np.power: "pow", np.square: "square", np.maximum: "maximum",
              np.minimum: "minimum", np.where: "where", np.clip: "clip", np.copy: "copy",
              np.ascontiguousarray: "contiguous", np.asfortranarray: "contiguous",
              # of float64 values: the values themselves
              np.real: "pos", np.conj: "pos", np.conjugate: "pos", np.float64: "pos",
              np.sum: "sum", np.mean: "mean", np.prod: "prod", np.max: "amax",
              np.amax: "amax", np.min: "amin", np.amin: "amin", np.dot: "matmul",
              np.matmul: "matmul", np.outer: "outer", np.transpose: "transpose",
              np.full: "full", np.linspace: "linspace", np.reshape: "reshape",
              np.ravel: "ravel", np.expand_dims: "expand_dims", np.flip: "flip",
              np.fliplr: "fliplr", np.flipud: "flipud", np.swapaxes: "swapaxes", np.roll: "roll",
              np.atleast_2d: "atleast_2d", np.broadcast_to: "broadcast_to", np.repeat: "repeat",
              np.triu: "triu", np.tril: "tril", np.var: "var", np.std: "std",
              np.linalg.norm: "norm", np.trace: "trace", np.cumsum: "cumsum", np.diff: "diff",
              np.sort: "sort", np.vdot: "vdot", np.average: "mean", np.ptp: "ptp",
              np.atleast_1d: "atleast_1d", np.linalg.inv: "inv", np.linalg.det: "det",
              np.squeeze: "squeeze", np.moveaxis: "moveaxis", np.rot90: "rot90",
              np.atleast_3d: "atleast_3d", np.diag: "diag", np.diagonal: "diagonal",
              np.nan_to_num: "nan_to_num", np.cross: "cross", np.kron: "kron",
              np.linalg.solve: "solve", np.inner: "inner", np.rollaxis: "rollaxis",
              np.take: "take", np.linalg.slogdet: "slogdet", np.linalg.cholesky: "cholesky",
              np.tile: "tile", np.cumprod: "cumprod", np.linalg.pinv: "pinv",
              np.partition: "partition", np.take_along_axis: "take_along",
              np.linalg.matrix_power: "matrix_power",
              np.median: "median", np.linalg.eigh: "eigh", np.linalg.eigvalsh: "eigvalsh",
              np.linalg.svd: "svd", np.compress: "compress"})

from .. import runtime as _rt  # noqa: E402

CALLS.update({_rt.unbroadcast: "unbroadcast", np.full_like: "full_like", _rt.c_order: "c_order", _rt.as_float: "as_float", _rt.add_at: "add_at",
              _rt.add_at_pairs: "add_at_pairs",
              _rt.expand_axis: "expand_axis", _rt.prod_grad: "prod_grad",
              _rt.sum_axis: "sum_axis", _rt.mean_axis: "mean_axis", _rt.max_axis: "amax_axis",
              _rt.min_axis: "amin_axis", _rt.scatter_add: "scatter_add", _rt.scatter_add_cols: "scatter_add_cols",
              _rt.gather_last: "gather_last", _rt.gather_last_pairs: "gather_last_pairs",
              _rt.gather_last_cols: "gather_last_cols", _rt.reshape_as: "reshape_as",
              _rt.reshape_to: "reshape_to", _rt.keep_all: "keep_all", _rt.flatten: "flatten",
              _rt.diff_grad: "diff_grad", _rt.unsort: "unsort", _rt.concat: "concat",
              _rt.take_first: "take_first", _rt.take_rest: "take_rest",
              _rt.concat_first: "concat_first", _rt.concat_rest: "concat_rest",
              _rt.var_ddof: "var_ddof", _rt.std_ddof: "std_ddof", _rt.as_column: "as_column",
              _rt.squeeze: "squeeze", _rt.diagonal: "diagonal", _rt.undiagonal: "undiagonal",
              _rt.logabsdet: "logabsdet", _rt.tile: "tile", _rt.untile: "untile",
              _rt.tile_to: "tile_to", _rt.norm1: "norm1", _rt.norminf: "norminf", _rt.norm2: "norm",
              _rt.digamma: "digamma", _rt.norm_axis: "norm_axis", _rt.matmul3: "matmul3", _rt.prod_axis: "prod_axis",
              _rt.prod_axis_grad: "prod_axis_grad", _rt.cumprod_grad: "cumprod_grad", _rt.piece: "piece", _rt.unpiece: "unpiece", _rt.kron: "kron", _rt.kron_grad_a: "kron_grad_a", _rt.kron_grad_b: "kron_grad_b",
              _rt.eigh_w: "eigh_w", _rt.eigh_v: "eigh_v", _rt.svd_u: "svd_u", _rt.svd_s: "svd_s",
              _rt.svd_vh: "svd_vh", _rt.gap_inverse: "gap_inverse",
              # of a float or each element (scipy.special's are shims calling these: library/)
              _rt.erf: "erf", _rt.erfc: "erfc", _rt.gamma: "gamma", _rt.lgamma: "lgamma",
              _rt.matmul_b: "matmul_b", _rt.mT: "mT", _rt.matvec_b: "matvec_b",
              _rt.vecmat_b: "vecmat_b", _rt.tmatvec_b: "tmatvec_b",
              _rt.gammainc: "gammainc", _rt.gammaincc: "gammaincc", _rt.betainc: "betainc",
              _rt.t_cdf: "t_cdf", _rt.t_log_norm: "t_log_norm", _rt.poisson_cdf: "poisson_cdf",
              _rt.gammainc_da: "gammainc_da", _rt.betainc_da: "betainc_da",
              _rt.betainc_db: "betainc_db", _rt.t_cdf_ddf: "t_cdf_ddf",
              _rt.rows_grown: "rows_grown", _rt.rows_head: "rows_head", _rt.rows_pad: "rows_pad",
              _rt.outer: "outer"})
# along an axis (rules/along.py): every row-wise helper is a primitive of its own name
CALLS.update({getattr(_rt, _n): _n for _n in along.RULE_NAMES})

# joins of a literal tuple or list of arrays, folded into concat two at a time
JOIN_CALLS = {np.concatenate: "concatenate", np.stack: "stack", np.vstack: "vstack",
              np.row_stack: "vstack", np.append: "append",
              np.hstack: "hstack", np.column_stack: "column_stack"}

# calls whose result has derivative zero (or is an integer): the result is never active
NONDIFF_CALLS = {np.argsort: "argsort", slice: "slice", isinstance: "isinstance", len: "len", int: "int", range: "range", round: "round", bool: "bool",
                 math.floor: "floor", math.ceil: "ceil", np.floor: "floor", np.ceil: "ceil",
                 math.trunc: "trunc", np.trunc: "trunc", np.round: "round", np.around: "round",
                 np.rint: "rint", np.fix: "fix",
                 np.sign: "sign", math.isnan: "isnan", np.isnan: "isnan",
                 math.isinf: "isinf", math.isfinite: "isfinite", np.isfinite: "isfinite",
                 np.argmax: "argmax", np.argmin: "argmin", print: "print",
                 np.nonzero: "nonzero", np.flatnonzero: "flatnonzero", np.argwhere: "argwhere",
                 np.logical_and: "logical_and", np.logical_or: "logical_or",
                 np.logical_not: "logical_not", np.logical_xor: "logical_xor",
                 np.any: "any", np.all: "all", np.searchsorted: "searchsorted",
                 _rt.extremum_mask: "extremum_mask", _rt.hstack_axis: "hstack_axis",
                 _rt.thread_id: "thread_id", _rt.num_threads: "num_threads",
                 _rt.split_bound: "split_bound", _rt.slogdet_sign: "slogdet_sign", _rt.extremum_mask_axis: "extremum_mask_axis",
                 _rt.empty_broadcast: "empty_broadcast",  # (its values are never read)
                 _rt.check_span: "check_span"}  # (an index check: raises or returns None)

# index arrays of a matrix's triangle, and counts: integers
NONDIFF_CALLS.update({np.triu_indices: "triu_indices", np.tril_indices: "tril_indices",
                      np.triu_indices_from: "triu_indices_from",
                      np.tril_indices_from: "tril_indices_from",
                      np.count_nonzero: "count_nonzero"})
# comparisons within a tolerance: booleans; an array's shape, size and rank: integers
NONDIFF_CALLS.update({np.isclose: "isclose", np.allclose: "allclose", np.shape: "shape",
                      np.size: "size", np.ndim: "ndim"})

# calls with no derivative rule, of values that carry no derivative: kept whole, their results
# constants.  An argument that carries a derivative is refused at the call (passes/activity.py)
CONSTANT_CALLS = {np.vander: "vander", np.unique: "unique", np.bincount: "bincount",
                  np.histogram: "histogram"}

# random draws: methods of a np.random.Generator (or RandomState) passed in, and NumPy's
# global functions.  Each draw is a constant of the derivative, made exactly once per call, in
# program order: never recomputed, moved or removed (passes/walk.py ``draws``)
RANDOM_METHODS = {"normal", "standard_normal", "uniform", "random", "exponential",
                  "standard_exponential", "randn", "rand", "random_sample", "laplace",
                  "logistic", "gumbel", "standard_t", "standard_cauchy", "lognormal"}
NONDIFF_CALLS.update({getattr(np.random, m): m for m in sorted(RANDOM_METHODS)
                      if hasattr(np.random, m)})

# splits into a literal number of pieces (a tuple), each a primitive ``piece`` (calls.py)
SPLIT_CALLS = {np.split: "split", np.array_split: "array_split", np.hsplit: "hsplit",
               np.vsplit: "vsplit", np.dsplit: "dsplit"}

# np.select([c1, c2], [a1, a2], default): nested where (calls.py)
SELECT_CALLS = {np.select: "select"}

# np.einsum with literal subscripts: a helper of loops, inlined (passes/einsum.py);
# np.tensordot the einsum its operands' ranks and literal axes spell
EINSUM_CALLS = {np.einsum: "einsum", np.tensordot: "tensordot"}

# np.array([a, b, ...]) of scalars (and rows of them): zeros and element writes (calls.py)
ARRAY_LITERAL_CALLS = {np.array: "array"}

# array constructors: the result starts inactive
CREATION_CALLS = {np.zeros: "zeros", np.ones: "ones", np.empty: "empty",
                  np.zeros_like: "zeros_like", np.ones_like: "ones_like",
                  np.empty_like: "empty_like", np.arange: "arange", np.eye: "eye",
                  np.identity: "identity"}

# methods of arrays and the function they stand for
METHODS = {"sum": "sum", "mean": "mean", "prod": "prod", "max": "amax", "min": "amin",
           "copy": "copy", "dot": "matmul", "reshape": "reshape", "ravel": "ravel",
           "flatten": "flatten", "var": "var", "std": "std", "trace": "trace",
           "cumsum": "cumsum", "repeat": "repeat", "swapaxes": "swapaxes", "clip": "clip",
           "transpose": "transpose", "squeeze": "squeeze",
           "diagonal": "diagonal", "take": "take", "astype": "astype", "cumprod": "cumprod",
           "compress": "compress", "item": "item", "conj": "copy", "conjugate": "copy"}

# methods whose result has derivative zero: ``x.any()`` is ``np.any(x)`` (NONDIFF_CALLS),
# ``x.argmax()`` is ``np.argmax(x)``, ``x.round(2)`` is ``np.round(x, 2)``
NONDIFF_METHODS = {"any": np.any, "all": np.all, "argmax": np.argmax, "argmin": np.argmin,
                   "argsort": np.argsort, "nonzero": np.nonzero, "round": np.round}

# calls whose result may share memory with their first argument (a write into one is a write
# into the other), as functions or methods
VIEW_CALLS = {"reshape", "ravel", "expand_dims", "squeeze", "transpose", "transpose_axes",
              "swapaxes", "moveaxis", "rot90", "flip", "fliplr", "flipud", "atleast_1d",
              "atleast_2d", "atleast_3d"}

# calls that become other primitives at the call (passes/calls.py): np.inner(a, b) is
# a @ b.T, np.rollaxis a moveaxis, np.take(x, idx) and x.astype(float) an index and a copy,
# np.linalg.slogdet the tuple (sign, logabsdet), np.median (1-D) the middle of a sort,
# np.linalg.eigh and svd tuples of one primitive per part (eigvalsh the first),
# x.compress(c) a mask read, x.item() the one element of x.reshape(1)
LOWERED = {"matrix_power", "inner", "rollaxis", "take", "astype", "solve", "slogdet", "median", "eigh",
           "eigvalsh", "svd", "compress", "item"}
