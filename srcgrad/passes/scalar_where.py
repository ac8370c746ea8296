"""Clean-up, conditions of numbers: ``np.where`` whose condition and values are all numbers
becomes a conditional expression.

NumPy's ``np.where(c, a, b)`` of numbers returns a 0-d array, and so does Numba's, which then
meets ``math.cos`` (the adjoint of ``np.sin``) or a float variable and fails to compile. Both
values are atoms computed before the call (or arithmetic of them), so choosing one is the
same value, as a float, in both backends.

    z = np.where(x < 0.5, x * y, y)     ->     z = x * y if x < 0.5 else y

Left alone: any argument an array (or of a kind not known), a call with keywords or with
fewer than three arguments.
"""
import ast

from ..kinds import is_scalar
from . import types
from .walk import nodes


def rewrite(fdef, kinds):
    """``fdef`` with each ``np.where`` of numbers a conditional expression (in place)."""
    kind_of = types._Infer(dict(kinds)).expr
    for node in nodes(fdef):
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                for i, v in enumerate(value):
                    if _of_numbers(v, kind_of):
                        value[i] = _chosen(v)
            elif _of_numbers(value, kind_of):
                setattr(node, field, _chosen(value))
    return fdef


def _of_numbers(e, kind_of):
    if not (isinstance(e, ast.Call) and isinstance(e.func, ast.Attribute)
            and e.func.attr == "where" and isinstance(e.func.value, ast.Name)
            and e.func.value.id == "np" and len(e.args) == 3 and not e.keywords):
        return False
    try:
        return all(is_scalar(kind_of(a)) for a in e.args)
    except Exception:  # a kind this walk cannot tell: left as it is
        return False


def _chosen(e):
    c, a, b = e.args
    return ast.copy_location(ast.IfExp(c, a, b), e)
