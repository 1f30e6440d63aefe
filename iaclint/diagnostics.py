"""Problems with the input itself (as opposed to policy findings).

A diagnostic says what is wrong with a file, a policy or the configuration, and
where. Errors make the run exit with code 2; warnings and notices are shown but
do not change the exit code.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable
from typing import NamedTuple


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


class Diagnostic(NamedTuple):
    level: Level
    file: str
    line: int | None
    column: int | None
    message: str

    @classmethod
    def error(
        cls, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> Diagnostic:
        return cls(Level.ERROR, file, line, column, message)

    @classmethod
    def warning(
        cls, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> Diagnostic:
        return cls(Level.WARNING, file, line, column, message)

    @classmethod
    def notice(
        cls, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> Diagnostic:
        return cls(Level.NOTICE, file, line, column, message)

    def where(self) -> str:
        """`file:line:col` with whatever of line and column is known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


def defect_message(exc: BaseException, what: str = "this input") -> str:
    """What a defect in iaclint met on `what` says, in one line, never a traceback.

    The exception's text is left out: it may quote the input, and the input may
    hold a secret. `IACLINT_DEBUG=1` re-raises it where it happened.
    """
    return (
        f"a defect in iaclint on {what} ({type(exc).__name__}); "
        "set IACLINT_DEBUG=1 to see where, and please report it"
    )


def defect(shown: str, exc: BaseException, what: str = "this input") -> Diagnostic:
    """The error for an input iaclint failed on: it is not linted, the others are."""
    return Diagnostic.error(shown, f"not linted: {defect_message(exc, what)}")


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` (did you mean X?)` naming the candidate closest to `word`, or nothing.

    A candidate that differs only in case wins (`iac020` for IAC020)."""
    choices = sorted(set(candidates))
    folded = [choice for choice in choices if choice.casefold() == word.casefold()]
    close = (
        folded
        or difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
        or difflib.get_close_matches(word.upper(), choices, n=1, cutoff=0.75)
    )
    return f" (did you mean {close[0]}?)" if close else ""
