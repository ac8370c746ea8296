"""Random draws inside a differentiated function: constants of the derivative, made once per
call in program order (never recomputed, moved or removed), so the gradient is that of the
value the same call returns.  Each test redraws by hand from an equally seeded generator."""
import numpy as np
import pytest

import srcgrad

MU = np.array([0.5, -1.0, 2.0])


def elbo(mu, log_s, rng):
    eps = rng.standard_normal(mu.shape[0])
    z = mu + np.exp(log_s) * eps
    return np.sum(z * z) - np.sum(log_s)


def unused_then_used(mu, rng):
    a = rng.standard_normal(3)  # never read: still drawn, so b is the second draw
    b = rng.normal(0.0, 2.0, 3)
    return np.sum(np.sin(mu * b)) + 0.0 * a[0]


def draws_in_a_loop(mu, rng):
    s = 0.0
    for i in range(3):
        e = rng.standard_normal()
        s = s + np.sin(mu[i] * e) * e
    return s


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_reparameterized_elbo(backend):
    ls = np.array([0.1, -0.3, 0.2])
    v, (gm, gs) = srcgrad.value_and_grad(elbo, wrt=(0, 1), backend=backend)(
        MU, ls, np.random.default_rng(7))
    eps = np.random.default_rng(7).standard_normal(3)
    z = MU + np.exp(ls) * eps
    assert v == pytest.approx(np.sum(z * z) - np.sum(ls), rel=1e-12)
    np.testing.assert_allclose(gm, 2 * z, rtol=1e-12)
    np.testing.assert_allclose(gs, 2 * z * np.exp(ls) * eps - 1.0, rtol=1e-12)


def test_an_unused_draw_is_still_made_in_order():
    g = srcgrad.grad(unused_then_used, backend="python")(MU, np.random.default_rng(3))
    r = np.random.default_rng(3)
    r.standard_normal(3)
    b = r.normal(0.0, 2.0, 3)
    np.testing.assert_allclose(g, np.cos(MU * b) * b, rtol=1e-12)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_draws_in_a_loop_are_not_made_again(mode):
    r = np.random.default_rng(5)
    e = np.array([r.standard_normal() for _ in range(3)])
    want = np.cos(MU * e) * e * e
    if mode == "reverse":
        got = srcgrad.grad(draws_in_a_loop, backend="python")(MU, np.random.default_rng(5))
        np.testing.assert_allclose(got, want, rtol=1e-12)
    else:
        d = np.array([1.0, -2.0, 0.5])
        _, t = srcgrad.jvp(draws_in_a_loop, (MU, np.random.default_rng(5)), (d, None),
                           backend="python")
        assert t == pytest.approx(np.dot(want, d), rel=1e-12)


def draw_from_active(mu, rng):
    return np.sum(rng.normal(mu, 1.0))


def test_a_draw_from_differentiated_parameters_is_refused():
    with pytest.raises(srcgrad.UnsupportedError, match="reparameterize") as e:
        srcgrad.grad(draw_from_active, backend="python")(MU, np.random.default_rng(0))
    assert "test_random.py" in str(e.value)


@pytest.mark.parametrize("transform", [
    lambda: srcgrad.hessian(elbo, backend="python")(MU, MU, np.random.default_rng(0)),
    lambda: srcgrad.jacobian(elbo, backend="python")(MU, MU, np.random.default_rng(0)),
    lambda: srcgrad.vjp(elbo, MU, MU, np.random.default_rng(0), wrt=(0,), backend="python"),
])
def test_transforms_that_would_mix_draws_are_refused(transform):
    with pytest.raises(srcgrad.SrcgradError, match="different draws"):
        transform()
