"""Day-one cases, Python and NumPy forms: comprehensions, loops over sequences, tuples,
helpers, indexing, reductions, linear algebra, SciPy.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import math

import numpy as np
import scipy.special as sps  # noqa: F401 -- used by cases

from day_one import case, rng

x5 = rng.standard_normal(5); A = rng.standard_normal((4, 3)); S = rng.standard_normal((3, 3)); S = S @ S.T + 3 * np.eye(3)

@case(x5)
def f_listcomp(x):
    return sum([x[i] ** 2 for i in range(len(x))])

@case(x5)
def f_genexpr(x):
    return sum(math.sin(v) for v in x)

@case(x5)
def f_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s += i * v * v
    return s

@case(x5)
def f_zip(x):
    s = 0.0
    for a, b in zip(x[:-1], x[1:]):
        s += a * b
    return s

@case(x5)
def f_reversed(x):
    s = 0.0
    for v in reversed(x):
        s = s * 0.5 + v
    return s

@case(x5)
def f_neg_index(x):
    return x[-1] * x[-2] + x[0]

@case(x5)
def f_slice_step(x):
    return np.sum(x[::2] * x[1::2][:2].sum())

@case(A)
def f_matT(a):
    return np.sum(a.T @ a)

@case(A)
def f_mean_axis_kd(a):
    m = a.mean(axis=0, keepdims=True)
    return np.sum((a - m) ** 2)

@case(A)
def f_softmax(a):
    z = a - a.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.sum(np.log(p[:, 0]))

@case(x5)
def f_where(x):
    return np.sum(np.where(x > 0, x, 0.1 * x))

@case(x5)
def f_maxmin(x):
    return max(x[0], x[1]) + min(x[2], 0.0)

@case(x5)
def f_abs_builtin(x):
    s = 0.0
    for v in x:
        s += abs(v)
    return s

@case(x5)
def f_tuple_swap(x):
    a, b = x[0], x[1]
    for _ in range(3):
        a, b = b, a * b + 1.0
    return a + b

@case(x5)
def f_inplace_arr(x):
    y = x.copy()
    y *= 2.0
    y[1:] += y[:-1]
    return np.sum(y * y)

@case(x5)
def f_alias_inplace(x):
    y = x * 1.0
    z = y
    z += 1.0
    return np.sum(y ** 2)

@case(x5)
def f_none_index(x):
    return np.sum(x[:, None] * x[None, :])

@case(x5)
def f_fancy_repeat(x):
    idx = np.array([0, 0, 1, 3, 3, 3])
    return np.sum(x[idx] ** 2)

@case(x5)
def f_fancy_set(x):
    y = np.zeros(5)
    idx = np.array([0, 2, 4])
    y[idx] = x[idx] ** 2
    return np.sum(y * x)

@case(x5)
def f_bool_mask(x):
    return np.sum(x[x > 0] ** 3)

@case(x5)
def f_cumsum(x):
    return np.sum(np.cumsum(x) ** 2)

@case(x5)
def f_norm(x):
    return np.linalg.norm(x) + np.linalg.norm(x, 1)

@case(S)
def f_solve(a):
    b = np.arange(3.0)
    return np.sum(np.linalg.solve(a, b) ** 2)

@case(S)
def f_logdet(a):
    s, ld = np.linalg.slogdet(a)
    return ld + np.trace(np.linalg.inv(a))

@case(x5)
def f_while(x):
    s = x[0]
    k = 0
    while k < 4:
        s = s * 0.9 + x[k]
        k += 1
    return s

@case(x5)
def f_break(x):
    s = 0.0
    for i in range(5):
        if x[i] > 1.5:
            break
        s += x[i] ** 2
    return s

@case(x5)
def f_continue(x):
    s = 0.0
    for i in range(5):
        if i % 2 == 0:
            continue
        s += math.exp(x[i])
    return s

@case(x5)
def f_helper(x):
    def sq(v):
        return v * v
    return sq(x[0]) + sq(np.sum(x))

@case(x5)
def f_lambda(x):
    g = lambda v: v ** 3
    return np.sum(g(x))

@case(x5)
def f_stack(x):
    m = np.stack([x, x ** 2])
    return np.sum(m @ x)

@case(x5)
def f_concat(x):
    return np.sum(np.concatenate([x, np.sin(x)]) ** 2)

@case(x5)
def f_array_from_active(x):
    v = np.array([x[0] * x[1], x[2], 1.0])
    return np.sum(v ** 2)

@case(A)
def f_transpose_axes(a):
    b = a.reshape(2, 2, 3)
    c = np.transpose(b, (2, 0, 1))
    return np.sum(c[0] * c[1]) + np.sum(c[2, 1])

@case(x5)
def f_outer(x):
    return np.sum(np.outer(x, x) ** 2)

@case(x5)
def f_einsum(x):
    M = np.outer(x, x)
    return np.einsum("ij,j->", M, x)

@case(x5)
def f_pow_int(x):
    return np.sum(x ** 3) + np.sum(np.abs(x) ** 0.5)

@case(x5)
def f_logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))

@case(x5)
def f_sort(x):
    return np.sum(np.sort(x) * np.arange(5.0))

@case(x5)
def f_dot_method(x):
    return x.dot(x) + x @ x

@case(x5)
def f_float_cast(x):
    return float(x[0]) * 2.0 + float(np.sum(x))

@case(x5)
def f_prod(x):
    return np.prod(x)

@case(x5)
def f_var_std(x):
    return np.var(x) + np.std(x, ddof=1)

@case(x5)
def f_ternary(x):
    return x[0] ** 2 if x[1] > 0 else -x[0]

@case(x5)
def f_nested_loop(x):
    s = 0.0
    for i in range(5):
        for j in range(i):
            s += x[i] * x[j]
    return s

@case(x5)
def f_matrix_build(x):
    M = np.zeros((5, 5))
    for i in range(5):
        M[i, i] = x[i]
        if i > 0:
            M[i, i - 1] = x[i] * x[i - 1]
    return np.sum(M @ x)

@case(x5)
def f_augassign_index_repeat(x):
    y = np.zeros(3)
    idx = np.array([0, 1, 1, 2, 0])
    for k in range(5):
        y[idx[k]] += x[k] ** 2
    return np.sum(y ** 2)

@case(x5)
def f_np_add_at(x):
    y = np.zeros(3)
    idx = np.array([0, 1, 1, 2, 0])
    np.add.at(y, idx, x ** 2)
    return np.sum(y ** 2)

@case(x5)
def f_fancy_aug(x):
    y = np.zeros(3)
    idx = np.array([0, 1, 1, 2, 0])
    y[idx] += x
    return np.sum(y ** 2)


x5 = rng.standard_normal(5); A = rng.standard_normal((4, 3))
W = rng.standard_normal((3, 3)); SCALE = 2.5

@case(x5)
def g_reversed_range(x):
    s = 0.0
    for i in reversed(range(5)):
        s = s * 0.5 + x[i]
    return s

@case(x5)
def g_range_neg_step(x):
    s = 0.0
    for i in range(4, -1, -1):
        s = s * 0.5 + x[i]
    return s

@case(x5)
def g_global_array(x):
    return np.sum((W @ x[:3]) ** 2) * SCALE

@case(x5)
def g_default_arg(x, p=3.0):
    return np.sum(x ** p)

@case(x5)
def g_kwargs_call(x):
    def h(v, scale=1.0):
        return scale * v ** 2
    return np.sum(h(x, scale=2.0))

@case(x5)
def g_logsumexp_sps(x):
    return sps.logsumexp(x)

@case(x5)
def g_expit(x):
    return np.sum(sps.expit(x))

@case(x5)
def g_gammaln(x):
    return np.sum(sps.gammaln(np.abs(x) + 1.0))

@case(x5)
def g_erf(x):
    return np.sum(sps.erf(x))

@case(x5)
def g_softplus(x):
    return np.sum(np.logaddexp(0.0, x))

@case(x5)
def g_list_of_arrays(x):
    parts = [x[:2], x[2:]]
    s = 0.0
    for p in parts:
        s += np.sum(p ** 2)
    return s

@case(x5)
def g_list_append(x):
    hs = []
    h = 0.0
    for i in range(5):
        h = math.tanh(h + x[i])
        hs.append(h)
    return sum(hs)

@case(x5)
def g_dict(x):
    d = {"a": x[0], "b": x[1] ** 2}
    return d["a"] * d["b"]

@case(x5)
def g_tuple_return_helper(x):
    def two(v):
        return v ** 2, np.sin(v)
    a, b = two(x)
    return np.sum(a * b)

@case(x5)
def g_mul_chain(x):
    y = x
    for _ in range(3):
        y = y * x
    return np.sum(y)

@case(x5)
def g_linspace(x):
    t = np.linspace(0.0, x[0], 5)
    return np.sum(t * x)

@case(x5)
def g_full(x):
    return np.sum(np.full(3, x[0]) * x[:3])

@case(x5)
def g_clip(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2)

@case(A)
def g_max_axis(a):
    return np.sum(np.max(a, axis=0)) + np.sum(a.min(axis=1))

@case(A)
def g_argmax_read(a):
    i = np.argmax(a[:, 0])
    return a[i, 1] * a[i, 0]

@case(A)
def g_reshape_flat(a):
    return np.sum(a.reshape(-1)[::3] ** 2) + np.sum(a.flatten() * a.ravel())

@case(A)
def g_hstack(a):
    return np.sum(np.hstack([a, a ** 2]) @ np.ones(6))

@case(A)
def g_tile(a):
    return np.sum(np.tile(a[0], 3) ** 2)

@case(A)
def g_broadcast(a):
    b = np.array([1.0, 2.0, 3.0])
    return np.sum((a * b + a[:, :1]) ** 2)

@case(x5)
def g_int_div_index(x):
    s = 0.0
    n = len(x)
    for i in range(n // 2):
        s += x[2 * i] * x[2 * i + 1]
    return s

@case(x5)
def g_sqrt_sum(x):
    return math.sqrt(np.sum(x ** 2) + 1.0)

@case(x5)
def g_minimum(x):
    return np.sum(np.minimum(x, x[::-1]))

@case(x5)
def g_hypot(x):
    return math.hypot(x[0], x[1]) + math.atan2(x[2], x[3])

@case(x5)
def g_shape_int(x):
    n = x.shape[0]
    return np.sum(x) / n

@case(x5)
def g_empty_fill(x):
    y = np.empty(5)
    for i in range(5):
        y[i] = x[i] * i
    return np.sum(y ** 2)

@case(x5)
def g_early_return(x):
    if x[0] > 10:
        return 0.0
    return np.sum(x ** 2)

@case(x5)
def g_while_conv(x):
    y = 1.0
    it = 0
    while abs(y * y - 2.0 - x[0] ** 2) > 1e-12 and it < 50:
        y = 0.5 * (y + (2.0 + x[0] ** 2) / y)
        it += 1
    return y

@case(x5)
def g_swap_rows(x):
    y = x.copy()
    y[0], y[1] = y[1], y[0]
    return np.sum(y * np.arange(5.0))

@case(x5)
def g_ones_like_active(x):
    return np.sum(np.ones_like(x) * x + np.zeros_like(x))

@case(x5)
def g_astype(x):
    return np.sum(x.astype(np.float64) ** 2)

@case(x5)
def g_round_trip_list(x):
    l = list(x)
    return l[0] * l[3]

@case(x5)
def g_tolist(x):
    return sum(x.tolist())

@case(x5)
def g_npsum_list(x):
    return np.sum([x[0], x[1] * 2])

@case(x5)
def g_mean_of_list(x):
    return np.mean([x[0] ** 2, x[1], x[2]])

@case(x5)
def g_arr_list_arrays(x):
    M = np.array([x, x ** 2])
    return np.sum(M * M)

@case(x5)
def g_vectorize_loop(x):
    out = np.zeros_like(x)
    for i in range(x.size):
        out[i] = math.exp(-x[i] ** 2)
    return out.sum()

@case(x5)
def g_min_builtin_seq(x):
    return min(x[0], x[1], x[2])

@case(x5)
def g_max_builtin_arr(x):
    return max(x)

@case(x5)
def g_sum_builtin_arr(x):
    return sum(x ** 2)

@case(x5)
def g_pow_neg(x):
    return np.sum((x ** 2 + 1.0) ** -1.5)

@case(x5)
def g_divmod_like(x):
    return np.sum(x % 1.0) + np.sum(np.fmod(x, 0.7))
