"""Parallel gradients (passes/parallel.py): the gradient of a function whose sample loop is a
``numba.prange``, against the same function with ``range``, in the same run.

    python tools/bench_parallel.py            # the table in docs/scaling.md

Per-sample loss: a one-layer network's squared error summed over samples (steps that keep
nothing).  GMM: tools/kernels.py's mixture log-likelihood with its loop over points made a
prange (steps that keep values in inner loops: the adjoint runs each step again).  Medians of
warm calls; compile excluded.
"""
import math
import os
import sys
import time

import numpy as np
from numba import prange

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srcgrad  # noqa: E402
from kernels import gmm_args, gmm_objective  # noqa: E402


def per_sample(W, b, X, y):
    s = 0.0
    for i in prange(X.shape[0]):
        h = np.tanh(W @ X[i] + b)
        s += (np.sum(h) - y[i]) ** 2
    return s


def per_sample_serial(W, b, X, y):
    s = 0.0
    for i in range(X.shape[0]):
        h = np.tanh(W @ X[i] + b)
        s += (np.sum(h) - y[i]) ** 2
    return s


def gmm_parallel(alphas, means, qs, x):
    N = x.shape[0]
    K = alphas.shape[0]
    D = x.shape[1]
    vals = np.zeros((N, K))
    total = 0.0
    for i in prange(N):
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


def median_time(fn, reps=9):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main():
    import numba
    rng = np.random.default_rng(0)
    rows = []
    for n in (20_000, 200_000):
        args = (rng.standard_normal((8, 16)), rng.standard_normal(8),
                rng.standard_normal((n, 16)), rng.standard_normal(n))
        rows.append(("per-sample loss", f"{n} x 16", per_sample, per_sample_serial, args, (0, 1)))
    for n in (2_000, 20_000):
        rows.append(("GMM (K=25, D=10)", f"{n}", gmm_parallel, gmm_objective, gmm_args(n),
                     (0, 1, 2)))
    print(f"{numba.config.NUMBA_NUM_THREADS} threads\n")
    print("| function | samples | serial gradient | prange gradient | speedup |")
    print("|---|---|---|---|---|")
    for name, size, par, ser, args, wrt in rows:
        gp, gs = srcgrad.grad(par, wrt=wrt), srcgrad.grad(ser, wrt=wrt)
        for a, b in zip(gp(*args), gs(*args)):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
        ts, tp = median_time(lambda: gs(*args)), median_time(lambda: gp(*args))
        print(f"| {name} | {size} | {ts * 1e3:.2f} ms | {tp * 1e3:.2f} ms | {ts / tp:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
