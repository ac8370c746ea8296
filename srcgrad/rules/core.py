"""The rule registry: a row names a primitive's parameters and, for each, its vjp and jvp
expressions (see rules/table.py for the conventions); the rows themselves live in the family
modules (elementwise, reductions, shape, linalg, helpers)."""
import ast


class Rule:
    def __init__(self, name, params, vjp, jvp, elementwise=True, out=None, refused=None):
        self.name = name
        # parameters whose derivative is not implemented: a differentiated value passed there
        # is a located error (passes/activity.py), never a silent zero
        self.refused = dict(refused or {})
        self.out = out  # the result's kind (passes/types.py): "x" like parameter x, "scalar",
        #                 "x-1" an array of x's rank minus one, "3-v", "2" an array of rank 2
        self.params = tuple(params.split())
        self.vjp = dict(zip(self.params, vjp))
        self.jvp = dict(zip(self.params, jvp))
        self.elementwise = elementwise
        assert len(vjp) == len(self.params) and len(jvp) == len(self.params), name
        # parse now: a rule that is not valid Python fails at import, not in a user's call
        self.vjp_ast = {p: ast.parse(e, mode="eval").body for p, e in self.vjp.items() if e}
        self.jvp_ast = {p: ast.parse(e, mode="eval").body for p, e in self.jvp.items() if e}


RULES = {}
# rules users give (srcgrad/custom.py), by their primitive's name: looked up with the table's,
# never part of it
USER_RULES = {}


def rule_of(prim):
    """The rule of a primitive: the table's, or a user's."""
    return RULES.get(prim) or USER_RULES.get(prim)


def rule(name, params, vjp, jvp, elementwise=True, out=None, refused=None):
    RULES[name] = Rule(name, params, vjp, jvp, elementwise, out, refused)
