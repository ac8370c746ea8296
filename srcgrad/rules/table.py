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

To add a rule: add a row here, add a row to ``tests/rule_cases.py``.  Nothing else.
"""
import ast
import math

import numpy as np


class Rule:
    def __init__(self, name, params, vjp, jvp, elementwise=True):
        self.name = name
        self.params = tuple(params.split())
        self.vjp = dict(zip(self.params, vjp))
        self.jvp = dict(zip(self.params, jvp))
        self.elementwise = elementwise
        assert len(vjp) == len(self.params) and len(jvp) == len(self.params), name
        # parse now: a rule that is not valid Python fails at import, not in a user's call
        self.vjp_ast = {p: ast.parse(e, mode="eval").body for p, e in self.vjp.items() if e}
        self.jvp_ast = {p: ast.parse(e, mode="eval").body for p, e in self.jvp.items() if e}


RULES = {}


def rule(name, params, vjp, jvp, elementwise=True):
    RULES[name] = Rule(name, params, vjp, jvp, elementwise)


# ---- arithmetic ----------------------------------------------------------------------------
rule("pos",      "x",   ["g"],                         ["dx"])
rule("neg",      "x",   ["-g"],                        ["-dx"])
rule("add",      "x y", ["g", "g"],                    ["dx", "dy"])
rule("sub",      "x y", ["g", "-g"],                   ["dx", "-dy"])
rule("mul",      "x y", ["g * y", "g * x"],            ["dx * y", "x * dy"])
rule("truediv",  "x y", ["g / y", "-g * ans / y"],     ["dx / y", "-dy * ans / y"])
rule("pow",      "x y", ["g * y * x ** (y - 1)", "g * ans * log(x)"],
                        ["dx * y * x ** (y - 1)", "dy * ans * log(x)"])
rule("mod",      "x y", ["g", "-g * floor(x / y)"],   ["dx", "-dy * floor(x / y)"])
rule("floordiv", "x y", [None, None],                 [None, None])   # piecewise constant
rule("square",   "x",   ["2.0 * g * x"],               ["2.0 * dx * x"])
rule("abs",      "x",   ["g * sign(x)"],               ["dx * sign(x)"])
rule("copy",     "x",   ["g"],                         ["dx"])
# ---- elementary functions ------------------------------------------------------------------
rule("sin",      "x",   ["g * cos(x)"],                ["dx * cos(x)"])
rule("cos",      "x",   ["-g * sin(x)"],               ["-dx * sin(x)"])
rule("tan",      "x",   ["g * (1.0 + ans * ans)"],     ["dx * (1.0 + ans * ans)"])
rule("asin",     "x",   ["g / sqrt(1.0 - x * x)"],     ["dx / sqrt(1.0 - x * x)"])
rule("acos",     "x",   ["-g / sqrt(1.0 - x * x)"],    ["-dx / sqrt(1.0 - x * x)"])
rule("atan",     "x",   ["g / (1.0 + x * x)"],         ["dx / (1.0 + x * x)"])
rule("sinh",     "x",   ["g * cosh(x)"],               ["dx * cosh(x)"])
rule("cosh",     "x",   ["g * sinh(x)"],               ["dx * sinh(x)"])
rule("tanh",     "x",   ["g * (1.0 - ans * ans)"],     ["dx * (1.0 - ans * ans)"])
rule("exp",      "x",   ["g * ans"],                   ["dx * ans"])
rule("expm1",    "x",   ["g * (ans + 1.0)"],           ["dx * (ans + 1.0)"])
rule("log",      "x",   ["g / x"],                     ["dx / x"])
rule("log1p",    "x",   ["g / (1.0 + x)"],             ["dx / (1.0 + x)"])
rule("log10",    "x",   ["g / (x * 2.302585092994046)"], ["dx / (x * 2.302585092994046)"])
rule("log2",     "x",   ["g / (x * 0.6931471805599453)"], ["dx / (x * 0.6931471805599453)"])
rule("sqrt",     "x",   ["g / (2.0 * ans)"],           ["dx / (2.0 * ans)"])
rule("reciprocal", "x", ["-g * ans * ans"],            ["-dx * ans * ans"])
rule("exp2",     "x",   ["g * ans * 0.6931471805599453"], ["dx * ans * 0.6931471805599453"])
rule("cbrt",     "x",   ["g / (3.0 * ans * ans)"],     ["dx / (3.0 * ans * ans)"])
rule("asinh",    "x",   ["g / sqrt(x * x + 1.0)"],     ["dx / sqrt(x * x + 1.0)"])
rule("acosh",    "x",   ["g / sqrt(x * x - 1.0)"],     ["dx / sqrt(x * x - 1.0)"])
rule("atanh",    "x",   ["g / (1.0 - x * x)"],         ["dx / (1.0 - x * x)"])
rule("radians",  "x",   ["g * 0.017453292519943295"],  ["dx * 0.017453292519943295"])
rule("degrees",  "x",   ["g * 57.29577951308232"],     ["dx * 57.29577951308232"])
rule("erf",      "x",   ["g * 1.1283791670955126 * exp(-x * x)"],
                        ["dx * 1.1283791670955126 * exp(-x * x)"])
rule("erfc",     "x",   ["-g * 1.1283791670955126 * exp(-x * x)"],
                        ["-dx * 1.1283791670955126 * exp(-x * x)"])
# sinc(x) = sin(pi x) / (pi x): derivative (cos(pi x) - sinc(x)) / x, and 0 at x = 0
rule("sinc",     "x",   ["g * where(x == 0.0, 0.0, (cos(3.141592653589793 * x) - ans) / x)"],
                        ["dx * where(x == 0.0, 0.0, (cos(3.141592653589793 * x) - ans) / x)"])
rule("logaddexp", "x y", ["g * exp(x - ans)", "g * exp(y - ans)"],
                         ["dx * exp(x - ans)", "dy * exp(y - ans)"])
rule("logaddexp2", "x y", ["g * exp2(x - ans)", "g * exp2(y - ans)"],
                          ["dx * exp2(x - ans)", "dy * exp2(y - ans)"])
rule("fmod",     "x y", ["g", "-g * trunc(x / y)"],   ["dx", "-dy * trunc(x / y)"])
rule("atan2",    "y x", ["g * x / (x * x + y * y)", "-g * y / (x * x + y * y)"],
                        ["dy * x / (x * x + y * y)", "-dx * y / (x * x + y * y)"])
rule("hypot",    "x y", ["g * x / ans", "g * y / ans"], ["dx * x / ans", "dy * y / ans"])
rule("maximum",  "x y", ["g * ((x > y) + 0.5 * (x == y))", "g * ((y > x) + 0.5 * (x == y))"],
                        ["dx * ((x > y) + 0.5 * (x == y))", "dy * ((y > x) + 0.5 * (x == y))"])
rule("minimum",  "x y", ["g * ((x < y) + 0.5 * (x == y))", "g * ((y < x) + 0.5 * (x == y))"],
                        ["dx * ((x < y) + 0.5 * (x == y))", "dy * ((y < x) + 0.5 * (x == y))"])
# fmax/fmin ignore a NaN argument: the derivative goes to the other one (x != x: x is NaN)
rule("fmax",     "x y", ["g * ((x > y) + 0.5 * (x == y) + (y != y))", "g * ((y > x) + 0.5 * (x == y) + (x != x))"],
                        ["dx * ((x > y) + 0.5 * (x == y) + (y != y))", "dy * ((y > x) + 0.5 * (x == y) + (x != x))"])
rule("fmin",     "x y", ["g * ((x < y) + 0.5 * (x == y) + (y != y))", "g * ((y < x) + 0.5 * (x == y) + (x != x))"],
                        ["dx * ((x < y) + 0.5 * (x == y) + (y != y))", "dy * ((y < x) + 0.5 * (x == y) + (x != x))"])
rule("where",    "c x y", [None, "where(c, g, 0.0)", "where(c, 0.0, g)"],
                          [None, "where(c, dx, 0.0)", "where(c, 0.0, dy)"])
rule("clip",     "x lo hi", ["g * (x >= lo) * (x <= hi)", "g * (x < lo)", "g * (x > hi)"],
                            ["dx * (x >= lo) * (x <= hi)", "dlo * (x < lo)", "dhi * (x > hi)"])
# ---- creation from active values -----------------------------------------------------------
rule("full",     "shape v", [None, "sum(g)"],         [None, "full(shape, dv)"], elementwise=False)
rule("linspace", "lo hi n", ["sum(g * linspace(1.0, 0.0, n))", "sum(g * linspace(0.0, 1.0, n))", None],
                            ["dlo * linspace(1.0, 0.0, n)", "dhi * linspace(0.0, 1.0, n)", None],
                            elementwise=False)
# ---- reductions (the contribution has the parameter's shape) -------------------------------
rule("sum",      "x",   ["full_like(x, g)"],           ["sum(dx)"], elementwise=False)
rule("mean",     "x",   ["full_like(x, g / x.size)"],  ["mean(dx)"], elementwise=False)
rule("prod",     "x",   ["g * prod_grad(x)"],          ["sum(dx * prod_grad(x))"], elementwise=False)
rule("var",      "x",   ["g * 2.0 * (x - mean(x)) / x.size"],
                        ["2.0 * sum(dx * (x - mean(x))) / x.size"], elementwise=False)
rule("std",      "x",   ["g * (x - mean(x)) / (x.size * ans)"],
                        ["sum(dx * (x - mean(x))) / (x.size * ans)"], elementwise=False)
rule("var_ddof", "x ddof", ["g * 2.0 * (x - mean(x)) / (x.size - ddof)", None],
                           ["2.0 * sum(dx * (x - mean(x))) / (x.size - ddof)", None], elementwise=False)
rule("std_ddof", "x ddof", ["g * (x - mean(x)) / ((x.size - ddof) * ans)", None],
                           ["sum(dx * (x - mean(x))) / ((x.size - ddof) * ans)", None], elementwise=False)
rule("ptp",      "x",   ["g * (extremum_mask(x, amax(x)) - extremum_mask(x, amin(x)))"],
                        ["sum(dx * (extremum_mask(x, amax(x)) - extremum_mask(x, amin(x))))"],
                        elementwise=False)
rule("norm",     "x",   ["g * where(ans == 0.0, 0.0 * x, x / ans)"],
                        ["where(ans == 0.0, 0.0, sum(dx * x) / ans)"], elementwise=False)
rule("trace",    "x",   ["g * eye(x.shape[0], x.shape[1])"], ["trace(dx)"], elementwise=False)
rule("cumsum",   "x",   ["cumsum(g[::-1])[::-1]"],     ["cumsum(dx)"], elementwise=False)
rule("diff",     "x",   ["diff_grad(g)"],              ["diff(dx)"], elementwise=False)
rule("sort",     "x",   ["unsort(g, x)"],              ["dx[argsort(x)]"], elementwise=False)
rule("vdot",     "a b", ["g * b", "g * a"],            ["vdot(da, b)", "vdot(a, db)"], elementwise=False)
rule("amax",     "x",   ["g * extremum_mask(x, ans)"], ["sum(dx * extremum_mask(x, ans))"], elementwise=False)
rule("amin",     "x",   ["g * extremum_mask(x, ans)"], ["sum(dx * extremum_mask(x, ans))"], elementwise=False)
rule("sum_axis", "x axis", ["expand_axis(g, x, axis)", None],
                           ["sum_axis(dx, axis)", None], elementwise=False)
rule("mean_axis", "x axis", ["expand_axis(g, x, axis) / x.shape[axis]", None],
                            ["mean_axis(dx, axis)", None], elementwise=False)
rule("amax_axis", "x axis", ["expand_axis(g, x, axis) * extremum_mask_axis(x, ans, axis)", None],
                            ["sum_axis(dx * extremum_mask_axis(x, ans, axis), axis)", None], elementwise=False)
rule("amin_axis", "x axis", ["expand_axis(g, x, axis) * extremum_mask_axis(x, ans, axis)", None],
                            ["sum_axis(dx * extremum_mask_axis(x, ans, axis), axis)", None], elementwise=False)
# ---- shape (the contribution is the cotangent in the parameter's shape) ---------------------
rule("reshape",  "x shape", ["reshape_as(g, x)", None], ["reshape_to(dx, shape)", None], elementwise=False)
rule("ravel",    "x",   ["reshape_as(g, x)"],          ["ravel(dx)"], elementwise=False)
rule("flatten",  "x",   ["reshape_as(g, x)"],          ["flatten(dx)"], elementwise=False)
rule("expand_dims", "x axis", ["reshape_as(g, x)", None], ["expand_dims(dx, axis)", None],
     elementwise=False)
rule("flip",     "x",   ["flip(g)"],                   ["flip(dx)"], elementwise=False)
rule("fliplr",   "x",   ["fliplr(g)"],                 ["fliplr(dx)"], elementwise=False)
rule("flipud",   "x",   ["flipud(g)"],                 ["flipud(dx)"], elementwise=False)
rule("swapaxes", "x a b", ["swapaxes(g, a, b)", None, None], ["swapaxes(dx, a, b)", None, None],
     elementwise=False)
rule("roll",     "x shift", ["roll(g, -shift)", None],   ["roll(dx, shift)", None], elementwise=False)
rule("as_column", "x",  ["reshape_as(g, x)"],          ["as_column(dx)"], elementwise=False)
rule("atleast_1d", "x", ["g"],                         ["atleast_1d(dx)"], elementwise=False)
rule("atleast_2d", "x", ["reshape_as(g, x)"],          ["atleast_2d(dx)"], elementwise=False)
rule("broadcast_to", "x shape", ["unbroadcast(g, x)", None], ["broadcast_to(dx, shape)", None],
     elementwise=False)
rule("repeat",   "x k", ["reshape_as(sum_axis(reshape_to(g, (x.size, k)), 1), x)", None],
                        ["repeat(dx, k)", None], elementwise=False)
rule("triu",     "x",   ["triu(g)"],                   ["triu(dx)"], elementwise=False)
rule("tril",     "x",   ["tril(g)"],                   ["tril(dx)"], elementwise=False)
# joins, two arrays at a time (np.concatenate/stack/vstack/hstack of n arrays are folded)
rule("concat",   "a b axis", ["take_first(g, a, axis)", "take_rest(g, a, axis)", None],
                             ["concat_first(da, b, axis)", "concat_rest(a, db, axis)", None],
                             elementwise=False)
rule("take_first", "v a axis", ["concat_first(g, take_rest(v, a, axis), axis)", None, None],
                               ["take_first(dv, a, axis)", None, None], elementwise=False)
rule("take_rest", "v a axis", ["concat_rest(a, g, axis)", None, None],
                              ["take_rest(dv, a, axis)", None, None], elementwise=False)
rule("concat_first", "v b axis", ["take_first(g, v, axis)", None, None],
                                 ["concat_first(dv, b, axis)", None, None], elementwise=False)
rule("concat_rest", "a v axis", [None, "take_rest(g, a, axis)", None],
                                [None, "concat_rest(a, dv, axis)", None], elementwise=False)
rule("keep_all", "v x", ["sum(g)", None],              ["keep_all(dv, x)", None], elementwise=False)
rule("reshape_as", "v x", ["reshape_as(g, v)", None],  ["reshape_as(dv, x)", None], elementwise=False)
rule("reshape_to", "v shape", ["reshape_as(g, v)", None], ["reshape_to(dv, shape)", None],
     elementwise=False)
# ---- linear algebra (m: matrix, v: vector) -------------------------------------------------
rule("matmul_mm", "a b", ["g @ b.T", "a.T @ g"],      ["da @ b", "a @ db"], elementwise=False)
rule("matmul_mv", "a b", ["outer(g, b)", "a.T @ g"],  ["da @ b", "a @ db"], elementwise=False)
rule("matmul_vm", "a b", ["b @ g", "outer(a, g)"],    ["da @ b", "a @ db"], elementwise=False)
rule("matmul_vv", "a b", ["g * b", "g * a"],          ["da @ b", "a @ db"], elementwise=False)
rule("inv",       "x",   ["-(ans.T @ g @ ans.T)"],     ["-(ans @ dx @ ans)"], elementwise=False)
rule("det",       "x",   ["g * ans * np.linalg.inv(x).T"], ["ans * trace(np.linalg.inv(x) @ dx)"],
     elementwise=False)
rule("outer",     "a b", ["g @ b", "a @ g"],          ["outer(da, b)", "outer(a, db)"], elementwise=False)
rule("transpose", "x",   ["g.T"],                     ["dx.T"], elementwise=False)
rule("transpose_axes", "x axes inverse", ["transpose(g, inverse)", None, None],
                                         ["transpose(dx, axes)", None, None], elementwise=False)
# ---- the helpers generated adjoints call (forward-over-reverse differentiates them) --------
rule("unbroadcast", "v x", ["g + zeros_like(v)", None], ["unbroadcast(dv, x)", None], elementwise=False)
rule("full_like",   "x v", [None, "sum(g)"], [None, "full_like(x, dv)"], elementwise=False)
rule("expand_axis", "v x axis", ["sum_axis(g, axis)", None, None],
                                ["expand_axis(dv, x, axis)", None, None], elementwise=False)
rule("prod_grad",   "x", ["prod_grad_jvp(x, g)"], ["prod_grad_jvp(x, dx)"], elementwise=False)
rule("scatter_add", "acc idx v", ["g", None, "g[idx]"],
                                 ["dacc", None, "scatter_add(zeros_like(acc), idx, dv)"], elementwise=False)
rule("diff_grad",   "v", ["diff(g)"], ["diff_grad(dv)"], elementwise=False)
rule("unsort",      "v x", ["g[argsort(x)]", None], ["unsort(dv, x)", None], elementwise=False)
rule("gather_last", "y idx", ["scatter_add(zeros_like(y), idx, g * gather_last(ones_like(y), idx))", None],
                             ["gather_last(dy, idx)", None], elementwise=False)


# ---- what each primitive accepts -----------------------------------------------------------
# Ranks an argument may have where a row's template assumes them (checked with the kinds, at
# the user's line): "s" a scalar, "i" an integer scalar or a tuple of them, a number the rank
# of an array.  Parameters not named here take a scalar or an array of any rank.
ACCEPTS = {
    "full":      {"shape": "i", "v": "s"},
    "full_like": {"v": "s"},
    "linspace":  {"lo": "s", "hi": "s", "n": "i"},
    "outer":     {"a": (1,), "b": (1,)},
    "clip":      {"lo": "s", "hi": "s"},
    "sum_axis":  {"x": (1, 2), "axis": "i"}, "mean_axis": {"x": (1, 2), "axis": "i"},
    "amax_axis": {"x": (1, 2), "axis": "i"}, "amin_axis": {"x": (1, 2), "axis": "i"},
    "transpose_axes": {"axes": "i"},
    "reshape": {"x": (1, 2, 3, 4), "shape": "i"}, "reshape_to": {"shape": "i"},
    "ravel": {"x": (1, 2, 3, 4)}, "flatten": {"x": (1, 2, 3, 4)},
    "flip": {"x": (1, 2, 3)}, "fliplr": {"x": (2, 3)}, "flipud": {"x": (1, 2, 3)},
    "swapaxes": {"x": (2, 3), "a": "i", "b": "i"}, "roll": {"x": (1,), "shift": "i"},
    "atleast_2d": {"x": (1, 2)}, "atleast_1d": {"x": (1, 2, 3)}, "ptp": {"x": (1, 2, 3)},
    "concat": {"a": (1, 2), "b": (1, 2), "axis": "i"}, "as_column": {"x": (1, 2)},
    "var_ddof": {"x": (1, 2, 3), "ddof": "i"}, "std_ddof": {"x": (1, 2, 3), "ddof": "i"},
    "take_first": {"v": (1, 2), "a": (1, 2), "axis": "i"},
    "take_rest": {"v": (1, 2), "a": (1, 2), "axis": "i"},
    "concat_first": {"v": (1, 2), "b": (1, 2), "axis": "i"},
    "concat_rest": {"a": (1, 2), "v": (1, 2), "axis": "i"},
    "inv": {"x": (2,)}, "det": {"x": (2,)}, "broadcast_to": {"x": (1, 2), "shape": "i"},
    "repeat": {"x": (1,), "k": "i"}, "triu": {"x": (2,)}, "tril": {"x": (2,)},
    "var": {"x": (1, 2, 3)}, "std": {"x": (1, 2, 3)}, "norm": {"x": (1, 2)},
    "trace": {"x": (2,)}, "cumsum": {"x": (1,)}, "diff": {"x": (1,)}, "sort": {"x": (1,)},
    "vdot": {"a": (1,), "b": (1,)}, "diff_grad": {"v": (1,)}, "unsort": {"v": (1,), "x": (1,)},
    "expand_dims": {"x": (1, 2, 3), "axis": "i"}, "keep_all": {"v": "s", "x": (1, 2, 3, 4)},
}

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
CALLS.update(_both("asinh", "arcsinh"))
CALLS.update(_both("acosh", "arccosh"))
CALLS.update(_both("atanh", "arctanh"))
CALLS.update(_both("exp2"))
CALLS.update(_both("cbrt"))
CALLS.update(_both("radians", "radians", "deg2rad"))
CALLS.update(_both("degrees", "degrees", "rad2deg"))
CALLS.update(_both("erf", "-"))   # math only (scipy.special.erf: the SciPy issue)
CALLS.update(_both("erfc", "-"))
CALLS.update(_both("fmod"))
# NumPy's function forms of the operators and its other elementwise functions
CALLS.update({np.add: "add", np.subtract: "sub", np.multiply: "mul", np.divide: "truediv",
              np.true_divide: "truediv", np.negative: "neg", np.positive: "pos",
              np.reciprocal: "reciprocal", np.mod: "mod", np.remainder: "mod",
              np.absolute: "abs", np.sinc: "sinc", np.logaddexp: "logaddexp",
              np.logaddexp2: "logaddexp2", np.fmax: "fmax", np.fmin: "fmin"})
CALLS.update({math.fabs: "abs", np.abs: "abs", np.fabs: "abs", math.pow: "pow",
              np.power: "pow", np.square: "square", np.maximum: "maximum",
              np.minimum: "minimum", np.where: "where", np.clip: "clip", np.copy: "copy",
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
              np.atleast_1d: "atleast_1d", np.linalg.inv: "inv", np.linalg.det: "det"})

from .. import runtime as _rt  # noqa: E402

CALLS.update({_rt.unbroadcast: "unbroadcast", np.full_like: "full_like",
              _rt.expand_axis: "expand_axis", _rt.prod_grad: "prod_grad",
              _rt.sum_axis: "sum_axis", _rt.mean_axis: "mean_axis", _rt.max_axis: "amax_axis",
              _rt.min_axis: "amin_axis", _rt.scatter_add: "scatter_add",
              _rt.gather_last: "gather_last", _rt.reshape_as: "reshape_as",
              _rt.reshape_to: "reshape_to", _rt.keep_all: "keep_all", _rt.flatten: "flatten",
              _rt.diff_grad: "diff_grad", _rt.unsort: "unsort", _rt.concat: "concat",
              _rt.take_first: "take_first", _rt.take_rest: "take_rest",
              _rt.concat_first: "concat_first", _rt.concat_rest: "concat_rest",
              _rt.var_ddof: "var_ddof", _rt.std_ddof: "std_ddof", _rt.as_column: "as_column"})

# joins of a literal tuple or list of arrays, folded into concat two at a time
JOIN_CALLS = {np.concatenate: "concatenate", np.stack: "stack", np.vstack: "vstack",
              np.hstack: "hstack", np.column_stack: "column_stack"}

# calls whose result has derivative zero (or is an integer): the result is never active
NONDIFF_CALLS = {np.argsort: "argsort", len: "len", int: "int", range: "range", round: "round", bool: "bool",
                 math.floor: "floor", math.ceil: "ceil", np.floor: "floor", np.ceil: "ceil",
                 math.trunc: "trunc", np.trunc: "trunc", np.round: "round", np.around: "round",
                 np.rint: "rint", np.fix: "fix",
                 np.sign: "sign", math.isnan: "isnan", np.isnan: "isnan",
                 math.isinf: "isinf", math.isfinite: "isfinite", np.isfinite: "isfinite",
                 np.argmax: "argmax", np.argmin: "argmin", print: "print",
                 _rt.extremum_mask: "extremum_mask", _rt.hstack_axis: "hstack_axis", _rt.extremum_mask_axis: "extremum_mask_axis"}

# array constructors: the result starts inactive
CREATION_CALLS = {np.zeros: "zeros", np.ones: "ones", np.empty: "empty",
                  np.zeros_like: "zeros_like", np.ones_like: "ones_like",
                  np.empty_like: "empty_like", np.arange: "arange", np.eye: "eye",
                  np.identity: "identity"}

# methods of arrays and the function they stand for
METHODS = {"sum": "sum", "mean": "mean", "prod": "prod", "max": "amax", "min": "amin",
           "copy": "copy", "dot": "matmul", "reshape": "reshape", "ravel": "ravel",
           "flatten": "flatten", "var": "var", "std": "std", "trace": "trace",
           "cumsum": "cumsum", "repeat": "repeat", "swapaxes": "swapaxes"}

# calls whose result may share memory with their first argument (a write into one is a write
# into the other), as functions or methods
VIEW_CALLS = {"reshape", "ravel", "expand_dims"}
