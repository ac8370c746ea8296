"""A battery of functions a new user writes on the first day, each checked against finite
differences in reverse and forward mode (Numba backend): what srcgrad gets right, what it
refuses (a located error, fine), and what it gets WRONG (a bug: fix it and keep the case as a
regression test).  The cases live in tools/day_one_forms.py, tools/day_one_numpy.py,
tools/day_one_arrays.py, tools/day_one_science.py, tools/day_one_broadcast.py,
tools/day_one_stats.py, tools/day_one_ml.py, tools/day_one_kernels.py and
tools/day_one_scopes.py.

    python tools/day_one.py                 # every case; exit 1 if any is WRONG or crashes
    python tools/day_one.py -k normalize    # the cases whose name holds "normalize"

Session 29 found with it, and fixed: y[1:] *= c and A[i] /= norm(A[i]) (views read by the
adjoint after their base was written: wrong gradients), a Riccati iteration from inv(Q)
falling back to Python, and a dozen forms that were refused (tests/test_python_forms.py).
"""
import argparse
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import srcgrad  # noqa: E402

rng = np.random.default_rng(0)
CASES = []


def case(*args):
    """Check the function at ``args`` (its first argument is differentiated)."""
    def deco(f):
        CASES.append((f, args))
        return f
    return deco


def _copy(a):
    return a.copy() if isinstance(a, np.ndarray) else a


def fd_grad(f, args, h=1e-6):
    x = np.asarray(args[0], dtype=float)
    out = np.zeros(x.size)
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        e = e.reshape(x.shape)
        up = f(*((x + e if x.ndim else float(x) + h),) + tuple(map(_copy, args[1:])))
        down = f(*((x - e if x.ndim else float(x) - h),) + tuple(map(_copy, args[1:])))
        out[k] = (up - down) / (2 * h)
    return out.reshape(x.shape) if x.ndim else out[0]


def check(f, args):
    """("ok" | "refused" | "WRONG" | "crash", detail)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            g = srcgrad.grad(f)(*map(_copy, args))
            v = rng.standard_normal(np.shape(args[0])) if np.ndim(args[0]) else 0.7
            rest = tuple((np.zeros_like(a) if a.dtype.kind == "f" else None)
                         if isinstance(a, np.ndarray) else 0.0 for a in args[1:])
            _, t = srcgrad.jvp(f, tuple(map(_copy, args)), (v,) + rest)
        except srcgrad.UnsupportedError as e:
            return "refused", str(e).splitlines()[0]
        except Exception as e:  # noqa: BLE001 -- any other failure is a finding
            return "crash", f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    ref = fd_grad(f, args)
    scale = 1.0 + np.max(np.abs(ref))
    err = np.max(np.abs(np.asarray(g) - ref)) / scale
    ferr = abs(t - np.sum(ref * v)) / (1.0 + abs(np.sum(ref * v)))
    if err > 1e-5 or ferr > 1e-5:
        return "WRONG", f"reverse {err:.1e}, forward {ferr:.1e} from finite differences"
    return "ok", ""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="only the cases whose name holds this")
    opts = ap.parse_args(argv)
    import day_one  # (run as a script, this module is __main__: the cases register there)
    import day_one_arrays  # noqa: F401 -- the cases register themselves
    import day_one_broadcast  # noqa: F401
    import day_one_forms  # noqa: F401
    import day_one_numpy  # noqa: F401
    import day_one_science  # noqa: F401
    import day_one_ml  # noqa: F401
    import day_one_stats  # noqa: F401
    import day_one_kernels  # noqa: F401
    import day_one_scopes  # noqa: F401
    counts = {}
    for f, args in day_one.CASES:
        if opts.k not in f.__name__:
            continue
        what, detail = check(f, args)
        counts[what] = counts.get(what, 0) + 1
        print(f"{what:8s} {f.__name__}{': ' + detail if detail else ''}", flush=True)
    print(", ".join(f"{n} {w}" for w, n in sorted(counts.items())))
    return 1 if counts.get("WRONG") or counts.get("crash") else 0


if __name__ == "__main__":
    sys.exit(main())
