"""Library functions srcgrad differentiates by writing them in its subset: ``scipy.special``'s
``logsumexp``, ``expit``, ``xlogy``... (special.py), ``scipy.stats`` distributions' log
densities, densities and distribution functions (stats.py), and NumPy's ``polyval``
(polynomials.py), ``convolve`` and ``correlate`` (convolution.py), ``interp`` and
``trapezoid`` (interpolation.py), ``cov``, ``corrcoef`` and the NaN-skipping reductions
(statistics.py), ``pad`` (padding.py), ``heaviside`` and ``float_power`` (elementwise.py), ``gradient`` (differences.py), ``np.linalg.multi_dot`` (linalg.py).

Each library callable maps to a *shim*: a plain function of NumPy and ``math`` calls that
computes the same values.  A call to the library function is inlined as the shim (placed at
the user's call, so an error names the user's line), so both modes, Hessians and Numba follow
from the primitives, as for a user's helper.  Some library functions map to a *chooser*
instead, which picks the shim from the arguments given (``logsumexp`` with or without
``axis`` and ``b``).  A library function with neither is refused at the user's call
(frontend/check.py), never looked inside.

    scipy.stats.norm.logpdf(x, mu, s)  ->  the body of stats.norm_logpdf(x, mu, s), inlined
"""
import ast
import importlib
import inspect
import sys

import numpy as np

SHIMS = {}     # library callable -> shim function
CHOOSERS = {}  # library callable -> chooser(args, keywords) -> (shim, args) or a reason


def shim(*targets):
    """Register the decorated function as the shim of ``targets``."""
    def deco(fn):
        for t in targets:
            SHIMS[t] = fn
        return fn
    return deco


def chooser(*targets, ranks=None):
    """Register the decorated ``pick(args, keywords)`` as the chooser of ``targets``.  With
    ``ranks=(signature, params, kind)`` (``signature``: the parameter names positional
    arguments bind to, in order; ``params``: those whose kinds the chooser reads), the call is
    first a placeholder whose kind is ``kind({param: kind})``, and the chooser is called
    again as ``pick(args, keywords, kinds={param: kind})`` once the kinds pass knows the
    kinds of those parameters' arguments, as for ``np.tensordot``: the shim can then differ
    by rank (``np.pad`` of a matrix)."""
    def deco(fn):
        fn.ranks = ranks
        for t in targets:
            CHOOSERS[t] = fn
        return fn
    return deco


def rank_params(obj):
    """(signature, parameter names, kind function) of a chooser that picks by rank, else
    None."""
    try:
        return getattr(CHOOSERS.get(obj), "ranks", None)
    except TypeError:
        return None


def load():
    """Register the shims of the SciPy modules already imported (a user's function can only
    reach those; importing scipy.stats ourselves would cost every user half a second), and
    NumPy's (polynomials.py)."""
    for lib, ours in (("numpy", "polynomials"), ("numpy", "convolution"),
                      ("numpy", "interpolation"), ("numpy", "statistics"), ("numpy", "padding"),
                      ("numpy", "elementwise"), ("numpy", "differences"), ("numpy", "linalg"),
                      ("scipy.special", "special"),
                      ("scipy.stats", "stats")):
        if lib in sys.modules and ours not in _LOADED:
            importlib.import_module(f"{__name__}.{ours}")
            _LOADED.add(ours)


_LOADED = set()


def known(obj):
    load()
    try:
        return obj in SHIMS or obj in CHOOSERS
    except TypeError:
        return False


def literal(node, default=None):
    """The Python value of a literal argument (None for ``None``), or ``default`` if absent;
    a non-literal gives the marker ``NOT_LITERAL``."""
    if node is None:
        return default
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) \
            and isinstance(node.operand, ast.Constant):
        return -node.operand.value
    return NOT_LITERAL


NOT_LITERAL = object()


def given_args(names, args, kw):
    """({parameter name: argument expression}, whether the call fits ``names``): positional
    arguments in order, then keywords."""
    given = dict(zip(names, args))
    given.update(kw)
    return given, len(args) <= len(names) and not set(given) - set(names)


def bind(obj, args, keywords, kinds=None):
    """(shim, [argument expression per shim parameter]) for a call of ``obj``, or a string
    saying why the call is refused.  Absent parameters take the shim's defaults.  ``kinds``:
    for a chooser that picks by rank (``chooser(ranks=...)``), its arguments' kinds."""
    if obj in CHOOSERS:
        more = {"kinds": kinds} if kinds is not None else {}
        picked = CHOOSERS[obj](list(args), {k.arg: k.value for k in keywords}, **more)
        if isinstance(picked, str):
            return picked
        fn, args, keywords = picked[0], picked[1], []
    else:
        fn = SHIMS[obj]
    sig = inspect.signature(fn)
    try:
        bound = sig.bind(*args, **{k.arg: k.value for k in keywords})
    except TypeError as e:
        return f"arguments that do not fit ({e})"
    out = []
    for name, p in sig.parameters.items():
        if name in bound.arguments:
            out.append(bound.arguments[name])
        elif p.default is not inspect.Parameter.empty:
            out.append(ast.Constant(p.default))
    return fn, out


def qualname(obj):
    """``scipy.stats.norm.logpdf`` for a bound method of a distribution, else module.name."""
    owner = getattr(obj, "__self__", None)
    if owner is not None and not inspect.ismodule(owner):
        dist = getattr(owner, "name", None) or type(owner).__name__.removesuffix("_gen")
        return f"{type(owner).__module__.split('._')[0]}.{dist}.{obj.__name__}"
    if isinstance(obj, np.ufunc):  # SciPy's ufuncs have no __module__
        special = sys.modules.get("scipy.special")
        if special is not None and getattr(special, obj.__name__, None) is obj:
            return f"scipy.special.{obj.__name__}"
        return f"numpy.{obj.__name__}"
    mod = (getattr(obj, "__module__", None) or "").split("._")[0]
    return f"{mod}.{getattr(obj, '__name__', '?')}" if mod else getattr(obj, "__name__", "?")

