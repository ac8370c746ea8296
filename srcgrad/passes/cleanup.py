"""Clean-up: constant folding, trivial algebra, dead assignments.

    b_t4 += b_t5 * 2 * _t3 ** (2 - 1)     ->    b_t4 += b_t5 * 2 * _t3
    bx = bx                               ->    (removed)
    _t7 = 0.0   (never read)              ->    (removed)

Only pure statements are removed: stack pops, pushes, prints and array writes stay.
"""
import ast
import operator

_FOLD = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}


class _Fold(ast.NodeTransformer):
    def visit_BinOp(self, node):
        self.generic_visit(node)
        l, r = node.left, node.right
        num = (int, float)
        if (isinstance(l, ast.Constant) and isinstance(r, ast.Constant) and type(node.op) in _FOLD
                and isinstance(l.value, num) and isinstance(r.value, num)
                and not isinstance(l.value, bool) and not isinstance(r.value, bool)):
            v = _FOLD[type(node.op)](l.value, r.value)
            return ast.copy_location(ast.Constant(v) if v >= 0 else
                                     ast.UnaryOp(ast.USub(), ast.Constant(-v)), node)
        if isinstance(node.op, ast.Pow) and isinstance(r, ast.Constant) and r.value == 1:
            return l
        if isinstance(node.op, ast.Sub) and isinstance(r, ast.UnaryOp) and isinstance(r.op, ast.USub):
            return ast.copy_location(ast.BinOp(l, ast.Add(), r.operand), node)
        return node

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.UnaryOp) \
                and isinstance(node.operand.op, ast.USub):
            return node.operand.operand
        return node


def _is_pure(value):
    for n in ast.walk(value):
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr in ("pop", "append"):
                return False
            if isinstance(f, ast.Name) and f.id == "print":
                return False
    return True


def _loads(fn):
    return {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _drop_dead(stmts, live):
    out = []
    for s in stmts:
        if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name):
            t = s.targets[0].id
            if t not in live and _is_pure(s.value):
                continue
            if isinstance(s.value, ast.Name) and s.value.id == t:
                continue
        if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name) and s.target.id not in live:
            continue
        for field in ("body", "orelse"):
            if hasattr(s, field) and getattr(s, field):
                setattr(s, field, _drop_dead(getattr(s, field), live) or
                        ([ast.Pass()] if field == "body" else []))
        if isinstance(s, ast.If) and all(isinstance(x, ast.Pass) for x in s.body) and not s.orelse:
            continue
        if isinstance(s, ast.For) and all(isinstance(x, ast.Pass) for x in s.body):
            continue
        out.append(s)
    return out


def cleanup(fn, keep=()):
    fn = _Fold().visit(fn)
    for _ in range(10):
        live = _loads(fn) | set(keep)
        before = ast.dump(fn)
        fn.body = _drop_dead(fn.body, live)
        if ast.dump(fn) == before:
            break
    return fn
