"""Carried elements (srcgrad/passes/rotate.py): a forward loop step's ``x[i]``, ``x[i + 1]``
and its additions into ``bx[i]``, ``bx[i + 1]`` are kept in locals that move along one place
a step, and a reverse-sweep loop whose steps commute runs forward when they can be.

Chosen exactly where it cannot change a value nor touch an element the loop did not: every
offset read (or added into) by every step, consecutive offsets, an input never written, an
adjoint array nothing else names.  Each function's derivatives are compared with finite
differences in both modes and both backends, its Hessian with finite differences of the
gradient, and each rotated loop with the same loop unrotated (the pass run on its own)."""
import ast
import math
import re
import textwrap

import numpy as np
import pytest

import srcgrad
from checks import check_grads
from srcgrad.passes.rotate import rotate


def rosen(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def stencil(x, c):
    """Three consecutive offsets, a range that starts at 1."""
    s = 0.0
    for i in range(1, x.shape[0] - 1):
        s += x[i - 1] * x[i] * c + math.sin(x[i + 1] - x[i - 1]) * x[i]
    return s


def periodic(x):
    """x[i - 1] at i = 0 is the last element (as in Python): the same memory as x[n - 1]."""
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i - 1] * x[i] + math.cos(x[i]) * x[i - 1] ** 2
    return s


def rows(X, w):
    """An inner loop along a row: X[k, j], X[k, j + 1], the row the same in every step."""
    s = 0.0
    for k in range(X.shape[0]):
        for j in range(X.shape[1] - 1):
            s += X[k, j] * X[k, j + 1] * w[j] + w[j + 1] * X[k, j]
    return s


def guarded(x, c):
    """x[i + 1] is read (and bx[i + 1] added into) only under an if: left where it was."""
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += x[i] * x[i]
        if x[i] > c:
            s += x[i + 1] * c
    return s


def gapped(x):
    """Offsets 0 and 2, not 1: carrying would read x[i + 1], which no step reads."""
    s = 0.0
    for i in range(x.shape[0] - 2):
        s += x[i] * x[i + 2] * x[i + 2]
    return s


def value_after(x):
    """The loop's value is read again after it: value_and_grad may not fuse it."""
    s = 0.0
    for i in range(x.shape[0] - 1):
        s += x[i] * x[i + 1] ** 2
    return s * s


def row_pairs(X, w):
    """Rows: X[i] and X[i + 1] are views, carried as they are; the additions into bX[i] are
    rows, kept in memory (a local holds one element's sum)."""
    s = 0.0
    for i in range(X.shape[0] - 1):
        s += np.sum(np.sin(X[i]) * X[i + 1] * w)
    return s


def image_smoothness(u):
    """A 2-D stencil as a stranger writes it: u[i, j +- 1] and u[i +- 1, j] in the inner loop
    (rows that differ: nothing carried along j for u, only what is the same row)."""
    s = 0.0
    for i in range(1, u.shape[0] - 1):
        for j in range(1, u.shape[1] - 1):
            s += (u[i, j + 1] - u[i, j - 1]) ** 2 + (u[i + 1, j] - u[i - 1, j]) ** 2 * u[i, j]
    return s


def weighted_window(x, w):
    """Three offsets with weights, the value squared after the loop (both loops carry)."""
    s = 0.0
    for i in range(x.shape[0] - 2):
        s += w[0] * x[i] + w[1] * x[i + 1] + w[2] * x[i + 2] * x[i]
    return s * s


FUNCTIONS = {
    "image_smoothness": (image_smoothness, lambda r: (r.standard_normal((5, 6)),)),
    "weighted_window": (weighted_window, lambda r: (r.standard_normal(9), r.standard_normal(3))),
    "row_pairs": (row_pairs, lambda r: (r.uniform(-1, 1, (4, 3)), r.uniform(-1, 1, 3))),
    "rosen": (rosen, lambda r: (r.uniform(-1, 1.5, 9),)),
    "stencil": (stencil, lambda r: (r.uniform(-1, 1, 8), 0.7)),
    "periodic": (periodic, lambda r: (r.uniform(-1, 1, 7),)),
    "rows": (rows, lambda r: (r.uniform(-1, 1, (3, 5)), r.uniform(-1, 1, 5))),
    "guarded": (guarded, lambda r: (r.uniform(-1, 1, 7), 0.2)),
    "gapped": (gapped, lambda r: (r.uniform(-1, 1, 8),)),
    "value_after": (value_after, lambda r: (r.uniform(-1, 1, 8),)),
}


def _args(name):
    return FUNCTIONS[name][1](np.random.default_rng(5))


def _wrt(name):
    return (0, 1) if name in ("rows", "row_pairs", "weighted_window") else (0,)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_derivatives_match_finite_differences(name):
    f = FUNCTIONS[name][0]
    check_grads(f, _args(name), wrt=_wrt(name))


@pytest.mark.parametrize("name", ["rosen", "stencil", "periodic"])
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_loops_of_no_one_and_two_steps(name, n):
    """The first and last elements are carried in and out only when the loop ran (an empty
    loop reads and writes nothing: no IndexError on an empty array)."""
    f = FUNCTIONS[name][0]
    args = (np.linspace(0.3, 0.9, n),) + _args(name)[1:]
    g = srcgrad.grad(f)(*args)
    gp = srcgrad.grad(f, backend="python")(*args)
    eps = 1e-6
    fd = np.array([(f(*((args[0] + eps * e,) + args[1:])) -
                    f(*((args[0] - eps * e,) + args[1:]))) / (2 * eps) for e in np.eye(n)])
    np.testing.assert_allclose(g, fd.reshape(n), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gp, g, rtol=1e-12, atol=1e-14)


def test_value_and_grad_of_a_carried_loop():
    for name in ("rosen", "value_after", "stencil"):
        f, args = FUNCTIONS[name][0], _args(name)
        value, g = srcgrad.value_and_grad(f)(*args)
        assert value == pytest.approx(f(*args), rel=1e-12)
        np.testing.assert_allclose(g, srcgrad.grad(f, backend="python")(*args), rtol=1e-12)


def _loop_lines(src):
    return [ln.strip() for ln in src.splitlines() if not ln.strip().startswith("#")]


def test_the_gradient_of_rosenbrock_carries_its_elements_forward():
    src = srcgrad.source(rosen, args=_args("rosen"))
    lines = _loop_lines(src)
    assert "for i in range(x.shape[0] - 1):" in lines, src   # forward
    for want in ("x_ip1 = x[i + 1]", "bx[i] += bx_i", "x_i = x_ip1", "bx_i = bx_ip1",
                 "bx[x.shape[0] - 1] += bx_i"):
        assert want in lines, (want, src)
    body = "\n".join(lines)
    assert len(re.findall(r"\bx\[i\]", body)) == 0, src            # read once a step
    assert len(re.findall(r"\bx\[i \+ 1\]", body)) == 1, src
    assert "bx[i + 1]" not in body and body.count("bx[i] += ") == 1, src  # written once


def test_two_loops_carry_the_same_elements_under_the_same_names():
    """The forward loop (its value is read after it) and the reverse loop both carry x[i]
    and x[i + 1]: the same locals in both, set before each loop reads them, and no copies
    left over (``x_i = x_i_2``)."""
    src = srcgrad.source(value_after, args=_args("value_after"))
    lines = _loop_lines(src)
    assert lines.count("x_i = x[0]") == 2 and lines.count("x_ip1 = x[i + 1]") == 2, src
    assert not re.search(r"\bx_i\w*_\d\b", src), src


def test_three_offsets_and_a_row():
    src = srcgrad.source(stencil, args=_args("stencil"))
    lines = _loop_lines(src)
    assert "for i in range(1, x.shape[0] - 1):" in lines, src
    assert "x_im1 = x_i" in lines and "x_i = x_ip1" in lines, src
    src = srcgrad.source(rows, wrt=(0, 1), args=_args("rows"))
    assert "X_k_jp1 = X[k, j + 1]" in _loop_lines(src), src


@pytest.mark.parametrize("name", ["guarded", "gapped"])
def test_elements_not_read_by_every_step_or_with_a_gap_stay_in_memory(name):
    src = srcgrad.source(FUNCTIONS[name][0], args=_args(name))
    assert "bx_i" not in src and "x_i = x_ip" not in src, src
    assert "for i in range(x.shape[0] - " in src and ", -1, -1):" in src, src  # reverse


def test_a_prange_loop_is_not_rotated():
    """Its steps run on several threads: nothing may be carried from one to the next."""
    src = textwrap.dedent('''
        def f(x, bs):
            bx = np.zeros_like(x)
            for i in prange(x.shape[0] - 1):
                bx[i] += x[i] * bs
                bx[i + 1] += x[i + 1] * x[i]
            return bx
        ''')
    out = ast.unparse(rotate(ast.parse(src).body[0], {"bx": 1}))
    assert "bx_i" not in out and "x_ip1" not in out, out


def test_hessians_of_carried_loops():
    for name in ("rosen", "periodic", "image_smoothness"):
        f, x = FUNCTIONS[name][0], _args(name)[0]
        h = srcgrad.hessian(f)(x)
        g = srcgrad.grad(f, backend="python")
        eps = 1e-6
        fd = np.stack([((g(x + eps * e) - g(x - eps * e)) / (2 * eps)).ravel()
                       for e in np.eye(x.size).reshape((x.size,) + x.shape)])
        np.testing.assert_allclose(np.reshape(h, (x.size, x.size)), fd, rtol=1e-5, atol=1e-7)


# ---- the pass on its own: rotated and unrotated loops compute the same ------------------------
PASS_CASES = {
    # rotated
    "window": ("""
        def f(x, bs):
            bx = np.zeros_like(x)
            for i in range(2, x.shape[0]):
                bx[i - 2] += bs * x[i - 1]
                bx[i] -= x[i - 2] * x[i]
                bx[i - 1] += x[i] * bs
            return bx
        """, True),
    "sub_only": ("""
        def f(x, bs):
            bx = np.zeros_like(x)
            for i in range(x.shape[0] - 1):
                bx[i + 1] -= x[i] * bs
                bx[i] += x[i + 1]
            return bx
        """, True),
    # not rotated: a view of the adjoint is read in the loop
    "viewed": ("""
        def f(x, bs):
            bx = np.zeros_like(x)
            v = bx[1:]
            for i in range(x.shape[0] - 2):
                bx[i] += x[i] * v[i]
                bx[i + 1] += x[i + 1] * bs
            return bx
        """, False),
    # not rotated: the adjoint is read in the loop
    "read": ("""
        def f(x, bs):
            bx = np.zeros_like(x)
            for i in range(x.shape[0] - 1):
                bx[i + 1] += bx[i] * 0.5 + x[i]
            return bx
        """, False),
    # not rotated: the range's bound changes in the loop
    "moving_bound": ("""
        def f(x, bs):
            bx = np.zeros_like(x)
            n = x.shape[0] - 1
            for i in range(n):
                bx[i] += x[i] * bs
                bx[i + 1] += x[i + 1]
                n = n - 1
            return bx
        """, False),
    # not rotated: the adjoint is handed to a call
    "escaped": ("""
        def f(x, bs):
            bx = np.zeros_like(x)
            for i in range(x.shape[0] - 1):
                bx[i] += x[i] * bs
                bx[i + 1] += x[i + 1]
            keep(bx)
            return bx
        """, False),
}


def test_additions_into_rows_stay_in_memory():
    src = srcgrad.source(row_pairs, wrt=(0, 1), args=_args("row_pairs"))
    assert "bX[i] += " in src and "bX_i" not in src, src


@pytest.mark.parametrize("case", sorted(PASS_CASES))
def test_the_pass_alone_keeps_values(case):
    text, rotated = PASS_CASES[case]
    text = textwrap.dedent(text)
    fn = ast.parse(text).body[0]
    out = rotate(fn, {"bx": 1})
    new = ast.unparse(ast.fix_missing_locations(out))
    assert ("bx_i" in new) == rotated, new
    ns_a, ns_b = {"np": np, "keep": lambda a: None}, {"np": np, "keep": lambda a: None}
    exec(text, ns_a)
    exec(new, ns_b)
    rng = np.random.default_rng(0)
    for n in range(0, 7):
        x = rng.standard_normal(n)
        np.testing.assert_allclose(ns_b["f"](x, 0.7), ns_a["f"](x, 0.7), rtol=1e-14,
                                   atol=1e-14)
