"""Forward mode and Jacobians (the examples of the JAX / PyTorch tutorials), with srcgrad.

    python examples/tutorial_forward.py
"""
import math

import numpy as np

import srcgrad


def f(x):
    return np.array([math.sin(x[0] * x[1]), x[0] ** 2 + x[1]])


def g(x):
    return np.array([x[0] * x[1] + x[2], math.sin(x[0]) + x[1] ** 2])


def h(x):
    return np.array([x[0] ** 2, x[0] * x[1], x[1] ** 2])


def main():
    x = np.array([1.0, 2.0])
    out, tangent = srcgrad.jvp(f, (x,), (np.array([1.0, 0.0]),))
    expected = np.array([2.0 * math.cos(2.0), 2.0])          # column 0 of J
    print("f(x) = [sin(x0 x1), x0^2 + x1] at [1, 2]")
    print("  JVP with [1, 0]:", tangent, " closed form", expected)
    assert np.allclose(tangent, expected)
    out, vjp_fn = srcgrad.vjp(f, x)
    (cot,) = vjp_fn(np.array([1.0, 0.0]))
    expected = np.array([2.0 * math.cos(2.0), math.cos(2.0)])  # row 0 of J
    print("  VJP with [1, 0]:", cot, " closed form", expected)
    assert np.allclose(cot, expected)

    x = np.array([1.0, 2.0, 3.0])
    J = srcgrad.jacobian(g)(x)
    expected = np.array([[2.0, 1.0, 1.0], [math.cos(1.0), 4.0, 0.0]])
    print("g: R^3 -> R^2 = [x0 x1 + x2, sin(x0) + x1^2] at [1, 2, 3]\n", J)
    assert np.allclose(J, expected)

    x = np.array([2.0, 3.0])
    by_rows = srcgrad.jacrev(h)(x)      # one VJP per output: rows
    by_cols = srcgrad.jacfwd(h)(x)      # one JVP per input: columns
    print("h = [x0^2, x0 x1, x1^2] at [2, 3], row by row (VJP):\n", by_rows)
    print("column by column (JVP):\n", by_cols)
    assert np.array_equal(by_rows, [[4.0, 0.0], [3.0, 2.0], [0.0, 6.0]])
    assert np.array_equal(by_cols, by_rows)

    print("\nThe tangent function srcgrad generated for f:\n")
    print(srcgrad.source(f, mode="forward", args=(x,)))


if __name__ == "__main__":
    main()
