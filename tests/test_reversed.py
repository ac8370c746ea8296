"""``reversed`` in a ``for`` header: ``reversed(range(...))`` becomes the range of the same
indices in reverse order, ``reversed(seq)`` an index loop counting down (or the tuple's
elements unrolled last to first).  Every function here depends on the order, so the primal
value check_grads compares with Python's own proves the indices, and finite differences the
derivatives, in both modes and both backends."""
import numpy as np
import pytest

import srcgrad

from checks import check_grads, check_hessian

RNG = np.random.default_rng(29)


def down_range(x):
    s = 0.0
    for i in reversed(range(x.shape[0])):
        s = s * 0.5 + np.sin(x[i])
    return s


def down_range_from(x, a, b):
    s = 0.0
    for i in reversed(range(a, b)):
        s = s * 0.7 + x[i] * x[i]
    return s


def down_range_step(x, a, b):
    s = 0.0
    for i in reversed(range(a, b, 3)):
        s = s * 0.7 + x[i] * x[i]
    return s


def up_range_negative_step(x, a, b):
    s = 0.0
    for i in reversed(range(a, b, -2)):
        s = s * 0.7 + x[i] * x[i]
    return s


def down_array(x):
    s = 0.0
    for v in reversed(x):
        s = s * 0.5 + v * v
    return s


def down_rows(A, w):
    h = np.zeros(A.shape[1])
    for row in reversed(A):
        h = np.tanh(row * w + 0.5 * h)
    return np.sum(h * np.arange(1.0, A.shape[1] + 1.0))


def down_tuple(W1, W2, x):
    for W in reversed((W1, W2)):
        x = np.tanh(W @ x)
    return np.sum(x)


def bidirectional(xs, w):
    """A bidirectional recurrence: the states of a forward pass kept in a list, read back
    from the last one by a second pass."""
    hs = []
    h = 0.0
    for t in range(xs.shape[0]):
        h = np.tanh(w * h + xs[t])
        hs.append(h)
    g = 0.0
    s = 0.0
    for hf in reversed(hs):
        g = np.tanh(0.5 * g + w * hf)
        s = s + g * hf
    return s


X7 = RNG.normal(size=7)


@pytest.mark.parametrize("f,args", [
    (down_range, (X7,)),
    (down_range_from, (X7, 2, 6)),
    (down_array, (X7,)),
    (down_rows, (RNG.normal(size=(3, 4)), RNG.normal(size=4))),
    (down_tuple, (RNG.normal(size=(3, 4)), RNG.normal(size=(4, 3)), RNG.normal(size=3))),
    (bidirectional, (RNG.normal(size=5), 0.8)),
])
def test_reversed_loops(f, args):
    check_grads(f, args)


@pytest.mark.parametrize("a,b", [(0, 7), (1, 7), (2, 6), (0, 1), (3, 3), (5, 2), (0, 0)])
def test_reversed_range_with_a_step_visits_the_same_indices(a, b):
    """Ranges of every length modulo the step, and empty ones, both signs of the step."""
    check_grads(down_range_step, (X7, a, b), wrt=(0,), backends=("python",))
    check_grads(up_range_negative_step, (X7, b - 1, a - 1), wrt=(0,), backends=("python",))


def test_reversed_range_with_a_step_compiles():
    check_grads(down_range_step, (X7, 0, 7), wrt=(0,), backends=("numba",))
    check_grads(up_range_negative_step, (X7, 6, -1), wrt=(0,), backends=("numba",))


def test_hessians_of_reversed_loops():
    check_hessian(down_range, (X7,), "reversed(range(n))")
    check_hessian(down_array, (X7,), "reversed(x)")


def test_generated_loops_read_as_written():
    """The primal counts down; its adjoint, the reverse of the reverse, counts up from 0."""
    src = srcgrad.source(down_range)
    assert "for i in range(0, x.shape[0]):" in src, src
    assert "-1 + 1" not in src, src
    fwd = srcgrad.source(down_range, mode="forward")
    assert "for i in range(x.shape[0] - 1, -1, -1):" in fwd, fwd


def steps_by_a_variable(x, k):
    s = 0.0
    for i in reversed(range(0, x.shape[0], k)):
        s = s * 0.5 + x[i]
    return s


def reversed_enumerate(x):
    s = 0.0
    for i, v in reversed(enumerate(x)):
        s = s * 0.5 + i * v
    return s


@pytest.mark.parametrize("f,args,what", [
    (steps_by_a_variable, (X7, 2), "step that is not a nonzero integer literal"),
    (reversed_enumerate, (X7,), r"reversed\(enumerate"),
])
def test_reversed_refusals_are_located(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as e:
        srcgrad.grad(f, backend="python")(*args)
    assert "test_reversed.py" in str(e.value)
