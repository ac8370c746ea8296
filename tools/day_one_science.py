"""Day-one cases, scientific code: integrators, physics, filters, assembly loops, layers
held in lists, and NumPy's structural functions.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import math

import numpy as np
from numba import prange

from day_one import case, rng

x4 = rng.standard_normal(4)
x6 = rng.standard_normal(6)
x9 = rng.standard_normal(9)
M3 = rng.standard_normal((3, 3))
P3 = M3 @ M3.T + 3.0 * np.eye(3)


def rhs(y, k):
    return np.array([y[1], -k * y[0] - 0.1 * y[1]])


@case(x4[:2].copy(), 1.5)
def s_euler(y0, k):
    y = y0.copy()
    for _ in range(20):
        y = y + 0.05 * rhs(y, k)
    return y[0] ** 2 + y[1]


def f_rk(y, a):
    return -a * y + np.sin(y)


@case(x4.copy(), 0.7)
def s_rk4(y, a):
    h = 0.1
    for _ in range(10):
        k1 = f_rk(y, a)
        k2 = f_rk(y + 0.5 * h * k1, a)
        k3 = f_rk(y + 0.5 * h * k2, a)
        k4 = f_rk(y + h * k3, a)
        y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return np.sum(y ** 2)


@case(x6.copy())
def s_nbody_energy(pos):
    p = pos.reshape(3, 2)
    e = 0.0
    for i in range(3):
        for j in range(i + 1, 3):
            d = p[i] - p[j]
            e += 1.0 / np.sqrt(d @ d + 0.1)
    return e


@case(x6.copy())
def s_forces(pos):
    p = pos.reshape(3, 2)
    F = np.zeros_like(p)
    for i in range(3):
        for j in range(3):
            if i != j:
                d = p[i] - p[j]
                F[i] += d / (d @ d + 0.5) ** 1.5
    return np.sum(F * F)


@case(x4.copy() + 3.0)
def s_assembly(k):
    n = k.shape[0] + 1
    K = np.zeros((n, n))
    for e in range(k.shape[0]):
        K[e, e] += k[e]
        K[e + 1, e + 1] += k[e]
        K[e, e + 1] -= k[e]
        K[e + 1, e] -= k[e]
    K[0, 0] += 1.0
    f = np.ones(n)
    u = np.linalg.solve(K, f)
    return f @ u


@case(x4.copy())
def s_kalman(q):
    x, P = 0.0, 1.0
    ys = [0.3, -0.1, 0.4, 0.2]
    ll = 0.0
    for t in range(4):
        P = P + q[t] ** 2
        S = P + 0.5
        K = P / S
        r = ys[t] - x
        ll += -0.5 * (math.log(S) + r * r / S)
        x = x + K * r
        P = (1.0 - K) * P
    return ll


@case(x4.copy() * 0.3)
def s_arma(phi):
    e = np.array([0.1, -0.2, 0.3, 0.05, -0.1, 0.2])
    y = np.zeros(6)
    for t in range(2, 6):
        y[t] = phi[0] * y[t - 1] + phi[1] * y[t - 2] + e[t] + phi[2] * e[t - 1]
    return np.sum(y ** 2) + phi[3]


@case(x4.copy())
def s_gp_nll(theta):
    X = np.linspace(0.0, 1.0, 5)
    y = np.sin(3.0 * X)
    ell = math.exp(theta[0])
    sf = math.exp(theta[1])
    D = X[:, None] - X[None, :]
    K = sf * np.exp(-0.5 * D ** 2 / ell ** 2) + (0.1 + theta[2] ** 2) * np.eye(5)
    L = np.linalg.cholesky(K)
    a = np.linalg.solve(K, y)
    return 0.5 * y @ a + np.sum(np.log(np.diag(L)))


@case(x9.copy())
def s_image_conv(img):
    I = img.reshape(3, 3)
    k = np.array([[0.0, 1.0], [1.0, -1.0]])
    out = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            out[i, j] = np.sum(I[i:i + 2, j:j + 2] * k)
    return np.sum(np.tanh(out))


@case(x6.copy())
def s_roll_ising(s):
    return -np.sum(s * np.roll(s, 1)) + 0.1 * np.sum(s ** 4)


@case(x6.copy())
def s_diff_smooth(x):
    d = np.diff(x)
    dd = np.diff(x, n=2)
    return np.sum(d ** 2) + 0.5 * np.sum(dd ** 2)


@case(x9.copy())
def s_triu_tril(a):
    A = a.reshape(3, 3)
    U = np.triu(A)
    L = np.tril(A, -1)
    return np.sum(U * U) + np.sum(L) + np.trace(A @ U)


@case(x6.copy())
def s_cross(a):
    u, v = a[:3], a[3:]
    w = np.cross(u, v)
    return w @ w


@case(x9.copy())
def s_kron_trace(a):
    A = a.reshape(3, 3)
    return np.trace(A @ A.T) + np.linalg.det(A + 2.0 * np.eye(3))


@case(x6.copy())
def s_zip_layers(w):
    Ws = [w[:4].reshape(2, 2), w[2:6].reshape(2, 2)]
    bs = [np.ones(2), np.zeros(2)]
    h = np.array([0.5, -0.3])
    for W, b in zip(Ws, bs):
        h = np.tanh(W @ h + b)
    return np.sum(h)


@case(x6.copy())
def s_lambda_act(w):
    act = lambda z: np.maximum(z, 0.1 * z)  # noqa: E731
    return np.sum(act(w) ** 2)


@case(x6.copy())
def s_dict_params(w):
    p = {"a": w[:3], "b": w[3:]}
    return np.sum(p["a"] * p["b"]) + np.sum(p["a"] ** 2)


@case(x6.copy())
def s_leaky_where(x):
    return np.sum(np.where(x > 0, x, 0.01 * x) ** 2)


@case(x6.copy())
def s_list_accumulate(x):
    outs = []
    for i in range(3):
        outs.append(x[2 * i] * x[2 * i + 1])
    return sum(outs)


@case(x6.copy())
def s_enumerate_weights(x):
    w = [1.0, 2.0, 3.0]
    s = 0.0
    for i, wi in enumerate(w):
        s += wi * x[i] ** 2 + x[i + 3]
    return s


@case(x6.copy())
def s_gauss_ll(x):
    mu = np.mean(x)
    var = np.var(x) + 0.1
    return -0.5 * np.sum((x - mu) ** 2) / var - 0.5 * x.shape[0] * np.log(var)


@case(x6.copy())
def s_kl(z):
    p = np.exp(z) / np.sum(np.exp(z))
    q = np.ones(6) / 6.0
    return np.sum(p * np.log(p / q))


@case(x4.copy())
def s_newton_sqrt(a):
    s = 0.0
    for i in range(4):
        v = a[i] ** 2 + 1.0
        r = v
        for _ in range(6):
            r = 0.5 * (r + v / r)
        s += r
    return s


@case(x4.copy())
def s_horner(c):
    x = 0.7
    acc = 0.0
    for ci in c[::-1]:
        acc = acc * x + ci
    return acc * acc


@case(x9.copy())
def s_matexp_taylor(a):
    A = 0.3 * a.reshape(3, 3)
    E = np.eye(3)
    T = np.eye(3)
    for k in range(1, 8):
        T = T @ A / k
        E = E + T
    return np.sum(E)


@case(x6.copy())
def s_norm_axis(x):
    A = x.reshape(2, 3)
    return np.sum(np.linalg.norm(A, axis=1)) + np.linalg.norm(A)


@case(x6.copy())
def s_clip_grad_style(x):
    n = np.sqrt(np.sum(x * x))
    scale = min(1.0, 1.0 / n)
    return np.sum((x * scale) ** 3)


@case(x6.copy())
def s_concat_axis1(x):
    A = x.reshape(2, 3)
    B = np.concatenate([A, A ** 2], axis=1)
    return np.sum(B @ B.T)


@case(x6.copy())
def s_stack_axis1(x):
    B = np.stack([x, np.sin(x)], axis=1)
    return np.sum(B[:, 0] * B[:, 1])


@case(x6.copy())
def s_eigh_min(x):
    A = np.outer(x[:3], x[:3]) + np.diag(x[3:] ** 2 + 1.0)
    w, V = np.linalg.eigh(A)
    return w[0] + w[2]


@case(x6.copy())
def s_argmax_select(x):
    k = np.argmax(x)
    return x[k] ** 2 + np.sum(x)


@case(x6.copy())
def s_sorted_top2(x):
    s = np.sort(x)
    return s[-1] + 2.0 * s[-2]


@case(x6.copy())
def s_cumsum_2d(x):
    A = x.reshape(2, 3)
    return np.sum(np.cumsum(A, axis=1) ** 2)


@case(x6.copy())
def s_mean_std_norm(x):
    A = x.reshape(2, 3)
    mu = A.mean(axis=0)
    sd = A.std(axis=0) + 1e-3
    Z = (A - mu) / sd
    return np.sum(Z * np.arange(6.0).reshape(2, 3))


@case(x6.copy())
def s_reshape_minus1(x):
    A = x.reshape(-1, 2)
    return np.sum(A[:, 0] * A[:, 1])


@case(x6.copy())
def s_while_tol(x):
    y = x.copy()
    it = 0
    while np.max(np.abs(y)) > 0.1 and it < 50:
        y = 0.5 * y + 0.01 * np.sin(y)
        it += 1
    return np.sum(y)


@case(x6.copy())
def s_flip_pad(x):
    y = np.flip(x)
    z = np.pad(x, 1)
    return np.sum(y * x) + np.sum(z ** 2)


@case(x6.copy())
def s_outer_loop_list(x):
    rows = [x[i] * x for i in range(3)]
    return np.sum(np.array(rows) ** 2)


@case(x6.copy())
def s_maximum_reduce(x):
    return np.max(np.maximum(x, 0.2)) + np.min(np.minimum(x, -0.1))


@case(x6.copy())
def s_power_mean(x):
    return np.mean(np.abs(x) ** 1.5) ** (1.0 / 1.5)


@case(x6.copy())
def s_any_branch(x):
    if np.any(x > 1.0):
        return np.sum(x ** 2)
    return np.sum(x)


@case(x4.copy())
def s_scalar_tuple_unpack(p):
    a, b, c, d = p
    return a * b + c ** 2 - d


@case(x6.copy())
def s_matrix_power(x):
    A = 0.5 * x[:4].reshape(2, 2)
    return np.sum(np.linalg.matrix_power(A, 3))


@case(x6.copy())
def s_inv_quad(x):
    A = np.diag(x[:3] ** 2 + 1.0) + 0.1
    return x[3:] @ np.linalg.inv(A) @ x[3:]


@case(x6.copy())
def s_ix_sum(x):
    A = x.reshape(2, 3)
    cols = np.array([0, 2])
    return np.sum(A[:, cols] ** 2) + np.sum(A[1, [0, 1]])


@case(x6.copy(), x4.copy())
def s_rbf_kernel_sum(x, y):
    d = np.subtract.outer(x, y)
    K = np.exp(-0.5 * d ** 2)
    return np.sum(K) / (len(x) * len(y))


@case(x6.copy())
def s_ufunc_reductions(x):
    A = x.reshape(2, 3)
    row_sums = np.add.reduce(A, axis=1)
    cum = np.add.accumulate(A * A, axis=1)
    return np.sum(row_sums ** 2) + np.maximum.reduce(cum[:, -1]) + np.multiply.reduce(x[:3] + 2.0)


@case(rng.standard_normal((5, 3)), x4[:3].copy())
def s_prange_rows(X, w):
    total = 0.0
    for i in prange(X.shape[0]):
        xi = X[i]
        z = 0.0
        for k in range(xi.shape[0]):
            z += w[k] * xi[k]
        total += math.log(1.0 + math.exp(-z))
    return total
