"""Showing generated code on a terminal: highlighted with Pygments, and side by side with the
user's code it came from (``srcgrad dump --side-by-side``).

    loss.py:20   s += lse(A[i] * x) ** 2    │     # grad of: s += lse(A[i] * x) ** 2
                                            │     b_t4 = bs * 2 * _t4 ** 1
    loss.py:19   for i in range(...):       │     bx += lse_vjp_rule(_t2, b_t4)[0] * A[i]
"""
import linecache
import os
import shutil


def colorize(src):
    """``src`` highlighted for a terminal by Pygments' Python lexer."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    from pygments.lexers import PythonLexer
    return highlight(src, PythonLexer(), TerminalFormatter())


def use_color(stream, no_color):
    return stream.isatty() and not no_color and not os.environ.get("NO_COLOR")


def side_by_side(text, line_map, color=False, width=None):
    """Each generated line next to the user's line it comes from (shown where it changes)."""
    width = width or shutil.get_terminal_size((160, 24)).columns
    lines = text.rstrip("\n").split("\n")
    shown = {}
    for file, line in set(line_map.values()):
        shown[(file, line)] = linecache.getline(file, line).rstrip()
    indent = min((len(t) - len(t.lstrip()) for t in shown.values() if t.strip()), default=0)
    left, last = [], None
    for n in range(1, len(lines) + 1):
        w = line_map.get(n)
        if w is None or w == last or lines[n - 1].lstrip().startswith("#"):
            left.append("")
            continue
        last = w
        left.append(f"{os.path.basename(w[0])}:{w[1]}  {shown[w][indent:]}")
    col = min(max((len(s) for s in left), default=0), max(20, width // 2 - 3))
    out = []
    for a, b in zip(left, lines):
        a = a if len(a) <= col else a[:col - 1] + "…"
        if color:
            a = f"\x1b[36m{a.ljust(col)}\x1b[0m"
            b = colorize(b).rstrip("\n") if b.strip() else b
        out.append(f"{a.ljust(col)} │ {b}")
    return "\n".join(out) + "\n"
