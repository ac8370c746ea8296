"""Forward mode: from normalized primal code, the tangent function (a JVP).

    def f(x, n):                        def f_jvp(x, n, dx):
        s = 0.0                             s = 0.0
        for i in range(n):                  ds = 0.0
            _t1 = x[i]             ->       for i in range(n):
            _t2 = math.sin(_t1)                 # tangent of: s += math.sin(x[i])
            s = s + _t2                         _t1 = x[i]
        return s                                d_t1 = dx[i]
                                                ...
                                            return (s, ds)

One pass, in program order: each statement is followed by its tangent (``dv`` is the tangent
of ``v``), computed from the same rule table as reverse mode.  Control flow is the primal's;
nothing is saved.  When a statement overwrites one of its own operands (``x = x * y``) the
tangent goes first, so it reads the old values.
"""
import ast
import copy

from ..frontend.check import is_stack_literal
from .activity import deps_of
from .clone import clone
from .common import (_assign, _call, _is_view_of_name, _may_share_written, _name,
                     _passed_through, copy_written_params, operands, prim_rule, written_into)
from .emitrules import instantiate
from .types import FLOAT, is_array, is_scalar
from .walk import nodes


def _tangent_of(nodes, origin):
    for n in nodes:
        if not hasattr(n, "tangent_of"):
            n.tangent_of = origin
    return nodes


class ForwardGen:
    def __init__(self, norm, kinds, active, wrt, names):
        self.fdef = norm.fdef
        self.params = norm.params
        self.kinds, self.active, self.wrt, self.names = kinds, active, wrt, names
        self.tan = {}
        for w in wrt:
            self.tan[w] = names.exact_or_fresh("d" + w)
        for node in nodes(self.fdef):
            if isinstance(node, ast.Name) and node.id in active and node.id not in self.tan:
                self.tan[node.id] = names.exact_or_fresh("d" + node.id)

    def build(self, name):
        body = copy_written_params(self.fdef, self.params, self.kinds)
        self.shared = _may_share_written(self.fdef, written_into(self.fdef))
        for w in self.wrt:  # never write into the caller's tangent arrays either
            if w in self.shared and is_array(self.kinds.get(w)):
                body.append(_assign(self.tan[w], _call("np.copy", _name(self.tan[w]))))
        for p in self.params:  # a parameter that becomes varied but is not an input of the sweep
            if p in self.active and p not in self.wrt:
                body.append(_assign(self.tan[p], self.zero_of(p)))
        body += self.block(self.fdef.body[:-1])
        ret = self.fdef.body[-1].value
        elts = ret.elts if isinstance(ret, ast.Tuple) else [ret]
        touts = [self.tangent_atom(e) for e in elts]
        tin = {self.tan[w] for w in self.wrt if is_array(self.kinds.get(w))}
        touts = [_call("np.copy", t) if isinstance(t, ast.Name) and t.id in tin else t
                 for t in touts]  # never hand the caller's tangent back as the output
        tout = ast.Tuple(touts, ast.Load()) if isinstance(ret, ast.Tuple) else touts[0]
        body.append(ast.Return(ast.Tuple([clone(ret), tout], ast.Load())))
        args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in self.params] +
                             [ast.arg(self.tan[w]) for w in self.wrt],
                             vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        return ast.FunctionDef(name=name, args=args, body=body, decorator_list=[],
                               returns=None, type_comment=None)

    def kind_of(self, e):
        if isinstance(e, ast.Name):
            return self.kinds.get(e.id)
        if isinstance(e, ast.Constant):
            return FLOAT
        return None

    def zero_of(self, v):
        k = self.kinds.get(v)
        if is_array(k):
            return _call("np.zeros_like", _name(v))
        return ast.Constant(0.0)

    def tangent_atom(self, e):
        if isinstance(e, ast.Name) and e.id in self.active:
            return _name(self.tan[e.id])
        if isinstance(e, ast.Name) and is_array(self.kinds.get(e.id)):
            return _call("np.zeros_like", _name(e.id))
        return ast.Constant(0.0)

    def block(self, stmts):
        out = []
        for s in stmts:
            if isinstance(s, ast.Assign):
                out += _tangent_of(self.assign(s), getattr(s, "origin", ""))
            elif isinstance(s, ast.If):
                new = ast.If(s.test, self.block(s.body) or [ast.Pass()], self.block(s.orelse))
                out.append(ast.copy_location(new, s))
            elif isinstance(s, (ast.For, ast.While)):
                new = copy.copy(s)
                new.body = self.block(s.body)
                out.append(new)
            elif isinstance(s, ast.Expr) and hasattr(s, "push") and s.push in self.active:
                item = s.value.args[0]  # a stack push: the tangent goes on a tangent stack
                out += _tangent_of([s, ast.Expr(ast.Call(
                    ast.Attribute(_name(self.tan[s.push]), "append", ast.Load()),
                    [self.tangent_atom(item)], []))], getattr(s, "origin", ""))
            else:
                out.append(s)
        return out

    def assign(self, s):
        t = s.targets[0]
        if isinstance(t, ast.Subscript):
            y = t.value.id
            if y not in self.active:
                return [s]
            a = s.value
            da = _name(self.tan[a.id]) if isinstance(a, ast.Name) and a.id in self.active \
                else ast.Constant(0.0)
            tgt = ast.Subscript(_name(self.tan[y]), clone(t.slice), ast.Store())
            return [s, _assign(tgt, da)]
        v = t.id
        if v not in self.active:
            return [s]
        first = v in deps_of(s.value)  # x = x * y: the tangent reads the old x
        ans = clone(s.value) if first else _name(v)
        dv = self.tangent(s, v, ans)
        if self._aliases_other_tangent(s, v, dv):
            dv = _call("np.copy", dv)  # v = u.copy(), v = u + 1.0: dv is a new array too
        stmt = _assign(self.tan[v], dv)
        return [stmt, s] if first else [s, stmt]

    def _aliases_other_tangent(self, s, v, dv):
        """Would ``dv`` share memory with another tangent where the primal value is a new
        array, while one of them is written into?  (``v = u`` and ``v = u[i, :]`` share
        memory in the primal too, and keep doing so.)"""
        if not is_array(self.kinds.get(v)) or _is_view_of_name(s.value):
            return False
        base = _passed_through(dv)
        if base is None:
            return False  # arithmetic: a new array
        owner = {t: p for p, t in self.tan.items()}.get(base)
        return v in self.shared or owner in self.shared or owner in self.wrt

    def tangent(self, s, v, ans):
        value = s.value
        if is_stack_literal(value):
            return clone(value)  # a stack's tangent stack
        if hasattr(value, "pop_from"):
            st = value.pop_from
            if st in self.active:
                return ast.Call(ast.Attribute(_name(self.tan[st]), "pop", ast.Load()), [], [])
            return ast.Constant(0.0)
        if isinstance(value, ast.Name):
            return _name(self.tan[value.id]) if value.id in self.active else self.zero_of(v)
        if isinstance(value, ast.Subscript):
            base = value.value.id
            if base in self.active:
                return ast.Subscript(_name(self.tan[base]), clone(value.slice), ast.Load())
            return self.zero_of(v) if not is_array(self.kinds.get(v)) else \
                _call("np.zeros_like", clone(ans))
        prim, args = operands(value)
        if prim is None:  # a constant, np.zeros(n), len(x)...: no derivative flows in
            return _call("np.zeros_like", clone(ans)) if is_array(self.kinds.get(v)) \
                else ast.Constant(0.0)
        arg_kinds = [self.kind_of(a) for a in args]
        rule = prim_rule(prim, arg_kinds)
        subst = {"ans": ans}
        subst.update({p: a for p, a in zip(rule.params, args)})
        subst.update({k: _name(n) for k, n in getattr(value, "rule_names", {}).items()})
        terms, kinds = [], []
        for p, a, k in zip(rule.params, args, arg_kinds):
            if isinstance(a, ast.Name) and a.id in self.active and p in rule.jvp_ast:
                subst["d" + p] = _name(self.tan[a.id])
                terms.append(instantiate(rule.jvp_ast[p], subst, self.kind_of))
                kinds.append(k)
        if not terms:
            return ast.Constant(0.0) if not is_array(self.kinds.get(v)) else \
                _call("np.zeros_like", clone(ans))
        total = terms[0]
        for e in terms[1:]:
            total = ast.BinOp(total, ast.Add(), e)
        out_kind = self.kinds.get(v)
        if rule.elementwise and is_array(out_kind):
            n_arrays = sum(1 for p, k in zip(rule.params, arg_kinds) if rule.jvp.get(p) and is_array(k))
            if all(is_scalar(k) for k in kinds) or len([k for k in kinds if is_array(k)]) < n_arrays:
                # the tangent must have the output's (broadcast) shape
                total = ast.BinOp(total, ast.Add(), _call("np.zeros_like", clone(ans)))
        return total


