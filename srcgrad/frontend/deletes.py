"""``del`` of variables nothing reads afterwards, dropped (a step of read_source).

    y = x * x                 ->   y = x * x
    del x                          (gone: it only unbinds x, which nothing reads again)
    return np.sum(y)               return np.sum(y)

Only a ``del`` of plain names in the function's top-level body (not in a loop or a branch),
when no statement after it reads any of those names: then dropping it changes nothing but
when memory is freed.  Any other ``del`` (of an element, in a loop, of a name read again,
where Python raises ``UnboundLocalError``) stays, for the subset check to refuse at its line.
"""
import ast


def _loads(stmts):
    return {n.id for st in stmts for n in ast.walk(st)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def rewrite(tree):
    """In place, ``tree`` a FunctionDef."""
    body = tree.body
    keep = []
    for k, st in enumerate(body):
        if isinstance(st, ast.Delete) and all(isinstance(t, ast.Name) for t in st.targets) \
                and not {t.id for t in st.targets} & _loads(body[k + 1:]):
            continue
        keep.append(st)
    if keep and len(keep) < len(body):
        tree.body = keep
