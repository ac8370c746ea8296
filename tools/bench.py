"""Benchmark srcgrad against the Numba primal, hand-written Numba adjoints and the peers.

    python tools/bench.py            # full sizes (minutes: PyTorch/autograd loops are slow)
    python tools/bench.py --quick    # smaller sizes, fewer repeats

Every time is the median of repeated warm calls in this one process; ratios are against the
Numba-compiled primal measured in the same run.  Peers that are not installed are skipped
(`pip install -e ".[bench]"`).  Python-loop peers (PyTorch eager, HIPS autograd, JAX tracing)
are timed at a reduced size and scaled linearly to the kernel's size (loops are linear in
their length), which the table marks.  Writes docs/benchmarks.md and docs/benchmarks.png.
"""
import argparse
import os
import statistics
import sys
import time
import warnings

import numba
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)
warnings.filterwarnings("ignore", category=numba.NumbaPerformanceWarning)

import first_call as first_calls  # noqa: E402
import srcgrad  # noqa: E402
from hand_adjoints import HAND  # noqa: E402
from kernels import KERNELS  # noqa: E402
import peers  # noqa: E402


def median_time(fn, repeats, min_time=0.05):
    """Median seconds of fn() over repeats (each repeat loops until min_time)."""
    fn()
    times = []
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            el = time.perf_counter() - t0
            if el >= min_time or n >= 1000:
                break
        times.append(el / n)
    return statistics.median(times)


def first_call(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def saved_bytes(f, wrt, args):
    """Bytes the reverse sweep keeps (stacks and saved values), read off the generated
    function's locals at the end of its forward sweep (Python backend, same data structures:
    a list of n floats is n * 8 bytes in compiled code)."""
    from srcgrad.backend.compile import load
    g = srcgrad.grad(f, wrt=wrt, backend="python")
    gen, _ = g.specialize(list(args))
    seen = {}

    def report(scope):
        for k, v in scope.items():
            if k.startswith(("_stack_", "_saved_")):
                seen[k] = v.nbytes if hasattr(v, "nbytes") else 8 * (len(v) if isinstance(v, list) else 1)

    text = gen.source.replace("    # reverse sweep", "    _report(locals())\n    # reverse sweep", 1)
    fn = load(text, "<bench saved>", gen.name, "python", {**gen.constants, "_report": report})
    fn(*args, 1.0)
    return sum(seen.values())


def progress(text):
    """A line per item on stderr (so a long run shows where it is), with the time so far."""
    print(f"[bench {time.perf_counter() - START:6.0f} s] {text}", file=sys.stderr, flush=True)


START = time.perf_counter()


def run_kernel(name, quick, with_peers, where=""):
    f, wrt, make, size, _ = KERNELS[name]
    if quick:
        size = {"mlp": 32, "gmm": 200}.get(name, size // 10)
    args = make(size)
    repeats = 3 if quick else 7
    row = {"kernel": name, "size": size}

    nb = numba.njit(f)
    nb(*args)
    row["numba primal"] = median_time(lambda: nb(*args), repeats)
    row["python primal"] = median_time(lambda: f(*args), 1 if not quick else 1, min_time=0.0)

    g = srcgrad.grad(f, wrt=wrt, cache=False)
    row["srcgrad"] = median_time(lambda: g(*args), repeats)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", srcgrad.ParallelWarning)
        gp = srcgrad.grad(f, wrt=wrt, cache=False, parallel=True)
        gp(*args)
    row["srcgrad parallel"] = median_time(lambda: gp(*args), repeats)
    row["parallel serial loops"] = len([w for w in caught
                                        if issubclass(w.category, srcgrad.ParallelWarning)])
    row["parallel same code"] = gp.source == g.source  # no loop to run in parallel
    row["srcgrad bytes"] = saved_bytes(f, wrt, args)
    # each first call in a new process: Numba's compile of the primal, srcgrad cold (transform
    # and compile), and with a warm disk cache next to a njit(cache=True) primal's
    (row["numba primal compile"], row["srcgrad first call"], row["srcgrad helpers cached"],
     row["srcgrad warm first call"], row["numba cached first call"], _) = \
        first_calls.measure(name, size)

    if name in HAND:  # the fastest of the hand-written versions
        best = None
        for h in HAND[name]:
            h(*args)
            t = median_time(lambda: h(*args), repeats)
            if best is None or t < best:
                best, row["hand version"] = t, h.__name__
        row["hand adjoint"] = best

    row["srcgrad peak"] = peers.peak_memory("srcgrad", name, size, quick)
    if with_peers:
        measured = peers.measure(name, f, wrt, make, size, quick,
                                 log=lambda peer: progress(f"{where}{name}: {peer}"))
        for peer, result in measured.items():
            if result.get("time"):
                mem = peers.peak_memory(peer, name, size, quick)
                scale = float(result["note"][1:]) if result.get("note", "").startswith("×") else 1
                result["peak"] = mem * scale if mem is not None else None
            row[peer] = result
    return row


def fmt_time(t):
    if t is None:
        return "–"
    if t >= 1:
        return f"{t:.2f} s"
    if t >= 1e-3:
        return f"{t * 1e3:.2f} ms"
    return f"{t * 1e6:.1f} µs"


def fmt_bytes(b):
    return f"{b / 1e6:.2f} MB" if b >= 1e5 else f"{b} B"


PARALLEL_NOTE = (
    "parallel=True: the serial gradient's time over `grad(f, parallel=True)`'s, same run, on "
    "this machine's cores (docs/scaling.md); *serial* where every top-level loop stays serial "
    "(a `ParallelWarning` says why: the recurrence and the fixed point carry their state; "
    "Rosenbrock's steps are only arithmetic on `x[i]` and `x[i + 1]`, too cheap for "
    "per-thread copies of the `bx` they share), *no loop* where there is none (the MLP's is "
    "NumPy calls).")
FIRST_NOTE = (
    "First call, each in a new process after imports: Numba compiling the primal (`njit(f)`), "
    "srcgrad's gradient with an empty disk cache (transformation and compilation), as a new "
    "function with the runtime helpers an earlier process cached (any function after a "
    "user's first), and with the cache a first process filled, next to a "
    "`njit(f, cache=True)` primal's first call from Numba's cache (the floor a warm first call "
    "can reach).")


def parallel_cell(r):
    if r.get("parallel same code"):
        return "serial" if r.get("parallel serial loops") else "no loop"
    return f"{r['srcgrad'] / r['srcgrad parallel']:.2f}"


def table(rows):
    peer_cols = sorted({k for r in rows for k in r if k.startswith("peer:")})
    head = ["kernel", "size", "Numba primal", "srcgrad", "srcgrad / primal",
            "best hand adjoint / primal", "srcgrad / best hand", "parallel=True: speedup",
            "srcgrad saves"]
    head += [c[5:] + " / primal" for c in peer_cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        p = r["numba primal"]
        cells = [r["kernel"], str(r["size"]), fmt_time(p), fmt_time(r["srcgrad"]),
                 f"{r['srcgrad'] / p:.2f}",
                 f"{r['hand adjoint'] / p:.2f}" if "hand adjoint" in r else "–",
                 f"{r['srcgrad'] / r['hand adjoint']:.2f}" if "hand adjoint" in r else "–",
                 parallel_cell(r), fmt_bytes(r["srcgrad bytes"])]
        for c in peer_cols:
            v = r.get(c)
            if isinstance(v, dict) and v.get("time"):
                cell = f"{v['time'] / p:.3g}"
                if v.get("note"):
                    cell += f" ({v['note']})"
            else:
                cell = (v or {}).get("note", "–") if isinstance(v, dict) else "–"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    first = ["| kernel | Numba primal compile | srcgrad cold | cold / primal compile | "
             "srcgrad, helpers cached | helpers cached / primal compile | "
             "njit(cache=True) warm | srcgrad warm | warm / njit(cache=True) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        pc, cold, warm, floor = (r["numba primal compile"], r["srcgrad first call"],
                                 r["srcgrad warm first call"], r["numba cached first call"])
        new = r.get("srcgrad helpers cached")  # (not in runs before the helpers were cached)
        first.append(f"| {r['kernel']} | {fmt_time(pc)} | {fmt_time(cold)} | {cold / pc:.2f} | "
                     + (f"{fmt_time(new)} | {new / pc:.2f} | " if new else "– | – | ")
                     + f"{fmt_time(floor)} | {fmt_time(warm)} | {warm / floor:.2f} |")
    mem = ["| kernel | srcgrad saves | srcgrad peak | " + " | ".join(c[5:] + " peak" for c in peer_cols)
           + " |", "|" + "---|" * (3 + len(peer_cols))]
    for r in rows:
        cells = [r["kernel"], fmt_bytes(r["srcgrad bytes"]),
                 fmt_bytes(r["srcgrad peak"]) if r.get("srcgrad peak") is not None else "–"]
        for c in peer_cols:
            v = r.get(c) or {}
            cells.append(fmt_bytes(v["peak"]) if v.get("peak") is not None else "–")
        mem.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n\n" + PARALLEL_NOTE + "\n\n" + FIRST_NOTE + "\n\n" + \
        "\n".join(first) + "\n\nMemory: what the reverse sweep saves, and the peak resident " \
        "memory one warm gradient call adds (fresh process per tool; Linux VmHWM after resetting " \
        "it; peers run at a reduced size scaled like their times).\n\n" + "\n".join(mem)


def plot(rows, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    peer_cols = sorted({k for r in rows for k in r if k.startswith("peer:")})
    series = [("srcgrad", lambda r: r["srcgrad"]),
              ("best hand adjoint", lambda r: r.get("hand adjoint"))]
    series += [(c[5:], (lambda c: lambda r: (r.get(c) or {}).get("time"))(c)) for c in peer_cols]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(series)
    for j, (label, get) in enumerate(series):
        xs, ys = [], []
        for i, r in enumerate(rows):
            v = get(r)
            if v:
                xs.append(i + j * width)
                ys.append(v / r["numba primal"])
        ax.bar(xs, ys, width, label=label)
    ax.set_yscale("log")
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(rows))])
    ax.set_xticklabels([r["kernel"] for r in rows])
    ax.set_ylabel("gradient time / Numba primal (log)")
    ax.set_title("Gradient cost relative to the Numba-compiled primal (lower is better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


OTHER_SECTIONS = ("## Transformation time", "## First call")


def kept_sections(path):
    """The sections of the file other tools write (tools/transform_time.py,
    tools/first_call.py), kept as they are."""
    try:
        with open(path) as fh:
            old = fh.read()
    except OSError:
        return ""
    starts = [old.find(h) for h in OTHER_SECTIONS if h in old]
    return "\n" + old[min(starts):] if starts else ""


def hand_rounds(name, rounds):
    """srcgrad's gradient over the best hand adjoint's, each round timing both (50 calls each,
    medians), for ``rounds`` rounds: the ratios and their median, printed."""
    f, wrt, make, size = KERNELS[name][:4]
    args = make(size)
    g = srcgrad.grad(f, wrt=wrt)
    ratios = []
    for r in range(rounds):
        t = median_time(lambda: g(*args), 50, min_time=0.0)
        best = min(median_time(lambda: h(*args), 50, min_time=0.0) for h in HAND[name])
        ratios.append(t / best)
        progress(f"{name}: round {r + 1}/{rounds}: {ratios[-1]:.3f}")
    print(f"{name}: srcgrad / best hand {statistics.median(ratios):.3f} (median of {rounds} "
          f"rounds; {min(ratios):.3f}-{max(ratios):.3f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats")
    ap.add_argument("--no-peers", action="store_true", help="skip JAX, PyTorch and autograd")
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs"))
    ap.add_argument("--hand-rounds", type=int, default=0, metavar="R",
                    help="only srcgrad / best hand, measured in R alternating rounds (printed; "
                         "the machine's drift then falls on both alike)")
    a = ap.parse_args()
    if a.hand_rounds:
        for name in a.kernels.split(","):
            hand_rounds(name, a.hand_rounds)
        return
    rows = []
    names = a.kernels.split(",")
    for i, name in enumerate(names):
        where = f"{i + 1}/{len(names)} "
        progress(f"{where}{name}: srcgrad, Numba, hand adjoint")
        rows.append(run_kernel(name, a.quick, not a.no_peers, where))
    progress("done")
    md = table(rows)
    cmd = "python tools/bench.py" + (" --quick" if a.quick else "") + (" --no-peers" if a.no_peers else "")
    text = (f"# Benchmarks\n\nMade by `{cmd}` on {time.strftime('%Y-%m-%d')}, "
            f"{os.cpu_count()} cores, numba {numba.__version__}, numpy {np.__version__}.\n"
            "Medians of warm calls; every ratio is a gradient's time over the Numba-compiled "
            "primal's, measured in the same run; the best hand adjoint is the faster of the "
            "hand-written versions in tools/hand_adjoints.py.\n\n" + md + "\n\n" + peers.NOTES + "\n")
    print(text)
    os.makedirs(a.out, exist_ok=True)
    suffix = "-quick" if a.quick else ""
    path = os.path.join(a.out, f"benchmarks{suffix}.md")
    kept = kept_sections(path)  # (before "w" empties the file)
    with open(path, "w") as fh:
        fh.write(text + kept)
    if plot(rows, os.path.join(a.out, f"benchmarks{suffix}.png")):
        print(f"plot: docs/benchmarks{suffix}.png", file=sys.stderr)


if __name__ == "__main__":
    main()
