"""Loop checkpointing: peak memory and gradient time of srcgrad's compiled gradient without
checkpoints, with s = 10, 30, 100 snapshots and with memory="8MB", on a 1-D heat equation
(N = 1000 cells, T = 10**5 steps) and the scalar ODE of tools/kernels.py (T = 10**6).

    python tools/bench_checkpoint.py            # full sizes (a few minutes)
    python tools/bench_checkpoint.py --quick    # T / 10

Memory is the process's peak resident memory one warm gradient call adds (Linux: the peak is
reset through /proc/self/clear_refs after freed memory is returned with malloc_trim, then
VmHWM - VmRSS), each configuration in a fresh process; time is the best of 3 warm calls in
this process, and the ratio is against the gradient without checkpoints measured in the same
run.  Peers where installed (``pip install -e ".[bench]"``, tools/peers_checkpoint.py): PyTorch
with ``torch.utils.checkpoint`` over s segments (at T = 10**4: a Python loop of tensor calls),
JAX with ``jax.checkpoint`` around each of s segments of a ``lax.scan``; their ratio is to
their own gradient without checkpoints.  Writes docs/checkpointing-bench.md and
docs/checkpointing.png.
"""
import argparse
import ctypes
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import peers_checkpoint  # noqa: E402
import srcgrad  # noqa: E402
from kernels import recurrence  # noqa: E402
from peers import _vm, timings  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "examples"))
from loop_checkpoint import heat  # noqa: E402  (the example's heat equation)
from srcgrad.runtime.checkpoint import binomial_steps  # noqa: E402


KERNELS = {  # name: (function, wrt, arguments for T steps, T, state bytes)
    # with respect to the initial state and the coefficient: the adjoint of the coefficient
    # reads every step's state (with respect to u0 alone a step is linear, and its adjoint
    # keeps only shapes: nothing to checkpoint)
    "heat": (heat, (0, 1), lambda T: (np.sin(np.linspace(0.0, 3.0, 1000)), 0.2, T), 10**5,
             8000),
    "ode": (recurrence, 0, lambda T: (0.5, 1e-4, T), 10**6, 8),
}
PEER_T = 10**4  # PyTorch's eager loops: a Python call per operation
CONFIGS = [("none", {}), ("s=10", {"checkpoint": 10}), ("s=30", {"checkpoint": 30}),
           ("s=100", {"checkpoint": 100}), ('memory="8MB"', {"memory": "8MB"})]


def _callable(name, options, T, peer):
    f, wrt, make, _, _ = KERNELS[name]
    args = make(T)
    if peer is not None:
        import peers_checkpoint
        return peers_checkpoint.gradient(peer, name, options.get("checkpoint"), T, args)
    g = srcgrad.grad(f, wrt=wrt, **options)
    g(*make(3))  # compiled
    return lambda: g(*args)


def peak_in_this_process(name, options, T, peer=None):
    """The peak resident memory one warm call adds (run in a child process)."""
    call = _callable(name, options, T, peer)
    call()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # freed memory back to the system: a true peak
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    base = _vm("VmRSS")
    call()
    return max(0, _vm("VmHWM") - base)


def peak(name, options, T, peer=None):
    code = (f"import sys; sys.path.insert(0, {HERE!r}); import bench_checkpoint as b; "
            f"print(b.peak_in_this_process({name!r}, {options!r}, {T}, {peer!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return int(out.stdout.split()[-1])


def best_time(fn, repeats=3):
    return min(timings(fn, repeats))


def snapshots_of(g, options):
    """The snapshots of the (one) loop: as asked, or as the memory plan of the last call
    chose them (None: kept whole)."""
    if "checkpoint" in options:
        return options["checkpoint"]
    if "memory" in options:
        return g.plan.snapshots.get(0)
    return None


def same(a, b, rtol, atol):
    a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
    return len(a) == len(b) and all(np.allclose(x, y, rtol=rtol, atol=atol)
                                    for x, y in zip(a, b))


def run(quick, log=print):
    rows = []
    for name, (f, wrt, make, T, state) in KERNELS.items():
        T = T // 10 if quick else T
        args = make(T)
        ref = None
        for label, options in CONFIGS:
            log(f"{name}, T = {T}, {label} ...")
            g = srcgrad.grad(f, wrt=wrt, **options)
            g(*make(3))
            t = best_time(lambda: g(*args))
            value = g(*args)
            if ref is None:
                ref, t_ref = value, t
            assert same(value, ref, 1e-12, 0), (name, label)
            s = snapshots_of(g, options)
            rows.append({"kernel": name, "T": T, "config": label, "snapshots": s,
                         "time": t, "ratio": t / t_ref, "peak": peak(name, options, T),
                         "state": state,
                         "steps again": binomial_steps(T, s) + 1 if s else 0})
            log(f"    {t:.3f} s ({t / t_ref:.2f}x), peak {rows[-1]['peak'] / 1e6:.1f} MB")
        for peer in peers_checkpoint.available():
            # PyTorch runs a Python loop of tensor operations: at PEER_T steps
            Tp = min(T, PEER_T) if peer == "torch" else T
            check = srcgrad.grad(f, wrt=wrt)(*make(Tp))
            t_ref = None
            for label, options in CONFIGS[:-1]:
                log(f"{name}, {peer}, T = {Tp}, {label} ...")
                call = _callable(name, options, Tp, peer)
                got = call()
                assert same(got, check, 1e-9, 1e-12), (peer, name, label)
                t = best_time(call, repeats=1 if peer == "torch" else 3)
                t_ref = t if t_ref is None else t_ref
                rows.append({"kernel": name, "T": Tp, "config": f"{peer} {label}",
                             "snapshots": options.get("checkpoint"), "time": t,
                             "ratio": t / t_ref, "peak": peak(name, options, Tp, peer),
                             "state": state, "steps again": Tp if options else 0})
                log(f"    {t:.3f} s ({t / t_ref:.2f}x), peak {rows[-1]['peak'] / 1e6:.1f} MB")
    return rows


def table(rows):
    out = ["| kernel | T | checkpoints | snapshots | gradient time | vs none | steps run "
           "again | peak memory added |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(f"| {r['kernel']} | {r['T']:,} | {r['config']} | {r['snapshots'] or '-'} | "
                   f"{r['time']:.3f} s | {r['ratio']:.2f}x | {r['steps again']:,} | "
                   f"{r['peak'] / 1e6:.1f} MB |")
    return "\n".join(out) + "\n"


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, name in zip(axes, KERNELS):
        rs = [r for r in rows if r["kernel"] == name]
        for r in rs:
            ax.scatter(max(r["peak"], 1e4) / 1e6, r["ratio"], s=40)
            ax.annotate(r["config"], (max(r["peak"], 1e4) / 1e6, r["ratio"]),
                        textcoords="offset points", xytext=(5, 4), fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("peak memory one gradient adds (MB, log)")
        ax.set_ylabel("gradient time / time without checkpoints")
        ax.set_title(f"{name}, T = {rs[0]['T']:,}")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="T / 10")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    a = ap.parse_args()
    rows = run(a.quick)
    text = table(rows)
    print(text)
    if not a.quick:
        with open(os.path.join(a.out, "checkpointing-bench.md"), "w") as fh:
            fh.write("<!-- written by tools/bench_checkpoint.py -->\n" + text)
        with open(os.path.join(a.out, "checkpointing-bench.json"), "w") as fh:
            json.dump(rows, fh, indent=1)
        try:
            plot(rows, os.path.join(a.out, "checkpointing.png"))
        except ImportError:
            print("(matplotlib not installed: no plot)")


if __name__ == "__main__":
    main()
