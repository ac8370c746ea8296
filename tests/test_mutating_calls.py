"""Calls that write into an array (srcgrad/frontend/mutating_calls.py): ``a.fill(v)``,
``a.sort()`` and ``np.copyto(a, b)`` as the slice writes they are, against finite differences
in both modes and both backends, under ``hessian``; the forms left out refused at their
line, and ``out=`` refused saying what to write instead.  Also ``del`` of names nothing reads
again (srcgrad/frontend/deletes.py)."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian


def fill_then_scale(x, v):
    a = np.empty_like(x)
    a.fill(v)
    b = x.copy()
    b.fill(2.0)  # the derivative through b is gone: every element is 2
    return np.sum(a * x * x) + np.sum(b * x)


def sort_in_place(x):
    a = x * x - x
    a.sort()
    return a[0] * 3.0 + a[-1] + np.sum(np.sin(a) * np.arange(a.shape[0]))


def sort_rows(M):
    A = M.copy()
    A.sort()  # along the last axis, as NumPy's
    return np.sum(A[:, 0] * 2.0 + A[:, -1] ** 2)


def copy_into(x, y):
    a = np.zeros((2, 3))
    np.copyto(a, x)  # x broadcast along the rows
    a[1] *= y
    return np.sum(a ** 2)


def in_a_loop(x):
    acc = np.zeros(3)
    buf = np.empty(3)
    for k in range(3):
        buf.fill(x[k])
        acc += buf * x
    return np.sum(acc ** 2)


CASES = [(fill_then_scale, (np.array([0.5, -1.0, 2.0]), 0.7)),
         (sort_in_place, (np.array([0.3, -1.2, 2.0, 0.9]),)),
         (sort_rows, (np.array([[0.3, -1.2, 2.0], [0.9, 0.1, -0.4]]),)),
         (copy_into, (np.array([0.5, -1.0, 2.0]), 1.3)),
         (in_a_loop, (np.array([0.5, -1.0, 2.0]),))]


@pytest.mark.parametrize("f, args", CASES, ids=[f.__name__ for f, _ in CASES])
def test_against_finite_differences(f, args):
    check_grads(f, args)


@pytest.mark.parametrize("f, args", CASES[:2] + CASES[4:], ids=["fill", "sort", "loop"])
def test_hessian(f, args):
    def grad0(v):
        return srcgrad.grad(f, backend="python")(v, *args[1:])
    for backend in ("python", "numba"):
        H = srcgrad.hessian(f, backend=backend)(*args)
        np.testing.assert_allclose(H, fd_jacobian(grad0, args[0], h=1e-5), rtol=1e-5,
                                   atol=1e-6)


def test_inputs_untouched():
    x = np.array([0.3, -1.2, 2.0, 0.9])
    before = x.copy()

    def sorts_its_input(x):
        x.sort()
        return x[0] * 2.0 + x[1]
    g = srcgrad.grad(sorts_its_input)(x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(g, [1.0, 2.0, 0.0, 0.0])  # x[1] = -1.2 first, x[0] second


def sort_axis(x):
    a = x.copy()
    a.sort(axis=0)
    return np.sum(a)


def copy_where(x):
    a = np.zeros(3)
    np.copyto(a, x, where=x > 0)
    return np.sum(a)


def out_keyword(x):
    c = np.zeros(3)
    np.multiply(x, x, out=c)
    return np.sum(c)


@pytest.mark.parametrize("f, what", [(sort_axis, "sort"), (copy_where, "copyto"),
                                     (out_keyword, "out= in np.multiply")])
def test_other_forms_refused_at_their_line(f, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as err:
        srcgrad.grad(f)(np.array([0.5, -1.0, 2.0]))
    assert "test_mutating_calls.py" in str(err.value)


def deletes_a_temporary(x):
    t = x * x
    y = t + x
    del t, x
    return np.sum(y ** 2)


def deletes_then_reads(x):
    t = x * x
    del t
    t = x + 1.0
    return np.sum(t)


def deletes_in_a_loop(x):
    s = 0.0
    for k in range(3):
        t = x[k] * 2.0
        s += t
        del t
    return s


def test_del_of_names_nothing_reads_again():
    check_grads(deletes_a_temporary, (np.array([0.5, -1.0, 2.0]),))


@pytest.mark.parametrize("f", [deletes_then_reads, deletes_in_a_loop])
def test_other_del_refused_at_its_line(f):
    with pytest.raises(srcgrad.UnsupportedError, match="del statement"):
        srcgrad.grad(f)(np.array([0.5, -1.0, 2.0]))
