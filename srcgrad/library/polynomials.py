"""NumPy's polynomial evaluation in srcgrad's subset (loaded with NumPy, always).

    np.polyval(p, x)   ->   y = p[0] + 0 * x; y = y * x + p[k] for k = 1 .. len(p) - 1

Horner's rule, as NumPy evaluates it: the derivative in ``x`` (``p``'s derivative evaluated
at ``x``) and in each coefficient (``x ** (n - 1 - k)``) follow from the loop, in both modes
and to any order.  ``p`` is a 1-D array (a list literal is refused at its line, as lists are:
write ``np.array([...])``), ``x`` a number or an array of any shape.
"""
import numpy as np

from . import shim


@shim(np.polyval)
def polyval(p, x):
    y = p[0] + 0.0 * x
    for k in range(1, len(p)):
        y = y * x + p[k]
    return y
