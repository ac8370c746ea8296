"""Clean-up, dead loops: a top-level loop whose results nothing after it reads is dropped.

The clean-up's mark and sweep is flow-insensitive: a name that a live statement reads keeps
every statement assigning it.  A forward loop whose values the reverse sweep recomputes
(defines again before reading them in each step) is then kept for nothing: a whole pass over
the data.  Here, in order: a top-level ``for`` that only assigns names (no element writes, no
effects) is dropped when none of them may be read, after it, before being assigned again.

    for i in range(n):                         (dropped)
        h = np.tanh(W @ X[i] + b)
    ...                                ->      ...
    for i in range(n - 1, -1, -1):             for i in range(n - 1, -1, -1):
        h = np.tanh(W @ X[i] + b)                  h = np.tanh(W @ X[i] + b)
        bh = ...                                   bh = ...

A ``prange`` loop whose adjoint runs each step again (its steps keep values in inner loops:
passes/parallel.py) is dropped too when what it computes is read after it only by that
adjoint loop, which computes it again first, or only for its shape: the elements it writes
(``vals[i, k] = ...``) are each step's own, and the step run again writes them before it
reads them.  The parallel gradient then makes one pass over the data, not two.
"""
import ast

from .loop_order import _base, is_comment
from .revolve import exposed
from .saves import value_reads
from .walk import nodes


def _only_assigns(loop, effectful):
    """The names ``loop`` assigns, or None if it writes into arrays or has an effect."""
    out = {loop.target.id}
    for n in nodes(loop):
        if isinstance(n, (ast.Assign, ast.AugAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            if not all(isinstance(t, ast.Name) for t in targets) or effectful(n.value):
                return None
            out |= {t.id for t in targets}
        elif isinstance(n, ast.For):
            if not isinstance(n.target, ast.Name):
                return None
            out.add(n.target.id)
        elif isinstance(n, ast.stmt) and not isinstance(n, (ast.For, ast.If, ast.Pass)):
            return None  # a while, a call for its effect, a return...
        elif isinstance(n, ast.If) and effectful(n.test):
            return None
    return out


def drop_dead_loops(fn, effectful):
    """``fn`` without top-level loops whose assigned names are all dead after them."""
    body = list(fn.body)
    k = len(body) - 1
    while k >= 0:
        s = body[k]
        if isinstance(s, ast.For) and not effectful(s.iter):
            written = _only_assigns(s, effectful)
            if written is not None and not (written & exposed(body[k + 1:], set(), set())):
                del body[k]
            elif _run_again(s, body[k + 1:], effectful):
                del body[k]
        k -= 1
    fn.body = body
    return fn


def _run_again(loop, after, effectful):
    """Is ``loop`` a prange loop whose adjoint loop (in ``after``, at the top level) runs each
    of its steps again, and is nothing it computes read after it otherwise, except arrays
    for their shape?"""
    token = getattr(loop, "rerun_of", None)
    if token is None:
        return False
    again = [st for st in after if getattr(st, "rerun_of", None) == token]
    if len(again) != 1:
        return False
    names, arrays = {loop.target.id}, set()
    for n in nodes(loop):
        if isinstance(n, (ast.Assign, ast.AugAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                base = t
                while isinstance(base, ast.Subscript):
                    base = base.value
                if not isinstance(base, ast.Name):
                    return False
                (names if base is t else arrays).add(base.id)
            if effectful(n.value):
                return False
        elif isinstance(n, ast.For):
            if not isinstance(n.target, ast.Name):
                return False
            names.add(n.target.id)
        elif isinstance(n, ast.If):
            if effectful(n.test):
                return False
        elif isinstance(n, ast.stmt) and not isinstance(n, ast.Pass) and not _comment(n):
            return False  # a while, a call for its effect, a return...
    if names & arrays:
        return False
    rest = [st for st in after if st is not again[0]]
    if names & exposed(rest, set(), set()):
        return False
    for st in rest:  # the arrays: neither read for their values nor written into
        if value_reads(st, loads_only=True) & arrays:
            return False
        for n in nodes(st):
            if isinstance(n, (ast.Assign, ast.AugAssign)):
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                    if isinstance(t, ast.Subscript) and _base(t) in arrays:
                        return False
    return True


def _comment(st):
    return isinstance(st, ast.Expr) and is_comment(st)
