"""Normalize, NumPy calls along one axis of an array of any rank (runtime/along.py): the axis
becomes rows, a row-wise primitive runs, the rows go back.

    np.cumsum(x, axis=1)      ->  _t1 = lines(x, 1); _t2 = cumsum_rows(_t1); unlines(_t2, x, 1)
    np.diff(x, n=2, axis=0)   ->  lines, diff_rows, diff_rows, unlines
    np.partition(x, 2)        ->  lines(x, -1), partition_rows(_t1, 2), unlines(_t2, x, -1)
    np.sort(x, axis=None)     ->  np.ravel(x), then np.sort of the vector

Without an axis the calls keep their 1-D primitives (``cumsum``, ``sort``...), whose rules
take vectors: NumPy flattens there (or, for ``sort`` and ``diff``, works along the last axis),
and the kinds pass refuses other ranks with a hint to write the axis.
"""
import ast

from .clone import clone

# NumPy's parameters of each call, in order (the first is the array)
SIGNATURES = {"cumsum": ("x", "axis", "dtype", "out"), "cumprod": ("x", "axis", "dtype", "out"),
              "diff": ("x", "n", "axis", "prepend", "append"),
              "sort": ("x", "axis", "kind", "order"),
              "partition": ("x", "kth", "axis", "kind", "order"),
              "flip": ("x", "axis"), "roll": ("x", "shift", "axis"),
              "repeat": ("x", "repeats", "axis")}
ROWS = {"cumsum": "cumsum_rows", "cumprod": "cumprod_rows", "diff": "diff_rows",
        "sort": "sort_rows", "partition": "partition_rows", "flip": "flip_rows",
        "roll": "roll_rows", "repeat": "repeat_rows"}


def _is_none(e):
    return isinstance(e, ast.Constant) and e.value is None


class AlongAxis:
    """Mixed into the normalizer (with passes/calls.py's ``Calls``)."""

    def along_axis(self, prim, args, kw, e, out):
        """The call written with the rows helpers when it names an axis (``partition``
        always: its default axis is the last); None when the 1-D primitive takes it."""
        name = ast.unparse(e.func)
        params = SIGNATURES[prim]
        if len(args) > len(params) or set(kw) - set(params):
            if prim == "partition":
                self.fail(e, f"{name}() with these arguments", f"{name}() takes (x, kth, axis).")
            return None  # the ordinary path says what is wrong
        given = dict(zip(params, args))
        for k, v in kw.items():
            if k in given:
                self.fail(e, f"{name}() with {k} given twice", "give each argument once.")
            given[k] = v
        if prim != "partition" and given.get("axis") is None:
            if prim == "diff" and "n" in given:  # np.diff(x, n=2) of a vector: diff twice
                return self._repeated_diff(given, e, out, name)
            return None
        for k in ("dtype", "out", "order", "prepend", "append"):
            if k in given and not _is_none(given[k]):
                self.fail(e, f"{name}() with {k}=", f"srcgrad takes {name}() without {k}=.")
        if "kind" in given and not (isinstance(given["kind"], ast.Constant)
                                    and isinstance(given["kind"].value, (str, type(None)))):
            self.fail(e, f"{name}() with kind={ast.unparse(given['kind'])}",
                      "give kind= a string literal, or leave it out.")
        axis = given.get("axis", ast.Constant(-1))
        x = self.atom(given["x"], out)
        if _is_none(axis):  # sort or partition of the flattened array
            if prim not in ("sort", "partition"):  # pragma: no cover - taken above
                return None
            x = self._prim_node("ravel", [x], e, out, name)
            axis = ast.Constant(-1)
        if isinstance(axis, (ast.Tuple, ast.List)) and prim == "flip":
            for a in axis.elts:  # np.flip(x, (0, 1)): one axis at a time
                x = self._rows(prim, x, a, [], e, out, name)
            return x
        if isinstance(axis, (ast.Tuple, ast.List)):
            self.fail(e, f"{name}() with axis={ast.unparse(axis)}",
                      "give one integer axis (np.flip takes a tuple).")
        extra = []
        if prim in ("roll", "repeat", "partition"):
            key = {"roll": "shift", "repeat": "repeats", "partition": "kth"}[prim]
            if key not in given:
                self.fail(e, f"{name}() without {key}", f"give {key}.")
            if isinstance(given[key], (ast.Tuple, ast.List)):
                self.fail(e, f"{name}() with {key}={ast.unparse(given[key])}",
                          f"give one integer {key} (call {name}() once per value).")
            extra = [self.atom(given[key], out)]
        times = 1
        if prim == "diff":
            times = self._diff_order(given, e, name)
            if times == 0:
                return self._prim_call_node("copy", [x], e, name)
        result = x
        rows = self._prim_node("lines", [x, self.keep(axis, out)], e, out, name)
        for _ in range(times):
            rows = self._prim_node(ROWS[prim], [rows] + [clone(a) for a in extra], e, out, name)
        return self._prim_call_node("unlines", [rows, clone(result), self.keep(axis, out)], e, name)

    def _rows(self, prim, x, axis, extra, e, out, name):
        rows = self._prim_node("lines", [x, self.keep(axis, out)], e, out, name)
        rows = self._prim_node(ROWS[prim], [rows] + extra, e, out, name)
        return self._prim_node("unlines", [rows, clone(x), self.keep(axis, out)], e, out, name)

    def _diff_order(self, given, e, name):
        n = given.get("n", ast.Constant(1))
        if not (isinstance(n, ast.Constant) and type(n.value) is int and n.value >= 0):
            self.fail(e, f"{name}() with n={ast.unparse(n)}",
                      "give n= a non-negative integer literal.")
        return n.value

    def _repeated_diff(self, given, e, out, name):
        times = self._diff_order(given, e, name)
        x = self.atom(given["x"], out)
        if times == 0:
            return self._prim_call_node("copy", [x], e, name)
        for _ in range(times - 1):
            x = self._prim_node("diff", [x], e, out, name)
        return self._prim_call_node("diff", [x], e, name)
