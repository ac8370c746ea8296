"""Normalize, einsum: ``np.einsum`` with literal subscripts becomes a helper of plain loops,
inlined like a user's helper, so both modes (and their Hessians) follow from the loops.

    np.einsum("ij,jk->ik", A, B)   ->   def einsum_ij_jk_ik(a0, a1):
                                            n_i = a0.shape[0]
                                            n_j = a0.shape[1]
                                            n_k = a1.shape[1]
                                            if a1.shape[0] != n_j:
                                                raise ValueError(...)
                                            out = np.zeros((n_i, n_k))
                                            for i in range(n_i):
                                                for k in range(n_k):
                                                    for j in range(n_j):
                                                        out[i, k] += a0[i, j] * a1[j, k]
                                            return out

Implicit output (no ``->``) is NumPy's: the letters used once, in alphabetical order.  A
repeated letter in one operand (``"ii->i"``, ``"ii"``) reads a diagonal.  Ellipses and
subscripts that are not literal strings are refused at the user's line.
"""
import ast

import numpy as np

from ..errors import UnsupportedError
from ..frontend.source import Source
from ..passes.walk import nodes


def parse(subscripts, n_operands):
    """(input subscripts per operand, output subscripts), or a reason it is refused."""
    if not isinstance(subscripts, str):
        return "the subscripts are not a literal string"
    text = subscripts.replace(" ", "")
    if "." in text:
        return "an ellipsis (...) in the subscripts"
    lhs, arrow, rhs = text.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != n_operands:
        return f"{len(inputs)} subscripts for {n_operands} operands"
    letters = "".join(inputs)
    if not all(c.isalpha() for c in letters + rhs):
        return "subscripts that are not letters"
    if not arrow:
        rhs = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if len(set(rhs)) != len(rhs) or any(c not in letters for c in rhs):
        return f"output subscripts {rhs!r} that are repeated or not in an input"
    return inputs, rhs


def tensordot_axes(e):
    """``np.tensordot``'s axes from a literal: an int, or a pair of index lists; else None."""
    def one(v):  # 2, or -1 (a negation of a constant)
        if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
            k = one(v.operand)
            return -k if k is not None else None
        return v.value if isinstance(v, ast.Constant) and type(v.value) is int else None

    def ints(x):
        items = [one(v) for v in x.elts] if isinstance(x, (ast.Tuple, ast.List)) else [one(x)]
        return None if None in items else items
    if isinstance(e, ast.Constant) and type(e.value) is int and e.value >= 0:
        return e.value
    if isinstance(e, (ast.Tuple, ast.List)) and len(e.elts) == 2:
        pair = [ints(x) for x in e.elts]
        if None not in pair:
            return tuple(pair)
    return None


def tensordot_subscripts(ranks, axes):
    """The einsum subscripts of ``np.tensordot`` for operands of these ranks: a's free axes
    then b's, in order, as NumPy; or the reason the axes do not fit."""
    ra, rb = ranks
    if isinstance(axes, int):
        axes = (list(range(ra - axes, ra)), list(range(axes)))
        if axes[0] and (axes[0][0] < 0 or len(axes[1]) > rb):
            return f"{len(axes[1])} contracted axes of operands of ranks {ra} and {rb}"
    ax_a, ax_b = axes
    if len(ax_a) != len(ax_b):
        return f"{len(ax_a)} axes of one operand against {len(ax_b)} of the other"
    if not all(-ra <= i < ra for i in ax_a) or not all(-rb <= j < rb for j in ax_b):
        return f"axes {ax_a}, {ax_b} of operands of ranks {ra} and {rb}"
    ax_a, ax_b = [i % ra for i in ax_a], [j % rb for j in ax_b]
    if len(set(ax_a)) != len(ax_a) or len(set(ax_b)) != len(ax_b):
        return "an axis contracted twice"
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    sa = [next(letters) for _ in range(ra)]
    sb = [None] * rb
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    sb = [c or next(letters) for c in sb]
    output = [c for k, c in enumerate(sa) if k not in ax_a] + \
        [c for k, c in enumerate(sb) if k not in ax_b]
    return ["".join(sa), "".join(sb)], "".join(output)


def helper_source(inputs, output, what="einsum"):
    """The text of the loop helper for these subscripts (deterministic names); ``what`` is
    the user's call, named in the size check's error."""
    name = "einsum_" + "_".join(inputs + [output or "s"])
    params = [f"a{k}" for k in range(len(inputs))]
    lines = [f"def {name}({', '.join(params)}):"]
    size, first = {}, {}
    for k, sub in enumerate(inputs):
        for axis, c in enumerate(sub):
            if c not in size:
                size[c] = f"n_{c}"
                first[c] = (k, axis)
                lines.append(f"    n_{c} = a{k}.shape[{axis}]")
    for k, sub in enumerate(inputs):
        for axis, c in enumerate(sub):
            if first[c] != (k, axis):
                lines += [f"    if a{k}.shape[{axis}] != n_{c}:",
                          f"        raise ValueError('{what}: operands disagree on the size of "
                          + (f"subscript {c}')" if what == "einsum" else "a contracted axis')")]
    summed = [c for c in dict.fromkeys("".join(inputs)) if c not in output]
    if output:
        shape = ", ".join(size[c] for c in output)
        lines.append(f"    out = np.zeros(({shape},))" if len(output) == 1 else
                     f"    out = np.zeros(({shape}))")
        target = f"out[{', '.join(output)}]"
    else:
        lines.append("    out = 0.0")
        target = "out"
    pad = "    "
    for c in list(output) + summed:
        lines.append(f"{pad}for {c} in range({size[c]}):")
        pad += "    "
    term = " * ".join(f"a{k}[{', '.join(sub)}]" if sub else f"a{k}"
                      for k, sub in enumerate(inputs))
    lines.append(f"{pad}{target} += {term}")
    lines.append("    return out")
    return name, "\n".join(lines) + "\n"


def helper(inputs, output, like, user_src, what="einsum"):
    """A :class:`Source` for the helper, every node placed at the user's call ``like`` (so
    an error inside names the user's line), resolving ``np`` to NumPy."""
    return located_source(helper_source(inputs, output, what)[1], like, user_src)


def located_source(text, like, user_src, namespace=None):
    """A :class:`Source` for a helper srcgrad writes (``text``: one function) standing for
    the user's call ``like``: every node placed at that call, names resolving in
    ``namespace`` (``np`` to NumPy by default)."""
    tree = ast.parse(text).body[0]
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            ast.copy_location(node, like)
            node.end_lineno, node.end_col_offset = like.end_lineno, like.end_col_offset
    return Source(None, tree, user_src.filename, user_src.lines, namespace or {"np": np})


def rank_sites(fdef, kind_of):
    """The operands' ranks at each placeholder call (``kind_of`` gives an atom's kind), by
    call site; a site reached with two different ranks (a helper inlined twice) is refused."""
    sites = {}
    for node in nodes(fdef):
        key = getattr(node, "rank_site", None)
        if key is None:
            continue
        kinds = [kind_of(a) for a in node.args]
        ranks = tuple(k[1] if k and k[0] == "a" else 0 for k in kinds)
        src, call = node.rank_origin
        if getattr(node, "checkpoint", None) is not None:  # the whole kinds (checkpoints.py)
            if any(k is None or k[0] not in "as" for k in kinds):
                raise UnsupportedError([src.problem(call, f"{ast.unparse(call.func)}() with "
                                                    "an argument that is not a number or an "
                                                    "array", "pass numbers and arrays to a "
                                                    "checkpointed function.")])
            ranks = tuple(kinds)
        if hasattr(node, "library_kind"):  # a library call's chooser reads the kinds
            ranks = tuple(kinds)
        if not hasattr(node, "library_kind") and min(ranks, default=1) == 0 \
                and not getattr(node, "elementwise", False) \
                and not getattr(node, "rows_append", False) \
                and not getattr(node, "array_rows", False):
            raise UnsupportedError([src.problem(call, f"{ast.unparse(call.func)}() of a scalar "
                                                "or an operand of unknown rank",
                                                "pass two arrays (multiply scalars with *).")])
        if sites.get(key, ranks) != ranks:
            raise UnsupportedError([src.problem(call, f"{ast.unparse(call.func)}() reached with "
                                                "operands of different ranks",
                                                "call the helper holding it with arrays of one "
                                                "rank, or write np.einsum.")])
        sites[key] = ranks
    return sites
