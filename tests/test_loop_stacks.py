"""The forward sweep's stacks of saves that one top-level ``for`` fills (passes/step_stacks.py):
when the number of its pushes is known as the loop starts, whatever path it takes, the stack
is an array of that length with a count, made just before the loop; else it stays a list.

Each function's gradient is compared with finite differences (both backends), and with the
source read for which form its stacks took."""
import math

import numpy as np
import pytest

import srcgrad
from checks import check_grads, check_hessian, general_source


def row_maxes(V):
    """mx is saved once per row and once per inner step: N * (1 + (K - 1)) pushes."""
    total = 0.0
    for i in range(V.shape[0]):
        mx = V[i, 0]
        for k in range(1, V.shape[1]):
            mx = max(mx, V[i, k])
        total += mx * mx
    return total


def both_branches(V):
    """Each inner step saves p on either branch: the count is the same either way."""
    total = 0.0
    for i in range(V.shape[0]):
        p = 1.0
        for k in range(V.shape[1]):
            if V[i, k] > 0.0:
                p = p * V[i, k]
            else:
                p = p * math.sin(V[i, k])
        total += p
    return total


def one_branch(V):
    """Only one branch saves p: how many saves depends on the data, so the stack stays a list."""
    total = 0.0
    for i in range(V.shape[0]):
        p = 1.0
        for k in range(V.shape[1]):
            if V[i, k] > 0.0:
                p = p * V[i, k]
        total += p
    return total


def growing_bound(V):
    """The inner loop's bound changes in the outer loop: the count is not known at its start."""
    total = 0.0
    m = 1
    for i in range(V.shape[0]):
        p = 1.0
        for k in range(m):
            p = p * V[i, k]
        m = min(m + 1, V.shape[1])
        total += p
    return total


def wrapped_index(x):
    """An index the index-checks pass cannot prove (a remainder): Numba's checks stay, and
    the array stack is read and written through them."""
    total = 0.0
    n = x.shape[0]
    for i in range(n):
        p = 1.0
        for k in range(n):
            p = p * (0.5 + x[(i + k) % n])
        total += p
    return total


def early_exit(V):
    """An inner loop that may stop early: its saves stay a list."""
    total = 0.0
    for i in range(V.shape[0]):
        p = 1.0
        for k in range(V.shape[1]):
            p = p * V[i, k]
            if p > 4.0:
                break
        total += p
    return total


V = np.random.default_rng(3).standard_normal((5, 4))
X = np.random.default_rng(4).uniform(-1.0, 1.0, 6)


def _forward_sweep(src):
    return src[:src.index("# reverse sweep")]


@pytest.mark.parametrize("f, args, stack", [
    (row_maxes, (V,), "_stack_mx"), (both_branches, (V,), "_stack_p"),
    (wrapped_index, (X,), "_stack_p")])
def test_a_stack_with_a_known_count_is_an_array(f, args, stack):
    src = general_source(f, args)
    fwd = _forward_sweep(src)
    assert f"{stack} = np.empty(len(range(" in fwd, src
    assert f"{stack}_n = 0" in fwd and f"{stack}.append(" not in src, src
    assert f"{stack}_n -= 1" in src[src.index("# reverse sweep"):], src
    check_grads(f, args)


def test_the_array_stacks_keep_the_function_unchecked():
    """The count never passes the array's end, so the index checks pass takes the stack's
    reads and writes as checked; wrapped_index's remainder keeps Numba's checks."""
    assert general_source(row_maxes, (V,)).count(srcgrad.backend.compile.UNCHECKED) == 1
    assert srcgrad.backend.compile.UNCHECKED not in general_source(wrapped_index, (X,))


@pytest.mark.parametrize("f, stack", [
    (one_branch, "_stack_p"), (growing_bound, "_stack_p"), (early_exit, "_stack_p")])
def test_a_stack_whose_count_depends_on_the_path_stays_a_list(f, stack):
    src = general_source(f, (V,))
    assert f"{stack} = [0.0] * 0" in src and f"{stack}.append(" in src, src
    check_grads(f, (V,))


def test_the_hessian_through_an_array_stack():
    check_hessian(row_maxes, (V,), "row_maxes")
    check_hessian(both_branches, (V,), "both_branches")


def test_value_and_grad_and_jvp_agree_over_array_stacks():
    """Forward mode keeps no stacks: its tangent must match the reverse sweep's gradient."""
    u = np.random.default_rng(9).standard_normal(V.shape)
    for f in (row_maxes, both_branches):
        value, g = srcgrad.value_and_grad(f, cache=False)(V)
        assert value == pytest.approx(f(V), rel=1e-13)
        _, tan = srcgrad.jvp(f, (V,), (u,), cache=False)
        assert tan == pytest.approx(float(np.sum(g * u)), rel=1e-10)


def test_empty_loops_make_empty_stacks():
    """No rows, or rows of one element: the arrays are of length 0 or N, and nothing breaks."""
    for shape in [(0, 4), (3, 1)]:
        A = np.random.default_rng(1).standard_normal(shape)
        for backend in ("numba", "python"):
            g = srcgrad.grad(both_branches, backend=backend, cache=False)(A)
            assert g.shape == shape
            h = 1e-6
            for idx in np.ndindex(*shape):
                e = np.zeros(shape)
                e[idx] = h
                fd = (both_branches(A + e) - both_branches(A - e)) / (2 * h)
                assert g[idx] == pytest.approx(fd, rel=1e-6, abs=1e-8)
