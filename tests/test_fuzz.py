"""Fixed-seed runs of the differential fuzzer (tools/fuzz.py): 60 random scalar programs (loops,
branches, helpers), each checked against plain Python, finite differences, and forward vs
reverse mode, every 30th also Numba against Python, and 30 more with every loop checkpointed;
14 array programs (copies, views, double buffers, 2-D/3-D products, transposes, repeated
indices, tuples, creation from active values, container arguments and results, random draws),
each through every transform, one also compiled; and 10 programs run at several shapes that
broadcast, one also compiled.  Longer runs: python tools/fuzz.py --minutes 30."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
import fuzz  # noqa: E402


def test_fixed_seed_fuzz_run():
    lines = []
    checked, skipped, failures = fuzz.run(seed=0, count=60, numba_every=30, save=False,
                                          log=lines.append, kinds=("scalar",))
    assert not failures, "\n".join(lines)
    assert checked == 60


@pytest.mark.parametrize("kind,count", [("array", 14), ("broadcast", 10)])
def test_fixed_seed_array_fuzz_run(kind, count):
    """Array programs with every transform, containers and draws among them; programs run at
    several shapes that broadcast, one generated code (tools/fuzz_broadcast.py).  (A few keep
    the suite in CI's time; long runs: tools/fuzz.py --minutes N.  The one compiled program's
    compile time is a lottery that adding expressions to tools/fuzz_arrays.py deals again: as
    they stand, seed 0's takes ~12 s at NUMBA_OPT=0; on the way there it took 6 to 48 s.)"""
    lines, counts = [], {}
    checked, skipped, failures = fuzz.run(seed=0, count=count, numba_every=count, save=False,
                                          log=lines.append, kinds=(kind,), counts=counts)
    assert not failures, "\n".join(lines)
    assert checked == count and counts[kind + " with numba"] == 1


def test_broadcast_fuzzer_catches_a_wrong_proof_of_equal_shapes(monkeypatch):
    """passes/known_shapes.py told that every two shapes of one rank are equal: the sums of
    broadcasts go where they were needed, and the broadcasting programs fail."""
    from srcgrad.passes import shape_symbols
    monkeypatch.setattr(shape_symbols.Shapes, "equal",
                        lambda self, a, b: a is not None and b is not None and len(a) == len(b))
    checked, skipped, failures = fuzz.run(seed=1, count=4, numba_every=0, save=False,
                                          log=lambda *_: None, shrink_them=False,
                                          kinds=("broadcast",))
    assert failures


def test_broadcast_fuzzer_catches_a_wrong_length_one_axis(monkeypatch):
    """passes/known_shapes.py told that no axis has length 1: the sums of broadcasts that
    reverse-mode code specialized on such axes drops go where they were needed."""
    from srcgrad.passes import shape_symbols
    monkeypatch.setattr(shape_symbols.Shapes, "is_long", lambda self, d: True)
    checked, skipped, failures = fuzz.run(seed=1, count=4, numba_every=0, save=False,
                                          log=lambda *_: None, shrink_them=False,
                                          kinds=("broadcast",))
    assert failures


def test_fuzzer_catches_a_wrong_rule(monkeypatch):
    """The fuzzer is only worth its run if it fails on a wrong derivative."""
    import ast
    from srcgrad.rules.table import RULES
    monkeypatch.setitem(RULES["cos"].vjp_ast, "x", ast.parse("g * sin(x)", mode="eval").body)
    # (seed 1: its first 10 programs reach a cos since the scalar generator squares names)
    checked, skipped, failures = fuzz.run(seed=1, count=10, numba_every=0, save=False,
                                          log=lambda *_: None, shrink_them=False,
                                          kinds=("scalar",))
    assert failures


def test_array_fuzzer_catches_a_wrong_array_rule(monkeypatch):
    import ast
    from srcgrad.rules.table import RULES
    monkeypatch.setitem(RULES["matmul_mv"].jvp_ast, "b", ast.parse("a @ (2.0 * db)", mode="eval").body)
    # (programs whose M @ v tangent reaches the result: 4 of the 12 from seed 37 since the
    # array generator's expressions of 2026-12-01; seed 1's first 20 had none left)
    checked, skipped, failures = fuzz.run(seed=37, count=12, numba_every=0, save=False,
                                          log=lambda *_: None, shrink_them=False,
                                          kinds=("array",))
    assert failures


def test_fixed_seed_fuzz_run_with_loop_checkpoints(monkeypatch):
    """The same programs' gradients with every top-level loop checkpointed (2 snapshots)
    equal the stored ones (tools/fuzz.py --checkpoint S for long runs)."""
    monkeypatch.setattr(fuzz.fuzz_checks, "CHECKPOINT", 2)
    lines = []
    checked, skipped, failures = fuzz.run(seed=500, count=30, numba_every=0, save=False,
                                          log=lines.append, kinds=("scalar",))
    assert not failures, "\n".join(lines)
    assert checked == 30
