"""First-call time of a gradient against Numba's compile of the function itself, each in a
new process, as a new user meets it: the MLP of examples/mlp.py, a softmax cross-entropy, a
Huber loss and an RNN (tools/kernels.py ``FIRST_CALL``).

    python tools/first_call.py            # the table in docs/benchmarks.md

Columns, each the first call's time in a fresh process after imports:
- Numba primal: ``numba.njit(f)(*args)`` (Numba's own compile, no cache), or where Numba
  cannot compile ``f`` itself (``np.max(..., axis=1)``), srcgrad's primal (the same function
  written in Numba's subset: marked *);
- srcgrad cold: ``grad(f)(*args)`` with an empty disk cache (transform and compile);
- srcgrad, helpers cached: the same, a new function as far as the cache knows (its generated
  code is not there), with the runtime helpers' machine code that an earlier process cached
  (srcgrad/backend/helper_cache.py): any function after a user's first;
- srcgrad warm: the same in a second process reading the cache the first one wrote;
- njit(cache=True) warm: the primal compiled with Numba's cache, in a second process (the
  floor a warm first call can reach); where Numba cannot compile ``f``, a plain one-line
  function's (marked *).
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CHILD = r"""
import json, sys, time
sys.path.insert(0, {here!r})
sys.path.insert(0, {root!r})
import numba, numpy as np
import srcgrad
from kernels import FIRST_CALL, KERNELS
if {size!r} is None:
    f, args, wrt = FIRST_CALL[{name!r}]()
else:  # a benchmark kernel (tools/bench.py) at that size
    f, wrt, make = KERNELS[{name!r}][:3]
    args = make({size!r})
t = time.perf_counter()
def srcgrad_primal():  # the function in Numba's subset (np.max(axis=...) written as loops)
    from srcgrad.transforms.args import prepare
    from srcgrad.transforms.derived import Derived
    d = Derived(f, wrt)
    a = prepare(args, d.params)
    d.specialize(a, mode="primal")[1](*a)
fell_back = False
if {how!r} == "primal":
    try:
        numba.njit(f)(*args)
    except numba.core.errors.TypingError:
        fell_back = True  # timed again in a new process: this attempt warmed Numba up
elif {how!r} == "srcgrad primal":
    srcgrad_primal()
elif {how!r} == "cached primal":
    numba.njit(f, cache=True)(*args)
elif {how!r} == "floor":  # a plain function, where Numba cannot compile f
    from kernels import plain_floor
    numba.njit(plain_floor, cache=True)(np.ones(3))
else:
    srcgrad.grad(f, wrt=wrt)(*args)
print(json.dumps([time.perf_counter() - t, fell_back]))
"""


def run(name, how, env, size=None):
    code = CHILD.format(here=HERE, root=ROOT, name=name, how=how, size=size)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(name, size=None):
    """(Numba primal, srcgrad cold, srcgrad with the helpers cached, srcgrad warm,
    njit(cache=True) warm, whether the primal fell back to srcgrad's): seconds, each a first
    call in a new process.  ``size``: a benchmark kernel of tools/kernels.py ``KERNELS`` at
    that size, else ``FIRST_CALL[name]``."""
    with tempfile.TemporaryDirectory(prefix="srcgrad-first-call-") as cache, \
            tempfile.TemporaryDirectory(prefix="srcgrad-first-call-") as helpers:
        env = dict(os.environ, SRCGRAD_CACHE_DIR=cache, NUMBA_CACHE_DIR=cache)
        env.pop("NUMBA_OPT", None)  # the user's default optimization level
        primal, fell_back = run(name, "primal", env, size)
        if fell_back:  # Numba cannot compile f: srcgrad's primal, alone in a new process
            primal = run(name, "srcgrad primal", env, size)[0]
        cold = run(name, "grad", env, size)[0]
        warm = run(name, "grad", env, size)[0]
        # a cache holding only the helpers the cold call compiled
        for d in glob.glob(os.path.join(cache, "runtime-*")):
            shutil.copytree(d, os.path.join(helpers, os.path.basename(d)))
        new = run(name, "grad", dict(env, SRCGRAD_CACHE_DIR=helpers, NUMBA_CACHE_DIR=helpers),
                  size)[0]
        floor = "floor" if fell_back else "cached primal"
        run(name, floor, env, size)
        cached_primal = run(name, floor, env, size)[0]
    return primal, cold, new, warm, cached_primal, fell_back


def main():
    sys.path.insert(0, HERE)
    from kernels import FIRST_CALL
    print("| function | Numba primal | srcgrad cold | cold / primal | srcgrad, helpers cached "
          "| helpers cached / primal | srcgrad warm | njit(cache=True) warm "
          "| warm / cached primal |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in FIRST_CALL:
        p, c, n, w, cp, star = measure(name)
        mark = " *" if star else ""
        print(f"| {name} | {p:.2f} s{mark} | {c:.2f} s | {c / p:.2f} | {n:.2f} s | {n / p:.2f} "
              f"| {w:.2f} s | {cp:.2f} s{mark} | {w / cp:.2f} |", flush=True)


if __name__ == "__main__":
    main()
