# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.
# It failed with: FallbackWarning: Numba could not compile the generated f_vjp; running it as plain Python instead (TypingError: Cannot infer the type of variable '_stack_x', have imprecise type: list(undefined)<iv=Non
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = 'import math\nimport numpy as np\n\ndef h0(p, q):\n    return (math.tanh(q))\n\ndef f(x, y, a, n):\n    b = np.zeros(n)\n    for i in range(n):\n        b[i] = a[i] * x\n    if -1.071 > 0.472:\n        k = 0\n        while k < 3 and x < 0.293:\n            x = x + 0.25 + 0.1 * (math.atan(-0.921))\n    else:\n        v1 = np.sum(np.cos(a) * b)\n    return x + y + np.sum(b * b)\n'


def test_fuzz_7f02a432fd():
    fuzz.check(fuzz.load(PROGRAM, 'r7f02a432fd'), 100560, use_numba=True)
