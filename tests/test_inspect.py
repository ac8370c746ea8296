"""Reading generated code: every generated statement maps to the user's line it comes from
(``.line_map``), an error raised in generated code names that line, and ``dump --side-by-side``
shows each generated line next to it."""
import ast
import linecache
import os
import subprocess
import sys

import numpy as np
import pytest

import srcgrad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def helper(u):
    return np.tanh(u) * u


def loss(x, A):
    s = 0.0
    for i in range(A.shape[0]):
        z = A[i] * x
        if z[0] > 0.0:
            s += helper(z[0])
        s += np.sum(z * z)
    return s


X, A = np.array([0.5, -1.0, 2.0]), np.arange(6.0).reshape(2, 3) * 0.3 - 0.5


def _statement_lines(text):
    tree = ast.parse(text)
    return {n.lineno for n in ast.walk(tree.body[0]) if isinstance(n, ast.stmt)
            and n is not tree.body[0]}


@pytest.mark.parametrize("make", [
    lambda: srcgrad.grad(loss), lambda: srcgrad.value_and_grad(loss),
    lambda: srcgrad.grad(loss, backend="python")])
def test_line_map_covers_every_generated_statement(make):
    g = make()
    g(X, A)
    text, lm = g.source, g.line_map
    assert _statement_lines(text) <= set(lm)
    files = {f for f, _ in lm.values()}
    assert files == {__file__}
    lines = text.split("\n")
    for n, (f, line) in lm.items():  # a "# grad of:" comment names the line it maps to
        if lines[n - 1].strip().startswith("# grad of:"):
            assert lines[n - 1].split("# grad of: ", 1)[1] == linecache.getline(f, line).strip()
    helper_line = helper.__code__.co_firstlineno + 1
    assert any(line == helper_line for _, line in lm.values())


def test_forward_mode_line_map():
    from srcgrad.transforms.derived import generated
    text, lm = generated(loss, mode="forward", args=(X, A))
    assert _statement_lines(text) <= set(lm)
    assert any(lines.strip().startswith("# tangent of:") for lines in text.split("\n"))


def bad_index(x, idx):
    s = 0.0
    for k in range(idx.shape[0]):
        s += x[idx[k]] ** 2   # idx[3] is out of range
    return s


def test_errors_in_generated_code_name_the_users_line():
    with pytest.raises(IndexError) as info:
        srcgrad.grad(bad_index, backend="python")(np.ones(3), np.array([0, 1, 2, 5]))
    line = bad_index.__code__.co_firstlineno + 3
    assert any(f"{__file__}:{line}" in note for note in info.value.__notes__)


def test_dump_side_by_side():
    r = subprocess.run([sys.executable, "-m", "srcgrad", "dump", "tests/test_inspect.py:loss",
                        "--args", "x=f8[:], A=f8[:,:]", "--side-by-side"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    rows = r.stdout.rstrip("\n").split("\n")
    assert all(" │ " in row for row in rows)
    first = loss.__code__.co_firstlineno
    assert any(row.startswith(f"test_inspect.py:{first + 3}") and "z = A[i] * x" in row
               for row in rows)
    assert "\x1b[" not in r.stdout  # piped: plain
    generated = "\n".join(row.split(" │ ", 1)[1] for row in rows)
    assert generated + "\n" == srcgrad.source(loss, kinds="x=f8[:], A=f8[:,:]")


def test_errors_in_compiled_code_say_where_to_look():
    with pytest.raises(IndexError) as info:
        srcgrad.grad(bad_index)(np.ones(3), np.array([0, 1, 2, 5]))
    assert any("backend='python'" in note for note in info.value.__notes__)


def slow_to_compile(x):
    return np.sum(np.tanh(x) * x)


def test_a_long_compile_is_announced_once_at_a_prompt(monkeypatch, capfd):
    from srcgrad.backend import compile as comp
    monkeypatch.setattr(comp, "SLOW_COMPILE", 0.0)
    monkeypatch.setattr(comp, "interactive", lambda: False)
    srcgrad.grad(slow_to_compile)(np.ones(3))            # a script: silent
    assert "compiling" not in capfd.readouterr().err
    monkeypatch.setattr(comp, "interactive", lambda: True)
    monkeypatch.setattr(comp, "_told", set())
    srcgrad.grad(slow_to_compile)(np.ones((2, 2)))       # at a prompt: said once
    srcgrad.grad(slow_to_compile)(np.ones((2, 2, 2)))
    err = capfd.readouterr().err
    assert err.count("srcgrad: compiling slow_to_compile_vjp with Numba") == 1
