"""The memory plan's probe: what the reverse sweep of ``f``'s adjoint would keep, for the
sizes of one call, counted by the adjoint's own forward sweep (nothing is stored).

The adjoint is generated with nothing checkpointed (the PROBE spec: each top-level loop marked
with what it carries, passes/revolve.py) and cut where its reverse sweep would begin.  Every
save becomes a count:

    _stack_u.append(u)     ->    _mem_step += kept_bytes(u)
    _saved_h = h           ->    _mem[4, 0] += kept_bytes(h)

and so does every value the reverse sweep reads from the forward sweep's own variables (an
intermediate of straight-line code lives until the reverse sweep is done with it):

    layer_z = x @ W1       ->    (computed, as before)
    # reverse sweep        ->    _mem[2, 0] += kept_bytes(layer_z)

The result has a row per top-level loop (bytes kept, trips, one step's most, the bytes of the
state it carries), a row per top-level helper call ``srcgrad.checkpoint`` could take (bytes
its statements keep, bytes of its arguments: what it keeps checkpointed), and a last row
(bytes kept outside both).  A call is the run of top-level statements inlined from it
(pipeline.Generated.site_map); one whose helper has a loop at the top level is left to the
loops.
"""
import ast

from .errors import SrcgradError
from .passes.revolve import PROBE_MARK

_COLUMNS = 4  # per loop: bytes kept, trips, one step's most, the state's bytes
_KEPT = ("_stack_", "_saved_", "_snap_", "_last_")


def instrumented(gen):
    """(probe source, loops, calls): ``gen`` (pipeline.Generated, made with the PROBE spec)
    returning ``_mem`` at the start of its reverse sweep; ``loops`` the marked groups
    ({"number", "online", "carried", "why_not", "lineno"}), ``calls`` [(site, row)]."""
    tree = ast.parse(gen.source)
    fdef = tree.body[0]
    params = [a.arg for a in fdef.args.args]
    lines = gen.source.split("\n")
    boundary = next((i + 1 for i, ln in enumerate(lines) if ln.strip() == "# reverse sweep"),
                    len(lines) + 1)
    marks = {}
    for i, ln in enumerate(lines):
        text = ln.strip()
        if text.startswith("# " + PROBE_MARK):
            marks[i + 1] = _mark(text[len("# " + PROBE_MARK):])
    n = max((m["number"] for m in marks.values()), default=-1) + 1
    fwd = [s for s in fdef.body if s.lineno < boundary]
    rest = fdef.body[len(fwd):]
    regions = _regions(fwd, rest, gen, set(params))
    calls = [(site, n + j) for j, site in enumerate(regions)]
    row_of = {site: r for site, r in calls}
    outside = n + len(calls)
    at = {}  # a statement's index -> the call's row it belongs to
    for site, (first, last, _) in regions.items():
        for i in range(first, last + 1):
            at[i] = row_of[site]
    body = ast.parse(f"_mem = np.zeros(({outside + 1}, {_COLUMNS}))\n_mem_step = 0.0").body
    groups, current, seen, itemsize = [], None, 0, {}
    for i, s in enumerate(fwd):
        for ln in range(seen + 1, s.lineno):
            if ln in marks:
                current = marks[ln]
        seen = s.end_lineno
        for site, (first, _, args) in regions.items():
            if i == first:  # what the call keeps checkpointed: its arguments
                body += ast.parse("\n".join(f"_mem[{row_of[site]}, 1] += kept_bytes({a})"
                                            for a in args) or "pass").body
        if isinstance(s, (ast.For, ast.While)) and current is not None:
            k = current["number"]
            bound = set(params) | {v for x in fwd[:i] for v in _stores(x)}
            state = " + ".join(f"kept_bytes({v})" if kind == "a" and v in bound else "8"
                               for v, kind in current["carried"]) or "0"
            body += ast.parse(f"_mem[{k}, 3] = {state}").body
            _Counted("_mem_step", itemsize).visit(s)
            flush = ast.parse(f"_mem[{k}, 0] += _mem_step\n"
                              f"_mem[{k}, 2] = max(_mem[{k}, 2], _mem_step)\n"
                              "_mem_step = 0.0").body
            s.body = flush + ast.parse(f"_mem[{k}, 1] += 1").body + s.body
            body += [s] + ast.parse("\n".join(ast.unparse(x) for x in flush)).body
            groups.append({**current, "lineno": s.lineno})
            current = None
        else:
            body.append(_Counted(f"_mem[{at.get(i, outside)}, 0]", itemsize).visit(s))
    for v, i in live_values(fwd, rest, params):
        body += ast.parse(f"_mem[{at.get(i, outside)}, 0] += kept_bytes({v})").body
    body = [s for s in body if s is not None]
    left = sorted({x.id for s in body for x in ast.walk(s) if isinstance(x, ast.Name)
                   and x.id.startswith(("_stack_", "_saved_")) and isinstance(x.ctx, ast.Load)})
    if left:
        raise SrcgradError(f"a bug in srcgrad: the memory probe's forward sweep reads what it "
                           f"saves ({', '.join(left)}); please report it")
    fdef.body = body + [ast.Return(ast.Name("_mem", ast.Load()))]
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n", groups, calls


def live_values(fwd, rest, params):
    """[(name, index of the top-level statement of ``fwd`` that last assigns it)]: the forward
    sweep's own values the reverse sweep (``rest``) reads, other than saves and the caller's
    arguments: each is kept until the reverse sweep is done.  Only names some top-level
    statement assigns unconditionally (so that they are bound where the sweep turns)."""
    read = {x.id for s in rest for x in ast.walk(s) if isinstance(x, ast.Name)
            and isinstance(x.ctx, ast.Load)}
    last, surely = {}, set()
    for i, s in enumerate(fwd):
        for v in _stores(s):
            last[v] = i
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name):
            surely.add(s.targets[0].id)
    return [(v, last[v]) for v in sorted(read & surely)
            if not v.startswith(_KEPT + ("_mem",))]


def _regions(fwd, rest, gen, params):
    """{site: (first, last, argument names to count)}: the top-level calls whose inlined
    statements are a run of top-level statements with no loop, in ``fwd``; the arguments
    counted are those a checkpoint keeps that the forward sweep would not keep anyway."""
    where = {}
    for i, s in enumerate(fwd):
        site = gen.site_map.get(s.lineno)
        if site in gen.sites:
            first, last = where.get(site, (i, i))
            where[site] = (min(first, i), max(last, i))
    out, taken = {}, set()
    for site, (first, last) in sorted(where.items(), key=lambda kv: kv[1]):
        span = fwd[first:last + 1]
        if any(isinstance(s, (ast.For, ast.While)) for s in span) or taken & set(
                range(first, last + 1)):
            continue
        assigned = {v for s in fwd[:first] for v in _stores(s)}
        # the user's own arrays are not kept by srcgrad, unless the function rebinds them
        args = [a for a in gen.sites[site] if a not in params or a in assigned]
        if any(a not in assigned and a not in params for a in args):
            continue  # (an argument by a name the generated code does not bind: no plan)
        out[site] = (first, last, [a for a in args if not _kept_anyway(a, fwd[last + 1:],
                                                                         rest)])
        taken |= set(range(first, last + 1))
    return out


def _kept_anyway(a, after, rest):
    """Does the forward sweep keep the value ``a`` holds here (``after``: the statements that
    follow), saving it where it is overwritten or leaving it for the reverse sweep?"""
    for s in after:
        if _saves(s, a):
            return True
        if a in _stores(s) or isinstance(s, (ast.For, ast.While, ast.If)):
            return False  # (overwritten, or maybe: not known to be kept)
    return any(isinstance(x, ast.Name) and x.id == a and isinstance(x.ctx, ast.Load)
               for s in rest for x in ast.walk(s))


def _saves(s, a):
    """Is ``s`` a save of ``a`` (``_saved_v = a``, ``_stack_v.append(a)``, or of a copy)?"""
    if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) and \
            s.targets[0].id.startswith(_KEPT):
        v = s.value
    elif isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and \
            isinstance(s.value.func, ast.Attribute) and s.value.func.attr == "append" and \
            _kept(s.value.func.value):
        v = s.value.args[0]
    else:
        return False
    if isinstance(v, ast.Call) and ast.unparse(v.func) == "np.copy":
        v = v.args[0]
    return isinstance(v, ast.Name) and v.id == a


def _stores(s):
    return {x.id for x in ast.walk(s) if isinstance(x, ast.Name) and isinstance(x.ctx, ast.Store)}


def _mark(text):
    """'3 online carries u:a s:s' or '3 kept whole: <why>' -> its fields."""
    number, _, rest = text.partition(" ")
    online = rest.startswith("online ")
    rest = rest[len("online "):] if online else rest
    if rest.startswith("carries"):
        carried = [tuple(v.split(":")) for v in rest[len("carries"):].split()]
        return {"number": int(number), "online": online, "carried": carried, "why_not": None}
    return {"number": int(number), "online": False, "carried": [],
            "why_not": rest[len("kept whole: "):]}


class _Counted(ast.NodeTransformer):
    """Saves become counts added to ``into``: ``_stack_v.append(x)``, ``_stack_v[i] = x``,
    ``_saved_v = x``; a preallocated stack (``_stack_v = np.empty(n)``) is not made."""

    def __init__(self, into, itemsize):
        self.into = into
        self.itemsize = itemsize  # preallocated stacks of bools: a byte an element

    def _count(self, value, size=None):
        if isinstance(value, ast.Call) and ast.unparse(value.func) == "np.copy":
            value = value.args[0]  # (its size, not a copy)
        target = _store(ast.parse(self.into, mode="eval").body)
        return ast.AugAssign(target, ast.Add(), ast.Constant(size) if size else
                             ast.Call(ast.Name("kept_bytes", ast.Load()), [value], []))

    def visit_Expr(self, node):
        c = node.value
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and \
                c.func.attr == "append" and _kept(c.func.value):
            return self._count(c.args[0])
        return self.generic_visit(node)

    def visit_Assign(self, node):
        t = node.targets[0]
        if isinstance(t, ast.Subscript) and _kept(t.value):
            return self._count(node.value, self.itemsize.get(t.value.id))
        if isinstance(t, ast.Name) and t.id.startswith("_saved_"):
            return self._count(node.value)
        if isinstance(t, ast.Name) and t.id.startswith("_stack_"):  # never filled here
            if "np.bool_" in ast.unparse(node.value):
                self.itemsize[t.id] = 1
            return None
        return self.generic_visit(node)

    def generic_visit(self, node):
        node = super().generic_visit(node)
        for field in ("body", "orelse"):  # a block left empty
            if isinstance(getattr(node, field, None), list) and not getattr(node, field) \
                    and field == "body":
                node.body = [ast.Pass()]
        return node


def _kept(e):
    return isinstance(e, ast.Name) and e.id.startswith("_stack_")


def _store(e):
    for x in ast.walk(e):
        if hasattr(x, "ctx"):
            x.ctx = ast.Load()
    e.ctx = ast.Store()
    return e
