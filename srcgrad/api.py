"""The user-facing transforms (srcgrad/transforms/, one module per family), in one place.

Generated code is specialized on the kinds of the arguments (float, int, array rank), like
Numba's own dispatch: the first call with new kinds transforms and compiles, later calls
reuse the compiled function.
"""
from .frontend.source import read_source
from .kinds import guess as guess_kinds
from .transforms.derived import Derived, source
from .transforms.grad import Grad, grad, value_and_grad
from .transforms.hessian import Hessian, Hvp, hessian, hvp
from .transforms.jacobian import Jacobian, jacfwd, jacobian, jacrev
from .transforms.vjp import jvp, vjp

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "jacfwd", "jacrev", "hessian",
           "hvp", "source", "Derived", "Grad", "Jacobian", "Hessian", "Hvp", "guess_kinds",
           "read_source"]
