"""Jacobian drivers: generated functions that run every sweep inside compiled code.

    def f_jacfwd(x, n):                       one tangent sweep per input direction
        _y = f_primal(x, n)
        J_x = np.empty((_y.size, x.size))
        for k in range(x.size):
            _e = np.zeros(x.size)
            _e[k] = 1.0
            _, _dy = f_jvp(x, n, _e.reshape(x.shape))
            J_x[:, k] = np.ravel(_dy)
        return J_x.reshape(_y.shape + x.shape)

``f_jacrev`` is the same with one adjoint sweep per output direction, filling rows.
"""
import ast

from .types import is_array


def _size(v, kind):
    return f"{v}.size" if is_array(kind) else "1"


def _unit(v, kind, k, name):
    """Statements making ``name`` the k-th unit vector shaped like ``v``."""
    if not is_array(kind):
        return [f"{name} = 1.0"]
    return [f"_e = np.zeros({v}.size)", f"_e[{k}] = 1.0", f"{name} = _e.reshape({v}.shape)"]


def _zero(v, kind):
    return f"np.zeros_like({v})" if is_array(kind) else "0.0"


def _shape(out_kind, v, kind, y="_y"):
    parts = ([f"{y}.shape"] if is_array(out_kind) else []) + ([f"{v}.shape"] if is_array(kind) else [])
    return " + ".join(parts)


def _finish(J, out_kind, v, kind, y="_y"):
    shape = _shape(out_kind, v, kind, y)
    return f"{J}.reshape({shape})" if shape else f"{J}[0, 0]"


def jacobian_driver(name, fname, params, wrt, kinds, out_kind, how):
    """Source of the driver; ``how`` is "fwd" (calls ``{fname}_jvp``, one sweep per input
    direction) or "rev" (calls ``{fname}_vjp``, one sweep per output direction).  A function
    returning a tuple has a Jacobian per output (``J0_x``, ``J1_x``), returned as a tuple."""
    args = ", ".join(params)
    several = out_kind[0] == "t"
    outs = list(out_kind[1]) if several else [out_kind]
    ys = [f"_y[{j}]" for j in range(len(outs))] if several else ["_y"]
    Js = [[f"J{j}_{w}" if several else f"J_{w}" for w in wrt] for j in range(len(outs))]
    lines = [f"def {name}({args}):", f"    _y = {fname}_primal({args})"]
    for y, ok, row in zip(ys, outs, Js):
        for w, J in zip(wrt, row):
            lines.append(f"    {J} = np.empty(({_size(y, ok)}, {_size(w, kinds[w])}))")
    if how == "fwd":
        for i, w in enumerate(wrt):
            lines.append(f"    for k in range({_size(w, kinds[w])}):")
            lines += ["        " + s for s in _unit(w, kinds[w], "k", "_dw")]
            tangents = ", ".join("_dw" if u == w else _zero(u, kinds[u]) for u in wrt)
            lines.append(f"        _out, _dy = {fname}_jvp({args}, {tangents})")
            for j, (ok, row) in enumerate(zip(outs, Js)):
                dy = f"_dy[{j}]" if several else "_dy"
                lines.append(f"        {row[i]}[:, k] = " + (f"np.ravel({dy})" if is_array(ok) else dy))
    else:
        grads = ", ".join(f"_g_{u}" for u in wrt)
        for j, (y, ok, row) in enumerate(zip(ys, outs, Js)):
            lines.append(f"    for k in range({_size(y, ok)}):")
            lines += ["        " + s for s in _unit(y, ok, "k", "_seed")]
            seeds = ", ".join("_seed" if i == j else _zero(yi, oi)
                              for i, (yi, oi) in enumerate(zip(ys, outs)))
            lines.append(f"        {grads} = {fname}_vjp({args}, {seeds})")
            for w, J in zip(wrt, row):
                lines.append(f"        {J}[k, :] = " +
                             (f"np.ravel(_g_{w})" if is_array(kinds[w]) else f"_g_{w}"))
    per_out = []
    for y, ok, row in zip(ys, outs, Js):
        results = [_finish(J, ok, w, kinds[w], y) for w, J in zip(wrt, row)]
        per_out.append(results[0] if len(results) == 1 else "(" + ", ".join(results) + ")")
    ret = per_out[0] if not several else "(" + ", ".join(per_out) + ",)"
    lines.append(f"    return {ret}")
    src = "\n".join(lines) + "\n"
    ast.parse(src)  # generated drivers are valid Python, or fail here
    return src


def hessian_driver(name, params, w, kind, hvp_name, seed):
    """Source of a driver filling the Hessian column by column, one forward-over-reverse
    sweep (``hvp_name``: the tangent of the adjoint) per input direction."""
    args = ", ".join(params)
    n = _size(w, kind)
    lines = [f"def {name}({args}):", f"    H = np.empty(({n}, {n}))", f"    for k in range({n}):"]
    lines += ["        " + s for s in _unit(w, kind, "k", "_dw")]
    lines.append(f"        _g, _hv = {hvp_name}({args}, {seed}, _dw)")
    lines.append("        H[:, k] = " + ("np.ravel(_hv)" if is_array(kind) else "_hv"))
    lines.append(f"    return H.reshape({w}.shape + {w}.shape)" if is_array(kind)
                 else "    return H[0, 0]")
    src = "\n".join(lines) + "\n"
    ast.parse(src)
    return src
