"""Day-one cases, Python's scoping and binding as a new user meets them: closures that read a
variable when they are called (late binding), locals and parameters named like the module's
globals, helpers reading the enclosing function's variables, names rebound after a helper is
defined, comprehensions whose variable hides a name, tuple swaps, aliases, and loop
variables read after their loop.

Cases for tools/day_one.py: each function with the arguments it is checked at (``@case``).
The module's globals below are named like the cases' locals on purpose.
"""
import math

import numpy as np

from day_one import case, rng

x6 = rng.standard_normal(6)
A33 = rng.standard_normal((3, 3))

g = np.ones(3)          # globals named like the locals below
scale = (2.0, 5.0)
w = 0.25
x = np.arange(4.0)


def h(t):
    return t * t


def sq_all(v):
    return v * v


@case(x6.copy())
def sc_closure_late_binding(x):
    c = 1.0
    f = lambda t: t * c  # noqa: E731
    c = 3.0
    return np.sum(f(x))


@case(x6.copy())
def sc_helper_reads_rebound_scalar(x):
    total = 0.0
    a = 1.0

    def weigh(t):
        return np.sum(t * a)
    for k in range(3):
        a = x[k] * 0.5       # each call reads a as bound then
        total = total + weigh(np.cos(x))
    return total


@case(x6.copy())
def sc_helper_reads_rebound_array(x):
    y = x

    def upd(t):
        return t + y
    y = y * y
    return np.sum(upd(x) * x)


@case(x6.copy())
def sc_local_hides_global_function(x):
    h = x * 2.0
    return np.sum(h * x)


@case(x6.copy())
def sc_local_hides_global_tuple(x):
    scale = 3.0
    return np.sum(np.sin(x) * scale)


@case(x6.copy())
def sc_parameter_hides_global_array(x):
    return np.sum(x * x) + w * np.sum(x)


@case(x6.copy())
def sc_global_scalar_beside_local(x):
    v = w * x
    w2 = w * 2.0
    return np.sum(v * w2)


@case(x6.copy())
def sc_generator_hides_parameter(x):
    return sum(x * y for x, y in zip(x[:3], x[3:]))


@case(x6.copy())
def sc_listcomp_hides_parameter(x):
    parts = [x * 2.0 for x in x]
    return sum(parts) + np.sum(x)


@case(x6.copy())
def sc_max_generator_hides_parameter(x):
    return max(x * x for x in x) + min(np.cos(x) for x in x[1:])


@case(x6.copy())
def sc_nested_helper_chain(x):
    k = 0.5

    def inner(t):
        return np.tanh(t * k)

    def outer(t):
        return inner(t) * t + k
    return np.sum(outer(x))


@case(x6.copy())
def sc_helper_with_global_name_calls_global(x):
    def sq(t):
        return sq_all(t) + h(t)
    return np.sum(sq(x))


@case(x6.copy())
def sc_tuple_swap(x):
    a, b = x[0], x[1]
    for _ in range(3):
        a, b = b, a * b + 0.1
    return a + 2.0 * b


@case(x6.copy())
def sc_swap_array_names(x):
    u, v = x[:3], x[3:]
    u, v = v * 2.0, u
    return np.sum(u * np.sin(v))


@case(x6.copy())
def sc_rebind_parameter(x):
    x = x * 2.0
    x = np.sin(x) + x
    return np.sum(x * x)


@case(x6.copy())
def sc_alias_then_rebind(x):
    y = x
    y = y + 1.0       # a new array: x is not written
    return np.sum(y * x)


@case(x6.copy())
def sc_loop_variable_after_loop(x):
    for i in range(x.shape[0]):
        pass
    return x[i] * x[0]


@case(x6.copy())
def sc_loop_target_reused(x):
    s = 0.0
    for v in x:
        s += v * v
    for v in x[::2]:
        s += np.sin(v)
    return s + v


@case(x6.copy())
def sc_lambda_of_lambda(x):
    f = lambda t: t * t  # noqa: E731
    f2 = lambda t: f(t) + f(2.0 * t)  # noqa: E731
    return np.sum(f2(x))


@case(x6.copy())
def sc_default_argument_literal(x):
    def poly(t, a=2.0, b=-1.0):
        return a * t * t + b * t
    return np.sum(poly(x)) + np.sum(poly(x, 0.5))


@case(x6.copy())
def sc_keyword_call_of_helper(x):
    def mix(t, alpha=0.1, beta=2.0):
        return alpha * t + beta * np.sin(t)
    return np.sum(mix(x, beta=0.5)) + np.sum(mix(beta=1.5, t=x))


@case(x6.copy())
def sc_math_module_name(x):
    e = math.e
    pi = math.pi
    return np.sum(np.sin(pi * x) * e)


@case(x6.copy())
def sc_shadow_builtin_sum(x):
    total = 0.0
    for k in range(x.shape[0]):
        total += x[k] * k
    sum_ = total
    return sum_ + sum(x[:2])


@case(x6.copy())
def sc_augmented_on_alias_copy(x):
    y = x.copy()
    y += 2.0 * x
    y *= x
    return np.sum(y)


@case(A33.copy())
def sc_rows_by_name(A):
    r0, r1, r2 = A
    return np.sum(r0 * r1) + np.sum(np.tanh(r2))


@case(A33.copy())
def sc_unpack_shape(A):
    n, m = A.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += A[i, j] * (i + 1) / (j + 1)
    return s


@case(x6.copy())
def sc_conditional_helper(x):
    def pos(t):
        return t if t > 0 else 0.1 * t
    s = 0.0
    for v in x:
        s += pos(v) ** 2
    return s


@case(x6.copy())
def sc_while_with_local_names(x):
    g = x.copy()
    k = 0
    while k < 3:
        g = 0.5 * (g + x / (1.0 + g * g))
        k += 1
    return np.sum(g)
