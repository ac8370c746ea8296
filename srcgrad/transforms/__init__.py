"""The user-facing transforms, one module per family; each asks srcgrad.pipeline for
generated source, compiled functions and drivers.

    args.py      arguments at the boundary (checked, converted, wrt read)
    derived.py   the derivative object they share, and srcgrad.source()
    grad.py      grad, value_and_grad (and a grad of a grad)
    vjp.py       vjp, jvp
    jacobian.py  jacobian, jacfwd, jacrev
    hessian.py   hessian, hvp
"""
