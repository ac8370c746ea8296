"""srcgrad.memory (srcgrad/memory.py) and ``srcgrad memory``: what the reverse sweep keeps,
checked against what the generated code really allocates; ``memory=`` budgets."""
import subprocess
import sys

import numpy as np
import pytest

import srcgrad
from srcgrad.runtime.checkpoint import binomial_steps
from test_loop_checkpoint import KERNEL, diffuse
from test_loop_checkpoint import _peak as _allocated  # NumPy's peak during one call


N, T = 2000, 200
STATE = N * 8
U0 = np.sin(np.linspace(0, 3, N))


@pytest.mark.parametrize("options", [{}, {"checkpoint": 10}, {"memory": "200kB"}],
                         ids=["stored", "10 snapshots", "budget"])
def test_report_totals_match_what_the_generated_code_allocates(options):
    report = srcgrad.memory(diffuse, U0, 0.1, T, wrt=("u0",), backend="python", **options)
    [loop] = report.loops
    assert loop.trips == T and "for t in range(T)" in loop.text
    assert report.total == loop.kept + report.outside
    peak = _allocated(srcgrad.grad(diffuse, backend="python", **options), U0, 0.1, T)
    # what is kept, plus one step's temporaries and the adjoint's arrays while it runs (and
    # Python's own object headers, about 1 % here)
    assert report.total <= peak <= 1.01 * report.total + 16 * STATE
    if not options:
        assert loop.per_trip == pytest.approx(3 * STATE, rel=0.01)  # u, lap and its slice
        assert loop.snapshots is None
    else:
        want = 10 if "checkpoint" in options else report.plan.snapshots[0]
        assert loop.snapshots == want and loop.state == STATE
        if "memory" in options:  # the plan's count bounds what is measured, within the budget
            assert report.total <= report.plan.total <= 200_000
            step = report.plan.loops[0].step  # one step's saves, kept while it runs again
            assert step == pytest.approx(3 * STATE, rel=0.01)  # u, lap and its slice
            assert want == (200_000 - report.plan.outside - STATE - step) // (STATE + 16)
        assert loop.steps_again == binomial_steps(T, want) + 1
        assert "checkpointed: %d snapshots" % want in str(report)


def test_compiled_report_equals_the_python_one():
    a = srcgrad.memory(diffuse, U0, 0.1, 50, checkpoint=4)
    b = srcgrad.memory(diffuse, U0, 0.1, 50, checkpoint=4, backend="python")
    assert (a.total, a.loops[0].trips, a.loops[0].snapshots) == \
        (b.total, b.loops[0].trips, b.loops[0].snapshots)


def test_budget_bounds_the_snapshots_and_says_when_it_cannot():
    g = srcgrad.grad(diffuse, backend="python", memory="150kB")
    assert np.allclose(g(U0, 0.1, 30), srcgrad.grad(diffuse, backend="python")(U0, 0.1, 30),
                       rtol=1e-12, atol=0)
    # one snapshot (16 kB), the state before the last step (16 kB), one step's saves (48 kB),
    # and the last u and lap, which the reverse sweep reads (32 kB)
    with pytest.raises(ValueError, match=r"memory=10.0 kB: the reverse sweep of diffuse\(\) needs "
                                         r"at least 112,000 bytes .*the loop at "
                                         r"test_loop_checkpoint.py:\d+, checkpointed"):
        srcgrad.grad(diffuse, backend="python", memory="10kB")(U0, 0.1, 30)
    with pytest.raises(ValueError, match=r"memory=10.0 kB.* needs at least 112,000 bytes"):
        srcgrad.grad(diffuse, memory="10kB")(U0, 0.1, 30)   # compiled: the same words
    with pytest.raises(ValueError, match="not both"):
        srcgrad.grad(diffuse, memory="1MB", checkpoint=3)
    with pytest.raises(ValueError, match="a size such as"):
        srcgrad.grad(diffuse, memory="lots")
    assert srcgrad.passes.revolve.parse_bytes("1.5 GiB") == int(1.5 * 2**30)


def test_memory_command(tmp_path):
    path = tmp_path / "kern.py"
    path.write_text(KERNEL)
    run = [sys.executable, "-m", "srcgrad", "memory", f"{path}:f", "--args",
           "x=f8[400], a=0.5, n=400", "--python"]
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert "for k in range(n):" in out and "400" in out and "wrt x, a" in out
    out = subprocess.run(run + ["--checkpoint", "5"], capture_output=True, text=True,
                         check=True).stdout
    assert "checkpointed: 5 snapshots of 8 bytes" in out
    assert f"{binomial_steps(400, 5) + 1:,} steps run again" in out
    bad = subprocess.run(run + ["--memory", "3"], capture_output=True, text=True)
    assert bad.returncode == 1 and "needs at least 48 bytes" in bad.stderr


def two_layers(x, W):
    h = np.tanh(x @ W)
    h = np.tanh(h @ W)   # overwrites h, which the adjoint of the line above reads
    return np.sum(h * h)


def test_values_kept_outside_loops_by_the_line_that_overwrites_them():
    x, W = np.ones((50, 40)), np.full((40, 40), 0.01)
    report = srcgrad.memory(two_layers, x, W, backend="python")
    line = two_layers.__code__.co_firstlineno + 2
    # the first h, saved where this line overwrites it, and the last h, which the reverse
    # sweep reads (the tanh's adjoint reads its result)
    assert report.statements == [(line, "h = np.tanh(h @ W)   # overwrites h, which the "
                                        "adjoint of the line above reads", 2 * 50 * 40 * 8)]
    assert report.total == report.outside == 2 * 50 * 40 * 8
    assert f"{line}  h = np.tanh(h @ W)" in str(report)


def test_an_array_made_anew_each_step_keeps_no_old_elements():
    """``un = np.empty(n); un[i] = ...``: the adjoint reads ``un`` only for its shape, so the
    old values of its elements are not kept; with respect to ``u0`` alone a step is linear in
    ``u``, which is then also read only for its shape (two shapes a step); with respect to
    ``k`` too, ``u`` is kept (one state a step)."""
    import os
    import runpy
    here = os.path.dirname(os.path.abspath(__file__))
    heat = runpy.run_path(os.path.join(here, "..", "examples", "loop_checkpoint.py"))["heat"]
    u0 = np.sin(np.linspace(0.0, 3.0, 50))
    [loop] = srcgrad.memory(heat, u0, 0.2, 20, wrt=("u0",), backend="python").loops
    assert loop.per_trip == 2 * 8
    [loop] = srcgrad.memory(heat, u0, 0.2, 20, wrt=("u0", "k"), backend="python").loops
    assert loop.per_trip == 50 * 8 + 8
    g = srcgrad.grad(heat, backend="python")(u0, 0.2, 20)
    d, h = np.cos(np.arange(50)), 1e-6
    fd = (heat(u0 + h * d, 0.2, 20) - heat(u0 - h * d, 0.2, 20)) / (2 * h)
    assert np.dot(g, d) == pytest.approx(fd, rel=1e-7)
