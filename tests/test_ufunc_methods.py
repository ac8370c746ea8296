"""NumPy ufunc methods (passes/ufunc_methods.py): ``np.add.reduce``, ``np.multiply.reduce``,
``np.maximum.reduce``, ``np.minimum.reduce``, ``np.add.accumulate``,
``np.multiply.accumulate``, ``np.maximum.accumulate``, ``np.minimum.accumulate`` and
``<binary ufunc>.outer``, each written as the NumPy call it
equals.  Checked against finite differences in both modes and backends, against NumPy's
values (check_grads), under the Hessian; other methods, ufuncs and arguments are located errors."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian


def rbf(x, y, s):
    """A Gaussian kernel's sum over all pairs: the pairwise differences of two point sets."""
    d = np.subtract.outer(x, y)
    return np.sum(np.exp(-d * d / s))


def outer_ranks(A, b):
    return np.sum(np.tanh(np.add.outer(A, b))) + np.sum(np.multiply.outer(b, A) ** 2)


def outer_binary(x, y):
    return np.sum(np.maximum.outer(x, y) + np.power.outer(x * x + 1.0, y)
                  + np.arctan2.outer(x, y))


def reduces(A):
    return (np.sum(np.add.reduce(A) ** 2) + np.sum(np.multiply.reduce(A, 1))
            + np.sum(np.maximum.reduce(A, axis=0)) + np.minimum.reduce(A, axis=None)
            + np.sum(np.add.reduce(A, axis=1, keepdims=True) * A))


def accumulates(A, x):
    return (np.sum(np.add.accumulate(A) ** 2) + np.sum(np.multiply.accumulate(A, axis=1))
            + np.sum(np.sin(np.add.accumulate(x))))


def drawdown(x):
    """The running peak of a cumulative sum (np.maximum.accumulate), and a running minimum."""
    p = np.cumsum(x)
    return np.sum((np.maximum.accumulate(p) - p) ** 2) + np.sum(np.minimum.accumulate(np.sin(x)))


RNG = np.random.default_rng(11)
X, Y = RNG.uniform(-1, 1, 4), RNG.uniform(-1, 1, 3)
A = RNG.uniform(0.5, 1.5, (3, 4))  # (no ties in the max, positive for the products)
CASES = [(rbf, (X, Y, 0.7)), (outer_ranks, (A[:2], X[:3])), (outer_binary, (X + 2.0, Y)),
         (reduces, (A,)), (accumulates, (A, X)), (drawdown, (RNG.standard_normal(7),))]


@pytest.mark.parametrize("f,args", CASES, ids=[c[0].__name__ for c in CASES])
def test_ufunc_methods_against_finite_differences(f, args):
    """(check_grads also compares the value each backend computes with NumPy's own.)"""
    check_grads(f, args)


def rbf_unit(x, y):
    return rbf(x, y, 0.7)


def test_ufunc_methods_hessian():
    check_hessian(rbf_unit, (X, Y), "rbf")
    check_hessian(reduces, (A,), "reduces")
    check_hessian(drawdown, (X,), "drawdown")
    check_hessian(outer_ranks, (A[:2], X[:3]), "outer_ranks")


def test_outer_reads_as_indexing():
    src = srcgrad.source(rbf, args=(X, Y, 0.7), wrt=(0, 1))
    assert "x[:, None] - y" in src.replace("np.subtract(x[:, None], y)", "x[:, None] - y") \
        or "x[:, None]" in src, src


def logaddexp_reduce(x):
    return np.logaddexp.reduce(x)


def running_max_of_rows(x):
    return np.sum(np.maximum.accumulate(np.outer(x, x)))


def reduce_with_initial(x):
    return np.add.reduce(x, initial=1.0)


def axis_twice(x):
    return np.sum(np.add.reduce(np.outer(x, x), 0, axis=1))


def outer_keywords(x):
    return np.sum(np.add.outer(x, b=x))


def reduceat(x):
    return np.sum(np.add.reduceat(x, [0, 2]))


@pytest.mark.parametrize("f,match", [
    (logaddexp_reduce, r"np.logaddexp.reduce\(\) \(srcgrad writes reduce of np.add, "
                       r"np.maximum, np.minimum, np.multiply only\)"),
    (running_max_of_rows, r"np.maximum.accumulate\(\) of an argument that is not a 1-D "
                          r"array"),
    (reduce_with_initial, r"np.add.reduce\(\) with these arguments"),
    (outer_keywords, r"np.add.outer\(\) with these arguments"),
    (axis_twice, r"np.add.reduce\(\) with these arguments"),
    (reduceat, r"method call .reduceat\(\)")])
def test_other_ufunc_methods_are_located_errors(f, match):
    with pytest.raises(srcgrad.UnsupportedError, match=r"test_ufunc_methods.py:\d+:\d+: .*"
                       + match):
        srcgrad.grad(f, backend="python")(X)


def reduce_inside_a_constant(M, a):
    """Found by the fuzzer: a ufunc method inside a call whose derivative is zero (kept whole
    as bookkeeping) is lowered as everywhere, so Numba compiles it."""
    cells = np.floor(np.maximum.reduce(M, 0) * 3.0)
    return np.sum(M[0] * cells) + np.sum(a * np.floor(np.add.reduce(M, 1)[0] + a).astype(int))


def test_ufunc_method_inside_a_call_without_derivative():
    rng = np.random.default_rng(8)
    check_grads(reduce_inside_a_constant, (rng.normal(size=(3, 4)), rng.normal(size=4)))
