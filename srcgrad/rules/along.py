"""Operations along one axis of an array (runtime/along.py): the axis as rows (``lines``),
row-wise operations, the rows back (``unlines``).  Each row-wise rule is its 1-D rule, row by
row; sorts and partitions share one adjoint, the permutation recovered from the result."""
from .core import RULES, rule

_BEFORE = set(RULES)

# ---- an axis as rows, and back (linear maps, each the other's adjoint) ----------------------
rule("lines",    "x axis",   ["unlines(g, x, axis)", None], ["lines(dx, axis)", None],
     elementwise=False, out="2")
rule("unlines",  "v x axis", ["lines(g, axis)", None, None], ["unlines(dv, x, axis)", None, None],
     elementwise=False, out="x")

# ---- row-wise operations ----------------------------------------------------------------------
rule("cumsum_rows", "x",     ["flip_rows(cumsum_rows(flip_rows(g)))"], ["cumsum_rows(dx)"],
     elementwise=False, out="x")
rule("flip_rows", "x",       ["flip_rows(g)"],          ["flip_rows(dx)"], elementwise=False, out="x")
rule("roll_rows", "x shift", ["roll_rows(g, -shift)", None], ["roll_rows(dx, shift)", None],
     elementwise=False, out="x")
rule("repeat_rows", "x k",   ["unrepeat_rows(g, k)", None], ["repeat_rows(dx, k)", None],
     elementwise=False, out="x")
rule("unrepeat_rows", "v k", ["repeat_rows(g, k)", None], ["unrepeat_rows(dv, k)", None],
     elementwise=False, out="v")
rule("diff_rows", "x",       ["diff_rows_grad(g)"],     ["diff_rows(dx)"], elementwise=False, out="x")
rule("diff_rows_grad", "v",  ["diff_rows(g)"],          ["diff_rows_grad(dv)"], elementwise=False, out="v")
rule("cumprod_rows", "x",    ["cumprod_rows_grad(g, x)"], ["cumprod_rows_jvp(x, dx)"],
     elementwise=False, out="x")
# linear in v (its adjoint is the tangent of cumprod); along x, the Hessian of v . cumprod(x)
rule("cumprod_rows_grad", "v x", ["cumprod_rows_jvp(x, g)", "cumprod_rows_hvp(v, x, g)"],
                                 ["cumprod_rows_grad(dv, x)", "cumprod_rows_hvp(v, x, dx)"],
     elementwise=False, out="x")
# a sort or a partition moves entries: the derivative moves them the same way (ties: any one
# of the equal entries, as for np.sort)
rule("sort_rows", "x",       ["scatter_rows(g, x, ans)"], ["gather_rows(dx, x, ans)"],
     elementwise=False, out="x")
rule("partition_rows", "x kth", ["scatter_rows(g, x, ans)", None], ["gather_rows(dx, x, ans)", None],
     elementwise=False, out="x")
rule("gather_rows", "v x y", ["scatter_rows(g, x, y)", None, None],
                             ["gather_rows(dv, x, y)", None, None], elementwise=False, out="v")
rule("scatter_rows", "v x y", ["gather_rows(g, x, y)", None, None],
                              ["scatter_rows(dv, x, y)", None, None], elementwise=False, out="v")

# np.take_along_axis: the adjoint adds each entry back where it was taken (repeats add up)
rule("take_along", "x idx axis", ["put_along(g, x, idx, axis)", None, None],
                                 ["take_along(dx, idx, axis)", None, None], elementwise=False, out="x")
rule("put_along", "v x idx axis", ["take_along(g, idx, axis)", None, None, None],
                                  ["put_along(dv, x, idx, axis)", None, None, None],
     elementwise=False, out="x")

# np.average's weights, shaped like the array (a 1-D w laid along the axis), and back
rule("weights_along", "w x axis", ["weights_along_grad(g, w, axis)", None, None],
                                  ["weights_along(dw, x, axis)", None, None], elementwise=False, out="x")
rule("weights_along_grad", "v w axis", ["weights_along(g, v, axis)", None, None],
                                       ["weights_along_grad(dv, w, axis)", None, None],
     elementwise=False, out="w")

RULE_NAMES = sorted(set(RULES) - _BEFORE)  # each a helper of runtime/along.py by that name
