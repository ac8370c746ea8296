"""Forms of helpers and containers found in other projects' example models (a session ported
HIPS autograd's examples to see what srcgrad refused): a helper taking ``*args``, tuples
joined with ``+``, a dict argument passed whole to a helper (and to its nested defs), loops
over ``zip(*parts)``, ``np.vstack`` of a list grown in a loop, and ``astype(int)`` of values
whose derivative is zero.  The functions here are our own, written in those forms.

Each is compared with finite differences in both modes and both backends (tests/checks.py),
several under ``hessian``; what stays refused is refused at its line."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian


def affine(W, *parts):
    z = np.hstack(parts + (np.ones((parts[0].shape[0], 1)),))
    return z @ W


def two_and_three(W, V, a, b):
    return np.sum(np.tanh(affine(W, a, b))) + np.sum(affine(V, a) ** 2)


def recurrent(W, xs, h0):
    h = h0
    for x in xs:
        h = np.tanh(affine(W, x, h))
    return np.sum(h * h)


def model(p, xs):
    """A dict argument passed whole to helpers, read by key there and in a nested def."""
    def step(x, h):
        return np.tanh(affine(p["U"], x, h))
    h = np.repeat(p["h0"], xs.shape[1], axis=0)
    for x in xs:
        h = step(x, h)
    return readout(p, h)


def readout(p, h):
    return np.sum(np.log1p(np.exp(h @ p["out"])))


def split_params(theta):
    return theta[:3], theta[3:9].reshape(3, 2), theta[9:].reshape(3, 2, 2)


def mixture(theta, X):
    parts = []
    for w, m, L in zip(*split_params(theta)):  # three sequences, one name each
        d = X - m
        A = L.T @ L + np.eye(2)
        parts.append(w - 0.5 * np.sum(d @ A * d, axis=1))
    return np.sum(np.log(np.sum(np.exp(np.vstack(parts)), axis=0)))


def interpolate(f, t):
    """Linear interpolation on a grid: integer cells from np.floor, their weights from t."""
    i = np.floor(t).astype(int)
    w = t - i
    i = np.mod(i, f.shape[0] - 1)
    return np.sum((1.0 - w) * f[i] + w * f[i + 1])


def _rng():
    return np.random.default_rng(11)


CASES = {
    "two_and_three": lambda r: (two_and_three, (r.normal(size=(6, 2)), r.normal(size=(3, 1)),
                                                r.normal(size=(4, 2)), r.normal(size=(4, 3)))),
    "recurrent": lambda r: (recurrent, (0.5 * r.normal(size=(5, 2)), r.normal(size=(3, 4, 2)),
                                        r.normal(size=(4, 2)))),
    "mixture": lambda r: (mixture, (0.3 * r.normal(size=21), r.normal(size=(6, 2)))),
    "interpolate": lambda r: (interpolate, (r.normal(size=6), r.uniform(0.1, 4.9, size=5))),
}


@pytest.mark.parametrize("name", CASES)
def test_against_finite_differences(name):
    f, args = CASES[name](_rng())
    check_grads(f, args)


def test_dict_passed_whole_to_helpers():
    r = _rng()
    p = {"U": 0.5 * r.normal(size=(5, 2)), "h0": r.normal(size=(1, 2)),
         "out": r.normal(size=(2, 3))}
    xs = r.normal(size=(3, 4, 2))
    for backend in ("python", "numba"):
        g = srcgrad.grad(model, backend=backend)(p, xs)
        for k in p:
            v = r.normal(size=p[k].shape)
            up = dict(p, **{k: p[k] + 1e-6 * v})
            down = dict(p, **{k: p[k] - 1e-6 * v})
            fd = (model(up, xs) - model(down, xs)) / 2e-6
            np.testing.assert_allclose(np.sum(g[k] * v), fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["two_and_three", "mixture"])
def test_hessian(name):
    f, args = CASES[name](_rng())

    def grad0(v):
        return srcgrad.grad(f, wrt=0, backend="python")(v, *args[1:])
    for backend in ("python", "numba"):
        H = srcgrad.hessian(f, wrt=0, backend=backend)(*args)
        np.testing.assert_allclose(H.reshape(args[0].size, -1),
                                   fd_jacobian(grad0, args[0], h=1e-5).reshape(args[0].size, -1),
                                   rtol=1e-5, atol=1e-6)


def unknown_key(p, x):
    return np.sum(readout_missing(p, x))


def readout_missing(p, x):
    return x * p["missing"]


def zip_of_two_into_three(theta):
    s = 0.0
    for a, b, c in zip(*(theta[:2], theta[2:4])):
        s += a * b * c
    return s


def vstack_of_matrices(x):
    rows = []
    for k in range(2):
        rows.append(np.outer(x, x) * k)
    return np.sum(np.vstack(rows))


@pytest.mark.parametrize("f, args, what", [
    (unknown_key, ({"W": np.ones(2)}, np.ones(2)), "key 'missing'"),
    (zip_of_two_into_three, (np.ones(4),), "2 sequences into 3 names"),
    (vstack_of_matrices, (np.ones(2),), "np.vstack\\(\\) of a list of 2-D"),
])
def test_refused_at_their_line(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as err:
        srcgrad.grad(f)(*args)
    assert "test_helper_forms.py" in str(err.value)


def shadowed_by_a_generator(x, a):
    """Found by the fuzzer: a generator's variable named like a parameter is its own (Python
    scopes it), so isinstance() of the parameter is still decided by its kind."""
    if isinstance(a, np.ndarray):
        base = np.sum(a * a)
    else:
        base = a
    return base + sum(a * b for a, b in zip(x, x * 2.0)) + np.sum(a * x)


def test_generator_variable_named_like_a_parameter():
    check_grads(shadowed_by_a_generator, (np.array([0.3, -0.5, 1.0]), np.array([0.7, 0.2, -1.0])))


def _encode(p, x):
    return np.tanh(x @ p["enc"]["W"] + p["enc"]["b"]) * p["scale"]


def _weighted(p, x):
    s = 0.0
    for k, v in p["extra"].items():
        s += np.sum(v * x[:v.shape[0]]) * (2.0 if k == "a" else 1.0)
    return s + len(p) * ("scale" in p) + np.sum(sum(p["extra"].values()))


def _layers(layers, x):
    for L in layers:
        x = np.tanh(x @ L["W"])
    return np.sum(x)


def nested_dict_model(p, x):
    return np.sum(_encode(p, x)) + _weighted(p, x) + _layers(p["layers"], x)


def test_nested_dicts_passed_to_helpers():
    """A dict inside the dict argument, a list of dicts, .items()/.values(), len() and `in`
    of the dict in a helper: read by key as at the top level."""
    r = _rng()
    p = {"enc": {"W": r.normal(size=(3, 3)), "b": r.normal(size=3)}, "scale": 0.7,
         "extra": {"a": r.normal(size=2), "b": r.normal(size=2)},
         "layers": [{"W": r.normal(size=(3, 3))}, {"W": r.normal(size=(3, 2))}]}
    x = r.normal(size=3)
    leaves, tdef = srcgrad.pytree.flatten(p)
    for backend in ("python", "numba"):
        g, _ = srcgrad.pytree.flatten(srcgrad.grad(nested_dict_model, backend=backend)(p, x))
        for i, leaf in enumerate(leaves):
            d = r.normal(size=np.shape(leaf))
            up, down = list(leaves), list(leaves)
            up[i], down[i] = leaf + 1e-6 * d, leaf - 1e-6 * d
            fd = (nested_dict_model(srcgrad.pytree.unflatten(tdef, up), x)
                  - nested_dict_model(srcgrad.pytree.unflatten(tdef, down), x)) / 2e-6
            np.testing.assert_allclose(np.sum(g[i] * d), fd, rtol=1e-5, atol=1e-7)
