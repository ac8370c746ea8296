# A program the fuzzer found failing (tools/fuzz.py, seed 4301), shrunk by hand. It must pass now.
# It failed with: FallbackWarning: Numba could not compile the generated f_value_and_grad
# (TypingError: Use of unsupported NumPy function 'numpy.tensordot'): a call srcgrad lowers to
# loops (np.tensordot, np.einsum, x.compress) was left whole inside a branch's test; so was
# an array method Numba lacks (x.squeeze(0)) inside an index (seed 4780).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = '''import math
import numpy as np

def f(x, y, a, M, T, n):
    if np.tensordot(M, M) > -0.344 and np.einsum('ij,ij', M, M) > -1.0:
        v1 = np.sin(a)
    else:
        v1 = a * x
    if M.compress(np.array([True, False, True]), axis=0)[0, 0] > -2.0:
        v1 = v1 * y
    v2 = np.sum(np.average(M, axis=1, weights=0.5 + a * a)[np.flatnonzero(M[0:1].squeeze(0)[1:4] < 0.3)])
    return np.sum(v1 * v1) + x + v2
'''


def test_fuzz_passive_lowered_calls():
    """Every check with the Python backend; compiled, the value_and_grad that fell back (one
    compile instead of the fuzzer's dozen: suite time)."""
    import numpy as np
    import srcgrad
    f = fuzz.load(PROGRAM, 'rpassive_lowered')
    fuzz.checker(PROGRAM)(f, 4301, use_numba=False)
    args = fuzz.fuzz_checks.make_args(np.random.default_rng(4301))
    want = srcgrad.value_and_grad(f, wrt=(0, 1, 2), backend="python")(*args)
    got = srcgrad.value_and_grad(f, wrt=(0, 1, 2), strict=True)(*args)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    for g, w in zip(got[1], want[1]):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
