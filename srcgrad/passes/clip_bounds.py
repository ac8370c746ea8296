"""Normalize, np.clip's bounds as NumPy binds them (passes/calls.py): both always given.

    np.clip(x, None, 1.0)   ->  np.clip(x, -np.inf, 1.0)
    x.clip(min=0.0)         ->  np.clip(x, 0.0, np.inf)
"""
import ast


def clip_bounds(args, kw, method):
    """``np.clip(x, lo, hi)``'s arguments with both bounds given, as NumPy binds them: a bound
    ``None``, or one left out where NumPy allows (NumPy 2's ``min=``/``max=``; the method's
    ``x.clip(lo)``) is ``-np.inf`` / ``np.inf``, which clips nothing on that side.  Where
    NumPy requires both (``np.clip(x, lo)``, ``a_min=`` alone) the arguments stay short, so
    the call is refused by its signature; the method takes no ``a_min=``/``a_max=``."""
    bounds = list(args[1:3]) + [None] * (3 - len(args))
    names = (("min",), ("max",)) if method else (("a_min", "min"), ("a_max", "max"))
    old_style = len(args) > 1 or "a_min" in kw or "a_max" in kw
    for k in range(2):
        for name in names[k]:
            if name in kw:
                bounds[k] = kw.pop(name)
    if not method and old_style and None in bounds:
        return [args[0]] + [b for b in bounds if b is not None]
    for k, b in enumerate(bounds):
        if b is None or (isinstance(b, ast.Constant) and b.value is None):
            inf = ast.Attribute(ast.Name("np", ast.Load()), "inf", ast.Load())
            bounds[k] = ast.UnaryOp(ast.USub(), inf) if k == 0 else inf
    return [args[0]] + bounds
