"""``scipy.stats`` distributions in srcgrad's subset: log densities (and mass functions),
densities and distribution functions, in their data and their parameters (the distribution
functions of t, gamma and beta in their shape parameters through runtime/incomplete_grad.py;
a second derivative in a shape parameter is refused at the call).
Outside a distribution's support the log density is -inf, as SciPy's; the parameters are
not checked (SciPy gives NaN for a negative scale, these shims NaN or a number).

    scipy.stats.norm.logpdf(x, mu, s)  ->  -0.5 ((x - mu) / s)^2 - log(s) - log(2 pi) / 2
"""
import numpy as np
import scipy.stats as st

from .. import runtime as rt
from . import literal, shim, chooser
from .special import LOG_SQRT_2PI, SQRT_HALF, log_ndtr, xlog1py, xlogy

NEG_INF = -np.inf


@shim(st.norm.logpdf)
def norm_logpdf(x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return -0.5 * z * z - np.log(scale) - LOG_SQRT_2PI


@shim(st.norm.pdf)
def norm_pdf(x, loc=0.0, scale=1.0):
    return np.exp(norm_logpdf(x, loc, scale))


@shim(st.norm.cdf)
def norm_cdf(x, loc=0.0, scale=1.0):
    return 0.5 * rt.erfc(-(x - loc) / scale * SQRT_HALF)


@shim(st.norm.sf)
def norm_sf(x, loc=0.0, scale=1.0):
    return 0.5 * rt.erfc((x - loc) / scale * SQRT_HALF)


@shim(st.norm.logcdf)
def norm_logcdf(x, loc=0.0, scale=1.0):
    return log_ndtr((x - loc) / scale)


@shim(st.norm.logsf)
def norm_logsf(x, loc=0.0, scale=1.0):
    return log_ndtr((loc - x) / scale)


@shim(st.t.logpdf)
def t_logpdf(x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    return rt.t_log_norm(df) - np.log(scale) - 0.5 * (df + 1.0) * np.log1p(z * z / df)


@shim(st.t.pdf)
def t_pdf(x, df, loc=0.0, scale=1.0):
    return np.exp(t_logpdf(x, df, loc, scale))


@shim(st.t.cdf)
def t_cdf(x, df, loc=0.0, scale=1.0):
    return rt.t_cdf((x - loc) / scale, df)


@shim(st.t.logcdf)
def t_logcdf(x, df, loc=0.0, scale=1.0):
    return np.log(rt.t_cdf((x - loc) / scale, df))


@shim(st.t.sf)
def t_sf(x, df, loc=0.0, scale=1.0):
    return rt.t_cdf((loc - x) / scale, df)


@shim(st.gamma.logpdf)
def gamma_logpdf(x, a, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    inside = y > 0.0
    ys = np.where(inside, y, 1.0)  # the log is taken where it is defined only
    return np.where(inside, (a - 1.0) * np.log(ys) - ys - rt.lgamma(a) - np.log(scale), NEG_INF)


@shim(st.gamma.pdf)
def gamma_pdf(x, a, loc=0.0, scale=1.0):
    return np.exp(gamma_logpdf(x, a, loc, scale))


@shim(st.gamma.cdf)
def gamma_cdf(x, a, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    inside = y > 0.0
    return np.where(inside, rt.gammainc(a, np.where(inside, y, 1.0)), 0.0)


@shim(st.gamma.logcdf)
def gamma_logcdf(x, a, loc=0.0, scale=1.0):
    return np.log(gamma_cdf(x, a, loc, scale))


@shim(st.gamma.sf)
def gamma_sf(x, a, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    inside = y > 0.0
    return np.where(inside, rt.gammaincc(a, np.where(inside, y, 1.0)), 1.0)


@shim(st.beta.logpdf)
def beta_logpdf(x, a, b, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    inside = np.logical_and(y > 0.0, y < 1.0)
    ys = np.where(inside, y, 0.5)
    return np.where(inside, (a - 1.0) * np.log(ys) + (b - 1.0) * np.log1p(-ys)
                    - rt.lgamma(a) - rt.lgamma(b) + rt.lgamma(a + b) - np.log(scale), NEG_INF)


@shim(st.beta.pdf)
def beta_pdf(x, a, b, loc=0.0, scale=1.0):
    return np.exp(beta_logpdf(x, a, b, loc, scale))


@shim(st.beta.cdf)
def beta_cdf(x, a, b, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    inside = np.logical_and(y > 0.0, y < 1.0)
    return np.where(inside, rt.betainc(a, b, np.where(inside, y, 0.5)), np.where(y <= 0.0, 0.0, 1.0))


@shim(st.beta.logcdf)
def beta_logcdf(x, a, b, loc=0.0, scale=1.0):
    return np.log(beta_cdf(x, a, b, loc, scale))


@shim(st.expon.logpdf)
def expon_logpdf(x, loc=0.0, scale=1.0):
    y = (x - loc) / scale
    return np.where(y >= 0.0, -y - np.log(scale), NEG_INF)


@shim(st.laplace.logpdf)
def laplace_logpdf(x, loc=0.0, scale=1.0):
    return -np.abs(x - loc) / scale - np.log(2.0 * scale)


@shim(st.poisson.logpmf)
def poisson_logpmf(k, mu, loc=0):
    n = k - loc
    ok = np.logical_and(n >= 0, n == np.floor(n))
    return np.where(ok, xlogy(n, mu) - rt.lgamma(np.where(ok, n, 0) + 1.0) - mu, NEG_INF)


@shim(st.poisson.pmf)
def poisson_pmf(k, mu, loc=0):
    return np.exp(poisson_logpmf(k, mu, loc))


@shim(st.poisson.cdf)
def poisson_cdf(k, mu, loc=0):
    return rt.poisson_cdf(k - loc, mu)


@shim(st.poisson.logcdf)
def poisson_logcdf(k, mu, loc=0):
    return np.log(rt.poisson_cdf(k - loc, mu))


@shim(st.bernoulli.logpmf)
def bernoulli_logpmf(k, p, loc=0):
    n = k - loc
    ok = np.logical_or(n == 0, n == 1)
    return np.where(ok, xlogy(n, p) + xlog1py(1 - n, -p), NEG_INF)


@shim(st.bernoulli.pmf)
def bernoulli_pmf(k, p, loc=0):
    return np.exp(bernoulli_logpmf(k, p, loc))


@shim(st.bernoulli.cdf)
def bernoulli_cdf(k, p, loc=0):
    n = k - loc
    return np.where(n < 0, 0.0, np.where(n < 1, 1.0 - p, 1.0))


@shim(st.bernoulli.logcdf)
def bernoulli_logcdf(k, p, loc=0):
    n = k - loc
    return np.where(n < 0, NEG_INF, np.where(n < 1, np.log1p(-p), 0.0))


# ---- multivariate normal: x one point (1-D) or rows of points (2-D) --------------------------
def mvn_logpdf(x, mean, cov):
    """Through the Cholesky factor, which like SciPy's own decomposition reads the lower half
    of ``cov``."""
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, (x - mean).T)
    return -0.5 * np.sum(z * z, axis=0) - np.sum(np.log(np.diag(L))) \
        - L.shape[0] * LOG_SQRT_2PI


def mvn_pdf(x, mean, cov):
    return np.exp(mvn_logpdf(x, mean, cov))


def _mvn(fn):
    def pick(args, kw):
        given = dict(zip(("x", "mean", "cov"), args))
        given.update(kw)
        if set(given) - {"x", "mean", "cov"} or len(args) > 3 or "x" not in given:
            return "these arguments (x, mean, cov; allow_singular is not taken)"
        if "cov" not in given or isinstance(literal(given["cov"], None), (int, float)):
            return "a covariance that is not a matrix (pass cov as a 2-D array)"
        mean = given.get("mean")
        if mean is None or literal(mean) is None:
            return "no mean (pass it, e.g. np.zeros(k))"
        return fn, [given["x"], mean, given["cov"]]
    return pick


chooser(st.multivariate_normal.logpdf)(_mvn(mvn_logpdf))
chooser(st.multivariate_normal.pdf)(_mvn(mvn_pdf))
