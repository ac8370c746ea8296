"""The reverse-mode examples of the PyTorch autograd tutorial, with srcgrad.

    python examples/tutorial_reverse.py

Each result is printed next to its closed form and checked.
"""
import numpy as np

import srcgrad


@srcgrad.grad
def sum_of_squares(x):
    return (x ** 2).sum()


def scaled_square_sum(x):
    y = 2.0 * x          # an intermediate
    z = np.sum(y ** 2)
    return z


def elementwise_sin(x):
    return np.sin(x)


def matvec(A, x):
    return A @ x


def main():
    x = np.array([1.0, 2.0, 3.0])

    g = sum_of_squares(x)
    print("grad of (x**2).sum() at", x, "=", g, " (closed form 2x =", 2 * x, ")")
    assert np.allclose(g, 2 * x)

    g = srcgrad.grad(scaled_square_sum)(x)
    print("grad of sum((2x)**2)      =", g, " (closed form 8x =", 8 * x, ")")
    assert np.allclose(g, [8.0, 16.0, 24.0])

    v = np.array([0.1, 1.0, 0.01])
    out, vjp_fn = srcgrad.vjp(elementwise_sin, x)
    (g,) = vjp_fn(v)
    print("vjp of sin(x) with v      =", g, " (closed form v*cos(x) =", v * np.cos(x), ")")
    assert np.allclose(g, v * np.cos(x))

    A = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    u = np.array([1.0, -1.0])
    out, vjp_fn = srcgrad.vjp(matvec, A, x, wrt=("x",))
    (g,) = vjp_fn(u)
    print("vjp of A @ x with u       =", g, " (closed form A.T @ u =", A.T @ u, ")")
    assert np.allclose(g, A.T @ u)

    print("\nThe adjoint srcgrad generated for sum((2x)**2):\n")
    print(srcgrad.source(scaled_square_sum, args=(x,)))


if __name__ == "__main__":
    main()
