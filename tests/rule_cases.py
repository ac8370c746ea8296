"""The test table: every rule of srcgrad/rules/table.py, with expressions that reach it and the
input domain where it is smooth.  A meta-test fails when a rule has no row here.

An argument spec is S(lo, hi) for a float scalar or A(shape, lo, hi) for a float array.
"""


class S:
    def __init__(self, lo=-1.0, hi=1.0):
        self.lo, self.hi, self.shape = lo, hi, ()


class A:
    def __init__(self, shape, lo=-1.0, hi=1.0):
        self.lo, self.hi = lo, hi
        self.shape = shape if isinstance(shape, tuple) else (shape,)


POS = (0.5, 2.0)
UNARY_DOMAINS = {"sin": None, "cos": None, "tan": None, "asin": (-0.9, 0.9), "acos": (-0.9, 0.9),
                 "atan": None, "sinh": None, "cosh": None, "tanh": None, "exp": None,
                 "expm1": None, "log": POS, "log1p": POS, "log10": POS, "log2": POS, "sqrt": POS}
NP_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan"}

CASES = {
    "pos": [("float(x)", [S()]), ("+x", [A(4)])],
    "neg": [("-x", [S()]), ("-x", [A(4)]), ("np.negative(x)", [A(4)])],
    "add": [("x + y", [S(), S()]), ("x + y", [A((3, 4)), A(4)]), ("x + y", [A(3), S()]),
            ("np.add(x, y)", [A((3, 4)), A(4)])],
    "sub": [("x - y", [S(), S()]), ("x - y", [A((3, 1)), A(4)]), ("x - y", [S(), A(3)]),
            ("np.subtract(x, y)", [S(), A(3)])],
    "mul": [("x * y", [S(), S()]), ("x * y", [A((2, 3)), A(3)]), ("x * y", [S(), A(3)]),
            ("np.multiply(x, y)", [A((2, 3)), A(3)])],
    "truediv": [("x / y", [S(*POS), S(*POS)]), ("x / y", [A(3, *POS), A(3, *POS)]),
                ("np.divide(x, y)", [A(3, *POS), S(*POS)]), ("np.true_divide(x, y)", [S(*POS), A(3, *POS)])],
    "pow": [("x ** y", [S(*POS), S(*POS)]), ("x ** 3", [A(3)]), ("x ** y", [A(3, *POS), S(*POS)])],
    "mod": [("x % y", [S(2.1, 2.3), S(0.7, 0.9)]), ("np.mod(x, y)", [A(4, 2.1, 2.3), S(0.7, 0.9)]),
            ("np.remainder(x, y)", [A(4, -2.3, -2.1), A(4, 0.7, 0.9)])],
    "floordiv": [("x * (x // y)", [S(2.1, 2.3), S(1.0, 1.05)])],
    "square": [("np.square(x)", [A(4)])],
    "abs": [("abs(x)", [S(0.3, 1.0)]), ("math.fabs(x)", [S(-2.0, -0.5)]), ("np.abs(x)", [A(3, 0.5, 1)])],
    "copy": [("np.copy(x) * x", [A(3)]), ("x.copy() * x", [A(3)])],
    "atan2": [("math.atan2(y, x)", [S(), S()]), ("np.arctan2(x, y)", [A(3), A(3)])],
    "hypot": [("math.hypot(x, y)", [S(), S()]), ("np.hypot(x, y)", [A(3), A(3)])],
    "maximum": [("max(x, y)", [S(0, 1), S(1, 2)]), ("max(x, y)", [S(1, 2), S(0, 1)]),
                ("np.maximum(x, y)", [A(5, 0, 1), A(5, 0, 1)])],
    "minimum": [("min(x, y)", [S(0, 1), S(1, 2)]), ("min(x, y)", [S(1, 2), S(0, 1)]),
                ("np.minimum(x, y)", [A(5, 0, 1), A(5, 0, 1)])],
    "where": [("np.where(x > 0.5, x * y, y)", [A(6, 0, 1), A(6, 0, 1)])],
    "clip": [("np.clip(x, 0.3, 0.7)", [A(6, 0, 1)])],
    "sum": [("np.sum(x)", [A((3, 4))]), ("x.sum()", [A(3)])],
    "mean": [("np.mean(x)", [A((3, 4))]), ("x.mean()", [A(3)]), ("np.average(x)", [A(3)])],
    "prod": [("np.prod(x)", [A(4)]), ("x.prod()", [A((2, 2))])],
    "amax": [("np.max(x)", [A((3, 4))]), ("x.max()", [A(5)])],
    "amin": [("np.min(x)", [A((3, 4))]), ("x.min()", [A(5)])],
    "sum_axis": [("np.sum(x, axis=0)", [A((3, 4))]), ("np.sum(x, axis=1)", [A((3, 4))]),
                 ("np.sum(x, 0)", [A(4)])],
    "mean_axis": [("np.mean(x, axis=0)", [A((3, 4))]), ("np.mean(x, axis=1)", [A((3, 4))]),
                  ("np.average(x, 1)", [A((3, 4))])],
    "amax_axis": [("np.max(x, axis=0)", [A((3, 4))]), ("np.max(x, axis=1)", [A((3, 4))])],
    "amin_axis": [("np.min(x, axis=0)", [A((3, 4))]), ("np.min(x, axis=1)", [A((3, 4))])],
    "matmul_mm": [("x @ y", [A((2, 3)), A((3, 4))])],
    "matmul_mv": [("x @ y", [A((2, 3)), A(3)]), ("np.dot(x, y)", [A((2, 3)), A(3)])],
    "matmul_vm": [("x @ y", [A(3), A((3, 2))])],
    "matmul_vv": [("x @ y", [A(3), A(3)]), ("x.dot(y)", [A(3), A(3)])],
    "outer": [("np.outer(x, y)", [A(3), A(2)])],
    "reshape": [("np.reshape(x, (2, 3)) * y", [A(6), A((2, 3))]), ("x.reshape(-1)", [A((2, 3))]),
                ("x.reshape(3, 2) @ y", [A((2, 3)), A(2)]), ("x.T.reshape((6,))", [A((2, 3))]),
                ("np.sin(x).reshape(x.shape[1], x.shape[0])", [A((2, 3))])],
    "ravel": [("np.ravel(x) * y", [A((2, 3)), A(6)]), ("x.T.ravel()", [A((2, 3))])],
    "flatten": [("x.flatten() * y", [A((2, 3)), A(6)])],
    "expand_dims": [("np.expand_dims(x, 1) * y", [A(3), A((3, 4))]),
                    ("np.expand_dims(x, 0) - x", [A((2, 3))]),
                    ("np.sum(x, axis=1, keepdims=True) * x", [A((3, 4))]),
                    ("x - np.max(x, axis=0, keepdims=True)", [A((3, 4))]),
                    ("np.mean(x, axis=-1, keepdims=True) / y", [A((3, 4)), A((3, 1), 1, 2)]),
                    ("np.min(x, 1, keepdims=True) * y", [A((3, 4)), S()])],
    "keep_all": [("np.sum(x, keepdims=True) * x", [A((3, 4))]),
                 ("x / np.max(x, keepdims=True)", [A(5, 1, 2)]),
                 ("np.mean(x * x, keepdims=True) + y", [A((2, 2)), A((2, 2))]),
                 ("x.sum(keepdims=False) * x", [A(3)]),
                 ("np.prod(x, keepdims=True) * x", [A((2, 2))])],
    "flip": [("np.flip(x) * y", [A(4), A(4)]), ("np.flip(x)", [A((2, 3))])],
    "fliplr": [("np.fliplr(x) * y", [A((2, 3)), A((2, 3))])],
    "flipud": [("np.flipud(x) * y", [A((2, 3)), A(3)])],
    "swapaxes": [("np.swapaxes(x, 0, 1) @ y", [A((2, 3)), A(2)]),
                 ("x.swapaxes(2, 0) * y", [A((2, 3, 2)), A(2)])],
    "roll": [("np.roll(x, 2) * y", [A(5), A(5)]), ("np.roll(x, -1)", [A(4)])],
    "atleast_2d": [("np.atleast_2d(x) * y", [A(3), A((2, 3))]), ("np.atleast_2d(x)", [A((2, 2))])],
    "broadcast_to": [("np.broadcast_to(x, (2, 3)) * y", [A(3), A((2, 3))])],
    "repeat": [("np.repeat(x, 2) * y", [A(3), A(6)]), ("x.repeat(3)", [A(2)])],
    "triu": [("np.triu(x) * y", [A((3, 3)), A((3, 3))])],
    "tril": [("np.tril(x) * y", [A((3, 4)), A(4)])],
    "var": [("np.var(x)", [A(5)]), ("x.var() * y", [A((2, 3)), S()])],
    "std": [("np.std(x)", [A(5)]), ("x.std()", [A((2, 3))])],
    "norm": [("np.linalg.norm(x)", [A(4)]), ("np.linalg.norm(x) * y", [A((2, 3)), S()])],
    "trace": [("np.trace(x)", [A((3, 3))]), ("x.trace() * y", [A((2, 3)), S()])],
    "cumsum": [("np.cumsum(x) * y", [A(4), A(4)]), ("x.cumsum()", [A(3)])],
    "diff": [("np.diff(x) * y", [A(5), A(4)])],
    "sort": [("np.sort(x) * y", [A(5), A(5)])],
    "vdot": [("np.vdot(x, y)", [A(4), A(4)])],
    "diff_grad": [("rt.diff_grad(x) * y", [A(4), A(5)])],
    "unsort": [("rt.unsort(x, y) * x[0]", [A(4), A(4)])],
    "var_ddof": [("np.var(x, ddof=1)", [A(5)]), ("x.var(ddof=1) * y", [A((2, 3)), S()]),
                 ("rt.var_ddof(x, 0)", [A(4)])],
    "std_ddof": [("np.std(x, ddof=1)", [A(5)]), ("x.std(ddof=0)", [A((2, 3))])],
    "ptp": [("np.ptp(x)", [A(5)]), ("np.ptp(x) * y", [A((2, 3)), S()])],
    "as_column": [("rt.as_column(x) * y", [A(3), A((3, 2))]), ("rt.as_column(x)", [A((2, 2))]),
                  ("np.column_stack((x, y, x)) * 2.0", [A(3), A(3)]),
                  ("np.column_stack([x, y])", [A((3, 2)), A(3)])],
    "atleast_1d": [("np.atleast_1d(x) * y", [A(3), A(3)])],
    "inv": [("np.linalg.inv(x + 3.0 * np.eye(3)) @ y", [A((3, 3)), A(3)])],
    "det": [("np.linalg.det(x)", [A((3, 3))]), ("np.linalg.det(x) * y", [A((2, 2)), S()])],
    "concat": [("np.concatenate((x, y)) * np.concatenate((y, x))", [A(3), A(2)]),
               ("np.concatenate([x, y, x], axis=1)", [A((2, 3)), A((2, 1))]),
               ("np.stack((x, y, x * y)) * x", [A(3), A(3)]),
               ("np.stack([x, y], axis=1)", [A(3), A(3)]),
               ("np.vstack((x, y)) * x", [A(3), A(3)]), ("np.vstack([x, y])", [A((2, 3)), A(3)]),
               ("rt.concat(x, y, 0)", [A(2), A(3)]),
               ("np.hstack((x, y, x)) * 2.0", [A(2), A(3)]), ("np.hstack([x, y])", [A((2, 3)), A((2, 1))])],
    "take_first": [("rt.take_first(x, y, 0) * y", [A(5), A(2)]),
                   ("rt.take_first(x, y, 1)", [A((2, 5)), A((2, 3))])],
    "take_rest": [("rt.take_rest(x, y, 0) * x[:3]", [A(5), A(2)]),
                  ("rt.take_rest(x, y, 1)", [A((2, 5)), A((2, 3))])],
    "concat_first": [("rt.concat_first(x, y, 0) * x[0]", [A(2), A(3)]),
                     ("rt.concat_first(x, y, 1)", [A((2, 2)), A((2, 3))])],
    "concat_rest": [("rt.concat_rest(y, x, 0) * x[0]", [A(3), A(2)]),
                    ("rt.concat_rest(y, x, 1)", [A((2, 3)), A((2, 2))])],
    "reshape_as": [("rt.reshape_as(x, y) * y", [A(6), A((2, 3))]),
                   ("rt.reshape_as(x.T, y)", [A((3, 2)), A((2, 3))])],
    "reshape_to": [("rt.reshape_to(x, (3, 2)) * y", [A(6), A((3, 2))]),
                   ("rt.reshape_to(x.T, 6)", [A((2, 3))])],
    "reciprocal": [("np.reciprocal(x)", [A(4, *POS)]), ("np.reciprocal(x) * y", [S(*POS), S()])],
    "exp2": [("math.exp2(x)", [S()]), ("np.exp2(x)", [A(4)])],
    "cbrt": [("math.cbrt(x)", [S(*POS)]), ("np.cbrt(x)", [A(4, *POS)])],
    "asinh": [("math.asinh(x)", [S()]), ("np.arcsinh(x)", [A(4)])],
    "acosh": [("math.acosh(x)", [S(1.2, 2.0)]), ("np.arccosh(x)", [A(4, 1.2, 2.0)])],
    "atanh": [("math.atanh(x)", [S(-0.9, 0.9)]), ("np.arctanh(x)", [A(4, -0.9, 0.9)])],
    "radians": [("math.radians(x)", [S()]), ("np.deg2rad(x)", [A(4)]), ("np.radians(x)", [A(4)])],
    "degrees": [("math.degrees(x)", [S()]), ("np.rad2deg(x)", [A(4)]), ("np.degrees(x)", [A(4)])],
    "erf": [("math.erf(x)", [S()])],
    "erfc": [("math.erfc(x)", [S()])],
    "sinc": [("np.sinc(x)", [S(0.2, 0.9)]), ("np.sinc(x)", [A(4, 0.2, 0.9)])],
    "logaddexp": [("np.logaddexp(x, y)", [S(), S()]), ("np.logaddexp(x, y)", [A((3, 4)), A(4)])],
    "logaddexp2": [("np.logaddexp2(x, y)", [S(), S()]), ("np.logaddexp2(x, y)", [A(4), S()])],
    "fmod": [("math.fmod(x, y)", [S(2.1, 2.3), S(0.7, 0.9)]),
             ("np.fmod(x, y)", [A(4, -2.3, -2.1), A(4, 0.7, 0.9)])],
    "fmax": [("np.fmax(x, y)", [A(5, 0, 1), A(5, 0, 1)]), ("np.fmax(x, y)", [S(1, 2), S(0, 1)])],
    "fmin": [("np.fmin(x, y)", [A(5, 0, 1), A(5, 0, 1)]), ("np.fmin(x, y)", [S(0, 1), S(1, 2)])],
    "transpose": [("x.T", [A((2, 3))]), ("np.transpose(x)", [A((2, 3))])],
    "transpose_axes": [("np.transpose(x, (1, 0, 2))", [A((2, 3, 4))]),
                       ("np.transpose(x, axes=(2, 0, 1)) * 2.0", [A((2, 3, 4))])],
    "full": [("np.full((3, 2), x)", [S()]), ("np.full(4, x) * y", [S(), A(4)])],
    "linspace": [("np.linspace(x, y, 5)", [S(), S()]), ("np.linspace(x, 2.0, 1) * y", [S(), S()])],
    # helpers of generated code (reached by hessian / forward-over-reverse)
    "scatter_add": [("rt.scatter_add(x, IDX, y)", [A(4), A(4)]),
                    ("rt.scatter_add(x, IDX, y)", [A((4, 2)), A((4, 2))])],
    "gather_last": [("rt.gather_last(x, IDX)", [A(4)]), ("rt.gather_last(x, IDX)", [A((4, 3))])],
    "unbroadcast": [("rt.unbroadcast(x, y) * y", [A((3, 4)), A(4)]),
                    ("rt.unbroadcast(x, y) * y", [A((3, 4)), A((3, 1))])],
    "full_like": [("np.full_like(x, y) * x", [A(3), S()])],
    "expand_axis": [("rt.expand_axis(x, y, 0) * y", [A(4), A((3, 4))]),
                    ("rt.expand_axis(x, y, 1) * y", [A(3), A((3, 4))])],
    "prod_grad": [("rt.prod_grad(x)", [A(4)]), ("rt.prod_grad(x)", [A((2, 2))])],
}
for _name, _dom in UNARY_DOMAINS.items():
    lo, hi = _dom or (-1.0, 1.0)
    CASES[_name] = [(f"math.{_name}(x)", [S(lo, hi)]),
                    (f"np.{NP_NAMES.get(_name, _name)}(x)", [A(4, lo, hi)])]


def module_source():
    """A module with two functions per case: ``case_<rule>_<k>(x[, y])`` and
    ``hcase_<rule>_<k>``, the sum of the sine of it (a scalar for Hessians)."""
    lines = ["import math", "import numpy as np", "import srcgrad.runtime as rt", "",
             "IDX = np.array([2, 0, 3, 3])  # repeated indices", ""]
    for rule, cases in CASES.items():
        for k, (expr, specs) in enumerate(cases):
            params = ", ".join("xy"[i] for i in range(len(specs)))
            lines += [f"def case_{rule}_{k}({params}):", f"    return {expr}", ""]
            # for the Hessian: a scalar that needs the rule's second derivative
            lines += [f"def hcase_{rule}_{k}({params}):", f"    return np.sum(np.sin({expr}))", ""]
    return "\n".join(lines)
