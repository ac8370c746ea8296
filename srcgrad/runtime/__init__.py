"""Small helpers that generated code calls, kept few so generated code stays readable.

Each helper is a plain Python function (used by ``backend="python"``) with a Numba
implementation registered through ``numba.extending.overload``, chosen by the arguments'
ranks at compile time.  Axis reductions go through helpers because Numba's nopython mode
has no ``np.mean``/``np.max``/``np.min`` with ``axis`` (and compiles ``np.sum(axis=)``
slowly); the helpers are explicit loops, which compile fast.

By family: ``broadcast.py`` (unbroadcasting, indexing), ``reductions.py``, ``shape.py``
(reshapes, joins), ``products.py`` (matrix structure and products Numba lacks),
``decomp.py`` (eigh and svd, one part each), ``along.py`` (operations along
any axis, as rows), ``axes.py`` (3-D reductions, take_along_axis, average's weights), ``special.py`` (digamma and trigamma, for gamma and lgamma), ``incomplete.py``
(incomplete gamma and beta functions, for scipy.stats' distribution functions) and
``incomplete_grad.py`` (their derivatives in the shape parameters),
``rows.py`` (the rows of a list that grows in a loop), ``custom.py`` (the wrappers around a user's own derivative rules), ``checkpoint.py`` (the
schedule of a binomially checkpointed loop), ``parallel.py`` (``prange`` and thread ids),
``bounds.py`` (an index range checked where its loop begins).
``jit.py`` holds the decorators they compile with, which keep their machine code on disk.
"""
from . import (along, axes, bounds, broadcast, checkpoint, custom, decomp, incomplete, incomplete_grad,
               jit, parallel, products, reductions, rows, shape, special)
from .broadcast import *  # noqa: F401,F403
from .decomp import *  # noqa: F401,F403
from .incomplete import *  # noqa: F401,F403
from .incomplete_grad import *  # noqa: F401,F403
from .along import *  # noqa: F401,F403
from .axes import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .rows import *  # noqa: F401,F403
from .special import *  # noqa: F401,F403
from .custom import *  # noqa: F401,F403
from .checkpoint import *  # noqa: F401,F403
from .parallel import *  # noqa: F401,F403
from .bounds import *  # noqa: F401,F403

__all__ = [*broadcast.__all__, *reductions.__all__, *shape.__all__, *products.__all__,
           *decomp.__all__, *along.__all__, *axes.__all__, *special.__all__,
           *incomplete.__all__, *incomplete_grad.__all__, *rows.__all__, *custom.__all__, *checkpoint.__all__, *parallel.__all__, *bounds.__all__]

# each helper again as ``<name>_fn``: what generated code calls it where a parameter of the
# differentiated function has the helper's name (``gamma`` in a batch norm: passes/names.py)
ALIASES = {f"{n}_fn": n for n in __all__ if callable(globals()[n])}
globals().update({a: globals()[n] for a, n in ALIASES.items()})
__all__ += list(ALIASES)


def namespace():
    """The helpers by name, for the generated module (both backends)."""
    return {name: globals()[name] for name in __all__}
