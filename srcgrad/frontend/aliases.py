"""Writes through a name that shares memory with another, still read afterwards: srcgrad
tracks values, not NumPy's views, so such a write is refused at its line (or, when whether
the names share memory depends on the kinds, checked once the kinds are known).

    row = A[i]       # a view of A when A is 2-D
    row[0] = 1.0     # writes into A too
    s = np.sum(A)    # A read afterwards: refused, "make it a copy"
"""
import ast
import inspect

from ..passes.walk import loads as _loads, nodes
from ..rules.table import VIEW_CALLS


def alias_problem(src, node, target, other):
    if other.startswith("@"):  # a helper's parameter: the caller's array (to_caller)
        p = other[1:]
        return src.problem(node, f"write into {target!r}, which shares memory with the "
                                 f"caller's array passed as {p!r}",
                           "srcgrad tracks values, not NumPy views: compute a new array "
                           f"({target} = {target} + ...) and return it, or copy first "
                           f"({p} = {p}.copy()).")
    return src.problem(node, f"write into {target!r}, which shares memory with {other!r}, "
                             "still read afterwards",
                       "srcgrad tracks values, not NumPy views: make it a copy "
                       f"({target} = ....copy()) or write into the original array.")


def kinds_decide(src, helper=False):
    """[(statement, name that must hold an array, Problem)]: the writes through shared memory
    in ``src`` that the kinds stage decides (passes/normalize.py); those a ``helper`` (a
    function being inlined) makes into the caller's array through another name, or in place,
    are raised here when they need no kinds."""
    if src.internal:  # generated code restores what it overwrites, through the same memory
        return []
    found = alias_writes(src.tree, src.resolve)
    if helper and not _ours(src):  # its parameters are the caller's arrays, read after it
        found += [w for w in alias_writes(src.tree, src.resolve, params=src.params,
                                          to_caller=True) if w[2].startswith("@")]
    for node, target, other, cond in found:
        if cond is None and other.startswith("@"):
            from ..errors import UnsupportedError
            raise UnsupportedError([alias_problem(src, node, target, other)])
    return [(node, cond, alias_problem(src, node, target, other))
            for node, target, other, cond in found if cond is not None]


def _ours(src):
    """Is ``src`` srcgrad's own code (a library shim)?"""
    import os
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.abspath(src.filename or "").startswith(here + os.sep)


def alias_writes(fdef, resolve, returns=None, params=(), to_caller=False):
    """[(statement, name written into, the other name, condition)] for every write into an
    array name that may share memory with another name read after the write.  The condition
    is None, or a name that must hold an array for the memory to be shared (``row = A[i]``
    is a view only for a 2-D ``A``; ``y += 1`` writes in place only for an array ``y``):
    the kinds stage decides those.  ``resolve`` tells a module from an array
    (``onp.reshape(x, s)`` against ``x.reshape(s)``), as ``Source.resolve`` does, and finds
    the helpers a call's result may be a view of an argument of (``z = part(h)`` with
    ``return h[1:]``).  ``returns``: a list that gets, for each ``return``, the names its
    value may share memory with, ``"@p"`` for parameter ``p``'s memory while ``p`` is not
    rebound (``returned_views``).  ``to_caller`` (an inlined helper): that memory is the
    caller's array, read after the call, so a write into it through another name, or in place
    (``a += 1``), is found too; a write into the parameter itself (``a[0] = 1``) reaches the
    caller's name, when the helper never rebinds it."""
    live = _live_after(fdef.body)
    found = {}
    rebound = {n.id for n in nodes(fdef) if isinstance(n, ast.Name)
               and isinstance(n.ctx, ast.Store)}

    def read_after(node, other, target, cond):
        if other in live.get(id(node), ()):
            return True
        if not (to_caller and other.startswith("@")):
            return False
        return not (other == "@" + target and cond is None and target not in rebound)

    def write(node, target, pairs, cond=None, in_place=False):
        for p, pcond in sorted(pairs, key=lambda pc: (sorted(pc[0]), pc[1] or "")):
            if target in p:
                other = next(iter(p - {target}))
                if pcond and pcond.startswith("items:"):  # hs = [h, ...]: hs[0] += 1 only
                    if not in_place:
                        continue
                    pcond = pcond[len("items:"):]
                c = cond or pcond
                if read_after(node, other, target, cond) and (
                        id(node) not in found or found[id(node)][3] is not None and c is None):
                    found[id(node)] = (node, target, other, c)

    def block(stmts, pairs):
        for st in stmts:
            pairs = stmt(st, pairs)
        return pairs

    def stmt(st, pairs):
        if isinstance(st, ast.Expr) and is_ufunc_at(st.value, resolve) \
                and st.value.args and isinstance(st.value.args[0], ast.Name):
            write(st, st.value.args[0].id, pairs, in_place=True)  # np.add.at(y, idx, v)
            return pairs
        if isinstance(st, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = st.targets if isinstance(st, ast.Assign) else [st.target]
            for t in targets:
                if isinstance(t, ast.Tuple):  # x[i], y = ...: the writes into elements
                    for e in t.elts:
                        if isinstance(e, ast.Subscript) and isinstance(e.value, ast.Name):
                            write(st, e.value.id, pairs)
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name):
                    write(st, t.value.id, pairs, in_place=isinstance(st, ast.AugAssign))
                elif isinstance(t, ast.Name) and isinstance(st, ast.AugAssign):
                    write(st, t.id, pairs, t.id)  # in place for arrays: y += 1 changes x too
                elif isinstance(t, (ast.Name, ast.Tuple)):
                    names = {n.id for n in nodes(t) if isinstance(n, ast.Name)}
                    pairs = {(p, c) for p, c in pairs if not names & p}
                    if isinstance(t, ast.Name) and isinstance(st.value, (ast.List, ast.Tuple)):
                        # hs = [h, g]: its items are h and g (an in-place hs[0] += 1 writes h)
                        found_in = [(t.id, e.id, f"items:{e.id}") for e in st.value.elts
                                    if isinstance(e, ast.Name)]
                    elif isinstance(t, ast.Name):
                        found_in = [(t.id, src, view) for src, view in
                                    _aliased_names(st.value, resolve)]
                    elif isinstance(st.value, ast.Tuple) and len(st.value.elts) == len(t.elts):
                        # a, b = h, 2.0: each name what its own value may share memory with
                        found_in = [(n.id, src, view) for n, v in zip(t.elts, st.value.elts)
                                    if isinstance(n, ast.Name)
                                    for src, view in _aliased_names(v, resolve)]
                    else:  # a, b = helper(h): each may be a view of what the result may be
                        found_in = [(n, src, False) for n in sorted(names)
                                    for src, _ in _aliased_names(st.value, resolve)]
                    for tid, src, view in found_in:
                        if src == tid:
                            continue
                        # x[i]: a view only if it is an array; np.asarray(x): if x is one
                        cond = view if isinstance(view, str) and view.startswith("items:") \
                            else src if view == "source" else None if view is True else tid
                        pairs |= {(frozenset((tid, src)), cond)} | {
                            (frozenset((tid, q)), cond or c) for p, c in pairs if src in p
                            for q in p if q != src and q != tid}
            return pairs
        if isinstance(st, ast.Return) and returns is not None and st.value is not None:
            values = st.value.elts if isinstance(st.value, ast.Tuple) else [st.value]
            shared = set()
            for v in values:
                for src, _ in _aliased_names(v, resolve):
                    shared |= {q for p, _ in pairs if src in p for q in p}
            returns.append(shared)
            return pairs
        if isinstance(st, ast.If):
            return block(st.body, pairs) | block(st.orelse, pairs)
        if isinstance(st, (ast.For, ast.While)):
            if isinstance(st, ast.For):
                names = {n.id for n in nodes(st.target) if isinstance(n, ast.Name)}
                pairs = {(p, c) for p, c in pairs if not names & p}
            out = pairs
            while True:  # pairs at the loop head: entry or the end of any trip, to a fixpoint
                new = pairs | block(st.body, out)
                if new == out:
                    return out
                out = new
        return pairs

    block(fdef.body, {(frozenset((p, "@" + p)), None) for p in params})
    block = None  # recursive closures are a cycle: break it (the tree is then freed at once)
    return list(found.values())


# np.asarray(x) and its kin hand back x itself when it is already such an array
_SAME_ARRAY = {"asarray", "asanyarray", "ascontiguousarray", "asfortranarray", "real"}

_RETURNED = {}  # a helper -> the indices of the parameters its result may share memory with


def returned_views(fn):
    """The indices of ``fn``'s parameters its result may be a view of (``return h[1:]``,
    ``v = h.T; return v``, a helper's result that is): a write into the result writes into
    the caller's argument."""
    if fn in _RETURNED:
        return _RETURNED[fn]
    _RETURNED[fn] = ()  # (a recursive helper: what is known so far)
    try:
        from .source import read_source
        src = read_source(fn)
    except Exception:  # noqa: BLE001 -- no source: the call is refused elsewhere
        return ()
    returns = []
    alias_writes(src.tree, src.resolve, returns, src.params)
    shared = set().union(*returns) if returns else set()
    _RETURNED[fn] = tuple(i for i, p in enumerate(src.params) if "@" + p in shared)
    return _RETURNED[fn]


def _aliased_names(v, resolve):
    """[(a name whose memory ``v`` may share, surely)]: ``aliased_name``'s, or a helper
    call's array arguments its result may be a view of (only if the result is an array)."""
    name, view = aliased_name(v, resolve)
    if name is not None:
        return [(name, view)]
    if not isinstance(v, ast.Call) or v.keywords:
        return []
    f = v.func
    if isinstance(f, ast.Call) and len(f.args) == 1:  # srcgrad.checkpoint(g)(...)
        from ..checkpoints import checkpoint
        if _resolved(resolve, f.func) is not checkpoint:
            return []
        f = f.args[0]
    fn = _resolved(resolve, f)
    if not inspect.isfunction(fn) or getattr(fn, "__module__", "").startswith(("numpy", "scipy")):
        return []
    return [(v.args[i].id, False) for i in returned_views(fn)
            if i < len(v.args) and isinstance(v.args[i], ast.Name)]


def _resolved(resolve, node):
    try:
        return resolve(node)
    except Exception:  # noqa: BLE001 -- not a name this module knows
        return None


def aliased_name(v, resolve):
    """(the name whose memory ``v`` may share, surely): ``x``, ``x[a:b]``, ``x[i, :]``,
    ``x.T`` surely; ``x[i]`` (integer indices only) if the result is an array."""
    if isinstance(v, ast.Name):
        return v.id, True
    if isinstance(v, ast.Subscript) and isinstance(v.value, ast.Name):
        if any(isinstance(n, ast.Slice) or (isinstance(n, ast.Constant) and (
                n.value is Ellipsis or n.value is None)) for n in nodes(v.slice)):
            return v.value.id, True  # x[1:], x[...], x[None]: views
        if not any(isinstance(n, (ast.List, ast.Call)) for n in nodes(v.slice)):
            return v.value.id, False
    if isinstance(v, ast.Attribute) and v.attr == "T" and isinstance(v.value, ast.Name):
        return v.value.id, True
    if isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and (
            v.func.attr in VIEW_CALLS or v.func.attr in _SAME_ARRAY):
        module = inspect.ismodule(resolve(v.func.value))  # np.reshape, onp.reshape
        if v.func.attr in _SAME_ARRAY:  # x itself if x is an array (a list: a new array)
            return (v.args[0].id, "source") if module and v.args and \
                isinstance(v.args[0], ast.Name) else (None, False)
        if isinstance(v.func.value, ast.Name) and not module:
            return v.func.value.id, True  # x.reshape(...), x.ravel(): views of x
        if module and v.args and isinstance(v.args[0], ast.Name):
            return v.args[0].id, True  # np.reshape(x, ...), np.expand_dims(x, 0)
    return None, False


def live_after(stmts):
    """{statement: the names that may be read after it} (``_live_after``'s, by statement)."""
    by_id = {id(n): n for st in stmts for n in ast.walk(st) if isinstance(n, ast.stmt)}
    return {by_id[k]: v for k, v in _live_after(stmts).items() if k in by_id}


def _live_after(stmts):
    """id(statement) -> the names that may be read after it (a write into an array counts as
    a read of its name), by backward liveness over the function's own statements."""
    after = {}

    def block(body, out):
        for st in reversed(body):
            after[id(st)] = after.get(id(st), set()) | out
            out = stmt(st, out)
        return out

    def stmt(st, out):
        if isinstance(st, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = st.targets if isinstance(st, ast.Assign) else [st.target]
            killed = set()
            for t in targets:
                if isinstance(t, (ast.Name, ast.Tuple)) and not isinstance(st, ast.AugAssign):
                    killed |= {n.id for n in nodes(t) if isinstance(n, ast.Name)}
            return (out - killed) | _loads(st)
        if isinstance(st, ast.Return):
            return _loads(st)
        if isinstance(st, ast.If):
            return _loads(st.test) | block(st.body, out) | block(st.orelse, out)
        if isinstance(st, (ast.For, ast.While)):
            head = _loads(st.iter if isinstance(st, ast.For) else st.test)
            live = out | head
            while True:  # the body's end flows to the loop head again, to a fixpoint
                new = out | head | block(st.body, live)
                if new == live:
                    break
                live = new
            if isinstance(st, ast.For):
                live -= {n.id for n in nodes(st.target) if isinstance(n, ast.Name)} - head
            return live
        return out | _loads(st)

    block(stmts, set())
    block = None  # recursive closures are a cycle: break it (the tree is then freed at once)
    return after


def is_ufunc_at(e, resolve):
    """Is ``e`` a call ``np.add.at(...)`` or ``np.subtract.at(...)``?"""
    from ..passes.numpy_calls import ufunc_at  # (the passes import this module)
    return ufunc_at(e, resolve) is not None
