"""Gradient of a 784-256-10 ReLU MLP with softmax cross-entropy on a batch of 32, with
respect to every weight and bias, checked against hand-written backpropagation.  The loss
is written the usual way: a per-example shift ``reshape(-1, 1)`` and a log-softmax with
``keepdims=True``.

    python examples/mlp.py
"""
import time

import numpy as np

import srcgrad


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.maximum(X @ W1 + b1, 0.0)
    logits = h @ W2 + b2
    m = np.max(logits, axis=1).reshape(-1, 1)   # per-example shift for a stable softmax
    z = logits - m
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))  # log-softmax
    return -np.mean(np.sum(log_p * Y, axis=1))  # cross-entropy with one-hot Y


def backprop(W1, b1, W2, b2, X, Y):
    """The same gradient written by hand (the reference)."""
    a = X @ W1 + b1
    h = np.maximum(a, 0.0)
    logits = h @ W2 + b2
    z = logits - np.max(logits, axis=1, keepdims=True)
    p = np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True)
    dlogits = (p - Y) / X.shape[0]
    dh = dlogits @ W2.T
    da = dh * (a > 0)
    return X.T @ da, da.sum(axis=0), h.T @ dlogits, dlogits.sum(axis=0)


def init(seed=0, batch=32):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((784, 256)) * np.sqrt(2.0 / 784)
    b1 = rng.standard_normal(256) * 0.01
    W2 = rng.standard_normal((256, 10)) * np.sqrt(2.0 / 256)
    b2 = rng.standard_normal(10) * 0.01
    X = rng.standard_normal((batch, 784))
    Y = np.eye(10)[rng.integers(0, 10, batch)]
    return W1, b1, W2, b2, X, Y


def main():
    params = init()
    grad = srcgrad.value_and_grad(mlp_loss, wrt=(0, 1, 2, 3))
    t0 = time.perf_counter()
    loss, grads = grad(*params)
    t1 = time.perf_counter()
    loss, grads = grad(*params)
    t2 = time.perf_counter()
    print(f"loss {loss:.6f}; first call (transform + compile) {t1 - t0:.2f} s, "
          f"then {1e3 * (t2 - t1):.2f} ms")
    reference = backprop(*params)
    rng = np.random.default_rng(1)
    for name, p, g, r in zip(("W1", "b1", "W2", "b2"), params, grads, reference):
        v = rng.standard_normal(p.shape)
        print(f"d loss / d {name:2s} {str(g.shape):11s} <grad, v> = {np.sum(g * v):+.10f}   "
              f"hand-written backprop {np.sum(r * v):+.10f}")
        assert np.allclose(g, r, rtol=1e-9, atol=1e-12)

if __name__ == "__main__":
    main()
