"""Day-one cases, machine-learning code as people write it: parameters in lists and dicts,
loops over layers and time steps, activations passed as functions and lambdas, SciPy's
special functions and distributions, batched products, and the bookkeeping around them.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import math

import numpy as np
import scipy.special as sps
import scipy.stats as stats

from day_one import case, rng

w12 = rng.standard_normal(12) * 0.5
X43 = rng.standard_normal((4, 3))
y4 = np.array([0, 2, 1, 2])
seq53 = rng.standard_normal((5, 3))
B234 = rng.standard_normal((2, 3, 4))


def relu(z):
    return np.maximum(z, 0.0)


def leaky(z, a=0.1):
    return np.where(z > 0, z, a * z)


def unpack(w):
    return w[:9].reshape(3, 3), w[9:]


@case(w12.copy(), X43, y4)
def n_softmax_ce_unpacked(w, X, y):
    W, b = unpack(w)
    z = X @ W + b
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(y)), y].mean()


@case(w12.copy(), X43)
def n_layers_in_list(w, X):
    W, b = unpack(w)
    layers = [(W, b), (W.T, b * 0.5)]
    h = X
    for Wl, bl in layers:
        h = np.tanh(h @ Wl + bl)
    return np.sum(h ** 2)


@case(w12.copy(), X43)
def n_activation_passed(w, X):
    W, b = unpack(w)
    acts = [relu, np.tanh, lambda z: z / (1.0 + np.abs(z))]
    h = X
    for act in acts:
        h = act(h @ W + b)
    return np.sum(h)


@case(w12.copy(), X43)
def n_dict_params(w, X):
    params = {"W": w[:9].reshape(3, 3), "b": w[9:]}
    out = X @ params["W"] + params["b"]
    return np.mean(leaky(out) ** 2)


@case(w12.copy(), seq53)
def n_rnn_enumerate(w, xs):
    W, b = unpack(w)
    h = np.zeros(3)
    total = 0.0
    for t, x_t in enumerate(xs):
        h = np.tanh(W @ h + x_t + b)
        total += (t + 1) * np.sum(h)
    return total


@case(w12.copy(), seq53)
def n_rnn_stack_states(w, xs):
    W, b = unpack(w)
    h = np.zeros(3)
    hs = []
    for x_t in xs:
        h = np.tanh(W @ h + x_t) + b
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H[-1] ** 2) + np.mean(H)


@case(w12.copy(), seq53)
def n_gru_like(w, xs):
    W, b = unpack(w)
    h = np.zeros(3)
    for x in xs:
        zg = sps.expit(W @ x + b)
        cand = np.tanh(W.T @ h + x)
        h = (1.0 - zg) * h + zg * cand
    return np.sum(h)


@case(w12.copy())
def n_l2_generator(w):
    W, b = unpack(w)
    Ws = [W, W @ W, np.outer(b, b)]
    return sum(np.sum(M ** 2) for M in Ws) + 0.5 * np.linalg.norm(b) ** 2


@case(w12.copy(), X43)
def n_logsumexp_axis(w, X):
    W, b = unpack(w)
    return np.sum(sps.logsumexp(X @ W + b, axis=1))


@case(w12.copy(), X43)
def n_stats_logpdf(w, X):
    mu = X @ w[:3]
    sigma = np.exp(w[3])
    return -np.sum(stats.norm.logpdf(X[:, 0], loc=mu, scale=sigma))


@case(w12.copy(), X43)
def n_poisson_nll(w, X):
    rate = np.exp(X @ w[:3])
    counts = np.array([1.0, 0.0, 3.0, 2.0])
    return np.sum(rate - counts * np.log(rate) + sps.gammaln(counts + 1.0))


@case(w12.copy(), B234)
def n_batched_matmul(w, B):
    W = w[:12].reshape(4, 3)
    out = B @ W
    return np.sum(np.tanh(out))


@case(w12.copy(), B234)
def n_einsum_batched(w, B):
    W = w[:9].reshape(3, 3)
    return np.sum(np.einsum("bij,ik->bkj", B, W) ** 2)


@case(w12.copy(), X43)
def n_attention_scores(w, X):
    W = w[:9].reshape(3, 3)
    Q = X @ W
    S = Q @ X.T / math.sqrt(3.0)
    S = S - np.max(S, axis=-1, keepdims=True)
    A = np.exp(S)
    A /= A.sum(axis=-1, keepdims=True)
    return np.sum(A @ X)


@case(w12.copy(), X43)
def n_layer_norm_eps(w, X):
    W, b = unpack(w)
    z = X @ W
    mu = z.mean(axis=-1, keepdims=True)
    var = ((z - mu) ** 2).mean(axis=-1, keepdims=True)
    return np.sum(((z - mu) / np.sqrt(var + 1e-5)) * b)


@case(w12.copy(), X43)
def n_dropout_mask(w, X):
    mask = (np.arange(12) % 3 != 0).reshape(4, 3)
    W, b = unpack(w)
    h = relu(X @ W + b) * mask / (2.0 / 3.0)
    return np.sum(h)


@case(w12.copy(), X43, y4)
def n_hinge_multiclass(w, X, y):
    W, b = unpack(w)
    s = X @ W + b
    correct = s[np.arange(4), y]
    margins = np.maximum(0.0, s - correct[:, None] + 1.0)
    margins[np.arange(4), y] = 0.0
    return margins.sum() / 4


@case(w12.copy())
def n_kw_only_helper(w):
    return _penalty(w, scale=2.0) + _penalty(w[::2])


def _penalty(v, *, scale=1.0):
    return scale * np.sum(np.log1p(v ** 2))


@case(w12.copy(), X43)
def n_minibatch_loop(w, X):
    W, b = unpack(w)
    loss = 0.0
    for start in range(0, X.shape[0], 2):
        xb = X[start:start + 2]
        loss += np.sum((xb @ W + b) ** 2) / xb.shape[0]
    return loss


@case(w12.copy(), X43)
def n_zip_weights(w, X):
    Ws = [w[:3], w[3:6], w[6:9]]
    cs = [1.0, -0.5, 0.25]
    return sum(c * np.sum(np.sin(X @ Wi)) for Wi, c in zip(Ws, cs))


@case(w12.copy(), X43)
def n_cosine_loss(w, X):
    v = X @ w[:3]
    u = X @ w[3:6]
    return 1.0 - v @ u / (np.linalg.norm(v) * np.linalg.norm(u))


@case(w12.copy(), X43)
def n_gelu_tanh(w, X):
    W, b = unpack(w)
    z = X @ W + b
    g = 0.5 * z * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (z + 0.044715 * z ** 3)))
    return np.sum(g)


@case(w12.copy(), X43)
def n_erf_gelu(w, X):
    W, b = unpack(w)
    z = X @ W + b
    return np.sum(0.5 * z * (1.0 + sps.erf(z / math.sqrt(2.0))))


@case(w12.copy(), X43)
def n_softplus_logaddexp(w, X):
    z = X @ w[:3]
    return np.sum(np.logaddexp(0.0, -z)) + np.sum(sps.log_expit(z))


@case(w12.copy())
def n_xlogy_entropy(w):
    p = sps.softmax(w[:5])
    return -np.sum(sps.xlogy(p, p))


@case(w12.copy(), X43)
def n_max_norm_clip(w, X):
    W, b = unpack(w)
    norms = np.linalg.norm(W, axis=0)
    W = W * np.minimum(1.0, 1.5 / norms)
    return np.sum(np.tanh(X @ W + b))


@case(w12.copy(), X43)
def n_tuple_state(w, X):
    state = (w[:3], 0.0)
    for row in X:
        h, c = state
        c = c + np.sum(row * h)
        h = np.tanh(h + row * c)
        state = (h, c)
    return state[1] + np.sum(state[0])
