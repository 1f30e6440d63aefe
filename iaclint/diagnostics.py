"""Problems with the input itself (as opposed to policy findings).

A diagnostic says what is wrong with a file, a policy or the configuration, and
where. Errors make the run exit with code 2; warnings and notices are shown but
do not change the exit code.

A warning or notice that can come many times in one file (a SAM resource, an
unfetched module) has a `Kind` and names its `subject`: reports say those of one
kind in one file once, with a count (see `iaclint.report.gather`), so forty
serverless functions make one line, not forty.
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


class Kind(NamedTuple):
    """What a warning or notice is about, and what a report says of several at once."""

    # Stable and opaque, like a policy id: machine reports carry it.
    id: str
    # What the subjects are, in the plural ("resources", "module calls").
    nouns: str
    # What is true of every subject of a gathered line.
    gist: str


# Every kind, in one place (a report's wording for several of them is here too).
SAM_TRANSFORM = Kind(
    "sam-transform",
    "resources",
    "expanded by the AWS::Serverless transform at deployment; "
    "the resources they generate are not linted",
)
FOREACH_TRANSFORM = Kind(
    "foreach-transform",
    "loops",
    "expanded by the AWS::LanguageExtensions transform at deployment; "
    "the resources they generate are not linted",
)
STRUCTURED_TYPE = Kind(
    "structured-type",
    "resources",
    "resources with a structured 'Type' (a preprocessor's directive?) are not linted",
)
CDK_WITHOUT_PATHS = Kind(
    "cdk-without-paths",
    "templates",
    "synthesized by CDK without construct paths: findings name logical ids",
)
UNKNOWN_TAG = Kind(
    "unknown-tag",
    "tags",
    "unknown tags (a preprocessor's directives?): values under them are treated as unknown",
)
OCTAL_NUMBER = Kind(
    "octal-number",
    "numbers",
    "numbers with a leading zero are read as octal (YAML 1.1, as CloudFormation reads "
    "them); remove the zeros or quote them if decimals were meant",
)
MODULE_NOT_FETCHED = Kind(
    "module-not-fetched",
    "module calls",
    "modules from registries, git or HTTP are never fetched: their resources are not linted",
)
MODULE_OUTSIDE = Kind(
    "module-outside",
    "module calls",
    "modules outside the linted tree are not read",
)
HCL_UNREADABLE = Kind(
    "hcl-unreadable",
    "values",
    "values that cannot be read are treated as unknown",
)
TFVARS_BLOCK = Kind(
    "tfvars-block",
    "blocks",
    "a .tfvars file holds values only; these blocks are ignored",
)
OVERRIDE_NOT_READ = Kind(
    "override-not-read",
    "files",
    "override files are not merged into the module; they are not read",
)
PLAN_WITHOUT_VALUES = Kind(
    "plan-without-values", "plans", "the plan has no planned_values: not linted"
)
DEFAULT_PARAMETERS = Kind(
    "default-parameters",
    "policies",
    "run with their default parameters; set them under [tool.iaclint.parameters.ID] "
    "to make them yours",
)
EXPIRED_SUPPRESSION = Kind(
    "expired-suppression",
    "suppressions",
    "suppressions past their expiry date no longer suppress anything",
)
KINDS = tuple(value for value in tuple(globals().values()) if isinstance(value, Kind))


class Diagnostic(NamedTuple):
    level: Level
    file: str
    line: int | None
    column: int | None
    message: str
    # What it is about, when it can come many times in a file; None: said as it is.
    kind: Kind | None = None
    # The thing it names (a logical id, a module call, a tag); "" for the place.
    subject: str = ""
    # The diagnostics a report's line stands for, when it says several at once
    # (see `iaclint.report.gather`); empty for one said alone.
    gathered: tuple[Diagnostic, ...] = ()

    @classmethod
    def error(
        cls, file: str, message: str, line: int | None = None, column: int | None = None
    ) -> Diagnostic:
        return cls(Level.ERROR, file, line, column, message)

    @classmethod
    def warning(
        cls,
        file: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        kind: Kind | None = None,
        subject: str = "",
    ) -> Diagnostic:
        return cls(Level.WARNING, file, line, column, message, kind, subject)

    @classmethod
    def notice(
        cls,
        file: str,
        message: str,
        line: int | None = None,
        column: int | None = None,
        *,
        kind: Kind | None = None,
        subject: str = "",
    ) -> Diagnostic:
        return cls(Level.NOTICE, file, line, column, message, kind, subject)

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
