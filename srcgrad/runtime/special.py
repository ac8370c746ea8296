"""Special functions of a float or, elementwise, of an array (``math`` takes floats only,
Numba has no ``scipy.special``): erf, erfc, gamma and lgamma (``math``'s, or SciPy's for
arrays in Python), and the digamma and trigamma functions that their derivatives need."""
import math

from .cached_numpy import np
from numba import types

from .jit import njit, overload

__all__ = ["digamma", "trigamma", "erf", "erfc", "gamma", "lgamma"]


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


_digamma_pos_nb = njit(_digamma_pos)
_trigamma_pos_nb = njit(_trigamma_pos)


def _scipy():
    import scipy.special  # only when an array needs it: importing SciPy takes a while
    return scipy.special


def _each(f, x):
    if isinstance(x, np.ndarray):
        return np.array([f(float(v)) for v in x.ravel()], dtype=np.float64).reshape(x.shape)
    return f(float(x))


def digamma(x):
    """The digamma function psi(x) = d lgamma(x) / dx, of a float or each element."""
    return _each(_digamma, x)


def trigamma(x):
    """The trigamma function psi'(x), of a float or each element."""
    return _each(_trigamma, x)


def erf(x):
    """The error function, of a float or each element."""
    return _scipy().erf(x) if isinstance(x, np.ndarray) else math.erf(x)


def erfc(x):
    """1 - erf(x), accurate where erf(x) is near 1."""
    return _scipy().erfc(x) if isinstance(x, np.ndarray) else math.erfc(x)


def gamma(x):
    """The gamma function."""
    return _scipy().gamma(x) if isinstance(x, np.ndarray) else math.gamma(x)


def lgamma(x):
    """log |gamma(x)| (scipy.special.gammaln)."""
    return _scipy().gammaln(x) if isinstance(x, np.ndarray) else math.lgamma(x)


def _elementwise(scalar):
    """A Numba implementation applying the compiled ``scalar`` to a float or each element."""
    def typer(x):
        if isinstance(x, types.Array):
            def impl(x):
                flat = x.ravel()
                out = np.empty(flat.size)
                for i in range(flat.size):
                    out[i] = scalar(flat[i])
                return out.reshape(x.shape)
            return impl
        return lambda x: scalar(x)
    return typer


@njit
def _digamma_nb(x):
    if x <= 0.0 and x == math.floor(x):
        return math.nan
    if x < 0.0:
        return _digamma_pos_nb(1.0 - x) - math.pi / math.tan(math.pi * x)
    return _digamma_pos_nb(x)


@njit
def _trigamma_nb(x):
    if x <= 0.0 and x == math.floor(x):
        return math.nan
    if x < 0.0:
        s = math.sin(math.pi * x)
        return math.pi * math.pi / (s * s) - _trigamma_pos_nb(1.0 - x)
    return _trigamma_pos_nb(x)


@njit
def _erf_nb(x):
    return math.erf(x)


@njit
def _erfc_nb(x):
    return math.erfc(x)


@njit
def _gamma_nb(x):
    return math.gamma(x)


@njit
def _lgamma_nb(x):
    return math.lgamma(x)


for _f, _nb in ((digamma, _digamma_nb), (trigamma, _trigamma_nb), (erf, _erf_nb),
                (erfc, _erfc_nb), (gamma, _gamma_nb), (lgamma, _lgamma_nb)):
    overload(_f)(_elementwise(_nb))
