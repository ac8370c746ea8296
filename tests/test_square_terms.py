"""``z * z`` differentiates as one term (2 z g, not z g + z g): the same number, exactly, in
both modes, under hessian, and in both backends."""
import math

import numpy as np

import srcgrad
from checks import check_grads, check_hessian, general_source


def sq_scalar(x, y):
    z = x * math.sin(y)
    return z * z + y


def sq_array(x):
    z = np.tanh(x)
    return np.sum(z * z)


def sq_self(x):
    s = 0.0
    for i in range(x.shape[0]):
        t = x[i] + 0.5
        t = t * t          # the target is the operand too
        s += t
    return s


def sq_two_names(x, y):
    return np.sum(x * y) + np.sum(x * x)


CASES = [(sq_scalar, (0.7, 1.3)), (sq_array, (np.linspace(-1.0, 1.0, 5),)),
         (sq_self, (np.linspace(-1.0, 1.0, 4),)),
         (sq_two_names, (np.linspace(0.1, 1.0, 3), np.linspace(-1.0, 0.5, 3)))]


def test_square_terms_against_finite_differences_both_modes_and_backends():
    for f, args in CASES:
        check_grads(f, args)


def test_square_terms_hessian():
    for f, args in CASES:
        check_hessian(f, args, f.__name__)


def sq_product(x):
    z = np.tanh(x)
    w = z + 0.0
    return np.sum(z * w)


def test_square_terms_equal_the_two_term_sum_exactly():
    """2.0 * g * z is g * z + g * z exactly (doubling rounds nowhere)."""
    x = np.linspace(-2.0, 2.0, 7)
    for backend in ("numba", "python"):
        one = srcgrad.grad(sq_array, backend=backend)(x)
        two = srcgrad.grad(sq_product, backend=backend)(x)
        np.testing.assert_array_equal(one, two)
        _, d1 = srcgrad.jvp(sq_array, (x,), (np.ones_like(x),), backend=backend)
        _, d2 = srcgrad.jvp(sq_product, (x,), (np.ones_like(x),), backend=backend)
        assert d1 == d2


def test_square_terms_read_as_one_term():
    src = general_source(sq_scalar, (0.7, 1.3))
    assert "bz = 2.0 * " in src, src
    assert "bz += " not in src, src
    fwd = general_source(sq_scalar, (0.7, 1.3), mode="forward")
    assert "2.0 * dz * z" in fwd, fwd
