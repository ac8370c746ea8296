"""Lists that grow in a loop (passes/growing.py): ``hs.append(h)`` inside a loop that runs a
number of times known only at run time, the list then stacked, summed, indexed, looped over
or returned.  Both modes against finite differences, the RNN compiled by Numba too,
Hessians, and the located refusals."""
import math

import numba
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian, fd_jacobian


def rnn(W, x, T):
    hs = []
    h = x
    for t in range(T):
        h = np.tanh(W @ h)
        hs.append(h)
    H = np.stack(hs)
    return np.sum(H * H) + np.sum(hs[-1]) + np.sum(sum(hs)) + hs[0][1]


def appended_in_a_while(x, n):
    out = [x[0] * 2.0]  # an element before the loop, one in each branch, one after
    i = 0
    while i < n:
        if x[i % 3] > 0.0:
            out.append(math.sin(x[i % 3]) * i)
        else:
            out.append(x[1] * x[2])
        i += 1
    out.append(x[2])
    s = 0.0
    for v in out:
        s = s + v * v
    return s + out[1] * out[-2] + len(out) + max(out)


def per_row_losses(w, X):
    ls = []
    for row in X:
        ls.append(np.sum((row * w) ** 2))
    return sum(ls) / len(ls)


def restarted_per_epoch(W, x, E, T):
    total = 0.0
    for e in range(E):
        hs = []  # a new list each epoch, appended to in the inner loop
        h = x * (e + 1.0)
        for t in range(T):
            h = np.tanh(W @ h)
            hs.append(h)
        total = total + np.sum(np.array(hs)[:, 0] ** 2)
    return total


def returned(x, T):
    ys = []
    for t in range(T):
        ys.append(x * (t + 1.0))
    return ys


def read_by_a_run_time_index(x, T, k):
    ys = []
    for a, b in zip(x, x[::-1]):
        ys.append(np.sin(a * b) * x)
    return np.sum(ys[k] * ys[k - 1]) + T


RNG = np.random.default_rng(3)
W, X = RNG.normal(size=(3, 3)) * 0.5, RNG.normal(size=3)


@pytest.mark.parametrize("f,args,backends", [(rnn, (W, X, 5), ("numba", "python")),
                                              (appended_in_a_while, (X, 7), ("python",))],
                         ids=["rnn", "while"])
def test_both_modes(f, args, backends):
    """The RNN compiled too (the rows' growth, writes and reads in Numba; suite time keeps
    the while loop's compile for tools/fuzz.py runs, whose generator writes it)."""
    check_grads(f, args, backends=backends)


@pytest.mark.parametrize("f,args", [
    (per_row_losses, (X, RNG.normal(size=(6, 3)))), (restarted_per_epoch, (W, X, 3, 4)),
    (returned, (X, 4)), (read_by_a_run_time_index, (X, 5, 2)),
    (read_by_a_run_time_index, (X, 5, -1))], ids=["rows", "restart", "returned", "k", "k<0"])
def test_python(f, args):
    check_grads(f, args, backends=("python",))


def test_returned_list_is_stacked():
    """A list that grows in a loop, returned, comes back as one array of its elements."""
    out, vjp_fn = srcgrad.vjp(returned, X, 3, backend="python")
    np.testing.assert_array_equal(out, np.stack(returned(X, 3)))
    np.testing.assert_allclose(vjp_fn(np.ones((3, 3)))[0], np.full(3, 6.0))


def test_hessians():
    g = srcgrad.grad(restarted_per_epoch, wrt=1, backend="python")
    H = srcgrad.hessian(restarted_per_epoch, wrt=1, backend="python")(W, X, 2, 3)
    np.testing.assert_allclose(H, fd_jacobian(lambda v: g(W, v, 2, 3), X, h=1e-5), rtol=1e-5,
                               atol=1e-6)
    g = srcgrad.grad(appended_in_a_while, backend="python")
    H = srcgrad.hessian(appended_in_a_while, backend="python")(X, 5)
    np.testing.assert_allclose(H, fd_jacobian(lambda v: g(v, 5), X, h=1e-5), rtol=1e-5,
                               atol=1e-6)


def in_a_prange(x, T):
    hs = []
    for t in numba.prange(T):
        hs.append(x * t)
    return np.sum(np.stack(hs))


def written_into(x, T):
    hs = []
    for t in range(T):
        hs.append(x * t)
    hs[0] = x
    return np.sum(np.stack(hs))


def rebound(x, T):
    hs = []
    for t in range(T):
        hs.append(x * t)
    hs = x
    return np.sum(hs)


def max_of_arrays(x, T):
    hs = []
    for t in range(T):
        hs.append(x * t)
    return np.sum(max(hs))


def array_of_a_static_list(x):
    hs = [x[0], x[1]]
    return np.sum(np.array(hs))


@pytest.mark.parametrize("f,args,what", [
    (in_a_prange, (X, 3), "append\\(\\) in a prange loop"),
    (written_into, (X, 3), "a write into hs, a list that grows"),
    (rebound, (X, 3), "hs holds a list that grows in a loop and x here"),
    (max_of_arrays, (X, 3), "max\\(\\) of a list of arrays")])
def test_refused_at_the_line(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as e:
        srcgrad.grad(f, backend="python")(*args)
    assert "test_growing.py" in str(e.value)


# ---- lists of a length known at run time, bound to a name: grown by a loop (sequences.py) --
def comprehension_bound(x):
    i = 10.0
    l = [x * k for k in range(x.shape[0]) if k != 1]  # (its k and a function's i stay apart)
    return np.sum(np.array(l) ** 2) * i


def list_of_an_array(x):
    l = list(x)
    return l[0] * l[2] + sum(l)


def tolist_of(x):
    l = x.tolist()
    return sum(l) * l[1]


def rows_of_a_matrix(A):
    rows = list(A)
    return np.sum(rows[1] * np.sin(rows[0]))


def comprehension_over_an_array(x):
    sq = [v * v for v in x]
    return sq[0] + sq[-1] * sum(sq)


def list_of_a_tuple(x):
    t = (x[0], x[1])
    l = list(t)
    return l[0] * l[1]


def list_of_a_row(A):
    l = list(A[0])
    return l[0] * l[1] + sum(l)


def comprehension_over_a_slice(x):
    l = [v * 2.0 for v in x[1:]]
    return l[0] * l[1]


def comprehension_over_zip(x):
    l = [a * b for a, b in zip(x, x[::-1])]
    return l[0] + l[-1] * 2.0


def comprehension_shadowing_its_sequence(x, a):
    l = [a * x for a, x in zip(a, x[::-1])]  # zip's a and x are the function's
    m = [x * 2.0 for x in x]
    return l[0] + l[-1] * 2.0 + m[1] * x[0]


def comprehension_over_enumerate(x):
    l = [i * v for i, v in enumerate(x)]
    return np.sum(np.array(l) ** 2)


def test_array_of_a_static_list():
    """np.array(hs) of a list literal held in a name: its elements stacked (refused before)."""
    np.testing.assert_allclose(srcgrad.grad(array_of_a_static_list)(X), [1.0, 1.0, 0.0])
    check_grads(array_of_a_static_list, (X,))


@pytest.mark.parametrize("f,args", [
    (comprehension_bound, (X,)), (list_of_an_array, (X,)), (tolist_of, (X,)),
    (rows_of_a_matrix, (np.arange(6.0).reshape(3, 2) * 0.3,)), (comprehension_over_an_array, (X,)),
    (list_of_a_tuple, (X,)), (list_of_a_row, (np.arange(6.0).reshape(2, 3) * 0.3,)),
    (comprehension_over_a_slice, (X,)), (comprehension_over_zip, (X,)),
    (comprehension_over_enumerate, (X,)),
    (comprehension_shadowing_its_sequence, (X, np.array([0.5, -1.0, 2.0, 0.3])))])
def test_lists_of_run_time_length(f, args):
    check_grads(f, args)  # both modes, both backends, against finite differences
    check_hessian(f, args, f.__name__)


def test_list_of_an_array_closed_form():
    x = np.array([0.5, -1.0, 2.0, 3.0])
    np.testing.assert_allclose(srcgrad.grad(list_of_an_array)(x), [2.0 + 1, 1.0, 0.5 + 1, 1.0])
    # sum over k != 1 (k < 4) of (k x)^2, times 10: 20 (0 + 4 + 9) x
    np.testing.assert_allclose(srcgrad.grad(comprehension_bound)(x), 20 * 13 * x)
