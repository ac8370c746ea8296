"""Day-one cases, loop kernels as a Numba user writes them: ``@njit`` on the function and its
helpers, explicit index loops with neighbours and clamped indices, arrays allocated and
filled, stencils, recurrences (filters, volatility models, trees), iterations to a
tolerance, and the scalar ``math`` module beside NumPy.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import math

import numba
import numpy as np
from numba import njit

from day_one import case, rng

x8 = rng.standard_normal(8)
x12 = rng.standard_normal(12)
P5 = rng.standard_normal((5, 2))
G44 = rng.standard_normal((4, 4))
r20 = 0.01 * rng.standard_normal(20)


@njit
def _sq(z):
    return z * z


@njit(cache=False, fastmath=False)
def _soft_abs(z, eps=1e-3):
    return math.sqrt(z * z + eps)


@case(x8.copy())
def lk_njit_chain_energy(x):
    e = 0.0
    for i in range(x.shape[0] - 1):
        e += _sq(x[i + 1] - x[i]) + 0.5 * math.cos(x[i])
    return e


@njit
def lk_njit_decorated_tv(x):
    tv = 0.0
    n = len(x)
    for i in range(1, n):
        tv += _soft_abs(x[i] - x[i - 1])
    return tv


case(x8.copy())(lk_njit_decorated_tv)


@case(x12.copy())
def lk_fir_filter(x):
    h = np.array([0.25, 0.5, 0.25])
    y = np.zeros_like(x)
    for n in range(x.shape[0]):
        for k in range(h.shape[0]):
            if n - k >= 0:
                y[n] += h[k] * x[n - k]
    return np.sum(y ** 2)


@case(np.array([0.6, -0.2]), x12)
def lk_iir_filter(a, x):
    y = np.empty(x.shape[0])
    y1 = 0.0
    y2 = 0.0
    for n in range(x.shape[0]):
        y[n] = x[n] + a[0] * y1 + a[1] * y2
        y2 = y1
        y1 = y[n]
    return np.sum(y * y)


@case(np.array([0.05, 0.1, 0.85]), r20)
def lk_garch_nll(theta, r):
    omega, alpha, beta = theta[0], theta[1], theta[2]
    s2 = np.var(r)
    nll = 0.0
    for t in range(1, r.shape[0]):
        s2 = 1e-4 * omega + alpha * r[t - 1] ** 2 + beta * s2
        nll += 0.5 * (math.log(2 * math.pi * s2) + r[t] ** 2 / s2)
    return nll


@case(np.array([100.0, 0.2]))
def lk_binomial_tree(p):
    S0, sigma = p[0], p[1]
    K, T, r, N = 100.0, 1.0, 0.01, 16
    dt = T / N
    u = math.exp(sigma * math.sqrt(dt))
    d = 1.0 / u
    q = (math.exp(r * dt) - d) / (u - d)
    V = np.empty(N + 1)
    for j in range(N + 1):
        V[j] = max(S0 * u ** j * d ** (N - j) - K + 0.37, 0.0)
    for i in range(N - 1, -1, -1):
        for j in range(i + 1):
            V[j] = math.exp(-r * dt) * (q * V[j + 1] + (1 - q) * V[j])
    return V[0]


@case(x12.copy())
def lk_heat_explicit(u0):
    u = u0.copy()
    n = u.shape[0]
    for step in range(5):
        new = u.copy()
        for i in range(1, n - 1):
            new[i] = u[i] + 0.2 * (u[i - 1] - 2 * u[i] + u[i + 1])
        u = new
    return np.sum(u ** 2)


@case(G44.copy())
def lk_laplace_2d(g):
    n, m = g.shape
    out = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            up = g[max(i - 1, 0), j]
            down = g[min(i + 1, n - 1), j]
            left = g[i, max(j - 1, 0)]
            right = g[i, min(j + 1, m - 1)]
            out[i, j] = up + down + left + right - 4 * g[i, j]
    return np.sum(out ** 2)


@case(P5.copy())
def lk_pairwise_potential(pos):
    n = pos.shape[0]
    e = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = pos[i] - pos[j]
            r = np.sqrt(np.dot(d, d) + 0.1)
            e += 1.0 / r - 0.5 * math.log(r)
    return e


@case(P5.copy())
def lk_shoelace_area(P):
    n = P.shape[0]
    a = 0.0
    for i in range(n):
        j = (i + 1) % n
        a += P[i, 0] * P[j, 1] - P[j, 0] * P[i, 1]
    return 0.5 * a


@case(P5.copy())
def lk_distance_matrix(X):
    n = X.shape[0]
    D = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            D[i, j] = math.sqrt((X[i, 0] - X[j, 0]) ** 2 + (X[i, 1] - X[j, 1]) ** 2 + 1e-3)
    return np.sum(np.exp(-D))


@case(x8.copy())
def lk_welford(x):
    mean = 0.0
    m2 = 0.0
    for k in range(x.shape[0]):
        delta = x[k] - mean
        mean += delta / (k + 1)
        m2 += delta * (x[k] - mean)
    return m2 / (x.shape[0] - 1) + mean


@case(np.array([1.3]))
def lk_bisection_root(c):
    lo, hi = 0.0, 3.0
    for it in range(60):
        mid = 0.5 * (lo + hi)
        if mid * mid * mid - 2.0 > 0:
            hi = mid
        else:
            lo = mid
    return lo * c[0] ** 2  # the root of a fixed cubic: a constant


@case(np.array([2.0]))
def lk_fixed_point_while(a):
    x = 1.0
    err = 1.0
    it = 0
    while err > 1e-12 and it < 100:
        x_new = 0.5 * (x + a[0] / x)
        err = abs(x_new - x)
        x = x_new
        it += 1
    return x


@case(np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 5.0]]), np.array([1.0, 2.0, 3.0]))
def lk_gauss_seidel(A, b):
    n = b.shape[0]
    x = np.zeros(n)
    for sweep in range(25):
        for i in range(n):
            s = b[i]
            for j in range(n):
                if j != i:
                    s -= A[i, j] * x[j]
            x[i] = s / A[i, i]
    return np.sum(x * x)


@case(np.array([0.5, 0.0]))
def lk_leapfrog(q0):
    q, p = q0[0], q0[1]
    dt = 0.05
    for step in range(40):
        p -= 0.5 * dt * math.sin(q)
        q += dt * p
        p -= 0.5 * dt * math.sin(q)
    return q * q + p


@case(x12.copy())
def lk_trapezoid_loop(y):
    dx = 0.1
    s = 0.0
    for i in range(y.shape[0] - 1):
        s += 0.5 * dx * (math.exp(y[i]) + math.exp(y[i + 1]))
    return s


@case(x8.copy())
def lk_simpson(f):
    h = 0.25
    n = f.shape[0] - 1
    s = f[0] + f[-1]
    for i in range(1, n, 2):
        s += 4 * f[i] ** 2
    for i in range(2, n - 1, 2):
        s += 2 * f[i] ** 2
    return s * h / 3


@case(x12.copy())
def lk_ewma(x):
    alpha = 0.3
    m = x[0]
    out = np.empty_like(x)
    out[0] = m
    for t in range(1, len(x)):
        m = alpha * x[t] + (1 - alpha) * m
        out[t] = m
    return np.sum((x - out) ** 2)


@case(x8.copy())
def lk_column_writes(w):
    A = np.empty((4, 2))
    for i in range(4):
        A[i, 0] = w[2 * i]
        A[i, 1] = w[2 * i + 1] ** 2
    B = np.zeros((2, 2))
    for i in range(4):
        B[:, :] += np.outer(A[i], A[i])
    return np.trace(B) + B[0, 1]


@case(x8.copy())
def lk_row_accumulate(w):
    M = w.reshape(4, 2)
    acc = np.zeros(2)
    for i in range(M.shape[0]):
        acc[:] += M[i, :] * (i + 1)
    return np.sum(np.tanh(acc))


@case(x12.copy())
def lk_dft_power(x):
    n = x.shape[0]
    p = 0.0
    for k in range(1, 4):
        re = 0.0
        im = 0.0
        for t in range(n):
            ang = 2.0 * math.pi * k * t / n
            re += x[t] * math.cos(ang)
            im -= x[t] * math.sin(ang)
        p += re * re + im * im
    return p


@case(x8.copy())
def lk_autocorr(x):
    n = x.shape[0]
    mu = x.mean()
    c0 = 0.0
    for t in range(n):
        c0 += (x[t] - mu) ** 2
    r = 0.0
    for lag in range(1, 3):
        c = 0.0
        for t in range(n - lag):
            c += (x[t] - mu) * (x[t + lag] - mu)
        r += c / c0
    return r


@case(np.array([0.3, -0.4, 0.2]), rng.standard_normal((10, 3)), (rng.random(10) > 0.5) * 1.0)
def lk_logistic_loop(w, X, y):
    n, d = X.shape
    loss = 0.0
    for i in range(n):
        z = 0.0
        for j in range(d):
            z += X[i, j] * w[j]
        loss += math.log1p(math.exp(-z)) + (1 - y[i]) * z
    return loss / n


@case(np.array([0.2, 0.1]), rng.standard_normal((8, 2)), rng.poisson(2.0, 8).astype(np.float64))
def lk_poisson_regression(beta, X, y):
    mu = np.exp(X @ beta)
    ll = 0.0
    for i in range(len(y)):
        ll += y[i] * math.log(mu[i]) - mu[i] - math.lgamma(y[i] + 1)
    return -ll


@njit
def _spring_force(x, k):
    f = np.zeros_like(x)
    for i in range(1, x.shape[0] - 1):
        f[i] = k * (x[i - 1] - 2 * x[i] + x[i + 1])
    return f


@case(x8.copy())
def lk_spring_chain_helper(x0):
    x = x0.copy()
    v = np.zeros_like(x)
    for step in range(10):
        v += 0.1 * _spring_force(x, 2.0)
        x += 0.1 * v
    return np.sum(x ** 2)


@case(x8.copy())
def lk_int_index_math(x):
    n = x.shape[0]
    s = 0.0
    for i in range(n):
        j = int(i * 0.5)
        k = n - 1 - i
        s += x[j] * x[k] + x[i // 2] * 0.5
    return s


@case(x8.copy())
def lk_tuple_return_helper(x):
    def stats(v):
        m = 0.0
        for t in range(v.shape[0]):
            m += v[t]
        m /= v.shape[0]
        s = 0.0
        for t in range(v.shape[0]):
            s += (v[t] - m) ** 2
        return m, s
    mu, ss = stats(x)
    return mu * ss


@case(x12.copy())
def lk_early_break_search(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += x[i] ** 2
        if total > 3.0:
            break
    return total


@case(x8.copy())
def lk_numba_prange_sum(x):
    s = 0.0
    for i in numba.prange(x.shape[0]):
        s += math.exp(0.5 * x[i])
    return s


@case(G44.copy())
def lk_matrix_loops_product(A):
    n = A.shape[0]
    C = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            for k in range(n):
                C[i, j] += A[i, k] * A[k, j]
    return np.sum(C * A)


@case(x8.copy())
def lk_swap_in_loop(x):
    a = x.copy()
    for i in range(a.shape[0] // 2):
        a[i], a[-1 - i] = a[-1 - i], a[i] * 2.0
    return np.sum(a * np.arange(a.shape[0]))


@case(x12.copy())
def lk_running_max_clamp(x):
    best = -np.inf
    acc = 0.0
    for v in x:
        best = max(best, v)
        acc += min(max(v, -0.5), 0.5) * best
    return acc


# ---- forms around the kernels: dtypes, items, tolerances, calls that write -----------------

@case(x8.copy())
def lk_item_and_float(x):
    return float(x[0]) * x[1] + x[2:3].item() ** 2


@case(x8.copy())
def lk_dtype_of_input(x):
    out = np.zeros(len(x), np.float64)
    tmp = np.empty((len(x),), dtype=x.dtype)
    for i in range(len(x)):
        tmp[i] = x[i] * 2.0
        out[i] = tmp[i] ** 2
    return out.sum()


@case(x8.copy())
def lk_isclose_guard(x):
    if np.isclose(x[0], 0.0):
        return 0.0
    return np.sum(np.exp(x) / x[0])


@case(x8.copy())
def lk_int_counts(x):
    counts = np.zeros(2, dtype=np.int64)
    for v in x:
        counts[int(v > 0)] += 1
    return np.sum(x ** 2) * counts[1] / len(x)


@case(x8.copy())
def lk_fill_sort_copyto(x):
    buf = np.empty(4)
    buf.fill(x[0])
    srt = x[:4] * x[4:]
    srt.sort()
    out = np.zeros(4)
    np.copyto(out, srt * buf)
    return np.sum(out ** 2) + srt[0]


@case(x8.copy())
def lk_del_temporary(x):
    y = x.copy()
    y **= 2
    y *= x
    del x
    return np.sum(y)
