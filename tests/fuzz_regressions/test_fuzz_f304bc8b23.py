# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.
# It failed with: Failure: [python] with parallel=True: np.float64(0.4268655552975946) but np.float64(-0.9797874178136455) without
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = 'import math\nimport numpy as np\nfrom numba import prange\n\ndef hpair(p, q):\n    return p * q, p - q\n\ndef htup(t):\n    return t[0] * t[1] + t[1]\n\ndef h0(p, q):\n    return (((np.reciprocal(1.5 + -0.175 * -0.175)) * (np.reciprocal(1.5 + -0.175 * -0.175))))\n\ndef h1(p, q):\n    return (math.atan2((math.tanh(1.219)), 1.0 + p * p))\n\ndef f(x, y, a, n):\n    b = np.zeros(n)\n    for i in range(n):\n        b[i] = a[i] * x\n    if h0((np.cbrt(1.5 + -0.233 * -0.233)), x) > -0.005:\n        for i in range(2):\n            b[i] = (min((min(b[i], x)), (math.atan2(a[0], 1.0 + a[0] * a[0]))))\n    else:\n        k = 0\n    return x + y + np.sum(b * b)\n'


def test_fuzz_f304bc8b23():
    fuzz.checker(PROGRAM)(fuzz.load(PROGRAM, 'rf304bc8b23'), 12383, use_numba=True)
