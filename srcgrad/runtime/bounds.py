"""The index check generated code makes once where a loop begins, in place of Numba's check
at every access inside it (passes/bounds.py).

    check_span(0, D - 1, qs.shape[1])    # every index d + 0 of the loop below is in bounds
"""
from numba.extending import register_jitable

__all__ = ["check_span"]


@register_jitable
def check_span(lo, hi, n):
    """Every index from ``lo`` to ``hi`` reads an axis of length ``n`` as NumPy reads it
    (a negative one from the end), or IndexError, as NumPy raises for the first one that
    does not."""
    if lo < -n or hi >= n:
        raise IndexError("index out of bounds (checked where the loop that indexes begins)")
