"""Creation from active values, reshapes, joins: the contribution is the cotangent in the
parameter's shape."""
from .core import rule

# ---- creation from active values -----------------------------------------------------------
rule("full",     "shape v", [None, "sum(g)"],         [None, "full(shape, dv)"], elementwise=False)
rule("linspace", "lo hi n", ["sum(g * linspace(1.0, 0.0, n))", "sum(g * linspace(0.0, 1.0, n))", None],
                            ["dlo * linspace(1.0, 0.0, n)", "dhi * linspace(0.0, 1.0, n)", None],
                            elementwise=False, out="1")


# ---- shape (the contribution is the cotangent in the parameter's shape) ---------------------
rule("reshape",  "x shape", ["reshape_as(g, x)", None], ["reshape_to(dx, shape)", None], elementwise=False)
rule("ravel",    "x",   ["reshape_as(g, x)"],          ["ravel(dx)"], elementwise=False, out="1")
rule("flatten",  "x",   ["reshape_as(g, x)"],          ["flatten(dx)"], elementwise=False, out="1")
rule("expand_dims", "x axis", ["reshape_as(g, x)", None], ["expand_dims(dx, axis)", None],
     elementwise=False)
rule("flip",     "x",   ["flip(g)"],                   ["flip(dx)"], elementwise=False, out="x")
rule("fliplr",   "x",   ["fliplr(g)"],                 ["fliplr(dx)"], elementwise=False, out="x")
rule("flipud",   "x",   ["flipud(g)"],                 ["flipud(dx)"], elementwise=False, out="x")
rule("swapaxes", "x a b", ["swapaxes(g, a, b)", None, None], ["swapaxes(dx, a, b)", None, None],
     elementwise=False, out="x")
rule("roll",     "x shift", ["roll(g, -shift)", None],   ["roll(dx, shift)", None], elementwise=False, out="x")
rule("as_column", "x",  ["reshape_as(g, x)"],          ["as_column(dx)"], elementwise=False, out="2")
rule("atleast_1d", "x", ["g"],                         ["atleast_1d(dx)"], elementwise=False, out="x")
rule("atleast_2d", "x", ["reshape_as(g, x)"],          ["atleast_2d(dx)"], elementwise=False)
rule("broadcast_to", "x shape", ["unbroadcast(g, x)", None], ["broadcast_to(dx, shape)", None],
     elementwise=False)
rule("repeat",   "x k", ["reshape_as(sum_axis(reshape_to(g, (x.size, k)), 1), x)", None],
                        ["repeat(dx, k)", None], elementwise=False, out="x")
rule("triu",     "x k", ["triu(g, k)", None],          ["triu(dx, k)", None], elementwise=False, out="x")
rule("tril",     "x k", ["tril(g, k)", None],          ["tril(dx, k)", None], elementwise=False, out="x")
# joins, two arrays at a time (np.concatenate/stack/vstack/hstack of n arrays are folded)
rule("concat",   "a b axis", ["take_first(g, a, axis)", "take_rest(g, a, axis)", None],
                             ["concat_first(da, b, axis)", "concat_rest(a, db, axis)", None],
                             elementwise=False, out="a")
rule("take_first", "v a axis", ["concat_first(g, take_rest(v, a, axis), axis)", None, None],
                               ["take_first(dv, a, axis)", None, None], elementwise=False, out="v")
rule("take_rest", "v a axis", ["concat_rest(a, g, axis)", None, None],
                              ["take_rest(dv, a, axis)", None, None], elementwise=False, out="v")
rule("concat_first", "v b axis", ["take_first(g, v, axis)", None, None],
                                 ["concat_first(dv, b, axis)", None, None], elementwise=False, out="v")
rule("concat_rest", "a v axis", [None, "take_rest(g, a, axis)", None],
                                [None, "concat_rest(a, dv, axis)", None], elementwise=False, out="v")
# np.add.at(acc, idx, v) as acc = add_at(acc, idx, v) (passes/normalize.py): each entry of v
# reaches every place its index names; a number or a row broadcast is summed back
rule("add_at", "acc idx v", ["g", None, "unbroadcast(g[idx], v)"],
                            ["dacc", None, "add_at(zeros_like(acc), idx, dv)"], elementwise=False,
     out="acc")
rule("c_order", "x", ["g"], ["c_order(dx)"], elementwise=False, out="x")  # (passes/layouts.py)
rule("keep_all", "v x", ["sum(g)", None],              ["keep_all(dv, x)", None], elementwise=False, out="x")
rule("reshape_as", "v x", ["reshape_as(g, v)", None],  ["reshape_as(dv, x)", None], elementwise=False, out="x")
rule("reshape_to", "v shape", ["reshape_as(g, v)", None], ["reshape_to(dv, shape)", None],
     elementwise=False)
# squeeze of one axis (its rank is then known), axes moved, quarter turns, 3-D views
rule("squeeze",  "x axis", ["reshape_as(g, x)", None], ["squeeze(dx, axis)", None], elementwise=False, out="x-1")
rule("moveaxis", "x source destination", ["moveaxis(g, destination, source)", None, None],
                 ["moveaxis(dx, source, destination)", None, None], elementwise=False, out="x")
rule("rot90",    "x k", ["rot90(g, -k)", None],       ["rot90(dx, k)", None], elementwise=False, out="x")
rule("atleast_3d", "x", ["reshape_as(g, x)"],         ["atleast_3d(dx)"], elementwise=False, out="3")
# np.diag builds a matrix from a vector (diag) or takes a diagonal (diagonal): chosen by rank
rule("diag",     "v k", ["diagonal(g, k)", None],      ["diag(dv, k)", None], elementwise=False, out="3-v")
rule("diagonal", "x offset", ["undiagonal(g, x, offset)", None],
                             ["diagonal(dx, offset)", None], elementwise=False, out="x-1")
rule("undiagonal", "v x offset", ["diagonal(g, offset)", None, None],
                                 ["undiagonal(dv, x, offset)", None, None], elementwise=False, out="x")
# one piece of np.split / array_split / hsplit / vsplit / dsplit: x[lo:hi] along an axis
rule("piece",    "x lo hi axis", ["unpiece(g, x, lo, hi, axis)", None, None, None],
                                 ["piece(dx, lo, hi, axis)", None, None, None], elementwise=False, out="x")
rule("unpiece",  "v x lo hi axis", ["piece(g, lo, hi, axis)", None, None, None, None],
                                   ["unpiece(dv, x, lo, hi, axis)", None, None, None, None],
     elementwise=False, out="x")
# np.tile (1-D and 2-D results): the adjoint sums the tiles back (untile), whose adjoint
# tiles again to the shape it was given (tile_to)
rule("tile",     "x reps", ["untile(g, x)", None],     ["tile(dx, reps)", None], elementwise=False)
rule("untile",   "v x",  ["tile_to(g, v)", None],      ["untile(dv, x)", None], elementwise=False, out="x")
rule("tile_to",  "x like", ["untile(g, x)", None],     ["tile_to(dx, like)", None], elementwise=False, out="like")
# the rows of a list that grows in a loop (passes/growing.py, runtime/rows.py)
rule("rows_grown", "x v", ["rows_head(g, x)", None], ["rows_grown(dx, v)", None], elementwise=False, out="x")
rule("rows_head", "y x",  ["rows_pad(g, y)", None],  ["rows_head(dy, x)", None], elementwise=False, out="y")
rule("rows_pad", "z y",   ["rows_head(g, z)", None], ["rows_pad(dz, y)", None], elementwise=False, out="y")
