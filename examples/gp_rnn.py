"""Two models written as statistics and sequence code is written:

* a Gaussian-process negative log marginal likelihood whose kernel is a ``lambda`` of the
  length scale it closes over, differentiated in the length scale, the signal variance and
  the noise (against finite differences);
* an RNN whose step is a nested ``def`` reading the weights of the enclosing function, run
  with ``for x in xs`` over the rows of the input sequence, differentiated in all weights at
  once (a dict of parameters) and checked against hand-written backpropagation through time;
* the same RNN with an output at every step, collected in a list that grows in the loop
  (``outs.append(...)``) and stacked, checked against finite differences.

    python examples/gp_rnn.py
"""
import numpy as np

import srcgrad


def gp_nll(log_ell, log_sf, log_sn, X, y):
    ell, sf2, sn2 = np.exp(log_ell), np.exp(2.0 * log_sf), np.exp(2.0 * log_sn)
    k = lambda a, b: sf2 * np.exp(-0.5 * (a - b) ** 2 / (ell * ell))  # noqa: E731
    K = k(X[:, None], X[None, :]) + sn2 * np.eye(X.shape[0])
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L, y)
    return 0.5 * np.sum(alpha * alpha) + np.sum(np.log(np.diag(L))) \
        + 0.5 * X.shape[0] * np.log(2.0 * np.pi)


def rnn_loss(p, xs, target):
    def step(h, x):
        return np.tanh(p["Wh"] @ h + p["Wx"] @ x + p["b"])
    h = np.zeros(p["b"].shape[0])
    for x in xs:
        h = step(h, x)
    return 0.5 * np.sum((p["Wo"] @ h - target) ** 2)


def rnn_sequence_loss(p, xs, targets):
    def step(h, x):
        return np.tanh(p["Wh"] @ h + p["Wx"] @ x + p["b"])
    h = np.zeros(p["b"].shape[0])
    outs = []
    for x in xs:
        h = step(h, x)
        outs.append(p["Wo"] @ h)
    return 0.5 * np.sum((np.stack(outs) - targets) ** 2) / len(outs)


def rnn_backprop(p, xs, target):
    """Backpropagation through time, by hand (the reference)."""
    hs = [np.zeros(p["b"].shape[0])]
    for x in xs:
        hs.append(np.tanh(p["Wh"] @ hs[-1] + p["Wx"] @ x + p["b"]))
    r = p["Wo"] @ hs[-1] - target
    g = {k: np.zeros_like(v) for k, v in p.items()}
    g["Wo"] = np.outer(r, hs[-1])
    dh = p["Wo"].T @ r
    for t in range(len(xs), 0, -1):
        da = dh * (1.0 - hs[t] ** 2)
        g["Wh"] += np.outer(da, hs[t - 1])
        g["Wx"] += np.outer(da, xs[t - 1])
        g["b"] += da
        dh = p["Wh"].T @ da
    return g


def main(backend="numba"):
    rng = np.random.default_rng(1)
    X = np.sort(rng.uniform(-3, 3, 12))
    y = np.sin(X) + 0.1 * rng.normal(size=12)
    theta = (0.1, -0.2, -1.5)
    g = srcgrad.grad(gp_nll, wrt=(0, 1, 2), backend=backend)(*theta, X, y)
    h = 1e-6
    for i in range(3):
        tp, tm = list(theta), list(theta)
        tp[i] += h
        tm[i] -= h
        fd = (gp_nll(*tp, X, y) - gp_nll(*tm, X, y)) / (2 * h)
        assert abs(g[i] - fd) < 1e-6 * max(1.0, abs(fd)), (i, g[i], fd)
    print(f"GP: nll {gp_nll(*theta, X, y):.6f}, gradient {np.round(g, 6)} matches finite "
          "differences")

    p = {"Wh": 0.4 * rng.normal(size=(4, 4)), "Wx": rng.normal(size=(4, 2)),
         "b": 0.1 * rng.normal(size=4), "Wo": rng.normal(size=(1, 4))}
    xs, target = rng.normal(size=(6, 2)), np.array([0.3])
    got = srcgrad.grad(rnn_loss, backend=backend)(p, xs, target)
    want = rnn_backprop(p, xs, target)
    for k in p:
        assert np.allclose(got[k], want[k], rtol=1e-10, atol=1e-12), k
    print(f"RNN: loss {rnn_loss(p, xs, target):.6f}, gradient in {sorted(got)} matches "
          "backpropagation through time")

    targets = rng.normal(size=(6, 1))
    got = srcgrad.grad(rnn_sequence_loss, backend=backend)(p, xs, targets)
    for k in p:
        for idx in np.ndindex(p[k].shape):
            plus = {n: v.copy() for n, v in p.items()}
            minus = {n: v.copy() for n, v in p.items()}
            plus[k][idx] += h
            minus[k][idx] -= h
            fd = (rnn_sequence_loss(plus, xs, targets) - rnn_sequence_loss(minus, xs, targets)) / (2 * h)
            assert abs(got[k][idx] - fd) < 1e-6 * max(1.0, abs(fd)), (k, idx, got[k][idx], fd)
    print(f"RNN with an output per step (a list that grows): loss "
          f"{rnn_sequence_loss(p, xs, targets):.6f}, gradient matches finite differences")


if __name__ == "__main__":
    main()
