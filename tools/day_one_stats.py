"""Day-one cases, statistics and estimation code: likelihoods, weighted averages, robust
losses, kernel and distance matrices, regressions, grids, and the NumPy functions such code
reaches for (meshgrid, triu_indices, average, median, take_along_axis, ...).

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import math

import numpy as np

from day_one import case, rng

x5 = rng.standard_normal(5)
x8 = rng.standard_normal(8)
y8 = rng.standard_normal(8)
w8 = rng.uniform(0.5, 2.0, 8)
X83 = rng.standard_normal((8, 3))
M4 = rng.standard_normal((4, 4))
S4 = M4 @ M4.T + 4.0 * np.eye(4)
P34 = rng.standard_normal((3, 4))


@case(x5.copy())
def t_meshgrid_energy(x):
    X, Y = np.meshgrid(x, x)
    return np.sum(np.exp(-(X - Y) ** 2))


@case(x5.copy())
def t_meshgrid_ij(x):
    A, B = np.meshgrid(x, x[:3], indexing="ij")
    return np.sum(A * B ** 2)


@case(S4.copy())
def t_triu_indices_sum(A):
    iu = np.triu_indices(4, 1)
    return np.sum(A[iu] ** 2)


@case(x8.copy(), w8)
def t_weighted_average(x, w):
    return np.average(x ** 2, weights=w)


@case(x8.copy())
def t_median_abs_dev(x):
    return np.median(np.abs(x - np.mean(x)))


@case(X83.copy())
def t_take_along_axis(X):
    idx = np.argmax(X, axis=1)
    return np.sum(np.take_along_axis(X, idx[:, None], axis=1))


@case(x8.copy())
def t_take(x):
    return np.sum(np.take(x, [0, 2, 2, 5]) ** 2)


@case(X83.copy())
def t_var_ddof(X):
    return np.sum(np.var(X, axis=0, ddof=1))


@case(x8.copy(), y8)
def t_pearson(x, y):
    xc = x - x.mean()
    yc = y - y.mean()
    return np.dot(xc, yc) / np.sqrt(np.dot(xc, xc) * np.dot(yc, yc))


@case(x8.copy())
def t_log_likelihood_normal(x):
    mu = np.mean(x)
    sigma = np.std(x)
    n = x.shape[0]
    return -0.5 * n * np.log(2 * np.pi * sigma ** 2) - np.sum((x - mu) ** 2) / (2 * sigma ** 2)


@case(np.array([0.3, -0.2, 0.5]), X83, y8)
def t_least_squares_residual(beta, X, y):
    r = y - X.dot(beta)
    return r.T.dot(r) / len(y)


@case(np.array([0.3, -0.2, 0.5]), X83, (y8 > 0).astype(float))
def t_logistic_nll(beta, X, y):
    z = X @ beta
    return np.sum(np.logaddexp(0.0, z) - y * z)


@case(x5.copy())
def t_pairwise_sq_dists(x):
    d = x[:, None] - x[None, :]
    return np.sum(np.sqrt(d ** 2 + 1e-3))


@case(X83.copy())
def t_gram_rbf(X):
    sq = np.sum(X ** 2, axis=1)
    D = sq[:, None] + sq[None, :] - 2.0 * X @ X.T
    return np.sum(np.exp(-0.5 * D))


@case(S4.copy())
def t_slogdet_nll(S):
    sign, logdet = np.linalg.slogdet(S)
    return logdet + np.trace(np.linalg.inv(S))


@case(S4.copy())
def t_cholesky_quad(S):
    L = np.linalg.cholesky(S)
    v = np.ones(4)
    z = np.linalg.solve(L, v)
    return z @ z + 2.0 * np.sum(np.log(np.diag(L)))


@case(x8.copy())
def t_huber_where(x):
    a = np.abs(x)
    return np.sum(np.where(a < 0.5, 0.5 * x ** 2, 0.5 * (a - 0.25)))


@case(x8.copy())
def t_quantile_loss(x):
    tau = 0.3
    return np.sum(np.maximum(tau * x, (tau - 1.0) * x))


@case(x8.copy())
def t_diff_second_order(x):
    return np.sum(np.diff(x, n=2) ** 2)


@case(x8.copy())
def t_roll_shift(x):
    return np.sum(x * np.roll(x, 2))


@case(x8.copy())
def t_pad_conv(x):
    p = np.pad(x, 1)
    return np.sum((p[:-2] - 2 * p[1:-1] + p[2:]) ** 2)


@case(x8.copy())
def t_sorted_trimmed_mean(x):
    s = np.sort(x)
    return np.mean(s[1:-1])


@case(x8.copy())
def t_exp_family(x):
    return np.sum(np.expm1(x) - np.log1p(x ** 2) + np.exp2(x) * np.log2(2.0 + x ** 2))


@case(x8.copy())
def t_hyperbolic(x):
    return np.sum(np.sinh(x) * np.cosh(x) + np.arcsinh(x) - np.tanh(x) ** 2)


@case(X83.copy())
def t_norm_rows_ord(X):
    return np.sum(np.linalg.norm(X, axis=1)) + np.linalg.norm(X, ord="fro")


@case(x8.copy())
def t_norm_ord1(x):
    return np.linalg.norm(x, 1) + np.linalg.norm(x, np.inf)


@case(M4.copy())
def t_det_trace(A):
    return np.linalg.det(A) + np.trace(A @ A)


@case(x5.copy())
def t_vander_poly(c):
    V = np.vander(np.linspace(0.0, 1.0, 6), 5)
    return np.sum((V @ c - 1.0) ** 2)


@case(x5.copy())
def t_kron(x):
    return np.sum(np.kron(x, x[:2]) ** 2)


@case(x8.copy())
def t_cumsum_reversed(x):
    return np.sum(np.cumsum(x[::-1]) ** 2)


@case(x8.copy())
def t_math_on_elements(x):
    s = 0.0
    for v in x:
        s += math.exp(-v * v) + math.atan(v) + math.hypot(v, 1.0)
    return s


@case(x8.copy())
def t_generator_sum(x):
    return sum(v ** 2 for v in x) + max(abs(v) for v in x)


@case(x8.copy())
def t_zip_pairs(x):
    total = 0.0
    for a, b in zip(x[:-1], x[1:]):
        total += (b - a) ** 2
    return total


@case(X83.copy())
def t_loop_rows_norm(X):
    out = 0.0
    for row in X:
        out += np.sqrt(row @ row)
    return out


@case(x8.copy())
def t_clip_array_bounds(x):
    lo = -0.5 * np.ones(8)
    return np.sum(np.clip(x, lo, 0.7) ** 2)


@case(P34.copy())
def t_einsum_rowdot(A):
    return np.sum(np.einsum("ij,ij->i", A, A)) + np.einsum("ii->", A[:, :3])


@case(x8.copy())
def t_tensordot_full(x):
    A = x.reshape(2, 4)
    return np.tensordot(A, A, axes=2)


@case(x8.copy())
def t_inner_vdot(x):
    return np.inner(x, x) + np.vdot(x, x[::-1])


@case(M4.copy())
def t_eigvalsh_sum(A):
    S = A + A.T
    return np.sum(np.linalg.eigvalsh(S) ** 2)


@case(P34.copy())
def t_svd_nuclear(A):
    return np.sum(np.linalg.svd(A, compute_uv=False))


@case(P34.copy())
def t_pinv(A):
    return np.sum(np.linalg.pinv(A) ** 2)


@case(x8.copy())
def t_argmin_pick(x):
    i = np.argmin(x)
    return x[i] ** 2 + np.sum(x)


@case(x8.copy())
def t_percentile(x):
    return np.percentile(x, 50.0)


@case(x8.copy())
def t_prod_axis(x):
    return np.sum(np.prod(x.reshape(2, 4), axis=1))


@case(x8.copy())
def t_mean_axes_tuple(x):
    return np.mean(x.reshape(2, 2, 2), axis=(0, 2)).sum()
