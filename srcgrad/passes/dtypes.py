"""Normalize, dtypes of the arrays a function makes: one spelling, a keyword.

    np.zeros(n, int)                 ->  np.zeros(n, dtype=np.int64)
    np.empty_like(x, 'f8')           ->  np.empty_like(x, dtype=np.float64)
    np.ones(3, dtype=x.dtype)        ->  np.ones(3, dtype=x.dtype)      (x's kind decides)
    np.full(3, v, np.float64)        ->  np.full(3, v)

The kinds pass then reads the array's dtype from the keyword (passes/callkinds.py
``creation_dtype``): an integer or boolean array holds no derivative, and a value written into
it is truncated as NumPy truncates it.  A dtype srcgrad has no kind for (``np.float32``,
complex, a dtype it cannot read) is refused at the call, never taken for float64.
"""
import ast

import numpy as np

from ..frontend.source import _MISSING

# where each call takes its dtype positionally
DTYPE_AT = {np.zeros: 1, np.ones: 1, np.empty: 1, np.zeros_like: 1, np.ones_like: 1,
            np.empty_like: 1, np.identity: 1, np.eye: 3, np.arange: 3, np.full: 2,
            np.full_like: 2}


def _dtype_attr(name):
    return ast.Attribute(ast.Name("np", ast.Load()), name, ast.Load())


class Dtypes:
    """Mixed into the normalizer."""

    def dtype_node(self, d, e):
        """The canonical dtype expression for the user's ``d``: ``np.float64``, ``np.int64``
        (or another integer width), ``np.bool_``, or ``x.dtype`` of an array ``x``."""
        if isinstance(d, ast.Attribute) and d.attr == "dtype" and self.src.resolve(d) is _MISSING:
            return d  # another array's dtype: its kind decides
        obj = d.value if isinstance(d, ast.Constant) else self.src.resolve(d)
        try:
            dt = np.dtype(obj) if obj is not _MISSING else None
        except TypeError:
            dt = None
        if dt is not None and (dt == np.float64 or dt.kind in "iub"):
            return _dtype_attr("bool_" if dt.kind == "b" else dt.name)
        self.fail(d, f"dtype={ast.unparse(d)} in {ast.unparse(e.func)}()",
                  "srcgrad differentiates float64 arrays: give np.float64, an integer or "
                  "bool dtype, or another array's .dtype.")

    def with_dtype(self, obj, e):
        """``e`` (a call of ``obj``, one of ``DTYPE_AT``) with its dtype, if it gives one, as
        a keyword in its canonical spelling; a float64 dtype of ``np.full``/``np.full_like``
        dropped (their rule makes float arrays)."""
        at = DTYPE_AT[obj]
        args, keywords = list(e.args), [k for k in e.keywords if k.arg != "dtype"]
        d = next((k.value for k in e.keywords if k.arg == "dtype"), None)
        if d is None and len(args) > at:
            d = args.pop(at)
        if d is None or (isinstance(d, ast.Constant) and d.value is None):
            return e if d is None else ast.copy_location(ast.Call(e.func, args, keywords), e)
        d = self.dtype_node(d, e)
        if obj in (np.full, np.full_like):
            if not (isinstance(d, ast.Attribute) and d.attr == "float64"):
                self.fail(e, f"{ast.unparse(e.func)}() with dtype={ast.unparse(d)}",
                          "fill an integer array with np.ones(shape, dtype=...) * value, or "
                          "leave dtype out for a float array.")
            return ast.copy_location(ast.Call(e.func, args, keywords), e)
        return ast.copy_location(ast.Call(e.func, args, keywords + [ast.keyword("dtype", d)]), e)
