"""srcgrad.checkpoint: the same derivatives with and without it (both backends, both modes,
in loops, nested, with integer arguments, under hessian), less kept between the sweeps."""
import tracemalloc
import warnings

import numpy as np
import pytest

import srcgrad

BACKENDS = ["numba", "python"]


def layer(h, W, scale):
    z = W @ h
    return np.tanh(z) * scale + h


def inner(h, W):
    return np.sin(W @ h) + h


def outer(h, W):           # a checkpointed function calling a checkpointed function
    u = srcgrad.checkpoint(inner)(h, W)
    return srcgrad.checkpoint(inner)(u * 0.5, W) + u


@srcgrad.checkpoint
def powered(h, k):         # the decorator form, with an integer argument
    out = h
    for i in range(k):
        out = out * h
    return out


def net(x, W, n):
    h = x
    for k in range(n):
        h = srcgrad.checkpoint(layer)(h, W, 0.5)
    h = srcgrad.checkpoint(outer)(h, W)
    return np.sum(powered(h, 2)) + np.sum(h * h)


def net_plain(x, W, n):
    h = x
    for k in range(n):
        h = layer(h, W, 0.5)
    h = outer_plain(h, W)
    return np.sum(powered_plain(h, 2)) + np.sum(h * h)


def powered_plain(h, k):
    out = h
    for i in range(k):
        out = out * h
    return out


def outer_plain(h, W):
    u = inner(h, W)
    return inner(u * 0.5, W) + u


RNG = np.random.default_rng(3)
X = RNG.standard_normal(4)
W = RNG.standard_normal((4, 4)) * 0.4


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_derivatives_with_and_without(backend):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gW = srcgrad.grad(net, wrt=(0, 1), backend=backend)(X, W, 3)
        _, t = srcgrad.jvp(net, (X, W, 3), (np.ones(4), np.ones((4, 4)), None), backend=backend)
    px, pW = srcgrad.grad(net_plain, wrt=(0, 1), backend="python")(X, W, 3)
    np.testing.assert_allclose(gx, px, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gW, pW, rtol=1e-12, atol=1e-14)
    assert t == pytest.approx(px.sum() + pW.sum(), rel=1e-12)
    assert net(X, W, 3) == pytest.approx(net_plain(X, W, 3), rel=1e-15)


def test_hessian_through_checkpoints():
    H = srcgrad.hessian(net, backend="python")(X, W, 2)
    Hp = srcgrad.hessian(net_plain, backend="python")(X, W, 2)
    np.testing.assert_allclose(H, Hp, rtol=1e-11, atol=1e-13)


def test_only_the_inputs_are_kept():
    text = srcgrad.source(net, args=(X, W, 3))
    assert "layer_checkpoint_vjp(" in text and "inner" not in text.split("# reverse sweep")[0]
    plain = srcgrad.source(net_plain, args=(X, W, 3))
    assert "np.tanh" in plain.split("# reverse sweep")[0]


def chain(h, W, depth):
    for k in range(depth):
        h = srcgrad.checkpoint(block)(h, W)
    return np.sum(h * h)


def chain_plain(h, W, depth):
    for k in range(depth):
        h = block(h, W)
    return np.sum(h * h)


def block(h, W):          # many values inside, one (h) kept per step with a checkpoint
    a = np.tanh(h @ W)
    b = np.tanh(a @ W.T)
    c = np.sin(b) * a
    d = np.cos(c) * b
    e = np.exp(-d * d) * c
    return h + 0.5 * e


def _peak(fn, *args):
    fn(*args)
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, peak


def test_less_is_kept_between_the_sweeps():
    """Measured with the Python backend (NumPy reports its allocations to tracemalloc)."""
    h, Wb = RNG.standard_normal((32, 64)), RNG.standard_normal((64, 64)) * 0.1
    g1, m1 = _peak(srcgrad.grad(chain, wrt=(0, 1), backend="python"), h, Wb, 120)
    g2, m2 = _peak(srcgrad.grad(chain_plain, wrt=(0, 1), backend="python"), h, Wb, 120)
    for a, b in zip(g1, g2):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    # srcgrad keeps two arrays a step without the checkpoint (h and h @ W; it recomputes the
    # rest), one with it (h).  (With respect to h alone, h is read only for its shape: one
    # array a step either way.)
    assert m1 < 0.6 * m2, (m1, m2)


def test_what_cannot_be_checkpointed_is_a_located_error():
    def f(x):
        return srcgrad.checkpoint(lambda v: v * v)(x)
    with pytest.raises(srcgrad.UnsupportedError, match="checkpoint"):
        srcgrad.grad(f)(1.0)


def noisy_layer(h, W):
    return np.tanh(h @ W) * np.random.normal()


def noisy(x, W):
    h = srcgrad.checkpoint(noisy_layer)(x, W)
    return np.sum(h * h)


def test_a_call_that_draws_random_numbers_is_not_checkpointed():
    """Run again in the reverse sweep, it would draw other numbers: a wrong gradient."""
    with pytest.raises(srcgrad.UnsupportedError, match=r"test_checkpoint.py:\d+:\d+: .*\n.*"
                       r"srcgrad.checkpoint\(noisy_layer\)[\s\S]*draws random numbers"):
        srcgrad.grad(noisy, wrt=(0, 1), backend="python")(np.ones((3, 2)), np.eye(2))
