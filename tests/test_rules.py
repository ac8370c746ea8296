"""Every rule of the table, checked against finite differences on its smooth domain."""
import importlib.util

import numpy as np
import pytest

from checks import check_grads, check_hessian, module_from_text
from rule_cases import CASES, module_source
from srcgrad.rules import RULES
from srcgrad.rules.table import EINSUM_CALLS

THIRD_ORDER = {"prod_grad", "cumprod_grad", "cumprod_rows_grad", "prod_axis_grad", "digamma"}  # a helper of derivative code whose own derivative has no rule
ALL = [(rule, k) for rule, cases in CASES.items() for k in range(len(cases))]


@pytest.fixture(scope="session")
def case_module(tmp_path_factory):
    return module_from_text(tmp_path_factory.mktemp("rules") / "srcgrad_rule_cases_gen.py",
                            module_source())


def test_every_rule_has_a_row():
    assert set(RULES) - set(CASES) == set(), "rules with no test row"
    # rows for calls that are not rules but become other code (np.einsum: loops)
    assert set(CASES) - set(RULES) == set(EINSUM_CALLS.values()), "rows for rules that do not exist"


def _args(specs, seed):
    rng = np.random.default_rng(seed)
    return tuple(float(rng.uniform(s.lo, s.hi)) if s.shape == () else rng.uniform(s.lo, s.hi, s.shape)
                 for s in specs)


# rules only derivative code reaches (the adjoints' helpers): their Numba implementations run
# whenever the rules that emit them run compiled (the first rows above), so their own rows,
# which matter for Hessians, run as Python
DERIVATIVE_HELPERS = {"concat_first", "concat_rest", "cumprod_grad", "diff_grad", "digamma",
                      "expand_axis", "gap_inverse", "gather_last", "mT", "kron_grad_a", "kron_grad_b", "prod_axis_grad",
                      "prod_grad", "reshape_as", "scatter_add", "take_first", "take_rest",
                      "tile_to", "unbroadcast", "undiagonal", "unpiece", "unsort", "untile",
                      "unlines", "cumprod_rows_grad", "diff_rows_grad", "gather_rows", "scatter_rows",
                      "unrepeat_rows", "tmatvec_b", "put_along", "rows_head", "rows_pad",
                      "weights_along_grad"}


# the elementwise rules' first rows are compiled by Numba together, as one function (see
# test_first_rows_compiled_together): one compilation instead of fifty.  (Numba's compile
# time grows faster than a function's size, so this pays only for small rules.)
TOGETHER = [r for r in CASES if r in RULES and RULES[r].elementwise]
# the decompositions' parts: each compiles LAPACK calls and long adjoints (seconds apiece)
DECOMPOSITIONS = ["eigh_w", "eigh_v", "svd_s", "svd_u", "svd_vh"]
# the operations along an axis (rules/along.py): rows helpers for any rank
ALONG = ["lines", "cumsum_rows", "cumprod_rows", "diff_rows", "sort_rows", "partition_rows",
         "flip_rows", "roll_rows", "repeat_rows", "take_along", "weights_along"]
_STRIDED = (".T", "[::-", "np.flip(")
# every other rule's first row, contiguous, compiled in batches of ten: ten compilations of a
# function of ten rules cost less than a hundred of one (the strided rows, where Numba
# differs, still compile one by one)
OTHERS = [r for r in CASES if r in RULES and r not in set(TOGETHER) | set(DECOMPOSITIONS)
          | set(ALONG) | DERIVATIVE_HELPERS and not any(m in CASES[r][0][0] for m in _STRIDED)]
GROUPS = [TOGETHER, DECOMPOSITIONS, ALONG] + [OTHERS[i:i + 10] for i in range(0, len(OTHERS), 10)]
GROUPED = set(TOGETHER) | set(DECOMPOSITIONS) | set(ALONG) | set(OTHERS)


def _backends(k, expr, rule=None):
    """Every rule's first case runs compiled by Numba and as Python (they must agree), and so
    does every case on a transposed or reversed (non-contiguous) array, where Numba differs;
    the other cases, and the derivative helpers' rows, run as Python, and the first rows of
    the grouped rules (the elementwise ones, the decompositions, the operations along an axis,
    and every other contiguous first row, ten at a time) are compiled together (below), which
    keeps the table's cost in CI's time."""
    strided = any(m in expr for m in (".T", "[::-", "np.flip("))
    if rule in DERIVATIVE_HELPERS or (rule in GROUPED and not strided):
        return ("python",)
    return ("numba", "python") if k == 0 or strided else ("python",)


def _renamed(expr, suffix):
    """``expr`` with its parameters x and y renamed x_<suffix>, y_<suffix>."""
    import ast

    class R(ast.NodeTransformer):
        def visit_Name(self, n):
            return ast.Name(f"{n.id}_{suffix}", n.ctx) if n.id in ("x", "y") else n
    return ast.unparse(R().visit(ast.parse(expr, mode="eval")).body)


@pytest.mark.parametrize("group", range(len(GROUPS)))
def test_first_rows_compiled_together(tmp_path, group):
    """The first row of every rule of a group (the elementwise rules; the decompositions),
    summed (as sums of sines, so every term is a scalar) into one function compiled by Numba
    with strict=True: reverse and forward mode against finite differences; the same rows run
    one by one as Python above."""
    params, terms, args = [], [], []
    for rule in GROUPS[group]:
        expr, specs = CASES[rule][0]
        params += [f"{'xy'[i]}_{rule}" for i in range(len(specs))]
        terms.append(f"np.sum(np.sin({_renamed(expr, rule)}))")
        args += _args(specs, seed=7)
    name = f"srcgrad_rules_together_{group}"
    path = tmp_path / f"{name}.py"
    body = "\n        + ".join(terms)
    path.write_text("import math\nimport numpy as np\nimport srcgrad.runtime as rt\n\n"
                    "IDX = np.array([2, 0, 3, 3])\n"
                    "OFF3 = 0.05 * np.array([[1.0, -3.0, 2.0], [4.0, 0.5, -2.5], [-1.5, 3.5, 1.0]])\n\n"
                    f"def together({', '.join(params)}):\n    return ({body})\n")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    check_grads(mod.together, tuple(args), backends=("numba",))


@pytest.mark.parametrize("rule,k", ALL, ids=[f"{r}-{k}" for r, k in ALL])
def test_rule_reverse(case_module, rule, k):
    expr, specs = CASES[rule][k]
    f = getattr(case_module, f"case_{rule}_{k}")
    check_grads(f, _args(specs, seed=k + 7), backends=_backends(k, expr, rule))


# Hessians: each rule's first and last rows (the last is its widest case where a rule has
# one: 3-D, an axis, keepdims); the rows between are checked in both modes above
SECOND = [(r, k) for r, k in ALL if k in (0, len(CASES[r]) - 1)]


@pytest.mark.parametrize("rule,k", SECOND, ids=[f"{r}-{k}" for r, k in SECOND])
def test_rule_hessian(case_module, rule, k):
    """Forward-over-reverse through the rule (its adjoint differentiated again) against finite
    differences of the gradient, for each argument; the Python backend keeps this cheap (the
    rows above compile every rule with Numba, in both modes)."""
    expr, specs = CASES[rule][k]
    f = getattr(case_module, f"hcase_{rule}_{k}")
    check_hessian(f, _args(specs, seed=k + 7), expr, third_order=rule in THIRD_ORDER,
                  no_second=[i for i, s in enumerate(specs) if not s.second])


# ---- the same table at points Hypothesis chooses ---------------------------------------------
from hypothesis import HealthCheck, given, reject, settings, strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402

# rules that are not smooth everywhere in their test domain (kinks, ties, a singular matrix,
# std of a constant array): Hypothesis likes exactly the points where finite differences and
# the documented conventions part, so these stay with the fixed points above
NOT_SMOOTH = {"abs", "maximum", "minimum", "clip", "mod", "floordiv", "fmod", "fmax", "fmin",
              "amax", "amin", "amax_axis", "amin_axis", "ptp", "sort", "unsort", "where", "norm",
              "std", "det", "prod_grad", "gather_last", "scatter_add", "sinc", "cbrt", "atan2",
              "hypot", "std_ddof", "pinv", "norm_vec", "norm_fro", "norminf", "norm1", "norm_axis",
              "partition_rows", "gather_rows", "scatter_rows"}
SMOOTH = [(r, k) for r, k in ALL if r not in NOT_SMOOTH
          and not any(w in CASES[r][k][0] for w in ("max", "min", "abs", "clip", "sort", "%", "//"))]


def _point(data, specs):
    def one(s):
        floats = st.floats(s.lo, s.hi, allow_nan=False, allow_infinity=False)
        return data.draw(floats) if s.shape == () else data.draw(arrays(np.float64, s.shape,
                                                                         elements=floats))
    return tuple(one(s) for s in specs)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_rules_at_generated_points(case_module, data):
    """Any smooth rule, at any point of its domain: reverse and forward mode against finite
    differences and against each other (Python backend; the rows above compile with Numba)."""
    rule, k = data.draw(st.sampled_from(SMOOTH))
    expr, specs = CASES[rule][k]
    f, point = getattr(case_module, f"case_{rule}_{k}"), _point(data, specs)
    try:
        check_grads(f, point, backends=("python",))
    except AssertionError:
        if not _differences_agree(f, point):
            reject()  # finite differences cannot judge here (an eigenvector's sign flips...)
        raise


def _differences_agree(f, point):
    """Do central differences with steps 1e-6 and 1e-4 agree at ``point`` (along one random
    direction)?  Where they do not, the function is not smooth at this scale (a branch, or
    LAPACK choosing another sign for an eigenvector) and differences are no reference."""
    from checks import _like, fd_directional
    rng = np.random.default_rng(1)
    wrt = tuple(i for i, a in enumerate(point) if np.asarray(a).dtype.kind == "f")
    vs = [_like(rng, point[i]) for i in wrt]
    u = _like(rng, f(*point))
    small, large = (fd_directional(f, point, wrt, vs, u, h) for h in (1e-6, 1e-4))
    return abs(small - large) <= 1e-3 * max(1.0, abs(small))


def test_digamma_and_trigamma_against_scipy():
    """srcgrad's own digamma and trigamma (the derivatives of math.lgamma), in Python and
    compiled by Numba, against SciPy's, on both sides of zero."""
    import numba
    from scipy.special import digamma, polygamma
    from srcgrad.runtime import digamma as dg, trigamma as tg
    both = numba.njit(lambda x: (dg(x), tg(x)))
    for x in [0.01, 0.3, 1.0, 2.5, 7.3, 11.0, 55.0, -0.5, -2.7, -10.3]:
        for got in ((dg(x), tg(x)), both(x)):
            assert abs(got[0] - digamma(x)) <= 1e-13 * max(1.0, abs(digamma(x)))
            assert abs(got[1] - polygamma(1, x)) <= 1e-13 * max(1.0, abs(polygamma(1, x)))
