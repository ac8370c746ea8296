"""A loop's adjoint fused with its forward loop (srcgrad/passes/loop_order.py): in
``value_and_grad``, the last loop before the return runs each step's adjoint right after the
step when that loop stores nothing and its adjoint steps only add into adjoints -- one pass
over the data instead of two (1.2-1.3x on Rosenbrock, tools/bench.py).  Chosen exactly where
the analysis allows: a carried adjoint, a stored value, an array temporary, an early exit or
a value used after the loop keeps the two sweeps.  Each gradient is compared with the unfused
one (``grad``) and with finite differences, with both backends."""
import math

import numpy as np
import pytest

import srcgrad
from checks import check_grads


def rosen(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def branchy(x, c):
    s = c * c
    for i in range(x.shape[0] - 1):
        if x[i] > c:
            s += x[i] * x[i + 1] * c
        else:
            s += math.sin(x[i]) - c * x[i + 1]
    return s


def nested(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            s += X[i, j] * w[j] * w[j] + math.tanh(X[i, j])
    return s


def strided(x, c):
    s = 0.0
    for i in range(x.shape[0] - 1, 0, -2):
        t = x[i] * c
        s += t * t + x[i - 1]
    return s


# ---- must keep the reverse order and the stored values ---------------------------------------
def carried(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s * 0.5 + x[i] * x[i]
    return s


def product(x):
    s = 1.0
    for i in range(x.shape[0]):
        s = s * x[i]
    return s


def used_after(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] ** 3
    return s * s


def array_steps(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        v = x[i:i + 2] * 2.0
        s += np.sum(v * v)
    return s


def breaks(x):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0.9:
            break
        s += x[i] ** 2
    return s


def while_sum(x):
    s = 0.0
    i = 0
    while i < x.shape[0]:
        s += math.exp(x[i])
        i += 1
    return s


X = np.array([0.3, -0.7, 0.5, 1.2, -0.4, 0.8])
M = np.arange(12.0).reshape(3, 4) / 7.0 - 0.6
CASES = [(rosen, (X,), True), (branchy, (X, 0.2), True), (nested, (M, X[:4]), True),
         (strided, (X, 0.7), True), (carried, (X,), False), (product, (X,), False),
         (used_after, (X,), False), (array_steps, (X,), False), (breaks, (X,), False),
         (while_sum, (X,), False)]


@pytest.mark.parametrize("f,args,fused", CASES, ids=[c[0].__name__ for c in CASES])
@pytest.mark.parametrize("backend", ["numba", "python"])
def test_fused_exactly_where_allowed_and_the_same_gradient(f, args, fused, backend):
    wrt = tuple(i for i, a in enumerate(args) if not isinstance(a, int))
    vg = srcgrad.value_and_grad(f, wrt=wrt, backend=backend)
    value, grads = vg(*args)
    assert value == pytest.approx(f(*args), rel=1e-12, abs=1e-14)
    g = srcgrad.grad(f, wrt=wrt, backend="python")  # (the suite compiles the fused code)
    want = g(*args)
    assert ("fused" in vg.source) == fused
    assert "fused" not in g.source  # nothing to fuse
    for g, w in zip(grads, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("f,args", [(c[0], c[1]) for c in CASES if c[2]],
                         ids=[c[0].__name__ for c in CASES if c[2]])
def test_fused_loops_against_finite_differences(f, args):
    check_grads(f, args)


# ---- a forward loop whose values the reverse sweep recomputes is dropped (dead_loops.py) ----
def per_sample(W, X, y):
    s = 0.0
    for i in range(X.shape[0]):
        h = np.tanh(W @ X[i])
        s += (np.sum(h) - y[i]) ** 2
    return s


def test_a_forward_loop_recomputed_in_the_reverse_sweep_is_dropped():
    rng = np.random.default_rng(1)
    W, Xs, y = rng.standard_normal((3, 4)), rng.standard_normal((6, 4)), rng.standard_normal(6)
    g = srcgrad.grad(per_sample, wrt=0, backend="python")
    g(W, Xs, y)
    loops = [ln for ln in g.source.splitlines() if ln.strip().startswith("for i in range(")]
    assert len(loops) == 1 and "- 1, -1, -1)" in loops[0]  # the reverse loop only
    check_grads(per_sample, (W, Xs, y), wrt=(0,))
