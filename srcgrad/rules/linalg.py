"""Linear algebra (m: matrix, v: vector)."""
from .core import rule

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
