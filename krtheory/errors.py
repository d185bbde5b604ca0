"""The exception hierarchy of krtheory.

Every error a user can cause derives from :class:`KRTheoryError`; the CLI turns it into one
line on stderr and exit code 3, never a traceback.
"""


class KRTheoryError(Exception):
    """Base class of every error krtheory raises on purpose."""


class InvalidArgument(KRTheoryError, ValueError):
    """A bad input: wrong shape, NaN, non-positive alpha, an unreadable file, ...

    The message names the argument (or file, row and column) and the offending value.
    """


class NoConvergence(KRTheoryError, ArithmeticError):
    """An iteration or integration ran out of its step, time or precision budget."""


class NotApplicable(KRTheoryError, NotImplementedError):
    """The requested method does not apply to this model or problem (e.g. no closed form)."""


class MissingExtra(KRTheoryError, ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""

    def __init__(self, module: str, extra: str):
        super().__init__(f"{module} is not installed: pip install 'krtheory[{extra}]'")
        self.module, self.extra = module, extra
