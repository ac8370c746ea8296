"""Reductions: the contribution has the parameter's shape (``full_like``, ``expand_axis``)."""
from .core import rule

# ---- reductions (the contribution has the parameter's shape) -------------------------------
rule("sum",      "x",   ["full_like(x, g)"],           ["sum(dx)"], elementwise=False)
rule("mean",     "x",   ["full_like(x, g / x.size)"],  ["mean(dx)"], elementwise=False)
rule("prod",     "x",   ["g * prod_grad(x)"],          ["sum(dx * prod_grad(x))"], elementwise=False)
rule("var",      "x",   ["g * 2.0 * (x - mean(x)) / x.size"],
                        ["2.0 * sum(dx * (x - mean(x))) / x.size"], elementwise=False, out="scalar")
rule("std",      "x",   ["g * (x - mean(x)) / (x.size * ans)"],
                        ["sum(dx * (x - mean(x))) / (x.size * ans)"], elementwise=False, out="scalar")
rule("var_ddof", "x ddof", ["g * 2.0 * (x - mean(x)) / (x.size - ddof)", None],
                           ["2.0 * sum(dx * (x - mean(x))) / (x.size - ddof)", None], elementwise=False, out="scalar")
rule("std_ddof", "x ddof", ["g * (x - mean(x)) / ((x.size - ddof) * ans)", None],
                           ["sum(dx * (x - mean(x))) / ((x.size - ddof) * ans)", None], elementwise=False, out="scalar")
rule("ptp",      "x",   ["g * (extremum_mask(x, amax(x)) - extremum_mask(x, amin(x)))"],
                        ["sum(dx * (extremum_mask(x, amax(x)) - extremum_mask(x, amin(x))))"],
                        elementwise=False, out="scalar")
rule("norm",     "x",   ["g * where(ans == 0.0, 0.0 * x, x / ans)"],
                        ["where(ans == 0.0, 0.0, sum(dx * x) / ans)"], elementwise=False, out="scalar")
# np.linalg.norm(x, 2) of a vector (for a matrix it is the spectral norm: refused), ord 1
# and inf of a vector, and the 2-norms along an axis of a matrix; derivative 0 at 0
rule("norm_vec", "x",   ["g * where(ans == 0.0, 0.0 * x, x / ans)"],
                        ["where(ans == 0.0, 0.0, sum(dx * x) / ans)"], elementwise=False, out="scalar")
rule("norm_fro", "x",   ["g * where(ans == 0.0, 0.0 * x, x / ans)"],
                        ["where(ans == 0.0, 0.0, sum(dx * x) / ans)"], elementwise=False, out="scalar")
rule("norm1",    "x",   ["g * sign(x)"],               ["sum(dx * sign(x))"], elementwise=False, out="scalar")
rule("norminf",  "x",   ["g * sign(x) * extremum_mask(abs(x), ans)"],
                        ["sum(dx * sign(x) * extremum_mask(abs(x), ans))"], elementwise=False, out="scalar")
rule("norm_axis", "x axis", ["expand_axis(g / where(ans == 0.0, 1.0, ans), x, axis) * x", None],
                            ["sum_axis(dx * x, axis) / where(ans == 0.0, 1.0, ans)", None],
                            elementwise=False, out="x-1")
rule("trace",    "x",   ["g * eye(x.shape[0], x.shape[1])"], ["trace(dx)"], elementwise=False, out="scalar")
rule("cumsum",   "x",   ["cumsum(g[::-1])[::-1]"],     ["cumsum(dx)"], elementwise=False, out="x")
rule("diff",     "x",   ["diff_grad(g)"],              ["diff(dx)"], elementwise=False, out="x")
rule("cumprod",  "x",   ["cumprod_grad(g, x)"],        ["cumprod_jvp(x, dx)"], elementwise=False, out="x")
rule("sort",     "x",   ["unsort(g, x)"],              ["dx[argsort(x)]"], elementwise=False, out="x")
rule("vdot",     "a b", ["g * b", "g * a"],            ["vdot(da, b)", "vdot(a, db)"], elementwise=False, out="scalar")
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
rule("prod_axis", "x axis", ["expand_axis(g, x, axis) * prod_axis_grad(x, axis)", None],
                            ["sum_axis(dx * prod_axis_grad(x, axis), axis)", None], elementwise=False)
