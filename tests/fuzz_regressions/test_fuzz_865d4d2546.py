# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.
# It failed with: FallbackWarning: Numba could not compile the generated f_vjp; running it as plain Python instead (TypingError: Cannot infer the type of variable '_stack_x', have imprecise type: list(undefined)<iv=Non
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = 'import math\nimport numpy as np\n\ndef f(x, y, a, n):\n    b = np.zeros(n)\n    for i in range(n):\n        b[i] = a[i] * x\n    if -0.721 > 0.490:\n        for i in range(2):\n            x = (-((abs(a[3]) + 1.0) * b[i]))\n    else:\n        for i in range(n - 1):\n            v2 = (math.sqrt(1.0 + (math.sin(x)) * (math.sin(x))))\n    return x + y + np.sum(b * b)\n'


def test_fuzz_865d4d2546():
    fuzz.check(fuzz.load(PROGRAM, 'r865d4d2546'), 104010, use_numba=True)
