"""Loop steps whose partial derivatives the forward sweep keeps (passes/preaccumulate.py):
where it applies, the gradient against finite differences (both backends, value_and_grad,
hessian, parallel=True), the generated code it gives, and the loops it must leave as they are
(array adjoints, nothing costly, a memory budget, checkpoints)."""
import math

import numpy as np
import pytest

import srcgrad
from srcgrad.passes import preaccumulate

from checks import check_grads


def recurrence(x0, dt, T):
    x = x0
    for t in range(1, T):
        x = x + dt * (-x ** 3 + math.sin(t * dt))
    return x


def coupled(a, b, n):
    x, y = a, b
    for t in range(n):
        x, y = x * math.cos(y) + 0.1, y + 0.05 * math.sin(x)
    return x * y


def pendulum(p, T):
    """Its reverse step reads x both before and after restoring it."""
    x, v = p[0], p[1]
    s = 0.0
    for t in range(T):
        a = -math.sin(x) - 0.1 * v
        v = v + 0.01 * a
        x = x + 0.01 * v
        s += math.cos(x) * 0.01
    return s + x


def read_after(x0, dt, T):
    """The statement before the loop reads x again in its adjoint."""
    x = x0 * 2.0
    z = math.sin(x)
    for t in range(T):
        x = x + dt * math.sin(x)
    return x + z * x


def array_adjoint(x, a):
    s = 0.0
    for i in range(x.shape[0]):
        s = s * a + math.exp(-x[i] * a)
    return s


def no_call(x0, c, T):
    x = x0
    for t in range(T):
        x = x * c + 0.5 * x * x
    return x


def test_recurrence_keeps_the_step_partials():
    g = srcgrad.grad(recurrence, wrt=(0, 1))
    g(0.5, 1e-2, 30)
    src = g.source
    assert "_stack_jac_bdt_bx" in src and "_stack_jac_bx_bx" in src
    reverse = [ln for ln in src.split("# reverse sweep")[1].splitlines()
               if not ln.strip().startswith("#")]
    assert "_stack_x" not in src and not any("math." in ln for ln in reverse)
    assert "bx = bx * _stack_jac_bx_bx[t - 1]" in src


@pytest.mark.parametrize("f,args", [
    (recurrence, (0.5, 1e-2, 30)),
    (coupled, (0.3, 0.7, 20)),
    (read_after, (0.4, 0.05, 12)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_gradients(f, args):
    check_grads(f, args)
    g = srcgrad.grad(f, wrt=(0, 1))
    v, vg = srcgrad.value_and_grad(f, wrt=(0, 1))(*args)
    np.testing.assert_allclose(v, f(*args))
    np.testing.assert_allclose(vg, g(*args), rtol=1e-12)


@pytest.mark.parametrize("f,args", [(recurrence, (0.5, 1e-2, 30)), (coupled, (0.3, 0.7, 20))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_hessians(f, args):
    """Forward over the generated reverse sweep, which computes the partials: against finite
    differences of the gradient, in each float argument, both backends."""
    for i in (0, 1):
        grad = srcgrad.grad(f, wrt=i, backend="python")
        h = 1e-5
        up, down = list(args), list(args)
        up[i] += h
        down[i] -= h
        expected = (grad(*up) - grad(*down)) / (2 * h)
        for backend in ("numba", "python"):
            got = srcgrad.hessian(f, wrt=i, backend=backend)(*args)
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_value_read_after_the_reverse_loop():
    """The adjoint of z = sin(x) reads x as it was before the loop, which the reverse loop
    used to restore: kept before the forward loop and set again after the reverse one."""
    g = srcgrad.grad(read_after, wrt=(0, 1))
    g(0.4, 0.05, 12)
    assert "x_before = x" in g.source and "    x = x_before" in g.source


def test_reads_before_the_restore(monkeypatch):
    """With the memory bound lifted, a step that reads x before and after restoring it."""
    monkeypatch.setattr(preaccumulate, "GROWTH", None)
    p = np.array([0.3, 0.1])
    g = srcgrad.grad(pendulum)
    check_grads(pendulum, (p, 10))
    g(p, 10)
    assert "_stack_jac_" in g.source


def test_bounded_memory():
    """Three carried adjoints and two outputs: six numbers a step against one saved: left."""
    g = srcgrad.grad(pendulum)
    g(np.array([0.3, 0.1]), 10)
    assert "_stack_jac_" not in g.source and "_stack_x" in g.source


@pytest.mark.parametrize("f,args", [(array_adjoint, (np.array([0.3, 0.1, 0.5]), 0.7)),
                                    (no_call, (0.3, 0.5, 10))],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_left_as_generated(f, args):
    g = srcgrad.grad(f, wrt=(0, 1))
    g(*args)
    assert "_stack_jac_" not in g.source
    check_grads(f, args)


def test_not_under_a_memory_budget_or_checkpoints():
    for kw in ({"memory": "1MB"}, {"checkpoint": 4}):
        g = srcgrad.grad(recurrence, wrt=(0, 1), **kw)
        np.testing.assert_allclose(g(0.5, 1e-2, 30), srcgrad.grad(recurrence, wrt=(0, 1))(
            0.5, 1e-2, 30), rtol=1e-12)
        assert "_stack_jac_" not in g.source


def test_parallel_true_serial_loop():
    """parallel=True leaves the recurrence serial (it carries x): the same gradient."""
    with pytest.warns(srcgrad.ParallelWarning):
        gp = srcgrad.grad(recurrence, wrt=(0, 1), parallel=True)(0.5, 1e-2, 30)
    np.testing.assert_allclose(gp, srcgrad.grad(recurrence, wrt=(0, 1))(0.5, 1e-2, 30),
                               rtol=1e-12)


def test_memory_report_counts_the_partials():
    """srcgrad.memory measures the generated code: two numbers a step."""
    text = str(srcgrad.memory(recurrence, 0.5, 1e-2, 1001, wrt=("x0", "dt")))
    assert "16.0 kB" in text
