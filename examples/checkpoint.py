"""Gradient checkpointing, the tutorial's example: ``relu(x @ x.T)`` on a 1000 x 1000 input,
with and without ``srcgrad.checkpoint``; then a chain of blocks in a loop, where what is no
longer kept between the sweeps adds up with the depth.  Same gradient; the peak memory of each gradient call is measured
(tracemalloc, so with the Python backend: NumPy reports its allocations to it).

    python examples/checkpoint.py
"""
import tracemalloc

import numpy as np

import srcgrad


def expensive_layer(x):
    return np.maximum(x @ x.T, 0.0)


def loss(x):
    return np.sum(srcgrad.checkpoint(expensive_layer)(x))


def loss_plain(x):
    return np.sum(expensive_layer(x))


def block(h, W):
    a = np.tanh(h @ W)
    b = np.tanh(a @ W.T)
    return h + 0.5 * b


def deep(h, W, depth):
    for k in range(depth):
        h = srcgrad.checkpoint(block)(h, W)
    return np.sum(h * h)


def deep_plain(h, W, depth):
    for k in range(depth):
        h = block(h, W)
    return np.sum(h * h)


def peak(fn, *args):
    """(result, peak bytes allocated during the call)."""
    fn(*args)  # transformed and compiled before measuring
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = fn(*args)
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, top


def main(n=1000, backend="python"):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, n)) / np.sqrt(n)
    g_ck, m_ck = peak(srcgrad.grad(loss, backend=backend), x)
    g_pl, m_pl = peak(srcgrad.grad(loss_plain, backend=backend), x)
    assert np.allclose(g_ck, g_pl, rtol=1e-12, atol=1e-12)
    print(f"relu(x @ x.T), x {n}x{n}: the same gradient; peak memory "
          f"{m_pl / 1e6:.1f} MB without checkpoint, {m_ck / 1e6:.1f} MB with (one call: "
          "x @ x.T is no longer kept between the sweeps, but computing it again in the "
          "reverse sweep needs the same room, and more temporaries)")
    h, W = rng.standard_normal((64, n // 4)), rng.standard_normal((n // 4, n // 4)) / np.sqrt(n)
    depth = 24
    (gh_ck, gW_ck), m_ck = peak(srcgrad.grad(deep, wrt=(0, 1), backend=backend), h, W, depth)
    (gh_pl, gW_pl), m_pl = peak(srcgrad.grad(deep_plain, wrt=(0, 1), backend=backend), h, W,
                                depth)
    assert np.allclose(gh_ck, gh_pl, rtol=1e-12, atol=1e-12)
    assert np.allclose(gW_ck, gW_pl, rtol=1e-12, atol=1e-12)
    print(f"{depth} blocks in a loop, h {h.shape[0]}x{h.shape[1]}: the same gradient; peak "
          f"memory {m_pl / 1e6:.1f} MB without checkpoint, {m_ck / 1e6:.1f} MB with "
          "(each block's inside is kept only while its adjoint runs)")
    return m_pl, m_ck


if __name__ == "__main__":
    main()
