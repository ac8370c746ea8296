"""Day-one cases, broadcasting: normalizations, attention, kernels and distances, and
parameters of length 1 that broadcast (a bias ``(1,)``, a scale ``(1, 1)``, a column
``(n, 1)``), as ML code is written.  Generated code is specialized on ranks, not lengths, so
these are where a sum of a broadcast left out would show (passes/known_shapes.py).

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``;
the first argument is differentiated).
"""
import numpy as np

from day_one import case, rng

X = rng.standard_normal((5, 3))
Y = rng.standard_normal((4, 3))
w3 = rng.standard_normal(3)
W34 = rng.standard_normal((3, 4)) * 0.5


def _layer_norm(x, g, b):
    mu = np.mean(x, axis=-1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=-1, keepdims=True)
    return g * (x - mu) / np.sqrt(var + 1e-5) + b


@case(rng.standard_normal(3), X.copy(), rng.standard_normal(3))
def b_layer_norm_gain(g, x, b):
    return np.sum(np.tanh(_layer_norm(x, g, b)))


@case(rng.standard_normal(1), X.copy(), rng.standard_normal(3))
def b_layer_norm_one_gain(g, x, b):
    return np.sum(np.tanh(_layer_norm(x, g, b)))


@case(X.copy(), rng.standard_normal(3), rng.standard_normal(1))
def b_layer_norm_input(x, g, b):
    return np.sum(np.sin(_layer_norm(x, g, b)))


@case(X.copy(), rng.standard_normal((1, 3)), rng.standard_normal((1, 3)))
def b_batch_norm(x, scale, shift):
    mu = x.mean(axis=0, keepdims=True)
    sd = np.sqrt(x.var(axis=0, keepdims=True) + 1e-5)
    return np.sum((scale * (x - mu) / sd + shift) ** 2 * np.arange(1, 4))


# a parameter named like a helper generated code calls (gamma): the helper is gamma_fn there
@case(rng.standard_normal((1, 3)), X.copy())
def b_batch_norm_gain(gamma, x):
    mu = x.mean(axis=0, keepdims=True)
    sd = np.sqrt(x.var(axis=0, keepdims=True) + 1e-5)
    return np.sum(np.tanh(gamma * (x - mu) / sd))


@case(rng.standard_normal((3, 3)) * 0.5, X.copy())
def b_attention(Wq, x):
    q = x @ Wq
    s = q @ x.T / np.sqrt(3.0)
    s = s - np.max(s, axis=1, keepdims=True)
    a = np.exp(s)
    a = a / np.sum(a, axis=1, keepdims=True)
    return np.sum((a @ x) ** 2)


@case(X.copy(), Y.copy())
def b_pairwise_distances(x, y):
    d = x[:, None, :] - y[None, :, :]
    return np.sum(np.sqrt(np.sum(d * d, axis=-1) + 1e-3))


@case(X.copy(), 0.7)
def b_rbf_gram(x, ell):
    sq = np.sum(x * x, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * x @ x.T
    K = np.exp(-0.5 * d2 / ell ** 2)
    return np.sum(K * np.arange(5.0)[:, None])


@case(rng.standard_normal(1) + 1.0, X.copy())
def b_rbf_length_of_one(ell, x):
    sq = np.sum(x * x, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2.0 * x @ x.T
    return np.sum(np.exp(-0.5 * d2 / ell ** 2))


@case(X.copy(), Y.copy())
def b_cosine_similarity(x, y):
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    return np.sum(np.tanh(xn @ yn.T))


@case(X.copy())
def b_logsumexp_rows(x):
    m = np.max(x, axis=1, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(x - m), axis=1)))


@case(X.copy())
def b_softmax_columns(x):
    e = np.exp(x - np.max(x, axis=0))
    p = e / e.sum(axis=0)
    return np.sum(p * p * np.arange(1.0, 6.0)[:, None])


@case(rng.standard_normal((5, 1)), X.copy())
def b_column_weights(wcol, x):
    return np.sum(np.sin(wcol * x) + wcol ** 2)


@case(rng.standard_normal((1, 1)), X.copy())
def b_one_by_one_scale(s, x):
    return np.sum(np.tanh(s * x + s))


@case(rng.standard_normal(1), X.copy(), W34.copy())
def b_bias_of_one(b, x, W):
    h = np.maximum(x @ W + b, 0.0)
    return np.sum(h ** 2)


@case(rng.standard_normal(4), X.copy(), W34.copy())
def b_bias_per_unit(b, x, W):
    h = np.where(x @ W + b > 0.0, x @ W + b, 0.1 * (x @ W + b))
    return np.sum(h ** 2)


@case(W34.copy(), X.copy(), rng.standard_normal(1))
def b_weights_with_a_bias_of_one(W, x, b):
    z = x @ W + b
    return np.sum(np.log1p(np.exp(z)))


@case(X.copy(), w3.copy())
def b_standardize_then_project(x, w):
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    return np.sum((z @ w) ** 2)


@case(rng.standard_normal(5), rng.standard_normal((5, 1)))
def b_row_against_column(v, c):
    return np.sum(np.tanh(v[None, :] * c + v))


@case(rng.standard_normal((3, 1)), rng.standard_normal((1, 4)))
def b_outer_by_broadcast(col, row):
    M = col * row
    return np.sum(M * M) + np.sum(np.exp(M - np.max(M, axis=0, keepdims=True)))


@case(rng.standard_normal(3), rng.standard_normal((4, 3)))
def b_residuals_against_rows(mu, data):
    r = data - mu
    return np.sum(np.sqrt(np.sum(r * r, axis=1) + 1.0))


@case(rng.standard_normal((2, 1, 3)), rng.standard_normal((2, 4, 3)))
def b_three_axes(a, b):
    return np.sum(np.tanh(a * b) * (a + b))
