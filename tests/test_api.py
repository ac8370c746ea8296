"""The public API's contract: names, shapes, dtypes, backends, fallback, determinism."""
import math
import warnings

import numpy as np
import pytest

import srcgrad


def f2(x, y):
    return x * x * y + math.sin(y)


def test_grad_wrt_forms():
    assert np.isclose(srcgrad.grad(f2)(1.5, 2.0), 2 * 1.5 * 2.0)
    assert np.isclose(srcgrad.grad(f2, wrt="y")(1.5, 2.0), 1.5 ** 2 + math.cos(2.0))
    gx, gy = srcgrad.grad(f2, wrt=(0, "y"))(1.5, 2.0)
    assert np.isclose(gx, 6.0) and np.isclose(gy, 2.25 + math.cos(2.0))


def test_value_and_grad():
    v, g = srcgrad.value_and_grad(f2)(1.5, 2.0)
    assert np.isclose(v, f2(1.5, 2.0)) and np.isclose(g, 6.0)


@srcgrad.grad
def decorated(x):
    return np.sum(x * x)


def test_decorator_shape_dtype_source_primal():
    x = np.arange(4.0)
    g = decorated(x)
    assert g.shape == x.shape and g.dtype == np.float64 and np.allclose(g, 2 * x)
    assert decorated.primal.__name__ == "decorated"
    assert "def decorated_vjp(x, b_t1):" in decorated.source or "def decorated_vjp" in decorated.source
    assert srcgrad.source(decorated.primal, args=(x,)) == decorated.source


def test_source_before_any_call_guesses_kinds():
    def loop(x, n):
        s = 0.0
        for i in range(n):
            s += x[i] * x[i]
        return s
    text = srcgrad.source(loop)
    assert "bx = np.zeros_like(x)" in text


def test_vjp_tuple_output_and_defaults():
    def two(x, y, n):
        return x * y * n, np.sum(x)
    x = np.array([1.0, 2.0])
    out, vjp_fn = srcgrad.vjp(two, x, 3.0, 2)
    assert len(out) == 2
    gx, gy = vjp_fn((np.array([1.0, 1.0]), 2.0))  # default wrt: every float argument
    assert np.allclose(gx, 3.0 * 2 + 2.0) and np.isclose(gy, (1.0 + 2.0) * 2)
    with pytest.raises(ValueError, match="shape"):
        vjp_fn((np.ones(3), 1.0))


def test_python_backend_same_numbers():
    x = np.linspace(0.1, 1.0, 6)
    a = srcgrad.grad(decorated.primal, backend="python")(x)
    b = srcgrad.grad(decorated.primal)(x)
    assert np.array_equal(a, b)


def float_at_int(A, v):
    return np.sum(A @ v)   # Numba cannot type float @ int (numba-facts.md); Python can


def test_fallback_warns_and_strict_raises():
    A, v = np.ones((2, 3)), np.array([1, 2, 3])
    with pytest.warns(srcgrad.FallbackWarning, match="Numba could not compile"):
        g = srcgrad.grad(float_at_int)(A, v)
    assert np.allclose(g, np.outer(np.ones(2), v))
    with pytest.raises(srcgrad.SrcgradError, match="strict=True"):
        srcgrad.grad(float_at_int, strict=True)(A, v)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.allclose(srcgrad.grad(float_at_int, backend="python")(A, v),
                           np.outer(np.ones(2), v))


def collide(x, bx, _t1, _stack_x):
    y = x * bx + _t1
    for i in range(3):
        y = y * _stack_x + math.sin(y)
    return y


def test_generated_names_never_collide_with_users():
    from checks import check_grads
    check_grads(collide, (0.5, 1.5, 0.2, 0.9))
    text = srcgrad.source(collide, args=(0.5, 1.5, 0.2, 0.9), wrt=(0, 1))
    assert "bx_1" in text


def test_same_input_same_source():
    a = srcgrad.source(collide, args=(0.5, 1.5, 0.2, 0.9))
    b = srcgrad.source(collide, args=(0.5, 1.5, 0.2, 0.9))
    assert a == b


def test_traceback_shows_generated_lines():
    import linecache
    text = srcgrad.source(f2, args=(1.0, 2.0))
    assert any(text.splitlines()[2] in "".join(v[2]) for k, v in linecache.cache.items()
               if str(k).startswith("<srcgrad"))
