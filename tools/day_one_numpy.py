"""Day-one cases, NumPy beyond the basics: scatter-adds, 3-D arrays, interpolation and
polynomials, masks, writes into rows and columns, reductions with keywords.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
Written as a new user writes, not to any rule of srcgrad's; a case srcgrad refuses is
reported as refused, one it gets wrong as WRONG.
"""
import numpy as np

from day_one import case, rng

x6 = rng.standard_normal(6); M = rng.standard_normal((3, 4)); T3 = rng.standard_normal((2, 3, 4))

@case(x6)
def h_add_at(x):
    y = np.zeros(3)
    idx = np.array([0, 1, 1, 2, 0, 0])
    np.add.at(y, idx, x ** 2)
    return np.sum(y ** 2)

@case(x6)
def h_nested_default(x):
    def h(v, scale=2.0):
        return scale * v ** 2
    return np.sum(h(x))

@case(M)
def h_3d_einsum(a):
    return np.einsum("ij,kj->ik", a, a).sum()

@case(T3)
def h_3d_sum_axes(t):
    return np.sum(np.sum(t, axis=(0, 2)) ** 2) + np.sum(t.mean(axis=-1) ** 2)

@case(T3)
def h_3d_matmul(t):
    return np.sum(t @ t.transpose(0, 2, 1))

@case(T3)
def h_3d_index(t):
    return np.sum(t[:, 1, :] ** 2) + np.sum(t[1] @ t[0].T)

@case(M)
def h_cov(a):
    c = np.cov(a)
    return np.sum(c)

@case(M)
def h_corr_like(a):
    am = a - a.mean(axis=1, keepdims=True)
    return np.sum((am @ am.T) / a.shape[1])

@case(x6)
def h_interp(x):
    return np.sum(np.interp(np.array([0.5, 1.5]), np.arange(6.0), x))

@case(x6)
def h_polyval(x):
    return np.polyval(x, 0.7)

@case(x6)
def h_trapz(x):
    return np.trapz(x ** 2, dx=0.1)

@case(x6)
def h_convolve(x):
    return np.sum(np.convolve(x, np.array([1.0, -2.0, 1.0]), mode="valid") ** 2)

@case(x6)
def h_arctan2_arr(x):
    return np.sum(np.arctan2(x[:3], x[3:] + 2.0))

@case(x6)
def h_heaviside_like(x):
    return np.sum(np.maximum(x, 0.0) ** 2)

@case(x6)
def h_log1p_exp(x):
    return np.sum(np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0))

@case(x6)
def h_isfinite(x):
    y = x.copy()
    y[~np.isfinite(y)] = 0.0
    return np.sum(y ** 2)

@case(x6)
def h_argsort(x):
    o = np.argsort(x)
    return np.sum(x[o] * np.arange(6.0))

@case(x6)
def h_searchsorted(x):
    k = np.searchsorted(np.array([0.0, 1.0]), 0.5)
    return x[k] * 2.0

@case(x6)
def h_float_pow(x):
    return sum(v ** 2.5 for v in np.abs(x) + 0.1)

@case(x6)
def h_scalar_array_mix(x):
    s = x[0]
    v = np.array([s, 2 * s, s ** 2])
    return v @ v

@case(x6)
def h_matrix_vec_loop(x):
    A = np.zeros((3, 2))
    for i in range(3):
        A[i, :] = x[2 * i: 2 * i + 2]
    return np.sum(A.T @ A)

@case(x6)
def h_column_assign(x):
    A = np.ones((2, 3))
    A[:, 1] = x[:2]
    A[0, :] *= x[2]
    return np.sum(A ** 2)

@case(x6)
def h_ellipsis(x):
    y = x.reshape(2, 3)
    return np.sum(y[..., 1] ** 2)

@case(x6)
def h_negative_stride(x):
    return np.sum(x[::-2] * x[-1::-2])

@case(x6)
def h_exp_overflow_safe(x):
    return np.sum(np.where(x > 0, x, np.exp(x) - 1.0))

@case(x6)
def h_sum_dtype(x):
    return np.sum(x, dtype=np.float64)

@case(x6)
def h_mean_where(x):
    return np.mean(x[x > -10])

@case(x6)
def h_sqrt_norm_rows(x):
    X = x.reshape(3, 2)
    return np.sum(np.sqrt(np.sum(X ** 2, axis=1)))

@case(x6)
def h_int_exponent_var(x):
    k = 3
    return np.sum(x ** k)

@case(x6)
def h_aug_slices_overlap(x):
    y = x.copy()
    y[1:] = y[1:] + y[:-1]
    return np.sum(y ** 2)

@case(x6)
def h_inplace_overlap(x):
    y = x.copy()
    y[1:] += y[:-1]
    return np.sum(y ** 2)

@case(x6)
def h_cumprod_axis(x):
    return np.sum(np.cumprod(x.reshape(2, 3), axis=1))

@case(x6)
def h_moving_average(x):
    w = np.ones(3) / 3.0
    smooth = np.convolve(x, w, mode="valid")
    return np.sum((smooth - 0.1) ** 2)

@case(x6, np.array([0.2, -0.4, 0.3]))
def h_fir_filter(x, taps):
    return np.sum(np.convolve(x, taps, "same") ** 2)

@case(x6)
def h_autocorrelation(x):
    c = np.correlate(x, x, mode="full")
    return c[x.shape[0] - 1] + 0.5 * c[x.shape[0]]

@case(np.array([0.1, 0.7, -0.3, 0.4]))
def h_lookup_table(fp):
    xs = np.array([-0.5, 0.0, 0.2, 0.9, 1.4])
    return np.sum(np.interp(xs, np.linspace(0.0, 1.0, 4), fp) ** 2)

@case(0.37)
def h_interp_number(t):
    return np.interp(t, np.array([0.0, 0.5, 1.0]), np.array([1.0, 3.0, 2.0])) * t

@case(1.3)
def h_trapezoid_density(s):
    grid = np.linspace(-3.0, 3.0, 61)
    return np.trapezoid(np.exp(-0.5 * (grid / s) ** 2), grid)

@case(x6)
def h_clip_one_side(x):
    return np.sum(np.clip(x, None, 0.5) ** 2 + x.clip(min=-0.2))

@case(rng.standard_normal((4, 4)), rng.standard_normal((3, 3)))
def h_padded_convolution(image, kernel):
    padded = np.pad(image, 1)
    out = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            out[i, j] = np.sum(padded[i:i + 3, j:j + 3] * kernel)
    return np.sum(out ** 2)

@case(rng.standard_normal((3, 5)))
def h_correlation_matrix(X):
    C = np.corrcoef(X)
    return C[0, 1] ** 2 + C[1, 2] ** 2

@case(np.array([0.3, np.nan, 1.2, -0.4]))
def h_nan_mean(x):
    return np.nanmean(x ** 2) + np.nanmax(x)

@case(x6, 0.5)
def h_step_weight(x, h):
    return np.sum(np.heaviside(x - 0.1, h) * x ** 2)

@case(x6)
def h_signed_square(x):
    return np.sum(np.copysign(x * x, x) * np.cos(x))

@case(x6)
def h_float_power(x):
    return np.sum(np.float_power(np.abs(x) + 1.0, 1.5))

@case(x6)
def h_gradient_smoothness(x):
    return np.sum(np.gradient(np.cumsum(x), 0.1) ** 2)

@case(rng.standard_normal((3, 4)), rng.standard_normal((4, 4)))
def h_multi_dot(A, B):
    return np.sum(np.linalg.multi_dot([A, B, B.T, A.T]) ** 2)
