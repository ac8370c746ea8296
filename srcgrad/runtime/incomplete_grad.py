"""Derivatives of the incomplete gamma and beta functions (runtime/incomplete.py) in their
shape parameters, and of Student's t distribution function in its degrees of freedom.

These have no closed form.  Each is the forward-mode derivative of the same series or
continued fraction that computes the function (one tangent per shape parameter carried
through every iteration of Lentz's method), iterated until both the value and its
derivative have converged: about 1e-8 relative against central differences of SciPy's
functions over the tested ranges (tests/test_library.py), and within 1e-11 of mpmath at
120 digits over tools/incomplete_accuracy.py's grid.

    dP(a, x)/da  = front * (S * (log x - psi(a)) + dS/da),  P = front * S  (the series)
    dQ(a, x)/da  = front * (h * (log x - psi(a)) + dh/da),  Q = front * h  (the fraction)

Their own derivatives in the variable are closed forms (rules/elementwise.py); second
derivatives in a shape parameter are not implemented and refused.
"""
import math

import numba

from .incomplete import large_df, t_expansion
from .jit import njit
from .special import _digamma_pos_nb as _psi

__all__ = ["gammainc_da", "betainc_da", "betainc_db", "t_cdf_ddf"]

_EPS, _TINY, _MAXIT = 1e-16, 1e-300, 100000


@njit
def _done(step, tangent, h, dh):
    """Lentz's iteration has converged: the step is 1 and adds nothing to the derivative
    (``tangent``: the step's derivative, ``dh / h`` the log-derivative so far)."""
    return abs(step - 1.0) < _EPS and abs(tangent) <= _EPS * max(abs(dh / h), 1.0)


@njit
def _gamma_series_da(a, x):
    """The series S of P(a, x) = front * S and dS/da (x < a + 1)."""
    ap, term, dterm = a, 1.0 / a, -1.0 / (a * a)
    total, dtotal = term, dterm
    for _ in range(_MAXIT):
        ap += 1.0
        r = x / ap
        dterm = dterm * r - term * r / ap
        term *= r
        total += term
        dtotal += dterm
        if abs(term) < abs(total) * _EPS and abs(dterm) < abs(dtotal) * _EPS:
            break
    return total, dtotal


@njit
def _gamma_fraction_da(a, x):
    """The continued fraction h of Q(a, x) = front * h and dh/da (x >= a + 1)."""
    b = x + 1.0 - a  # db/da = -1 at every step
    c, dc = 1.0 / _TINY, 0.0
    d = 1.0 / b
    dd = d * d  # d(1 / b)/da = 1 / b^2
    h, dh = d, dd
    for i in range(1, _MAXIT):
        an, dan = -i * (i - a), float(i)
        b += 2.0
        dn = an * d + b
        ddn = dan * d + an * dd - 1.0
        dn = _TINY if abs(dn) < _TINY else dn
        cn = b + an / c
        dc = -1.0 + dan / c - (an / c) * (dc / c)
        c = _TINY if abs(cn) < _TINY else cn
        d = 1.0 / dn
        dd = -ddn * d * d
        step = d * c
        dstep = dd * c + d * dc
        dh = dh * step + h * dstep
        h *= step
        if _done(step, dstep, h, dh):
            break
    return h, dh


@njit
def _gammainc_da(a, x):
    if math.isnan(a) or math.isnan(x) or a <= 0.0 or x < 0.0:
        return math.nan
    if x == 0.0:
        return 0.0
    front = math.exp(-x + a * math.log(x) - math.lgamma(a))
    dlog = math.log(x) - _psi(a)
    if x < a + 1.0:
        s, ds = _gamma_series_da(a, x)
        return front * (s * dlog + ds)
    h, dh = _gamma_fraction_da(a, x)
    return -front * (h * dlog + dh)  # P = 1 - Q


@numba.vectorize
def gammainc_da(a, x):
    """d/da of the regularized lower incomplete gamma function P(a, x) (gammaincc: minus it)."""
    return _gammainc_da(a, x)


@njit
def _lentz_da(aa, aaa, aab, d, da, db, c, ca, cb):
    """One half-step of the incomplete beta fraction, d <- 1 / (1 + aa d), c <- 1 + aa / c,
    with the derivatives of d and c in the two shape parameters (aaa, aab: aa's)."""
    dn = 1.0 + aa * d
    dna, dnb = aaa * d + aa * da, aab * d + aa * db
    dn = _TINY if abs(dn) < _TINY else dn
    d = 1.0 / dn
    da, db = -dna * d * d, -dnb * d * d
    cn = 1.0 + aa / c
    ca, cb = aaa / c - aa * ca / (c * c), aab / c - aa * cb / (c * c)
    c = _TINY if abs(cn) < _TINY else cn
    return d, da, db, c, ca, cb


@njit
def _beta_fraction_grad(a, b, x):
    """The continued fraction h of I_x(a, b) = front * h / a, and dh/da, dh/db."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, ca, cb = 1.0, 0.0, 0.0
    d = 1.0 - qab * x / qap
    da, db = -x / qap + qab * x / (qap * qap), -x / qap
    d = 1.0 / (_TINY if abs(d) < _TINY else d)
    da, db = -da * d * d, -db * d * d
    h, ha, hb = d, da, db
    for m in range(1, _MAXIT):
        m2 = 2.0 * m
        den = (qam + m2) * (a + m2)
        aa = m * (b - m) * x / den
        aaa, aab = -aa * (1.0 / (qam + m2) + 1.0 / (a + m2)), m * x / den
        d, da, db, c, ca, cb = _lentz_da(aa, aaa, aab, d, da, db, c, ca, cb)
        step, sa, sb = d * c, da * c + d * ca, db * c + d * cb
        ha, hb = ha * step + h * sa, hb * step + h * sb
        h *= step
        den = (a + m2) * (qap + m2)
        aa = -(a + m) * (qab + m) * x / den
        aaa = aa * (1.0 / (a + m) + 1.0 / (qab + m) - 1.0 / (a + m2) - 1.0 / (qap + m2))
        aab = aa / (qab + m)
        d, da, db, c, ca, cb = _lentz_da(aa, aaa, aab, d, da, db, c, ca, cb)
        step, sa, sb = d * c, da * c + d * ca, db * c + d * cb
        ha, hb = ha * step + h * sa, hb * step + h * sb
        h *= step
        if _done(step, sa, h, ha) and _done(step, sb, h, hb):
            break
    return h, ha, hb


@njit
def _betainc_grad(a, b, x):
    """(dI/da, dI/db) of the regularized incomplete beta function I_x(a, b)."""
    if math.isnan(a) or math.isnan(b) or math.isnan(x) or a <= 0.0 or b <= 0.0:
        return math.nan, math.nan
    if x <= 0.0 or x >= 1.0:
        return 0.0, 0.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    psab = _psi(a + b)
    fa, fb = math.log(x) - _psi(a) + psab, math.log1p(-x) - _psi(b) + psab  # d log front
    if x < (a + 1.0) / (a + b + 2.0):
        h, ha, hb = _beta_fraction_grad(a, b, x)
        v = front * h / a
        return v * (fa - 1.0 / a) + front * ha / a, v * fb + front * hb / a
    h, hb, ha = _beta_fraction_grad(b, a, 1.0 - x)  # I = 1 - front * h / b, roles swapped
    w = front * h / b
    return -(w * fa + front * ha / b), -(w * (fb - 1.0 / b) + front * hb / b)


@numba.vectorize
def betainc_da(a, b, x):
    """d/da of the regularized incomplete beta function I_x(a, b)."""
    return _betainc_grad(a, b, x)[0]


@numba.vectorize
def betainc_db(a, b, x):
    """d/db of the regularized incomplete beta function I_x(a, b)."""
    return _betainc_grad(a, b, x)[1]


@numba.vectorize
def t_cdf_ddf(z, df):
    """d/ddf of Student's t distribution function at ``z``: of 0.5 I_y(df/2, 1/2) with
    y = df / (df + z^2) (z <= 0; for z > 0 the cdf is one minus that)."""
    if math.isnan(z) or math.isnan(df) or df <= 0.0:
        return math.nan
    if z == 0.0 or math.isinf(z):
        return 0.0
    if abs(z) < 1e-100:  # z * f'(0): z * z would underflow below (log(0), inf * 0 = nan)
        h = 0.5 * df
        dens0 = math.exp(math.lgamma(h + 0.5) - math.lgamma(h) - 0.5 * math.log(math.pi * df))
        return z * dens0 * 0.5 * (_psi(h + 0.5) - _psi(h) - 1.0 / df)
    z4 = z * z * z * z
    if large_df(z, df) or (df >= 1e5 and z4 * z4 <= 1e-6 * df * df):
        # d/ddf of the expansion in 1 / df (its next term about z**8 / df**2 relative): the
        # derivative of the continued fraction lost digits from df = 1e5 on (at 1e7, all)
        phi, g1, g2 = t_expansion(z)
        return phi * (g1 + 2.0 * g2 / df) / (df * df)
    s = df + z * z
    if z * z < df:  # near the centre: of 0.5 +- 0.5 I_w(1/2, df/2), w = z^2 / (df + z^2)
        w, b = z * z / s, 0.5 * df
        dens = math.exp(math.lgamma(b + 0.5) - math.lgamma(b) - math.lgamma(0.5)
                        - 0.5 * math.log(w) + (b - 1.0) * math.log(df / s))
        centre = 0.5 * (0.5 * _betainc_grad(0.5, b, w)[1] - dens * z * z / (s * s))
        return centre if z > 0.0 else -centre
    y = df / s
    a = 0.5 * df
    dens = math.exp(math.lgamma(a + 0.5) - math.lgamma(a) - math.lgamma(0.5)
                    + (a - 1.0) * math.log(y) - 0.5 * math.log(z * z / s))
    half = 0.5 * (0.5 * _betainc_grad(a, 0.5, y)[0] + dens * z * z / (s * s))
    return -half if z > 0.0 else half
