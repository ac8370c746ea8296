"""Element loads read once (srcgrad/passes/hoist_loads.py): an input's element a loop step
reads several times is read into a local at the top of the step (``x_i = x[i]``), as a
hand-written adjoint does; only where that cannot change what is read (the array is a
parameter the function never rebinds, the index is made of names the step does not set) nor
read an element the step would not have read (a read inside an ``if``, or after a ``break``).
Each function's derivatives are compared with finite differences in both modes and both
backends, and the Hessian with finite differences of the gradient."""
import math
import re

import numpy as np
import pytest

import srcgrad
from checks import check_grads


def sines(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += math.sin(x[i]) * x[i + 1] ** 2 + math.exp(-x[i])
    return s


def grid(X, w):
    s = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            s += X[i, j] * w[j] * w[j] + math.tanh(X[i, j] * w[j])
    return s


def guarded(x):
    """x[i + 1] is read only when it exists: never read before the test."""
    s = 0.0
    n = x.shape[0]
    for i in range(n):
        s += x[i] * x[i]
        if i + 1 < n:
            s += x[i + 1] * x[i + 1] * x[i]
    return s


def rebound(x):
    """x is rebound (a new array): its elements are not an input's."""
    s = 0.0
    for i in range(x.shape[0] - 1):
        x = x * 0.5
        s += x[i] * x[i] + x[i + 1]
    return s


def written(x, c):
    """The function writes into x (srcgrad copies it first): x changes in the step."""
    s = 0.0
    for i in range(x.shape[0] - 1):
        x[i + 1] = x[i + 1] * c + x[i]
        s += x[i + 1] * x[i + 1]
    return s


def moving_index(x):
    """j changes within the step: x[j] is two elements."""
    s = 0.0
    for i in range(x.shape[0] - 2):
        j = i
        s += x[j] * x[j]
        j = j + 1
        s += x[j] * x[j]
    return s


def early_exit(x, c):
    """A step may end before it reads x[i + 1]: that load stays where the step reads it (the
    forward loop runs: the product needs the values s had)."""
    s = 1.0
    for i in range(x.shape[0] - 1):
        s = s * x[i] + x[i] * x[i]
        if x[i] > c:
            break
        s = s * x[i + 1] + x[i + 1] * x[i + 1]
    return s


FUNCTIONS = {
    "sines": (sines, lambda r: (r.uniform(-1, 1, 9),)),
    "grid": (grid, lambda r: (r.uniform(-1, 1, (4, 3)), r.uniform(-1, 1, 3))),
    "guarded": (guarded, lambda r: (r.uniform(-1, 1, 7),)),
    "rebound": (rebound, lambda r: (r.uniform(-1, 1, 6),)),
    "written": (written, lambda r: (r.uniform(-1, 1, 6), 0.7)),
    "moving_index": (moving_index, lambda r: (r.uniform(-1, 1, 7),)),
    "early_exit": (early_exit, lambda r: (r.uniform(0, 1, 8), 0.9)),
}


def _args(name):
    return FUNCTIONS[name][1](np.random.default_rng(3))


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_derivatives_match_finite_differences(name):
    f = FUNCTIONS[name][0]
    check_grads(f, _args(name), backends=("numba", "python") if name == "sines" else ("python",))


def _loop_body(source):
    lines = source.splitlines()
    start = next(k for k, ln in enumerate(lines) if ln.lstrip().startswith("for ") and
                 "reverse" not in ln)
    return lines[start:]


def test_a_step_reads_each_input_element_once():
    """(x[i] is step i-1's x[i + 1], carried in a local: passes/rotate.py)"""
    src = srcgrad.source(sines, args=_args("sines"))
    body = "\n".join(ln for ln in _loop_body(src) if not ln.lstrip().startswith("#"))
    assert "x_ip1 = x[i + 1]" in body and "x_i = x_ip1" in body, src
    assert len(re.findall(r"\bx\[i\]", body)) == 0, src
    assert len(re.findall(r"\bx\[i \+ 1\]", body)) == 1, src
    # the loads come first in the step, after the comment naming the user's line
    lines = [ln.strip() for ln in _loop_body(src)]
    k = lines.index("x_ip1 = x[i + 1]")
    assert lines[k - 1].startswith("# grad of: s +="), src
    tangent = srcgrad.source(sines, mode="forward", args=_args("sines"))
    assert "x_ip1 = x[i + 1]" in tangent and "dx_ip1 = dx[i + 1]" in tangent, tangent
    assert "x_i = x[0]" in tangent and "dx_i = dx_ip1" in tangent, tangent


def test_two_dimensional_elements_and_inner_loops():
    src = srcgrad.source(grid, wrt=(0, 1), args=_args("grid"))
    assert "X_i_j = X[i, j]" in src and "w_j = w[j]" in src, src


@pytest.mark.parametrize("name,kept", [
    ("rebound", "x[i]"),           # not the caller's array
    ("written", "x[i + 1]"),       # written by the step
    ("moving_index", "x[j]"),      # its index changes in the step
])
def test_loads_that_could_change_or_should_not_run_stay(name, kept):
    f = FUNCTIONS[name][0]
    src = srcgrad.source(f, args=_args(name))
    assert kept in src, src
    local = "x_" + kept[2:-1].replace(" + ", "p").replace(" - ", "m").replace(", ", "_")
    assert f"{local} = {kept}" not in src, src


def test_a_read_inside_an_if_is_loaded_inside_it():
    lines = srcgrad.source(guarded, args=_args("guarded")).splitlines()
    test = next(k for k, ln in enumerate(lines) if ln.strip() == "if _cond1:")
    load = next(k for k, ln in enumerate(lines) if ln.strip() == "x_ip1 = x[i + 1]")
    indent = len(lines[test]) - len(lines[test].lstrip())
    assert load > test and lines[load].startswith(" " * (indent + 4)), "\n".join(lines)


def test_after_an_early_exit_the_load_stays_in_place():
    """The step's rest after the break is guarded by the break's flag: x[i + 1] is loaded
    inside that guard, not at the top of the step."""
    lines = srcgrad.source(early_exit, args=_args("early_exit")).splitlines()
    loop = next(k for k, ln in enumerate(lines) if ln.strip().startswith("for i in range(x."))
    body_indent = len(lines[loop]) - len(lines[loop].lstrip()) + 4
    load = next(k for k, ln in enumerate(lines) if ln.strip() == "x_ip1 = x[i + 1]")
    guard = max(k for k in range(loop, load) if lines[k].strip().startswith("if "))
    assert "_break" in lines[guard - 1] or "_cond" in lines[guard], "\n".join(lines)
    assert len(lines[load]) - len(lines[load].lstrip()) > body_indent, "\n".join(lines)
    first = next(k for k in range(loop, len(lines)) if lines[k].strip() == "x_i = x[i]")
    assert lines[first - 1].strip().startswith("_stack_s.append"), "\n".join(lines)


def test_hessian_with_loads():
    x = _args("sines")[0]
    h = srcgrad.hessian(sines)(x)
    g = srcgrad.grad(sines, backend="python")
    eps = 1e-6
    fd = np.stack([(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(x.size)])
    np.testing.assert_allclose(h, fd, rtol=1e-6, atol=1e-8)


def test_local_names_are_identifiers_for_every_index():
    """A negative constant index (as other passes may write it, ``Constant(-1)``) names its
    local ``x_m1``, not ``x_-1``."""
    import ast
    from srcgrad.passes.hoist_loads import _index_name
    assert _index_name(ast.Constant(-1)) == "m1"
    assert _index_name(ast.parse("x[-2]", mode="eval").body.slice) == "m2"
    assert _index_name(ast.parse("x[i - 1, j + 2]", mode="eval").body.slice) == "im1_jp2"
