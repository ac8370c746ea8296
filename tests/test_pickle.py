"""Derived functions pickle by reference to the user's function and their options, so they
can be shipped to worker processes (multiprocessing, concurrent.futures, Dask)."""
import concurrent.futures
import multiprocessing
import pickle

import numpy as np
import pytest

import srcgrad


def loss(w, X, y):
    r = X @ w - y
    return np.sum(r * r) + 0.1 * np.sum(np.tanh(w) ** 2)


@srcgrad.custom_vjp
def softabs(v):
    return np.sqrt(v * v + 1e-2)


softabs.defvjp(lambda v: (np.sqrt(v * v + 1e-2), v), lambda v, g: (g * v / np.sqrt(v * v + 1e-2),))


def uses_rule(w, X, y):
    return np.sum(softabs(X @ w - y))


def scalar(t):
    return np.sin(t) * t


RNG = np.random.default_rng(0)
W, X, Y = RNG.standard_normal(3), RNG.standard_normal((8, 3)), RNG.standard_normal(8)


@pytest.mark.parametrize("make,call", [
    (lambda: srcgrad.grad(loss), lambda d: d(W, X, Y)),
    (lambda: srcgrad.value_and_grad(loss, wrt=(0, 1)), lambda d: d(W, X, Y)),
    (lambda: srcgrad.jacobian(loss, mode="forward"), lambda d: d(W, X, Y)),
    (lambda: srcgrad.hessian(loss, backend="python"), lambda d: d(W, X, Y)),
    (lambda: srcgrad.hvp(loss, backend="python"), lambda d: d(W, X, Y, np.ones(3))),
    (lambda: srcgrad.grad(srcgrad.grad(scalar), backend="python"), lambda d: d(0.7)),
    (lambda: srcgrad.grad(uses_rule, backend="python"), lambda d: d(W, X, Y)),
    (lambda: srcgrad.vjp(loss, W, X, Y, wrt=(0,))[1], lambda d: d(1.5)),
])
def test_round_trip(make, call):
    d = make()
    want = call(d)
    again = pickle.loads(pickle.dumps(d))
    got = call(again)
    _same(want, got)
    assert type(again) is type(d)


def _same(a, b):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        np.testing.assert_array_equal(a, b)


def _shard_grad(g, k):
    return g(W, X[k::2], Y[k::2])


def test_gradient_of_shards_in_worker_processes():
    g = srcgrad.grad(loss, backend="python")
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as pool:
        parts = list(pool.map(_shard_grad, [g, g], [0, 1]))
    # the loss of all rows is the sum over the two shards, less the counted-twice penalty
    penalty = srcgrad.grad(lambda w: 0.1 * np.sum(np.tanh(w) ** 2), backend="python")
    total = parts[0] + parts[1] - penalty(W)
    np.testing.assert_allclose(total, g(W, X, Y), rtol=1e-12, atol=1e-14)
