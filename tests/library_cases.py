"""The library test table: every scipy function srcgrad writes in its subset (srcgrad/library/),
with expressions that reach it and a domain where it is smooth.  A meta-test fails when a shim
has no row.  Specs as in rule_cases.py: S(lo, hi) a float, A(shape, lo, hi) a float array."""
from rule_cases import A, S

POS = (0.5, 2.0)
UNIT = (0.1, 0.9)

CASES = {
    # numpy (polynomials.py)
    "polyval": [("np.polyval(x, y)", [A(4), S()]), ("np.polyval(y, x)", [A((2, 3)), A(3)]),
                ("np.polyval(x, y) * y", [A(2), A(4)])],
    # numpy (convolution.py)
    "convolve": [("np.convolve(x, y)", [A(5), A(3)]), ("np.convolve(x, y, 'same')", [A(3), A(6)]),
                 ("np.convolve(x, y, mode='valid')", [A(6), A(4)]),
                 ("np.convolve(y, x, 'same') * y[0]", [A(4), A(5)])],
    "correlate": [("np.correlate(x, y)", [A(6), A(3)]), ("np.correlate(x, y, 'full')", [A(3), A(5)]),
                  ("np.correlate(x, y, mode='same')", [A(4), A(7)]),
                  ("np.correlate(x, y, 'same')", [A(7), A(4)])],
    # numpy (interpolation.py): x inside and outside the knots; knots made from y (so the
    # derivative in xp is checked); a number x; a matrix x (its shim picked by rank); left=
    # and right=
    "interp": [("np.interp(x, np.linspace(0.0, 1.0, 5), y)", [A(6, -0.3, 1.3), A(5)]),
               ("np.interp(x, np.cumsum(np.exp(y)) - 1.5, y * y)", [S(-1.0, 2.5), A(4)]),
               ("np.interp(x, np.linspace(0.0, 1.0, 4), y, left=-1.0, right=y[1])",
                [A((2, 3), -0.4, 1.4), A(4)]),
               ("np.interp(x, np.linspace(0.0, 1.0, 4), y, right=2.0) + np.interp(x, np.linspace(0.2, 0.8, 4), y, -0.5)",
                [A(7, -0.2, 1.2), A(4)])],
    "trapezoid": [("np.trapezoid(x)", [A(5)]), ("np.trapezoid(x, np.cumsum(np.exp(y)))", [A(4), A(4)]),
                  ("np.trapezoid(x * x, dx=y)", [A(6), S(*POS)])],
    # numpy (statistics.py): rows of variables, columns (rowvar=False), a pair x, y
    "cov": [("np.cov(x)", [A((3, 5))]), ("np.cov(x, rowvar=False, bias=True)", [A((6, 2))]),
            ("np.cov(x, y)[0, 1]", [A(5), A(5)]), ("np.cov(x, ddof=0) * y", [A((2, 4)), S()])],
    "corrcoef": [("np.corrcoef(x)", [A((3, 5))]), ("np.corrcoef(x, y)[0, 1]", [A(6), A(6)]),
                 ("np.corrcoef(x, rowvar=False)", [A((5, 2))])],
    "nansum": [("np.nansum(x)", [A(5)]), ("np.nansum(x, axis=1)", [A((2, 3))]),
               ("np.nansum(x * y, 0, keepdims=True)", [A((3, 2)), S()])],
    "nanmean": [("np.nanmean(x)", [A(5)]), ("np.nanmean(x, axis=0)", [A((3, 2))]),
                ("np.nanmean(x, axis=1, keepdims=True) * x", [A((2, 3))])],
    "nanmax": [("np.nanmax(x)", [A(5)]), ("np.nanmax(x * y)", [A((2, 3)), S()])],
    "nanmin": [("np.nanmin(x)", [A(5)]), ("np.nanmin(x * y)", [A((2, 3)), S()])],
    # numpy (padding.py): the shim picked by rank; widths as a number, a pair, pairs per axis
    "pad": [("np.pad(x, 2) * np.arange(9.0)", [A(5)]), ("np.pad(x, ((1, 0), (0, 2)))", [A((2, 3))]),
            ("np.pad(x, 1, constant_values=y)", [A((2, 2)), S()]),
            ("np.pad(x, (1, 2), 'constant')", [A((2, 2, 2))]),
            ("np.pad(x, (2, 1), 'constant', constant_values=y) * x[0]", [A(3), S()])],
    # numpy (elementwise.py): a step in x1 (every x1 zero in the second row: the value is x2)
    "heaviside": [("np.heaviside(x, y) * x", [A(5), S()]), ("np.heaviside(x - x, y)", [A(4), A(4)]),
                  ("np.heaviside(x, y) * y", [S(0.2, 1.0), A(3)])],
    # numpy (differences.py): unit spacing, a number, points (so the derivative in them)
    "gradient": [("np.gradient(x)", [A(5)]), ("np.gradient(x, y) * x", [A(4), S(*POS)]),
                 ("np.gradient(x, np.cumsum(np.exp(y)))", [A(5), A(5)]), ("np.gradient(x)", [A(2)])],
    # numpy (linalg.py): a list literal of 2 to 4 arrays, a vector at either end
    "multi_dot": [("np.linalg.multi_dot([x, y])", [A((2, 3)), A((3, 2))]),
                  ("np.linalg.multi_dot([x, y, x.T])", [A((2, 3)), A((3, 3))]),
                  ("np.linalg.multi_dot([x, y, y, x])", [A(3), A((3, 3))])],
    "float_power": [("np.float_power(x, y)", [A(4, *POS), S(*POS)]), ("np.float_power(x, 2)", [A(3)]),
                    ("np.float_power(2, x) * y", [A(3), S()])],
    # scipy.special
    "erf": [("sp.erf(x)", [A(4)]), ("sp.erf(x) * y", [S(), S()])],
    "erfc": [("sp.erfc(x)", [A(4)]), ("sp.erfc(x * y)", [S(), S()])],
    "gamma": [("sp.gamma(x)", [A(3, *POS)]), ("sp.gamma(x)", [S(*POS)])],
    "gammaln": [("sp.gammaln(x)", [A(3, *POS)]), ("sp.gammaln(x + y)", [S(*POS), S(*POS)])],
    "digamma": [("sp.digamma(x)", [A(3, *POS)]), ("sp.psi(x) * y", [S(*POS), S()])],
    "gammainc": [("sp.gammainc(2.5, x)", [A(4, 0.2, 6.0)]), ("sp.gammainc(0.4, x) * y", [S(1.0, 9.0), S()]),
                 ("sp.gammainc(y, x) * x", [A(4, 0.2, 6.0), S(0.5, 5.0, second=False)])],
    "gammaincc": [("sp.gammaincc(0.7, x * y)", [A(3, 0.2, 3.0), S(*POS)]),
                  ("sp.gammaincc(x, y)", [A(3, 0.5, 4.0, second=False), S(0.5, 6.0)])],
    "betainc": [("sp.betainc(2.0, 0.5, x)", [A(4, *UNIT)]), ("sp.betainc(1.5, 4.0, x * y)", [A(3, *UNIT), S(0.5, 1.0)]),
                ("sp.betainc(x, y, 0.3)", [A(3, 0.5, 4.0, second=False), S(0.5, 4.0, second=False)])],
    "expit": [("sp.expit(x)", [A(4, -3.0, 3.0)]), ("sp.expit(x * y)", [S(), S()])],
    "log_expit": [("sp.log_expit(x)", [A(4, -3.0, 3.0)])],
    "logit": [("sp.logit(x)", [A(4, *UNIT)]), ("sp.logit(x) * y", [S(*UNIT), S()])],
    "xlogy": [("sp.xlogy(x, y)", [A(4), A(4, *POS)]), ("sp.xlogy(x, y)", [S(), S(*POS)])],
    "xlog1py": [("sp.xlog1py(x, y)", [A(4), A(4, -0.5, 1.0)])],
    "ndtr": [("sp.ndtr(x)", [A(4, -3.0, 3.0)])],
    "log_ndtr": [("sp.log_ndtr(x)", [A(4, -3.0, 3.0)]), ("sp.log_ndtr(x)", [A(3, -30.0, -21.0)])],
    "betaln": [("sp.betaln(x, y)", [A(3, *POS), S(*POS)])],
    "logsumexp": [("sp.logsumexp(x)", [A(5)]), ("sp.logsumexp(x, axis=1)", [A((2, 3))]),
                  ("sp.logsumexp(x, 0, keepdims=True) * x", [A((3, 2))]),
                  ("sp.logsumexp(x, b=y)", [A(4), A(4, *POS)]),
                  ("sp.logsumexp(x, axis=-1, b=y, keepdims=True)", [A((2, 3)), A(3, *POS)])],
    "softmax": [("sp.softmax(x)", [A(4)]), ("sp.softmax(x, axis=1)", [A((2, 3))])],
    "log_softmax": [("sp.log_softmax(x)", [A(4)]), ("sp.log_softmax(x, axis=0)", [A((2, 3))])],
    # scipy.stats
    "norm.logpdf": [("st.norm.logpdf(x, y, 1.5)", [A(4), S()]), ("st.norm.logpdf(x, scale=y)", [A(3), S(*POS)]),
                    ("st.norm.logpdf(x)", [S()])],
    "norm.pdf": [("st.norm.pdf(x, 0.3, y)", [A(4), S(*POS)])],
    "norm.cdf": [("st.norm.cdf(x, y)", [A(4, -2.0, 2.0), S()])],
    "norm.sf": [("st.norm.sf(x, loc=y)", [A(4, -2.0, 2.0), S()])],
    "norm.logcdf": [("st.norm.logcdf(x, 0.0, y)", [A(4, -3.0, 3.0), S(*POS)])],
    "norm.logsf": [("st.norm.logsf(x, y)", [A(4, -3.0, 3.0), S()])],
    "t.logpdf": [("st.t.logpdf(x, y)", [A(4, -3.0, 3.0), S(1.5, 6.0)]),
                 ("st.t.logpdf(x, 3.0, y, 2.0)", [A(3), S()])],
    "t.pdf": [("st.t.pdf(x, y)", [A(3), S(1.5, 6.0)])],
    "t.cdf": [("st.t.cdf(x, 3.0)", [A(4, -3.0, 3.0)]), ("st.t.cdf(x, 2.5, y, 1.5)", [A(3, -3.0, 3.0), S()]),
              ("st.t.cdf(x, 0.8, scale=y)", [S(-8.0, 8.0), S(*POS)]),
              ("st.t.cdf(x, y)", [A(4, -3.0, 3.0), S(1.0, 20.0, second=False)])],
    "t.logcdf": [("st.t.logcdf(x, 4.0, 0.5, y)", [A(3, -3.0, 3.0), S(*POS)]),
                 ("st.t.logcdf(x, y, scale=2.0)", [A(3, -3.0, 3.0), S(0.8, 8.0, second=False)])],
    "t.sf": [("st.t.sf(x, 6.0, y)", [A(3, -3.0, 3.0), S()]),
             ("st.t.sf(x, y)", [A(3, -3.0, 3.0), S(0.6, 12.0, second=False)])],
    "gamma.logpdf": [("st.gamma.logpdf(x, y)", [A(4, *POS), S(*POS)]),
                     ("st.gamma.logpdf(x, 2.5, scale=y)", [A(3, *POS), S(*POS)])],
    "gamma.pdf": [("st.gamma.pdf(x, y)", [A(3, *POS), S(*POS)])],
    "gamma.cdf": [("st.gamma.cdf(x, 2.5)", [A(4, 0.1, 8.0)]), ("st.gamma.cdf(x, 0.6, y, 2.0)", [A(3, 0.1, 5.0), S(-0.05, 0.05)]),
                  ("st.gamma.cdf(x, y, scale=1.5)", [A(4, 0.1, 8.0), S(0.5, 4.0, second=False)])],
    "gamma.logcdf": [("st.gamma.logcdf(x, 3.5, scale=y)", [A(3, *POS), S(*POS)]),
                     ("st.gamma.logcdf(x, y)", [A(3, *POS), S(0.5, 3.0, second=False)])],
    "gamma.sf": [("st.gamma.sf(x, 1.7, scale=y)", [A(3, 0.2, 6.0), S(*POS)]),
                 ("st.gamma.sf(x, y * y)", [A(3, 0.2, 6.0), S(0.7, 2.0, second=False)])],
    "beta.logpdf": [("st.beta.logpdf(x, y, 2.0)", [A(4, *UNIT), S(*POS)])],
    "beta.pdf": [("st.beta.pdf(x, 1.5, y)", [A(3, *UNIT), S(*POS)])],
    "beta.cdf": [("st.beta.cdf(x, 2.0, 3.0)", [A(4, *UNIT)]), ("st.beta.cdf(x, 0.7, 1.4, y)", [A(3, 0.2, 0.9), S(-0.05, 0.05)]),
                 ("st.beta.cdf(x, y, 2.0 * y)", [A(4, *UNIT), S(*POS, second=False)])],
    "beta.logcdf": [("st.beta.logcdf(x, 2.5, 0.5, scale=y)", [A(3, *UNIT), S(1.05, 1.5)]),
                    ("st.beta.logcdf(x, 1.5, y)", [A(3, *UNIT), S(*POS, second=False)])],
    "expon.logpdf": [("st.expon.logpdf(x, scale=y)", [A(4, *POS), S(*POS)])],
    "laplace.logpdf": [("st.laplace.logpdf(x, 0.1, y)", [A(4, 0.2, 1.0), S(*POS)])],
    "poisson.logpmf": [("st.poisson.logpmf(K, x)", [A(4, *POS)]), ("st.poisson.logpmf(3, x)", [S(*POS)])],
    "poisson.pmf": [("st.poisson.pmf(K, x)", [A(4, *POS)])],
    "poisson.cdf": [("st.poisson.cdf(K, x)", [A(4, *POS)]), ("st.poisson.cdf(30, x)", [S(20.0, 40.0)])],
    "poisson.logcdf": [("st.poisson.logcdf(K, x)", [A(4, 0.5, 9.0)])],
    "bernoulli.logpmf": [("st.bernoulli.logpmf(B, x)", [A(4, *UNIT)])],
    "bernoulli.pmf": [("st.bernoulli.pmf(B, x)", [S(*UNIT)])],
    "bernoulli.cdf": [("st.bernoulli.cdf(B - 0.5 * (1 - B), x)", [A(4, *UNIT)])],
    "bernoulli.logcdf": [("st.bernoulli.logcdf(B, x)", [A(4, *UNIT)])],
    "multivariate_normal.logpdf": [
        ("st.multivariate_normal.logpdf(x, y, COV)", [A(3), A(3)]),
        ("st.multivariate_normal.logpdf(x, np.zeros(3), y @ y.T + np.eye(3))", [A((4, 3)), A((3, 3))])],
    "multivariate_normal.pdf": [("st.multivariate_normal.pdf(x, y, COV)", [A(3), A(3)])],
}

HEADER = ["import numpy as np", "import scipy.special as sp", "import scipy.stats as st", "",
          "K = np.array([0, 2, 1, 5])  # counts",
          "B = np.array([1, 0, 0, 1])  # outcomes",
          "COV = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])", ""]


def module_source():
    """``case_<name>_<k>(x[, y])`` and ``hcase_<name>_<k>`` (the sum of its sine) per row."""
    lines = list(HEADER)
    for name, cases in CASES.items():
        ident = name.replace(".", "_")
        for k, (expr, specs) in enumerate(cases):
            params = ", ".join("xy"[i] for i in range(len(specs)))
            lines += [f"def case_{ident}_{k}({params}):", f"    return {expr}", "",
                      f"def hcase_{ident}_{k}({params}):", f"    return np.sum(np.sin({expr}))", ""]
    return "\n".join(lines)
