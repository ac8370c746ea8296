"""Clean-up, memory layouts: an array variable set in more than one place, by a value that may
be Fortran-ordered, is set to a C-ordered one.

Numba gives each variable one type, layout included: ``P = np.linalg.inv(Q)`` (Fortran order
in Numba) before a loop that sets ``P = A @ P @ A.T + Q`` (C order) types ``P`` with layout
'A', and an array expression that writes such a variable cannot allocate its result ("Don't
know how to allocate array with layout 'A'"): the function would fall back to Python.
``c_order`` (srcgrad/runtime/shape.py) is the array itself when it is C-ordered already, a
C-ordered copy otherwise, with the derivative of an identity.

    P = np.linalg.inv(Q)                 P = c_order(np.linalg.inv(Q))
    for t in range(5):           ->      for t in range(5):
        P = A @ P @ A.T * 0.5 + Q            P = A @ P @ A.T * 0.5 + Q

Values that may be Fortran-ordered: a transpose (``x.T``, ``np.transpose``, ``mT``), the
matrices of ``np.linalg`` that Numba returns so (``inv``, ``solve``, ``pinv``, eigenvectors,
singular vectors), and elementwise arithmetic on them (a matrix product is C-ordered).  Slices ('A' layout in Numba) unify with C-ordered
values without that failure, and are left as they are.
"""
import ast

from .walk import nodes

_FORTRAN_CALLS = {"inv", "solve", "pinv", "eigh_v", "svd_u", "svd_vh", "transpose", "mT",
                  "transpose_axes", "swapaxes", "moveaxis"}


def may_be_fortran(e, fortran=frozenset()):
    """Is ``e`` surely an array, perhaps Fortran-ordered?  ``fortran``: the names that hold
    such values."""
    if isinstance(e, ast.Name):
        return e.id in fortran
    if isinstance(e, ast.Attribute):
        return e.attr == "T"
    if isinstance(e, ast.Call):
        f = e.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
            else None
        return name in _FORTRAN_CALLS
    if isinstance(e, ast.BinOp):  # (a matrix product is C-ordered)
        return not isinstance(e.op, ast.MatMult) and (may_be_fortran(e.left, fortran)
                                                      or may_be_fortran(e.right, fortran))
    if isinstance(e, ast.UnaryOp):
        return may_be_fortran(e.operand, fortran)
    return False


def c_ordered(fn):
    """``fn`` with the values of variables it sets more than once made C-ordered where they
    may be Fortran-ordered (in place; returns ``fn``).  A variable set once keeps its value's
    layout, and passes it on (``_t37 = svd_vh(a, False); h = _t37 * x``)."""
    counts = {}
    assigns = [n for n in nodes(fn) if isinstance(n, ast.Assign) and len(n.targets) == 1
               and isinstance(n.targets[0], ast.Name)]
    for n in assigns:
        counts[n.targets[0].id] = counts.get(n.targets[0].id, 0) + 1
    fortran = set()
    while True:  # the names set once to values that may be Fortran-ordered, to a fixpoint
        new = {n.targets[0].id for n in assigns if counts[n.targets[0].id] == 1
               and may_be_fortran(n.value, fortran)}
        if new <= fortran:
            break
        fortran |= new
    for n in assigns:
        if counts[n.targets[0].id] > 1 and may_be_fortran(n.value, fortran):
            n.value = ast.copy_location(ast.Call(ast.Name("c_order", ast.Load()), [n.value], []),
                                        n.value)
    return fn
