"""Hessians and Hessian-vector products (forward-over-reverse), nested grad, and gradients of
intermediates, against closed forms and finite differences of the gradient."""
import math

import numpy as np
import pytest

import srcgrad
from checks import fd_jacobian
from test_constructs import nested_while, recurrence, rosenbrock, strided_recurrence


def quadratic(x, A):
    return x @ (A @ x) + np.sum(x)


def rosen_hessian(x):
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i, i + 1] -= 400 * x[i]
        H[i + 1, i] -= 400 * x[i]
        H[i + 1, i + 1] += 200
    return H


def fd_hessian(f, x, *rest):
    return fd_jacobian(srcgrad.grad(f), x, *rest, h=1e-5)


def test_hessian_quadratic_form():
    A = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, -1.0, 1.0]])
    H = srcgrad.hessian(quadratic)(np.ones(3), A)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-14)


def test_hessian_rosenbrock_closed_form():
    x = np.array([-1.2, 1.0, 0.8, 1.3])
    np.testing.assert_allclose(srcgrad.hessian(rosenbrock)(x), rosen_hessian(x), rtol=1e-13)


@pytest.mark.parametrize("f,args", [
    (recurrence, (0.5, 0.01, 100)),            # a stored state per step: tangent stack array
    (nested_while, (np.array([0.7, 1.1, 0.4]),)),  # list stacks and trip counts
    (strided_recurrence, (0.7, np.array([1.1, 0.9, 1.3, 0.8]))),
])
def test_hessian_loop_heavy_against_fd_of_gradient(f, args):
    H = srcgrad.hessian(f)(*args)
    np.testing.assert_allclose(H, fd_hessian(f, *args), rtol=1e-6, atol=1e-7)


def test_hvp_matches_hessian_times_v():
    x = np.array([-1.2, 1.0, 0.8, 1.3])
    v = np.array([0.3, -1.0, 2.0, 0.5])
    hvp = srcgrad.hvp(rosenbrock)
    hv = hvp(x, v)
    np.testing.assert_allclose(hv, srcgrad.hessian(rosenbrock)(x) @ v, rtol=1e-13)
    assert "def rosenbrock_vjp_jvp(x, bs, dx):" in hvp.source


def test_hvp_python_backend_same():
    x = np.array([-1.2, 1.0, 0.8])
    v = np.ones(3)
    a = srcgrad.hvp(rosenbrock, backend="python")(x, v)
    b = srcgrad.hvp(rosenbrock)(x, v)
    np.testing.assert_allclose(a, b, rtol=1e-14)


def s(x):
    return math.sin(x)


def poly(x):
    return x ** 4 - 3.0 * x ** 2 + x


def test_nested_grad_closed_forms():
    x = 0.7
    assert abs(srcgrad.grad(s)(x) - math.cos(x)) < 1e-14
    assert abs(srcgrad.grad(srcgrad.grad(s))(x) + math.sin(x)) < 1e-14
    assert abs(srcgrad.grad(srcgrad.grad(srcgrad.grad(s)))(x) + math.cos(x)) < 1e-14
    assert abs(srcgrad.grad(srcgrad.grad(poly))(x) - (12 * x ** 2 - 6.0)) < 1e-12
    assert abs(srcgrad.grad(srcgrad.grad(srcgrad.grad(poly)))(x) - 24 * x) < 1e-12


def test_nested_grad_of_a_loop():
    g2 = srcgrad.grad(srcgrad.grad(recurrence))
    fd = (srcgrad.grad(recurrence)(0.5 + 1e-5, 0.01, 50)
          - srcgrad.grad(recurrence)(0.5 - 1e-5, 0.01, 50)) / 2e-5
    assert abs(g2(0.5, 0.01, 50) - fd) < 1e-6


def test_nested_grad_rejects_arrays():
    with pytest.raises(srcgrad.SrcgradError, match="hessian"):
        srcgrad.grad(srcgrad.grad(rosenbrock))(np.ones(3))


def weighted(x, a):
    s = 0.0
    for i in range(x.shape[0]):
        s += math.sin(x[i]) * x[i] ** 2 * a ** 3
    return s


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_every_transform_of_a_grad_differentiates_the_grad(backend):
    """jacobian, hessian, vjp, jvp, value_and_grad and grad of ``g = grad(f, wrt=1)`` are
    derivatives of g, not of f: each against finite differences of g itself.  (They used to
    differentiate f, silently: the derived object unwrapped to the user's function.)"""
    g = srcgrad.grad(weighted, wrt=1, backend=backend)
    x, a = np.array([0.5, 1.5, -0.7]), 1.3
    gx = fd_jacobian(lambda x: g(x, a), x, h=1e-6)
    ga = (g(x, a + 1e-6) - g(x, a - 1e-6)) / 2e-6
    opts = dict(backend=backend)
    for jac in (srcgrad.jacobian, srcgrad.jacfwd, srcgrad.jacrev):
        np.testing.assert_allclose(jac(g, **opts)(x, a), gx, rtol=1e-7)
        np.testing.assert_allclose(jac(g, wrt=1, **opts)(x, a), ga, rtol=1e-7)
    np.testing.assert_allclose(srcgrad.grad(g, wrt=0, **opts)(x, a), gx, rtol=1e-7)
    value, da = srcgrad.value_and_grad(g, wrt=1, **opts)(x, a)
    np.testing.assert_allclose([value, da], [g(x, a), ga], rtol=1e-7)
    out, vjp_fn = srcgrad.vjp(g, x, a, **opts)
    bx, ba = vjp_fn(2.0)
    np.testing.assert_allclose(out, g(x, a), rtol=1e-14)
    np.testing.assert_allclose(bx, 2 * gx, rtol=1e-7)
    np.testing.assert_allclose(ba, 2 * ga, rtol=1e-7)
    v = np.array([1.0, -2.0, 0.5])
    out, tangent = srcgrad.jvp(g, (x, a), (v, 0.3), **opts)
    np.testing.assert_allclose(tangent, gx @ v + 0.3 * ga, rtol=1e-7)
    H = srcgrad.hessian(g, **opts)(x, a)
    np.testing.assert_allclose(H, fd_jacobian(lambda x: srcgrad.grad(g, **opts)(x, a), x, h=1e-5),
                               rtol=1e-6)


def test_jacobian_of_an_array_gradient_is_the_hessian():
    """jacobian(grad(f)) of a vector function: f's Hessian (reverse over reverse and
    forward over reverse), and a vjp of grad(f) is a Hessian-vector product."""
    g = srcgrad.grad(rosenbrock, backend="python")
    x = np.array([0.3, -0.8, 1.1, 0.6])
    H = rosen_hessian(x)
    for mode in ("forward", "reverse"):
        np.testing.assert_allclose(srcgrad.jacobian(g, mode=mode, backend="python")(x), H,
                                   rtol=1e-12)
    v = np.array([1.0, 0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.vjp(g, x, backend="python")[1](v)[0], H @ v, rtol=1e-12)
    np.testing.assert_allclose(srcgrad.jvp(g, (x,), (v,), backend="python")[1], H @ v, rtol=1e-12)


def test_source_of_a_derivative_of_a_derivative():
    """Before its first call, a derivative of a derivative has no kinds to generate for: a
    clear error; after it, the generated code of the outer derivative."""
    j = srcgrad.jacobian(srcgrad.grad(weighted, wrt=1, backend="python"), backend="python")
    with pytest.raises(srcgrad.SrcgradError, match="first call"):
        j.source
    j(np.array([0.5, 1.5]), 1.3)
    assert "def weighted_grad_j" in j.source


def scaled_square_sum(x):
    y = 2.0 * x
    z = np.sum(y ** 2)
    return z


def chain(x):
    y = x * x
    u = math.sin(y)
    y = u * 3.0        # y reassigned: its last value's adjoint is reported
    return y * x


def test_intermediates_retain_grad_example():
    g, inter = srcgrad.grad(scaled_square_sum, intermediates=("y",))(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(g, [8.0, 16.0, 24.0])
    np.testing.assert_allclose(inter["y"], [4.0, 8.0, 12.0])    # d z / d y = 2 y


def test_intermediates_last_assigned_value():
    x = 0.8
    g, inter = srcgrad.grad(chain, intermediates=("y", "u"))(x)
    assert abs(inter["y"] - x) < 1e-14                   # d(y * x)/dy
    assert abs(inter["u"] - 3.0 * x) < 1e-14
    y0 = x * x
    assert abs(g - (3 * math.sin(y0) + x * 3 * math.cos(y0) * 2 * x)) < 1e-12


def test_intermediates_unknown_name_lists_locals():
    with pytest.raises(srcgrad.SrcgradError, match="no local variable 'q'.*x, y, z"):
        srcgrad.grad(scaled_square_sum, intermediates=("q",))


def norm_and_joins(a, b):
    z = np.concatenate([a, b, a * b], 0)
    return z @ z + np.var(z, ddof=1) + np.linalg.norm(z)


def scalar_where(x):
    s = np.sum(x)
    return np.sum(np.where(s > 0.0, x * x, np.sin(x)))


@pytest.mark.parametrize("f", [norm_and_joins, scalar_where])
def test_hessian_through_a_scalar_where_compiles(f):
    """np.where with a scalar condition is emitted as ``a if c else b``: its rule's branches
    must have one type for Numba (the Hessian of np.linalg.norm fell back to Python)."""
    rng = np.random.default_rng(3)
    args = (rng.standard_normal(3), rng.standard_normal(3))[:f.__code__.co_argcount]
    H = srcgrad.hessian(f, strict=True)(*args)
    g = srcgrad.grad(f)
    np.testing.assert_allclose(H, fd_jacobian(lambda z: g(z, *args[1:]), args[0], h=1e-5),
                               rtol=1e-6, atol=1e-7)


def norm_var_tuple(M, a):
    t = np.linalg.norm(M), np.var(a)
    s = 0.0
    for i in range(2):
        s = s + t[i] * a[i]
    return s


def test_forward_mode_through_norm_compiles():
    """The tangent of np.linalg.norm chose np.where for its scalar condition (a 0-d array in
    Numba, which a tuple element indexed in a loop could not unify with a float; found by
    the array fuzzer)."""
    rng = np.random.default_rng(4)
    M, a = rng.standard_normal((2, 3)), rng.standard_normal(3)
    dM, da = rng.standard_normal((2, 3)), rng.standard_normal(3)
    _, tan = srcgrad.jvp(norm_var_tuple, (M, a), (dM, da), strict=True)
    h = 1e-6
    fd = (norm_var_tuple(M + h * dM, a + h * da) - norm_var_tuple(M - h * dM, a - h * da)) / (2 * h)
    assert abs(tan - fd) < 1e-7 * max(1.0, abs(fd))
