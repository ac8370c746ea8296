"""The helpers generated adjoints call: forward-over-reverse (Hessians) differentiates them,
so each has a rule of its own."""
from .core import rule

# ---- the helpers generated adjoints call (forward-over-reverse differentiates them) --------
rule("unbroadcast", "v x", ["g + zeros_like(v)", None], ["unbroadcast(dv, x)", None], elementwise=False)
rule("full_like",   "x v", [None, "sum(g)"], [None, "full_like(x, dv)"], elementwise=False)
rule("expand_axis", "v x axis", ["sum_axis(g, axis)", None, None],
                                ["expand_axis(dv, x, axis)", None, None], elementwise=False)
rule("prod_grad",   "x", ["prod_grad_jvp(x, g)"], ["prod_grad_jvp(x, dx)"], elementwise=False)
rule("prod_axis_grad", "x axis", ["prod_axis_grad_jvp(x, g, axis)", None],
                                 ["prod_axis_grad_jvp(x, dx, axis)", None], elementwise=False, out="x")
rule("scatter_add", "acc idx v", ["g", None, "g[idx]"],
                                 ["dacc", None, "scatter_add(zeros_like(acc), idx, dv)"], elementwise=False)
rule("scatter_add_cols", "acc idx v", ["g", None, "g[:, idx]"],
                                      ["dacc", None, "scatter_add_cols(zeros_like(acc), idx, dv)"],
     elementwise=False)
rule("add_at_pairs", "acc i j v", ["g", None, None, "g[i, j]"],
                                  ["dacc", None, None, "add_at_pairs(zeros_like(acc), i, j, dv)"],
     elementwise=False, out="acc")
rule("diff_grad",   "v", ["diff(g)"], ["diff_grad(dv)"], elementwise=False, out="v")
rule("unsort",      "v x", ["g[argsort(x)]", None], ["unsort(dv, x)", None], elementwise=False, out="v")
rule("gather_last", "y idx", ["scatter_add(zeros_like(y), idx, g * gather_last(ones_like(y), idx))", None],
                             ["gather_last(dy, idx)", None], elementwise=False)
rule("gather_last_pairs", "y i j",
     ["add_at_pairs(zeros_like(y), i, j, g * gather_last_pairs(ones_like(y), i, j))", None, None],
     ["gather_last_pairs(dy, i, j)", None, None], elementwise=False)
rule("gather_last_cols", "y idx",
     ["scatter_add_cols(zeros_like(y), idx, g * gather_last_cols(ones_like(y), idx))", None],
     ["gather_last_cols(dy, idx)", None], elementwise=False)
# linear in v (its adjoint is the tangent of cumprod); along x, the Hessian of v . cumprod(x)
rule("cumprod_grad", "v x", ["cumprod_jvp(x, g)", "cumprod_hvp(v, x, g)"],
                            ["cumprod_grad(dv, x)", "cumprod_hvp(v, x, dx)"], elementwise=False, out="x")
