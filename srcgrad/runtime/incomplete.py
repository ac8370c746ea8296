"""Regularized incomplete gamma and beta functions, and the distribution functions built on
them (``scipy.stats`` cdfs: srcgrad/library/stats.py).  Each is a Numba ufunc: compiled once,
it broadcasts like NumPy's own and runs in both backends.

Series and continued fractions (Lentz's method) as in Numerical Recipes, §6.2 and §6.4:
relative error about 1e-14 against SciPy over the tested ranges (tests/library_cases.py).
Their derivatives in the variable are the densities (rules/elementwise.py); in the shape
parameters, forward-mode derivatives of these same iterations (incomplete_grad.py).
"""
import math

import numba

from .jit import njit

__all__ = ["gammainc", "gammaincc", "betainc", "t_cdf", "t_log_norm", "poisson_cdf"]

_EPS, _TINY, _MAXIT = 1e-16, 1e-300, 100000


@njit
def _gamma_series(a, x):
    """P(a, x) by its series (x < a + 1)."""
    ap, term = a, 1.0 / a
    total = term
    for _ in range(_MAXIT):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


@njit
def _gamma_fraction(a, x):
    """Q(a, x) by its continued fraction (x >= a + 1)."""
    b = x + 1.0 - a
    c, d = 1.0 / _TINY, 1.0 / b
    h = d
    for i in range(1, _MAXIT):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


@njit
def _gamma_upper(a, x, upper):
    """Q(a, x) if ``upper`` else P(a, x), from the series or the fraction, whichever
    converges there (the other as 1 minus it)."""
    if math.isnan(a) or math.isnan(x) or a <= 0.0 or x < 0.0:
        return math.nan
    if x == 0.0:
        return 1.0 if upper else 0.0
    if x < a + 1.0:
        p = _gamma_series(a, x)
        return 1.0 - p if upper else p
    q = _gamma_fraction(a, x)
    return q if upper else 1.0 - q


@numba.vectorize
def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x) (scipy.special.gammainc)."""
    return _gamma_upper(a, x, False)


@numba.vectorize
def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x)."""
    return _gamma_upper(a, x, True)


@njit
def _beta_fraction(a, b, x):
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (_TINY if abs(d) < _TINY else d)
    h = d
    for m in range(1, _MAXIT):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (_TINY if abs(d) < _TINY else d)
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (_TINY if abs(d) < _TINY else d)
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


_LARGE = 1e3  # from here on, Stirling's series with its z**-7 term has converged (< 1e-24)


@njit
def _stirling_tail(z):
    """lgamma(z) - ((z - 1/2) log z - z + log(2 pi) / 2), for z >= _LARGE."""
    w = 1.0 / (z * z)
    return (1.0 / 12.0 - w * (1.0 / 360.0 - w * (1.0 / 1260.0 - w / 1680.0))) / z


@njit
def _lbeta(a, b):
    """log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), without subtracting the large
    lgammas of a large parameter (Student's t with df = 1e11 has b = 5e10: lgamma(b) is
    1.2e12, and their difference kept only four digits)."""
    if a > b:
        a, b = b, a
    if b < _LARGE:
        return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    if a < _LARGE:  # lgamma(b) - lgamma(a + b) by Stirling, its large terms cancelled exactly
        return (math.lgamma(a) - a * math.log(b) - (a + b - 0.5) * math.log1p(a / b) + a
                + _stirling_tail(b) - _stirling_tail(a + b))
    return (0.5 * math.log(2.0 * math.pi) - (a - 0.5) * math.log1p(b / a)
            - (b - 0.5) * math.log1p(a / b) - 0.5 * math.log(a + b)
            + _stirling_tail(a) + _stirling_tail(b) - _stirling_tail(a + b))


@njit
def _betainc(a, b, x):
    return _betainc_xy(a, b, x, 1.0 - x)


@njit
def _betainc_xy(a, b, x, y):
    """I_x(a, b), given ``y`` = 1 - x too: a caller that knows 1 - x to full precision
    (Student's t: z^2 / (df + z^2)) passes it, where 1.0 - x would keep only the digits
    x's rounding left (at df = 1e13, four)."""
    if math.isnan(a) or math.isnan(b) or math.isnan(x) or a <= 0.0 or b <= 0.0:
        return math.nan
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_x = math.log(x) if x < 0.5 else math.log1p(-y)
    log_y = math.log(y) if y < 0.5 else math.log1p(-x)
    front = math.exp(-_lbeta(a, b) + a * log_x + b * log_y)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, y) / b


@numba.vectorize
def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b) (scipy.special.betainc)."""
    return _betainc(a, b, x)


@numba.vectorize
def t_log_norm(df):
    """log of Student's t density's constant, lgamma((df + 1) / 2) - lgamma(df / 2)
    - log(df pi) / 2, without subtracting lgammas of about df log df (at df = 1e11 they kept
    four digits)."""
    return -_lbeta(0.5, 0.5 * df) - 0.5 * math.log(df)


@njit
def large_df(z, df):
    """Where Student's t is computed from its expansion in 1 / df (below)."""
    return (df >= 1e9 and z * z <= 144.0) or (df >= 1e11 and z * z <= 1444.0)


@njit
def t_expansion(z):
    """(phi(z), g1(z), g2(z)): F(z; df) = Phi(z) - phi(z) (g1 / df + g2 / df**2) + O(df**-3)
    (Fisher's expansion; its terms checked against SciPy at df = 1e3 and 1e4).  Where the
    caller uses it (``large_df``), within 3e-12 relative of SciPy: the incomplete beta
    function's continued fraction loses digits there (at df = 1e13 it kept three)."""
    z2 = z * z
    phi = math.exp(-0.5 * z2) / math.sqrt(2.0 * math.pi)
    g1 = z * (z2 + 1.0) / 4.0
    g2 = z * (((3.0 * z2 - 7.0) * z2 - 5.0) * z2 - 3.0) / 96.0
    return phi, g1, g2


@numba.vectorize
def t_cdf(z, df):
    """The distribution function of Student's t with ``df`` degrees of freedom, at ``z``."""
    if math.isnan(z) or math.isnan(df) or df <= 0.0:
        return math.nan
    if math.isinf(z):
        return 1.0 if z > 0.0 else 0.0
    if large_df(z, df):
        phi, g1, g2 = t_expansion(z)
        return 0.5 * math.erfc(-z / math.sqrt(2.0)) - phi * (g1 + g2 / df) / df
    x, y = df / (df + z * z), z * z / (df + z * z)  # each to full precision
    if z * z < min(df, 1.0):  # near the centre (further out, 0.5 - centre would cancel)
        centre = 0.5 * _betainc_xy(0.5, 0.5 * df, y, x)
        return 0.5 + centre if z > 0.0 else 0.5 - centre
    half = 0.5 * _betainc_xy(0.5 * df, 0.5, x, y)
    return 1.0 - half if z > 0.0 else half


@numba.vectorize
def poisson_cdf(n, mu):
    """P(N <= n) for N Poisson with mean ``mu``: Q(floor(n) + 1, mu)."""
    if math.isnan(n) or math.isnan(mu) or mu < 0.0:
        return math.nan
    if n < 0.0:
        return 0.0
    if mu == 0.0:
        return 1.0
    return _gamma_upper(math.floor(n) + 1.0, mu, True)
