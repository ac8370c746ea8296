"""Deterministic fresh names that never collide with the user's."""
import ast
from .walk import nodes


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
