# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.
# It failed with: FallbackWarning: Numba could not compile the generated f_vjp; running it as plain Python instead (TypingError: Cannot infer the type of variable '_stack_x', have imprecise type: list(undefined)<iv=Non
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = 'import math\nimport numpy as np\n\ndef f(x, y, a, n):\n    b = np.zeros(n)\n    for i in range(n):\n        b[i] = a[i] * x\n    if -0.246 > -0.305:\n        v1 = x\n    else:\n        for i in range(n):\n            x = (min(a[i], ((math.cos(a[i])) / (1.5 + (y + y) * (y + y)))))\n    return y + x + np.sum(b * b)\n'


def test_fuzz_51fc609acc():
    fuzz.check(fuzz.load(PROGRAM, 'r51fc609acc'), 102850, use_numba=True)
