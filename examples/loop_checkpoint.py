"""Binomial loop checkpointing: the gradient of a long time integration in bounded memory.

    python examples/loop_checkpoint.py

An explicit 1-D heat equation, N cells, T steps; the loss is the final state's energy, and
its gradient is taken with respect to the initial state and the diffusion coefficient ``k``.
The coefficient's adjoint reads every step's state, so without checkpoints the reverse sweep
keeps every step's state (8 kB a step for N = 1000; with respect to ``u0`` alone a step is
linear in ``u``, and srcgrad keeps only its shape, 16 bytes a step: nothing to checkpoint);
with ``checkpoint=100`` it keeps 100 snapshots of the state ``u`` and runs steps again from
them (revolve); with ``memory="2MB"`` it keeps as many as 2 MB holds.  The gradients agree to
the last bits, and ``srcgrad.memory`` says what each keeps and what it costs.
"""
import time

import numpy as np

import srcgrad


def heat(u0, k, T):
    u = u0.copy()
    n = u.shape[0]
    for t in range(T):
        un = np.empty(n)
        un[0] = u[0]
        un[n - 1] = u[n - 1]
        for i in range(1, n - 1):
            un[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = un
    return np.sum(u * u)


def main(n=1000, T=20000, backend="numba"):
    u0 = np.sin(np.linspace(0.0, 3.0, n))
    results = {}
    for label, options in [("stored", {}), ("checkpoint=100", {"checkpoint": 100}),
                           ('memory="2MB"', {"memory": "2MB"})]:
        g = srcgrad.grad(heat, wrt=(0, 1), backend=backend, **options)
        g(u0, 0.2, 3)  # compiled
        t0 = time.perf_counter()
        results[label] = g(u0, 0.2, T)
        seconds = time.perf_counter() - t0
        report = srcgrad.memory(heat, u0, 0.2, T, wrt=("u0", "k"), backend=backend, **options)
        print(f"{label:>16}: gradient in {seconds:.3f} s, the reverse sweep keeps "
              f"{report.total / 1e6:.2f} MB")
        print(report)
    ref = results["stored"]
    for label, got in results.items():
        assert all(np.allclose(a, b, rtol=1e-12, atol=0) for a, b in zip(got, ref)), label
    # and the stored gradient against central differences along a direction
    d = np.cos(np.arange(n))
    h = 1e-6
    fd = (heat(u0 + h * d, 0.2, 50) - heat(u0 - h * d, 0.2, 50)) / (2 * h)
    fd_k = (heat(u0, 0.2 + h, 50) - heat(u0, 0.2 - h, 50)) / (2 * h)
    g50, g50_k = srcgrad.grad(heat, wrt=(0, 1), backend=backend, checkpoint=7)(u0, 0.2, 50)
    assert abs(np.dot(g50, d) - fd) <= 1e-6 * abs(fd)
    assert abs(g50_k - fd_k) <= 1e-6 * abs(fd_k)
    print("the gradients agree, and match finite differences")
    return results


if __name__ == "__main__":
    main()
