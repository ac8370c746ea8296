"""srcgrad: JIT source-transformation automatic differentiation for numeric Python.

    import srcgrad

    @srcgrad.grad
    def f(x):
        s = 0.0
        for i in range(x.shape[0]):
            s += math.sin(x[i]) ** 2
        return s

    f(np.ones(3))      # the gradient, from generated adjoint source compiled with Numba
    print(f.source)    # that source
"""
from .api import (grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, source, value_and_grad,
                  vjp)
from .checkpoints import checkpoint
from .custom import custom_jvp, custom_vjp, defrule, undefrule
from .export import export
from .gradcheck import check_grads
from .memory_report import memory
from .stats import compile_stats
from .errors import (CheckpointWarning, FallbackWarning, GlobalChangedWarning, InternalError,
                     ParallelWarning, SrcgradError, UnsupportedError)

__version__ = "0.1.0"
__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacfwd", "jacrev", "jacobian", "hessian",
           "hvp", "source", "custom_vjp", "custom_jvp", "defrule", "undefrule", "check_grads",
           "export", "checkpoint", "memory", "compile_stats", "SrcgradError", "UnsupportedError", "InternalError",
           "FallbackWarning", "GlobalChangedWarning", "CheckpointWarning", "ParallelWarning"]
