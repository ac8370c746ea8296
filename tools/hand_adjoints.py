"""Hand-written Numba adjoints: the reference limit srcgrad is measured against.

Written the way an expert would: one fused reverse loop where the primal value is not needed,
the trajectory stored in a preallocated array where it is.
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


HAND = {"scalar_loop": scalar_loop_grad, "rosenbrock": rosenbrock_grad,
        "recurrence": recurrence_grad}
