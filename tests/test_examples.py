"""The examples/ scripts run and check their own numbers against closed forms or references."""
import os
import runpy

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("name", ["tutorial_reverse.py", "tutorial_forward.py", "rosenbrock.py",
                                  "mlp.py", "ml_params.py", "gp_rnn.py", "checkpoint.py",
                                  "loop_checkpoint.py"])
def test_example_runs(name, capsys):
    path = os.path.join(ROOT, "examples", name)
    if name in ("ml_params.py", "gp_rnn.py"):  # as Python: their Numba compiles take longer
        runpy.run_path(path)["main"](backend="python")
    elif name == "checkpoint.py":  # smaller than the script's 1000 x 1000
        m_plain, m_checkpointed = runpy.run_path(path)["main"](n=400)
        assert m_checkpointed < m_plain  # the chain of blocks keeps less with checkpoints
    elif name == "loop_checkpoint.py":  # smaller, as Python (its asserts compare the three)
        runpy.run_path(path)["main"](n=50, T=300, backend="python")
    else:
        runpy.run_path(path, run_name="__main__")
    out = capsys.readouterr().out
    assert out  # each example prints its results; its own asserts check them
