"""Configuration: `[tool.iaclint]` in pyproject.toml, or `.iaclint.toml`.

Looked for in the current directory and its parents, up to the repository root.
Every key is checked: an unknown key or a value of the wrong type is an error
that names the file, the line and the key. Paths are relative to the file.

    [tool.iaclint]
    severity-threshold = "medium"
    select = ["network", "IAC003"]     # policy ids or categories
    ignore = ["IAC002"]
    policies = ["security/policies"]   # extra policy folders
    exclude = ["tests/fixtures/*"]     # paths (globs) not to lint
    show-unknown = false
    terraform-var-files = ["env/prod.tfvars"]  # like --var-file, for every root module
    format = "sarif"                   # text, json, sarif, github, rdjson
    baseline = ".iaclint-baseline.json"  # like --baseline
    diff-base = "origin/main"          # like --diff-base
    show-all = false                   # like --show-all

    [tool.iaclint.severity]
    IAC002 = "low"

    [tool.iaclint.parameters.IAC002]
    allowed_ports = [80, 443, 8443]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from iaclint.findings import Severity

CONFIG_FILE = ".iaclint.toml"


class ConfigError(Exception):
    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.message = message
        self.line = line


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
    # Report format, baseline file, diff base and --show-all (the command line wins).
    format: str | None = None
    baseline: Path | None = None
    diff_base: str | None = None
    show_all: bool | None = None


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


def _has_section(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*iaclint\b", text, re.MULTILINE) is not None


def load_config(path: Path) -> Config:
    """Read and check a configuration file. Raises ConfigError."""
    import tomllib

    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, f"cannot read configuration: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise ConfigError(
            shown, f"invalid TOML: {exc}", int(match.group(1)) if match else None
        ) from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        section = tool.get("iaclint", {}) if isinstance(tool, dict) else {}
        prefix = "tool.iaclint"
    else:
        section, prefix = data, ""
    if not isinstance(section, dict):
        raise ConfigError(shown, f"[{prefix}] must be a table")
    return _Reader(shown, text, prefix, path.parent).read(section)


class _Reader:
    def __init__(self, file: str, text: str, prefix: str, base: Path):
        self.file = file
        self.text = text
        self.prefix = prefix
        self.base = base

    def fail(self, key: str, message: str) -> ConfigError:
        name = key.split(".")[-1]
        match = re.search(
            rf"^[ \t]*\"?{re.escape(name)}\"?[ \t]*=|^[ \t]*\[.*\b{re.escape(name)}\]",
            self.text,
            re.MULTILINE,
        )
        line = self.text.count("\n", 0, match.start()) + 1 if match else None
        full = f"{self.prefix}.{key}" if self.prefix else key
        return ConfigError(self.file, f"'{full}': {message}", line)

    def read(self, section: dict[str, object]) -> Config:
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
            "format": self.format_name,
            "baseline": self.string,
            "diff-base": self.string,
            "show-all": self.boolean,
        }
        values: dict[str, object] = {}
        for key, value in section.items():
            reader = readers.get(key)
            if reader is None:
                raise self.fail(key, f"unknown key (expected one of: {', '.join(readers)})")
            values[key] = reader(key, value)
        threshold = values.get("severity-threshold")
        show_unknown = values.get("show-unknown")
        show_all = values.get("show-all")
        baseline = values.get("baseline")
        diff_base = values.get("diff-base")
        format_name = values.get("format")
        return Config(
            source=self.file,
            threshold=threshold if isinstance(threshold, Severity) else None,
            select=tuple(_list(values.get("select"))),
            ignore=tuple(_list(values.get("ignore"))),
            policy_dirs=tuple(self.base / folder for folder in _list(values.get("policies"))),
            exclude=tuple(_list(values.get("exclude"))),
            show_unknown=show_unknown if isinstance(show_unknown, bool) else None,
            var_files=tuple(self.base / file for file in _list(values.get("terraform-var-files"))),
            severity=_dict(values.get("severity")),
            parameters=_dict(values.get("parameters")),
            format=format_name if isinstance(format_name, str) else None,
            baseline=self.base / baseline if isinstance(baseline, str) else None,
            diff_base=diff_base if isinstance(diff_base, str) else None,
            show_all=show_all if isinstance(show_all, bool) else None,
        )

    def strings(self, key: str, value: object) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "must be a list of strings")
        return list(value)

    def string(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, "must be a non-empty string")
        return value

    def format_name(self, key: str, value: object) -> str:
        from iaclint.report.render import FORMATS

        if value not in FORMATS:
            raise self.fail(key, f"must be one of: {', '.join(FORMATS)}")
        assert isinstance(value, str)
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

    def severity_table(self, key: str, value: object) -> dict[str, Severity]:
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table of policy id = severity")
        return {
            policy: self.severity_value(f"{key}.{policy}", level) for policy, level in value.items()
        }

    def parameter_table(self, key: str, value: object) -> dict[str, dict[str, object]]:
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise self.fail(key, "must hold one table per policy id: [parameters.IAC002]")
        return {policy: dict(table) for policy, table in value.items()}


def _list(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def _dict(value: object) -> dict:  # type: ignore[type-arg]
    return dict(value) if isinstance(value, dict) else {}
