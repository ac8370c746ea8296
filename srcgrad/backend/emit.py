"""Emit generated source with ``ast.unparse`` (standard library; not astor), with comments.

``ast.unparse`` drops comments, so comment lines travel through the tree as marker
statements ``__comment__('grad of: s += x[i]')`` and are turned into ``# grad of: s += x[i]``
after unparsing.  Generated source is registered in ``linecache`` under a stable name, so
tracebacks and ``inspect.getsource`` show generated lines.
"""
import ast
import hashlib
import linecache
import re

_MARK = "__comment__"
_MARK_RE = re.compile(r"^(\s*)" + _MARK + r"\((.*)\)$")


def comment(text):
    return ast.Expr(ast.Call(ast.Name(_MARK, ast.Load()), [ast.Constant(text)], []))


def _insert_comments(stmts, attr, prefix):
    out, last = [], None
    for s in stmts:
        label = getattr(s, attr, None)
        if label and label != last:
            c = comment(f"{prefix}{label}")
            c.label = label  # for the line map: the user's line the comment names
            out.append(c)
        last = label if label else last
        for field in ("body", "orelse"):
            sub = getattr(s, field, None)
            if sub and isinstance(sub, list):
                setattr(s, field, _insert_comments(sub, attr, prefix))
        out.append(s)
    if out and all(_is_marker(x) for x in out):  # comments alone are no block: say pass
        out.append(ast.Pass())
    return out


def _locate(stmts, lineno):
    """Line numbers on statements that lack one (``ast.unparse`` reads a statement's, for
    type comments); expressions need none, so the whole tree is not walked for them."""
    for s in stmts:
        if getattr(s, "lineno", None) is None:
            s.lineno = lineno
        for field in ("body", "orelse"):
            sub = getattr(s, field, None)
            if sub and isinstance(sub, list):
                _locate(sub, s.lineno)


def to_source(fn_ast, attr="grad_of", prefix="grad of: ", header=None):
    fn_ast.body = _insert_comments(fn_ast.body, attr, prefix)
    _locate([fn_ast], 1)
    text = ast.unparse(fn_ast)
    lines = []
    for line in text.split("\n"):
        m = _MARK_RE.match(line)
        if m:
            lines.append(f"{m.group(1)}# {ast.parse(m.group(2), mode='eval').body.value}")
        else:
            lines.append(line)
    src = "\n".join(lines) + "\n"
    if header:
        src = "".join(f"# {h}\n" for h in header) + src
    return src


def filename_for(name, source):
    """The name generated source is registered under: with a hash of the text, since one
    function has several generated versions (per ``wrt``, per argument kinds) and reading
    one's source back (forward mode over a generated adjoint) must give that one's text."""
    return f"<srcgrad {name} {hashlib.sha1(source.encode('utf-8')).hexdigest()[:8]}>"


def register(source, filename):
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def _is_marker(s):
    return isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) \
        and getattr(s.value.func, "id", None) == _MARK


def line_map(fn_ast, text, attr="grad_of", default=None, sites=False):
    """{generated line: (file, line)}: the user's line each line of ``text`` (the source
    ``to_source`` made from ``fn_ast``) comes from.  Statements are paired with those of the
    text parsed again (``ast.unparse`` keeps their order and nesting); a statement maps to
    the line it computes, a ``# grad of:`` comment to the line it names, and a statement of
    srcgrad's own (an adjoint's zeros, the return) to ``default`` (the function's line).
    With ``sites``: {generated line: site} for the statements of helpers inlined at top-level
    calls (walk.Origin.site)."""
    out = {}

    def where(o, attrs):
        for a in attrs:
            origin = getattr(o, a, None)
            if getattr(origin, "file", None) is not None:
                return getattr(origin, "site", None) if sites else (origin.file, origin.line)
        return None

    def walk(orig, gen):
        gen = iter(gen)
        pending = []
        for o in orig:
            if _is_marker(o):
                pending.append(o)
                continue
            g = next(gen, None)
            if g is None:
                return
            for k, m in enumerate(reversed(pending)):
                w = where(m, ("label",))
                if w is not None:
                    out[g.lineno - 1 - k] = w
            pending = []
            w = where(o, ("origin", attr)) or default
            compound = isinstance(getattr(g, "body", None), list)
            if w is not None:
                for n in range(g.lineno, (g.lineno if compound else g.end_lineno) + 1):
                    out[n] = w
            for field in ("body", "orelse"):
                sub_o, sub_g = getattr(o, field, None), getattr(g, field, None)
                if isinstance(sub_o, list) and isinstance(sub_g, list):
                    walk(sub_o, sub_g)
    walk(fn_ast.body, ast.parse(text).body[0].body)
    return out
