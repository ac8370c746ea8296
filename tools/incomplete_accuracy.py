"""Accuracy of srcgrad's derivatives of the incomplete gamma and beta functions in their shape
parameters (srcgrad/runtime/incomplete_grad.py) against mpmath at 120 digits, over a grid that
crosses the series and continued-fraction regimes and both tails.

    python tools/incomplete_accuracy.py        # needs mpmath (pip install mpmath)

Prints the largest relative error of each function.  The reference differentiates the side
of the function that is not 1 minus a tiny number (Q where P is near 1), so that mpmath's own
cancellation does not count as ours, and skips tails below 1e-90.
"""
import mpmath as mp

from srcgrad.runtime.incomplete_grad import betainc_da, betainc_db, gammainc_da, t_cdf_ddf

mp.mp.dps = 120  # the tails reach 1e-300: 30 digits would be 1 minus them


def _rel(got, want):
    return abs(got - want) / abs(want) if abs(want) > 1e-280 else 0.0


def gamma_worst():
    worst = 0.0
    for a in [0.05, 0.3, 1.0, 2.5, 10.0, 50.0, 300.0]:
        for x in [1e-3, 0.1, 0.9, 2.0, 5.0, 20.0, 80.0, 400.0]:
            if x < a + 1:
                want = mp.diff(lambda t: mp.gammainc(t, 0, x, regularized=True), a)
            else:
                want = -mp.diff(lambda t: mp.gammainc(t, x, mp.inf, regularized=True), a)
            worst = max(worst, _rel(gammainc_da(a, x), float(want)))
    return worst


def beta_worst():
    worst = 0.0
    for a in [0.1, 0.5, 1.0, 3.0, 20.0, 200.0]:
        for b in [0.1, 0.5, 2.0, 15.0, 150.0]:
            for x in [1e-3, 0.05, 0.3, 0.5, 0.8, 0.99]:
                lower = x < (a + 1) / (a + b + 2)  # differentiate the side that is not ~1
                sign = 1 if lower else -1
                part = (lambda p, q: mp.betainc(p, q, 0, x, regularized=True)) if lower else \
                    (lambda p, q: mp.betainc(p, q, x, 1, regularized=True))
                if part(a, b) < 1e-90:  # beyond the reference's own 120 digits
                    continue
                da = sign * mp.diff(lambda t: part(t, b), a)
                db = sign * mp.diff(lambda t: part(a, t), b)
                worst = max(worst, _rel(betainc_da(a, b, x), float(da)),
                            _rel(betainc_db(a, b, x), float(db)))
    return worst


def t_worst():
    worst = 0.0
    for df in [0.5, 1.0, 3.0, 10.0, 100.0]:
        for z in [-30.0, -3.0, -0.5, 0.2, 1.0, 4.0, 50.0]:
            sign = 1 if z <= 0 else -1  # the cdf for z <= 0, one minus the tail above
            want = sign * mp.diff(lambda n: 0.5 * mp.betainc(n / 2, 0.5, 0, n / (n + z * z),
                                                             regularized=True), df)
            worst = max(worst, _rel(t_cdf_ddf(z, df), float(want)))
    return worst


if __name__ == "__main__":
    print(f"d/da gammainc: largest relative error {gamma_worst():.1e}")
    print(f"d/da, d/db betainc: largest relative error {beta_worst():.1e}")
    print(f"d/ddf t cdf: largest relative error {t_worst():.1e}")
