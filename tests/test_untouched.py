"""Nothing the user owns is ever changed: for every rule case and the array constructs, every
public transform leaves the primals, tangents, cotangents and directions passed in bitwise
unchanged.  (The generated source is the same for both backends; the Python backend keeps
this sweep fast, and a few cases run compiled too.)"""
import numpy as np
import pytest

import srcgrad
import test_constructs
import test_trust
from rule_cases import CASES
from test_rules import THIRD_ORDER
from test_rules import _args, case_module  # noqa: F401 -- the session's module of rule cases


def _snapshot(values):
    return [np.array(v, copy=True) if isinstance(v, np.ndarray) else v for v in values]


def _same(before, after):
    for b, a in zip(before, after):
        if isinstance(b, np.ndarray):
            assert a.tobytes() == b.tobytes() and a.shape == b.shape, "an input was changed"
        else:
            assert a == b


def _like(rng, x):
    if isinstance(x, tuple):
        return tuple(_like(rng, e) for e in x)
    return float(rng.standard_normal()) if np.ndim(x) == 0 else rng.standard_normal(np.shape(x))


def run_every_transform(f, args, backend="python", second_order=True):
    """Call each transform that applies to f at args; assert nothing passed in changed
    (second derivatives only where the rule has them: not for helpers whose own derivative
    is a third derivative, test_rules.THIRD_ORDER)."""
    rng = np.random.default_rng(0)
    floats = [i for i, a in enumerate(args) if np.asarray(a).dtype.kind == "f"]
    args = tuple(args)
    keep = _snapshot(args)
    out, vjp_fn = srcgrad.vjp(f, *args, backend=backend)
    u = _like(rng, out)
    u_keep = _snapshot(u if isinstance(u, tuple) else (u,))
    vjp_fn(u)
    _same(u_keep, u if isinstance(u, tuple) else (u,))
    tangents = tuple(_like(rng, a) if i in floats else None for i, a in enumerate(args))
    t_keep = _snapshot(tangents)
    srcgrad.jvp(f, args, tangents, backend=backend)
    _same(t_keep, tangents)
    w = floats[0]
    if not isinstance(out, tuple):
        srcgrad.jacfwd(f, wrt=w, backend=backend)(*args)
        srcgrad.jacrev(f, wrt=w, backend=backend)(*args)
    if np.ndim(out) == 0 and not isinstance(out, tuple):
        srcgrad.grad(f, wrt=w, backend=backend)(*args)
        srcgrad.value_and_grad(f, wrt=w, backend=backend)(*args)
    if np.ndim(out) == 0 and not isinstance(out, tuple) and second_order:
        srcgrad.hessian(f, wrt=w, backend=backend)(*args)
        v = _like(rng, args[w])
        v_keep = _snapshot((v,))
        srcgrad.hvp(f, wrt=w, backend=backend)(*args, v)
        _same(v_keep, (v,))
        if np.ndim(args[w]) == 0:
            srcgrad.grad(srcgrad.grad(f, wrt=w, backend=backend), wrt=w, backend=backend)(*args)
    _same(keep, args)


# every transform on each rule's first two rows (the rows after those vary domains and ranks,
# which test_rules.py checks; whether inputs stay untouched depends on the rule, not on them)
ALL = [(rule, k) for rule, cases in CASES.items() for k in range(min(2, len(cases)))]


@pytest.mark.parametrize("rule,k", ALL, ids=[f"{r}-{k}" for r, k in ALL])
def test_rule_cases_leave_inputs_alone(case_module, rule, k):  # noqa: F811
    _, specs = CASES[rule][k]
    run_every_transform(getattr(case_module, f"case_{rule}_{k}"), _args(specs, seed=k),
                        second_order=rule not in THIRD_ORDER)


def _construct_args():
    c, t = test_constructs, test_trust
    x = np.array([0.3, -0.2, 0.5, 0.9])
    return [
        (c.element_writes, (c.X5,)), (c.inplace_input, (c.X5,)), (c.slices, (c.X5,)),
        (c.matrix_cols, (c.A34,)), (c.matrix_writes, (c.A34,)), (c.copies, (c.X5,)),
        (c.array_rebind, (c.X5, 4)), (t.shift, (x[:3],)), (t.heat_steps, (x, 0.2)),
        (t.plus_then_write, (x,)), (t.scattered, (x, np.array([0.5, -1.0, 2.0, 3.0]))),
        (t.double_buffer, (x,)), (t.swap_loop, (1.5, 2.5)),
        (t.log_softmax_sum, (np.arange(12.0).reshape(3, 4) / 7,)),
        (t.view_write, (x,)), (t.view_chain_write, (x,)),
        (t.reshape_write, (np.arange(1.0, 7.0),)),
    ]


CONSTRUCTS = _construct_args()


@pytest.mark.parametrize("f,args", CONSTRUCTS, ids=[f.__name__ for f, _ in CONSTRUCTS])
def test_constructs_leave_inputs_alone(f, args):
    run_every_transform(f, args)


def _trust_args(f):
    return dict(CONSTRUCTS)[f]


@pytest.mark.parametrize("f", [test_trust.heat_steps, test_trust.scattered])
def test_compiled_transforms_leave_inputs_alone(f):
    run_every_transform(f, _trust_args(f), backend="numba")
