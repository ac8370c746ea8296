"""A costly number (``math.exp``, ``math.sin``...) in a loop body the forward sweep runs
anyway is kept on a stack, not computed again in the reverse sweep (passes/recompute.py);
a loop the reverse sweep can make again whole is still left out of the forward sweep, and
with checkpoints memory comes first."""
import math

import numpy as np

import srcgrad
from checks import check_grads, check_hessian, general_source


def log_sum_exp_rows(V):
    total = 0.0
    for i in range(V.shape[0]):
        mx = V[i, 0]
        for k in range(1, V.shape[1]):
            mx = max(mx, V[i, k])
        se = 0.0
        for k in range(V.shape[1]):
            se += math.exp(V[i, k] - mx)
        total += mx + math.log(se)
    return total


def sum_of_sines(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += math.sin(x[i]) * x[i]
    return s


V = np.random.default_rng(5).standard_normal((4, 3))
X = np.linspace(-1.0, 1.0, 6)


def _reverse_sweep(src):
    """The code after ``# reverse sweep``, without its comments."""
    lines = src[src.index("# reverse sweep"):].splitlines()
    return "\n".join(ln for ln in lines if not ln.strip().startswith("#"))


def test_a_loop_that_runs_anyway_keeps_its_exponentials():
    src = general_source(log_sum_exp_rows, (V,))
    rev = _reverse_sweep(src)
    assert "math.exp(" not in rev, src
    assert "_stack_t" in rev, src  # (the exponentials, read back from where they were kept)
    check_grads(log_sum_exp_rows, (V,))
    check_hessian(log_sum_exp_rows, (V,), "log_sum_exp_rows")


def test_a_loop_made_again_whole_stays_out_of_the_forward_sweep():
    src = general_source(sum_of_sines, (X,))
    assert "math.sin(" in _reverse_sweep(src)
    assert src.index("# reverse sweep") < src.index("for i in"), src  # no forward loop
    check_grads(sum_of_sines, (X,))


def test_with_checkpoints_the_exponentials_are_made_again():
    g = srcgrad.grad(log_sum_exp_rows, checkpoint=2)
    got = g(V)
    np.testing.assert_allclose(got, srcgrad.grad(log_sum_exp_rows)(V), rtol=1e-12, atol=1e-14)
    assert "math.exp(" in _reverse_sweep(g.source)
