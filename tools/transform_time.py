"""Transformation time against function size (issue: linear in the number of statements).

    python tools/transform_time.py 1000 2000 5000              # straight-line code
    python tools/transform_time.py --loop 1000 2000 5000       # the same, as one loop's body
    python tools/transform_time.py --mode forward 1000 5000

Writes a function of N statements ``s = s + math.sin(x * k) * y + k * x`` (with ``--loop``:
``x[i]`` inside ``for i in range(n)``) to a temporary file and times srcgrad's transformation
of it (no disk cache, no Numba compile).  Each statement is seven primitive operations.
"""
import argparse
import importlib.util
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from srcgrad import pipeline  # noqa: E402


STATEMENT = "s = s + math.sin({x} * {m}.0) * y + {k}.0 * {x}"


def make(n, folder, loop=False, statement=STATEMENT):
    """A module with ``f(x, y)`` of ``n`` statements (``statement`` formatted with ``x``, the
    ``k``-th statement's number and ``m`` = k % 7 + 1), written under ``folder``."""
    lines = ["import math", "", "def f(x, y):", "    s = 0.0"]
    if loop:
        lines.append("    for i in range(x.shape[0]):")
    indent = "        " if loop else "    "
    lines += [indent + statement.format(x="x[i]" if loop else "x", k=k, m=k % 7 + 1)
              for k in range(n)]
    lines.append("    return s")
    path = os.path.join(folder, f"big_{n}{'_loop' if loop else ''}_{abs(hash(statement))}.py")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    spec = importlib.util.spec_from_file_location(f"big_{n}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def transform_seconds(n, folder, loop=False, mode="reverse", statement=STATEMENT):
    f = make(n, folder, loop, statement)
    kinds = {"x": ("a", 1, "f") if loop else ("s", "f"), "y": ("s", "f")}
    t0 = time.perf_counter()
    pipeline.generate(f, ["x"], kinds, mode, cache=False)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("sizes", type=int, nargs="*", default=[1000, 2000, 5000])
    ap.add_argument("--loop", action="store_true", help="the statements as one loop's body")
    ap.add_argument("--mode", default="reverse", choices=["reverse", "forward"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            t = transform_seconds(n, folder, args.loop, args.mode)
            print(f"{n} statements{' in a loop' if args.loop else ''}, {args.mode}: {t:.2f} s",
                  flush=True)


if __name__ == "__main__":
    main()
