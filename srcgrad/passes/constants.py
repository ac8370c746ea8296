"""Normalize, globals: numbers become literals, arrays named constants of the generated code.

    K = Fraction(1, 2)        x * K      ->  x * 0.5        (exact, or refused)
    W = np.array([...])       W * x      ->  W * x          (the constant W)
    helper's module: W        W * x      ->  W_1 * x        (another module's W)

Each global is read in the namespace of the function that reads it.  Also folded here:
``isinstance()`` of a parameter, from its kind at the call, and the tests it decides.

    isinstance(x, np.ndarray)   ->  True        (x an array at this call)
"""
import ast
import numbers
from decimal import Decimal
from fractions import Fraction

import numpy as np

from ..errors import InternalError
from ..frontend.source import _MISSING
from .names import all_names


def number_sequence(obj):
    """Is ``obj`` a list or tuple (nested or not) of numbers only?"""
    if not isinstance(obj, (list, tuple)):
        return False
    return all(number_sequence(v) or (isinstance(v, (numbers.Number, np.bool_))
                                      and not isinstance(v, complex)) for v in obj)


class Constants:
    """Mixed into the normalizer; ``self.constants`` maps generated names to arrays."""

    def constant(self, e, obj):
        if isinstance(obj, bool) or obj is None:
            return ast.Constant(obj)
        if isinstance(obj, numbers.Number) and not isinstance(obj, complex):
            v = self.exact_number(e, obj)
            if v < 0:
                return ast.UnaryOp(ast.USub(), ast.Constant(-v))
            return ast.Constant(v)
        if isinstance(obj, np.ndarray) and isinstance(e, ast.Name):
            return ast.Name(self.constant_name(e.id, obj), ast.Load())
        if number_sequence(obj):  # SIZES = [(3, 4), (4, 1)]: a tuple of literals
            return ast.Tuple([self.constant(e, v) for v in obj], ast.Load())
        if obj is _MISSING and isinstance(e, ast.Name) and not self.src.internal \
                and e.id not in all_names(self.src.tree):  # a name srcgrad made up
            raise InternalError(f"normalize read its own name {e.id!r} as a global",
                                self.src.name, "normalize")
        if obj is _MISSING:
            self.fail(e, f"name {ast.unparse(e)!r} is not defined",
                      "define it before use, or pass it in as an argument.")
        self.fail(e, f"global {ast.unparse(e)} of type {type(obj).__name__}",
                  "only numbers, NumPy arrays and lists or tuples of numbers can be read from "
                  "globals; pass others as arguments.")

    def exact_number(self, e, obj):
        """A global number as an int or an exactly equal float64 (Fraction(1, 2) is 0.5;
        Fraction(1, 3) or Decimal("0.1") have no exact float and are refused)."""
        if isinstance(obj, (numbers.Integral, np.integer)):
            return int(obj)
        if isinstance(obj, (float, np.floating)):
            return float(obj)
        try:
            v = float(obj)
            exact = Fraction(v) == (Fraction(obj) if not isinstance(obj, Decimal)
                                    else Fraction(obj))
        except (TypeError, ValueError, OverflowError):
            exact = False
        if not exact:
            self.fail(e, f"global {ast.unparse(e)} = {obj!r} ({type(obj).__name__}) has no "
                      "exact float64 value", "give it as a float, or pass it as an argument.")
        return v

    def constant_name(self, name, obj):
        """The generated code's name for a global array: the same name for the same object,
        another name (``W_1``) for another function's ``W`` (globals are resolved in each
        function's own module)."""
        for gen, value in self.constants.items():
            if value is obj:
                return gen
        if name in self.constants or (self.prefix is not None and name in self.names.taken):
            name = self.names.fresh(f"{name}_")
        self.names.taken.add(name)
        self.constants[name] = obj
        return name


# the Python types a value of each kind may have at the call (passes/types.py kinds)
_TYPES = {"f": (float, np.float64), "i": (int, np.int64), "b": (bool, np.bool_)}


def static_isinstance(norm, call):
    """``isinstance(p, T)`` of a parameter ``p`` never rebound: True or False from the kind of
    the argument at the call (srcgrad specializes on it), so the branch not taken is never
    differentiated; a located error when the kind does not decide it."""
    from .types import describe
    what = ast.unparse(call)
    kinds = norm.param_kinds or {}
    if len(call.args) != 2 or call.keywords or not isinstance(call.args[0], ast.Name) \
            or call.args[0].id not in kinds or norm.prefix is not None \
            or norm._rebinds(call.args[0].id, own_scope=True):
        norm.fail(call, what, "srcgrad decides isinstance() of a parameter of the "
                  "differentiated function (never rebound) from its kind at the call.")
    types = norm.src.resolve(call.args[1])
    if isinstance(call.args[1], ast.Tuple):
        types = tuple(norm.src.resolve(t) for t in call.args[1].elts)
    if not (isinstance(types, type) or (isinstance(types, tuple) and types
                                        and all(isinstance(t, type) for t in types))):
        norm.fail(call, what, "give a type or a tuple of types.")
    kind = kinds[call.args[0].id]
    if kind is None:
        norm.fail(call, what, "the argument's kind is not known.")
    held = (np.ndarray,) if kind[0] == "a" else _TYPES.get(kind[1], ()) if kind[0] == "s" \
        else (tuple,) if kind[0] == "t" else ()
    answers = {issubclass(t, types) for t in held}
    if len(answers) != 1:
        norm.fail(call, what, f"{describe(kind)} argument may be any of "
                  f"{', '.join(t.__name__ for t in held) or 'several types'} here, and the "
                  "answer differs; test the kind another way (np.ndim(x) == 0).")
    return ast.copy_location(ast.Constant(answers.pop()), call)


def decided(test):
    """``test`` with its constant parts folded (``isinstance()`` of parameters become
    constants): True or False when that decides it, else the test, simplified."""
    if isinstance(test, ast.Constant) and isinstance(test.value, bool):
        return test.value
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided(test.operand)
        return (not inner) if isinstance(inner, bool) else test
    if isinstance(test, ast.BoolOp):
        is_and = isinstance(test.op, ast.And)
        kept = []
        for v in test.values:
            d = decided(v)
            if isinstance(d, bool):
                if d != is_and:  # False in an and, True in an or: decided
                    return d
                continue  # True in an and, False in an or: no effect
            kept.append(d)
        if not kept:
            return is_and
        return kept[0] if len(kept) == 1 else ast.copy_location(ast.BoolOp(test.op, kept), test)
    return test
