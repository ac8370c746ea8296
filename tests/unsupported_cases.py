"""Functions outside the subset, one construct each.  The line with ``# <-`` is where the
error must point."""
import math

import numpy as np
import scipy.special


class Box:
    def __init__(self, v):
        self.v = v


def uses_try(x):
    try:  # <-
        return x * 2.0
    except ValueError:
        return 0.0


def uses_lambda(x):
    return (lambda t: t * t)(x)  # <-


def uses_listcomp(x):
    return sum([v * w for v in (x, x) for w in (x, x)])  # <-


def uses_generator(x):
    return tuple(v * v for v in (x, x))[0]  # <-


def uses_with(x):
    with open("f") as fh:  # <-
        pass
    return x


def uses_global(x):
    global COUNTER  # <-
    return x


def uses_yield(x):
    yield x * 2.0  # <-


def uses_closure(x):
    if x > 0.0:
        def inner(t):  # <-
            return t * x
        return inner(x)
    return x


def uses_star(*xs):  # <-
    return xs[0]


def uses_dict(x):
    return {"a": x, "b": 2.0 * x}["a"]  # <-


def uses_list(x):
    v = x * [1.0, 2.0]  # <-
    return v[0]


def uses_class(x):
    b = Box(x)  # <-
    return b.v


def uses_scipy(x):
    return scipy.special.kv(1.0, x)  # <-


def uses_unknown_method(x):
    return x.argpartition(2)  # <-


def uses_a_missing_numpy_function(x):
    return np.trapz(x * x)  # <-  (NumPy 2 has np.trapezoid)


def uses_attr(x):
    return x.real  # <-


def uses_for_over_array(x):
    """Iterating over a float (these rows pass x = 1.5): Python raises TypeError."""
    s = 0.0
    for v in x:  # <-
        s += v
    return s


def recursive(x):
    if x < 1.0:
        return x
    return recursive(x - 1.0)  # <-


def uses_for_else(x):
    s = 0.0
    for i in range(3):  # <-
        s += x
    else:
        s = 0.0
    return s


def uses_walrus(x):
    if (y := x * 2.0) > 1.0:  # <-
        return y
    return x


def two_problems(x):
    try:  # <-
        y = x
    except ValueError:
        y = 0.0
    v = [y] * 2  # <-
    return v[0]


def writes_through_view(A):
    row = A[0, :]
    row[1] = 5.0  # <-
    return np.sum(A * A)


def writes_through_alias(x):
    y = x
    y[0] = 2.0 * x[1]  # <-
    return np.sum(x)


def uses_getattr(x):
    return getattr(x, "real")  # <-


def uses_c_function(x):
    return math.nextafter(x, 1.0)  # <-


def sums_over_two_axes(M):
    return np.sum(np.sum(M, axis=(0, -1)) * 2.0)  # <-


def expands_two_axes(x):
    return np.sum(np.expand_dims(x, (0, 1)) * 2.0)  # <-


def stacks_scalars(a, b):
    return np.sum(np.stack((a, b)))  # <-


def squeezes_all_axes(x):
    return np.sum(np.squeeze(x))  # <-


def casts_to_int(x):
    return np.sum(x.astype(np.float32) * x)  # <-


def rolls_negative_axis(x):
    return np.sum(np.rollaxis(x, -1))  # <-


def splits_into_n(x, n):
    return np.sum(np.split(x, n)[0])  # <-


def einsum_with_ellipsis(x):
    return np.sum(np.einsum("...i->...", x))  # <-


def einsum_wrong_count(x):
    return np.einsum("ij,jk", x)  # <-


def spectral_norm(A):
    return np.linalg.norm(A, 2)  # <-


def norm_ord_three(x):
    return np.linalg.norm(x, 3)  # <-


def fro_norm_of_vector(x):
    return np.linalg.norm(x, 'fro')  # <-
