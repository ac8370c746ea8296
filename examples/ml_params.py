"""Code written the way ML and statistics code is written, differentiated as it is:

* a 3-layer MLP whose parameters are a list of ``(W, b)`` tuples, looped over with
  ``for W, b in params``, with a log-softmax from ``scipy.special.logsumexp``; the gradient
  comes back as a list of ``(dW, db)`` like ``params``;
* a Gaussian-mixture log-likelihood with ``scipy.stats.multivariate_normal.logpdf`` and
  ``logsumexp``, differentiated in the means, the covariance factors and the weights
  (a dict of parameters);
* a VAE-style reparameterized ELBO whose noise is drawn inside, from a seeded generator
  passed in: the gradient is that of the value the same call returns.

Each gradient is checked against central finite differences.

    python examples/ml_params.py
"""
import numpy as np
import scipy.stats as st
from scipy.special import logsumexp

import srcgrad

SEED = 11


def mlp_loss(params, X, Y):
    h = X
    for W, b in params[:-1]:
        h = np.tanh(h @ W + b)
    W, b = params[-1]
    logits = h @ W + b
    log_p = logits - logsumexp(logits, axis=1, keepdims=True)
    return -np.mean(np.sum(log_p * Y, axis=1))


def gmm_loglik(theta, X):
    """log p(X) under a mixture of Gaussians with covariances L L^T + I."""
    logw = theta["logits"] - logsumexp(theta["logits"])
    ll = np.full(X.shape[0], -np.inf)
    for k, (mu, L) in enumerate(zip(theta["means"], theta["factors"])):
        cov = L @ L.T + np.eye(X.shape[1])
        ll = np.logaddexp(ll, logw[k] + st.multivariate_normal.logpdf(X, mu, cov))
    return np.sum(ll)


def elbo(q, X, y, rng):
    """A one-sample reparameterized ELBO of Bayesian linear regression, q(w) = N(m, s^2):
    the draw is made inside, from the generator passed in."""
    s = np.exp(q["log_s"])
    w = q["m"] + s * rng.standard_normal(q["m"].shape[0])
    loglik = np.sum(st.norm.logpdf(y, X @ w, 0.5))
    kl = 0.5 * np.sum(s * s + q["m"] * q["m"] - 1.0) - np.sum(q["log_s"])
    return loglik - kl


def fd_check(f, args, i, grad, h=1e-6):
    """Central differences of f along every leaf of argument i, against grad."""
    from srcgrad.pytree import flatten, unflatten
    leaves, d = flatten(args[i])
    got, _ = flatten(grad)
    for k, leaf in enumerate(leaves):
        leaf = np.asarray(leaf, dtype=float)
        fd = np.zeros(leaf.shape)
        for j in np.ndindex(leaf.shape):
            e = np.zeros(leaf.shape)
            e[j] = h
            plus, minus = list(leaves), list(leaves)
            plus[k], minus[k] = leaf + e, leaf - e
            if leaf.ndim == 0:
                plus[k], minus[k] = float(plus[k]), float(minus[k])
            a_p, a_m = list(args), list(args)
            a_p[i], a_m[i] = unflatten(d, plus), unflatten(d, minus)
            for a in (a_p, a_m):  # a generator argument: the same draws for each evaluation
                a[:] = [np.random.default_rng(SEED) if isinstance(v, np.random.Generator) else v
                        for v in a]
            fd[j] = (f(*a_p) - f(*a_m)) / (2 * h)
        assert np.allclose(got[k], fd, rtol=1e-5, atol=1e-7), (k, got[k], fd)


def main(backend="numba"):
    rng = np.random.default_rng(0)
    sizes = [5, 8, 8, 3]
    params = [(0.5 * rng.normal(size=(m, n)), 0.1 * rng.normal(size=n))
              for m, n in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(size=(16, 5))
    Y = np.eye(3)[rng.integers(0, 3, 16)]
    g = srcgrad.grad(mlp_loss, backend=backend)(params, X, Y)
    assert isinstance(g, list) and all(isinstance(t, tuple) for t in g)
    fd_check(mlp_loss, (params, X, Y), 0, g)
    print(f"MLP: loss {mlp_loss(params, X, Y):.6f}, gradient a list of {len(g)} (dW, db), "
          "matches finite differences")

    theta = {"means": (rng.normal(size=2), rng.normal(size=2) + 2.0),
             "factors": (0.5 * rng.normal(size=(2, 2)), 0.5 * rng.normal(size=(2, 2))),
             "logits": np.array([0.2, -0.1])}
    Xg = rng.normal(size=(20, 2))
    value, gt = srcgrad.value_and_grad(gmm_loglik, backend=backend)(theta, Xg)
    fd_check(gmm_loglik, (theta, Xg), 0, gt)
    print(f"GMM: log-likelihood {value:.6f}, gradient a dict {sorted(gt)}, matches finite "
          "differences")

    Xr = rng.normal(size=(30, 3))
    yr = Xr @ np.array([1.0, -2.0, 0.5]) + 0.5 * rng.normal(size=30)
    q = {"m": np.zeros(3), "log_s": np.full(3, -1.0)}
    v, gq = srcgrad.value_and_grad(elbo, backend=backend)(q, Xr, yr, np.random.default_rng(SEED))
    assert np.isclose(v, elbo(q, Xr, yr, np.random.default_rng(SEED)), rtol=1e-12)  # same draw
    fd_check(elbo, (q, Xr, yr, np.random.default_rng(SEED)), 0, gq)
    print(f"ELBO: {v:.6f} with one reparameterized draw, gradient in {sorted(gq)} matches "
          "finite differences with the same draw")


if __name__ == "__main__":
    main()
