"""Linear algebra (m: matrix, v: vector)."""
from .core import rule

# ---- linear algebra (m: matrix, v: vector) -------------------------------------------------
rule("matmul_mm", "a b", ["g @ b.T", "a.T @ g"],      ["da @ b", "a @ db"], elementwise=False)
rule("matmul_mv", "a b", ["outer(g, b)", "a.T @ g"],  ["da @ b", "a @ db"], elementwise=False)
rule("matmul_vm", "a b", ["b @ g", "outer(a, g)"],    ["da @ b", "a @ db"], elementwise=False)
rule("matmul_vv", "a b", ["g * b", "g * a"],          ["da @ b", "a @ db"], elementwise=False)
# a batch of matrix products, both operands 3-D (NumPy's @ of stacks of matrices)
rule("matmul3",   "a b", ["matmul3(g, swapaxes(b, 1, 2))", "matmul3(swapaxes(a, 1, 2), g)"],
                         ["matmul3(da, b)", "matmul3(a, db)"], elementwise=False, out="3")
# a stack of matrices times a matrix, or a matrix times a stack (ranks 3 and 2, 2 and 3):
# the batch axis broadcasts, so the 2-D operand's cotangent sums over it (unbroadcast)
rule("matmul_b", "a b", ["unbroadcast(matmul_b(g, mT(b)), a)", "unbroadcast(matmul_b(mT(a), g), b)"],
                        ["matmul_b(da, b)", "matmul_b(a, db)"], elementwise=False, out="3")
# a stack of matrices times a vector, or a vector times a stack (ranks 3 and 1, 1 and 3)
rule("matvec_b", "a v", ["expand_dims(g, 2) * v", "tmatvec_b(a, g)"],
                        ["matvec_b(da, v)", "matvec_b(a, dv)"], elementwise=False, out="2")
rule("vecmat_b", "v a", ["tmatvec_b(mT(a), g)", "expand_dims(v, 1) * expand_dims(g, 1)"],
                        ["vecmat_b(dv, a)", "vecmat_b(v, da)"], elementwise=False, out="2")
rule("tmatvec_b", "a u", ["expand_dims(u, 2) * g", "matvec_b(a, g)"],
                         ["tmatvec_b(da, u)", "tmatvec_b(a, du)"], elementwise=False, out="1")
rule("mT",        "x",   ["mT(g)"],                   ["mT(dx)"], elementwise=False, out="x")
rule("inv",       "x",   ["-(ans.T @ g @ ans.T)"],     ["-(ans @ dx @ ans)"], elementwise=False, out="x")
rule("det",       "x",   ["g * ans * np.linalg.inv(x).T"], ["ans * trace(np.linalg.inv(x) @ dx)"],
     elementwise=False, out="scalar")
rule("outer",     "a b", ["g @ b", "a @ g"],          ["outer(da, b)", "outer(a, db)"], elementwise=False, out="2")
rule("transpose", "x",   ["g.T"],                     ["dx.T"], elementwise=False)
rule("transpose_axes", "x axes inverse", ["transpose(g, inverse)", None, None],
                                         ["transpose(dx, axes)", None, None], elementwise=False)
rule("cross",     "a b", ["unbroadcast(cross(b, g), a)", "unbroadcast(cross(g, a), b)"],
                         ["cross(da, b)", "cross(a, db)"], elementwise=False)
rule("kron",      "a b", ["kron_grad_a(g, a, b)", "kron_grad_b(g, a, b)"],
                         ["kron(da, b)", "kron(a, db)"], elementwise=False)
# the two halves of kron's adjoint (bilinear: v weighted by b, or by a), for Hessians
rule("kron_grad_a", "v a b", ["kron(g, b)", None, "kron_grad_b(v, g, b)"],
                             ["kron_grad_a(dv, a, b)", None, "kron_grad_a(v, a, db)"], elementwise=False, out="a")
rule("kron_grad_b", "v a b", ["kron(a, g)", "kron_grad_a(v, a, g)", None],
                             ["kron_grad_b(dv, a, b)", "kron_grad_b(v, da, b)", None], elementwise=False, out="b")
# np.linalg.solve(a, b): a vector b (solve_v) or a matrix of right-hand sides (solve_m)
rule("solve_v",   "a b", ["-outer(np.linalg.solve(a.T, g), ans)", "np.linalg.solve(a.T, g)"],
                         ["-np.linalg.solve(a, da @ ans)", "np.linalg.solve(a, db)"], elementwise=False, out="b")
rule("solve_m",   "a b", ["-(np.linalg.solve(a.T, g) @ ans.T)", "np.linalg.solve(a.T, g)"],
                         ["-np.linalg.solve(a, da @ ans)", "np.linalg.solve(a, db)"], elementwise=False, out="b")
# log |det x| (np.linalg.slogdet's second value; the sign has derivative 0)
rule("logabsdet", "x",  ["g * np.linalg.inv(x).T"],    ["trace(np.linalg.solve(x, dx))"], elementwise=False, out="scalar")
# Cholesky factor L of a symmetric positive definite x (Murray, arXiv:1602.07527).  NumPy
# reads only the lower half of x, so this is the derivative of exactly that function: a
# tangent dx counts as the symmetric matrix its lower half stands for, and the cotangent lives
# on the lower half.  With phi(X) = tril(X) with its diagonal halved and
# P = L^-T phi(L^T g) L^-1, the cotangent is tril(P + P^T) - diag(P); the tangent is
# L phi(L^-1 S L^-T) with S = tril(dx) + tril(dx)^T - diag(dx).  Along symmetric directions
# this agrees with JAX's and autograd's symmetric convention.
_PHI_G = "(tril(ans.T @ g) - 0.5 * (ans.T @ g) * eye(x.shape[0]))"
_P = f"np.linalg.solve(ans.T, np.linalg.solve(ans.T, {_PHI_G}.T).T)"
_S = "(tril(dx) + tril(dx).T - dx * eye(x.shape[0]))"
_M = f"np.linalg.solve(ans, np.linalg.solve(ans, {_S}).T)"
rule("cholesky",  "x",   [f"tril({_P} + {_P}.T) - {_P} * eye(x.shape[0])"],
                         [f"ans @ (tril({_M}) - 0.5 * {_M} * eye(x.shape[0]))"], elementwise=False,
     out="x")
# the pseudo-inverse (of a matrix whose rank does not change nearby): d(A+) =
# -A+ dA A+ + A+ A+^T dA^T (I - A A+) + (I - A+ A) dA^T A+^T A+, and its adjoint
rule("pinv",      "x",   ["-(ans.T @ g @ ans.T) + (eye(x.shape[0]) - x @ ans) @ g.T @ ans @ ans.T"
                          " + ans.T @ ans @ g.T @ (eye(x.shape[1]) - ans @ x)"],
                         ["-(ans @ dx @ ans) + ans @ ans.T @ dx.T @ (eye(x.shape[0]) - x @ ans)"
                          " + (eye(x.shape[1]) - ans @ x) @ dx.T @ ans.T @ ans"],
     elementwise=False, out="2")
# np.linalg.eigh(x) = (w, V), one rule each.  NumPy reads only x's lower half (like
# cholesky): a tangent dx counts as the symmetric matrix S its lower half stands for, and a
# cotangent P on that symmetric matrix lands on the lower half as tril(P + P^T) - diag(P).
# With distinct eigenvalues, F[i, j] = 1 / (w[j] - w[i]) off the diagonal and 0 on it:
# dw = diag(V^T S V), dV = V (F o V^T S V); their adjoints V diag(g) V^T and V (F o V^T g) V^T.
_LOWER = "(tril({0} + ({0}).T) - ({0}) * eye(x.shape[0]))"
_EIG_F = "gap_inverse({0})"
rule("eigh_w",    "x",   [_LOWER.format("(eigh_v(x) * g) @ eigh_v(x).T")],
                         [f"sum_axis(eigh_v(x) * ({_S} @ eigh_v(x)), 0)"], elementwise=False, out="x-1")
rule("eigh_v",    "x",   [_LOWER.format(f"ans @ ({_EIG_F.format('eigh_w(x)')} * (ans.T @ g)) @ ans.T")],
                         [f"ans @ ({_EIG_F.format('eigh_w(x)')} * (ans.T @ {_S} @ ans))"],
     elementwise=False, out="x")
# np.linalg.svd(x, full_matrices=False) = (U, s, Vh), one rule each (Townsend, "Differentiating
# the singular value decomposition", 2016), for distinct non-zero singular values.  With
# V = Vh^T, dP = U^T dx V and F[i, j] = 1 / (s[j]^2 - s[i]^2) off the diagonal:
#   ds  = diag(dP)
#   dU  = U (F o (dP S + S dP^T)) + (I - U U^T) dx V S^-1
#   dVh = (V (F o (S dP + dP^T S)) + (I - V V^T) dx^T U S^-1)^T
# and the adjoints U diag(g) Vh; U ((F o (U^T g - g^T U)) S) Vh + (I - U U^T) g S^-1 Vh;
# U (S (F o (Vh g^T - g Vh^T))) Vh + U S^-1 (g - g Vh^T Vh).  ``full`` (full_matrices=True)
# is allowed for square x only, where it changes nothing (runtime/decomp.py).
_U, _S1, _VH = "svd_u(x, False)", "svd_s(x)", "svd_vh(x, False)"
_SVD_F = _EIG_F.format(f"{_S1} ** 2")
_DP = f"({_U}.T @ dx @ {_VH}.T)"
rule("svd_s",     "x",   [f"({_U} * g) @ {_VH}"], [f"sum_axis({_U} * (dx @ {_VH}.T), 0)"],
     elementwise=False, out="x-1")
rule("svd_u",     "x full",
     [f"ans @ (({_SVD_F} * (ans.T @ g - g.T @ ans)) * {_S1}) @ {_VH}"
      f" + ((g - ans @ (ans.T @ g)) / {_S1}) @ {_VH}", None],
     [f"ans @ ({_SVD_F} * ({_DP} * {_S1} + ({_DP} * {_S1}).T))"
      f" + (dx @ {_VH}.T - ans @ {_DP}) / {_S1}", None], elementwise=False, out="2")
rule("svd_vh",    "x full",
     [f"{_U} @ (({_SVD_F} * (ans @ g.T - g @ ans.T)).T * {_S1}).T @ ans"
      f" + ({_U} / {_S1}) @ (g - (g @ ans.T) @ ans)", None],
     [f"(ans.T @ ({_SVD_F} * (({_DP}.T * {_S1}).T + (({_DP}.T * {_S1}).T).T))"
      f" + (dx.T @ {_U} - ans.T @ (ans @ dx.T @ {_U})) / {_S1}).T", None],
     elementwise=False, out="2")
# F[i, j] = 1 / (w[j] - w[i]) off the diagonal (the two rules above): dF = F o F o (dw_i - dw_j)
rule("gap_inverse", "w", ["sum_axis(g * ans * ans, 1) - sum_axis(g * ans * ans, 0)"],
                         ["ans * ans * (outer(dw, ones_like(dw)) - outer(ones_like(dw), dw))"],
     elementwise=False, out="2")
