"""Tuples of tuples as a user writes them for layers: bound from other tuples
(``first, second = t1, t2`` gave wrong derivatives and values: the snapshot taken against a
swap copied the tuple's name, not its elements), swapped, rebuilt from their elements,
unpacked with a star (``first, *rest = layers``), and listed from ``zip``/``enumerate``
(``list(zip(Ws, bs))``).  Each against finite differences in both modes and both backends,
and under hessian."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian

RNG = np.random.default_rng(4242)
W1, b1, W2, b2 = (0.5 * RNG.normal(size=(3, 3)), RNG.normal(size=3),
                  0.5 * RNG.normal(size=(3, 3)), RNG.normal(size=3))
X = RNG.normal(size=3)


def bound_from_tuples(W1, b1, W2, b2, x):
    t1, t2 = (W1, b1), (W2, b2)
    first, second = t1, t2
    h = np.tanh(first[0] @ x + first[1])
    return np.sum(np.tanh(second[0] @ h + second[1]))


def swapped(W1, b1, W2, b2, x):
    t1, t2 = (W1, b1), (W2, b2)
    t1, t2 = t2, t1
    h = np.tanh(t1[0] @ x + t1[1])
    return np.sum(np.tanh(t2[0] @ h + t2[1]) * h)


def rebuilt(W1, b1, W2, b2, x):
    ta, tb = (W1, b1), (W2, b2)
    ta, tb = (tb[0] * 2.0, ta[1]), (ta[0], tb[1])
    return np.sum(np.sin(ta[0] @ x + tb[1]) * (tb[0] @ ta[1]))


def starred(W1, b1, W2, b2, x):
    layers = ((W1, b1), (W2, b2), (W1 * 0.5, b2))
    first, *rest = layers
    h = np.tanh(first[0] @ x + first[1])
    for W, b in rest:
        h = np.tanh(W @ h + b)
    *init, last = layers
    return np.sum(h) + np.sum(last[0] @ h) + len(init)


def listed_pairs(W1, b1, W2, b2, x):
    layers = list(zip((W1, W2), (b1, b2)))
    h = x
    for W, b in layers:
        h = np.tanh(W @ h + b)
    steps = tuple(enumerate((b1, b2)))
    return np.sum(h) + sum((i + 1.0) * np.sum(b * b) for i, b in steps)


def listed_pairs_of_arrays(W1, b1, W2, b2, x):
    """list(zip(a, b)) of arrays: a list of a length known at run time."""
    rows = list(zip(x, b1))
    s = 0.0
    for a, c in rows:
        s = s + a * np.sin(c)
    return s + np.sum(W1 @ b2)


CASES = [bound_from_tuples, swapped, rebuilt, starred, listed_pairs]
ARGS = (W1, b1, W2, b2, X)


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_against_finite_differences(f):
    check_grads(f, ARGS)


@pytest.mark.parametrize("f", [swapped, starred], ids=lambda f: f.__name__)
def test_hessians(f):
    check_hessian(f, ARGS, f.__name__)


def test_values_are_pythons():
    """The value, too, was wrong before (the swap's second target read the first's new
    elements)."""
    for f in CASES:
        v, _ = srcgrad.value_and_grad(f)(*ARGS)
        assert v == pytest.approx(f(*ARGS), rel=1e-13)


def test_starred_from_an_array_and_zip_of_arrays_listed():
    def star_of_array(x):
        first, *rest = x
        return first
    with pytest.raises(srcgrad.UnsupportedError, match="starred target from what is not a tuple"):
        srcgrad.grad(star_of_array)(X)

    def star_of_a_grown_list(x):
        hs = []
        for i in range(3):
            hs.append(x * i)
        first, *rest = hs
        return np.sum(first)
    with pytest.raises(srcgrad.UnsupportedError, match="a list grown in a loop"):
        srcgrad.grad(star_of_a_grown_list)(X)
    with pytest.raises(srcgrad.UnsupportedError, match="a list of pairs whose length is known only"):
        srcgrad.grad(listed_pairs_of_arrays)(*ARGS)
