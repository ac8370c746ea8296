# A program the fuzzer found failing (tools/fuzz.py), shrunk. It must pass now.
# It failed with: UnsupportedError: <srcgrad f_vjp>:14:5: unsupported construct: a differentiated value of unknown kind (b_t5 * _t8)
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'tools'))
import fuzz  # noqa: E402

PROGRAM = 'import math\nimport numpy as np\n\nIDX = np.array([2, 0, 3, 3])\n\ndef hv(p):\n    q = p * p if p > 0.2 else 0.5 * p\n    return q + 0.1 * p\n\ndef hs(u):\n    s = 0.0\n    for k in range(u.shape[0]):\n        if u[k] > 1.7:\n            return s + u[k]\n        s += u[k] * u[k]\n    return s\n\ndef f(x, y, a, M, T, n):\n    s1 = (np.sum(np.sin((np.transpose(T, (0, 2, 1))[1].T))))\n    s2 = ((np.sin(a))[-1])\n    v3 = ((np.mean(M, axis=1)) @ (np.tanh(M)))\n    v4 = (np.sum((np.tanh(M)), axis=0))\n    return np.sum(M * M) + np.sum(a * a) + s2\n'


def test_fuzz_7ecf66c2a4():
    fuzz.checker(PROGRAM)(fuzz.load(PROGRAM, 'r7ecf66c2a4'), 700741, use_numba=True)
