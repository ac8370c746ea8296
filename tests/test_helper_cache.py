"""The runtime helpers' machine code on disk (backend/helper_cache.py): compiled by the first
process, loaded by a later one for another function, checked before it is loaded, and never
the reason a gradient fails or is wrong."""
import glob
import os
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    sys.path.insert(0, {moddir!r})
    warnings.simplefilter("always")
    import numpy as np, srcgrad
    from numba.core import event

    compiled = []  # the runtime helpers Numba compiled in this process (not loaded)
    allocations = []  # Numba's own implementations of np.zeros_like and np.full_like

    class Count(event.Listener):
        def on_start(self, ev):
            fn = ev.data["dispatcher"].py_func
            if fn.__module__.startswith("srcgrad.runtime"):
                compiled.append(fn.__qualname__)
            elif fn.__qualname__.startswith(("ol_np_zeros_like.", "impl_np_full_like.")):
                allocations.append(fn.__qualname__)

        def on_end(self, ev):
            pass

    event.register("numba:compile", Count())
    import {module} as m
    g = srcgrad.grad(m.f, strict=True)(np.array({x}), np.array({A}))
    print(json.dumps([g.tolist(), compiled, allocations]))
""")

MODULE = textwrap.dedent("""
    import numpy as np


    def f(x, A):
        return {scale} * (np.sum(np.tanh(A * x) ** 2) + np.sum(np.outer(x, x) * A))
""")

X = [0.5, -1.5, 2.0]
A = [[1.0, 2.0, -1.0], [0.5, -3.0, 2.0], [-1.0, 0.25, 0.5]]


def expected(scale):
    """The gradient in closed form: sum_i 2 tanh(A_ij x_j) (1 - tanh^2) A_ij from the first
    term, sum_i (A_ij + A_ji) x_i from the second."""
    x, M = np.array(X), np.array(A)
    t = np.tanh(M * x)
    return scale * (np.sum(2 * t * (1 - t * t) * M, axis=0) + (M + M.T) @ x)


def run(tmp_path, cache, scale=1.0, prefix="", allocations=None):
    module = f"mod_{str(scale).replace('.', '_')}"
    moddir = tmp_path / "mod"
    moddir.mkdir(exist_ok=True)
    (moddir / f"{module}.py").write_text(MODULE.format(scale=scale))
    code = prefix + SCRIPT.format(moddir=str(moddir), module=module, x=X, A=A)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env=dict(os.environ, SRCGRAD_CACHE_DIR=str(cache)), timeout=300)
    assert r.returncode == 0, r.stderr
    import json
    g, compiled, allocated = json.loads(r.stdout.strip().splitlines()[-1])
    if allocations is not None:
        allocations.append(allocated)
    assert np.allclose(g, expected(scale), rtol=1e-13, atol=0), (g, expected(scale))
    assert "FallbackWarning" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    return compiled, r.stderr


def helper_files(cache, pattern="*"):
    return sorted(glob.glob(str(cache / "runtime-*" / pattern)))


def test_a_new_function_in_a_new_process_loads_the_helpers(tmp_path):
    cache = tmp_path / "cache"
    allocations = []
    compiled, err = run(tmp_path, cache, allocations=allocations)
    assert compiled, "the first process compiles the helpers"
    assert helper_files(cache, "*.nbi") and helper_files(cache, "*.sums")
    compiled, err = run(tmp_path, cache, scale=3.0, allocations=allocations)  # another
    assert compiled == [], compiled  # function: its own code is new
    # np.zeros_like and np.full_like in the generated code: srcgrad's implementations
    # (runtime/cached_numpy.py), cached as the helpers are; Numba's own are never compiled
    assert allocations == [[], []], allocations
    assert helper_files(cache, "cached_numpy._ol_full_like*.nbi")
    assert "CacheWarning" not in err and "NumbaWarning" not in err, err


def test_damaged_helper_code_is_recompiled(tmp_path):
    """A flipped bit in any of the helpers' files: the right gradient, with a warning, and
    the next process loads the rebuilt files quietly."""
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    rng = np.random.default_rng(1)
    # (files of helpers the generated code calls: one that only another helper calls, as
    # _unbroadcast_2d calls np.ascontiguousarray, is linked into its caller's cached code
    # and not loaded on its own)
    for k, pattern in enumerate(("products.*.nbi", "broadcast.*.nbc", "broadcast.*.sums")):
        paths = helper_files(cache, pattern)
        path = paths[k % len(paths)]
        data = bytearray(open(path, "rb").read())
        data[int(rng.integers(len(data)))] ^= 1 << int(rng.integers(8))
        open(path, "wb").write(bytes(data))
        # a new function each time (a cached one would load no helper)
        compiled, err = run(tmp_path, cache, scale=2.0 + k)
        assert "CacheWarning" in err and "runtime helper" in err, err
        assert len(compiled) == 1, compiled  # that helper compiled again, the others loaded
    compiled, err = run(tmp_path, cache, scale=5.0)
    assert compiled == [] and "CacheWarning" not in err, err


def test_a_file_srcgrad_did_not_write_is_never_loaded(tmp_path):
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    for path in helper_files(cache, "*.sums"):
        os.remove(path)  # as if the code files came from elsewhere
    compiled, err = run(tmp_path, cache, scale=2.0)
    assert compiled and "CacheWarning" in err


LIMITED = textwrap.dedent("""
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
""")


def test_helpers_that_cannot_be_written_are_compiled_not_cached(tmp_path):
    """A full disk: every write of a helper's code fails part-way, where Numba would raise.
    The gradient is still compiled (strict mode: no fallback) and no temporary file is left."""
    cache = tmp_path / "cache"
    compiled, err = run(tmp_path, cache, prefix=LIMITED)
    assert compiled
    assert not [f for f in helper_files(cache) if ".tmp" in f]
    compiled, err = run(tmp_path, cache)  # without the limit: cached, then loaded
    compiled, err = run(tmp_path, cache, scale=2.0)
    assert compiled == []


def test_cache_clear_removes_the_helpers(tmp_path):
    cache = tmp_path / "cache"
    run(tmp_path, cache)
    assert helper_files(cache)
    env = dict(os.environ, SRCGRAD_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-m", "srcgrad", "cache", "clear"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert "cleared" in out and not glob.glob(str(cache / "runtime-*"))
