"""Elementwise rules: arithmetic, elementary functions, comparisons-as-selection
(``maximum``, ``where``, ``clip``).  Broadcasting: contributions are summed back to each
parameter's shape by the emitter."""
from .core import rule

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
# np.ascontiguousarray / np.asfortranarray: the same values (x itself, or a copy in another
# layout); a write into the result is the aliases check's (frontend/aliases.py _SAME_ARRAY)
rule("contiguous", "x", ["g"],                         ["dx"])
# x.astype(np.float64): a new float array (runtime/shape.py as_float), the same values
rule("as_float", "x",   ["g"],                         ["dx"])
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
# |x| with y's sign: x's sign times the result's (0 at x = 0, as for abs); constant in y
rule("copysign", "x y", ["g * sign(x) * sign(ans)", None], ["dx * sign(x) * sign(ans)", None])
rule("maximum",  "x y", ["g * ((x > y) + 0.5 * (x == y))", "g * ((y > x) + 0.5 * (x == y))"],
                        ["dx * ((x > y) + 0.5 * (x == y))", "dy * ((y > x) + 0.5 * (x == y))"])
rule("minimum",  "x y", ["g * ((x < y) + 0.5 * (x == y))", "g * ((y < x) + 0.5 * (x == y))"],
                        ["dx * ((x < y) + 0.5 * (x == y))", "dy * ((y < x) + 0.5 * (x == y))"])
# fmax/fmin ignore a NaN argument: the derivative goes to the other one (x != x: x is NaN)
rule("fmax",     "x y", ["g * ((x > y) + 0.5 * (x == y) + (y != y))", "g * ((y > x) + 0.5 * (x == y) + (x != x))"],
                        ["dx * ((x > y) + 0.5 * (x == y) + (y != y))", "dy * ((y > x) + 0.5 * (x == y) + (x != x))"])
rule("fmin",     "x y", ["g * ((x < y) + 0.5 * (x == y) + (y != y))", "g * ((y < x) + 0.5 * (x == y) + (x != x))"],
                        ["dx * ((x < y) + 0.5 * (x == y) + (y != y))", "dy * ((y < x) + 0.5 * (x == y) + (x != x))"])
# both branches shaped alike: with a scalar c the emitter writes ``a if c else b``, which
# Numba compiles only when a and b have one type
rule("where",    "c x y", [None, "where(c, g, 0.0 * g)", "where(c, 0.0 * g, g)"],
                          [None, "where(c, dx, 0.0 * dx)", "where(c, 0.0 * dy, dy)"])
# np.clip is np.minimum(np.maximum(x, lo), hi): x where lo <= x <= hi (a bound reached passes
# x's derivative), lo below it, hi above it, and hi everywhere when lo > hi.  Each mask reads
# all three, so a tangent has the result's shape when bounds are arrays (broadcast).
rule("clip",     "x lo hi", ["g * (x >= lo) * (x <= hi)", "g * (x < lo) * (lo <= hi)",
                             "g * ((x >= lo) * (x > hi) + (x < lo) * (lo > hi))"],
                            ["dx * (x >= lo) * (x <= hi)", "dlo * (x < lo) * (lo <= hi)",
                             "dhi * ((x >= lo) * (x > hi) + (x < lo) * (lo > hi))"])
# NaN becomes 0 and +-inf the largest floats: constants, derivative 0 there
rule("nan_to_num", "x", ["g * isfinite(x)"],          ["dx * isfinite(x)"], out="x")
# math.gamma and math.lgamma (scalars): digamma and trigamma are srcgrad's own (runtime)
rule("gamma",    "x",   ["g * ans * digamma(x)"],      ["dx * ans * digamma(x)"], out="x")
rule("lgamma",   "x",   ["g * digamma(x)"],            ["dx * digamma(x)"], out="x")
rule("digamma",  "x",   ["g * trigamma(x)"],           ["dx * trigamma(x)"], out="x")


# ---- incomplete gamma and beta functions, distribution functions (runtime/incomplete.py) ----
# the derivative in the variable is the density; in a shape parameter, srcgrad's own
# forward-mode derivative of the series or continued fraction (runtime/incomplete_grad.py),
# whose own derivative in that parameter again is not implemented (refused: no Hessian there)
_SHAPE2 = ("the second derivative in a distribution's shape parameter is not implemented; "
           "hold it constant in the Hessian (or take the Hessian in the other arguments)")
_GAMMA_PDF = "exp((a - 1.0) * log(x) - x - lgamma(a))"
_BETA_PDF = "exp((a - 1.0) * log(x) + (b - 1.0) * log1p(-x) + lgamma(a + b) - lgamma(a) - lgamma(b))"
_T_PDF = "exp(t_log_norm(df) - 0.5 * (df + 1.0) * log1p(z * z / df))"
# d log(t pdf) / d df
_T_DLOG = ("(0.5 * digamma(0.5 * (df + 1.0)) - 0.5 * digamma(0.5 * df) - 0.5 / df"
           " - 0.5 * log1p(z * z / df) + 0.5 * (df + 1.0) * z * z / (df * (df + z * z)))")
_POISSON_PMF = "where(n < 0.0, 0.0, exp(floor(n) * log(mu) - mu - lgamma(floor(n) + 1.0)))"
rule("gammainc",  "a x",   ["g * gammainc_da(a, x)", f"g * {_GAMMA_PDF}"],
                           ["da * gammainc_da(a, x)", f"dx * {_GAMMA_PDF}"])
rule("gammaincc", "a x",   ["-g * gammainc_da(a, x)", f"-g * {_GAMMA_PDF}"],
                           ["-da * gammainc_da(a, x)", f"-dx * {_GAMMA_PDF}"])
rule("betainc",   "a b x", ["g * betainc_da(a, b, x)", "g * betainc_db(a, b, x)", f"g * {_BETA_PDF}"],
                           ["da * betainc_da(a, b, x)", "db * betainc_db(a, b, x)", f"dx * {_BETA_PDF}"])
rule("t_log_norm", "df",   ["g * (0.5 * digamma(0.5 * (df + 1.0)) - 0.5 * digamma(0.5 * df) - 0.5 / df)"],
                           ["ddf * (0.5 * digamma(0.5 * (df + 1.0)) - 0.5 * digamma(0.5 * df) - 0.5 / df)"])
rule("t_cdf",     "z df",  [f"g * {_T_PDF}", "g * t_cdf_ddf(z, df)"],
                           [f"dz * {_T_PDF}", "ddf * t_cdf_ddf(z, df)"])
# their derivatives in a shape parameter: in the variable, the density's derivative in it
rule("gammainc_da", "a x", [None, f"g * {_GAMMA_PDF} * (log(x) - digamma(a))"],
                           [None, f"dx * {_GAMMA_PDF} * (log(x) - digamma(a))"], refused={"a": _SHAPE2})
rule("betainc_da", "a b x", [None, None, f"g * {_BETA_PDF} * (log(x) - digamma(a) + digamma(a + b))"],
                            [None, None, f"dx * {_BETA_PDF} * (log(x) - digamma(a) + digamma(a + b))"],
     refused={"a": _SHAPE2, "b": _SHAPE2})
rule("betainc_db", "a b x", [None, None, f"g * {_BETA_PDF} * (log1p(-x) - digamma(b) + digamma(a + b))"],
                            [None, None, f"dx * {_BETA_PDF} * (log1p(-x) - digamma(b) + digamma(a + b))"],
     refused={"a": _SHAPE2, "b": _SHAPE2})
rule("t_cdf_ddf", "z df",  [f"g * {_T_PDF} * {_T_DLOG}", None],
                           [f"dz * {_T_PDF} * {_T_DLOG}", None], refused={"df": _SHAPE2})
# a step function of the count n (derivative 0 between the steps); in the mean, minus the pmf
rule("poisson_cdf", "n mu", [None, f"-g * {_POISSON_PMF}"], [None, f"-dmu * {_POISSON_PMF}"])
