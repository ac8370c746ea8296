"""Exceptions and warnings, and the one place that formats a located message.

Every error about the user's code points at the user's line:

    model.py:12:8: unsupported construct: try/except
        try:
        ^
    srcgrad differentiates straight numeric code; move error handling outside the function.
"""


class SrcgradError(Exception):
    """Base class of every error srcgrad raises on purpose."""


class UnsupportedError(SrcgradError, NotImplementedError):
    """The function uses a construct outside the differentiable subset.

    ``problems`` holds one :class:`Problem` per offending construct; the message lists
    them all, so the user fixes a function in one round.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class InternalError(SrcgradError):
    """A failure inside srcgrad itself (a pass, or generated code that should have run): a
    bug in srcgrad, never a problem in the user's line."""

    def __init__(self, what, fn_name, mode, where=None):
        self.what, self.fn_name, self.mode = what, fn_name, mode
        super().__init__(
            f"this is a bug in srcgrad: {what}\n    while building or running the {mode} "
            f"derivative of {fn_name}()" + (f" (generated code: {where})" if where else "") +
            "\n    Please report it with the function's source and the argument kinds; "
            "srcgrad.source(f, mode=..., args=...) shows the generated code.")


class FallbackWarning(UserWarning):
    """Numba could not compile generated code; srcgrad runs it as plain Python instead."""


class CacheWarning(UserWarning):
    """A cache entry on disk was unreadable or corrupt; srcgrad rebuilt it."""


class GlobalChangedWarning(UserWarning):
    """A global the generated code was built from changed; srcgrad built it again."""


class CheckpointWarning(UserWarning):
    """``checkpoint=`` named every loop, and one of them cannot be checkpointed: its adjoint
    keeps every step's values, as without checkpoint=."""


class Location:
    """File, line and column of a node in the user's source, with the line's text."""

    def __init__(self, filename, lineno, col, line_text):
        self.filename, self.lineno, self.col, self.line_text = filename, lineno, col, line_text

    def __repr__(self):
        return f"{self.filename}:{self.lineno}:{self.col + 1}"


class Problem:
    def __init__(self, loc, construct, hint):
        self.loc, self.construct, self.hint = loc, construct, hint

    @property
    def lineno(self):
        return self.loc.lineno if self.loc else None

    def format(self):
        if self.loc is None:
            return f"unsupported construct: {self.construct}\n    {self.hint}"
        text = self.loc.line_text.rstrip("\n")
        stripped = text.lstrip()
        caret = " " * max(0, self.loc.col - (len(text) - len(stripped)))
        return (f"{self.loc!r}: unsupported construct: {self.construct}\n"
                f"    {stripped}\n    {caret}^\n    {self.hint}")
