"""Remove early ``return``, ``break`` and ``continue`` so every block runs to its end.

The reverse sweep walks each block backwards, so a block must not be left half-way.  Jumps
become flags, the rest of a block is guarded by them, and a loop that can be left early ends
its body with one ``if flag: break`` (its trip count is then recorded at run time):

    for i in range(n):                 _break1 = False
        if x[i] < 0:                   for i in range(n):
            break               ->         if x[i] < 0:
        s = s + x[i]                           _break1 = True
    return s                               if not _break1:
                                               s = s + x[i]
                                           if _break1:
                                               break
                                       return s

An early ``return e`` becomes ``_ret = e; _returned = True`` and the function ends with one
``return _ret``.
"""
import ast


def _has(nodes, kinds, into_loops):
    """Does any statement in ``nodes`` contain a node of ``kinds`` (not looking into nested
    loops unless ``into_loops``)?"""
    for n in nodes:
        if isinstance(n, kinds):
            return True
        for field in ("body", "orelse"):
            sub = getattr(n, field, None)
            if sub and (into_loops or not isinstance(n, (ast.For, ast.While))):
                if _has(sub, kinds, into_loops):
                    return True
    return False


class JumpRemover:
    def __init__(self, names):
        self.names = names       # NameGen, for fresh flag names
        self.loops = []          # stack of (break_flag, continue_flag) or None
        self.ret_flag = None
        self.ret_var = None

    def function(self, fdef):
        body = fdef.body
        last_return = body and isinstance(body[-1], ast.Return)
        inner = body[:-1] if last_return else body
        if _has(inner, ast.Return, into_loops=True):
            self.ret_flag = self.names.fresh("_returned")
            self.ret_var = self.names.fresh("_ret")
            new = [_assign(self.ret_flag, ast.Constant(False), fdef)]
            new += self.block(body)
            new.append(ast.copy_location(ast.Return(ast.Name(self.ret_var, ast.Load())), body[-1]))
            return new
        return self.block(inner) + ([body[-1]] if last_return else [])

    def block(self, stmts):
        out = []
        for i, s in enumerate(stmts):
            new, flags = self.stmt(s)
            out.extend(new)
            if flags is True:       # an unconditional jump: the rest is dead code
                return out
            if flags and i + 1 < len(stmts):
                rest = self.block(stmts[i + 1:])
                if rest:
                    test = _none_of(flags, s)
                    out.append(ast.copy_location(ast.If(test, rest, []), stmts[i + 1]))
                return out
        return out

    def stmt(self, s):
        """Returns (new statements, flags that may be set: a list, or True if always)."""
        if isinstance(s, ast.Return):
            if self.ret_flag is None:  # only the final return, handled in function()
                return [s], True
            value = s.value if s.value is not None else ast.Constant(None)
            return [_assign(self.ret_var, value, s), _assign(self.ret_flag, ast.Constant(True), s)], True
        if isinstance(s, ast.Break):
            brk, _ = self.loops[-1]
            return [_assign(brk, ast.Constant(True), s)], True
        if isinstance(s, ast.Continue):
            _, cnt = self.loops[-1]
            return [_assign(cnt, ast.Constant(True), s)], True
        if isinstance(s, ast.If):
            body, fb = self._sub(s.body)
            orelse, fo = self._sub(s.orelse)
            new = ast.copy_location(ast.If(s.test, body or [ast.Pass()], orelse), s)
            flags = sorted(set(fb) | set(fo))
            return [new], flags
        if isinstance(s, (ast.For, ast.While)):
            return self.loop(s)
        return [s], []

    def _sub(self, stmts):
        if not stmts:
            return [], []
        flags = _collect_flags(self, stmts)
        return self.block(stmts), flags

    def loop(self, s):
        has_break = _has(s.body, ast.Break, into_loops=False)
        has_cont = _has(s.body, ast.Continue, into_loops=False)
        has_ret = self.ret_flag is not None and _has(s.body, ast.Return, into_loops=True)
        brk = self.names.fresh("_break") if has_break else None
        cnt = self.names.fresh("_continue") if has_cont else None
        self.loops.append((brk, cnt))
        body = self.block(s.body)
        self.loops.pop()
        pre = []
        if brk:
            pre.append(_assign(brk, ast.Constant(False), s))
        if cnt:
            body.insert(0, _assign(cnt, ast.Constant(False), s))
        exits = [f for f in (brk, self.ret_flag if has_ret else None) if f]
        if exits:
            test = _any_of(exits, s)
            body.append(ast.copy_location(ast.If(test, [ast.copy_location(ast.Break(), s)], []), s))
        new = ast.copy_location(type(s)(**{**{f: getattr(s, f) for f in s._fields}, "body": body}), s)
        return pre + [new], ([self.ret_flag] if has_ret else [])


def _collect_flags(remover, stmts):
    """Flags (outside the current loop) that executing ``stmts`` may set."""
    flags = []
    if remover.ret_flag and _has(stmts, ast.Return, into_loops=True):
        flags.append(remover.ret_flag)
    if remover.loops:
        brk, cnt = remover.loops[-1]
        if brk and _has(stmts, ast.Break, into_loops=False):
            flags.append(brk)
        if cnt and _has(stmts, ast.Continue, into_loops=False):
            flags.append(cnt)
    return flags


def _assign(name, value, like):
    return ast.copy_location(ast.Assign([ast.Name(name, ast.Store())], value), like)


def _any_of(flags, like):
    names = [ast.Name(f, ast.Load()) for f in flags]
    test = names[0] if len(names) == 1 else ast.BoolOp(ast.Or(), names)
    return ast.copy_location(test, like)


def _none_of(flags, like):
    return ast.copy_location(ast.UnaryOp(ast.Not(), _any_of(flags, like)), like)
