"""Problems with the input itself (as opposed to policy findings).

A diagnostic says what is wrong with a file, a policy or the configuration, and
where. Errors make the run exit with code 2; warnings and notices are shown but
do not change the exit code.
"""

from __future__ import annotations

import enum
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
