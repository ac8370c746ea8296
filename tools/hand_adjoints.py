"""Hand-written Numba adjoints: the reference limit srcgrad is measured against.

Written the way an expert would: one fused loop where the primal value is not needed (in the
forward order, elements read once into locals), the trajectory stored in a preallocated array
where it is.  Each differentiates the same computation as its kernel (the GMM's
``math.exp(qs[k, d])`` where the kernel computes it, the fixed point's every iteration, not
the implicit function theorem); where two ways are natural, both are here and tools/bench.py
measures srcgrad against the faster (``HAND[kernel]`` lists them).
"""
import math

import numba
import numpy as np


@numba.njit(cache=False)
def scalar_loop_grad(x):
    g = np.zeros_like(x)
    for i in range(x.shape[0] - 1):
        a, b = x[i], x[i + 1]
        g[i] += math.cos(a) * b * b - math.exp(-a)
        g[i + 1] += 2.0 * math.sin(a) * b
    return g


@numba.njit(cache=False)
def rosenbrock_grad(x):
    g = np.zeros_like(x)
    for i in range(x.shape[0] - 1):
        t = x[i + 1] - x[i] * x[i]
        g[i] += -400.0 * t * x[i] - 2.0 * (1.0 - x[i])
        g[i + 1] += 200.0 * t
    return g


@numba.njit(cache=False)
def recurrence_grad(x0, dt, T):
    xs = np.empty(T)
    x = x0
    for t in range(T):
        xs[t] = x
        x = x + dt * (-x ** 3 + math.sin(t * dt))
    bx, bdt = 1.0, 0.0
    for t in range(T - 1, -1, -1):
        x = xs[t]
        bdt += bx * (-x ** 3 + math.sin(t * dt) + dt * t * math.cos(t * dt))
        bx = bx * (1.0 - 3.0 * dt * x * x)
    return bx, bdt


@numba.njit(cache=False)
def scalar_loop_grad_reversed(x):
    g = np.zeros_like(x)
    for i in range(x.shape[0] - 2, -1, -1):
        a, b = x[i], x[i + 1]
        g[i + 1] += 2.0 * math.sin(a) * b
        g[i] += math.cos(a) * b * b - math.exp(-a)
    return g


@numba.njit(cache=False)
def rosenbrock_grad_carried(x):
    """The element read once for two steps: step i's x[i + 1] is step i+1's x[i]."""
    n = x.shape[0]
    g = np.empty_like(x)
    g[0] = 0.0
    a = x[0]
    for i in range(n - 1):
        b = x[i + 1]
        t = b - a * a
        g[i] += -400.0 * t * a - 2.0 * (1.0 - a)
        g[i + 1] = 200.0 * t
        a = b
    return g


@numba.njit(cache=False)
def recurrence_grad_factors(x0, dt, T):
    """The forward sweep keeps each step's two partial derivatives instead of the state."""
    dx = np.empty(T)
    ddt = np.empty(T)
    x = x0
    for t in range(T):
        s = math.sin(t * dt)
        dx[t] = 1.0 - 3.0 * dt * x * x
        ddt[t] = -x ** 3 + s + dt * t * math.cos(t * dt)
        x = x + dt * (-x ** 3 + s)
    bx, bdt = 1.0, 0.0
    for t in range(T - 1, -1, -1):
        bdt += bx * ddt[t]
        bx = bx * dx[t]
    return bx, bdt


@numba.njit(cache=False)
def _normalizer_grad(alphas, N, ga):
    """ga += the gradient of -N * logsumexp(alphas)."""
    K = alphas.shape[0]
    ma = alphas[0]
    for k in range(1, K):
        ma = max(ma, alphas[k])
    sa = 0.0
    for k in range(K):
        sa += math.exp(alphas[k] - ma)
    for k in range(K):
        ga[k] -= N * math.exp(alphas[k] - ma) / sa


@numba.njit(cache=False, inline="always")  # (as if written in place: no call per (i, k))
def _log_density(i, k, alphas, means, qs, x):
    """Sample i's unnormalized log density under component k, as the kernel computes it."""
    sq = 0.0
    sumq = 0.0
    for d in range(x.shape[1]):
        z = math.exp(qs[k, d]) * (x[i, d] - means[k, d])
        sq += z * z
        sumq += qs[k, d]
    return alphas[k] + sumq - 0.5 * sq


@numba.njit(cache=False, inline="always")
def _component_grad(w, i, k, means, qs, x, ga, gm, gq):
    """Add sample i's weight w for component k times the gradient of its log density."""
    ga[k] += w
    for d in range(x.shape[1]):
        e = math.exp(qs[k, d])
        z = e * (x[i, d] - means[k, d])
        gq[k, d] += w * (1.0 - z * z)
        gm[k, d] += w * z * e


@numba.njit(cache=False)
def gmm_grad(alphas, means, qs, x):
    """Each sample's K values again in its adjoint (a row of K numbers kept, not N x K)."""
    N, D = x.shape
    K = alphas.shape[0]
    ga = np.zeros(K)
    gm = np.zeros((K, D))
    gq = np.zeros((K, D))
    p = np.empty(K)
    for i in range(N):
        mx = -np.inf
        for k in range(K):
            v = _log_density(i, k, alphas, means, qs, x)
            p[k] = v
            mx = max(mx, v)
        se = 0.0
        for k in range(K):
            p[k] = math.exp(p[k] - mx)
            se += p[k]
        for k in range(K):
            _component_grad(p[k] / se, i, k, means, qs, x, ga, gm, gq)
    _normalizer_grad(alphas, N, ga)
    return ga, gm, gq


@numba.njit(cache=False)
def gmm_grad_stored(alphas, means, qs, x):
    """The N x K values kept from the forward loop, the z's not recomputed but kept per
    sample."""
    N, D = x.shape
    K = alphas.shape[0]
    ga = np.zeros(K)
    gm = np.zeros((K, D))
    gq = np.zeros((K, D))
    vals = np.empty((N, K))
    mxs = np.empty(N)
    ses = np.empty(N)
    for i in range(N):
        mx = -np.inf
        for k in range(K):
            vals[i, k] = _log_density(i, k, alphas, means, qs, x)
            mx = max(mx, vals[i, k])
        se = 0.0
        for k in range(K):
            se += math.exp(vals[i, k] - mx)
        mxs[i], ses[i] = mx, se
    for i in range(N):
        for k in range(K):
            _component_grad(math.exp(vals[i, k] - mxs[i]) / ses[i], i, k, means, qs, x, ga, gm,
                            gq)
    _normalizer_grad(alphas, N, ga)
    return ga, gm, gq


@numba.njit(cache=False)
def fixed_point_grad(a, tol):
    """Each element's iterates kept in one buffer (grown by doubling), then run back."""
    g = np.empty_like(a)
    buf = np.empty(64)
    for i in range(a.shape[0]):
        ai = a[i]
        x = 0.5
        err = 1.0
        n = 0
        while err > tol:
            if n == buf.shape[0]:
                grown = np.empty(2 * n)
                grown[:n] = buf
                buf = grown
            buf[n] = x
            n += 1
            xn = math.cos(ai * x)
            err = abs(xn - x)
            x = xn
        bx = 2.0 * x
        ba = 0.0
        for j in range(n - 1, -1, -1):
            xp = buf[j]
            s = math.sin(ai * xp)
            ba -= bx * s * xp
            bx = -bx * s * ai
        g[i] = ba
    return g


HAND = {"scalar_loop": [scalar_loop_grad, scalar_loop_grad_reversed],
        "rosenbrock": [rosenbrock_grad, rosenbrock_grad_carried],
        "recurrence": [recurrence_grad, recurrence_grad_factors],
        "gmm": [gmm_grad, gmm_grad_stored],
        "fixed_point": [fixed_point_grad]}
