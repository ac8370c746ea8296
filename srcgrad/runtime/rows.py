"""Rows of a list that grows in a loop (passes/growing.py): the list is an array whose first
axis holds the elements, doubling its capacity when full, and a count of the rows in use.

    rows_grown(x, v)   x with room for at least twice as many rows of v's shape (x's rows kept)
    rows_head(y, x)    the first x.shape[0] rows of y    (rows_grown's adjoint in x)
    rows_pad(z, y)     z in the first rows of zeros shaped like y   (rows_head's adjoint)
"""
from .cached_numpy import np

from .jit import overload

__all__ = ["rows_grown", "rows_head", "rows_pad"]


def rows_grown(x, v):
    """``x`` (rows of ``v``'s shape, maybe none yet) copied into a larger array of zeros."""
    n = x.shape[0]
    out = np.zeros((max(4, 2 * n),) + np.shape(v))
    if n:  # (none yet: x's other axes are zeros, not v's)
        out[:n] = x
    return out


def rows_head(y, x):
    """The first ``x.shape[0]`` rows of ``y``."""
    return np.array(y[:x.shape[0]], dtype=np.float64)


def rows_pad(z, y):
    """``z`` in the first rows of zeros shaped like ``y``."""
    out = np.zeros(np.shape(y))
    out[:z.shape[0]] = z
    return out


@overload(rows_grown)
def _ol_rows_grown(x, v):
    if getattr(v, "ndim", 0) == 0:  # rows of numbers: a vector
        def impl(x, v):
            n = x.shape[0]
            out = np.zeros(max(4, 2 * n))
            if n:
                out[:n] = x
            return out
        return impl

    def impl(x, v):
        n = x.shape[0]
        out = np.zeros((max(4, 2 * n),) + v.shape)
        if n:
            out[:n] = x
        return out
    return impl


@overload(rows_head)
def _ol_rows_head(y, x):
    def impl(y, x):
        return y[:x.shape[0]].copy()
    return impl


@overload(rows_pad)
def _ol_rows_pad(z, y):
    def impl(z, y):
        out = np.zeros(y.shape)
        out[:z.shape[0]] = z
        return out
    return impl
