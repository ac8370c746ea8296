"""Bit flips in the disk cache, hundreds of them: every run must give the right gradient (from
the cache or from a rebuilt entry), never a crash, a hang or a wrong number.

    python tools/cache_flips.py --flips 300 --seed 0

Each round flips one random bit of one random cache file (srcgrad's entries ``g_*.json``,
generated modules ``m_*.py``, their Numba checksums ``m_*.numba.json``, Numba's own
``.nbi``/``.nbc`` files, and the runtime helpers' ``.nbi``, ``.nbc`` and ``.sums``), then runs
a fresh Python process that takes a gradient through the cache.  For a helper's file the
generated code is deleted first, as for a new function, so that the helpers are loaded.  The test suite runs a few flips per file kind (tests/test_cache.py); this is the long
run.  Prints a line per failure and a summary; exits 1 if anything failed.
"""
import argparse
import glob
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time

MODULE = textwrap.dedent("""
    import math

    import numpy as np


    def helper(v):
        return math.sin(v) * v * v


    def f(x):
        s = np.sum(np.outer(x, x) * np.tanh(x))  # through runtime helpers (outer, unbroadcast)
        for i in range(x.shape[0]):
            s += helper(x[i])
        return s
""")

SCRIPT = textwrap.dedent("""
    import sys, warnings
    sys.path.insert(0, {moddir!r})
    warnings.simplefilter("always")
    import numpy as np, srcgrad, user_mod
    x = np.array([0.5, 1.5, -0.7])
    g = srcgrad.grad(user_mod.f)(x)
    t = np.tanh(x)
    want = np.sin(x) * 2 * x + np.cos(x) * x * x + x @ t + np.sum(x) * t \\
        + np.sum(x) * x * (1 - t * t)
    print("OK" if np.allclose(g, want, rtol=1e-12, atol=0) else f"WRONG {{g}} {{want}}")
""")

KINDS = ["g_*.json", "m_*.py", "m_*.numba.json", "__pycache__/*.nbi", "__pycache__/*.nbc",
         "runtime-*/*.nbi", "runtime-*/*.nbc", "runtime-*/*.sums"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(moddir, cache):
    env = dict(os.environ, SRCGRAD_CACHE_DIR=cache, PYTHONPATH=ROOT)
    try:
        p = subprocess.run([sys.executable, "-c", SCRIPT.format(moddir=moddir)], env=env,
                           capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return "HANG", ""
    if p.returncode != 0:
        return f"CRASH (status {p.returncode})", p.stderr[-2000:]
    out = p.stdout.strip().splitlines()
    return (out[-1] if out else "NO OUTPUT"), p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--flips", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="srcgrad-flips-")
    moddir, cache = os.path.join(work, "mod"), os.path.join(work, "cache")
    os.makedirs(moddir)
    with open(os.path.join(moddir, "user_mod.py"), "w") as fh:
        fh.write(MODULE)
    status, err = run(moddir, cache)
    assert status == "OK", (status, err)
    failures, rebuilt, t0 = 0, 0, time.time()
    for n in range(args.flips):
        kind = KINDS[n % len(KINDS)]
        paths = sorted(glob.glob(os.path.join(cache, kind)))
        if not paths:
            status, err = run(moddir, cache)  # a rebuild may not have happened yet
            paths = sorted(glob.glob(os.path.join(cache, kind)))
            if not paths:
                print(f"flip {n}: no {kind} file in the cache")
                failures += 1
                continue
        path = rng.choice(paths)
        with open(path, "rb") as fh:
            data = bytearray(fh.read())
        k, bit = rng.randrange(len(data)), rng.randrange(8)
        data[k] ^= 1 << bit
        with open(path, "wb") as fh:
            fh.write(bytes(data))
        if kind.startswith("runtime-"):  # a new function: its generated code is not there
            for p in glob.glob(os.path.join(cache, "[gm]_*")) + \
                    glob.glob(os.path.join(cache, "__pycache__", "*")):
                os.remove(p)
        status, err = run(moddir, cache)
        rebuilt += "CacheWarning" in err
        if status != "OK":
            failures += 1
            last = "\n    ".join(err.strip().splitlines()[-3:])
            print(f"flip {n}: {os.path.relpath(path, cache)} byte {k} bit {bit}: {status}\n    {last}",
                  flush=True)
    print(f"{args.flips} flips in {time.time() - t0:.0f} s: {failures} failures, "
          f"{rebuilt} runs rebuilt an entry (with a CacheWarning), the rest were unaffected")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
