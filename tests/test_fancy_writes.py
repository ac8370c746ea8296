"""Writes through integer arrays into a matrix: ``G[rows, cols] = v`` (an ML one-hot target,
``G[np.arange(n), y] = ...``) and ``G[:, idx] = V``.  Where an index repeats, NumPy keeps the
last write, so the overwritten values get no derivative (runtime ``gather_last_pairs``,
``gather_last_cols``).  Closed forms, finite differences in both modes, Hessians, both
backends."""
import numpy as np

import srcgrad
from checks import check_grads, check_hessian

X = np.random.default_rng(0).standard_normal((5, 4))
Y = np.array([0, 2, 1, 2, 0])
ROWS, COLS = np.array([0, 1, 0, 2]), np.array([1, 2, 1, 0])  # (0, 1) twice


def one_hot_scores(W):
    G = np.zeros((5, 3))
    G[np.arange(5), Y] = np.sum(X @ W, axis=1)
    return np.sum(G * (X @ W))


def pairs_repeated(v, A):
    B = A * 1.0
    B[ROWS, COLS] = v * v
    return np.sum(B * B * A)


def row_number_and_columns(s, A):
    B = np.sin(A)
    B[np.array([2, 0, 2]), 1] = s  # a number for one index, the other repeated
    return np.sum(B ** 3)


def columns_repeated(V, A):
    B = A * 2.0
    B[:, np.array([2, 0, 2])] = V  # column 2 twice: V's last column wins
    return np.sum(np.tanh(B) * A)


RNG = np.random.default_rng(1)
W0 = RNG.standard_normal((4, 3))
A0 = RNG.standard_normal((3, 4))
V4 = RNG.standard_normal(4)
V33 = RNG.standard_normal((3, 3))
CASES = [(one_hot_scores, (W0,)), (pairs_repeated, (V4, A0)), (row_number_and_columns, (0.7, A0)),
         (columns_repeated, (V33, A0))]


def test_repeated_pairs_closed_form():
    """B[0, 1] takes v[2] ** 2 (v[0]'s write is overwritten): d/dv_k = 4 v_k B_e A_e at the
    entry e it survives in, 0 for v[0]; A's gradient where B was overwritten is only the
    ``* A`` factor's."""
    for backend in ("numba", "python"):
        gv, gA = srcgrad.grad(pairs_repeated, wrt=(0, 1), backend=backend)(V4, A0)
        B = A0.copy()
        B[ROWS, COLS] = V4 * V4
        want = np.array([0.0] + [4 * V4[k] * B[ROWS[k], COLS[k]] * A0[ROWS[k], COLS[k]]
                                 for k in (1, 2, 3)])
        np.testing.assert_allclose(gv, want, rtol=1e-13)
        mask = np.ones_like(A0)
        mask[ROWS, COLS] = 0.0
        np.testing.assert_allclose(gA, B * B + mask * 2 * B * A0, rtol=1e-13)


def test_repeated_columns_closed_form():
    for backend in ("numba", "python"):
        gV = srcgrad.grad(columns_repeated, backend=backend)(V33, A0)
        B = A0 * 2.0
        B[:, np.array([2, 0, 2])] = V33
        dB = (1 - np.tanh(B) ** 2) * A0
        want = np.stack([np.zeros(3), dB[:, 0], dB[:, 2]], axis=1)  # V[:, 0] overwritten
        np.testing.assert_allclose(gV, want, rtol=1e-13)


def test_fancy_writes_against_finite_differences():
    for f, args in CASES:
        check_grads(f, args)  # reverse and forward, Numba and Python


def test_fancy_writes_hessians():
    for f, args in CASES:
        check_hessian(f, args, f.__name__)


def pairs_into_rank_3(x):
    T = np.zeros((2, 3, 2))
    T[np.array([0, 1]), np.array([2, 0])] = x[0:2]
    return np.sum(T * T)


def test_pairs_into_a_rank_3_array_are_refused():
    import pytest
    with pytest.raises(srcgrad.UnsupportedError, match="rank 3") as e:
        srcgrad.grad(pairs_into_rank_3)(np.ones(3))
    assert "test_fancy_writes.py" in str(e.value)
