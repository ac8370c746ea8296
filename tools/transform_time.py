"""Transformation time against function size (issue: linear in the number of statements).

    python tools/transform_time.py 500 1000 2000

Writes a function of N statements ``s = s + math.sin(x * k) * y + k * x`` to a temporary file
and times srcgrad's transformation of it in reverse mode (no disk cache, no Numba compile).
"""
import importlib.util
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from srcgrad import pipeline  # noqa: E402


def make(n, folder):
    lines = ["import math", "", "def f(x, y):", "    s = 0.0"]
    lines += [f"    s = s + math.sin(x * {k % 7 + 1}.0) * y + {k}.0 * x" for k in range(n)]
    lines.append("    return s")
    path = os.path.join(folder, f"big_{n}.py")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    spec = importlib.util.spec_from_file_location(f"big_{n}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.f


def main(sizes):
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            f = make(n, folder)
            t0 = time.perf_counter()
            pipeline.generate(f, ["x"], {"x": ("s", "f"), "y": ("s", "f")}, "reverse", cache=False)
            print(f"{n} statements: {time.perf_counter() - t0:.2f} s", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [250, 500, 1000])
