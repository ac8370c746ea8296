"""jacfwd and jacrev agree with each other and with finite differences; jacobian(mode="auto")
picks the mode with fewer sweeps; jvp's API."""
import math

import numpy as np
import pytest

import srcgrad
from checks import fd_jacobian


def fan_out(x, m):            # R^n -> R^m, with a loop and a branch
    y = np.zeros(m)
    for k in range(m):
        s = 0.0
        for i in range(x.shape[0]):
            s += math.sin(x[i] * (k + 1)) * x[i]
        if s > 0.0:
            y[k] = s * s
        else:
            y[k] = s
    return y


@pytest.mark.parametrize("n,m", [(1, 50), (50, 1), (7, 3)])
def test_jacfwd_jacrev_fd_agree(n, m):
    x = np.random.default_rng(n * 100 + m).uniform(-1, 1, n)
    Jf = srcgrad.jacfwd(fan_out)(x, m)
    Jr = srcgrad.jacrev(fan_out)(x, m)
    assert Jf.shape == (m, n) and Jr.shape == (m, n)
    np.testing.assert_allclose(Jf, Jr, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Jf, fd_jacobian(fan_out, x, m), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("n,m,mode", [(1, 50, "fwd"), (50, 1, "rev")])
def test_auto_picks_fewer_sweeps(n, m, mode):
    jac = srcgrad.jacobian(fan_out)
    assert jac.mode is None
    x = np.linspace(-0.5, 0.5, n)
    J = jac(x, m)
    assert jac.mode == mode and J.shape == (m, n)
    assert srcgrad.jacobian(fan_out, mode="rev").mode == "rev"


def scalar_in(t):
    return np.array([math.sin(t), t * t, math.exp(t)])


def scalar_out(x):
    return np.sum(x * x)


def matrix_in(A):
    return A @ A


def test_jacobian_shapes():
    J = srcgrad.jacfwd(scalar_in)(0.3)
    assert J.shape == (3,) and np.allclose(J, [math.cos(0.3), 0.6, math.exp(0.3)])
    assert np.allclose(srcgrad.jacrev(scalar_in)(0.3), J)
    x = np.array([1.0, 2.0])
    assert np.allclose(srcgrad.jacfwd(scalar_out)(x), 2 * x)
    A = np.arange(4.0).reshape(2, 2)
    Jf, Jr = srcgrad.jacfwd(matrix_in)(A), srcgrad.jacrev(matrix_in)(A)
    assert Jf.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(Jf, Jr)
    np.testing.assert_allclose(Jf.reshape(4, 4), fd_jacobian(lambda a: matrix_in(a.reshape(2, 2)).ravel(),
                                                             A.ravel()), rtol=1e-7, atol=1e-8)


def two_inputs(x, s):
    return np.sin(x) * s


def test_jacobian_tuple_wrt():
    x = np.array([0.1, 0.2, 0.3])
    Jx, Js = srcgrad.jacrev(two_inputs, wrt=(0, 1))(x, 2.0)
    assert np.allclose(Jx, np.diag(np.cos(x) * 2.0)) and np.allclose(Js, np.sin(x))
    Jx2, Js2 = srcgrad.jacfwd(two_inputs, wrt=(0, 1))(x, 2.0)
    assert np.allclose(Jx, Jx2) and np.allclose(Js, Js2)


def test_jvp_api():
    x = np.array([0.1, 0.2, 0.3])
    out, tan = srcgrad.jvp(two_inputs, (x, 2.0), (np.ones(3), None))
    assert np.allclose(out, np.sin(x) * 2.0) and np.allclose(tan, np.cos(x) * 2.0)
    out, tan = srcgrad.jvp(two_inputs, (x, 2.0), (None, 1.0))
    assert np.allclose(tan, np.sin(x))
    with pytest.raises(ValueError, match="shape"):
        srcgrad.jvp(two_inputs, (x, 2.0), (np.ones(2), None))


def test_jacobian_source_shows_driver():
    jac = srcgrad.jacrev(fan_out)
    jac(np.ones(3), 2)
    assert "def fan_out_jacrev(x, m):" in jac.source and "def fan_out_vjp" in jac.source


def two_outputs(x, s):        # R^3 x R -> (R^3, R, R^(2x3))
    return np.sin(x) * s, np.sum(x * x) * s, np.outer(np.array([1.0, 2.0]), x) * s


@pytest.mark.parametrize("mode,backend", [("forward", "numba"), ("reverse", "numba"),
                                          ("auto", "python"), ("fwd", "python"),
                                          ("rev", "python")])
def test_jacobian_of_a_tuple_is_a_tuple_of_jacobians(mode, backend):
    x, s = np.array([0.1, -0.2, 0.3]), 1.5
    jac = srcgrad.jacobian(two_outputs, mode=mode, backend=backend)
    J0, J1, J2 = jac(x, s)
    for k, J in enumerate((J0, J1, J2)):
        ref = fd_jacobian(lambda z: two_outputs(z, s)[k], x)
        assert J.shape == np.shape(two_outputs(x, s)[k]) + (3,)
        np.testing.assert_allclose(J, ref.reshape(J.shape), rtol=1e-6, atol=1e-8)
    (Jx0, Js0), (Jx1, Js1), (Jx2, Js2) = srcgrad.jacobian(two_outputs, wrt=(0, 1), mode=mode,
                                                           backend=backend)(x, s)
    np.testing.assert_allclose(Jx0, J0, rtol=1e-13)
    np.testing.assert_allclose(Js0, np.sin(x), rtol=1e-13)
    assert Js1 == pytest.approx(np.sum(x * x), rel=1e-13)
    np.testing.assert_allclose(Js2, np.outer([1.0, 2.0], x), rtol=1e-13)


def test_jacobian_mode_spellings():
    x = np.linspace(-0.5, 0.5, 3)
    for long, short in (("forward", "fwd"), ("reverse", "rev")):
        for given in (long, short):
            jac = srcgrad.jacobian(fan_out, mode=given)
            assert jac.mode == long and jac.mode == short
            np.testing.assert_allclose(jac(x, 2), fd_jacobian(fan_out, x, 2), rtol=1e-6,
                                       atol=1e-7)
    assert srcgrad.jacfwd(fan_out).mode == "forward"
    with pytest.raises(ValueError, match="'forward' or 'reverse'"):
        srcgrad.jacobian(fan_out, mode="sideways")
