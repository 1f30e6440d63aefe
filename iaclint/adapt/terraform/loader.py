"""Reading module directories and files from disk, once per run, inside the linted tree.

A root module names its local modules by relative path (`source = "../modules/x"`);
`file()`, `templatefile()` and the like name files. Both are read only when they
lie inside the linted tree (see `linted_tree`): the repositories holding the
paths named on the command line, and never a `.git` directory, where
actions/checkout writes the job's token. Anything else is never read, nor
digested by the results cache: its values are unknown, and the run says so.
Each directory is parsed once per run, however many root modules call it.

What a file read through `file()` holds is the pull request's to choose (a `.env`
a previous step wrote, a key): every text read is kept (`texts_read`) so that no
report prints it (see `build.adapt_unit`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from iaclint.adapt.terraform.config import ModuleConfig, build_config
from iaclint.diagnostics import OVERRIDE_NOT_READ, Diagnostic
from iaclint.parse.document import ParseError
from iaclint.parse.hcl import is_terraform_configuration
from iaclint.parse.hcl.reader import read_hcl
from iaclint.parse.hcl.syntax import HclFile, SourceText
from iaclint.parse.text import MAX_SOURCE_BYTES, FileTooLarge, decode, read_regular

MAX_FILE_BYTES = MAX_SOURCE_BYTES
# A root module and the modules it calls, in all: the worst such root (packed with
# small resources) is read in about 9 s (the largest root of the public modules
# measured is 143 KB).
MAX_ROOT_BYTES = 5 * 1024 * 1024 // 2
# Lines of text one root module may read through file() and templatefile(): each is
# masked in every report, and masking is searched with one pattern of them all
# (compiling it costs about 0.8 s at this limit).
MAX_LINES_READ = 1_000


class NotRead(Exception):
    """A module directory or file that is not read, and why (in words)."""


class LoadedFile(NamedTuple):
    hcl: HclFile | None
    diagnostics: list[Diagnostic]


def shown_join(directory: str, relative: str) -> str:
    """A path as reports show it: joined and normalized, with forward slashes."""
    return os.path.normpath(os.path.join(directory, relative)).replace(os.sep, "/")


def is_override(name: str) -> bool:
    return name in ("override.tf", "override.tf.json") or name.endswith(
        ("_override.tf", "_override.tf.json")
    )


def linted_tree(paths: list[Path]) -> list[Path]:
    """The directories files may be read from, for the paths given (a file: its
    directory): each one's repository (the nearest directory above it holding
    `.git`), or the path itself when it is in none. A module of a repository
    calls its sibling `../modules/x`; nothing outside the repository is its own."""
    out: list[Path] = []
    for path in paths:
        real = Path(os.path.realpath(path))
        top = next((d for d in (real, *real.parents) if (d / ".git").exists()), real)
        if top not in out:
            out.append(top)
    return out


class ModuleLoader:
    def __init__(self, roots: list[Path]):
        # Real paths of the directories files may be read from.
        self.roots = [Path(os.path.realpath(root)) for root in roots]
        # The texts file() and templatefile() read for the current root module.
        self.texts_read: list[str] = []
        self._modules: dict[tuple[str, str], ModuleConfig] = {}
        self._files: dict[tuple[str, str], LoadedFile] = {}
        # Every file read, by the name reports show: for source lines and counts.
        self._sources: dict[str, SourceText] = {}
        # What the current root module depended on (real paths): the module
        # directories it read and the files it read through file()/templatefile().
        # A results cache checks these before reusing a root's results.
        self.touched_directories: set[str] = set()
        self.touched_files: set[str] = set()
        self._touched_shown: set[str] = set()
        # The HCL files the current root module read, and their bytes in all.
        self._root_reads: set[tuple[str, str]] = set()
        self._root_bytes = 0

    def start_root(self) -> None:
        """Start recording what the next root module depends on."""
        self.touched_directories = set()
        self.touched_files = set()
        self._touched_shown = set()
        self.texts_read = []
        self._root_reads = set()
        self._root_bytes = 0

    def inside(self, path: Path) -> bool:
        """Whether `path` (links resolved) is in the linted tree, and not in a `.git`."""
        real = Path(os.path.realpath(path))
        for root in self.roots:
            if real == root:
                return True
            if root in real.parents:
                return ".git" not in real.relative_to(root).parts
        return False

    def module(self, directory: Path, shown: str) -> ModuleConfig:
        """The configuration of the module in `directory` (cached). Raises NotRead."""
        key = (os.path.realpath(directory), shown)
        if not self.inside(directory):
            # Not recorded: a results cache must not take digests outside the tree.
            raise NotRead(f"{shown} is outside the linted tree")
        self.touched_directories.add(key[0])
        self._touched_shown.add(os.path.normpath(shown).replace(os.sep, "/"))
        cached = self._modules.get(key)
        if cached is not None:
            return cached
        if not directory.is_dir():
            raise NotRead(f"{shown} is not a directory")
        files: list[HclFile] = []
        notices: list[Diagnostic] = []
        try:
            names = sorted(os.listdir(directory))
        except OSError as exc:
            raise NotRead(f"cannot list {shown}: {exc.strerror}") from None
        for name in names:
            path = directory / name
            file_shown = shown_join(shown, name)
            if not is_terraform_configuration(name) or path.is_dir():
                continue  # a pipe or a dangling link is read, and refused with an error
            if is_override(name):
                notices.append(
                    Diagnostic.notice(
                        file_shown,
                        "override files are not merged into the module; this file is not read",
                        kind=OVERRIDE_NOT_READ,
                    )
                )
                continue
            loaded = self.hcl_file(path, file_shown)
            notices.extend(loaded.diagnostics)
            if loaded.hcl is not None:
                files.append(loaded.hcl)
        config = build_config(shown, files)
        config.diagnostics[:0] = notices
        self._modules[key] = config
        return config

    def hcl_file(self, path: Path, shown: str) -> LoadedFile:
        """One HCL file (a .tf, .tf.json or .tfvars), parsed; a broken file is a located error."""
        key = (os.path.realpath(path), shown)
        if key not in self._root_reads:
            try:
                size = os.stat(path).st_size
            except OSError:
                size = 0  # refused with its reason when read
            if self._root_bytes + size > MAX_ROOT_BYTES and size <= MAX_FILE_BYTES:
                return LoadedFile(
                    None,
                    [
                        Diagnostic.error(
                            shown,
                            f"the root module and its modules would be more than "
                            f"{MAX_ROOT_BYTES / 2**20:g} MiB of HCL with this file; not read",
                        )
                    ],
                )
            self._root_reads.add(key)
            self._root_bytes += size
        cached = self._files.get(key)
        if cached is not None:
            return cached
        loaded = self._read_hcl(path, shown)
        self._files[key] = loaded
        return loaded

    def _read_hcl(self, path: Path, shown: str) -> LoadedFile:
        try:
            raw = read_regular(path, MAX_FILE_BYTES)
        except FileTooLarge:
            return LoadedFile(
                None,
                [Diagnostic.error(shown, f"larger than {MAX_FILE_BYTES // 2**20} MiB; not read")],
            )
        except OSError as exc:
            return LoadedFile(
                None, [Diagnostic.error(shown, f"cannot read: {exc.strerror or exc}")]
            )
        read = read_hcl
        if shown.lower().endswith(".tf.json"):
            # Imported when a module has such a file: most never do.
            from iaclint.parse.hcl.json_syntax import read_tf_json

            read = read_tf_json
        try:
            hcl = read(decode(raw), shown)
        except ParseError as exc:
            return LoadedFile(None, [Diagnostic.error(shown, exc.message, exc.line, exc.column)])
        self._sources[shown] = hcl.source
        return LoadedFile(hcl, [])

    def source(self, shown: str) -> SourceText | None:
        """A file read in this run, by the name reports show."""
        return self._sources.get(shown)

    def root_files(self) -> frozenset[str]:
        """The `.tf` and `.tf.json` files (as shown) of the modules the current root
        module read."""
        return frozenset(
            shown
            for shown in self._sources
            if is_terraform_configuration(shown)
            and (os.path.dirname(shown) or ".") in self._touched_shown
        )

    def files_parsed(self) -> int:
        """How many `.tf` and `.tf.json` files were read (var files not counted)."""
        return sum(1 for shown in self._sources if is_terraform_configuration(shown))

    def text(self, path: Path) -> str:
        """A file's text for file()/templatefile().

        Raises FileNotFoundError for a file that does not exist (an error, as in
        Terraform), NotRead for one that is not read (its content is unknown).
        """
        if not self.inside(path):
            raise NotRead(f"{path} is outside the linted tree")
        self.touched_files.add(os.path.realpath(path))
        try:
            raw = read_regular(path, MAX_FILE_BYTES)
        except FileNotFoundError:
            raise
        except FileTooLarge:
            raise NotRead(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB") from None
        except OSError as exc:
            raise NotRead(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            text = decode(raw)
        except ParseError as exc:
            raise NotRead(f"{path}: {exc.message}") from None
        lines = sum(len(read.splitlines()) for read in self.texts_read) + len(text.splitlines())
        if lines > MAX_LINES_READ:
            raise NotRead(
                f"{path} would make more than {MAX_LINES_READ:,} lines read through file() "
                "in this root module, each kept out of reports"
            )
        self.texts_read.append(text)
        return text
