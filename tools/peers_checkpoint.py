"""The checkpointing benchmark's peers (tools/bench_checkpoint.py): the same heat equation and
scalar ODE, their gradients by PyTorch (eager, ``torch.utils.checkpoint`` over segments of
steps) and JAX (``lax.scan``; checkpointed as ``jax.checkpoint`` around each segment's inner
scan, the usual way to bound a scan's memory).  With ``s`` segments both keep ``s`` segment
inputs and, while one segment's backward runs, that segment's values: ``s`` + T/s states,
each step recomputed once (not binomial: that is srcgrad's).

    gradient("torch", "heat", s)  ->  (callable computing the gradient, its arguments)
"""
import math

import numpy as np

REENTRANT = True  # the forward of a segment runs without building a graph: the least memory


def _segments(T, s):
    bounds = [round(i * T / s) for i in range(s + 1)]
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if b > a]


# ---- PyTorch ----------------------------------------------------------------------------------
def _torch(name, s, T, args):
    import torch
    from torch.utils.checkpoint import checkpoint
    torch.set_num_threads(1)

    if name == "heat":  # with respect to the initial state and the diffusion coefficient
        u0 = torch.tensor(args[0])
        k0 = torch.tensor(args[1], dtype=torch.float64)

        def steps(u, a, b, k):
            for _ in range(a, b):
                un = u.clone()
                un[1:-1] = u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:])
                u = un
            return u

        def loss(u):
            return torch.sum(u * u)
        x0 = u0
    else:
        x0 = torch.tensor(args[0], dtype=torch.float64)
        dt = args[1]

        def steps(x, a, b, k):
            for t in range(a, b):
                x = x + dt * (-x ** 3 + math.sin(t * dt))
            return x

        def loss(x):
            return x
        k0 = None

    def grad():
        x = x0.clone().requires_grad_(True)
        k = k0.clone().requires_grad_(True) if k0 is not None else None
        if s is None:
            y = steps(x, 0, T, k)
        else:
            y = x
            for a, b in _segments(T, s):
                y = checkpoint(steps, y, a, b, k, use_reentrant=REENTRANT)
        loss(y).backward()
        return x.grad.numpy() if k is None else (x.grad.numpy(), float(k.grad))
    return grad


# ---- JAX --------------------------------------------------------------------------------------
def _jax(name, s, T, args):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)

    if name == "heat":  # with respect to the initial state and the diffusion coefficient
        def step(c, t):
            u, k = c
            return (u.at[1:-1].set(u[1:-1] + k * (u[:-2] - 2.0 * u[1:-1] + u[2:])), k), None

        def loss(c):
            return jnp.sum(c[0] * c[0])
        x0 = (jnp.asarray(args[0], dtype=jnp.float64), jnp.asarray(args[1], dtype=jnp.float64))
    else:
        dt = args[1]

        def step(x, t):
            return x + dt * (-x ** 3 + jnp.sin(t * dt)), None
        x0 = jnp.asarray(args[0], dtype=jnp.float64)

        def loss(x):
            return x

    ts = jnp.arange(T, dtype=jnp.float64)
    if s is None:
        def run(x):
            return loss(jax.lax.scan(step, x, ts)[0])
    else:  # s segments of equal length (T rounded up to a multiple of s, the rest masked)
        n = -(-T // s)
        pad = jnp.concatenate([ts, -jnp.ones(n * s - T)]).reshape(s, n)

        def masked(x, t):
            y, _ = step(x, t)
            return jax.tree_util.tree_map(lambda a, b: jnp.where(t >= 0, a, b), y, x), None

        @jax.checkpoint
        def segment(x, tseg):
            return jax.lax.scan(masked, x, tseg)[0], None

        def run(x):
            return loss(jax.lax.scan(segment, x, pad)[0])
    g = jax.jit(jax.grad(run))

    def grad():
        out = jax.block_until_ready(g(x0))
        return tuple(np.asarray(o) for o in out) if isinstance(out, tuple) else np.asarray(out)
    return grad


PEERS = {"torch": _torch, "jax": _jax}


def available():
    out = []
    for name, module in (("torch", "torch"), ("jax", "jax")):
        try:
            __import__(module)
            out.append(name)
        except ImportError:
            pass
    return out


def gradient(peer, name, s, T, args):
    """A callable computing ``peer``'s gradient of kernel ``name`` (as tools/bench_checkpoint.py
    asks for it: the heat equation's wrt its initial state and coefficient, the ODE's wrt x0)
    with ``s`` checkpointed segments (None: none)."""
    return PEERS[peer](name, s, T, args)
