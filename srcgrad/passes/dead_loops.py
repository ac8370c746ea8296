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
"""
import ast

from .revolve import exposed
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
        k -= 1
    fn.body = body
    return fn
