"""One memory layout per variable (passes/layouts.py, and C-ordered matrices at the compiled
call): a variable set to a Fortran-ordered value (``np.linalg.inv``, a transpose, singular
vectors, a caller's ``X.T``) and set again in a loop made Numba type it with layout 'A', and
compiling failed ("Don't know how to allocate array with layout 'A'"): the function fell back
to Python (array fuzzer, seed 29452).  strict=True makes any fallback an error here."""
import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad.passes.layouts import c_ordered, may_be_fortran

from checks import check_grads, check_hessian

RNG = np.random.default_rng(2903)
A = RNG.normal(size=(3, 3)) * 0.5
Q = A @ A.T + np.eye(3)


def riccati(A, Q):
    P = np.linalg.inv(Q)
    for t in range(5):
        P = A @ P @ A.T * 0.5 + Q
    return np.sum(P * P)


def transposed_start(W):
    h = W.T * 1.0
    for t in range(3):
        h = np.tanh(W.T @ (W @ h)) + h
    return np.sum(h * h)


def singular_vectors_start(M, x):
    """The fuzzer's program, cut down: Vh (Fortran-ordered) times a number, then a loop."""
    h = np.linalg.svd(0.1 * np.tanh(M) + np.eye(3, 4) * np.arange(1.0, 5.0), False)[2] * x
    for t in range(3):
        h = np.tanh(M[:, 0:3] @ h - M * 0.5) * 0.9
    return np.sum(h * h)


def recurrence(W, h):
    for t in range(3):
        h = np.tanh(W @ h) + h
    return np.sum(h * h)


@pytest.mark.parametrize("f,args", [
    (riccati, (A, Q)), (transposed_start, (RNG.normal(size=(3, 4)) * 0.5,)),
    (singular_vectors_start, (RNG.normal(size=(3, 4)), 0.7)),
])
def test_fortran_ordered_starts_compile(f, args):
    check_grads(f, args)  # (strict=True: a fallback to Python raises)


def test_fortran_ordered_arguments_compile():
    """A caller's transposed matrix, set again in the function's loop: the same gradient as
    for a C-ordered copy, compiled, and the caller's array untouched."""
    W = RNG.normal(size=(3, 3)) * 0.5
    H = RNG.normal(size=(2, 3)).T  # Fortran-ordered
    before = H.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        got = srcgrad.grad(recurrence, wrt=(0, 1), strict=True)(W, H)
        tangent = srcgrad.jvp(recurrence, (W, H), (W, H), strict=True)[1]
    want = srcgrad.grad(recurrence, wrt=(0, 1), backend="python")(W, np.ascontiguousarray(H))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    assert tangent == pytest.approx(np.sum(want[0] * W) + np.sum(want[1] * H), rel=1e-10)
    assert np.array_equal(H, before) and not H.flags.c_contiguous


def test_hessian_through_c_order():
    check_hessian(riccati, (A, Q), "a Riccati iteration from inv(Q)")


def test_only_values_that_may_be_fortran_ordered_are_wrapped():
    src = srcgrad.source(riccati, args=(A, Q))
    assert "P = c_order(np.linalg.inv(Q))" in src, src
    assert src.count("c_order(") == 1, src  # (P = A @ P @ ...: a product is C-ordered)
    import ast
    fn = ast.parse("def f(a, b):\n    v = svd_vh(a, False)\n    h = v * 2.0\n    h = h @ b\n"
                   "    g = a.T\n    g = np.sum(a.T) * g\n    k = a[0:2]\n    k = k * 2.0\n"
                   "    return h").body[0]
    out = ast.unparse(c_ordered(fn))
    assert "h = c_order(v * 2.0)" in out and "h = h @ b" in out
    assert "g = c_order(a.T)" in out and "g = np.sum(a.T) * g" in out
    assert "k = a[0:2]" in out  # (a slice unifies with C-ordered values)
    assert may_be_fortran(ast.parse("-np.linalg.inv(a) * 2.0", mode="eval").body)
    assert not may_be_fortran(ast.parse("a.T @ b", mode="eval").body)
