"""Argument kinds given as text (``--args``, ``kinds=``), read from annotations, or guessed
(and then said so): the generated code for given kinds is the code a call with arguments of
those kinds generates."""
import os
import subprocess
import sys

import numba
import numpy as np
import pytest

import srcgrad
from srcgrad import kinds as K

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def step(x, A, n, s):
    y = x
    for k in range(n):
        y = np.tanh(A @ y) * s
    return np.sum(y * y)


def annotated(x: "f8[:]", A: numba.float64[:, :], n: int, s: float):  # noqa: F821
    y = x
    for k in range(n):
        y = np.tanh(A @ y) * s
    return np.sum(y * y)


def cumulative_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] ** 2
    return s


def cumulative(x):
    return np.sum(np.cumsum(x))


ARGS = (np.array([0.1, 0.2, 0.3]), np.eye(3) * 0.5, 2, 1.5)


@pytest.mark.parametrize("text,want", [
    ("x=f8[:], A=f8[:,:], n=int, s=float",
     {"x": ("a", 1, "f"), "A": ("a", 2, "f"), "n": K.INT, "s": K.FLOAT}),
    ("f8[:], float64[:, :], i8, f8",
     {"x": ("a", 1, "f"), "A": ("a", 2, "f"), "n": K.INT, "s": K.FLOAT}),
    ("n=int64, x=f8[:,:,:]", {"n": K.INT, "x": ("a", 3, "f")}),
    ("s=bool", {"s": K.BOOL}), ("x=f8[3], A=f8[2,3]", {"x": ("a", 1, "f"), "A": ("a", 2, "f")}),
])
def test_parse(text, want):
    assert K.parse(text, ["x", "A", "n", "s"]) == want


@pytest.mark.parametrize("text,message", [
    ("x=f4[:]", "unknown type 'f4'"), ("y=f8", "'y' is not a parameter"),
    ("x=f8, x=f8", "given twice"), ("x=f8[a]", "dimensions"), ("f8, f8, f8, f8, f8", "more kinds"),
    ("x=", "cannot read"),
])
def test_parse_errors_say_what(text, message):
    with pytest.raises(srcgrad.SrcgradError, match=message):
        K.parse(text, ["x", "A", "n", "s"])


def test_given_kinds_give_the_source_of_a_call():
    g = srcgrad.grad(step)
    g(*ARGS)
    after_call = g.source
    assert srcgrad.source(step, kinds="x=f8[:], A=f8[:,:], n=int, s=f8") == after_call
    assert srcgrad.source(step, kinds={"x": "f8[:]", "A": numba.float64[:, :], "n": int,
                                       "s": float}) == after_call
    assert srcgrad.source(step, args=ARGS) == after_call
    with pytest.raises(srcgrad.SrcgradError, match="not both"):
        srcgrad.source(step, args=ARGS, kinds="x=f8[:]")


def test_annotations_are_read_and_guesses_said():
    g = srcgrad.grad(annotated)
    text = g.source   # before any call: from the annotations, nothing guessed
    assert not text.startswith("# argument kinds guessed")
    g(*ARGS)
    assert g.source == text
    guessed = srcgrad.grad(cumulative_loop).source
    assert guessed.startswith("# argument kinds guessed: x: 1-D float array (guessed")
    assert "(guessed from its use)" in guessed.splitlines()[0]
    part = srcgrad.source(step, kinds="x=f8[:], A=f8[:,:]")  # n and s guessed, x and A given
    first = part.splitlines()[0]
    assert "x: 1-D float array," in first and "n: integer (guessed" in first


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "srcgrad", *args], capture_output=True,
                          text=True, cwd=ROOT, env=env)


def test_cli_args_give_the_source_of_a_call():
    g = srcgrad.grad(step)
    g(*ARGS)
    r = run("dump", "tests/test_kinds.py:step", "--args", "x=f8[:], A=f8[:,:], n=int, s=f8")
    assert r.returncode == 0, r.stderr
    assert r.stdout == g.source
    r = run("dump", "tests/test_kinds.py:step", "--args", "x=f8[:], n=q")
    assert r.returncode == 2 and "unknown type 'q'" in r.stderr and "Traceback" not in r.stderr
    r = run("check", "tests/test_kinds.py:cumulative")
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("check", "tests/test_kinds.py:cumulative", "--args", "x=f8[:,:]")
    assert r.returncode == 1 and "axis" in r.stdout and "Traceback" not in r.stdout + r.stderr


def test_colour_is_pygments_and_only_on_a_terminal(monkeypatch):
    from srcgrad import cli
    text = "def f(x):\n    # grad of: y\n    return x\n"
    coloured = cli.colorize(text)
    assert "\x1b[" in coloured and "return" in coloured

    class Tty:
        def isatty(self):
            return True
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cli.use_color(Tty(), no_color=False)
    assert not cli.use_color(Tty(), no_color=True)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.use_color(Tty(), no_color=False)
    assert not cli.use_color(sys.stdout if not sys.stdout.isatty() else open(os.devnull),
                             no_color=False)
