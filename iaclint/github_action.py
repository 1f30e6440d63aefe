"""The GitHub Action's steps around its one iaclint run (action.yml).

    python -m iaclint.github_action check-args -- [ARG...]
    python -m iaclint.github_action report SARIF [--exit-code N] [--summary FILE]
                                              [--no-annotations] -- [ARG...]

`check-args` refuses, in the action's `args` input, the options that would change
what the run writes: the action asks for SARIF in a file of its choosing, and a
`--format text` or `--output x` there would turn the upload into something else.
`--` is refused too: every word after it is a path, the action's own options
included.

`report` reads the SARIF file the run wrote and prints the annotations GitHub will
show (sorted, capped: see report/annotations.py), and appends the step summary to
FILE (the step's $GITHUB_STEP_SUMMARY). ARG are the options the run was given:
the threshold is worked out from them and the configuration as the run did
(`--severity-threshold`, else `--config` FILE's, else the nearest configuration's,
else low), since SARIF does not record it.

Exit codes: 0 done, 2 refused arguments or an unreadable report (said on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from iaclint.config import ConfigError, find_config, load_config
from iaclint.findings import Severity
from iaclint.report.annotations import SarifError, read_sarif, render, summary

EXIT_ERROR = 2

# Options of iaclint that decide what the run writes, or make it write no report.
REFUSED = {
    "--format": "the action writes SARIF (its annotations and summary are read from it)",
    "--output": "the action chooses the report's file (its sarif-file input)",
    "--list-policies": "the run would list the policies instead of linting",
    "--version": "the run would print its version instead of linting",
    "--help": "the run would print its help instead of linting",
}
_SHORT_REFUSED = {"o": "--output", "h": "--help"}
# Short options that take no value, so that more may follow them in one word (-qo).
_SHORT_FLAGS = frozenset("q")


def refused(args: Sequence[str]) -> list[str]:
    """Why each refused word of `args` is refused, in order ([] when all are fine).
    argparse takes a long option's unique prefix (`--form`) for the option, and
    reads `-qoFILE` as `-q -o FILE`: both are seen through."""
    reasons = []
    for word in args:
        if word == "--":
            reasons.append(
                "`--`: every word after it would be a path, the action's own options too; "
                "put paths in the `paths` input"
            )
        elif word.startswith("--"):
            name = word[2:].split("=", 1)[0]
            for option, why in REFUSED.items():
                if name and option[2:].startswith(name):
                    reasons.append(f"`{word}`: {why}")
                    break
        elif word.startswith("-") and len(word) > 1:
            for letter in word[1:]:
                if letter in _SHORT_REFUSED:
                    option = _SHORT_REFUSED[letter]
                    reasons.append(f"`{word}` ({option}): {REFUSED[option]}")
                    break
                if letter not in _SHORT_FLAGS:
                    break  # -j4: the rest is a value
    return reasons


def threshold_of(args: Sequence[str], cwd: Path) -> Severity:
    """The threshold a run given `args` in `cwd` uses. Raises ValueError (a bad
    --severity-threshold) and ConfigError."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--severity-threshold")
    parser.add_argument("--config")
    known, _ = parser.parse_known_args(list(args))
    if known.severity_threshold:
        return Severity.parse(known.severity_threshold)
    path = Path(known.config) if known.config else find_config(cwd)
    if path is not None:
        config = load_config(path if path.is_absolute() else cwd / path)
        if config.threshold is not None:
            return config.threshold
    return Severity.LOW


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"iaclint.github_action: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m iaclint.github_action")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("check-args", help="refuse args that change the report")
    report = commands.add_parser("report", help="annotations and step summary from SARIF")
    report.add_argument("sarif", metavar="SARIF")
    report.add_argument("--exit-code", type=int, help="iaclint's exit code, for the summary")
    report.add_argument("--summary", metavar="FILE", help="append the step summary to FILE")
    report.add_argument("--no-annotations", action="store_true", help="the summary only")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    # The run's arguments follow the first `--` as they are (argparse would drop a
    # second `--` among them, which `check-args` must see).
    run_args: list[str] = []
    if "--" in words:
        run_args = words[words.index("--") + 1 :]
        words = words[: words.index("--")]
    args = _parser().parse_args(words)
    if args.command == "check-args":
        reasons = refused(run_args)
        for reason in reasons:
            sys.stderr.write(f"iaclint: error: args: {reason}\n")
        return EXIT_ERROR if reasons else 0
    return _report(args, run_args)


def _report(args: argparse.Namespace, run_args: Sequence[str]) -> int:
    try:
        threshold = threshold_of(run_args, Path.cwd())
    except ValueError as exc:
        return _error(f"--severity-threshold: {exc}")
    except ConfigError as exc:  # each of its mistakes, as the run reports them
        for problem in exc.problems:
            where = f"{exc.file}:{problem.line}" if problem.line else exc.file
            _error(f"{where}: {problem.message}")
        return EXIT_ERROR
    try:
        text = Path(args.sarif).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _error(f"{args.sarif}: cannot read the report: {exc}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return _error(f"{args.sarif}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}")
    try:
        found = read_sarif(document, threshold)
    except SarifError as exc:
        return _error(f"{args.sarif}: {exc}")
    if not args.no_annotations:
        sys.stdout.write(render(found))
    if args.summary:
        text = summary(found, threshold, args.exit_code, annotated=not args.no_annotations)
        try:
            with open(args.summary, "a", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as exc:
            return _error(f"{args.summary}: cannot write the step summary: {exc}")
    return 0


def _error(message: str) -> int:
    sys.stderr.write(f"iaclint: error: {message}\n")
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
