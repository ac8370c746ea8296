"""The long run of tests/test_bounds.py's check: generated loop nests, each called at random
shapes, raise IndexError in srcgrad's compiled gradient and tangent exactly where Python
raises it, and give Python's values and the Python backend's gradient everywhere else.

    python tools/fuzz_bounds.py --seeds 100 140 --calls 25

Each seed writes 8 functions (random affine indices, bounds and reversed loops:
tests/test_bounds.py ``_program``) and calls each ``--calls`` times.  Prints a line per seed:
calls that raised, calls that returned, programs compiled without per-access checks.
"""
import argparse
import os
import pathlib
import random
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
os.environ.setdefault("SRCGRAD_CACHE_DIR", "")


def run(seeds, calls, log=print):
    import numpy as np
    import srcgrad
    import test_bounds as T
    from checks import general_source, module_from_text
    raised = fine = unchecked = 0
    folder = pathlib.Path(tempfile.mkdtemp(prefix="fuzz_bounds_"))
    for seed in seeds:
        r = random.Random(seed)
        names = [f"nest_{seed}_{k}" for k in range(8)]
        text = "import numpy as np\n\n\n" + "\n\n".join(T._program(r, n) for n in names)
        mod = module_from_text(folder / f"bounds_{seed}.py", text)
        rng = np.random.default_rng(seed)
        for name in names:
            f = getattr(mod, name)
            vg = srcgrad.value_and_grad(f, wrt=(0, 1), strict=True)
            vg_py = srcgrad.value_and_grad(f, wrt=(0, 1), backend="python")
            unchecked += "indices checked where" in general_source(
                f, (np.ones(3), np.ones((2, 2)), 2, 2), wrt=(0, 1))

            def tangent(x, A, n, m, f=f):
                return srcgrad.jvp(f, (x, A, n, m), (np.ones_like(x), np.ones_like(A), None, None),
                                   strict=True)
            for _ in range(calls):
                x = rng.standard_normal(rng.integers(2, 10))
                A = rng.standard_normal((rng.integers(2, 8), rng.integers(2, 8)))
                n, m = int(rng.integers(0, 6)), int(rng.integers(0, 6))
                expected = T._outcome(f, x, A, n, m)
                got, tan = T._outcome(vg, x, A, n, m), T._outcome(tangent, x, A, n, m)
                where = f"seed {seed}, {name}, x {x.shape}, A {A.shape}, n={n}, m={m}"
                if expected is IndexError:
                    assert got is IndexError and tan is IndexError, f"{where}: no IndexError\n{text}"
                    raised += 1
                    continue
                assert got is not IndexError and tan is not IndexError, \
                    f"{where}: IndexError where Python has none\n{text}"
                _, (px, pA) = vg_py(x, A, n, m)
                scale = max(1.0, abs(expected))
                assert abs(got[0] - expected) <= 1e-12 * scale, where
                assert abs(tan[0] - expected) <= 1e-12 * scale, where
                np.testing.assert_allclose(got[1][0], px, rtol=1e-12, atol=1e-12, err_msg=where)
                np.testing.assert_allclose(got[1][1], pA, rtol=1e-12, atol=1e-12, err_msg=where)
                fine += 1
        log(f"seed {seed}: {raised} calls raised IndexError as Python did, {fine} returned "
            f"its values; {unchecked} programs compiled without per-access checks")
    return raised, fine, unchecked


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs=2, default=(100, 110), metavar=("FROM", "TO"))
    ap.add_argument("--calls", type=int, default=25)
    a = ap.parse_args(argv)
    run(range(*a.seeds), a.calls)


if __name__ == "__main__":
    main()
