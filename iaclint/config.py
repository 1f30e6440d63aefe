"""Configuration: `[tool.iaclint]` in pyproject.toml, or `.iaclint.toml`.

Looked for in the current directory and its parents, up to the repository root.
Every key is checked: an unknown key or a value of the wrong type is an error
that names the file, the line and the key, and every such error in the file is
reported at once (ConfigError.problems). Paths are relative to the file. What
needs the policies (ids in `select`, `ignore`, `[severity]`, parameters) is checked
by `run.prepare`, at the lines kept in `Config.place`.

    [tool.iaclint]
    severity-threshold = "medium"
    select = ["network", "IAC003"]     # policy ids or categories
    ignore = ["IAC002"]
    policies = ["security/policies"]   # extra policy folders
    exclude = ["tests/fixtures/*"]     # paths (globs) not to lint
    show-unknown = false
    terraform-var-files = ["env/prod.tfvars"]  # like --var-file, for every root module
    baseline = ".iaclint-baseline.json"  # like --baseline

    [tool.iaclint.severity]
    IAC002 = "low"

    [tool.iaclint.parameters.IAC002]
    allowed_ports = [80, 443, 8443]

Settings that change what a report is (`format`, `output`, `diff-base`,
`show-all`) are command-line only: the configuration reaches every run, the
pre-commit hook and CI's SARIF upload included (see CLI_ONLY).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.findings import Severity
from iaclint.toml_lines import MAX_DEPTH, Lines, locate

CONFIG_FILE = ".iaclint.toml"

# Keys that would change what a report is in every run that reads the file: the
# option to use instead, and what would go wrong.
CLI_ONLY = {
    "format": (
        "--format",
        "the pre-commit hook would print the report in that format (80 KB of SARIF "
        "instead of a few lines) and CI steps would get a format they did not ask for",
    ),
    "output": (
        "--output",
        "every run, the hook's included, would write its report to that file instead of showing it",
    ),
    "diff-base": (
        "--diff-base",
        "every run would report only findings new since that ref: with diff-base = "
        '"HEAD" a SARIF upload is empty, and GitHub then closes every open alert',
    ),
    "show-all": ("--show-all", "it only means something with --diff-base"),
}


class ConfigProblem(NamedTuple):
    """One mistake in a configuration file: what is wrong, and on which line."""

    message: str
    line: int | None = None


class ConfigError(Exception):
    """A configuration that cannot be used as written.

    `problems` holds every mistake found in the file, in the order of their lines
    (`message` and `line` are the first's), so that a user fixes them all in one go.
    `partial` is the configuration without the keys in error, when the file could be
    read at all: what the run may still check against the policies before it stops.
    """

    def __init__(
        self,
        file: str,
        message: str,
        line: int | None = None,
        problems: tuple[ConfigProblem, ...] = (),
        partial: Config | None = None,
    ):
        super().__init__(message)
        self.file = file
        self.message = message
        self.line = line
        self.problems = problems or (ConfigProblem(message, line),)
        self.partial = partial


class Place(NamedTuple):
    """Where the configuration's keys are written, to locate errors found later."""

    file: str
    # "tool.iaclint" in pyproject.toml, "" in .iaclint.toml.
    prefix: str = ""
    # Lines of keys and array items, by their path inside the section.
    lines: Mapping[tuple[str | int, ...], int] = {}

    def line(self, *path: str | int) -> int | None:
        """The line of `path` (or of the nearest enclosing key written in the file)."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key


class Config(NamedTuple):
    source: str | None = None
    threshold: Severity | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    policy_dirs: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    show_unknown: bool | None = None
    # Terraform .tfvars files applied to every root module, before --var-file ones.
    var_files: tuple[Path, ...] = ()
    severity: Mapping[str, Severity] = {}
    parameters: Mapping[str, Mapping[str, object]] = {}
    # Baseline file (the command line wins).
    baseline: Path | None = None
    place: Place = Place("")


# A pyproject.toml of a few kilobytes is usual; one this large is not a configuration.
MAX_CONFIG_BYTES = 1024 * 1024


def find_config(start: Path) -> Path | None:
    """The nearest configuration file from `start` up to the repository root."""
    directory = start.resolve()
    while True:
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _has_section(pyproject):
            return pyproject
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent


def _shown(path: Path) -> str:
    """The file as errors name it: relative to the current directory when inside it,
    as files linted are named."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _has_section(pyproject: Path) -> bool:
    try:
        if pyproject.stat().st_size > MAX_CONFIG_BYTES:
            return True  # load_config says why it is not read
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*iaclint\b", text, re.MULTILINE) is not None


def load_config(path: Path) -> Config:
    """Read and check a configuration file. Raises ConfigError."""
    import tomllib

    shown = _shown(path)
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                shown, f"{size:,} bytes is over the {MAX_CONFIG_BYTES:,}-byte limit: not read"
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, f"cannot read configuration: {exc}") from None
    lines = locate(text)
    too_deep = ConfigError(shown, f"values nested deeper than {MAX_DEPTH} levels", lines.too_deep)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        if line is None and "end of document" in str(exc):
            line = text.count("\n") + (not text.endswith("\n"))
        raise ConfigError(shown, f"invalid TOML: {exc}", line) from None
    except ValueError:
        # tomllib reads integers with int(): past Python's digit limit it fails.
        long_number = re.search(r"[0-9][0-9_]{4299,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        raise ConfigError(shown, "a number too long to read (over 4,300 digits)", line) from None
    except RecursionError:
        raise too_deep from None
    if lines.too_deep is not None:
        raise too_deep
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        section = tool.get("iaclint", {}) if isinstance(tool, dict) else {}
        prefix: tuple[str, ...] = ("tool", "iaclint")
    else:
        section, prefix = data, ()
    place = Place(shown, ".".join(prefix), _inside(lines, prefix))
    if not isinstance(section, dict):
        raise ConfigError(shown, f"[{place.prefix}] must be a table", lines.line(prefix))
    return _Reader(place, path.parent).read(section)


def _inside(lines: Lines, prefix: tuple[str, ...]) -> dict[tuple[str | int, ...], int]:
    return {
        path[len(prefix) :]: line
        for path, line in lines.lines.items()
        if path[: len(prefix)] == prefix and len(path) > len(prefix)
    }


class _Reader:
    def __init__(self, place: Place, base: Path):
        self.place = place
        self.base = base
        self.problems: list[ConfigProblem] = []
        self.failed_keys: set[str] = set()

    def fail(self, key: str, message: str) -> ConfigError:
        line = self.place.line(*key.split("."))
        return ConfigError(self.place.file, f"'{self.place.name(key)}': {message}", line)

    def read(self, section: dict[str, object]) -> Config:
        """The configuration; every mistake in it raised at once (ConfigError)."""
        config = self._read(section)
        if not self.problems:
            return config
        problems = sorted(self.problems, key=lambda problem: problem.line or 0)
        if "policies" in self.failed_keys:
            # Without the user's policy folders their ids would all look unknown.
            config = config._replace(select=(), ignore=(), severity={}, parameters={})
        first = problems[0]
        raise ConfigError(self.place.file, first.message, first.line, tuple(problems), config)

    def _read(self, section: dict[str, object]) -> Config:
        readers: dict[str, Callable[[str, object], object]] = {
            "severity-threshold": self.severity_value,
            "select": self.strings,
            "ignore": self.strings,
            "policies": self.strings,
            "exclude": self.strings,
            "show-unknown": self.boolean,
            "terraform-var-files": self.strings,
            "severity": self.severity_table,
            "parameters": self.parameter_table,
            "baseline": self.string,
        }
        values: dict[str, object] = {}
        for key, value in section.items():
            if key in CLI_ONLY:
                option, why = CLI_ONLY[key]
                self.problems.append(
                    ConfigProblem(
                        f"`{key}` belongs on the command line ({option}), not in the "
                        f"configuration: the configuration applies to every run, and {why}",
                        self.place.line(key),
                    )
                )
                continue
            reader = readers.get(key)
            if reader is None:
                self._note(self.fail(key, f"unknown key (expected one of: {', '.join(readers)})"))
                continue
            try:
                values[key] = reader(key, value)
            except ConfigError as exc:
                self._note(exc, key)
        threshold = values.get("severity-threshold")
        show_unknown = values.get("show-unknown")
        baseline = values.get("baseline")
        return Config(
            source=self.place.file,
            threshold=threshold if isinstance(threshold, Severity) else None,
            select=tuple(_list(values.get("select"))),
            ignore=tuple(_list(values.get("ignore"))),
            policy_dirs=tuple(self.base / folder for folder in _list(values.get("policies"))),
            exclude=tuple(_list(values.get("exclude"))),
            show_unknown=show_unknown if isinstance(show_unknown, bool) else None,
            var_files=tuple(self.base / file for file in _list(values.get("terraform-var-files"))),
            severity=_dict(values.get("severity")),
            parameters=_dict(values.get("parameters")),
            baseline=self.base / baseline if isinstance(baseline, str) else None,
            place=self.place,
        )

    def strings(self, key: str, value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "must be a list of strings")
        return list(value)

    def string(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, "must be a non-empty string")
        return value

    def boolean(self, key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def severity_value(self, key: str, value: object) -> Severity:
        if not isinstance(value, str):
            raise self.fail(key, "must be one of: low, medium, high, critical")
        try:
            return Severity.parse(value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def _note(self, error: ConfigError, key: str = "") -> None:
        self.problems.append(ConfigProblem(error.message, error.line))
        if key:
            self.failed_keys.add(key)

    def severity_table(self, key: str, value: object) -> dict[str, Severity]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table of policy id = severity")
        levels: dict[str, Severity] = {}
        for policy, level in value.items():  # each entry's mistake, not only the first
            try:
                levels[policy] = self.severity_value(f"{key}.{policy}", level)
            except ConfigError as exc:
                self._note(exc)
        return levels

    def parameter_table(self, key: str, value: object) -> dict[str, dict[str, object]]:
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise self.fail(key, "must hold one table per policy id: [parameters.IAC002]")
        return {policy: dict(table) for policy, table in value.items()}


def _list(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _dict(value: object) -> dict:  # type: ignore[type-arg]
    return dict(value) if isinstance(value, dict) else {}
