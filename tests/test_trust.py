"""Regression tests for derivatives that used to be silently wrong or crash on valid code
(found by running srcgrad on code written by others).  Each compares with finite
differences or a closed form, in both modes and with both backends; second order where it
applies."""
import math

import numpy as np
import numpy as onp
import pytest
import scipy.special

import srcgrad
from checks import check_grads, check_hessian, fd_jacobian

IDX = np.array([2, 0, 3, 3])
C3 = np.arange(24.0).reshape(3, 2, 4)


# ---- 1: forward mode never aliases a copy, nor writes into the caller's tangents ----------
def shift(x):
    u = x.copy()
    un = u.copy()
    u[1] = un[0]
    u[2] = un[1]
    return u


def heat_steps(u, c):
    for t in range(3):
        v = u.copy()
        for i in range(1, u.shape[0] - 1):
            v[i] = u[i] + c * (u[i - 1] - 2.0 * u[i] + u[i + 1])
        u = v
    return np.sum(u * u)


def plus_then_write(x):
    y = x + 1.0
    y[0] = 5.0
    return y * x


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_forward_copies_are_not_aliases(backend):
    x, v = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])
    v0 = v.copy()
    _, t = srcgrad.jvp(shift, (x,), (v,), backend=backend)
    np.testing.assert_array_equal(t, [1.0, 1.0, 0.0])
    np.testing.assert_array_equal(v, v0)  # the caller's tangent is untouched
    check_grads(plus_then_write, (np.array([0.3, -0.7, 1.1]),), backends=(backend,))


def test_heat_stepper_jvp_and_hessian():
    u = np.array([0.1, 0.5, -0.3, 0.8, 0.2])
    check_grads(heat_steps, (u, 0.2))
    h = srcgrad.hessian(heat_steps)(u, 0.2)
    g = srcgrad.grad(heat_steps)
    np.testing.assert_allclose(h, fd_jacobian(lambda w: g(w, 0.2), u), rtol=1e-6, atol=1e-7)


# ---- 2: tuples keep their derivatives -------------------------------------------------------
def pick(a, b, c, i):
    x = a, b, c
    return x[i] * x[-1]


def swap_loop(a, b):
    x = a, b
    for k in range(3):
        x = x[1] * 2.0, x[0]
    p, q = x
    return p * q + x[-1]


def pair_helper(a, b):
    return a * b, a + b


def uses_pair(a, b):
    t = pair_helper(a, b)
    s, d = t
    return s * d + t[0]


@pytest.mark.parametrize("i", [0, 1, 2, -1])
def test_tuple_indexing_by_variable(i):
    check_grads(pick, (0.3, -1.2, 0.7, i))


def test_tuple_unpacking_swaps_and_helpers():
    check_grads(swap_loop, (1.5, 2.5))
    check_grads(uses_pair, (0.4, -0.9))
    h = srcgrad.hessian(swap_loop, wrt=1)(1.5, 2.5)
    g = srcgrad.grad(swap_loop, wrt=1)
    assert abs(h - (g(1.5, 2.5 + 1e-5) - g(1.5, 2.5 - 1e-5)) / 2e-5) < 1e-6


def sum_of_tuple(a, b):
    x = a, b
    return np.sum(x) * a


def test_tuple_passed_whole_to_a_primitive_is_refused():
    """np.sum of a tuple once gave a zero derivative for b: tuples are never active values."""
    with pytest.raises(srcgrad.UnsupportedError, match="a tuple carrying a derivative .'x'. "
                                                       "passed to sum"):
        srcgrad.grad(sum_of_tuple, wrt=(0, 1))(2.0, 3.0)


def test_tuple_index_out_of_range_raises():
    with pytest.raises(IndexError):
        srcgrad.grad(pick)(0.3, -1.2, 0.7, 5)


def index_of_a_call(a, b):
    return pair_helper(a, b)[1] * a + (a * b, b)[0]


def takes_pair(p):
    return p[0] * p[1] + p[1]


def passes_tuple_expressions(a, b):
    return takes_pair(pair_helper(a, b)) + takes_pair((a, b * b))


def test_tuple_expressions_indexed_or_passed_directly():
    """pair_helper(a, b)[1], (a, b)[0] and a tuple passed straight into a helper gave a zero
    derivative (the tuple went into a temporary that was not a tuple variable): found while
    adding np.split, whose result is a tuple."""
    check_grads(index_of_a_call, (0.4, -0.9))
    check_grads(passes_tuple_expressions, (0.4, -0.9))
    for i in range(2):  # second derivatives: forward over reverse against differences
        h = srcgrad.hessian(passes_tuple_expressions, wrt=i, backend="python")(0.4, -0.9)
        g = srcgrad.grad(passes_tuple_expressions, wrt=i, backend="python")
        e = np.eye(2)[i] * 1e-5
        fd = (g(*(np.array([0.4, -0.9]) + e)) - g(*(np.array([0.4, -0.9]) - e))) / 2e-5
        assert abs(h - fd) < 1e-6


# ---- 3: arrays created from active values ---------------------------------------------------
def full_of(v):
    return np.sum(np.full((3, 4), v) ** 2)


def literal_of(x):
    return np.sum(np.array([x, 2.0 * x]) ** 2)


def ramp(a, b):
    return np.sum(np.linspace(a, b, 5) ** 2)


def test_creation_from_active_values():
    assert abs(srcgrad.grad(full_of)(1.5) - 24 * 1.5) < 1e-12
    assert abs(srcgrad.grad(literal_of)(0.7) - 10 * 0.7) < 1e-12
    check_grads(full_of, (1.5,))
    check_grads(literal_of, (0.7,))
    check_grads(ramp, (1.0, 2.0))
    np.testing.assert_allclose(srcgrad.grad(ramp, wrt=(0, 1))(1.0, 2.0), (6.25, 8.75))
    assert abs(srcgrad.hessian(ramp)(1.0, 2.0) - 2 * np.sum((1 - np.linspace(0, 1, 5)) ** 2)) < 1e-12


# ---- 4, 5, 6: transpose axes, repeated integer indices, None ---------------------------------
def transposed(x):
    return np.sum(np.transpose(x, (1, 0, 2)) * C3)


def gathered(x):
    return np.sum(x[IDX] * np.array([1.0, 2.0, 3.0, 4.0]))


def scattered(x, v):
    y = x.copy()
    y[IDX] = v * 2.0
    return np.sum(y * y)


def outer_by_none(x):
    return np.sum(x[:, None] * x[None, :])


def log_softmax_sum(z):
    m = np.max(z, axis=1)
    y = z - m[:, None]
    return np.sum(y[:, 0] - np.log(np.sum(np.exp(y), axis=1)))


def test_transpose_axes():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    np.testing.assert_array_equal(srcgrad.grad(transposed)(x), np.transpose(C3, (1, 0, 2)))
    check_grads(transposed, (x,))


def test_repeated_integer_indices():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(srcgrad.grad(gathered)(x), [2.0, 0.0, 1.0, 7.0])
    check_grads(gathered, (x,))
    check_grads(scattered, (x, np.array([0.5, -1.0, 2.0, 3.0])))
    h = srcgrad.hessian(scattered, wrt=1)(x, np.array([0.5, -1.0, 2.0, 3.0]))
    # y[3] keeps only the last write (v[3]); y[2] = 2 v[0], y[0] = 2 v[1]
    np.testing.assert_allclose(h, np.diag([8.0, 8.0, 0.0, 8.0]))


def test_none_indexing():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(srcgrad.grad(outer_by_none)(x), [12.0, 12.0, 12.0])
    check_grads(outer_by_none, (x,))
    z = np.random.default_rng(1).standard_normal((3, 4))
    check_grads(log_softmax_sum, (z,))


# ---- 7, 8, 9, 10: valid code that crashed ------------------------------------------------------
def clipped(a):
    x = a if a > 1.0 else 1.0
    return x * a


def calls_clipped(v):
    return clipped(v[0]) * 2.0 + clipped(v[1])


def heat_point(u, i, k):
    return k * (u[i - 1] - 2.0 * u[i] + u[i + 1])


def heat_loss(u, k):
    s = 0.0
    for i in range(1, u.shape[0] - 1):
        s += heat_point(u, i, k) ** 2 * k
    return s


def heat_shift(u, k):
    v = u.copy()
    for i in range(1, u.shape[0] - 1):
        v[i + 1] += k * (u[i - 1] - 2.0 * u[i] + u[i + 1])
    return v


def heat_shift_loss(u, k):
    w = heat_shift(u, k)
    return np.sum(w * w)


def rebinds_param(x):
    x = np.sum(x)
    x = x * x
    return x


def rebinds_in_loop(x):
    for i in range(2):
        x = np.sum(x)
    return x


def dot_scalar(s, b):
    return np.sum(np.dot(s, b) ** 2)


def batched(a, b):
    return np.sum(a @ b)


def test_helper_with_conditional_expression():
    check_grads(calls_clipped, (np.array([2.0, 0.5]),))


def test_nested_grad_through_inlined_helper():
    u = np.array([1.0, 3.0, 2.0, 5.0])
    g2 = srcgrad.grad(srcgrad.grad(heat_loss, wrt=1), wrt=1)
    # heat_loss = k**3 * 25 here, so its second derivative in k is 150 k
    assert abs(g2(u, 0.5) - 150 * 0.5) < 1e-9


def test_inlined_helper_with_augmented_write_at_a_computed_index():
    """x[i + 1] += ... in an inlined helper renamed its index twice ('heat_shift_i' is not
    defined), in grad and in nested grad alike."""
    u = np.array([1.0, 3.0, 2.0, 5.0])
    # w = [1, 3, 2 - 3k, 5 + 4k]: d/dk sum(w^2) = -6 (2 - 3k) + 8 (5 + 4k), d2/dk2 = 50
    assert abs(srcgrad.grad(heat_shift_loss, wrt=1)(u, 0.5) - 53.0) < 1e-12
    assert abs(srcgrad.grad(srcgrad.grad(heat_shift_loss, wrt=1), wrt=1)(u, 0.5) - 50.0) < 1e-9
    check_grads(heat_shift_loss, (u, 0.5))


def test_parameter_rebound_to_another_rank():
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(srcgrad.grad(rebinds_param)(x), [6.0, 6.0])
    check_grads(rebinds_param, (x,))
    with pytest.raises(srcgrad.UnsupportedError, match="holds values of different kinds"):
        srcgrad.grad(rebinds_in_loop)(x)


def batched_by_matrix(a, b):
    return np.sum(a @ b)


def test_dot_with_a_scalar_and_batched_products():
    """Batches of matrix products (3-D by 3-D, 3-D by 2-D) are differentiated (their rows
    in tests/rule_cases.py check the numbers); a 4-D product is refused at its line."""
    check_grads(dot_scalar, (0.7, np.array([1.0, -2.0])))
    g = srcgrad.grad(batched, wrt=(0, 1), backend="python")(np.ones((2, 3, 4)), np.ones((2, 4, 5)))
    np.testing.assert_allclose(g[0], np.full((2, 3, 4), 5.0))
    np.testing.assert_allclose(g[1], np.full((2, 4, 5), 3.0))
    # a stack by a matrix: each matrix of the stack times it (its rows in rule_cases.py)
    g = srcgrad.grad(batched_by_matrix, wrt=(0, 1), backend="python")(np.ones((2, 3, 4)),
                                                                      np.ones((4, 5)))
    np.testing.assert_allclose(g[0], np.full((2, 3, 4), 5.0))
    np.testing.assert_allclose(g[1], np.full((4, 5), 6.0))  # by hand: 2 stacks x 3 rows
    # a stack by a vector: each matrix of the stack times it; 4-D operands are refused
    g = srcgrad.grad(batched_by_matrix, wrt=(0, 1), backend="python")(np.ones((2, 3, 4)),
                                                                      np.arange(4.0))
    np.testing.assert_allclose(g[0], np.broadcast_to(np.arange(4.0), (2, 3, 4)))
    np.testing.assert_allclose(g[1], np.full(4, 6.0))
    with pytest.raises(srcgrad.UnsupportedError, match="arrays of ranks 4 and 1"):
        srcgrad.grad(batched_by_matrix)(np.ones((2, 2, 3, 4)), np.ones(4))
    # np.dot is not @ for stacks: it sums over a's last axis and b's second-to-last, giving
    # a 4-D array for two 3-D ones (it was taken as a batch product, silently)
    for a, b in ((np.ones((2, 3, 4)), np.ones((2, 4, 5))), (np.ones((3, 4)), np.ones((2, 4, 5)))):
        with pytest.raises(srcgrad.UnsupportedError, match="np.dot of arrays of ranks"):
            srcgrad.grad(dot_of_stacks, backend="python")(a, b)


def dot_of_stacks(a, b):
    return np.sum(np.dot(a, b))


# ---- 12, 13, 14: arguments, aliases, calling conventions ------------------------------------
def twice(d):
    return d * 2.0


def double_buffer(y):
    for t in range(2):
        z = y.copy()
        for i in range(y.shape[0]):
            z[i] = y[i] * 2.0 + 0.1 * y[i] ** 2
        y = z
    y[0] = y[0] * 3.0
    return np.sum(y)


def alias_still_read(x):
    y = x.copy()
    z = y
    z[0] = 2.0
    return np.sum(y * x)


def in_place_on_alias(x):
    y = x.copy()
    z = y
    z += 1.0
    return np.sum(y * x)


def row_view_written(A):
    row = A[1]
    row[0] = 5.0
    return np.sum(A * A)


def scalar_swap(x):
    y = x.copy()
    t = y[0]
    y[0] = y[2]
    y[2] = t
    return np.sum(y * x) + t


def test_integer_indexed_views_are_aliases_only_for_arrays():
    with pytest.raises(srcgrad.UnsupportedError, match="write into 'row', which shares memory with 'A'"):
        srcgrad.grad(row_view_written)(np.ones((3, 3)))
    check_grads(scalar_swap, (np.array([0.5, -1.0, 2.0]),))


def scaled(x, a=2.0):
    return x * a


def test_unsupported_argument_types_are_named():
    """Containers are taken (tests/test_containers.py), but a container where the function
    needs a number is refused at the line using it; objects are named at the call."""
    with pytest.raises(srcgrad.UnsupportedError, match="a tuple carrying a derivative"):
        srcgrad.grad(twice)({"a": 1.0})
    with pytest.raises(srcgrad.UnsupportedError, match="argument 'd' of type object"):
        srcgrad.grad(twice)(object())
    # a list of arrays is a container (one vector inside hessian): d * 2.0 of it is refused
    with pytest.raises(srcgrad.UnsupportedError, match="a tuple carrying a derivative"):
        srcgrad.hessian(twice)([np.ones(2), np.ones(3)])


def test_double_buffer_accepted_and_live_alias_refused():
    y = np.array([0.3, -0.2, 0.5])
    check_grads(double_buffer, (y,))
    g = srcgrad.grad(double_buffer)
    np.testing.assert_allclose(srcgrad.hessian(double_buffer)(y), fd_jacobian(g, y),
                               rtol=1e-6, atol=1e-7)
    for fn in (alias_still_read, in_place_on_alias):
        with pytest.raises(srcgrad.UnsupportedError, match="shares memory with 'y'"):
            srcgrad.grad(fn)(np.ones(3))
    check_grads(augmented_scalar_alias, (0.7, 1.3))  # a scalar z += y rebinds: no alias


def augmented_scalar_alias(x, y):
    z = x
    z += y
    return z * x


def test_calls_bind_like_the_primal():
    g = srcgrad.grad(scaled)
    assert g(3.0) == 2.0 and g(3.0, a=5.0) == 5.0 and g(x=3.0, a=4.0) == 4.0
    with pytest.raises(TypeError, match=r"scaled\(\) takes the parameters \(x, a\)"):
        g(3.0, 4.0, 5.0)
    with pytest.raises(TypeError, match="scaled"):
        srcgrad.hessian(scaled)(3.0, 1.0, b=2.0)


# ---- signatures: calls outside what a rule was written for are refused -------------------
def extra_positional(x):
    return np.sum(np.sin(x, x))


def too_few(x):
    return np.sum(np.clip(x, 0.0))


def unknown_keyword(x):
    return np.sum(x, initial=1.0)


def full_of_array(x):
    return np.sum(np.full_like(x, x))


def axis_of_4d(x):
    return np.sum(np.sum(x, axis=0))


def bad_axes(x):
    return np.sum(np.transpose(x, (0, 0, 1)))


def arange_of_active(a):
    return np.sum(np.arange(a, a + 3.0))


def outer_of_matrix(x):
    return np.sum(np.outer(x, x))


def dot_with_out(x):
    return np.sum(np.dot(x, x, x))


@pytest.mark.parametrize("fn,arg,match", [
    (extra_positional, np.ones(3), "np.sin\\(\\) with 2 arguments"),
    (too_few, np.ones(3), "np.clip\\(\\) with 2 arguments"),
    (unknown_keyword, np.ones(3), "keyword argument initial="),
    (full_of_array, np.ones(3), "argument 'v' of full_like\\(\\) is a 1-D float array"),
    (axis_of_4d, np.ones((2, 3, 4, 2)), "argument 'x' of sum_axis\\(\\) is a 4-D float array"),
    (bad_axes, np.ones((2, 3, 4)), "with axes \\(0, 0, 1\\)"),
    (outer_of_matrix, np.ones((2, 2)), "argument 'a' of outer\\(\\) is a 2-D float array"),
    (dot_with_out, np.ones((2, 2)), "np.dot\\(\\) with 3 arguments"),
    (arange_of_active, 1.0, "differentiated value 'a' passed to np.arange\\(\\)"),
])
def test_calls_outside_a_rules_signature_are_located_errors(fn, arg, match):
    with pytest.raises(srcgrad.UnsupportedError, match=match) as e:
        srcgrad.grad(fn)(arg)
    assert "test_trust.py:" in str(e.value)


# ---- internal errors are ours -------------------------------------------------------------
def test_internal_error_names_srcgrad(monkeypatch):
    from srcgrad.passes import cleanup

    def broken(fn_ast, *args):
        raise KeyError("planted")
    monkeypatch.setattr(cleanup, "cleanup", broken)
    with pytest.raises(srcgrad.InternalError) as e:
        srcgrad.grad(scaled, cache=False)(1.0)
    text = str(e.value)
    assert "bug in srcgrad" in text and "scaled()" in text and "planted" in text
    assert not isinstance(e.value, srcgrad.UnsupportedError)


# ---- found by the array fuzzer ---------------------------------------------------------------
def reduced_in_condition(a, M):
    if (np.min(M, axis=1) @ np.mean(M, axis=1)) > 0.253:
        return np.sum(a * a)
    return np.sum(M @ a)


def row_writes_squared(a, M):
    d = np.zeros((3, 4))
    for i in range(3):
        d[i, :] = M[i, :] * a
    return np.sum(d * d)


def branch_local_slice(x, a):
    if x > 0.0:
        s = np.sum(a * a)
    else:
        s = np.sum(a[1:3] ** 3)
    return s


def test_axis_reductions_in_conditions_compile():
    M = np.arange(12.0).reshape(3, 4) / 10
    check_grads(reduced_in_condition, (np.ones(4), M))


def test_row_writes_hessian():
    """Forward over reverse once aliased a tangent with a row view that was then zeroed."""
    M = np.arange(12.0).reshape(3, 4) / 10
    a = np.array([0.3, 0.5, -0.2, 0.7])
    np.testing.assert_allclose(srcgrad.hessian(row_writes_squared)(a, M),
                               np.diag(2 * np.sum(M * M, axis=0)), rtol=1e-12)


def test_adjoint_of_a_value_defined_in_one_branch():
    for x in (0.5, -0.5):
        check_grads(branch_local_slice, (x, np.array([0.3, -0.2, 0.5, 0.9])), wrt=(1,))


# ---- a parameter written through a view of it (found after issue 8: the caller's x changed)
def view_write(x):
    v = x[1:]
    v[0] = 5.0
    return np.sum(v * v)


def view_chain_write(x):
    w = x
    u = w[1:]
    u[0] = u[0] * 3.0
    return np.sum(u * u)


def test_writes_through_a_view_of_a_parameter():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    keep = x.copy()
    np.testing.assert_allclose(srcgrad.grad(view_write)(x), [0.0, 0.0, 6.0, 8.0], rtol=1e-15)
    np.testing.assert_allclose(srcgrad.grad(view_chain_write)(x), [0.0, 36.0, 6.0, 8.0],
                               rtol=1e-15)
    assert np.array_equal(x, keep)
    check_grads(view_chain_write, (x,))


# ---- reshapes are views too (issue 9's shape functions)
def reshape_write(x):
    m = x.reshape(2, 3)
    m[0, 0] = 1.0
    return np.sum(m * m)


def reshape_write_then_read(x):
    m = x.reshape(2, 3)
    m[0, 0] = 1.0
    return np.sum(x * x)


def test_writes_into_a_reshape_of_a_parameter():
    x = np.arange(1.0, 7.0)
    keep = x.copy()
    np.testing.assert_allclose(srcgrad.grad(reshape_write)(x), [0.0, 4, 6, 8, 10, 12], rtol=1e-15)
    assert np.array_equal(x, keep)
    with pytest.raises(srcgrad.UnsupportedError, match="shares memory with 'x'"):
        srcgrad.grad(reshape_write_then_read)(x)


def reshape_write_other_module_name(x):
    m = onp.reshape(x, (2, 3))  # numpy imported under another name: still a view of x
    m[0, 0] = 1.0
    return np.sum(x * x)


def expand_write_then_read(x):
    m = onp.expand_dims(x, 0)
    m[0, 1] = 1.0
    return np.sum(x * x) + np.sum(m)


def test_views_made_through_numpy_under_another_name():
    x = np.arange(1.0, 7.0)
    for f in (reshape_write_other_module_name, expand_write_then_read):
        with pytest.raises(srcgrad.UnsupportedError, match="shares memory with 'x'"):
            srcgrad.grad(f)(x)


def flip_write_then_read(x):
    m = np.flip(x)  # a view: the write changes x too
    m[0] = 1.0
    return np.sum(x * x)


def squeeze_write_then_read(x):
    m = x.squeeze(1)
    m[0] = 1.0
    return np.sum(x * x)


def moveaxis_write_then_read(x):
    m = np.moveaxis(x, 0, 1)
    m[0, 0] = 1.0
    return np.sum(x * x)


def test_views_from_shape_functions_are_aliases():
    """np.flip, squeeze, moveaxis (and transpose, swapaxes, rot90, atleast_*d) return views
    in NumPy: a write into one while the original is still read is refused."""
    for f, x in ((flip_write_then_read, np.arange(1.0, 5.0)),
                 (squeeze_write_then_read, np.ones((3, 1))),
                 (moveaxis_write_then_read, np.ones((2, 3)))):
        with pytest.raises(srcgrad.UnsupportedError, match="shares memory with 'x'"):
            srcgrad.grad(f)(x)


def tail_of(h):
    return h[1:]                  # a view of the caller's array


def tail_through(h):
    v = tail_of(h)
    return v                      # still a view of it, through another helper


def fresh_tail(h):
    return h[1:] * 1.0            # a new array


def rebound_tail(h):
    h = h * 2.0                   # a new array under the parameter's name
    return h[1:]


def written_into_a_rebound_result(x):
    h = x * 1.0
    z = rebound_tail(h)
    z[0] = 3.0 * z[1]
    return np.sum(h * h) + np.sum(z * z)


def row_of(A, i):
    return A[i]                   # a view only when A is 2-D


def halves(h):
    return h[:2], h[2:] * 1.0


def written_through_a_helper(x):
    h = x * 1.0
    z = tail_of(h)
    z[0] = 3.0 * z[1]             # writes into h too (in Python)
    return np.sum(h * h)


def written_through_two_helpers(x):
    h = x * 1.0
    z = tail_through(h)
    z[0] = 3.0 * z[1]
    return np.sum(h * h)


def written_through_a_checkpoint(x):
    h = x * 1.0
    z = srcgrad.checkpoint(tail_of)(h)
    z[0] = 3.0 * z[1]
    return np.sum(h * h)


def written_through_a_tuple(x):
    h = x * 1.0
    a, b = halves(h)
    a[0] = 3.0 * b[0]
    return np.sum(h * h)


def written_into_a_fresh_result(x):
    h = x * 1.0
    z = fresh_tail(h)
    z[0] = 3.0 * z[1]
    return np.sum(h * h) + np.sum(z * z)


def scalar_from_a_row_helper(x):
    s = row_of(x, 1)              # x is 1-D: a number, not a view
    s = s * 2.0
    return np.sum(x * x) + s


def test_a_helpers_result_that_is_a_view_of_an_argument_is_an_alias():
    """Writing into it while the argument is read afterwards gave the value as if the write
    had not reached the argument (4.64 in Python, 2.02 from srcgrad, with no warning)."""
    x = np.linspace(0.1, 1.0, 5)
    for f in (written_through_a_helper, written_through_two_helpers,
              written_through_a_checkpoint, written_through_a_tuple):
        with pytest.raises(srcgrad.UnsupportedError, match="shares memory with 'h'"):
            srcgrad.grad(f, backend="python")(x)
    for f in (written_into_a_fresh_result, written_into_a_rebound_result,
              scalar_from_a_row_helper):
        check_grads(f, (x,), backends=("python",))


def unpacked_alias(x):
    h = x * 1.0
    a, b = h, 2.0                 # a is h
    a[0] = 3.0 * h[1]
    return np.sum(h * h) * b


def asarray_alias(x):
    h = x * 1.0
    v = np.asarray(h)             # h itself
    v[0] = 3.0 * h[1]
    return np.sum(h * h)


def bump(a):
    a += 1.0                      # in place: the caller's array changes


def bumped(x):
    h = x * 1.0
    bump(h)
    return np.sum(h * h)


def write_through_view(a):
    v = a[1:]
    v[0] = 5.0 * a[0]             # writes into the caller's array
    return 0.0


def through_view(x):
    h = x * 1.0
    s = write_through_view(h)
    return np.sum(h * h) + s


def write_then_rebind(a):
    a[0] = 2.0 * a[1]             # the caller's array...
    a = a * 2.0                   # ...then a new one under the same name
    return np.sum(a)


def then_rebind(x):
    h = x * 1.0
    s = write_then_rebind(h)
    return np.sum(h * h) + s


def write_own(a):
    a[0] = 2.0 * a[1]             # reaches the caller's name: supported
    return 0.0


def own_write(x):
    h = x * 1.0
    s = write_own(h)
    return np.sum(h * h) + s


def square_plus_one(t):
    t += 1.0                      # a number: a new value, the caller's is unchanged
    return t * t


def scalar_in_place(x):
    s = 0.0
    for i in range(3):
        s = s + square_plus_one(x[i]) + x[i]
    return s


def test_writes_that_reach_the_callers_array_through_another_name_are_refused():
    """Each of these gave a wrong value or gradient with no warning (np.asarray, a tuple
    assignment, a helper's in-place update of its parameter, a write through a view of it,
    a write before the helper rebinds it)."""
    x = np.linspace(0.1, 1.0, 5)
    for f, name, other in ((unpacked_alias, "a", "h"), (asarray_alias, "v", "h")):
        with pytest.raises(srcgrad.UnsupportedError,
                           match=f"write into '{name}', which shares memory with '{other}'"):
            srcgrad.grad(f, backend="python")(x)
    for f, name in ((bumped, "a"), (through_view, "v"), (then_rebind, "a")):
        with pytest.raises(srcgrad.UnsupportedError,
                           match=f"write into '{name}', which shares memory with the caller's "
                                 "array passed as 'a'"):
            srcgrad.grad(f, backend="python")(x)
    for f in (own_write, scalar_in_place):
        check_grads(f, (x,), backends=("python", "numba"))


def ellipsis_view(x):
    h = x * 1.0
    v = h[...]                    # a view of all of h
    v[0] = 5.0 * h[1]
    return np.sum(h * h)


def list_item_bound_again(x):
    hs = [x * 1.0, x * 2.0]
    hs[0] = hs[1] * 3.0           # the list's first item is a new array
    hs[-1] = hs[-1] * hs[0]
    for i in range(2):
        hs[1] = hs[1] * 0.5 + hs[0]
    if x[0] > 0.0:
        hs[0] = np.sin(hs[0])
    return np.sum(hs[0] * hs[1]) + np.sum(np.stack(hs))


def list_item_in_place(x):
    h = x * 1.0
    hs = [h, x * 2.0]
    hs[0] += hs[1]                # in place: h is the same array, and changes too
    return np.sum(hs[0]) + np.sum(h * h)


def list_item_added_to(x):
    hs = [x * 1.0, x * 2.0, 0.5]
    hs[0] += hs[1]                # no other name for the item: a new binding is the same
    hs[2] += 1.0                  # a number
    return np.sum(hs[0] * hs[0]) * hs[2]


def list_item_at_run_time(x, i):
    hs = [x * 1.0, x * 2.0]
    hs[i] = x * 3.0
    return np.sum(hs[0])


def test_list_items_bound_again_and_views_of_everything():
    """``hs[0] = ...`` of a list of arrays was dropped (the value as if it had not been
    written), and a write through ``h[...]`` too, silently."""
    x = np.linspace(0.1, 1.0, 5)
    with pytest.raises(srcgrad.UnsupportedError, match="write into 'v', which shares memory "
                                                       "with 'h'"):
        srcgrad.grad(ellipsis_view, backend="python")(x)
    check_grads(list_item_bound_again, (x,), backends=("python", "numba"))
    check_grads(list_item_bound_again, (-x,), backends=("python",))
    check_hessian(list_item_bound_again, (x,), "list items bound again")
    check_grads(list_item_added_to, (x,), backends=("python", "numba"))
    with pytest.raises(srcgrad.UnsupportedError, match="write into 'hs', which shares memory "
                                                       "with 'h'"):
        srcgrad.grad(list_item_in_place, backend="python")(x)
    with pytest.raises(srcgrad.UnsupportedError, match=r"hs\[i\] = \.\.\. \(an item of the list "
                                                       "hs by a run-time index"):
        srcgrad.grad(list_item_at_run_time, wrt=0, backend="python")(x, 1)


def writes_its_argument(h):
    h[0] = 0.5 * h[1]
    return np.tanh(h)


def checkpoint_writing_its_argument(x):
    h = x * 1.0
    z = srcgrad.checkpoint(writes_its_argument)(h)
    return np.sum(z * z) + np.sum(h * h)


def test_a_checkpointed_call_that_writes_into_its_argument_is_refused():
    """Its rule cannot say the caller's array changed: the gradient was wrong (0.49 off)."""
    with pytest.raises(srcgrad.UnsupportedError, match="writes into its argument 'h'"):
        srcgrad.grad(checkpoint_writing_its_argument, backend="python")(np.linspace(0.1, 1, 4))


# ---- generated source read back (forward mode over a generated adjoint) is that adjoint's
# own text: every version of f_vjp was registered under the one name "<srcgrad f_vjp>", so
# reading one back after another was made gave the other's code (found by the array fuzzer
# as a crash of a Hessian; it could as well have been a wrong number)
def two_params(x, M):
    return np.sum(np.sin(M @ x)) + np.sum(x * x * x)


def test_each_generated_version_reads_back_as_itself():
    import ast
    from srcgrad import pipeline
    from srcgrad.frontend.source import read_source
    kinds = {"x": ("a", 1, "f"), "M": ("a", 2, "f")}
    made = []
    for wrt in (["x"], ["M"]):
        gen = pipeline.generate(two_params, wrt, kinds, "reverse", cache=False)
        made.append((gen, gen.compile("python", False)._python()))
    for gen, fn in made:
        assert ast.unparse(read_source(fn).tree) == ast.unparse(ast.parse(gen.source).body[0])
    x, M = np.array([0.3, -0.5, 0.8]), np.arange(6.0).reshape(2, 3) / 5
    H = srcgrad.hessian(two_params, wrt=0, backend="python")(x, M)
    g = srcgrad.grad(two_params, wrt=0, backend="python")
    np.testing.assert_allclose(H, fd_jacobian(lambda z: g(z, M), x, h=1e-5), rtol=1e-6, atol=1e-8)


# ---- axes counted from the end reach the compiled helpers as they are ------------------------
def sums_over_minus_two(x):
    return np.sum(np.sum(x, axis=-2) ** 2) + np.sum(np.max(x, axis=-1)) \
        + np.sum(np.mean(x, -2) * np.prod(x, axis=-2))


def sums_over_axis_two(x):
    return np.sum(np.sum(x, axis=2))


def test_negative_axes_in_compiled_reductions():
    """np.sum(x, axis=-2) of a matrix was compiled as a sum over axis 1 (the helpers branch on
    axis == 0): the value 1964.0 where NumPy gives 1134.0, and a wrong gradient, with Numba
    only.  Axes are now normalized (and out-of-range ones raise, as in NumPy)."""
    x = np.arange(12.0).reshape(3, 4) / 10.0 + 0.5
    check_grads(sums_over_minus_two, (x,), backends=("numba",))  # the Python side is NumPy's
    for backend in ("numba", "python"):
        with pytest.raises(ValueError):
            srcgrad.grad(sums_over_axis_two, backend=backend)(x)


def reads_past_the_end(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * x[i + 1]  # at the last i, x[i + 1] is past the end: Python raises
    return s


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_an_index_past_the_end_raises_as_in_python(backend):
    """Compiled code checks indices as NumPy does: without that, the forward sweep read
    garbage and the reverse sweep wrote into other memory, and the gradient came back."""
    x = np.arange(4.0)
    with pytest.raises(IndexError):
        srcgrad.grad(reads_past_the_end, backend=backend)(x)
    with pytest.raises(IndexError):
        srcgrad.jvp(reads_past_the_end, (x,), (np.ones(4),), backend=backend)


# ---- locals named like the helpers generated code calls ---------------------------------------
def named_like_helpers(x):
    unbroadcast = x * 2.0
    sum_axis = unbroadcast * x[:, None]
    np_sum = np.sum(sum_axis, axis=0)
    return np.sum(np_sum * x)


def param_named_like_a_helper(x, unbroadcast):
    return np.sum(x * unbroadcast)


def batch_norm_gain(gamma, x):
    """A batch norm's gain is called gamma, as is the helper generated code calls for
    scipy.special.gamma: the helper is called by its other name, gamma_fn."""
    mu = x.mean(axis=0, keepdims=True)
    sd = np.sqrt(x.var(axis=0, keepdims=True) + 1e-5)
    return np.sum(np.tanh(gamma * (x - mu) / sd)) + np.sum(scipy.special.gamma(x * x + 1.0))


def discounted(rewards, gamma):
    s = 0.0
    for t in range(rewards.shape[0]):
        s = s * gamma + rewards[t] * math.gamma(1.5 + rewards[t] ** 2)
    return s


def calls_its_parameter(x, outer):
    return np.sum(np.sin(outer(x, x)))


def named_like_a_module(x, math):
    return np.sum(x * math)


def test_locals_named_like_helpers_are_renamed():
    check_grads(named_like_helpers, (np.array([0.5, -1.0, 2.0]),), wrt=(0,))


def test_parameters_named_like_helpers_keep_their_names():
    X = np.random.default_rng(3).normal(size=(5, 3))
    check_grads(param_named_like_a_helper, (np.ones(2), np.array([0.5, 2.0])))
    check_grads(batch_norm_gain, (np.array([[0.5, -0.2, 1.1]]), X))
    check_grads(discounted, (np.array([0.3, -0.1, 0.4]), 0.9))
    src = srcgrad.source(batch_norm_gain, wrt=(0, 1), args=(np.ones((1, 3)), X))
    assert "def batch_norm_gain_vjp(gamma, x," in src and "gamma_fn(" in src
    check_hessian(discounted, (np.array([0.3, -0.1, 0.4]), 0.9), "discounted")
    x = np.array([0.3, -0.7])  # a function given as an argument: its calls, not a helper's
    got = srcgrad.grad(calls_its_parameter)(x, np.outer)
    np.testing.assert_allclose(got, 2 * np.cos(np.outer(x, x)) @ x, rtol=1e-12)
    with pytest.raises(srcgrad.UnsupportedError, match="parameter named 'math'"):
        srcgrad.grad(named_like_a_module)(np.ones(2), np.ones(2))


# ---- a condition kept whole whose kind was unknown was taken for a bool (fuzzer seed 8613) -----
def select_on_joined(a, y, T):
    c = np.concatenate((np.prod(0.5 + 0.3 * np.tanh(T), axis=2)[0], a[0:1] * y)) > 0.6
    v = np.select([c, a < -0.3], [a * y, np.sin(a)], 0.1)
    return np.sum(v * v)


def test_unknown_condition_kind_is_not_a_bool():
    T = np.linspace(-1.0, 2.0, 24).reshape(2, 3, 4)
    a = np.array([0.5, -0.5, 0.1, 0.9])
    check_grads(select_on_joined, (a, 2.0, T), wrt=(0, 1))


# ---- an array name rebound to an array of another size (found by fuzzing containers) -------
# The adjoint of the overwritten value restarts at np.zeros_like(old value): when the old value
# was not otherwise needed in the reverse sweep it was not restored, so the zeros took the new
# value's size, and a (1,) adjoint broadcast silently into the (3,) one.
def rebound_in_branches(a, b, c):
    if c > 0:
        v = a
    else:
        v = b
    s = np.sin(v[0]) * 3.0
    v = b * 2.0
    return s + np.sum(np.sin(v))


def tuple_loop_of_sizes(a, b):
    s = 0.0
    for w in (a, b):
        s = s + np.sin(w[0]) * 2.0
    return s


def layers_of_sizes(P, x):
    s = 0.0
    for w, c in P:
        s = s + np.sin(w[0] * x) + c * c
    return s


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_name_rebound_to_another_size_keeps_each_adjoint(c):
    a, b = np.array([0.3, -0.2, 0.5]), np.array([0.7])
    check_grads(rebound_in_branches, (a, b, c), wrt=(0, 1))
    check_grads(tuple_loop_of_sizes, (a, b), wrt=(0, 1))
    ga, gb = srcgrad.grad(tuple_loop_of_sizes, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(ga, [2 * np.cos(0.3), 0.0, 0.0], rtol=1e-12)
    H = srcgrad.hessian(rebound_in_branches, wrt=0, backend="python")(a, b, c)
    np.testing.assert_allclose(H, fd_jacobian(
        lambda x: srcgrad.grad(rebound_in_branches, backend="python")(x, b, c), a), atol=1e-6)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_layers_of_other_sizes_in_a_container(backend):
    P = [(np.array([0.3, -0.2, 0.5]), 0.4), (np.array([0.7]), -0.3)]
    x = 0.9
    gP, gx = srcgrad.grad(layers_of_sizes, wrt=(0, 1), backend=backend)(P, x)
    np.testing.assert_allclose(gP[0][0], [np.cos(0.3 * x) * x, 0.0, 0.0], rtol=1e-12)
    np.testing.assert_allclose(gP[1][0], [np.cos(0.7 * x) * x], rtol=1e-12)
    assert gP[0][1] == pytest.approx(0.8) and gP[1][1] == pytest.approx(-0.6)
    assert gx == pytest.approx(np.cos(0.3 * x) * 0.3 + np.cos(0.7 * x) * 0.7, rel=1e-12)
    _, t = srcgrad.jvp(layers_of_sizes, (P, x), ([(np.ones(3), 0.0), (np.ones(1), 0.0)], 0.0),
                       backend=backend)
    assert t == pytest.approx(np.cos(0.3 * x) * x + np.cos(0.7 * x) * x, rel=1e-12)


# ---- a view read after the array it views was restored (found by fuzzing lists that grow) -
def kron_of_an_einsum_slice(a, M, n):
    acc = np.zeros(4)
    for i in range(n):
        acc = acc + np.sin(np.kron(M[0, 1:3], np.einsum('ij,j->i', M, a)[0:2])) * a[i]
    return np.sum(acc * acc)


@pytest.mark.parametrize("backend", ["python", "numba"])
def test_a_view_is_not_read_after_its_array_is_restored(backend):
    """The adjoint read ``einsum_out[0:2]`` (a view) in M's part of np.kron's adjoint, and
    the clean-up moved that read past the loop that restores einsum_out's elements in
    place: dL/dM was wrong (dL/da right).  Forward substitution now never moves a read of a
    view past a write into the array it views."""
    rng = np.random.default_rng(6)
    a, M = rng.uniform(-1, 1, 4), rng.uniform(-1, 1, (3, 4))
    check_grads(kron_of_an_einsum_slice, (a, M, 3), backends=(backend,))
    gM = srcgrad.grad(kron_of_an_einsum_slice, wrt=1, backend=backend)
    H = srcgrad.hessian(kron_of_an_einsum_slice, wrt=0, backend="python")(a, M, 2)
    g = srcgrad.grad(kron_of_an_einsum_slice, backend="python")
    np.testing.assert_allclose(H, fd_jacobian(lambda v: g(v, M, 2), a, h=1e-5), rtol=1e-5,
                               atol=1e-6)
    assert np.allclose(gM(a, M, 3), fd_jacobian(lambda m: kron_of_an_einsum_slice(a, m, 3), M))


def where_of_numbers(x, y):
    z = np.where(x < 0.5, x * y, np.sin(y))
    return np.cos(z) * x + np.where(y > 0.0, z, 1.0)


@pytest.mark.parametrize("x", [0.3, 0.8])
def test_where_of_numbers_compiles(x):
    """np.where of numbers is a 0-d array in Numba, which math.cos and float variables refuse
    (the gradient fell back to Python): it is a conditional expression now
    (passes/scalar_where.py), compiled with strict=True in both modes, either branch."""
    check_grads(where_of_numbers, (x, 1.3), backends=("numba", "python"))
    check_hessian(where_of_numbers, (x, 1.3), "where of numbers")
    value, _ = srcgrad.value_and_grad(where_of_numbers, wrt=(0, 1), strict=True)(x, 1.3)
    assert value == where_of_numbers(x, 1.3)
