"""Gradients on a Dask cluster (examples/dask_gradient.py): a LocalCluster of 2 worker
processes computes the gradient of a loss summed over data shards, inside a SciPy L-BFGS fit.
The cluster's gradient equals the one-process gradient; a worker's first task reads the
generated code and Numba's machine code from the shared disk cache (nothing transformed or
compiled), and its second task does no work at all (the unpickled derived function is the
one the first task built)."""
import os
import sys

import numpy as np
import pytest

pytest.importorskip("distributed")

import srcgrad  # noqa: E402
from checks import check_grads  # noqa: E402

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def cube_sum(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] ** 3
    return s


@pytest.fixture(scope="module")
def model():
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)  # workers spawned from here see it too
    import dask_gradient
    return dask_gradient


def test_shard_gradient_against_finite_differences(model):
    X, y = model.make_data(30, 4, seed=3)
    check_grads(model.shard_loss, (np.linspace(-0.5, 0.5, 4), 0.2, X, y), wrt=(0, 1))


def test_the_cluster_gives_the_same_gradient_and_workers_do_not_compile(model, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "cache"))  # shared by the workers
    out = model.main(rows=4000, features=5, shards=4, workers=2)  # asserts 1e-12 equality
    first, second = out["first"], out["second"]
    assert len(first) == 2 and sum(s["numba_cache_hits"] for s in first.values()) >= 1
    for addr, s in first.items():
        assert s["transformed"] == 0 and s["numba_compiled"] == 0, (addr, s)
    for addr, s in second.items():
        assert s["transformed"] == s["transform_cache_hits"] == 0, (addr, s)
        assert s["numba_compiled"] == s["numba_cache_hits"] == 0, (addr, s)
    fit = out["fit"]
    assert fit.success or fit.nit > 0


def test_compile_stats_count_this_process(tmp_path, monkeypatch):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "c"))
    srcgrad.compile_stats(reset=True)
    srcgrad.grad(cube_sum)(np.ones(3))
    s = srcgrad.compile_stats(reset=True)
    assert s["transformed"] == 1 and s["numba_compiled"] == 1 and s["seconds_compiling"] > 0
    srcgrad.grad(cube_sum)(np.ones(3))  # a new derived function: the disk cache answers
    s = srcgrad.compile_stats()
    assert s["transform_cache_hits"] == 1 and s["numba_cache_hits"] == 1
    assert s["transformed"] == s["numba_compiled"] == 0
