"""Functions held in variables (frontend/function_values.py): a name bound to a function or a
list of them, loops and comprehensions over such lists (activations per layer, as ML code
writes them; plain, ``enumerate`` and ``zip`` loops), lambdas among them.  Derivatives against finite differences in both modes and
backends (check_grads), Hessians, and what stays refused at its line."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian

RNG = np.random.default_rng(17)
X = RNG.uniform(-1, 1, 4)
W = RNG.uniform(-1, 1, (4, 4))


def relu(z):
    return np.maximum(z, 0.0)


def activations_per_layer(x, W):
    acts = [relu, np.tanh, lambda z: z / (1.0 + np.abs(z))]
    h = x
    for act in acts:
        h = act(W @ h + 0.1)
    return np.sum(h ** 2)


def named_ones(x, W):
    soft = lambda z: z / (1.0 + z * z)  # noqa: E731 -- a lambda bound to a name, in a tuple

    def scaled(z):
        return 0.5 * z * x[0]
    act = np.sin
    h = act(x)
    for f in (soft, relu, np.cos, scaled):
        h = W @ f(h)
    return np.sum(h)


def inside_a_loop(x, W):
    """The list held by a name, looped over inside another loop (and a branch)."""
    acts = (np.tanh, np.sin)
    h = x
    for k in range(3):
        for act in acts:
            if k > 0:
                h = act(W @ h)
            else:
                h = act(h) * 2.0
    return np.sum(h)


def comprehensions(x, W):
    acts = [np.sin, relu]
    outs = [f(W @ x) for f in acts]
    return np.sum(outs[0] * outs[1]) + sum(np.sum(g(x)) for g in (np.tanh, np.exp))


def enumerated(x, W):
    acts = [relu, np.tanh, lambda z: z * z]
    h = x
    for k, act in enumerate(acts):
        h = act(W @ h) * (k + 1.0)
    return np.sum(h)


def zipped(x, W):
    """Weights and activations side by side, either order (each step reads its weight)."""
    Ws = [W, W.T, W * 0.5]
    h = x
    for Wl, act in zip(Ws, [np.sin, relu, np.tanh]):
        h = act(Wl @ h)
    acts = (np.sin, np.cos)
    for act, Wl in zip(acts, Ws):
        h = act(Wl @ h + 1.0)
    layers = [(W, x), (W.T, 2.0 * x)]
    for (Wl, b), act in zip(layers, acts):
        h = act(Wl @ h + b)
    return np.sum(h)


def mixed_losses(p):
    return _mean(p, np.square) + _mean(p, lambda e: np.log1p(e * e))


def _mean(p, loss):
    terms = [np.square, np.abs]  # (a list holding the parameter itself stays refused)
    return sum(np.mean(t(p - 0.2)) for t in terms) + np.mean(loss(p))


CASES = [activations_per_layer, named_ones, inside_a_loop, comprehensions, enumerated, zipped]


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
def test_against_finite_differences(f):
    check_grads(f, (X, W))


def test_in_a_helper_given_a_function():
    check_grads(mixed_losses, (X,))


def test_hessians():
    check_hessian(activations_per_layer, (X, W), "activations per layer")
    check_hessian(comprehensions, (X, W), "comprehensions")


def bound_twice(x):
    act = np.sin
    act = np.cos
    return np.sum(act(x))


def read_not_called(x):
    act = np.sin
    fs = (act, act)
    return np.sum(fs[0](x))


def loop_with_break(x):
    h = x
    for act in [np.sin, np.tanh]:
        h = act(h)
        if h[0] > 5.0:
            break
    return np.sum(h)


def list_read_by_index(x):
    acts = [np.sin, np.tanh]
    return np.sum(acts[1](x))


@pytest.mark.parametrize("f", [bound_twice, read_not_called, loop_with_break,
                               list_read_by_index])
def test_other_uses_stay_located_errors(f):
    with pytest.raises(srcgrad.UnsupportedError, match=r"test_function_values.py:\d+:\d+: "):
        srcgrad.grad(f, backend="python")(X)
