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


def test_jacobian_of_containers_takes_one_wrt():
    with pytest.raises(srcgrad.SrcgradError, match="takes one wrt argument"):
        srcgrad.jacobian(mlp, wrt=(0, 1))(PARAMS, X)


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


def l2_over_keys(p, x):
    """``for k in p`` iterates a dict's keys, as in Python (it took the values, then failed
    inside generated code reading ``p[k]``); values of mixed kinds."""
    s = 0.0
    for k in p:
        if k == "W":
            s = s + np.sum(np.tanh(p[k] @ x))
        s = s + 0.5 * np.sum(p[k] ** 2)
    return s


def keys_unpacked_and_listed(p, x):
    a, b = p          # keys: p[a] reads by a variable key (a branch per key: values of one
    ks = list(p)      # kind; of mixed kinds, a located error)
    return np.sum(p[a] @ x) * np.sum(p[b]) + sum(np.sum(p[k] ** 2) for k in ks) + len(ks)


def keys_in_a_helper(q, x):
    t = 0.0
    for i, k in enumerate(q):
        t = t + (i + 1.0) * np.sum(q[k] * x[0])
    return t


def dict_to_helper(p, x):
    return keys_in_a_helper(p, x)


def sum_of_a_dict(p, x):
    return sum(p)


def test_iterating_a_dict_gives_its_keys():
    mixed = {"W": 0.3 * RNG.normal(size=(3, 3)), "c": 0.7}
    alike = {"W": 0.3 * RNG.normal(size=(3, 3)), "V": 0.3 * RNG.normal(size=(3, 3))}
    x = RNG.normal(size=3)
    for f, p in ((l2_over_keys, mixed), (keys_unpacked_and_listed, alike),
                 (dict_to_helper, mixed)):
        for backend in ("numba", "python"):
            g = srcgrad.grad(f, backend=backend, strict=backend == "numba")(p, x)
            assert list(g) == list(p)
            _close(g, _fd_tree(f, (p, x), 0))
        v = {k: RNG.normal(size=np.shape(a)) for k, a in p.items()}  # forward mode
        _, t = srcgrad.jvp(f, (p, x), (v, None))
        g = srcgrad.grad(f)(p, x)
        np.testing.assert_allclose(t, sum(np.sum(g[k] * v[k]) for k in p), rtol=1e-10)
    with pytest.raises(srcgrad.UnsupportedError, match="mixed elements indexed by a variable"):
        srcgrad.grad(keys_unpacked_and_listed)(mixed, x)
    with pytest.raises(srcgrad.UnsupportedError, match="sum\\(\\) of a dict, which iterates its keys"):
        srcgrad.grad(sum_of_a_dict)(p, x)


def test_a_variable_key_the_dict_lacks_is_a_key_error():
    def pick(p, x, k):
        return np.sum(p[k] * x)
    p = {"W": RNG.normal(size=3), "b": RNG.normal(size=3)}

    def by_name(p, x):
        k = "W" if x[0] > 100.0 else "Z"
        return pick(p, x, k)
    with pytest.raises(KeyError, match="not one of the keys"):
        srcgrad.grad(by_name, backend="python")(p, RNG.normal(size=3))


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


# ---- containers as return values ------------------------------------------------------------
def layer_outputs(W, x):
    h = np.tanh(W @ x)
    if x[0] > 10.0:
        return {"hidden": [h, h * 2.0], "score": np.sum(h)}
    return {"hidden": [h, h ** 2], "score": np.sum(h * x[:2])}


def test_a_dict_of_lists_returned_is_regrouped():
    """vjp and jvp of a function returning a dict literal (of a list and a float): the value
    and the tangent come back as that dict, the cotangent is given as one; both against
    finite differences, in both backends."""
    rng = np.random.default_rng(2)
    W, x = rng.normal(size=(2, 3)), rng.normal(size=3)
    dW = rng.normal(size=(2, 3))
    ct = {"hidden": [rng.normal(size=2), rng.normal(size=2)], "score": 0.7}

    def flat(W):
        out = layer_outputs(W, x)
        return np.concatenate([out["hidden"][0], out["hidden"][1], [out["score"]]])

    J = fd_jacobian(flat, W, h=1e-6)
    for backend in ("numba", "python"):
        out, vjp_fn = srcgrad.vjp(layer_outputs, W, x, wrt=0, backend=backend, strict=True)
        assert set(out) == {"hidden", "score"} and isinstance(out["hidden"], list)
        np.testing.assert_allclose(out["hidden"][1], layer_outputs(W, x)["hidden"][1])
        (gW,) = vjp_fn(ct)
        u = np.concatenate([ct["hidden"][0], ct["hidden"][1], [ct["score"]]])
        np.testing.assert_allclose(gW, (u @ J.reshape(len(u), -1)).reshape(W.shape),
                                   rtol=1e-6, atol=1e-8)
        out2, tan = srcgrad.jvp(layer_outputs, (W, x), (dW, None), backend=backend)
        assert isinstance(tan, dict) and isinstance(tan["hidden"], list)
        got = np.concatenate([tan["hidden"][0], tan["hidden"][1], [tan["score"]]])
        np.testing.assert_allclose(got, J.reshape(len(got), -1) @ dW.ravel(), rtol=1e-6,
                                   atol=1e-8)
    with pytest.raises(ValueError, match="keys"):
        vjp_fn({"hidden": ct["hidden"]})


def mixed_returns(x):
    if x[0] > 0.0:
        return [x, x]
    return x


def test_returns_of_different_structures_are_located():
    with pytest.raises(srcgrad.UnsupportedError, match="returns of different structures"):
        srcgrad.vjp(mixed_returns, np.ones(2))


def list_of_params_out(params, x):
    return [np.tanh(params[0][0] @ x), params[1][1] * 2.0]


def test_containers_in_and_out():
    """A list of (W, b) in, a list out: vjp's cotangents are shaped like the parameters."""
    rng = np.random.default_rng(3)
    params = [(rng.normal(size=(2, 3)), rng.normal(size=2)),
              (rng.normal(size=(2, 2)), rng.normal(size=2))]
    x = rng.normal(size=3)
    out, vjp_fn = srcgrad.vjp(list_of_params_out, params, x, wrt=0, backend="python")
    assert isinstance(out, list) and len(out) == 2
    (g,) = vjp_fn([np.ones(2), np.ones(2)])
    np.testing.assert_allclose(g[1][1], np.full(2, 2.0))
    np.testing.assert_allclose(g[0][0], np.outer(1.0 - np.tanh(params[0][0] @ x) ** 2, x))
    np.testing.assert_allclose(g[0][1], np.zeros(2))


# ---- containers in jacobian, hessian and hvp ------------------------------------------------
def mlp_loss(params, x):
    h = x
    for W, b in params:
        h = np.tanh(W @ h + b)
    return np.sum(h * h)


def mlp_out(params, x):
    W, b = params[0]
    return np.tanh(W @ x + b)


def _params(rng):
    return [(rng.normal(size=(2, 3)), rng.normal(size=2)), (rng.normal(size=(1, 2)), rng.normal(size=1))]


def _ravel(p):
    return np.concatenate([np.ravel(v) for v in flatten(p)[0]])


def test_hessian_hvp_and_jacobian_of_containers():
    """Blocks per leaf (Jacobian) and per pair of leaves (Hessian), as JAX returns them, and
    hvp with a direction structured like the parameters; each against finite differences
    of srcgrad's gradient (or of the function) on the raveled vector."""
    rng = np.random.default_rng(7)
    params, x = _params(rng), rng.normal(size=3)
    leaves, treedef = flatten(params)
    shapes = [np.shape(v) for v in leaves]
    cuts = np.cumsum([0] + [v.size for v in leaves])

    def unravel(vec):
        return unflatten(treedef, [vec[a:b].reshape(s) for a, b, s in zip(cuts, cuts[1:], shapes)])

    g = srcgrad.grad(mlp_loss, backend="python")
    H_fd = fd_jacobian(lambda v: _ravel(g(unravel(v), x)), _ravel(params), h=1e-6)
    for backend in ("numba", "python"):
        H = srcgrad.hessian(mlp_loss, backend=backend)(params, x)
        assert isinstance(H, list) and isinstance(H[0], tuple) and isinstance(H[0][0], list)
        assert H[0][0][0][0].shape == (2, 3, 2, 3) and H[0][0][1][0].shape == (2, 3, 1, 2)
        assert H[1][1][0][1].shape == (1, 2)
        dense = np.zeros((cuts[-1], cuts[-1]))
        for i, row in enumerate(flatten_blocks(H, treedef)):
            for j, block in enumerate(row):
                dense[cuts[i]:cuts[i + 1], cuts[j]:cuts[j + 1]] = np.reshape(
                    block, (cuts[i + 1] - cuts[i], cuts[j + 1] - cuts[j]))
        np.testing.assert_allclose(dense, H_fd, rtol=1e-5, atol=1e-6)
        v = unravel(rng.normal(size=cuts[-1]))
        hv = srcgrad.hvp(mlp_loss, backend=backend)(params, x, v)
        np.testing.assert_allclose(_ravel(hv), H_fd @ _ravel(v), rtol=1e-5, atol=1e-6)
    J = srcgrad.jacobian(mlp_out, backend="python")(params, x)
    J_fd = fd_jacobian(lambda v: mlp_out(unravel(v), x), _ravel(params), h=1e-6)
    np.testing.assert_allclose(np.concatenate([np.reshape(b, (2, -1)) for b in flatten(J)[0]],
                                              axis=1), J_fd, rtol=1e-6, atol=1e-8)
    assert flatten(J)[0][2].shape == (2, 1, 2)  # out.shape + the leaf's shape


def flatten_blocks(H, treedef):
    """The Hessian's blocks as rows (one per leaf) of blocks (one per leaf)."""
    return [flatten_tree(row, treedef) for row in flatten_tree(H, treedef)]


def flatten_tree(value, treedef):
    from srcgrad.outputs import leaves_of
    return leaves_of(treedef, value, "value")


# ---- dict locals ----------------------------------------------------------------------------
def dict_local(W, b, x):
    layer = {"W": W, "b": b}
    h = np.tanh(layer["W"] @ x + layer["b"])
    total = 0.0
    for k, v in layer.items():
        total = total + np.sum(v * v) * (2.0 if k == "W" else 1.0)
    for k in layer:
        total = total + np.sum(layer[k])
    for v in layer.values():
        total = total + np.sum(np.sin(v))
    return np.sum(h) + total + len(layer) * ("b" in layer)


def dict_passed_on(W, x):
    d = {"W": W}
    return np.sum(helper_of_dict(d) @ x)


def helper_of_dict(d):
    return d["W"]


def test_dict_locals_read_by_constant_keys():
    """A dict literal bound to a name, read by its constant keys and iterated (keys, values,
    items), is a tuple: both modes, both backends, the Hessian, against finite differences."""
    rng = np.random.default_rng(11)
    args = (rng.normal(size=(2, 3)), rng.normal(size=2), rng.normal(size=3))
    check_grads(dict_local, args)
    H = srcgrad.hessian(dict_local, wrt=1, backend="python")(*args)
    g = srcgrad.grad(dict_local, wrt=1, backend="python")
    np.testing.assert_allclose(H, fd_jacobian(lambda v: g(args[0], v, args[2]), args[1], h=1e-5),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(srcgrad.UnsupportedError, match="the dict d used other than"):
        srcgrad.grad(dict_passed_on)(np.ones((2, 2)), np.ones(2))


def nested_locals(W, b, x):
    """Dict and list locals holding containers: a config dict with a list of layer dicts, an
    alias of a nested dict, nested lists, and loops over them."""
    cfg = {"layers": [{"W": W, "b": b}, {"W": W * 0.5, "b": b * b}], "act": {"k": 2.0}}
    act = cfg["act"]
    h = x
    for layer in cfg["layers"]:
        h = np.tanh(layer["W"] @ h[0:3] + layer["b"]) * act["k"]
        h = np.concatenate((h, x[0:1]))
    grid = [[h[0], h[1]], [np.sum(b), cfg["layers"][1]["b"][0]]]
    total = 0.0
    for k, v in cfg["layers"][0].items():
        total = total + np.sum(v * v) * (2.0 if k == "W" else 1.0)
    return np.sum(h) + grid[1][1] * grid[0][0] + grid[1][0] + total + len(cfg["layers"][0])


def test_dict_and_list_locals_holding_containers():
    """Nested dict, list and tuple literals bound to a name, read by constant paths and looped
    over (for layer in layers, d[...].items()): both modes, both backends, the Hessian,
    against finite differences; a dict reached by a run-time index is a located error."""
    rng = np.random.default_rng(13)
    args = (rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3), rng.normal(size=3))
    check_grads(nested_locals, args)
    H = srcgrad.hessian(nested_locals, wrt=1, backend="python")(*args)
    g = srcgrad.grad(nested_locals, wrt=1, backend="python")
    np.testing.assert_allclose(H, fd_jacobian(lambda v: g(args[0], v, args[2]), args[1], h=1e-5),
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(srcgrad.UnsupportedError, match="path that is not constant") as e:
        srcgrad.grad(layer_by_run_time_index)(np.ones(2), 1)
    assert "test_containers.py" in str(e.value)


def layer_by_run_time_index(x, k):
    layers = [{"W": x}, {"W": x * 2.0}]
    return np.sum(layers[k]["W"])


def returns_named_dict(W, x):
    h = np.tanh(W @ x)
    out = {"h": h, "s": np.sum(h), "twice": x * 2.0}
    return out


def test_a_dict_bound_to_a_name_and_returned():
    rng = np.random.default_rng(12)
    W, x = rng.normal(size=(2, 3)), rng.normal(size=3)
    out, vjp_fn = srcgrad.vjp(returns_named_dict, W, x, wrt=1, backend="python")
    assert isinstance(out, dict) and list(out) == ["h", "s", "twice"]
    (gx,) = vjp_fn({"h": np.zeros(2), "s": 1.0, "twice": np.zeros(3)})
    np.testing.assert_allclose(gx, W.T @ (1.0 - np.tanh(W @ x) ** 2), rtol=1e-12)


# ---- a grad of a grad of a function taking containers ---------------------------------------
def scaled_mlp(params, x, t):
    h = x * t
    for W, b in params:
        h = np.tanh(W @ h + b)
    return np.sum(h) * t


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_grad_of_grad_with_a_container_argument(backend):
    """d2/dt2 (the scalar), with a list of layer tuples passed along, and the mixed second
    derivative d2/(dparams dt), structured like params, against finite differences of the
    first derivative."""
    gt = srcgrad.grad(scaled_mlp, wrt=2, backend=backend)
    gtt = srcgrad.grad(gt, wrt=2, backend=backend)
    t, h = 0.6, 1e-5
    want = (gt(PARAMS, X, t + h) - gt(PARAMS, X, t - h)) / (2 * h)
    assert gtt(PARAMS, X, t) == pytest.approx(want, rel=1e-6)
    mixed = srcgrad.grad(gt, wrt=0, backend=backend)(PARAMS, X, t)
    (W, b), rest = PARAMS[0], PARAMS[1:]
    want = fd_jacobian(lambda W: gt([(W, b), *rest], X, t), W, h=h)
    np.testing.assert_allclose(mixed[0][0], want, rtol=1e-6)
    jx = srcgrad.jacobian(gt, wrt=1, backend=backend)(PARAMS, X, t)  # d2/(dx dt)
    np.testing.assert_allclose(jx, fd_jacobian(lambda x: gt(PARAMS, x, t), X, h=h), rtol=1e-6)
    with pytest.raises(srcgrad.SrcgradError, match="plain"):
        srcgrad.jacobian(gt, wrt=0, backend=backend)(PARAMS, X, t)
