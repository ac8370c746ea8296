"""The conventions of docs/semantics.md, in both modes."""
import math

import numpy as np
import pytest

import srcgrad


def both(f, args, wrt=0):
    """(reverse, forward) derivative of scalar f along argument wrt (a unit tangent)."""
    rev = srcgrad.grad(f, wrt=wrt)(*args)
    tangents = [None] * len(args)
    tangents[wrt] = np.ones_like(args[wrt]) if isinstance(args[wrt], np.ndarray) else 1.0
    _, fwd = srcgrad.jvp(f, args, tangents)
    return rev, fwd


def f_abs(x):
    return abs(x)


def f_max(x, y):
    return max(x, y)


def f_npmax(x):
    return np.max(x)


def f_clip(x):
    return np.sum(np.clip(x, 0.0, 1.0))


def f_sqrt(x):
    return math.sqrt(x)


def f_nan(x, y):
    return x * y


def f_print(x):
    print("value", x)
    return x * x


def test_abs_at_zero_is_zero():
    assert both(f_abs, (0.0,)) == (0.0, 0.0)


def test_max_tie_splits_in_half():
    assert both(f_max, (1.0, 1.0)) == (0.5, 0.5)
    assert both(f_max, (1.0, 1.0), wrt=1) == (0.5, 0.5)


def test_reduction_max_ties_share_equally():
    g = srcgrad.grad(f_npmax)(np.array([2.0, 1.0, 2.0]))
    assert np.array_equal(g, [0.5, 0.0, 0.5])


def test_clip_passes_at_its_bounds():
    g = srcgrad.grad(f_clip)(np.array([0.0, 0.5, 1.0, 1.5]))
    assert np.array_equal(g, [1.0, 1.0, 1.0, 0.0])


def test_sqrt_at_zero_is_inf():
    # compiled code follows NumPy's floating-point error model (1/0 -> inf), as JAX and PyTorch
    rev, fwd = both(f_sqrt, (0.0,))
    assert math.isinf(rev) and math.isinf(fwd)


def test_nan_propagates():
    rev, fwd = both(f_nan, (1.0, float("nan")))
    assert math.isnan(rev) and math.isnan(fwd)


def test_print_of_active_values_runs_in_the_forward_sweep(capsys):
    assert srcgrad.grad(f_print)(3.0) == 6.0
    assert "value 3.0" in capsys.readouterr().out


def test_bool_and_float32_are_rejected_clearly():
    with pytest.raises(srcgrad.SrcgradError, match="boolean"):
        srcgrad.grad(f_nan)(True, 1.0)
    with pytest.raises(srcgrad.SrcgradError, match="float32"):
        srcgrad.grad(f_npmax)(np.ones(3, dtype=np.float32))
