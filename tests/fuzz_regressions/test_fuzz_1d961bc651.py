# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.
# It failed with: FallbackWarning: Numba could not compile the generated f_vjp; running it as plain Python instead (TypingError: Cannot infer the type of variable '_stack_x', have imprecise type: list(undefined)<iv=Non
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = 'import math\nimport numpy as np\n\ndef f(x, y, a, n):\n    b = np.zeros(n)\n    for i in range(n):\n        b[i] = a[i] * x\n    if -0.479 > -0.067:\n        k = 0\n        while k < 3 and x < 0.317:\n            x = x + 0.25 + 0.1 * (math.tanh(a[3]))\n    else:\n        v2 = x\n    return y + x + np.sum(b * b)\n'


def test_fuzz_1d961bc651():
    fuzz.check(fuzz.load(PROGRAM, 'r1d961bc651'), 102930, use_numba=True)
