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


class ParallelWarning(UserWarning):
    """``parallel=True``: a top-level loop stays serial (its steps are not independent, or
    its adjoint's are not); the message says which loop and why."""


class SerialLoop(Exception):
    """Raised inside reverse generation when the adjoint of a loop made parallel by
    ``parallel=True`` cannot run in parallel: the pipeline generates again with that loop
    serial (never shown to the user)."""

    def __init__(self, place, why):
        super().__init__(why)
        self.place, self.why = place, why


class CheckpointWarning(UserWarning):
    """``checkpoint=`` named every loop, and one of them cannot be checkpointed: its adjoint
    keeps every step's values, as without checkpoint=."""


# {filename of generated code: {its line: (file, line) of the user's code it comes from}}:
# a problem found in generated code (a Hessian differentiates the generated adjoint again)
# points at the user's line it was generated from
GENERATED_LINES = {}


class Location:
    """File, line and column of a node in the user's source, with the line's text.  A place
    in srcgrad's generated code becomes the user's line that code was generated from
    (``generated``: True)."""

    def __init__(self, filename, lineno, col, line_text):
        self.generated = False
        while filename in GENERATED_LINES and lineno in GENERATED_LINES[filename]:
            import linecache
            filename, lineno = GENERATED_LINES[filename][lineno]
            line_text = linecache.getline(filename, lineno)
            col = len(line_text) - len(line_text.lstrip())
            self.generated = True
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
        via = " (in the derivative srcgrad generated from this line)" if self.loc.generated else ""
        return (f"{self.loc!r}: unsupported construct: {self.construct}{via}\n"
                f"    {stripped}\n    {caret}^\n    {self.hint}")
