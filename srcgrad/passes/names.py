"""Deterministic fresh names that never collide with the user's."""
import ast

from .. import runtime
from .walk import nodes

# names generated code reads: srcgrad's helpers and the modules
RESERVED = frozenset(runtime.__all__) | {"np", "math"}


class NameGen:
    def __init__(self, taken=()):
        self.taken = set(taken)
        self.counts = {}

    def reserve(self, name):
        self.taken.add(name)

    def fresh(self, base):
        """``base1``, ``base2``... (or ``base`` itself for names ending in a letter that are
        free); the first one not taken."""
        n = self.counts.get(base, 0)
        while True:
            n += 1
            cand = f"{base}{n}"
            if cand not in self.taken:
                self.counts[base] = n
                self.taken.add(cand)
                return cand

    def exact_or_fresh(self, base):
        if base not in self.taken:
            self.taken.add(base)
            return base
        return self.fresh(base + "_")


def all_names(tree):
    return {n.id for n in nodes(tree) if isinstance(n, ast.Name)} | \
           {a.arg for a in nodes(tree) if isinstance(a, ast.arg)}


def rename_reserved(norm):
    """A local of the differentiated function named like a helper generated code calls
    (``unbroadcast``, ``np``) gets another name.  A parameter keeps its name (the generated
    function keeps its parameters'), and generated code calls the helper by its other name
    (``gamma_fn``: ``call_shadowed``); refused only where that cannot be told apart: a
    parameter the function calls, or named like a module or one of those other names."""
    for v in sorted(norm.locals & RESERVED):
        if v in norm.src.params:
            called = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                         and n.func.id == v for n in nodes(norm.src.tree))
            if called or v not in runtime.ALIASES.values() or v in runtime.ALIASES:
                norm.fail(norm.src.tree, f"a parameter named {v!r}",
                          f"generated code calls srcgrad's {v}; rename the parameter.")
            continue
        norm.rename[v] = norm.names.fresh(f"{v}_")


def call_shadowed(fn):
    """``fn`` (generated) with its calls of a helper whose name one of its parameters has
    made through the helper's other name: ``gamma(x)`` -> ``gamma_fn(x)``.  In place."""
    shadowed = {a.arg for a in fn.args.args} & set(runtime.ALIASES.values())
    if shadowed:
        for n in nodes(fn):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) \
                    and n.func.id in shadowed:
                n.func = ast.copy_location(ast.Name(n.func.id + "_fn", ast.Load()), n.func)
    return fn
