"""Day-one cases, arrays written in place (slices, rows, views), control flow, and the
losses and layers of ML code.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import math

import numpy as np

from day_one import case, rng

x6 = rng.standard_normal(6)

@case(x6)
def k_inplace_mul_view_loop(x):
    y = x.copy()
    for i in range(3):
        y[i:] *= 0.5 + x[i] ** 2
    return np.sum(np.sin(y))

@case(x6)
def k_rowview_loop_update(x):
    A = np.outer(x[:3], x[3:])
    for i in range(3):
        r = A[i]
        A[i] = r * r + x[i]
    return np.sum(A)

@case(x6)
def k_view_chain(x):
    y = x * 2.0
    v = y[1:]
    w = v[1:]
    w[0] = w[0] * x[0]
    return np.sum(y * y)

@case(x6)
def k_ravel_write(x):
    A = np.outer(x[:2], x[:3])
    f = A.ravel()
    s = np.sum(f * f)
    return s

@case(x6)
def k_inplace_div(x):
    y = x ** 2 + 1.0
    y /= np.sum(y)
    return np.sum(y * np.arange(6.0))

@case(x6)
def k_inplace_pow_slice(x):
    y = x.copy()
    y[::2] **= 2
    return np.sum(y * np.arange(6.0))

@case(x6)
def k_normalize_rows(x):
    A = x.reshape(2, 3) * 1.0
    for i in range(2):
        A[i] /= np.linalg.norm(A[i])
    return np.sum(A * np.arange(6.0).reshape(2, 3))

@case(x6)
def k_col_normalize(x):
    A = x.reshape(3, 2) + 2.0
    A[:, 0] -= A[:, 0].mean()
    A[:, 1] /= A[:, 1].std()
    return np.sum(A ** 3)

@case(x6)
def k_softmax_inplace(x):
    z = x.copy()
    z -= z.max()
    e = np.exp(z)
    e /= e.sum()
    return np.sum(e * np.arange(6.0))

@case(x6)
def k_cumulative_loop(x):
    c = np.zeros(6)
    c[0] = x[0]
    for i in range(1, 6):
        c[i] = c[i - 1] * 0.9 + x[i] ** 2
    return c[-1] + np.sum(c)

@case(x6)
def k_2d_stencil(x):
    U = x.reshape(2, 3).copy()
    for t in range(2):
        V = U.copy()
        V[:, 1:] += 0.1 * (U[:, :-1] - U[:, 1:])
        U = V
    return np.sum(U ** 2)

@case(x6)
def k_where_inplace(x):
    y = x.copy()
    y[y < 0] *= 0.1
    return np.sum(y ** 2)

@case(x6)
def k_fancy_inplace(x):
    y = x.copy()
    idx = np.array([0, 2, 4])
    y[idx] *= x[1]
    return np.sum(y ** 2)

@case(x6)
def k_matrix_inplace_matmul(x):
    A = x.reshape(2, 3).copy()
    B = A @ A.T
    B += np.eye(2)
    return np.linalg.slogdet(B)[1]

@case(x6)
def k_swap_vars_arrays(x):
    a = x[:3] * 1.0
    b = x[3:] * 2.0
    for _ in range(2):
        a, b = b, a * b
    return np.sum(a + b)

@case(x6)
def k_transposed_view_write(x):
    A = np.outer(x[:2], x[:3]).copy()
    At = A.T
    s = np.sum(At * At)
    A[0, 0] = 0.0
    return s + np.sum(A)

@case(x6)
def k_slice_assign_from_self(x):
    y = x.copy()
    y[1:] = y[:-1] * 2.0
    return np.sum(y ** 2)

@case(x6)
def k_slice_assign_overlap_reverse(x):
    y = x.copy()
    y[:-1] = y[1:] * y[:-1]
    return np.sum(y ** 2)

@case(x6)
def k_flip_write(x):
    y = x.copy()
    f = y[::-1]
    s = np.sum(f * np.arange(6.0))
    y[0] = 5.0
    return s + np.sum(y)


x6 = rng.standard_normal(6)

def scale_rows_helper(A, c):
    for i in range(A.shape[0]):
        A[i] = A[i] * c[i]
    return A

@case(x6)
def m_helper_inplace(x):
    A = x.reshape(2, 3) * 1.0
    B = scale_rows_helper(A, x[:2])
    return np.sum(B ** 2)

def row_of(A, i):
    return A[i]

@case(x6)
def m_helper_returns_view(x):
    A = np.outer(x[:2], x[:3])
    r = row_of(A, 1)
    s = np.sum(r * r)
    return s + np.sum(A)

@case(x6)
def m_reshape_view_then_write_base(x):
    y = x * 1.0
    M = y.reshape(2, 3)
    t = np.sum(np.sin(M))
    y[0] = t
    return np.sum(y * y)

@case(x6)
def m_view_multiply_inplace_loop(x):
    y = x.copy()
    for k in range(2):
        v = y[k:k + 3]
        y[k:k + 3] = v * v * 0.5
    return np.sum(y)

@case(x6)
def m_inplace_tanh_rows(x):
    H = x.reshape(3, 2) * 1.0
    for t in range(1, 3):
        H[t] = np.tanh(H[t - 1] * H[t] + 0.1)
    return np.sum(H)

@case(x6)
def m_iadd_from_view_self(x):
    y = x * 1.0
    y[2:] += y[:4] * y[2:]
    return np.sum(y ** 2)

@case(x6)
def m_double_view_loop(x):
    A = x.reshape(2, 3) * 1.0
    for j in range(3):
        c = A[:, j]
        A[:, j] = c * np.sum(c)
    return np.sum(A * A)

@case(x6)
def m_exp_normalize_inplace(x):
    p = np.exp(x)
    p /= np.sum(p)
    p *= p
    return np.sum(p * np.arange(6.0))

@case(x6)
def m_max_subtract_rows(x):
    Z = x.reshape(2, 3) * 1.0
    Z -= Z.max(axis=1, keepdims=True)
    Z = np.exp(Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return np.sum(Z * np.arange(6.0).reshape(2, 3))

@case(x6)
def m_gram_schmidt(x):
    V = x.reshape(2, 3) * 1.0
    V[0] /= np.linalg.norm(V[0])
    V[1] -= np.dot(V[1], V[0]) * V[0]
    V[1] /= np.linalg.norm(V[1])
    return np.sum(V * np.arange(6.0).reshape(2, 3))

@case(x6)
def m_cholesky_like_loop(x):
    A = np.outer(x[:3], x[:3]) + 3.0 * np.eye(3)
    L = np.zeros((3, 3))
    for j in range(3):
        s = A[j, j] - np.sum(L[j, :j] ** 2)
        L[j, j] = math.sqrt(s)
        for i in range(j + 1, 3):
            L[i, j] = (A[i, j] - np.sum(L[i, :j] * L[j, :j])) / L[j, j]
    return np.sum(L)

@case(x6)
def m_power_iteration(x):
    A = np.outer(x[:3], x[:3]) + np.diag(np.arange(1.0, 4.0))
    v = np.ones(3)
    for _ in range(5):
        v = A @ v
        v /= np.linalg.norm(v)
    return v @ A @ v

@case(x6)
def m_thomas(x):
    a = 0.1 * x[:3]; b = 2.0 + x[3:] ** 2; d = np.sin(x[:3])
    c = np.full(3, 0.3)
    cp = np.zeros(3); dp = np.zeros(3)
    cp[0] = c[0] / b[0]; dp[0] = d[0] / b[0]
    for i in range(1, 3):
        m = b[i] - a[i] * cp[i - 1]
        cp[i] = c[i] / m
        dp[i] = (d[i] - a[i] * dp[i - 1]) / m
    y = np.zeros(3)
    y[2] = dp[2]
    for i in range(1, -1, -1):
        y[i] = dp[i] - cp[i] * y[i + 1]
    return np.sum(y * np.arange(1.0, 4.0))


x6 = rng.standard_normal(6)

@case(x6)
def c_return_in_loop(x):
    s = 0.0
    for i in range(6):
        s += x[i] ** 2
        if s > 2.0:
            return s * x[0]
    return s

@case(x6)
def c_while_array(x):
    v = x.copy()
    k = 0
    while np.sum(v * v) > 0.5 and k < 10:
        v = v * 0.7 + 0.01 * np.sin(v)
        k += 1
    return np.sum(v)

@case(x6)
def c_nested_break(x):
    s = 0.0
    for i in range(3):
        for j in range(3):
            if j > i:
                break
            s += x[i] * x[j + 3]
    return s

@case(x6)
def c_elif_chain(x):
    out = 0.0
    for v in x:
        if v < -1.0:
            out += -v
        elif v < 0.0:
            out += v * v
        elif v < 1.0:
            out += math.sin(v)
        else:
            out += math.log(v)
    return out

@case(x6)
def c_closure_param(x):
    a = x[0]
    def f(t):
        return a * t + t ** 2
    return f(x[1]) + f(x[2])

@case(x6)
def c_loop_over_list_comp(x):
    ys = [np.sin(x[i:i + 2]) for i in range(3)]
    return sum(np.sum(y * y) for y in ys)

@case(x6)
def c_assert_and_raise(x):
    assert x.shape[0] == 6
    if x.shape[0] < 2:
        raise ValueError("too short")
    return np.sum(x[:2] ** 3)

@case(x6)
def c_continue_while(x):
    i = 0
    s = 0.0
    while i < 6:
        i += 1
        if x[i - 1] < 0:
            continue
        s += x[i - 1] ** 1.5
    return s

@case(x6)
def c_loop_var_after(x):
    for i in range(4):
        pass
    return x[i] * 2.0

@case(x6)
def c_accumulate_matrix(x):
    S = np.zeros((2, 2))
    for i in range(3):
        v = x[2 * i: 2 * i + 2]
        S += np.outer(v, v)
    return np.linalg.det(S + np.eye(2))

@case(x6)
def c_ternary_in_loop(x):
    s = 0.0
    for v in x:
        s += v if v > 0 else 0.1 * v
    return s

@case(x6)
def c_global_func_arg(x):
    return np.sum(apply_fn(np.tanh, x))

def apply_fn(f, v):
    return f(v) * 2.0

@case(x6)
def c_recursion_free_helper_loop(x):
    def step(h, u):
        return np.tanh(0.5 * h + u)
    h = 0.0
    for u in x:
        h = step(h, u)
    return h

@case(x6)
def c_augassign_int_idx(x):
    s = 0.0
    j = 0
    for i in range(6):
        j += 2
        s += x[j % 6] * x[i]
    return s

@case(x6)
def c_sum_axis_none(x):
    return np.sum(x.reshape(2, 3), axis=None) + np.mean(x.reshape(3, 2), axis=(0, 1))


W0 = rng.standard_normal((4, 3)); X = rng.standard_normal((5, 4)); Y = np.array([0, 2, 1, 1, 0])
x6 = rng.standard_normal(6)

@case(W0)
def ml_cross_entropy_fancy(W):
    Z = X @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(P[np.arange(5), Y]))

@case(W0)
def ml_onehot(W):
    Z = X @ W
    T = np.eye(3)[Y]
    return np.sum((Z - T) ** 2) / 5

@case(W0)
def ml_logistic(W):
    z = X @ W[:, 0]
    p = 1.0 / (1.0 + np.exp(-z))
    y = (Y > 0).astype(np.float64)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

@case(W0)
def ml_relu_mlp(W):
    h = np.maximum(0, X @ W)
    return np.sum(h ** 2) + 0.1 * np.linalg.norm(W, 'fro') ** 2

@case(W0)
def ml_clip_log(W):
    p = 1.0 / (1.0 + np.exp(-(X @ W)))
    return -np.sum(np.log(np.clip(p, 1e-12, 1.0)))

@case(x6)
def ml_pairwise_rbf(x):
    P = x.reshape(3, 2)
    d2 = np.sum((P[:, None, :] - P[None, :, :]) ** 2, axis=-1)
    K = np.exp(-d2 / 2.0)
    return np.sum(K)

@case(W0)
def ml_batchnorm(W):
    H = X @ W
    mu = H.mean(axis=0)
    var = H.var(axis=0)
    Hn = (H - mu) / np.sqrt(var + 1e-5)
    return np.sum(Hn[:, 0] * np.arange(5.0))

@case(W0)
def ml_sum_mean_chain(W):
    return (X @ W).sum(axis=1).mean() + (X @ W).max(axis=0).sum()

@case(W0)
def ml_l1_reg(W):
    return np.abs(W).sum() + np.sum(W ** 2)

@case(W0)
def ml_gather_rows(W):
    idx = np.array([3, 0, 3])
    return np.sum(np.tanh(W[idx]))

@case(W0)
def ml_fancy_2d_set(W):
    G = np.zeros((5, 3))
    G[np.arange(5), Y] = np.sum(X @ W, axis=1)
    return np.sum(G * (X @ W))

@case(W0)
def ml_attention(W):
    Q = X @ W; K = X @ W * 0.5
    S = Q @ K.T / np.sqrt(3.0)
    S = S - S.max(axis=1, keepdims=True)
    A = np.exp(S); A = A / A.sum(axis=1, keepdims=True)
    return np.sum(A @ (X @ W))

@case(x6)
def ml_huber(x):
    r = x - 0.2
    return np.sum(np.where(np.abs(r) < 1.0, 0.5 * r ** 2, np.abs(r) - 0.5))

@case(W0)
def ml_trace_cov(W):
    H = X @ W
    C = H.T @ H / 5
    return np.trace(C) + np.linalg.slogdet(C + np.eye(3))[1]

@case(x6)
def ml_cosine_sim(x):
    a, b = x[:3], x[3:]
    return a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
