"""NumPy's elementwise functions that Numba lacks, or that are others under another name,
in srcgrad's subset.

    np.heaviside(x1, x2)    ->  0 where x1 < 0, 1 where x1 > 0, x2 where x1 == 0, NaN at NaN
    np.float_power(x1, x2)  ->  x1 ** x2 in float64 (an integer base too)

Their derivatives come from the primitives: ``heaviside``'s is zero in ``x1`` (it is a step;
at 0 the step has none, as for ``np.sign``) and the indicator of ``x1 == 0`` in ``x2``.
"""
import numpy as np

from . import shim


@shim(np.heaviside)
def heaviside(x1, x2):
    return np.where(x1 < 0.0, 0.0, np.where(x1 > 0.0, 1.0, np.where(x1 == 0.0, x2, x1)))


@shim(np.float_power)
def float_power(x1, x2):
    return (x1 * 1.0) ** (x2 * 1.0)
