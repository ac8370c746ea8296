"""Differentiate a loop-heavy function and show the adjoint srcgrad generated for it.

    python examples/rosenbrock.py
"""
import numpy as np

import srcgrad


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


if __name__ == "__main__":
    grad = srcgrad.grad(rosenbrock)
    x = np.array([-1.2, 1.0, 0.8, 1.3, 0.5])
    g = grad(x)
    print(grad.source)
    h = 1e-6
    fd = np.array([(rosenbrock(x + h * e) - rosenbrock(x - h * e)) / (2 * h) for e in np.eye(len(x))])
    print("x                     ", x)
    print("gradient (srcgrad)    ", g)
    print("finite differences    ", fd)
    print("max |difference|      ", np.max(np.abs(g - fd)))
    assert np.allclose(g, fd, rtol=1e-6, atol=1e-6)
