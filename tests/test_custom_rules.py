"""Derivative rules users give (custom_vjp, custom_jvp, defrule): used, never looked inside;
in loops, both modes, both backends, under hessian when the rule is differentiable (a clear
error when not); a wrong rule is a clear error; a changed rule is seen."""
import warnings

import numba
import numpy as np
import pytest
import scipy.special

import srcgrad
from checks import fd_jacobian


# ---- a numerically stable logsumexp, with both rules -----------------------------------------
@srcgrad.custom_vjp
def lse(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


@numba.njit
def lse_fwd(x):                    # an @njit rule function
    y = lse(x)
    return y, (x, y)


def lse_bwd(res, g):
    x, y = res
    return (g * np.exp(x - y),)


lse.defvjp(lse_fwd, lse_bwd)


@lse.defjvp
def lse_jvp(primals, tangents):
    x, = primals
    dx, = tangents
    y = lse(x)
    return y, np.sum(np.exp(x - y) * dx)


def rows_lse(x, A):
    s = 0.0
    for i in range(A.shape[0]):
        s += lse(A[i] * x) ** 2
    return s


X = np.array([0.5, -1.0, 2.0])
A = np.arange(6.0).reshape(2, 3) * 0.3 - 0.5
BACKENDS = ["numba", "python"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_vjp_and_jvp_rules_in_a_loop(backend):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = srcgrad.grad(rows_lse, backend=backend)(X, A)
        _, t = srcgrad.jvp(rows_lse, (X, A), (np.array([1.0, -2.0, 0.5]), None), backend=backend)
        H = srcgrad.hessian(rows_lse, backend=backend)(X, A)
    ref = fd_jacobian(rows_lse, X, A)
    np.testing.assert_allclose(g, ref, rtol=1e-7, atol=1e-9)
    assert t == pytest.approx(ref @ np.array([1.0, -2.0, 0.5]), rel=1e-7)
    g_fd = fd_jacobian(lambda z: srcgrad.grad(rows_lse, backend="python")(z, A), X, h=1e-5)
    np.testing.assert_allclose(H, g_fd, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(H, H.T, rtol=1e-12, atol=1e-14)


def test_the_rule_is_used_not_the_body():
    """A straight-through estimator: round in the forward sweep, identity in the reverse."""
    @srcgrad.custom_vjp
    def ste_round(x):
        return np.round(x)
    ste_round.defvjp(lambda x: (np.round(x), None), lambda res, g: (g,))

    def f(x):
        return np.sum(ste_round(x) * x)
    x = np.array([0.4, 1.6, -2.2])
    for backend in BACKENDS:  # d/dx [round(x) * x] with round' := 1: x + round(x)
        np.testing.assert_allclose(srcgrad.grad(f, backend=backend)(x), x + np.round(x),
                                   rtol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_grad_of_the_function_itself(backend):
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.grad(lse, backend=backend)(x),
                               np.exp(x) / np.sum(np.exp(x)), rtol=1e-14)


# ---- a jvp rule only: reverse mode by transposing it -------------------------------------------
@srcgrad.custom_jvp
def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


@softplus.defjvp
def softplus_jvp(primals, tangents):
    x, = primals
    dx, = tangents
    return softplus(x), dx / (1.0 + np.exp(-x))


def weighted(x, w):
    return np.sum(softplus(x * w) * x) + softplus(w[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_jvp_rule_in_both_modes(backend):
    w = np.array([1.0, -0.5, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gx, gw = srcgrad.grad(weighted, wrt=(0, 1), backend=backend)(X, w)
        _, t = srcgrad.jvp(weighted, (X, w), (np.ones(3), np.ones(3)), backend=backend)
    np.testing.assert_allclose(gx, fd_jacobian(weighted, X, w), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(gw, fd_jacobian(lambda v: weighted(X, v), w), rtol=1e-7,
                               atol=1e-9)
    assert t == pytest.approx(gx.sum() + gw.sum(), rel=1e-12)


def test_what_a_rule_cannot_do_is_a_clear_error():
    with pytest.raises(srcgrad.UnsupportedError, match="transposing the jvp"):
        srcgrad.hessian(weighted)(X, np.ones(3))

    @srcgrad.custom_vjp
    def vjp_only(x):
        return x * x
    vjp_only.defvjp(lambda x: (x * x, x), lambda x, g: (2.0 * g * x,))

    def f(x):
        return vjp_only(x) * 3.0

    def f2(x):
        return vjp_only(x) ** 2
    assert srcgrad.grad(f)(2.0) == 12.0
    # the Hessian of f differentiates the bwd rule (the adjoint never needs vjp_only's value)
    assert srcgrad.hessian(f)(2.0) == pytest.approx(6.0, rel=1e-15)
    for call in (lambda: srcgrad.jvp(f, (2.0,), (1.0,)), lambda: srcgrad.hessian(f2)(2.0)):
        with pytest.raises(srcgrad.UnsupportedError, match="needs a jvp rule"):
            call()

    @srcgrad.custom_vjp
    def no_rule(x):
        return x

    def g(x):
        return no_rule(x)
    with pytest.raises(srcgrad.UnsupportedError, match="no derivative rule yet"):
        srcgrad.grad(g)(1.0)


def test_a_wrong_rule_says_so():
    @srcgrad.custom_vjp
    def bare(x):
        return np.sum(x * x)
    bare.defvjp(lambda x: (np.sum(x * x), x), lambda x, g: 2.0 * g * x)   # not a tuple

    @srcgrad.custom_vjp
    def shaped(x):
        return np.sum(x * x)
    shaped.defvjp(lambda x: (np.sum(x * x), x), lambda x, g: (2.0 * g * x[:2],))  # wrong shape

    def f(x):
        return bare(x)

    def h(x):
        return shaped(x)
    x = np.array([1.0, 2.0, 3.0])
    for fn, message in ((f, "tuple of 1 cotangent"), (h, "shape")):
        with pytest.raises(ValueError, match=message):
            srcgrad.grad(fn, backend="python")(x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", srcgrad.FallbackWarning)
            with pytest.raises(ValueError, match=message):
                srcgrad.grad(fn)(x)


def test_a_changed_rule_is_seen(tmp_path):
    @srcgrad.custom_vjp
    def cube(x):
        return x ** 3

    def f(x):
        return cube(x) + x
    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (3.0 * g * x * x,))
    g = srcgrad.grad(f, cache=str(tmp_path))
    assert g(2.0) == 13.0
    cube.defvjp(lambda x: (x ** 3, x), lambda x, g: (0.0 * g * x,))  # a different (wrong) rule
    with pytest.warns(srcgrad.GlobalChangedWarning):
        assert g(2.0) == 1.0  # the rule given now, not the one cached on disk


# ---- defrule: a SciPy function, and an @njit function ------------------------------------------
def erfcx_jvp(primals, tangents):
    x, = primals
    dx, = tangents
    y = scipy.special.erfcx(x)
    return y, dx * (2.0 * x * y - 2.0 / np.sqrt(np.pi))


def uses_erfcx(x):
    return np.sum(scipy.special.erfcx(x) * x)


@numba.njit
def smooth_abs(x, eps):
    return np.sqrt(x * x + eps)


def smooth_abs_vjp_fwd(x, eps):
    return smooth_abs(x, eps), x


def smooth_abs_bwd(x, g):
    return (g * x / np.sqrt(x * x + 1e-3), 0.0)


def uses_smooth_abs(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += smooth_abs(x[i], 1e-3)
    return s


def test_defrule():
    srcgrad.defrule(scipy.special.erfcx, jvp=erfcx_jvp, out="x")
    srcgrad.defrule(smooth_abs, fwd=smooth_abs_vjp_fwd, bwd=smooth_abs_bwd)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", srcgrad.FallbackWarning)  # Numba has no erfcx
            for backend in BACKENDS:
                np.testing.assert_allclose(srcgrad.grad(uses_erfcx, backend=backend)(X),
                                           fd_jacobian(uses_erfcx, X), rtol=1e-7)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for backend in BACKENDS:
                np.testing.assert_allclose(srcgrad.grad(uses_smooth_abs, backend=backend)(X),
                                           X / np.sqrt(X * X + 1e-3), rtol=1e-14)
    finally:
        srcgrad.undefrule(scipy.special.erfcx)
        srcgrad.undefrule(smooth_abs)
    with pytest.raises(srcgrad.UnsupportedError, match="erfcx"):
        srcgrad.grad(uses_erfcx)(X)


def test_source_shows_the_rule_calls():
    text = srcgrad.source(rows_lse, args=(X, A))
    assert "lse_vjp_rule(" in text and "s += lse(" in text
    fwd = srcgrad.source(rows_lse, mode="forward", args=(X, A))
    assert "lse_jvp_rule0(" in fwd


# ---- a wrong rule is found at its line by the per-statement check -----------------------------
@srcgrad.custom_vjp
def off_by_one_percent(x):
    return np.sum(np.sin(x))


off_by_one_percent.defvjp(lambda x: (np.sum(np.sin(x)), x), lambda x, g: (1.01 * g * np.cos(x),))


def uses_wrong_rule(x, A):
    s = 0.0
    for i in range(A.shape[0]):
        z = A[i] * x
        s += np.tanh(z[0]) * off_by_one_percent(z)   # the line check_grads must name
    return s


WRONG_LINE = uses_wrong_rule.__code__.co_firstlineno + 4


def test_check_grads_finds_a_wrong_rule_at_its_line():
    report = srcgrad.check_grads(rows_lse, X, A)
    assert report.ok and len(report.checks) >= 5
    with pytest.raises(AssertionError, match=f"test_custom_rules.py:{WRONG_LINE}:"):
        srcgrad.check_grads(uses_wrong_rule, X, A)
    bad = srcgrad.check_grads(uses_wrong_rule, X, A, raise_=False)
    assert "off_by_one_percent(z)" in bad.first.text
    assert abs(bad.first.rev - bad.first.fd) > 1e-3 * abs(bad.first.fd)
    assert bad.first.fwd is None  # a vjp rule only: no forward mode to compare


def test_check_fd_on_the_command_line():
    import subprocess
    import sys
    root = __file__.rsplit("/tests/", 1)[0]

    def run(target):
        return subprocess.run([sys.executable, "-m", "srcgrad", "check", "--fd",
                               f"tests/test_custom_rules.py:{target}", "--args",
                               "x=f8[3], A=f8[2,3]"], capture_output=True, text=True, cwd=root)
    r = run("uses_wrong_rule")
    assert r.returncode == 1 and f"test_custom_rules.py:{WRONG_LINE}:" in r.stdout, r.stdout
    r = run("rows_lse")
    assert r.returncode == 0 and "agree with finite differences" in r.stdout, r.stdout + r.stderr
