"""Globals are read in the namespace of the function that reads them, and only as exact
float64 values; cold and warm (disk cache) runs, each in its own process and cache."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HELPER = """
import numpy as np
W = np.array([1.0, 2.0])
C = 3.0

def helper(x):
    return np.sum(W * x * x) * 0.5 + C * x[0]
"""

MAIN = """
import numpy as np
import srcgrad
from helpermod import helper
from fractions import Fraction

W = np.array([10.0, 20.0])
C = 100.0
K = Fraction(1, 2)

def f(x):
    return helper(x) + np.sum(W * x) * K

def g(x):
    return helper(x) * 1.0

def uses_local_w(x):
    W = x * 2.0
    return helper(x) + np.sum(W)

x = np.array([1.0, 1.0])
print(repr(srcgrad.value_and_grad(f)(x)), srcgrad.grad(g)(x).tolist(),
      srcgrad.grad(uses_local_w)(x).tolist())
"""

# helper: 0.5 (1 + 2) + 3 = 4.5, gradient W x + [3, 0] = [4, 2]; f adds 15 and K W = [5, 10]
EXPECTED = "(19.5, array([ 9., 12.])) [4.0, 2.0] [6.0, 4.0]"


def _run(tmp_path, cache):
    env = dict(os.environ, SRCGRAD_CACHE_DIR=str(cache), PYTHONPATH=str(tmp_path) + os.pathsep + ROOT)
    r = subprocess.run([sys.executable, str(tmp_path / "mainmod.py")], capture_output=True,
                       text=True, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_each_function_reads_its_own_globals_cold_and_warm(tmp_path):
    (tmp_path / "helpermod.py").write_text(HELPER)
    (tmp_path / "mainmod.py").write_text(MAIN)
    cache = tmp_path / "cache"
    assert _run(tmp_path, cache) == EXPECTED   # cold: transforms and writes the cache
    assert _run(tmp_path, cache) == EXPECTED   # warm: generated code read back


def test_constants_with_names_that_ran_together_get_their_own_keys(tmp_path):
    """c = 10, c1 = 5 and c = 15, c1 = 0 once gave one cache key."""
    src = textwrap.dedent("""
        import srcgrad
        c = {c}
        c1 = {c1}
        def f(x):
            return c * x * x + c1 * x
        print(srcgrad.grad(f)(1.0))
    """)
    cache = tmp_path / "cache"
    outs = []
    for c, c1 in ((10, 5), (15, 0)):
        (tmp_path / "mainmod.py").write_text(src.format(c=c, c1=c1))
        outs.append(_run(tmp_path, cache))
    assert outs == ["25.0", "30.0"]


def test_inexact_numbers_are_refused_exact_ones_used():
    import srcgrad
    from fractions import Fraction
    from decimal import Decimal
    g = globals()
    g["HALF"], g["THIRD"], g["TENTH"] = Fraction(1, 2), Fraction(1, 3), Decimal("0.1")
    assert srcgrad.grad(_times_half)(2.0) == 0.5
    for fn in (_times_third, _times_tenth):
        with pytest.raises(srcgrad.UnsupportedError, match="has no exact float64 value"):
            srcgrad.grad(fn)(2.0)


def _times_half(x):
    return x * HALF  # noqa: F821 -- set by the test


def _times_third(x):
    return x * THIRD  # noqa: F821


def _times_tenth(x):
    return x * TENTH  # noqa: F821


THREADS = """
import threading
import numpy as np
import srcgrad

errors, results = [], []
for r in range(20):
    ns = {}
    exec(compile(f"def f(x):\\n    return x * x * {r + 1}.0 + np.sin(x)\\n", f"<round {r}>", "exec"),
         {"np": np}, ns)
    # a file-less function has no source: give it one through linecache, as a notebook does
    import linecache
    text = f"def f(x):\\n    return x * x * {r + 1}.0 + np.sin(x)\\n"
    linecache.cache[f"<round {r}>"] = (len(text), None, text.splitlines(True), f"<round {r}>")
    g = srcgrad.grad(ns["f"])
    barrier = threading.Barrier(8)

    def first_call():
        barrier.wait()
        try:
            results.append(abs(g(0.5) - ((r + 1) * 1.0 + np.cos(0.5))) < 1e-12)
        except Exception as e:
            errors.append(repr(e))
    threads = [threading.Thread(target=first_call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
print(len(errors), sum(results), errors[:3])
"""


def test_first_calls_from_eight_threads(tmp_path):
    (tmp_path / "mainmod.py").write_text(THREADS)
    assert _run(tmp_path, tmp_path / "cache") == "0 160 []"


KEYED = 2.0


def keyed(x, n):
    return x * KEYED * n


def test_every_key_component_changes_the_key(monkeypatch):
    from srcgrad.backend import cache as diskcache
    from srcgrad.frontend.source import read_source
    src = read_source(keyed)
    kinds = {"x": ("s", "f"), "n": ("s", "i")}
    base = diskcache.transform_key(src, ["x"], kinds, "reverse", ())
    variants = [
        diskcache.transform_key(src, ["n"], kinds, "reverse", ()),
        diskcache.transform_key(src, ["x"], kinds, "forward", ()),
        diskcache.transform_key(src, ["x"], {**kinds, "x": ("a", 1, "f")}, "reverse", ()),
        diskcache.transform_key(src, ["x"], kinds, "reverse", ("x",)),
    ]
    monkeypatch.setitem(globals(), "KEYED", 3.0)
    variants.append(diskcache.transform_key(read_source(keyed), ["x"], kinds, "reverse", ()))
    monkeypatch.setitem(globals(), "KEYED", 2.0)
    monkeypatch.setattr(diskcache, "_OWN_CODE", ["a changed srcgrad"])
    variants.append(diskcache.transform_key(src, ["x"], kinds, "reverse", ()))
    monkeypatch.setattr(diskcache.numba, "__version__", "0.0.0")
    variants.append(diskcache.transform_key(src, ["x"], kinds, "reverse", ()))
    assert len({base, *variants}) == len(variants) + 1
