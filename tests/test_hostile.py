"""Hostile input: transforming never runs user code; huge and deeply nested functions transform
in bounded time and recursion depth."""
import importlib.util
import sys
import time

import numpy as np

import srcgrad

def helper(x):
    return x / 0.0      # raises ZeroDivisionError if executed


def would_fail_if_run(x):
    y = helper(x) * 2.0
    z = 1.0 / 0.0       # so does this
    return y * z


def test_transforming_runs_no_user_code():
    text = srcgrad.source(would_fail_if_run, args=(1.0,))   # user code run: would raise
    assert "def would_fail_if_run_vjp" in text


def load(tmp_path, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod.f


def test_deeply_nested_expression(tmp_path):
    e = "x"
    for _ in range(190):  # near Python's own parser limit on nesting
        e = f"math.sin({e} + 0.1)"
    f = load(tmp_path, "deep_expr", f"import math\n\ndef f(x):\n    return {e}\n")
    t = time.perf_counter()
    g = srcgrad.grad(f, backend="python")(0.3)
    assert time.perf_counter() - t < 30
    h = 1e-6
    assert abs(g - (f(0.3 + h) - f(0.3 - h)) / (2 * h)) < 1e-6


def test_many_statements(tmp_path):
    body = "\n".join(f"    s = s * 0.99 + math.sin(x[{k % 5}] * s)" for k in range(600))
    f = load(tmp_path, "long_fn", f"import math\n\ndef f(x):\n    s = 1.0\n{body}\n    return s\n")
    t = time.perf_counter()
    text = srcgrad.source(f, args=(np.ones(5),))
    assert time.perf_counter() - t < 60 and text.count("# grad of:") >= 600
