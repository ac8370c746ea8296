"""The on-disk cache: invalidated by a changed callee, safe under concurrent processes,
rebuilt (with a warning) when corrupt, harmless when unwritable, off with cache=False."""
import glob
import os
import subprocess
import sys
import textwrap

import numpy as np

import srcgrad

SCRIPT = textwrap.dedent("""
    import sys, warnings
    sys.path.insert(0, {moddir!r})
    warnings.simplefilter("always")
    import numpy as np, srcgrad, user_mod
    g = srcgrad.grad(user_mod.f)(np.array([0.5, 1.5]))
    print(repr(float(g[0])), repr(float(g[1])))
""")

MODULE = textwrap.dedent("""
    import math


    def helper(v):
        return {helper}


    def f(x):
        s = 0.0
        for i in range(x.shape[0]):
            s += helper(x[i])
        return s
""")


def run(tmp_path, cache_dir, helper="v * v * v"):
    moddir = tmp_path / "mod"
    moddir.mkdir(exist_ok=True)
    (moddir / "user_mod.py").write_text(MODULE.format(helper=helper))
    env = dict(os.environ, SRCGRAD_CACHE_DIR=str(cache_dir))
    return subprocess.Popen([sys.executable, "-c", SCRIPT.format(moddir=str(moddir))], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def result(proc):
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return [float(v) for v in out.split()], err


def test_second_process_uses_the_cache(tmp_path):
    cache = tmp_path / "cache"
    g1, _ = result(run(tmp_path, cache))
    assert glob.glob(str(cache / "g_*.json")) and glob.glob(str(cache / "m_*.py"))
    assert glob.glob(str(cache / "__pycache__" / "*.nbi"))  # Numba's machine code
    mtimes = {p: os.path.getmtime(p) for p in glob.glob(str(cache / "*.*"))}
    g2, _ = result(run(tmp_path, cache))
    assert g1 == g2 == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert {p: os.path.getmtime(p) for p in mtimes} == mtimes  # nothing rewritten


def test_changed_callee_invalidates_the_caller(tmp_path):
    cache = tmp_path / "cache"
    g1, _ = result(run(tmp_path, cache, "v * v * v"))
    g2, _ = result(run(tmp_path, cache, "math.sin(v)"))   # only the callee changes
    assert g1 == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert np.allclose(g2, np.cos([0.5, 1.5]))


def test_two_processes_compiling_at_once(tmp_path):
    cache = tmp_path / "cache"
    procs = [run(tmp_path, cache), run(tmp_path, cache)]
    for p in procs:
        g, _ = result(p)
        assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2]


def test_corrupt_entries_are_rebuilt_with_a_warning(tmp_path):
    cache = tmp_path / "cache"
    result(run(tmp_path, cache))
    for path in glob.glob(str(cache / "g_*.json")) + glob.glob(str(cache / "m_*.py")):
        with open(path, "w") as fh:
            fh.write("{not json or python")
    g, err = result(run(tmp_path, cache))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert "CacheWarning" in err and "rebuilding" in err
    g, err = result(run(tmp_path, cache))  # rebuilt: quiet again
    assert "CacheWarning" not in err


def test_unwritable_directory_means_no_caching(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    g, err = result(run(tmp_path, blocker / "cache"))   # cannot be created
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert "Traceback" not in err


def cubes(x):
    return np.sum(x * x * x)


def test_cache_false_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SRCGRAD_CACHE_DIR", str(tmp_path / "c"))
    g = srcgrad.grad(cubes, cache=False)(np.array([1.0, 2.0]))
    assert np.allclose(g, [3.0, 12.0])
    assert not (tmp_path / "c").exists()
    g = srcgrad.grad(cubes)(np.array([1.0, 2.0]))
    assert np.allclose(g, [3.0, 12.0]) and glob.glob(str(tmp_path / "c" / "g_*.json"))


def test_cli_cache_info_and_clear(tmp_path):
    env = dict(os.environ, SRCGRAD_CACHE_DIR=str(tmp_path / "c"))
    result(run(tmp_path, tmp_path / "c"))
    out = subprocess.run([sys.executable, "-m", "srcgrad", "cache", "info"], env=env,
                         capture_output=True, text=True).stdout
    assert "entries:   1" in out
    subprocess.run([sys.executable, "-m", "srcgrad", "cache", "clear"], env=env, check=True)
    assert not (tmp_path / "c").exists()
