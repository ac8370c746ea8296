"""The compiled runtime helpers against their Python versions (NumPy), where the compiled
side has more than one implementation: 2-D helpers compiled for a constant axis
(``literal_axis``) and for an axis known only at run time, and ``unbroadcast``'s 2-D loops
for every way a 2-D cotangent can have been broadcast."""
import numba
import numpy as np
import pytest

from srcgrad import runtime as rt

AXES = (0, 1, -1, -2)


@numba.njit
def _at_runtime_axis(x, ans, g_rows, g_cols, axis):
    g = g_cols if axis == 0 or axis == -2 else g_rows
    return (rt.sum_axis(x, axis), rt.mean_axis(x, axis), rt.max_axis(x, axis),
            rt.min_axis(x, axis), rt.prod_axis(x, axis), rt.extremum_mask_axis(x, ans, axis),
            rt.expand_axis(g, x, axis))


def _at_constant_axis(axis):
    """A compiled function whose calls pass ``axis`` as a constant, as generated code does."""
    src = f"""def f(x, ans, g_rows, g_cols):
    g = {'g_cols' if axis in (0, -2) else 'g_rows'}
    return (rt.sum_axis(x, {axis}), rt.mean_axis(x, {axis}), rt.max_axis(x, {axis}),
            rt.min_axis(x, {axis}), rt.prod_axis(x, {axis}), rt.extremum_mask_axis(x, ans, {axis}),
            rt.expand_axis(g, x, {axis}))"""
    ns = {"rt": rt}
    exec(src, ns)
    return numba.njit(ns["f"])


def _expected(x, ans, g_rows, g_cols, axis):
    g = g_cols if axis in (0, -2) else g_rows
    names = ("sum_axis", "mean_axis", "max_axis", "min_axis", "prod_axis")
    return tuple(getattr(rt, n)(x, axis) for n in names) + (
        rt.extremum_mask_axis(x, ans, axis), rt.expand_axis(g, x, axis))


@pytest.mark.parametrize("axis", AXES)
def test_axis_helpers_constant_and_runtime_axis(axis):
    rng = np.random.default_rng(3)
    x = np.round(rng.uniform(-2.0, 2.0, (3, 4)), 0)  # rounded: ties for the max and min
    ans = np.max(x, axis=axis)
    g_rows, g_cols = rng.standard_normal(3), rng.standard_normal(4)
    want = _expected(x, ans, g_rows, g_cols, axis)
    for got in (_at_constant_axis(axis)(x, ans, g_rows, g_cols),
                _at_runtime_axis(x, ans, g_rows, g_cols, axis)):
        for a, b in zip(got, want):
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)


@pytest.mark.parametrize("axis", (2, -3))
def test_axis_out_of_range_raises_as_numpy_does(axis):
    x = np.ones((2, 3))
    with pytest.raises(ValueError):
        np.sum(x, axis=axis)
    with pytest.raises(ValueError):
        _at_runtime_axis(x, np.ones(3), np.ones(2), np.ones(3), axis)
    ns = {"rt": rt}
    exec(f"def f(x):\n    return rt.sum_axis(x, {axis})", ns)
    with pytest.raises(ValueError):
        numba.njit(ns["f"])(x)  # a constant out of range takes the checked version


@numba.njit
def _unbroadcast(g, x):
    return rt.unbroadcast(g, x)


@pytest.mark.parametrize("shape", [(3, 4), (1, 4), (3, 1), (1, 1), (4,), (1,)])
def test_unbroadcast_2d(shape):
    """A (3, 4) cotangent summed back to each shape that broadcasts to (3, 4)."""
    g = np.random.default_rng(4).standard_normal((3, 4))
    x = np.zeros(shape)
    got = _unbroadcast(g, x)
    lead = g.ndim - x.ndim
    want = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(k for k, n in enumerate(shape) if n == 1 and want.shape[k] != 1)
    want = want.sum(axis=axes, keepdims=True) if axes else want
    assert got.shape == shape
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(rt.unbroadcast(g, x), want, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(_unbroadcast(np.asfortranarray(g), x), want, rtol=1e-14,
                               atol=1e-15)  # any layout


@numba.njit
def _empty_broadcast_shape(a, b):
    return rt.empty_broadcast(a, b).shape


@pytest.mark.parametrize("sa, sb", [((3,), (3,)), ((1,), (4,)), ((4,), (1,)), ((3, 1), (4,)),
                                    ((2, 3), (2, 3)), ((5,), (2, 1)), ((1, 1), (1, 1)),
                                    ((2, 1, 4), (3, 1)), ((3,), (2, 1, 3))])
def test_empty_broadcast_shapes(sa, sb):
    """The shape a shape-only recomputation allocates (passes/shape_redo.py): NumPy's."""
    a, b = np.ones(sa), np.ones(sb)
    want = np.broadcast_shapes(sa, sb)
    assert _empty_broadcast_shape(a, b) == want
    assert rt.empty_broadcast(a, b).shape == want


@pytest.mark.parametrize("sa, sb", [((3,), (4,)), ((2, 3), (3, 3)), ((2, 3), (2,)),
                                    ((2, 2, 3), (4, 3))])
def test_empty_broadcast_refuses_what_numpy_refuses(sa, sb):
    with pytest.raises(ValueError):
        np.broadcast_shapes(sa, sb)
    with pytest.raises(ValueError):
        _empty_broadcast_shape(np.ones(sa), np.ones(sb))
