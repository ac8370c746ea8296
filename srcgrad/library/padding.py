"""NumPy's constant padding in srcgrad's subset (loaded with NumPy, always).

    np.pad(x, ((1, 2), (0, 3)))   ->   out = np.zeros((n0 + 3, n1 + 3)) + 0.0
                                       out[1:1 + n0, 0:n1] = x

The shim is picked by ``x``'s rank (1 to 3), which the kinds pass tells (``chooser(ranks=)``),
so ``np.pad(X, 1)`` of a matrix pads both axes, as NumPy's.  ``pad_width`` is written as
NumPy takes it: a number, ``(before, after)`` for every axis, or one pair per axis; each
width an integer literal or an integer variable.  Only ``mode="constant"`` (the default),
with ``constant_values`` one number (which carries a derivative: the padding's cotangents
add into it); other modes, a pair of values, and a width that is not written out are refused
at the call.  A negative width raises ``ValueError``, as NumPy's.
"""
import ast

import numpy as np

from . import chooser, given_args, literal


def pad1(x, b0, a0, c):
    if min(b0, a0) < 0:
        raise ValueError("index can't contain negative values")
    out = np.zeros(x.shape[0] + b0 + a0) + c
    out[b0:b0 + x.shape[0]] = x
    return out


def pad2(x, b0, a0, b1, a1, c):
    if min(b0, a0, b1, a1) < 0:
        raise ValueError("index can't contain negative values")
    out = np.zeros((x.shape[0] + b0 + a0, x.shape[1] + b1 + a1)) + c
    out[b0:b0 + x.shape[0], b1:b1 + x.shape[1]] = x
    return out


def pad3(x, b0, a0, b1, a1, b2, a2, c):
    if min(b0, a0, b1, a1, b2, a2) < 0:
        raise ValueError("index can't contain negative values")
    out = np.zeros((x.shape[0] + b0 + a0, x.shape[1] + b1 + a1, x.shape[2] + b2 + a2)) + c
    out[b0:b0 + x.shape[0], b1:b1 + x.shape[1], b2:b2 + x.shape[2]] = x
    return out


def _width(e):
    """A width as written: an integer literal or a name (an integer variable), else None."""
    v = literal(e)
    if isinstance(v, int) and not isinstance(v, bool):
        return e
    return e if isinstance(e, ast.Name) else None


def _pairs(pad_width, rank):
    """[(before, after)] per axis from NumPy's forms of ``pad_width``, or None."""
    w = _width(pad_width)
    if w is not None:  # one number for every side
        return [(w, w)] * rank
    if not isinstance(pad_width, (ast.Tuple, ast.List)) or not pad_width.elts:
        return None
    elts = pad_width.elts
    if all(not isinstance(p, (ast.Tuple, ast.List)) for p in elts):  # (n,) or (before, after)
        ws = [_width(p) for p in elts]
        if None in ws or len(ws) > 2:
            return None
        return [(ws[0], ws[-1])] * rank
    pairs = []
    for p in elts:
        if not isinstance(p, (ast.Tuple, ast.List)) or len(p.elts) not in (1, 2):
            return None
        ws = [_width(q) for q in p.elts]
        if None in ws:
            return None
        pairs.append((ws[0], ws[-1]))
    if len(pairs) == 1:
        return pairs * rank
    return pairs if len(pairs) == rank else None


def _float_like(kinds):
    k = kinds.get("array")
    return ("a", k[1], "f") if k is not None and k[0] == "a" else None


def _integers(e, k):
    """Is every width written in ``e`` (``pad_width``: a number, or tuples of them) an
    integer, by its kind ``k``?  (A name holding a tuple is not a width.)"""
    if isinstance(e, (ast.Tuple, ast.List)):
        return k is not None and k[0] == "t" and len(k[1]) == len(e.elts) and all(
            _integers(a, b) for a, b in zip(e.elts, k[1]))
    return k is not None and k[0] == "s" and k[1] == "i"


_PAD = ("array", "pad_width", "mode", "constant_values")


@chooser(np.pad, ranks=(_PAD, ("array", "pad_width", "constant_values"), _float_like))
def _pad(args, kw, kinds):
    given, ok = given_args(_PAD, args, kw)
    if not ok or len(args) > 3 or not {"array", "pad_width"} <= set(given):
        return "these arguments"  # (constant_values is a keyword in NumPy's signature)
    if literal(given.get("mode"), "constant") != "constant":
        return "a mode other than 'constant' (srcgrad pads with one value)"
    c = given.get("constant_values", ast.Constant(0.0))
    k = kinds.get("constant_values")
    if "constant_values" in given and (k is None or k[0] != "s"):
        return "constant_values other than one number"
    k = kinds.get("array")
    rank = k[1] if k is not None and k[0] == "a" else 0
    if not _integers(given["pad_width"], kinds.get("pad_width")):
        return ("a pad_width that is not written out in integers: give a number, (before, "
                "after), or one pair per axis")
    if rank not in (1, 2, 3):
        return f"an array of rank {rank} (srcgrad pads arrays of rank 1 to 3)"
    pairs = _pairs(given["pad_width"], rank)
    if pairs is None:
        return ("a pad_width not written out: give a number, (before, after), or one pair "
                "per axis, of integer literals or variables")
    shim = {1: pad1, 2: pad2, 3: pad3}[rank]
    return shim, [given["array"]] + [w for pair in pairs for w in pair] + [c]
