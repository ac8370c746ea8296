"""The benchmark kernels, as a user would write them: plain Python loops over NumPy arrays.

Each KERNELS entry: (function, wrt, make_args(size), default size, small size).
"""
import math

import numpy as np
from numba import prange


def scalar_loop(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += math.sin(x[i]) * x[i + 1] ** 2 + math.exp(-x[i])
    return s


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def recurrence(x0, dt, T):
    x = x0
    for t in range(T):
        x = x + dt * (-x ** 3 + math.sin(t * dt))
    return x


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.maximum(X @ W1 + b1, 0.0)
    logits = h @ W2 + b2
    z = logits - np.max(logits)
    lse = np.log(np.sum(np.exp(z), axis=1))
    return np.mean(lse - np.sum(z * Y, axis=1))


def gmm_objective(alphas, means, qs, x):
    """Log-likelihood of a Gaussian mixture with diagonal precision factors exp(q) (the ADBench
    GMM objective with diagonal covariances), with log-sum-exp, written with loops."""
    N = x.shape[0]
    K = alphas.shape[0]
    D = x.shape[1]
    vals = np.zeros((N, K))
    total = 0.0
    for i in range(N):
        for k in range(K):
            sq = 0.0
            sumq = 0.0
            for d in range(D):
                z = math.exp(qs[k, d]) * (x[i, d] - means[k, d])
                sq += z * z
                sumq += qs[k, d]
            vals[i, k] = alphas[k] + sumq - 0.5 * sq
        mx = vals[i, 0]
        for k in range(1, K):
            mx = max(mx, vals[i, k])
        se = 0.0
        for k in range(K):
            se += math.exp(vals[i, k] - mx)
        total += mx + math.log(se)
    ma = alphas[0]
    for k in range(1, K):
        ma = max(ma, alphas[k])
    sa = 0.0
    for k in range(K):
        sa += math.exp(alphas[k] - ma)
    return total - N * (ma + math.log(sa))


def per_sample_loss(W, b, X, y):
    """A one-layer network's squared error summed over samples, the loop over samples a
    ``numba.prange`` (its steps are independent: the adjoint loop runs in parallel too,
    passes/parallel.py)."""
    s = 0.0
    for i in prange(X.shape[0]):
        h = np.tanh(W @ X[i] + b)
        s += (np.sum(h) - y[i]) ** 2
    return s


def fixed_point(a, tol):
    """For each a_i solve x = cos(a_i x) by iteration until the step is below tol: a
    data-dependent while loop."""
    s = 0.0
    for i in range(a.shape[0]):
        x = 0.5
        err = 1.0
        while err > tol:
            xn = math.cos(a[i] * x)
            err = abs(xn - x)
            x = xn
        s += x * x
    return s


def _vec(n, seed=0, lo=-1.0, hi=1.0):
    return np.random.default_rng(seed).uniform(lo, hi, n)


def mlp_args(batch=32, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((784, 256)) * np.sqrt(2.0 / 784), rng.standard_normal(256) * 0.01,
            rng.standard_normal((256, 10)) * np.sqrt(2.0 / 256), rng.standard_normal(10) * 0.01,
            rng.standard_normal((batch, 784)), np.eye(10)[rng.integers(0, 10, batch)])


def gmm_args(N, K=25, D=10, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(K), rng.standard_normal((K, D)), rng.standard_normal((K, D)) * 0.1,
            rng.standard_normal((N, D)))


KERNELS = {
    "scalar_loop": (scalar_loop, 0, lambda n: (_vec(n),), 100_000, 50),
    "rosenbrock": (rosenbrock, 0, lambda n: (_vec(n, 1, 0.0, 1.5),), 100_000, 50),
    "recurrence": (recurrence, (0, 1), lambda n: (0.5, 1e-3, n), 100_000, 200),
    "mlp": (mlp_loss, (0, 1, 2, 3), lambda n: mlp_args(n), 32, 4),
    "gmm": (gmm_objective, (0, 1, 2), lambda n: gmm_args(n), 1000, 5),
    "fixed_point": (fixed_point, 0, lambda n: (_vec(n, 2, 0.2, 1.2), 1e-12), 10_000, 20),
}


# ---- functions a new user writes on day one (tools/first_call.py: first-call time) ---------
def softmax_cross_entropy(W, b, X, Y):
    logits = X @ W + b
    m = np.max(logits, axis=1, keepdims=True)
    p = np.exp(logits - m)
    p = p / np.sum(p, axis=1, keepdims=True)
    return -np.mean(np.sum(Y * np.log(p), axis=1))


def huber_loss(w, X, y, delta):
    r = X @ w - y
    a = np.abs(r)
    return np.mean(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)))


def rnn_loss(Wh, Wx, b, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(Wh @ h + Wx @ xs[t] + b)
    return np.sum(h * h)


def _first_call_args(name):
    rng = np.random.default_rng(0)
    if name == "mlp":
        return mlp_loss, mlp_args(), (0, 1, 2, 3)
    if name == "softmax cross-entropy":
        return (softmax_cross_entropy, (rng.standard_normal((20, 5)), rng.standard_normal(5),
                                        rng.standard_normal((64, 20)),
                                        np.eye(5)[rng.integers(0, 5, 64)]), (0, 1))
    if name == "huber":
        return (huber_loss, (rng.standard_normal(8), rng.standard_normal((100, 8)),
                             rng.standard_normal(100), 1.0), 0)
    return (rnn_loss, (0.5 * rng.standard_normal((8, 8)), rng.standard_normal((8, 3)),
                       rng.standard_normal(8), rng.standard_normal((20, 3)), np.zeros(8)),
            (0, 1, 2))


def plain_floor(x):
    """A plain one-line function: Numba's own warm-cache floor (tools/first_call.py)."""
    return np.sum(x * x)


FIRST_CALL = {name: (lambda name=name: _first_call_args(name))
              for name in ("mlp", "softmax cross-entropy", "huber", "rnn")}
