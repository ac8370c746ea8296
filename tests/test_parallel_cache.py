"""A parallel gradient's machine code is cached on disk like any other (runtime/parallel.py
``num_threads``): a second process loads it and compiles nothing, and Numba's warning that
it cannot cache a function ("uses dynamic globals") is never shown.  Also right when Numba
runs the loop on fewer threads than it started."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np

import srcgrad

HERE = os.path.dirname(os.path.abspath(__file__))

SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    warnings.simplefilter("always")
    sys.path.insert(0, {tools!r})
    import numpy as np, srcgrad
    from kernels import per_sample_loss
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((4, 6)), rng.standard_normal(4), rng.standard_normal((50, 6)),
            rng.standard_normal(50))
    g = srcgrad.grad(per_sample_loss, wrt=(0, 1), strict=True)(*args)
    print(json.dumps([[x.tolist() for x in g], srcgrad.compile_stats()]))
""")


def _run(cache):
    r = subprocess.run([sys.executable, "-c", SCRIPT.format(tools=os.path.join(HERE, "..", "tools"))],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, SRCGRAD_CACHE_DIR=str(cache)))
    assert r.returncode == 0, r.stderr
    g, stats = json.loads(r.stdout.strip().splitlines()[-1])
    return g, stats, r.stderr


def test_a_parallel_gradient_is_loaded_by_the_next_process(tmp_path):
    cache = tmp_path / "cache"
    g1, stats1, err1 = _run(cache)
    g2, stats2, err2 = _run(cache)
    for err in (err1, err2):
        assert "Cannot cache" not in err and "NumbaWarning" not in err, err
    assert stats1["numba_compiled"] == 1
    assert stats2["numba_compiled"] == 0 and stats2["numba_cache_hits"] == 1, stats2
    for a, b in zip(g1, g2):
        assert np.array_equal(a, b)
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    from kernels import per_sample_loss
    rng = np.random.default_rng(0)
    args = (rng.standard_normal((4, 6)), rng.standard_normal(4), rng.standard_normal((50, 6)),
            rng.standard_normal(50))
    serial = srcgrad.grad(per_sample_loss, wrt=(0, 1), backend="python")(*args)
    for a, b in zip(g1, serial):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_fewer_threads_than_numba_started():
    """``numba.set_num_threads(1)``: the per-thread copies the gradient sizes by the threads
    running now, and thread 0 does every step."""
    import numba
    sys.path.insert(0, os.path.join(HERE, "..", "tools"))
    from kernels import per_sample_loss
    rng = np.random.default_rng(1)
    args = (rng.standard_normal((4, 6)), rng.standard_normal(4), rng.standard_normal((40, 6)),
            rng.standard_normal(40))
    g = srcgrad.grad(per_sample_loss, wrt=(0, 1))
    full = g(*args)
    was = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        one = g(*args)
        assert srcgrad.runtime.num_threads() == 1
    finally:
        numba.set_num_threads(was)
    serial = srcgrad.grad(per_sample_loss, wrt=(0, 1), backend="python")(*args)
    for a, b, c in zip(full, one, serial):
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(b, c, rtol=1e-12, atol=1e-12)
