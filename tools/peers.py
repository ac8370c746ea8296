"""The tools users would pick instead, on the same kernels, written as their users write them.

Python-loop versions (PyTorch eager, HIPS autograd) run the kernel's loop as written, at a
reduced size, and are scaled linearly to the benchmark size.  JAX uses `lax.fori_loop` for
loops (tracing a 100,000-step Python loop takes minutes) and vectorized code otherwise.
"""
import os
import statistics
import subprocess
import sys
import time


NOTES = """Peers: PyTorch eager autograd (`torch==2.13.0`, CPU) and HIPS autograd run the kernels'
Python loops as written, timed at a reduced size (noted `×k`: scaled by k to the benchmark
size, since the loops are linear); JAX runs `jit(grad)` with `lax.fori_loop` for loops and
vectorized code otherwise (a Python loop traced as written takes minutes to compile at these
sizes). JAX cannot reverse-differentiate `lax.while_loop`, so it has no fixed_point entry."""


MODE = "time"  # or "memory" (set in a child process by peak_memory)


def _vm(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def _peak(fn):
    """Peak resident memory one warm call adds: reset the peak (Linux clear_refs), call, read
    VmHWM - VmRSS."""
    fn()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = _vm("VmRSS")
    fn()
    return max(0, _vm("VmHWM") - base)


def timings(fn, repeats=3):
    """Seconds of ``repeats`` warm calls of fn (after one call)."""
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return ts


def _time(fn, repeats=3):
    if MODE == "memory":
        return _peak(fn)
    return statistics.median(timings(fn, repeats))


# ---- PyTorch ----------------------------------------------------------------------------------
def _torch(name, f, make, size, quick):
    import torch
    torch.set_num_threads(1)
    loop_n = {"scalar_loop": 2000, "rosenbrock": 2000, "recurrence": 2000, "gmm": 10,
              "fixed_point": 100}
    n = loop_n.get(name, size) // (4 if quick else 1) if name in loop_n else size
    args = make(n)
    T = lambda a: torch.tensor(a, dtype=torch.float64, requires_grad=True)  # noqa: E731

    if name == "scalar_loop":
        def run():
            x = T(args[0])
            s = torch.zeros((), dtype=torch.float64)
            for i in range(x.shape[0] - 1):
                s = s + torch.sin(x[i]) * x[i + 1] ** 2 + torch.exp(-x[i])
            s.backward()
            return x.grad
    elif name == "rosenbrock":
        def run():
            x = T(args[0])
            s = torch.zeros((), dtype=torch.float64)
            for i in range(x.shape[0] - 1):
                s = s + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
            s.backward()
            return x.grad
    elif name == "recurrence":
        def run():
            x0, dt = T(args[0]), T(args[1])
            x = x0
            for t in range(args[2]):
                x = x + dt * (-x ** 3 + torch.sin(t * dt))
            x.backward()
            return x0.grad, dt.grad
    elif name == "mlp":
        def run():
            W1, b1, W2, b2 = (T(a) for a in args[:4])
            X, Y = torch.tensor(args[4]), torch.tensor(args[5])
            h = torch.relu(X @ W1 + b1)
            z = h @ W2 + b2
            z = z - z.max()
            loss = (torch.logsumexp(z, dim=1) - (z * Y).sum(dim=1)).mean()
            loss.backward()
            return W1.grad
    elif name == "gmm":
        def run():
            alphas, means, qs = T(args[0]), T(args[1]), T(args[2])
            x = args[3]
            total = torch.zeros((), dtype=torch.float64)
            K, D = alphas.shape[0], x.shape[1]
            for i in range(x.shape[0]):
                vals = []
                for k in range(K):
                    sq = torch.zeros((), dtype=torch.float64)
                    for d in range(D):
                        z = torch.exp(qs[k, d]) * (x[i, d] - means[k, d])
                        sq = sq + z * z
                    vals.append(alphas[k] + qs[k].sum() - 0.5 * sq)
                total = total + torch.logsumexp(torch.stack(vals), 0)
            total = total - x.shape[0] * torch.logsumexp(alphas, 0)
            total.backward()
            return means.grad
    elif name == "fixed_point":
        def run():
            a = T(args[0])
            s = torch.zeros((), dtype=torch.float64)
            for i in range(a.shape[0]):
                x = torch.tensor(0.5, dtype=torch.float64)
                err = 1.0
                while err > args[1]:
                    xn = torch.cos(a[i] * x)
                    err = abs(float(xn - x))
                    x = xn
                s = s + x * x
            s.backward()
            return a.grad
    else:
        return None
    t = _time(run, 1 if n != size else 3)
    scale = _scale(name, size, n)
    return {"time": t * scale, "note": f"×{scale:.0f}" if scale != 1 else ""}


def _scale(name, size, n):
    return size / n if n != size else 1.0


# ---- HIPS autograd ----------------------------------------------------------------------------
def _autograd(name, f, make, size, quick):
    import autograd
    import autograd.numpy as anp
    loop_n = {"scalar_loop": 2000, "rosenbrock": 2000, "recurrence": 2000}
    if name not in loop_n and name != "mlp":
        return {"note": "not written"}
    n = loop_n.get(name, size) // (4 if quick else 1) if name in loop_n else size
    args = make(n)
    if name == "scalar_loop":
        def fn(x):
            s = 0.0
            for i in range(x.shape[0] - 1):
                s = s + anp.sin(x[i]) * x[i + 1] ** 2 + anp.exp(-x[i])
            return s
        g = autograd.grad(fn)
        run = lambda: g(args[0])  # noqa: E731
    elif name == "rosenbrock":
        def fn(x):
            s = 0.0
            for i in range(x.shape[0] - 1):
                s = s + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
            return s
        g = autograd.grad(fn)
        run = lambda: g(args[0])  # noqa: E731
    elif name == "recurrence":
        def fn(x0, dt):
            x = x0
            for t in range(args[2]):
                x = x + dt * (-x ** 3 + anp.sin(t * dt))
            return x
        g = autograd.grad(fn, (0, 1))
        run = lambda: g(args[0], args[1])  # noqa: E731
    else:
        def fn(W1, b1, W2, b2):
            h = anp.maximum(anp.dot(args[4], W1) + b1, 0.0)
            z = anp.dot(h, W2) + b2
            z = z - anp.max(z)
            lse = anp.log(anp.sum(anp.exp(z), axis=1))
            return anp.mean(lse - anp.sum(z * args[5], axis=1))
        g = autograd.grad(fn, (0, 1, 2, 3))
        run = lambda: g(*args[:4])  # noqa: E731
    t = _time(run, 1 if n != size else 3)
    scale = _scale(name, size, n)
    return {"time": t * scale, "note": f"×{scale:.0f}" if scale != 1 else ""}


# ---- JAX --------------------------------------------------------------------------------------
def _jax(name, f, make, size, quick):
    import jax
    import jax.numpy as jnp
    from jax import lax
    jax.config.update("jax_enable_x64", True)
    args = make(size)
    if name == "scalar_loop":
        def fn(x):
            body = lambda i, s: s + jnp.sin(x[i]) * x[i + 1] ** 2 + jnp.exp(-x[i])  # noqa: E731
            return lax.fori_loop(0, x.shape[0] - 1, body, 0.0)
        g = jax.jit(jax.grad(fn))
        run = lambda: g(args[0]).block_until_ready()  # noqa: E731
    elif name == "rosenbrock":
        def fn(x):
            body = lambda i, s: s + 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2  # noqa: E731
            return lax.fori_loop(0, x.shape[0] - 1, body, 0.0)
        g = jax.jit(jax.grad(fn))
        run = lambda: g(args[0]).block_until_ready()  # noqa: E731
    elif name == "recurrence":
        T = args[2]

        def fn(x0, dt):
            body = lambda t, x: x + dt * (-x ** 3 + jnp.sin(t * dt))  # noqa: E731
            return lax.fori_loop(0, T, body, x0)
        g = jax.jit(jax.grad(fn, (0, 1)))
        run = lambda: jax.block_until_ready(g(args[0], args[1]))  # noqa: E731
    elif name == "mlp":
        def fn(W1, b1, W2, b2, X, Y):
            h = jnp.maximum(X @ W1 + b1, 0.0)
            z = h @ W2 + b2
            z = z - jnp.max(z)
            return jnp.mean(jax.nn.logsumexp(z, axis=1) - jnp.sum(z * Y, axis=1))
        g = jax.jit(jax.grad(fn, (0, 1, 2, 3)))
        run = lambda: jax.block_until_ready(g(*args))  # noqa: E731
    elif name == "gmm":
        def fn(alphas, means, qs, x):
            z = jnp.exp(qs)[None] * (x[:, None, :] - means[None])
            vals = alphas[None] + qs.sum(axis=1)[None] - 0.5 * (z * z).sum(axis=2)
            return jax.nn.logsumexp(vals, axis=1).sum() - x.shape[0] * jax.nn.logsumexp(alphas)
        g = jax.jit(jax.grad(fn, (0, 1, 2)))
        run = lambda: jax.block_until_ready(g(*args))  # noqa: E731
    else:
        return {"note": "no reverse mode through while_loop"}
    if MODE == "memory":
        return {"time": _peak(run)}
    t0 = time.perf_counter()
    run()
    first = time.perf_counter() - t0
    t = _time(run, 3 if quick else 7)
    return {"time": t, "note": f"first call {first:.2f} s"}


PEERS = {"peer:PyTorch eager": _torch, "peer:HIPS autograd": _autograd, "peer:JAX jit(grad)": _jax}


def measure(name, f, wrt, make, size, quick, log=None):
    out = {}
    for peer, fn in PEERS.items():
        if log is not None:
            log(peer)
        try:
            out[peer] = fn(name, f, make, size, quick)
        except ImportError:
            out[peer] = {"note": "not installed"}
        except Exception as e:  # noqa: BLE001 -- a failing peer is reported, not fatal
            out[peer] = {"note": f"failed: {type(e).__name__}"}
    return out


def _srcgrad(name, f, make, size, quick):
    import srcgrad
    from kernels import KERNELS
    wrt = KERNELS[name][1]
    args = make(size)
    g = srcgrad.grad(f, wrt=wrt)
    return {"time": _time(lambda: g(*args))}


def peak_memory(tool, name, size, quick):
    """Peak memory (bytes) of one warm gradient call of ``tool`` ("srcgrad" or a peer) on
    kernel ``name``, measured in a fresh process; scaled like the peer's time if it ran at a
    reduced size.  None if it cannot be measured."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = (f"import sys; sys.path.insert(0, {here!r}); sys.path.insert(0, {os.path.dirname(here)!r}); "
            f"import peers, kernels; peers.MODE = 'memory'; "
            f"k = kernels.KERNELS[{name!r}]; "
            f"fn = peers._srcgrad if {tool!r} == 'srcgrad' else peers.PEERS[{tool!r}]; "
            f"r = fn({name!r}, k[0], k[2], {size}, {quick}); "
            f"print(r.get('time') if r else None)")
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=900).stdout.strip().splitlines()
        return float(out[-1]) if out and out[-1] not in ("None", "") else None
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return None
