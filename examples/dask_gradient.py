"""A loss summed over data shards, its gradient computed on a Dask cluster, inside a SciPy
L-BFGS fit.

    pip install -e ".[distributed]"
    python examples/dask_gradient.py                         # a LocalCluster, 2 worker processes
    python examples/dask_gradient.py --address tcp://host:8786   # a cluster already running
    python examples/dask_gradient.py --rows 2000000 --shards 4   # other sizes

Each shard's loss is a loop over its rows (logistic regression, written as loop code), and
``srcgrad.value_and_grad`` of it is the compiled adjoint.  The derived function is pickled *by
reference* to ``shard_loss`` and its options, so Dask ships it to the workers as a name; a
worker builds it on its first task, reading the generated source and Numba's machine code from
srcgrad's disk cache when the cache directory is shared (every worker on one machine, or a
shared file system) and compiling otherwise, and its later tasks call the compiled code
(``srcgrad.compile_stats()`` on a worker says which).  The shards are scattered to the workers
once; each evaluation sends only the parameters.

The example checks: the gradient summed over the cluster's shards equals the one-process
gradient of the whole data to 1e-12, and at the L-BFGS solution the gradient is ~0.
docs/scaling.md has the measured times.
"""
import argparse
import os
import sys
import time

import numpy as np
import scipy.optimize

import srcgrad

LAM = 1e-2  # L2 penalty, applied once on the client (not per shard)


def shard_loss(w, b, X, y):
    """Logistic loss of one shard: sum_i log(1 + exp(z_i)) - y_i z_i, z_i = X_i . w + b."""
    s = 0.0
    for i in range(X.shape[0]):
        z = b
        for j in range(X.shape[1]):
            z += X[i, j] * w[j]
        s += np.logaddexp(0.0, z) - y[i] * z
    return s


shard_value_and_grad = srcgrad.value_and_grad(shard_loss, wrt=(0, 1))


def shard_task(w, b, shard):
    """What a worker runs: the value and gradient of its shard's loss."""
    X, y = shard
    v, (gw, gb) = shard_value_and_grad(w, b, X, y)
    return v, gw, gb


def make_data(rows, features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, features))
    w_true = rng.standard_normal(features)
    p = 1.0 / (1.0 + np.exp(-(X @ w_true + 0.3)))
    y = (rng.random(rows) < p).astype(np.float64)
    return X, y


def split(X, y, shards):
    return [(Xs, ys) for Xs, ys in zip(np.array_split(X, shards), np.array_split(y, shards))]


def total(theta, parts):
    """Sum the shards' (value, gw, gb) and add the penalty: the objective SciPy sees."""
    w = theta[:-1]
    v = sum(p[0] for p in parts) + 0.5 * LAM * np.dot(w, w)
    g = np.concatenate([sum(p[1] for p in parts) + LAM * w, [sum(p[2] for p in parts)]])
    return v, g


def distributed_objective(client, futures):
    """theta -> (loss, gradient), each shard's part computed where its data lives."""
    def fun(theta):
        w, b = theta[:-1], float(theta[-1])
        parts = client.gather([client.submit(shard_task, w, b, f, pure=False) for f in futures])
        return total(theta, parts)
    return fun


def local_objective(shards):
    def fun(theta):
        w, b = theta[:-1], float(theta[-1])
        return total(theta, [shard_task(w, b, s) for s in shards])
    return fun


def _median_time(fn, reps=7):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def worker_stats(client, reset=False):
    """srcgrad.compile_stats() of every worker."""
    return client.run(srcgrad.compile_stats, reset)


def start(address=None, workers=2):
    """A client of the cluster at ``address``, or of a new LocalCluster of worker processes
    (one thread each).  Workers started here see this process's sys.path, so they import this
    module by its name; a remote cluster is sent the file."""
    from dask.distributed import Client, LocalCluster
    if address:
        client = Client(address)
        client.upload_file(os.path.abspath(__file__))
        return client, None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           dashboard_address=None)
    return Client(cluster), cluster


def main(rows=1_000_000, features=10, shards=2, address=None, workers=2):
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import dask_gradient as model  # module-level functions pickle by name, not by value

    X, y = model.make_data(rows, features)
    shards_ = model.split(X, y, shards)
    theta0 = np.zeros(features + 1)
    local = model.local_objective(shards_)
    t0 = time.perf_counter()
    v_local, g_local = local(theta0)  # compiles here (and fills the disk cache)
    print(f"first local evaluation (compile included): {time.perf_counter() - t0:.2f} s")

    client, cluster = model.start(address, workers)
    try:
        futures = client.scatter(shards_, broadcast=False)
        fun = model.distributed_objective(client, futures)
        model.worker_stats(client, reset=True)
        v_dist, g_dist = fun(theta0)
        first = model.worker_stats(client, reset=True)
        v_dist, g_dist = fun(theta0)
        second = model.worker_stats(client, reset=True)
        assert abs(v_dist - v_local) <= 1e-12 * abs(v_local)
        np.testing.assert_allclose(g_dist, g_local, rtol=1e-12, atol=1e-12)
        print("the cluster's gradient equals the one-process gradient (1e-12)")
        for addr in sorted(first):
            print(f"worker {addr}: first task {first[addr]}\n{'':>{len(addr) + 8}}second "
                  f"task {second[addr]}")

        theta1 = np.full(features + 1, 0.1)  # a point like the fit's (exp, log not trivial)
        t_local = _median_time(lambda: local(theta1))
        t_dist = _median_time(lambda: fun(theta1))
        print(f"one gradient of {rows} rows x {features} in {shards} shards: one process "
              f"{t_local * 1e3:.1f} ms, {len(first)} Dask workers {t_dist * 1e3:.1f} ms "
              f"(speedup {t_local / t_dist:.2f}, median of 7)")

        t0 = time.perf_counter()
        res = scipy.optimize.minimize(fun, theta0, jac=True, method="L-BFGS-B",
                                      options={"gtol": 1e-7, "ftol": 1e-15, "maxiter": 500})
        t_fit = time.perf_counter() - t0
        _, g_end = local(res.x)
        print(f"L-BFGS on the cluster: {res.nit} iterations, {res.nfev} gradients, "
              f"{t_fit:.2f} s; loss {res.fun:.6f}, |gradient| {np.linalg.norm(g_end):.2e}")
        assert np.max(np.abs(g_end)) < 1e-6 * rows  # the mean loss's gradient < 1e-6
        return {"first": first, "second": second, "t_local": t_local, "t_dist": t_dist,
                "fit": res}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--address", default=None, help="a running Dask scheduler's address")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=10)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    a = ap.parse_args()
    main(a.rows, a.features, a.shards, a.address, a.workers)
