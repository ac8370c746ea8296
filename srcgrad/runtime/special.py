"""Special functions that derivatives of ``math.gamma``/``math.lgamma`` need and neither
``math`` nor Numba has: digamma (the derivative of lgamma) and trigamma (its derivative)."""
import math

import numba
from numba.extending import overload

__all__ = ["digamma", "trigamma"]


def _digamma(x):
    if x <= 0.0 and x == math.floor(x):
        return math.nan  # the poles of gamma
    if x < 0.0:  # reflection: psi(x) = psi(1 - x) - pi / tan(pi x)
        return _digamma_pos(1.0 - x) - math.pi / math.tan(math.pi * x)
    return _digamma_pos(x)


def _digamma_pos(x):
    acc = 0.0
    while x < 10.0:  # psi(x) = psi(x + 1) - 1 / x
        acc -= 1.0 / x
        x += 1.0
    f = 1.0 / (x * x)  # the asymptotic series, error below 1e-14 for x >= 10
    tail = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (
        -1.0 / 132 + f * 691.0 / 32760)))))
    return acc + math.log(x) - 0.5 / x + tail


def _trigamma(x):
    if x <= 0.0 and x == math.floor(x):
        return math.nan
    if x < 0.0:  # psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
        s = math.sin(math.pi * x)
        return math.pi * math.pi / (s * s) - _trigamma_pos(1.0 - x)
    return _trigamma_pos(x)


def _trigamma_pos(x):
    acc = 0.0
    while x < 10.0:  # psi1(x) = psi1(x + 1) + 1 / x^2
        acc += 1.0 / (x * x)
        x += 1.0
    f = 1.0 / (x * x)
    tail = 1.0 / x + 0.5 * f + (1.0 / 6 + f * (-1.0 / 30 + f * (1.0 / 42 + f * (
        -1.0 / 30 + f * 5.0 / 66)))) * f / x
    return acc + tail


_digamma_pos_nb = numba.njit(_digamma_pos)
_trigamma_pos_nb = numba.njit(_trigamma_pos)


def digamma(x):
    """The digamma function psi(x) = d lgamma(x) / dx, for a float."""
    return _digamma(float(x))


def trigamma(x):
    """The trigamma function psi'(x), for a float."""
    return _trigamma(float(x))


@overload(digamma)
def _ol_digamma(x):
    def impl(x):
        if x <= 0.0 and x == math.floor(x):
            return math.nan
        if x < 0.0:
            return _digamma_pos_nb(1.0 - x) - math.pi / math.tan(math.pi * x)
        return _digamma_pos_nb(x)
    return impl


@overload(trigamma)
def _ol_trigamma(x):
    def impl(x):
        if x <= 0.0 and x == math.floor(x):
            return math.nan
        if x < 0.0:
            s = math.sin(math.pi * x)
            return math.pi * math.pi / (s * s) - _trigamma_pos_nb(1.0 - x)
        return _trigamma_pos_nb(x)
    return impl
