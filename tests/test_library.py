"""scipy.special and scipy.stats as srcgrad writes them (srcgrad/library/): each row of
tests/library_cases.py against SciPy's own values and finite differences in both modes, its
Hessian against finite differences of the gradient, and the first rows compiled by Numba
together; a library function without a shim is refused at the user's line, by name."""

import math

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st

import srcgrad
from checks import check_grads, check_hessian, module_from_text
from library_cases import CASES, HEADER, module_source
from test_rules import _args, _renamed
from srcgrad import library

ALL = [(name, k) for name, cases in CASES.items() for k in range(len(cases))]


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    return module_from_text(tmp_path_factory.mktemp("library") / "srcgrad_library_cases_gen.py",
                            module_source())


def _name(target):
    q = library.qualname(target)
    return q.split(".", 2)[-1] if q.startswith("scipy.stats.") else q.rsplit(".", 1)[-1]


def test_every_shim_has_a_row():
    library.load()
    names = {_name(t) for t in [*library.SHIMS, *library.CHOOSERS]}
    names = names - {"psi"} | {"digamma"}  # one ufunc, named psi, also spelled digamma
    names = names - {"trapz"} | {"trapezoid"}  # NumPy < 2.4 has both names for it
    assert names - set(CASES) == set(), "shims with no test row"
    assert set(CASES) - names == set(), "rows for shims that do not exist"


@pytest.mark.parametrize("name,k", ALL, ids=[f"{n}-{k}" for n, k in ALL])
def test_shim(mod, name, k):
    """The value is SciPy's (check_grads compares with the function run as Python, which
    calls SciPy), and both modes agree with finite differences."""
    expr, specs = CASES[name][k]
    f = getattr(mod, f"case_{name.replace('.', '_')}_{k}")
    check_grads(f, _args(specs, seed=k + 3), backends=("python",))


@pytest.mark.parametrize("name,k", ALL, ids=[f"{n}-{k}" for n, k in ALL])
def test_shim_hessian(mod, name, k):
    expr, specs = CASES[name][k]
    f = getattr(mod, f"hcase_{name.replace('.', '_')}_{k}")
    # digamma's Hessian is a third derivative of lgamma: a clear refusal
    check_hessian(f, _args(specs, seed=k + 3), expr, third_order=name == "digamma",
                  no_second=[i for i, s in enumerate(specs) if not s.second])


# shims whose Numba paths the rule table does not already compile: the special functions'
# elementwise helpers, logical masks, -inf outside a support, integer data, an axis held in
# a variable, the Cholesky route of the multivariate normal.  (Compiling every row costs
# minutes: the rest are the same primitives again.)
# (the distribution functions' helpers compile in tests/test_rules.py's rows: rt.t_cdf & co.)
# NumPy's shims: polyval's loop; the convolutions' double loop adding into an array and
# their reversed slice; interp's integer index (np.searchsorted), its gathers and its ends
# (np.where), for an array and for a number; trapezoid's slices; covariance of a pair and
# correlation (None indexing, a clip); NaN masks along an axis and an extreme with its
# all-NaN test; padding a matrix, into its value.  (name, row) pairs.
COMPILED = [("erf", 0), ("gammaln", 0), ("digamma", 0), ("gamma", 0), ("xlogy", 0),
            ("logsumexp", 1), ("log_ndtr", 0), ("gamma.logpdf", 0), ("poisson.logpmf", 0),
            ("multivariate_normal.logpdf", 0), ("polyval", 0), ("convolve", 2),
            ("correlate", 2), ("interp", 1), ("interp", 2), ("trapezoid", 1), ("cov", 2),
            ("corrcoef", 0), ("nanmean", 2), ("nanmax", 1), ("pad", 2), ("heaviside", 1),
            ("gradient", 2)]


@pytest.mark.parametrize("group", [COMPILED[:6], COMPILED[6:10], COMPILED[10:]],
                         ids=["special", "stats", "numpy"])
def test_rows_compiled_by_numba(tmp_path, group):
    """Rows of shims, summed into one function compiled by Numba (strict: no fallback): the
    compiled gradient in both modes against finite differences."""
    params, terms, args = [], [], []
    for name, row in group:
        expr, specs = CASES[name][row]
        ident = f"{name.replace('.', '_')}_{row}"
        params += [f"{'xy'[i]}_{ident}" for i in range(len(specs))]
        terms.append(f"np.sum(np.sin({_renamed(expr, ident)}))")
        args += _args(specs, seed=3)
    m = module_from_text(tmp_path / f"srcgrad_library_together_{group[0][0]}.py",
                         "\n".join(HEADER) + f"\ndef together({', '.join(params)}):\n    return ("
                         + "\n        + ".join(terms) + ")\n")
    check_grads(m.together, tuple(args), backends=("numba",))


def kv_call(x):
    return np.sum(sp.kv(1.0, x))


def t_cdf_call(x):
    return np.sum(st.t.ppf(x, 3.0))


def logsumexp_sign(x):
    return sp.logsumexp(x, return_sign=True)[0]


def mvn_without_mean(x):
    return st.multivariate_normal.logpdf(x, cov=np.eye(3))


@pytest.mark.parametrize("f,what", [
    (kv_call, "no derivative rule for scipy.special.kv"),
    (t_cdf_call, "no derivative rule for scipy.stats.t.ppf"),
    (logsumexp_sign, "return_sign=True"),
    (mvn_without_mean, "no mean"),
])
def test_library_calls_without_a_shim_are_refused_by_name(f, what):
    with pytest.raises(srcgrad.UnsupportedError, match=what.replace(".", "\\.")) as e:
        srcgrad.grad(f)(np.ones(3))
    assert "test_library.py" in str(e.value) and "site-packages" not in str(e.value)


def test_edges_match_scipy():
    """Where a shim switches formulas or leaves the support, the value is SciPy's."""
    x = np.array([-40.0, -20.5, -19.5, 0.0, 3.0])
    np.testing.assert_allclose(srcgrad.value_and_grad(lambda_log_ndtr)(x)[0],
                               np.sum(sp.log_ndtr(x)), rtol=1e-12)
    y = np.array([-1.0, 0.5, 2.0])
    v, g = srcgrad.value_and_grad(gamma_outside)(y)
    assert v == np.sum(st.gamma.logpdf(y, 2.0)) == -np.inf
    a = np.array([-np.inf, -np.inf])
    assert srcgrad.value_and_grad(lse_all_minus_inf)(a)[0] == sp.logsumexp(a) == -np.inf


def t_tail(z, df):
    return np.sum(st.t.logcdf(z, df))


def test_student_t_derivative_in_df_near_zero():
    """Found by test_rules' generated points (z = 4.3e-252): z * z underflowed, and the
    derivative in df was nan or -inf where it is z times that of the density at 0.  Against
    that closed form (digamma from SciPy), on both sides of where the series takes over."""
    from scipy.special import digamma, gammaln
    from srcgrad.runtime.incomplete_grad import t_cdf_ddf
    for df in (0.5, 1.0, 3.0, 30.0):
        h = 0.5 * df
        slope = math.exp(gammaln(h + 0.5) - gammaln(h) - 0.5 * math.log(math.pi * df)) \
            * 0.5 * (digamma(h + 0.5) - digamma(h) - 1.0 / df)
        for z in (4.27e-252, -3e-120, 1e-101, 2e-100, 1e-60, -1e-20):
            assert t_cdf_ddf(z, df) == pytest.approx(z * slope, rel=1e-11), (z, df)


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_student_t_far_tails_and_large_df_match_scipy(backend):
    """Found by the fuzzer (seed 9179: df = 2 + exp(25)): log B(a, b) subtracted lgammas of
    about 1e12 (four digits left), 1 - x lost z's digits at large df, and 0.5 - centre made
    the far tail 0 (logcdf -inf) for |z| > 1 with z**2 < df.  Now within 1e-8 of SciPy from
    df = 0.3 to 1e15, the values through srcgrad's compiled code and its derivative in z."""
    from srcgrad.runtime.incomplete import t_cdf
    for df in [0.3, 3.0, 999.0, 1e4, 1e6, 1e8, 1e9, 1e11, 1e13, 1e15]:
        for z in [-37.0, -13.0, -3.0, -0.5, 0.2, 1.5, 4.0]:
            want = st.t.cdf(z, df)
            assert t_cdf(z, df) == pytest.approx(want, rel=1e-8, abs=0), (df, z)
    from srcgrad.runtime.incomplete_grad import t_cdf_ddf
    for z in (-3.0, 0.5, 2.0):  # in df: against central differences where SciPy resolves them
        h = 1e-3
        fd = (st.t.cdf(z, 40.0 + h) - st.t.cdf(z, 40.0 - h)) / (2 * h)
        assert t_cdf_ddf(z, 40.0) == pytest.approx(fd, rel=1e-6)
        # and continuous where the expansion in 1 / df takes over
        assert t_cdf_ddf(z, 0.9999999e9) == pytest.approx(t_cdf_ddf(z, 1e9), rel=1e-5)
        assert t_cdf_ddf(z, 0.99999e5) == pytest.approx(t_cdf_ddf(z, 1.00001e5), rel=1e-4)
    z = np.array([-30.0, -8.0, -3.0, 0.5])
    for df in (999.0, 2.0 + math.exp(25.5)):
        v, g = srcgrad.value_and_grad(t_tail, backend=backend)(z, df)
        assert v == pytest.approx(np.sum(st.t.logcdf(z, df)), rel=1e-10)
        h = 1e-6 * np.abs(z)
        fd = (st.t.logcdf(z + h, df) - st.t.logcdf(z - h, df)) / (2 * h)
        np.testing.assert_allclose(g, fd, rtol=1e-6)


def lambda_log_ndtr(x):
    return np.sum(sp.log_ndtr(x))


def gamma_outside(x):
    return np.sum(st.gamma.logpdf(x, 2.0))


def lse_all_minus_inf(x):
    return sp.logsumexp(x)


def gamma_cdf_in_its_shape(x, a):
    return np.sum(st.gamma.cdf(x, a))


def t_cdf_in_its_df(x, df):
    return np.sum(st.t.cdf(x, df))


def beta_cdf_in_its_shapes(x, a):
    return np.sum(st.beta.cdf(x, a, 3.0 - a))


def _scipy_difference(f, x, p, h=1e-6):
    """Central difference in the shape parameter of the function run as Python: SciPy's
    own incomplete gamma and beta functions, independent of srcgrad's."""
    return (f(x, p + h) - f(x, p - h)) / (2 * h)


SHAPE_CASES = [
    ("gamma", gamma_cdf_in_its_shape, np.array([0.05, 0.5, 1.5, 7.0, 40.0]), 2.0),
    ("gamma-small-a", gamma_cdf_in_its_shape, np.array([0.01, 3.0, 25.0]), 0.3),
    ("t", t_cdf_in_its_df, np.array([-20.0, -1.5, 0.3, 2.0, 9.0]), 2.5),
    ("t-large-df", t_cdf_in_its_df, np.array([-3.0, 0.0, 1.0]), 60.0),
    ("beta", beta_cdf_in_its_shapes, np.array([0.001, 0.2, 0.5, 0.9, 0.999]), 0.7)]
# compiled: gamma's and beta's (t's derivative in df is the beta one's); all as Python
SHAPE_RUNS = [(c, "python") for c in SHAPE_CASES] + [(c, "numba") for c in SHAPE_CASES
                                                     if c[0] in ("gamma", "beta")]


@pytest.mark.parametrize("case,backend", SHAPE_RUNS,
                         ids=[f"{c[0]}-{b}" for c, b in SHAPE_RUNS])
def test_cdf_derivative_in_its_shape_parameter(case, backend):
    """The distribution functions in their shape parameters (a, b, df), across the series and
    continued-fraction regimes and both tails: both modes against SciPy's differences."""
    _, f, x, p = case
    want = _scipy_difference(f, x, p)
    got = srcgrad.grad(f, wrt=1, backend=backend)(x, p)
    tangent = srcgrad.jvp(f, (x, p), (np.zeros_like(x), 1.0), backend=backend)[1]
    # (atol: the differences' own error, 1e-16 / h)
    np.testing.assert_allclose([got, tangent], [want, want], rtol=1e-7, atol=1e-9)


def test_second_derivative_in_a_shape_parameter_is_refused_at_the_call():
    """The Hessian in a shape parameter is not implemented: a located error naming the
    user's line; the Hessian in the data, and the mixed second derivative, are fine."""
    x = np.array([0.5, 1.5])
    with pytest.raises(srcgrad.UnsupportedError, match="second derivative in a distribution") as e:
        srcgrad.hessian(gamma_cdf_in_its_shape, wrt=1, backend="python")(x, 2.0)
    assert "test_library.py:" in str(e.value) and "st.gamma.cdf(x, a)" in str(e.value)
    H = srcgrad.hessian(gamma_cdf_in_its_shape, wrt=0, backend="python")(x, 2.0)
    assert H.shape == (2, 2) and np.allclose(H, np.diag(np.diag(H)))
    mixed = srcgrad.jacobian(srcgrad.grad(gamma_cdf_in_its_shape, wrt=1, backend="python"),
                             backend="python")(x, 2.0)
    # d/dx dP(a, x)/da is d/da of the density x^(a-1) e^-x / Gamma(a): the density times
    # (log x - digamma(a)); digamma(2) = 1 - Euler's gamma
    want = st.gamma.pdf(x, 2.0) * (np.log(x) - (1.0 - 0.5772156649015329))
    np.testing.assert_allclose(mixed, want, rtol=1e-9)


def logsumexp_in_a_loop(a, M):
    s = 0.0
    for i in range(3):  # the shim's np.isfinite mask is a bool array saved each step
        s = s + np.sum(np.sin(sp.logsumexp(M * a[i], axis=0)))
    return s


def test_a_bool_array_saved_in_a_loop_compiles():
    """fuzz seed 10311: the placeholder before the loop was a float array, and Numba could
    not unify it with the bool mask (the gradient ran as Python, with a warning)."""
    import warnings
    a, M = np.array([0.3, -0.5, 0.8]), np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", srcgrad.FallbackWarning)
        check_grads(logsumexp_in_a_loop, (a, M), backends=("numba", "python"))


def convolve_empty(x):
    return np.sum(np.convolve(x, x[0:0]))


def trapezoid_of_a_matrix(x):
    return np.trapezoid(x * x)


def heaviside_by_keyword(x):
    return np.sum(np.heaviside(x1=x, x2=0.5))  # (NumPy: TypeError, a ufunc's operands are positional)


def float_power_with_out(x):
    return np.sum(np.float_power(x, 2.0, out=x))


def test_ufunc_shims_take_their_operands_by_position():
    for f in (heaviside_by_keyword, float_power_with_out):
        with pytest.raises(srcgrad.UnsupportedError, match="by position") as e:
            srcgrad.grad(f)(np.ones(3))
        assert "test_library.py" in str(e.value)


def multi_dot_of_a_name(A):
    ms = [A, A.T]
    return np.sum(np.linalg.multi_dot(ms))


def multi_dot_of_five(A):
    return np.sum(np.linalg.multi_dot([A, A.T, A, A.T, A]))


def test_multi_dot_refusals():
    for f in (multi_dot_of_a_name, multi_dot_of_five):
        with pytest.raises(srcgrad.UnsupportedError, match="multi_dot") as e:
            srcgrad.grad(f)(np.ones((2, 2)))
        assert "test_library.py" in str(e.value)


def gradient_of_a_matrix(A):
    return np.sum(np.gradient(A))


def gradient_second_order(f):
    return np.sum(np.gradient(f, edge_order=2))


def gradient_along(f):
    return np.sum(np.gradient(f, axis=0))


def gradient_spacing_by_keyword(f):
    return np.sum(np.gradient(f, spacing=0.5))  # (NumPy: TypeError, its spacings are *varargs)


def test_gradient_refusals():
    """What srcgrad's np.gradient does not do is refused at the call: an f of rank 2 (NumPy
    returns one array per axis), edge_order=2, axis=, and what NumPy refuses."""
    for f, arg in ((gradient_of_a_matrix, np.ones((2, 3))), (gradient_second_order, np.ones(4)),
                   (gradient_along, np.ones(4)), (gradient_spacing_by_keyword, np.ones(4))):
        with pytest.raises(srcgrad.UnsupportedError, match="gradient") as e:
            srcgrad.grad(f)(arg)
        assert "test_library.py" in str(e.value)


def heaviside_sum(x, h):
    return np.sum(np.heaviside(x, h))


@pytest.mark.parametrize("backend", ["numba", "python"])
def test_heaviside_at_zero_and_nan(backend):
    """NumPy's value at 0 (and -0.0) is x2, at NaN NaN; the derivative in x2 counts the zeros,
    in x1 it is zero."""
    x = np.array([-1.0, 0.0, 2.0, -0.0, 0.0])
    v, (gx, gh) = srcgrad.value_and_grad(heaviside_sum, wrt=(0, 1), backend=backend,
                                         strict=backend == "numba")(x, 0.3)
    assert v == np.sum(np.heaviside(x, 0.3))
    assert gh == 3.0 and np.array_equal(gx, np.zeros(5))
    v = srcgrad.value_and_grad(heaviside_sum, wrt=1, backend=backend)(np.array([np.nan, 1.0]), 0.3)[0]
    assert np.isnan(v)


def interp_repeated_knot(fp):
    return np.sum(np.interp(np.array([0.2, 0.7, 1.0, 1.5]), np.array([0.0, 0.5, 1.0, 1.0]), fp))


def interp_at_the_knots(fp):
    return np.interp(np.array([-1.0, 0.0, 0.25, 0.5, 1.0, 2.0]), np.linspace(0.0, 1.0, 5), fp)


def test_numpy_shims_at_their_edges():
    """np.interp at the knots and outside them is NumPy's value exactly, with the derivative
    in fp of the value it picks; what NumPy refuses raises, and a mode that is not a literal
    is refused at the user's call."""
    fp = np.array([0.5, -1.0, 2.0, 3.5, 1.0])
    want = np.interp(np.array([-1.0, 0.0, 0.25, 0.5, 1.0, 2.0]), np.linspace(0.0, 1.0, 5), fp)
    jac = srcgrad.jacobian(interp_at_the_knots, backend="python")(fp)
    np.testing.assert_array_equal(interp_at_the_knots(fp), want)
    np.testing.assert_array_equal(jac, np.eye(5)[[0, 0, 1, 2, 4, 4]])
    # a repeated last knot: NumPy's value, and a gradient that is not NaN
    v, g = srcgrad.value_and_grad(interp_repeated_knot, backend="python")(fp[:4])
    assert v == interp_repeated_knot(fp[:4])
    np.testing.assert_allclose(g, [0.6, 1.0, 0.4, 2.0], rtol=1e-14)
    with pytest.raises(ValueError, match="empty"):
        srcgrad.grad(convolve_empty, backend="python")(np.ones(3))
    with pytest.raises(ValueError, match="1-D"):
        srcgrad.grad(trapezoid_of_a_matrix, backend="python")(np.ones((2, 3)))
    with pytest.raises(srcgrad.UnsupportedError, match="mode"):
        srcgrad.grad(lambda_convolve_mode)(np.ones(3))


def pad_by_a_tuple_variable(x):
    w = (1, 2)
    return np.sum(np.pad(x, w))


def pad_by_edges(x):
    return np.sum(np.pad(x, 1, mode="edge"))


def pad_by_minus_one(x):
    return np.sum(np.pad(x, -1))


def pad_with_a_pair_of_values(x):
    values = (0.0, 1.0)
    return np.sum(np.pad(x, 1, constant_values=values))


def interp_left_of_an_array(x):
    return np.sum(np.interp(x, np.linspace(0.0, 1.0, 3), x, left=x))


@pytest.mark.parametrize("f,error,match", [
    (pad_by_a_tuple_variable, srcgrad.UnsupportedError, "pad_width that is not written out"),
    (pad_with_a_pair_of_values, srcgrad.UnsupportedError, "constant_values other than one"),
    (interp_left_of_an_array, srcgrad.UnsupportedError, "left= or right= that is not one"),
    (pad_by_edges, srcgrad.UnsupportedError, "mode other than 'constant'"),
    (pad_by_minus_one, ValueError, "negative"),
])
def test_pad_refuses_what_it_does_not_take(f, error, match):
    with pytest.raises(error, match=match):
        srcgrad.grad(f, backend="python")(np.ones(3))


def lambda_convolve_mode(x):
    mode = "same"
    return np.sum(np.convolve(x, x, mode))


def nan_reductions(x):
    return np.nansum(x) + 2.0 * np.nanmean(x) + 3.0 * np.nanmax(x) - np.nanmin(x)


def cov_of_one_variable(x):
    return np.sum(np.cov(x))


def test_nan_reductions_skip_nans_and_cov_refuses_one_variable():
    """NaNs count as absent: NumPy's values, derivative zero at a NaN and the reduction's own
    elsewhere (one over the count for the mean, the extreme entry for max and min), compiled
    and as Python; np.cov of one variable (a 0-d array in NumPy) raises ValueError."""
    x = np.array([0.5, np.nan, -1.0, 2.0, np.nan, 0.25])
    want = np.nansum(x) + 2.0 * np.nanmean(x) + 3.0 * np.nanmax(x) - np.nanmin(x)
    g = np.where(np.isnan(x), 0.0, 1.0 + 2.0 / 4) + 3.0 * (x == 2.0) - (x == -1.0)
    for backend in ("numba", "python"):
        v, got = srcgrad.value_and_grad(nan_reductions, backend=backend, strict=True)(x)
        assert v == want
        np.testing.assert_allclose(got, g, rtol=1e-15)
    assert np.isnan(srcgrad.value_and_grad(nan_reductions, backend="python")(
        np.full(3, np.nan))[0])
    with pytest.raises(ValueError, match="one variable"):
        srcgrad.grad(cov_of_one_variable, backend="python")(np.ones(4))
    X = np.arange(6.0).reshape(2, 3) ** 2  # more degrees taken than there are: NumPy's inf
    with np.errstate(divide="ignore"), pytest.warns(RuntimeWarning):
        assert srcgrad.value_and_grad(cov_ddof_5, backend="python")(X)[0] == cov_ddof_5(X)


def cov_ddof_5(X):
    return np.sum(np.cov(X, ddof=5))


def interp_of_tensordot(x, a, M):
    """np.tensordot (its lowering waits for the kinds pass) inside an argument of np.interp
    that interp's chooser does not read: it stayed unlowered and was refused as 'differentiated
    value M passed to tensordot()' (the array fuzzer, seed 34736)."""
    xp = np.cumsum(np.exp(np.tensordot(M, a, axes=1))) - 1.5
    return np.interp(x, xp, np.tensordot(M, a, axes=1) ** 2)


def test_a_rank_lowered_call_inside_a_library_call():
    rng = np.random.default_rng(3)
    a, M = rng.standard_normal(4) * 0.3, rng.standard_normal((3, 4)) * 0.3
    xp = np.cumsum(np.exp(M @ a)) - 1.5
    x = 0.5 * (xp[0] + xp[1])  # inside the first interval
    check_grads(interp_of_tensordot, (x, a, M), backends=("python",))
