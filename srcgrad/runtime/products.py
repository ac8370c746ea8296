"""Products and matrix structure that Numba's nopython mode lacks or restricts."""
import numpy as np
from numba.extending import overload

__all__ = []
