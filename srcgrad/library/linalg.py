"""NumPy's ``np.linalg.multi_dot`` in srcgrad's subset (loaded with NumPy, always).

    np.linalg.multi_dot([A, B, C])  ->  (A @ B) @ C

The product of a list literal of 2 to 4 arrays, left to right. NumPy picks the cheapest order,
which gives the same values up to rounding. As in NumPy, the first array may be 1-D (a row)
and the last 1-D (a column); the ones between must be matrices (a ``ValueError`` otherwise,
as NumPy's). Arrays not written as a list literal, more than four, and ``out=`` are refused
at the call.
"""
import ast

import numpy as np

from . import chooser


def _middle(a):
    if a.ndim != 2:
        raise ValueError("np.linalg.multi_dot: the arrays between the first and the last must "
                         "be 2-D")
    return a


def multi_dot2(a, b):
    return a @ b


def multi_dot3(a, b, c):
    return (a @ _middle(b)) @ c


def multi_dot4(a, b, c, d):
    return ((a @ _middle(b)) @ _middle(c)) @ d


_BY_LENGTH = {2: multi_dot2, 3: multi_dot3, 4: multi_dot4}


@chooser(np.linalg.multi_dot)
def _multi_dot(args, kw):
    if kw or len(args) != 1 or not isinstance(args[0], (ast.List, ast.Tuple)):
        return "arrays not written as a list literal, or out= (write np.linalg.multi_dot([A, B]))"
    n = len(args[0].elts)
    if n not in _BY_LENGTH:
        return f"{n} arrays (srcgrad takes 2 to 4: chain @ for more)"
    return _BY_LENGTH[n], list(args[0].elts)
