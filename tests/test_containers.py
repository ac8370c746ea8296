"""Tuples, lists and dicts of arrays as arguments (srcgrad/pytree.py) and loops over
sequences (frontend/loops.py, passes/normalize.py): gradients shaped like the arguments,
against finite differences, in both modes and both backends."""
import numpy as np
import pytest

import srcgrad
from checks import check_grads, fd_jacobian
from srcgrad.pytree import flatten, unflatten


def mlp(params, x):
    h = x
    for W, b in params:
        h = np.tanh(W @ h + b)
    return np.sum(h * h)


def dict_model(p, x):
    inner = p["layer"]
    return np.sum(np.sin(inner["W"] @ x + inner["b"])) * p["scale"] ** 2


def indexed(params, x):
    """Literal paths (params[0][0]) become leaf names; params[k] in an enumerate is unrolled."""
    total = np.sum(params[0][0] @ x)
    for k, layer in enumerate(params):
        total = total + (k + 1.0) * np.sum(layer[1] ** 2)
    return total


def _fd_tree(f, args, i, h=1e-6):
    """Central differences of f in every leaf of argument i, as a tree like it."""
    leaves, d = flatten(args[i])
    out = []
    for k, leaf in enumerate(leaves):
        def g(v, k=k):
            ls = list(leaves)
            ls[k] = v
            a = list(args)
            a[i] = unflatten(d, ls)
            return f(*a)
        out.append(fd_jacobian(g, leaf, h=h) if np.ndim(leaf) else
                   (g(leaf + h) - g(leaf - h)) / (2 * h))
    return unflatten(d, out)


def _close(a, b):
    la, da = flatten(a)
    lb, db = flatten(b)
    assert da == db, (da, db)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-8)


RNG = np.random.default_rng(4)
PARAMS = [(RNG.normal(size=(3, 4)), RNG.normal(size=3)), (RNG.normal(size=(2, 3)), RNG.normal(size=2))]
X = RNG.normal(size=4)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_list_of_layer_tuples(backend):
    before = [(W.copy(), b.copy()) for W, b in PARAMS]
    g = srcgrad.grad(mlp, backend=backend)(PARAMS, X)
    assert isinstance(g, list) and all(isinstance(t, tuple) and len(t) == 2 for t in g)
    _close(g, _fd_tree(mlp, (PARAMS, X), 0))
    for (W, b), (W0, b0) in zip(PARAMS, before):  # the user's arrays, bitwise unchanged
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


def test_nested_dict_value_and_grad_and_both_arguments():
    p = {"layer": {"W": RNG.normal(size=(2, 3)), "b": RNG.normal(size=2)}, "scale": 0.7}
    x = RNG.normal(size=3)
    v, (gp, gx) = srcgrad.value_and_grad(dict_model, wrt=(0, 1), backend="python")(p, x)
    assert v == pytest.approx(dict_model(p, x), rel=1e-12)
    assert isinstance(gp, dict) and isinstance(gp["layer"], dict) and isinstance(gp["scale"], float)
    _close(gp, _fd_tree(dict_model, (p, x), 0))
    np.testing.assert_allclose(gx, fd_jacobian(lambda xx: dict_model(p, xx), x), rtol=1e-6)


def test_literal_paths_and_enumerate_over_a_parameter():
    x = RNG.normal(size=4)
    _close(srcgrad.grad(indexed, backend="python")(PARAMS, x), _fd_tree(indexed, (PARAMS, x), 0))


def test_vjp_and_jvp_take_containers():
    out, vjp_fn = srcgrad.vjp(mlp, PARAMS, X, backend="python")
    assert out == pytest.approx(mlp(PARAMS, X))
    gp, gx = vjp_fn(2.0)
    _close(gp, [(2 * a, 2 * b) for a, b in _fd_tree(mlp, (PARAMS, X), 0)])
    tangent = [(np.ones((3, 4)), np.zeros(3)), (np.zeros((2, 3)), np.ones(2))]
    _, dout = srcgrad.jvp(mlp, (PARAMS, X), (tangent, None), backend="python")
    want = sum(np.sum(a * t) for a, t in zip(flatten(_fd_tree(mlp, (PARAMS, X), 0))[0],
                                               flatten(tangent)[0]))
    assert dout == pytest.approx(want, rel=1e-6)


def test_hessian_of_containers_says_what_to_do():
    with pytest.raises(srcgrad.UnsupportedError, match="separate arguments"):
        srcgrad.hessian(mlp)(PARAMS, X)


# ---- loops over sequences -----------------------------------------------------------------
def over_array(x):
    s = 0.0
    for v in x:
        s = s + np.sin(v) * v
    return s


def over_rows(A, w):
    s = 0.0
    for i, row in enumerate(A, 1):
        s = s + np.sum(np.tanh(row * w)) * i
    return s


def over_zip(a, b):
    t = 0.0
    for u, v in zip(a, b):
        t = t + u * v * v
    return t


def over_literal_list(W1, W2, x):
    for W in [W1, W2]:
        x = np.tanh(W @ x)
    return np.sum(x)


@pytest.mark.parametrize("f,args", [
    (over_array, (RNG.normal(size=4),)),
    (over_rows, (RNG.normal(size=(3, 4)), RNG.normal(size=4))),
    (over_zip, (RNG.normal(size=4), RNG.normal(size=3))),
    (over_literal_list, (RNG.normal(size=(3, 4)), RNG.normal(size=(2, 3)), RNG.normal(size=4))),
])
def test_loops_over_sequences(f, args):
    check_grads(f, args, backends=("python",))


def test_loop_over_an_array_compiles_and_has_a_hessian():
    x = RNG.normal(size=4)
    check_grads(over_array, (x,), backends=("numba",))
    H = srcgrad.hessian(over_array)(x)
    np.testing.assert_allclose(H, np.diag(2 * np.cos(x) - x * np.sin(x)), rtol=1e-10, atol=1e-12)


def writes_into_loop_row(A):
    for row in A:
        row[0] = 0.0
    return np.sum(A)


def breaks_out_of_a_tuple_loop(a, b):
    for v in (a, b):
        if v > 0.0:
            break
    return a * b


def zips_tuple_and_array(a, x):
    s = 0.0
    for u, v in zip((a, a), x):
        s = s + u * v
    return s


@pytest.mark.parametrize("f,args,what", [
    (writes_into_loop_row, (np.ones((2, 2)),), "write into the loop variable 'row'"),
    (breaks_out_of_a_tuple_loop, (1.0, 2.0), "break in a loop over a tuple"),
    (zips_tuple_and_array, (1.0, np.ones(2)), "zip\\(\\) of a tuple and an array"),
])
def test_loop_refusals_are_located(f, args, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what) as e:
        srcgrad.grad(f, backend="python")(*args)
    assert "test_containers.py" in str(e.value)


def dict_iteration(p, x):
    reg = sum(np.sum(v * v) for v in p["layers"].values())
    for name, W in p["layers"].items():
        x = np.tanh(W @ x)
    return np.sum(x) + reg * len(p["layers"].keys())


def test_dict_values_items_and_keys():
    p = {"layers": {"a": 0.3 * RNG.normal(size=(3, 3)), "b": 0.3 * RNG.normal(size=(3, 3))}}
    x = RNG.normal(size=3)
    g = srcgrad.grad(dict_iteration, backend="python")(p, x)
    assert list(g["layers"]) == ["a", "b"]
    _close(g, _fd_tree(dict_iteration, (p, x), 0))


# ---- slice objects -------------------------------------------------------------------------
def sliced(x, n):
    s = slice(1, n - 1)
    every_other = slice(None, None, 2)
    y = x[s] * 2.0
    z = x.copy()
    z[s] = np.sin(x[s])
    n = 0  # the slice keeps the bound it was made with
    return np.sum(y * y) + np.sum(z[every_other] ** 2) + np.sum(x[slice(2)]) + x[s][n]


def sliced_rows(A):
    rows = slice(0, 2)
    return np.sum(A[rows, 1:] ** 2) + np.sum(A[slice(1, None), rows])


def test_slice_objects_are_the_slices_they_stand_for():
    """A slice object bound once (or written in the index) is that slice: both modes, both
    backends, and the Hessian, against finite differences."""
    x = np.linspace(0.1, 1.0, 6)
    check_grads(sliced, (x, 6), wrt=(0,))
    H = srcgrad.hessian(sliced, wrt=0, backend="python")(x, 6)
    np.testing.assert_allclose(H, fd_jacobian(lambda v: srcgrad.grad(sliced, wrt=0,
                                                                     backend="python")(v, 6),
                                              x, h=1e-5), rtol=1e-5, atol=1e-6)
    check_grads(sliced_rows, (np.arange(9.0).reshape(3, 3) / 9.0,), backends=("python",))


def slice_passed_on(x):
    s = slice(0, 2)
    return np.sum(np.take(x, s))


def test_a_slice_object_used_otherwise_is_located():
    with pytest.raises(srcgrad.UnsupportedError, match="slice object s used other than as an"):
        srcgrad.grad(slice_passed_on)(np.ones(3))
