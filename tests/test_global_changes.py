"""A global the generated code was built from changes between calls (in place, rebound, a
number, a helper function, a closure cell, a module's attribute): the next call sees it, as
Python would, transformed again with a GlobalChangedWarning; every transform, both backends.
Derivatives are checked against closed forms of the current globals and finite differences."""
import types
import warnings

import numpy as np
import pytest

import srcgrad
from srcgrad import GlobalChangedWarning

W = np.array([1.0, 2.0, 3.0])
C = 2.0
CFG = types.ModuleType("srcgrad_test_cfg")
CFG.S = 3.0


def helper(x):
    return C * x


def other_helper(x):
    return C * x * x


def uses(x):
    return np.sum(W * x * x) + helper(x[0])


def expected(x):
    g = 2.0 * W * x
    g[0] += C if HELPER_IS_LINEAR[0] else 2.0 * C * x[0]
    return g


HELPER_IS_LINEAR = [True]


def fd(f, x, h=1e-6):
    return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])


@pytest.fixture
def restored():
    saved = (W.copy(), C, helper)
    yield
    g = globals()
    g["W"] = saved[0]
    g["C"], g["helper"] = saved[1], saved[2]
    HELPER_IS_LINEAR[0] = True
    CFG.S = 3.0


def _changes():
    """Each change to the globals ``uses`` reads, one at a time."""
    g = globals()

    def in_place():
        W[0] = 5.0

    def rebound():
        g["W"] = np.array([-1.0, 0.5, 4.0])

    def number():
        g["C"] = 7.0

    def function():
        g["helper"] = other_helper
        HELPER_IS_LINEAR[0] = False
    return [in_place, rebound, number, function]


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_grad_sees_every_change(restored, backend):
    x = np.array([0.3, -0.7, 1.1])
    g = srcgrad.grad(uses, backend=backend)
    np.testing.assert_allclose(g(x), expected(x), rtol=1e-13)
    for change in _changes():
        change()
        with pytest.warns(GlobalChangedWarning, match="read by uses"):
            got = g(x)
        np.testing.assert_allclose(got, expected(x), rtol=1e-13, err_msg=change.__name__)
        np.testing.assert_allclose(got, fd(uses, x), rtol=1e-6, atol=1e-8)
        with warnings.catch_warnings():  # unchanged since: no warning, no new transform
            warnings.simplefilter("error")
            np.testing.assert_allclose(g(x), got, rtol=0)


def test_no_warning_without_a_change(restored):
    x = np.array([0.3, -0.7, 1.1])
    g = srcgrad.grad(uses)
    before = W.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g(x)
        globals()["W"] = W.copy()   # rebound to equal values: the code is still right
        g(x)
        np.testing.assert_allclose(g(x), expected(x), rtol=1e-13)
    assert np.array_equal(W, before)  # the user's global untouched


def shadows(x):
    W = x * 2.0  # a local named like the global: not a read of it
    return np.sum(W * x) + C


def test_a_local_named_like_a_global_is_not_watched(restored):
    x = np.array([0.3, -0.7, 1.1])
    g = srcgrad.grad(shadows)
    np.testing.assert_allclose(g(x), 4.0 * x)
    W[0] = 100.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(g(x), 4.0 * x)


def cubic(x):
    return np.sum(W * x ** 3) * C


def test_every_transform_sees_a_change(restored):
    x = np.array([0.3, -0.7, 1.1])
    py = dict(backend="python")  # the compiled paths see globals the same way (above)
    h, j = srcgrad.hessian(cubic, **py), srcgrad.jacobian(cubic, **py)
    vg, hv = srcgrad.value_and_grad(cubic, **py), srcgrad.hvp(cubic, **py)
    for step in range(2):
        if step:
            W[1] = -3.0
            globals()["C"] = 0.5
        ctx = pytest.warns(GlobalChangedWarning) if step else warnings.catch_warnings()
        with ctx:
            H, J, (v, gv) = h(x), j(x), vg(x)
            Hv = hv(x, np.ones(3))
            _, vjp_fn = srcgrad.vjp(cubic, x, **py)
            _, t = srcgrad.jvp(cubic, (x,), (np.ones(3),), **py)
        grad = 3.0 * C * W * x ** 2
        np.testing.assert_allclose(H, np.diag(6.0 * C * W * x), rtol=1e-13)
        np.testing.assert_allclose(Hv, 6.0 * C * W * x, rtol=1e-13)
        np.testing.assert_allclose(J, grad, rtol=1e-13)
        np.testing.assert_allclose(gv, grad, rtol=1e-13)
        assert v == pytest.approx(cubic(x), rel=1e-13)
        np.testing.assert_allclose(vjp_fn(1.0)[0], grad, rtol=1e-13)
        assert t == pytest.approx(np.sum(grad), rel=1e-13)


def make_scaled():
    k = np.array([1.0, 2.0])

    def scaled(x):
        return np.sum(k * x * x)

    def set_k(v):
        nonlocal k
        k = v
    return scaled, set_k


def reads_a_module(x):
    return CFG.S * x * x


def test_closure_cells_and_module_attributes(restored):
    scaled, set_k = make_scaled()
    g = srcgrad.grad(scaled)
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(g(x), 2.0 * np.array([1.0, 2.0]) * x)
    set_k(np.array([3.0, -1.0]))
    with pytest.warns(GlobalChangedWarning, match="'k'"):
        np.testing.assert_allclose(g(x), 2.0 * np.array([3.0, -1.0]) * x)
    gm = srcgrad.grad(reads_a_module)
    assert gm(2.0) == 12.0
    CFG.S = 0.25
    with pytest.warns(GlobalChangedWarning, match="'S'"):
        assert gm(2.0) == 1.0


def params_loss(params, x):
    w, b = params
    return np.sum((w * x + b - W) ** 2)


def test_containers_see_a_change(restored):
    params = (np.array([0.5, 1.0, -0.5]), np.array([0.1, 0.2, 0.3]))
    x = np.array([1.0, 2.0, 3.0])
    g = srcgrad.grad(params_loss)
    for step in range(2):
        if step:
            W[2] = 10.0
        r = params[0] * x + params[1] - W
        with pytest.warns(GlobalChangedWarning) if step else warnings.catch_warnings():
            dw, db = g(params, x)
            _, vjp_fn = srcgrad.vjp(params_loss, params, x)
        np.testing.assert_allclose(dw, 2 * r * x, rtol=1e-13)
        np.testing.assert_allclose(db, 2 * r, rtol=1e-13)
        np.testing.assert_allclose(vjp_fn(1.0)[0][1], 2 * r, rtol=1e-13)


def act(z):  # a global function named like the parameters below
    return z ** 3


def relu(z):
    return np.maximum(z, 0.0)


def applies(x, act):
    return C * np.sum(act(x))


def calls_a_helper_with_a_function(x):
    return applies(x, relu) + applies(x, lambda z: z * z)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_a_parameter_named_like_a_global_function_is_the_function_passed(restored, backend):
    """The parameter hides the global, as in Python: the derivative is of the function passed
    in, nothing warns that the global 'changed', and a real change of a global still shows."""
    x = np.array([0.3, -0.7, 1.1])
    g = srcgrad.grad(applies, backend=backend)
    with warnings.catch_warnings():  # (another test's change of C, undone since, shows once)
        warnings.simplefilter("ignore", GlobalChangedWarning)
        g(x, relu)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(g(x, relu), C * (x > 0), rtol=0)
        np.testing.assert_allclose(g(x, np.tanh), C * (1 - np.tanh(x) ** 2), rtol=1e-13)
        h = srcgrad.grad(calls_a_helper_with_a_function, backend=backend)
        np.testing.assert_allclose(h(x), C * (x > 0) + 2.0 * C * x, rtol=1e-13)
    globals()["C"] = 3.0
    with pytest.warns(GlobalChangedWarning, match="'C' read by applies"):
        np.testing.assert_allclose(g(x, relu), 3.0 * (x > 0), rtol=0)


def test_a_function_defined_indented_takes_functions_and_containers():
    """(Its columns are shifted back after dedenting, the end columns too: the flat version
    made for containers compiles its tree, which refuses a range ending before it starts.)"""
    def inner(x, params, f):
        return np.sum(f(x * params["w"])) + params["c"] * x[0]
    x = np.array([0.3, -0.7, 1.1])
    g = srcgrad.grad(inner, backend="python")(x, {"w": 2.0, "c": 0.5}, np.sin)
    np.testing.assert_allclose(g, 2.0 * np.cos(2.0 * x) + np.array([0.5, 0.0, 0.0]),
                               rtol=1e-13)


LAYERS = [(2, 3), (3, 1)]
SCALES = (0.5, 2.0)


def layered(w, x):
    """Global lists and tuples of numbers: literals of the generated code, watched."""
    h, k = x, 0
    for (m, n), s in zip(LAYERS, SCALES):
        h = np.tanh(h @ w[k:k + m * n].reshape(m, n)) * s
        k += m * n
    return np.sum(h)


def _layered_fd(w, x):
    g = np.zeros_like(w)
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = 1e-6
        g[i] = (layered(w + e, x) - layered(w - e, x)) / 2e-6
    return g


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_global_lists_of_numbers(backend):
    global SCALES
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 2))
    w = rng.normal(size=10)
    g = srcgrad.grad(layered, backend=backend)
    old_layers, old_scales = list(LAYERS), SCALES
    try:
        np.testing.assert_allclose(g(w[:9], x), _layered_fd(w[:9], x), rtol=1e-6, atol=1e-8)
        SCALES = (0.5, 3.0)  # rebound
        with pytest.warns(GlobalChangedWarning, match="SCALES"):
            got = g(w[:9], x)
        np.testing.assert_allclose(got, _layered_fd(w[:9], x), rtol=1e-6, atol=1e-8)
        LAYERS.append((1, 1))  # changed in place
        with pytest.warns(GlobalChangedWarning, match="LAYERS"):
            got = g(w, x)
        np.testing.assert_allclose(got, _layered_fd(w, x), rtol=1e-6, atol=1e-8)
    finally:
        LAYERS[:] = old_layers
        SCALES = old_scales
