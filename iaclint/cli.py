"""The command line: options in, report out, exit code decided here.

Exit codes: 0 nothing at or above the threshold; 1 findings at or above it;
2 a usage error, a bad policy or configuration, or a file that could not be read
(after every other file has been linted and reported). `--exit-zero` turns 1
into 0; `--exit-zero-on-error` also the 2 of a file that could not be read (a
usage or configuration error, which stops the run before any file is read, and
a report or baseline that could not be written stay 2).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from iaclint import __version__, collector

if TYPE_CHECKING:
    from iaclint.diagnostics import Diagnostic
    from iaclint.findings import Report

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

FORMATS = ("text", "json", "sarif", "github", "rdjson", "junit", "gitlab", "markdown")
# What --list-policies can print.
LISTING_FORMATS = ("text", "json")

_EXAMPLES = """\
examples:
  iaclint                              lint every template below the current directory
  iaclint templates/ stack.yaml        lint a folder and a file
  iaclint --severity-threshold high .  fail only on high and critical findings
  iaclint --format json -o out.json .  write the JSON report to a file
  iaclint --format sarif -o iaclint.sarif .   SARIF 2.1.0 for GitHub code scanning
  iaclint --format github .            annotations for GitHub Actions (rdjson: reviewdog)
  iaclint -f sarif:iaclint.sarif -f text .    lint once, write SARIF to a file, text to stdout
  iaclint -f junit:junit.xml -f gitlab:gl-code-quality-report.json .   GitLab / Jenkins
  iaclint -f markdown:"$GITHUB_STEP_SUMMARY" -f github .   job summary and annotations
  iaclint --select network --ignore IAC002 .
  iaclint --var-file prod.tfvars infra/ lint Terraform with these variable values
  iaclint --list-policies              show the policies, by category
  iaclint --list-policies --format json the policies, for scripts
  iaclint --exit-zero --format sarif -o iaclint.sarif .   report, never fail on findings
  iaclint --write-baseline base.json . accept today's findings; later runs with
  iaclint --baseline base.json .       report only new ones
  iaclint --diff-base origin/main .    only findings new since the branch left origin/main

exit codes: 0 clean, 1 findings at or above the threshold, 2 errors
colour: --color, else NO_COLOR (off), FORCE_COLOR (on), TERM=dumb (off), a terminal (on)
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"iaclint: error: {message}\n")
        raise SystemExit(EXIT_ERROR)


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, given the width itself: argparse asks `shutil` for it,
    and importing `shutil` (with the compression modules it brings) cost every run
    a few milliseconds for help text that is almost never printed."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_width() - 2)


def _terminal_width() -> int:
    # As shutil.get_terminal_size: $COLUMNS, else the terminal's, else 80.
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="iaclint",
        description="Pre-deploy policy linter for AWS infrastructure-as-code.",
        epilog=_EXAMPLES,
        formatter_class=_Formatter,
    )
    parser.add_argument("paths", nargs="*", help="files and directories to lint (default: .)")
    parser.add_argument(
        "-f",
        "--format",
        metavar="FORMAT[:FILE]",
        action="append",
        default=[],
        help=f"report format: {', '.join(FORMATS)} (default: text); repeatable, each to its"
        " own FILE (or stdout: at most one), all from one run",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the report (of the --format given without a FILE) to FILE instead of"
        " stdout (a summary line goes to stderr)",
    )
    parser.add_argument(
        "--sarif-category",
        metavar="NAME",
        help="SARIF: the run's category (automationDetails.id NAME/), so that the uploads of"
        " several runs (one per folder or framework) do not close each other's alerts",
    )
    parser.add_argument(
        "--sarif-include-suppressed",
        action="store_true",
        help="SARIF: keep suppressed findings and those the --baseline accepted, marked"
        " (left out by default: GitHub code scanning opens alerts for them)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="report findings and errors only: no warnings, notices, undetermined checks"
        " or summary",
    )
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when findings are at or above the threshold (errors still exit 2)",
    )
    parser.add_argument(
        "--exit-zero-on-error",
        action="store_true",
        help="as --exit-zero, and exit 0 when files could not be read too (usage and"
        " configuration errors, and a report that cannot be written, still exit 2)",
    )
    parser.add_argument(
        "--severity-threshold",
        metavar="LEVEL",
        help="lowest severity that fails the run: low, medium, high, critical (default: low)",
    )
    parser.add_argument(
        "--select",
        metavar="IDS",
        action="append",
        default=[],
        help="run only these policy ids or categories (comma-separated, repeatable)",
    )
    parser.add_argument(
        "--ignore",
        metavar="IDS",
        action="append",
        default=[],
        help="skip these policy ids or categories (comma-separated, repeatable)",
    )
    parser.add_argument(
        "--policies",
        metavar="DIR",
        action="append",
        default=[],
        type=Path,
        help="also load the policy files in DIR (repeatable)",
    )
    parser.add_argument(
        "--exclude",
        metavar="GLOB",
        action="append",
        default=[],
        help="do not lint paths matching GLOB (repeatable): a name (`examples`, `*.json`)"
        " anywhere, or a path from the current directory (`stacks/test`, `./stacks/test/`)",
    )
    parser.add_argument(
        "--var-file",
        metavar="FILE",
        action="append",
        default=[],
        type=Path,
        help="Terraform variable values (.tfvars or .tfvars.json) for every root module "
        "(repeatable; later files win)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="configuration file (default: nearest .iaclint.toml or pyproject.toml)",
    )
    parser.add_argument(
        "--show-unknown",
        action="store_true",
        default=None,
        help="also list checks that could not be decided, with the reason",
    )
    parser.add_argument(
        "--list-policies",
        action="store_true",
        help="list the policies by category (with --format json: as JSON) and exit",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour in the text report (default: auto)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="do not read or write the cache of compiled policies and of results of"
        " unchanged files (also IACLINT_NO_CACHE=1)",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        metavar="N",
        type=_jobs,
        help="lint in N processes (default: the machine's cores); the report is the same",
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        type=Path,
        help="report only findings not recorded in this baseline file",
    )
    parser.add_argument(
        "--write-baseline",
        metavar="FILE",
        type=Path,
        help="record the current findings in FILE as the baseline (then report as --baseline)",
    )
    parser.add_argument(
        "--diff-base",
        metavar="REF",
        help="report only the findings that are new since the merge base of the git REF and"
        " HEAD (the point the change left REF); that commit is linted from git's objects",
    )
    parser.add_argument(
        "--show-all",
        action="store_true",
        help="with --diff-base: also report (and count) the findings already at the merge"
        " base, marked",
    )
    parser.add_argument(
        "--hook",
        action="store_true",
        help="run as a git hook (pre-commit): the files named are the change's; the files it"
        " deletes count too (the staged deletions, or those between $PRE_COMMIT_FROM_REF and"
        " $PRE_COMMIT_TO_REF); with no file named and none deleted, nothing is linted",
    )
    parser.add_argument("--version", action="version", version=f"iaclint {__version__}")
    return parser


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    """The command line, options anywhere among the paths (`iaclint a.yaml --select x
    b.yaml`): hooks and CI steps add their own options before or after the files they
    name. Everything after `--` is a path, as usual (argparse's intermixed parsing
    rejects a word after `--` that looks like an option, `-- -stack.yaml`)."""
    words = list(argv)
    after: list[str] = []
    if "--" in words:
        end = words.index("--")
        words, after = words[:end], words[end + 1 :]
    args = _parser().parse_intermixed_args(words)
    args.paths = [*args.paths, *after]
    return args


def _split(values: list[str]) -> tuple[str, ...]:
    return tuple(item.strip() for value in values for item in value.split(",") if item.strip())


class _Terminated(BaseException):
    """SIGTERM arrived (a CI step's timeout, `kill`): ends the run like Ctrl-C does."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    # Only the main thread may set a handler (a test may call main() from another).
    handles_term = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if handles_term else None
    collector.tune()
    try:
        return _main(argv)
    except KeyboardInterrupt:
        sys.stderr.write("iaclint: interrupted\n")
        return 130
    except _Terminated:
        sys.stderr.write("iaclint: terminated\n")
        return 128 + signal.SIGTERM
    except Exception as exc:  # a defect: say so in one line, never a traceback
        if os.environ.get("IACLINT_DEBUG"):
            raise
        from iaclint.diagnostics import defect_message

        sys.stderr.write(f"iaclint: internal error: {defect_message(exc, 'this run')}\n")
        return EXIT_ERROR
    finally:
        if handles_term:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    from iaclint.config import ConfigError, find_config, load_config
    from iaclint.diagnostics import Diagnostic
    from iaclint.discover import anchored_at
    from iaclint.findings import Severity
    from iaclint.report.escape import line_start, printable
    from iaclint.run import Options, lint, prepare
    from iaclint.schedule import default_jobs

    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    # Every mistake in the configuration is reported in one run, those found against the
    # policies (`run.prepare`) included, before the run stops.
    config_errors: list[Diagnostic] = []
    try:
        config_path = args.config or find_config(Path.cwd())
        config = load_config(config_path) if config_path else None
    except ConfigError as exc:
        config = exc.partial
        config_errors = [Diagnostic.error(exc.file, p.message, p.line) for p in exc.problems]
        if config is None:  # not read at all: nothing more to check in it
            return _stop(config_errors)
    # The command line wins over the configuration; what a report is (format, output,
    # diff base) is the command line's alone.
    outputs, problem = outputs_of(args.format, args.output)
    if problem is None:
        problem = _sarif_options(args, outputs)
    if problem is not None:
        _stop(config_errors)
        sys.stderr.write(f"iaclint: error: {printable(problem)}\n")
        return EXIT_ERROR
    if args.list_policies and (len(outputs) != 1 or outputs[0].format not in LISTING_FORMATS):
        _stop(config_errors)
        shown = " and ".join(output.format for output in outputs)
        sys.stderr.write(
            f"iaclint: error: --list-policies prints {' or '.join(LISTING_FORMATS)}, not {shown}\n"
        )
        return EXIT_ERROR
    diff_base = args.diff_base
    if args.show_all and not diff_base:
        _stop(config_errors)
        sys.stderr.write("iaclint: error: --show-all needs --diff-base\n")
        return EXIT_ERROR
    threshold_text = args.severity_threshold
    try:
        threshold = Severity.parse(threshold_text) if threshold_text else None
    except ValueError as exc:
        _stop(config_errors)
        sys.stderr.write(f"iaclint: error: --severity-threshold: {exc}\n")
        return EXIT_ERROR
    deleted: tuple[str, ...] = ()
    if args.hook:
        deleted, problem = _deleted_by_change(Path.cwd())
        if problem is not None:
            _stop(config_errors)
            sys.stderr.write(f"iaclint: error: --hook: {problem}\n")
            return EXIT_ERROR
    options = Options(
        # A hook names the change's files: no file named means nothing to lint.
        paths=tuple(args.paths) or (() if args.hook else (".",)),
        threshold=threshold or (config.threshold if config and config.threshold else Severity.LOW),
        select=_split(args.select) or (config.select if config else ()),
        ignore=_split(args.ignore) or (config.ignore if config else ()),
        policy_dirs=(*(config.policy_dirs if config else ()), *args.policies),
        severity=config.severity if config else {},
        parameters=config.parameters if config else {},
        # The configuration's patterns are written from its folder.
        exclude=(
            *(anchored_at(config.exclude, _folder(config.source)) if config else ()),
            *args.exclude,
        ),
        show_unknown=bool(
            args.show_unknown if args.show_unknown is not None else (config and config.show_unknown)
        ),
        var_files=(*(config.var_files if config else ()), *args.var_file),
        use_cache=not args.no_cache and not os.environ.get("IACLINT_NO_CACHE"),
        jobs=args.jobs or default_jobs(),
        deleted=deleted,
    )
    prepared = prepare(options, config, off_too=args.list_policies)
    if config_errors or prepared.errors:  # before any file is read: a typo must not weaken the gate
        return _stop([*config_errors, *prepared.errors])
    policies, diagnostics = prepared.policies, prepared.diagnostics
    if args.list_policies:
        from iaclint.report.gather import gather
        from iaclint.report.listing import Listed, render_policies, render_policies_json

        configured = set(options.parameters) | set(options.select)
        off = {p.id for p in policies if not p.enabled and p.id not in configured}
        if outputs[0].format == "json":
            listed = [
                Listed(p.info, p.frameworks, tuple(sorted(p.parameters)), p.id in off, p.checks)
                for p in policies
            ]
            listing = render_policies_json(listed)
        else:
            checks = {policy.id: policy.checks for policy in policies}
            listing = render_policies([policy.info for policy in policies], off, checks)
        if not _emit(listing, outputs[0].file):
            return EXIT_ERROR
        for diagnostic in gather(diagnostics):
            where, message = line_start(diagnostic.where()), printable(diagnostic.message)
            sys.stderr.write(f"{where}: {diagnostic.level.value}: {message}\n")
        return EXIT_ERROR if diagnostics else EXIT_CLEAN
    report = lint(options, policies, diagnostics)
    from iaclint.review import Review, review

    base = None
    if diff_base:
        from iaclint.diagnostics import Diagnostic
        from iaclint.merge_base import BaseError, lint_merge_base

        try:
            base = lint_merge_base(diff_base, options, policies, Path.cwd())
        except BaseError as exc:  # every finding is reported, and the run exits 2
            error = Diagnostic.error("--diff-base", str(exc))
            report = report._replace(diagnostics=(*report.diagnostics, error))
    settings = Review(
        baseline=args.baseline or (config.baseline if config else None),
        write_baseline=args.write_baseline,
        base=base,
        show_all=bool(args.show_all) and bool(diff_base),
        known_ids=prepared.known_ids,
    )
    report, problem = review(report, settings, Path.cwd())
    if problem is not None:
        sys.stderr.write(f"iaclint: error: {problem}\n")
        return EXIT_ERROR
    if not _write(report, outputs, args):
        return EXIT_ERROR
    return exit_code(report, args.exit_zero, args.exit_zero_on_error)


def _stop(errors: Sequence[Diagnostic]) -> int:
    """Write the errors that stop a run before any file is read, those in a file in
    the order of their lines, and give the run's exit code."""
    from iaclint.report.escape import line_start, printable

    def order(error: Diagnostic) -> tuple[int, str, int]:
        # A file's errors by line; those of the command line's options after them.
        return (error.line is None and error.file.startswith("-"), error.file, error.line or 0)

    for error in sorted(errors, key=order):
        sys.stderr.write(f"{line_start(error.where())}: error: {printable(error.message)}\n")
    return EXIT_ERROR


class Output(NamedTuple):
    """A report to write: its format, and its file (None: standard output)."""

    format: str
    file: str | None = None


def outputs_of(formats: Sequence[str], output: str | None) -> tuple[list[Output], str | None]:
    """The reports `--format FORMAT[:FILE]` (repeated) and `-o FILE` ask for, or why they
    cannot be written. `-o` is the file of the one format given without a file; `-` as
    a FILE is standard output, which at most one report may take; no two share a file."""
    outputs: list[Output] = []
    without_file: list[int] = []
    for value in formats or ["text"]:
        name, colon, file = value.partition(":")
        if name not in FORMATS:
            return [], (
                f"--format {value}: unknown format '{name}' (expected one of: "
                f"{', '.join(FORMATS)}, each optionally followed by :FILE)"
            )
        if colon and not file:
            return [], f"--format {value}: no file after ':' (use {name}:- for stdout)"
        if not colon:
            without_file.append(len(outputs))
        outputs.append(Output(name, None if not colon or file == "-" else file))
    if output is not None:
        if len(without_file) != 1:
            return [], (
                f"-o {output}: names the file of the one --format given without a file, but "
                f"{len(without_file)} are (write each as FORMAT:FILE)"
            )
        position = without_file[0]
        outputs[position] = outputs[position]._replace(file=output)
    on_stdout = [item.format for item in outputs if item.file is None]
    if len(on_stdout) > 1:
        return [], (
            f"--format: {' and '.join(on_stdout)} would both be written to stdout "
            "(give all but one a file: FORMAT:FILE)"
        )
    seen: dict[str, str] = {}
    for item in outputs:
        if item.file is None:
            continue
        target = os.path.realpath(item.file)
        if target in seen:
            return (
                [],
                f"--format: {seen[target]} and {item.format} would both be written to {item.file}",
            )
        seen[target] = item.format
    return outputs, None


def _sarif_options(args: argparse.Namespace, outputs: Sequence[Output]) -> str | None:
    """Why the SARIF options cannot be used as given, if they cannot."""
    asked = [
        flag
        for flag, value in (
            ("--sarif-category", args.sarif_category is not None),
            ("--sarif-include-suppressed", args.sarif_include_suppressed),
        )
        if value
    ]
    if asked and not any(output.format == "sarif" for output in outputs):
        return f"{asked[0]} needs a SARIF report (--format sarif)"
    category = args.sarif_category
    if category is not None and (not category.strip("/ ") or _needs_escaping(category)):
        return (
            f"--sarif-category: expected a name of printable characters (such as "
            f"'iaclint-infra' or 'terraform/prod'), got '{category}'"
        )
    return None


def _needs_escaping(text: str) -> bool:
    """Whether `text` holds characters a report would have to escape."""
    from iaclint.report.escape import printable

    return printable(text) != text


def _write(report: Report, outputs: Sequence[Output], args: argparse.Namespace) -> bool:
    """Render and write every output; say on stderr where those written to files went.
    False when one could not be written."""
    from iaclint.report.location import NO_ROOT
    from iaclint.report.render import FROM_ROOT, Style, render
    from iaclint.review import source_root

    root = None
    written: list[str] = []
    for output in outputs:
        # Only the formats a code host reads name files from the repository's root.
        if output.format in FROM_ROOT and root is None:
            root = source_root(Path.cwd(), report.sources)
        style = Style(
            root=root if output.format in FROM_ROOT and root else NO_ROOT,
            colour=output.format == "text"
            and output.file is None
            and use_colour(args.color, sys.stdout, os.environ),
            quiet=args.quiet,
            category=args.sarif_category,
            include_suppressed=args.sarif_include_suppressed,
            links=browse_url(os.environ) if output.format == "markdown" else None,
        )
        if not _emit(render(report, output.format, style), output.file):
            return False
        if output.file is not None:
            written.append(output.file)
    if written and not args.quiet:
        from iaclint.report.escape import printable
        from iaclint.report.text import summarize

        where = ", ".join(printable(file) for file in written)
        sys.stderr.write(f"iaclint: {summarize(report)} Report written to {where}.\n")
    return True


def browse_url(environ: Mapping[str, str]) -> str | None:
    """Where the repository's files are shown at this commit, from GitHub Actions'
    variables (`https://github.com/owner/repo/blob/SHA/`); None outside it."""
    from urllib.parse import quote

    server = environ.get("GITHUB_SERVER_URL", "").rstrip("/")
    repository = environ.get("GITHUB_REPOSITORY", "")
    sha = environ.get("GITHUB_SHA", "")
    if not (server.startswith(("https://", "http://")) and repository and sha):
        return None
    return f"{server}/{quote(repository)}/blob/{quote(sha)}/"


def exit_code(report: Report, exit_zero: bool = False, exit_zero_on_error: bool = False) -> int:
    """2 when the run had errors, 1 when findings fail it, else 0; softened by
    `--exit-zero` (findings) and `--exit-zero-on-error` (findings and errors)."""
    from iaclint.diagnostics import Level

    if any(d.level is Level.ERROR for d in report.diagnostics):
        return EXIT_CLEAN if exit_zero_on_error else EXIT_ERROR
    if report.failing() and not (exit_zero or exit_zero_on_error):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def use_colour(choice: str, stream: TextIO, environ: Mapping[str, str]) -> bool:
    """Whether the text report on `stream` is coloured: `--color always|never`, else
    (auto) NO_COLOR turns it off, FORCE_COLOR on, TERM=dumb off, and a terminal on.
    An empty variable counts as unset (https://no-color.org, https://force-color.org)."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except ValueError:  # closed
        return False


def _folder(source: str | None) -> Path:
    return Path(source).parent if source else Path.cwd()


def _deleted_by_change(cwd: Path) -> tuple[tuple[str, ...], str | None]:
    """The files the change a hook checks deletes, named from `cwd`; or why git could
    not tell. Outside a repository nothing is deleted."""
    from iaclint.filter.git import GitError, deleted_files, repository_root

    root = repository_root(cwd)
    if root is None:
        return (), None
    try:
        names = deleted_files(
            root, os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
        )
    except GitError as exc:
        return (), f"cannot list the files this change deletes: {exc}"
    here = cwd.resolve()
    return tuple(os.path.relpath(root.resolve() / name, here) for name in names), None


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes >= 1, got '{text}'")
    return jobs


def _emit(text: str, output: str | None) -> bool:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    target = Path(os.path.realpath(output))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    appended = bool(summary) and target == Path(os.path.realpath(summary or "."))
    if appended or (target.exists() and not target.is_file()):
        # GitHub's job summary is appended to, as GitHub asks: what the step's other
        # commands wrote there stays. A device or a pipe (`/dev/null`, `/dev/stdout`, a
        # FIFO) is written to: renamed over, it would be replaced by a plain file (as
        # root, even `/dev/null`).
        try:
            with open(target, "a" if appended else "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as exc:
            sys.stderr.write(f"iaclint: error: cannot write {output}: {exc.strerror}\n")
            return False
        return True
    # A file is written beside the target and renamed over it: a run interrupted while
    # writing leaves the previous report whole, never half of a new one.
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except BaseException as exc:
        temporary.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        sys.stderr.write(f"iaclint: error: cannot write {output}: {exc.strerror}\n")
        return False
    return True
