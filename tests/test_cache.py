"""The on-disk cache: invalidated by a changed callee, safe under concurrent processes,
rebuilt (with a warning) when corrupt, harmless when unwritable, off with cache=False."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pytest

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


def run(tmp_path, cache_dir, helper="v * v * v", prefix=(), script=SCRIPT, **env):
    """``prefix``: a command to run Python under (another user); ``env``: more variables."""
    moddir = tmp_path / "mod"
    moddir.mkdir(exist_ok=True)
    (moddir / "user_mod.py").write_text(MODULE.format(helper=helper))
    env = dict(os.environ, SRCGRAD_CACHE_DIR=str(cache_dir), **env)
    return subprocess.Popen([*prefix, sys.executable, "-c", script.format(moddir=str(moddir))],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


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
    left = [p for p in os.listdir(tmp_path / "c") if p.startswith(("g_", "m_"))]
    assert left == [] and not glob.glob(str(tmp_path / "c" / "__pycache__" / "m_*"))


def test_cache_clear_leaves_other_directories_alone(tmp_path):
    other = tmp_path / "project"
    other.mkdir()
    (other / "g_0123456789abcdef0123456789abcdef.json").write_text("{}")
    (other / "notes.txt").write_text("mine")
    for where in (other, tmp_path / "missing", tmp_path / "dangling"):
        if where.name == "dangling":
            os.symlink(tmp_path / "nowhere", where)
        env = dict(os.environ, SRCGRAD_CACHE_DIR=str(where))
        r = subprocess.run([sys.executable, "-m", "srcgrad", "cache", "clear"], env=env,
                           capture_output=True, text=True)
        assert r.returncode == 0 and "Traceback" not in r.stderr and "nothing cleared" in r.stdout
    assert sorted(os.listdir(other)) == ["g_0123456789abcdef0123456789abcdef.json", "notes.txt"]


def test_untrusted_directories_are_not_used(tmp_path):
    """Writable by others, or owned by another user: one warning, no caching, right numbers."""
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    g, err = result(run(tmp_path, shared))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert "others can write to it" in err and os.listdir(shared) == []
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root can make another user's directory
        theirs = tmp_path / "theirs"
        theirs.mkdir(mode=0o700)
        os.chown(theirs, 12345, -1)
        g, err = result(run(tmp_path, theirs))
        assert "belongs to another user" in err and os.listdir(theirs) == []


def test_new_cache_directory_is_private(tmp_path):
    result(run(tmp_path, tmp_path / "fresh"))
    assert os.stat(tmp_path / "fresh").st_mode & 0o777 == 0o700


def test_planted_entry_is_never_executed(tmp_path):
    """An entry edited after it was written (or a flipped bit in it) fails its checksum: it is
    deleted and rebuilt, and nothing in it runs."""
    cache = tmp_path / "cache"
    result(run(tmp_path, cache))
    marker = tmp_path / "planted"
    import json
    for path in glob.glob(str(cache / "g_*.json")):
        meta = json.load(open(path))
        meta["source"] = (f"open({str(marker)!r}, 'w').close()\n" + meta["source"])
        json.dump(meta, open(path, "w"))
    g, err = result(run(tmp_path, cache))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2] and "checksum" in err
    assert not marker.exists()


def test_a_byte_that_does_not_decode_is_a_rebuild(tmp_path):
    """Found by tools/cache_flips.py: a flipped high bit in a generated module made it
    undecodable, and every later run crashed."""
    cache = tmp_path / "cache"
    result(run(tmp_path, cache))
    for path in glob.glob(str(cache / "m_*.py")):
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] |= 0x80
        open(path, "wb").write(bytes(data))
    g, err = result(run(tmp_path, cache))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2] and "rebuilding" in err


def test_a_planted_pyc_is_never_executed(tmp_path):
    """Python would run ``__pycache__/m_*.pyc`` instead of a module whose size and time it
    matches; srcgrad runs the text it has just compared, never a file read again."""
    import importlib.util
    import marshal
    cache = tmp_path / "cache"
    result(run(tmp_path, cache))
    marker = tmp_path / "planted"
    for path in glob.glob(str(cache / "m_*.py")):
        evil = open(path).read() + f"open({str(marker)!r}, 'w').close()\n"
        st = os.stat(path)  # a .pyc that claims the module's time and size: Python trusts it
        header = importlib.util.MAGIC_NUMBER + bytes(4) + \
            (int(st.st_mtime) & 0xFFFFFFFF).to_bytes(4, "little") + \
            (st.st_size & 0xFFFFFFFF).to_bytes(4, "little")
        pyc = importlib.util.cache_from_source(path)
        os.makedirs(os.path.dirname(pyc), exist_ok=True)
        with open(pyc, "wb") as fh:
            fh.write(header + marshal.dumps(compile(evil, path, "exec")))
    g, err = result(run(tmp_path, cache))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert not marker.exists()


def test_read_only_cache_still_compiles(tmp_path):
    cache = tmp_path / "cache"
    result(run(tmp_path, cache))
    for root, dirs, files in os.walk(cache):
        for f in files:
            os.chmod(os.path.join(root, f), 0o400)
        os.chmod(root, 0o500)
    try:
        g, err = result(run(tmp_path, cache, helper="v * v * v * v"))  # a new function
        assert g == [4 * 0.5 ** 3, 4 * 1.5 ** 3]
        assert "FallbackWarning" not in err and "Traceback" not in err
    finally:
        for root, dirs, files in os.walk(cache):
            os.chmod(root, 0o700)


def _not_root():
    """A command prefix that runs as a user for whom file modes hold (not root)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv"):
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    pytest.skip("root ignores read-only modes, and setpriv is not there to run as another user")


def test_read_only_cache_and_home_as_a_user_still_compile(tmp_path):
    """The case from the issue, as a user the modes apply to: a warm cache made read-only and
    an unwritable home directory.  Numba cannot cache anything: compiled, not cached."""
    prefix = _not_root()
    work = Path(tempfile.mkdtemp(prefix="srcgrad-ro-"))  # pytest's tmp_path is root's only
    try:
        os.chmod(work, 0o777)
        home = work / "home"
        home.mkdir(mode=0o555)
        cache = work / "cache"
        if prefix:
            os.chown(work, 65534, 65534)
        result(run(work, cache, prefix=prefix, HOME=str(home)))
        for root, dirs, files in os.walk(cache):
            for f in files:
                os.chmod(os.path.join(root, f), 0o400)
            os.chmod(root, 0o500)
        os.chmod(work / "mod", 0o555)
        g, err = result(run(work, cache, "v * v * v * v", prefix, HOME=str(home)))
        assert g == [4 * 0.5 ** 3, 4 * 1.5 ** 3]
        assert "FallbackWarning" not in err and "Traceback" not in err, err
        assert "RuntimeError" not in err and "locator" not in err, err
    finally:
        for root, dirs, files in os.walk(work):
            os.chmod(root, 0o700)
        shutil.rmtree(work, ignore_errors=True)


LIMITED = textwrap.dedent("""
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)      # a write past the limit fails instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
""") + SCRIPT


def test_file_size_limit_means_compiled_not_cached(tmp_path):
    """A full disk, or a file-size limit: every write of the cache fails part-way.  The
    gradient is still compiled by Numba (no Python fallback) and no temporary file is left."""
    cache = tmp_path / "cache"
    g, err = result(run(tmp_path, cache, script=LIMITED))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    assert "FallbackWarning" not in err and "Traceback" not in err, err
    left = [f for _, _, files in os.walk(cache) for f in files if ".tmp" in f or "tmp-" in f]
    assert not left, left
    g, err = result(run(tmp_path, cache))  # without the limit: cached again
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2] and "Traceback" not in err


STRICT = SCRIPT.replace("srcgrad.grad(user_mod.f)", "srcgrad.grad(user_mod.f, strict=True)")


def test_strict_mode_never_fails_because_of_the_cache(tmp_path):
    cache = tmp_path / "cache"
    result(run(tmp_path, cache, script=STRICT))
    for path in glob.glob(str(cache / "*.*")) + glob.glob(str(cache / "*" / "*")):
        if not os.path.isfile(path):
            continue
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 0x10
        open(path, "wb").write(bytes(data))
    g, err = result(run(tmp_path, cache, script=STRICT))
    assert g == [3 * 0.5 ** 2, 3 * 1.5 ** 2] and "Traceback" not in err, err


def test_bit_flips_in_every_file_kind_give_the_right_gradient(tmp_path):
    """One flipped bit anywhere in the cache: the right gradient (from a rebuilt entry, with a
    warning), never a crash or a wrong number, and the next run is clean again."""
    cache = tmp_path / "cache"
    want = [3 * 0.5 ** 2, 3 * 1.5 ** 2]
    result(run(tmp_path, cache))
    kinds = ["g_*.json", "m_*.py", "m_*.numba.json", "__pycache__/*.nbi", "__pycache__/*.nbc"]
    rng = np.random.default_rng(0)
    for pattern in kinds:
        paths = sorted(glob.glob(str(cache / pattern)))
        assert paths, pattern
        for _ in range(1):
            path = paths[rng.integers(len(paths))]
            data = bytearray(open(path, "rb").read())
            k = int(rng.integers(len(data)))
            data[k] ^= 1 << int(rng.integers(8))
            open(path, "wb").write(bytes(data))
            g, err = result(run(tmp_path, cache))
            assert g == want, (pattern, k, err)
            paths = sorted(glob.glob(str(cache / pattern))) or paths
    g, err = result(run(tmp_path, cache))
    assert g == want and "CacheWarning" not in err
