"""python-hcl2's grammar, as parse tables our own driver runs: built with the package.

python-hcl2 (7.x) ships its HCL grammar for the Lark parser generator. Building
the tables takes over a second, and importing Lark and restoring a Lark parser
took about 50 ms of each run: a quarter of a small Terraform run. So Lark is
used to build the parser and read its tables off it (`tables.py`), and a run
loads the tables (plain data) and parses with our LALR driver (`lalr.py`),
without importing Lark at all.

The tables are built when the package is built or installed (`setup.py` calls
`bundle`) and kept in it, next to this module, with a digest of what they were
made from: the grammar and our modules that make and run them. A run whose
python-hcl2 has another grammar than the one they were built from (a newer
release installed later) finds another digest and builds the tables itself,
once: they are then kept in the user's cache directory,

    $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint

under a hash of the grammar, of the installed Lark (its version file), of our
modules and of the Python version, so an upgrade never loads stale tables. Only
debug output (IACLINT_DEBUG=1) says so. A cache file starts with a checksum of
the rest: a damaged file is discarded and the tables rebuilt. It is written to a
private directory (mode 0700) and replaced atomically; when no cache can be
written (or --no-cache) the tables are simply kept in memory.

Tables are trusted only if our driver, given them, parses a set of probes
(every construct the reader meets, and texts with syntax errors) exactly as Lark
does: same trees, same failures. Otherwise (a Lark whose internals moved) Lark
parses, in this process, behind the same interface, and nothing is kept.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import pickle
import sys
from pathlib import Path

from iaclint.cache import cache_directory, read_entry, sealed, unsealed, write_entry
from iaclint.parse.hcl.lalr import LalrParser, ParseFailure, Parser, Tables, Tree

_HEADER = b"iaclint-hcl-tables/1\n"
# The tables built with the package, and what they were made from.
BUNDLED = Path(__file__).with_name("hcl2-tables.pickle")
_BUNDLE_HEADER = b"iaclint-hcl-bundled-tables/1\n"


# Every construct the reader meets, so that tables are checked on all of them
# before they are trusted.
_PROBE = """\
terraform {
  required_version = ">= 1.0"
}
variable "v" {
  type    = map(string)
  default = { a = "b", "c" = 1 }
}
locals {
  a = [for k, v in var.v : "${k}=${v}" if v != null]
  b = { for i, x in local.a : x => i... }
  c = var.v["a"] == "b" ? -1.5e3 : !true && false || null
  d = local.a[*].name
  e = try(jsonencode({ x = [1, 2] }), format("%s", "y"))
  f = <<-EOT
    text ${local.a[0]} %{ if true }yes%{ endif }
  EOT
  g = <<EOT
EOT\t
  h = <<X
x
  X \n  i = var.x[*].a[*].b
}
resource "aws_security_group" "s" {
  count = 2 # comment
  dynamic "ingress" {
    for_each = local.a
    content {
      cidr_blocks = [ingress.value]
    }
  }
  /* block comment */
}
"""


# Texts with syntax errors: the driver must fail where, and as, Lark fails.
_BAD_PROBES = (
    "x = \n",  # a terminal of the grammar, not one this place accepts
    "x = 1 }\n",
    'a "b" {\n  c = 1\n',  # the end of the file, too early
    "x = 1 +\n",
    "x = <<EOT\nnever closed\n",
    "x = <<EOT\nEOT and more\n",  # a marker with text after it closes nothing
    "x = \\\n",  # no terminal matches at all
    'x = "\\\n',
    "a = 1\n\\\n",
)


# python-hcl2's heredoc terminals end a heredoc only at a marker followed right
# away by a newline, and want markers of two characters or more. HCL, and so
# Terraform, ends it at the first line holding the marker alone, with spaces or
# tabs around it (a CRLF line end reads as " \n" here: `read_hcl` keeps offsets),
# and takes any identifier as a marker. Left as they were, a trailing space made
# the terminal run on to a later heredoc's end, or to no end at all. The body
# is empty, or lines that each end with a newline.
_HEREDOC_RULES = {
    "heredoc_template": "heredoc",
    "heredoc_template_trim": "heredoc_trim",
}
_HEREDOC_TERMINAL = (
    r"/<<{dash}(?P<{group}>[a-zA-Z_][a-zA-Z0-9._-]*)[^\S\n]*\n"
    r"(?:(?:.|\n)*?\n)??[^\S\n]*(?P={group})[^\S\n]*\n/"
)


def grammar_text() -> str:
    """python-hcl2's grammar, with HCL's own heredoc terminals."""
    # Found without importing python-hcl2 (its package imports more than we need).
    text = (_package("hcl2") / "hcl2.lark").read_text(encoding="utf-8")
    lines = text.split("\n")
    replaced = set()
    for index, line in enumerate(lines):
        rule = line.split(":", 1)[0].strip()
        group = _HEREDOC_RULES.get(rule)
        if group is not None and ":" in line:
            dash = "-" if rule.endswith("_trim") else ""
            lines[index] = f"{rule} : {_HEREDOC_TERMINAL.format(dash=dash, group=group)}"
            replaced.add(rule)
    if replaced != set(_HEREDOC_RULES):
        missing = ", ".join(sorted(set(_HEREDOC_RULES) - replaced))
        raise ImportError(f"python-hcl2's grammar has no rule {missing}: not a 7.x release")
    return "\n".join(lines)


def _package(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def cache_file(grammar: str) -> Path:
    # Lark's version is read from its package without importing it; our two
    # modules that make and run the tables are part of the key, as text.
    lark_version = (_package("lark") / "__init__.py").read_text(encoding="utf-8")
    python = "{}.{}".format(*sys.version_info[:2])
    key = "\x1f".join((grammar, lark_version, *_our_modules(), python))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_directory() / f"hcl2-tables-{digest}.pickle"


def tables_digest(grammar: str) -> str:
    """What bundled tables are made from: the grammar, and our modules that make and
    run them. (Lark is not part of it: the tables were checked against the Lark that
    made them, and a run does not use Lark.)"""
    key = "\x1f".join((grammar, *_our_modules()))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _our_modules() -> list[str]:
    here = Path(__file__).parent
    return [(here / name).read_text(encoding="utf-8") for name in ("lalr.py", "tables.py")]


@functools.cache
def hcl_parser() -> Parser:
    """The HCL parser: our driver with the tables built with the package, or else with
    tables from the cache, or built (and cached)."""
    grammar = grammar_text()
    tables, problem = bundled_tables(grammar)
    if tables is not None:
        return LalrParser(tables)
    _debug(f"{problem}: building them with Lark, once, and keeping them in the cache")
    path = cache_file(grammar)
    tables = _load(path)
    if tables is not None:
        return LalrParser(tables)
    return _build(grammar, path)


def bundled_tables(grammar: str) -> tuple[Tables | None, str]:
    """The tables built with the package, if made from this grammar; else why not."""
    try:
        data = BUNDLED.read_bytes()
    except OSError:
        return None, "no HCL parse tables were built with iaclint"
    payload = unsealed(_BUNDLE_HEADER, data)
    if payload is None:
        return None, f"the HCL parse tables built with iaclint are damaged ({BUNDLED})"
    digest, _, pickled = payload.partition(b"\n")
    if digest.decode("ascii", "replace") != tables_digest(grammar):
        return None, (
            "the HCL parse tables built with iaclint are for another grammar than the"
            " installed python-hcl2's (or other iaclint modules)"
        )
    try:
        tables = pickle.loads(pickled)
    except Exception:
        tables = None
    if not isinstance(tables, Tables):
        return None, f"the HCL parse tables built with iaclint are unreadable ({BUNDLED})"
    return tables, ""


def bundle(grammar: str) -> bytes | None:
    """The tables for `grammar` as the package keeps them (`BUNDLED`); None when Lark's
    parser cannot be read or its tables disagree with it."""
    tables, _ = _made(grammar)
    if tables is None:
        return None
    pickled = pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)
    return sealed(_BUNDLE_HEADER, tables_digest(grammar).encode("ascii") + b"\n" + pickled)


def _debug(message: str) -> None:
    if os.environ.get("IACLINT_DEBUG"):
        sys.stderr.write(f"iaclint: debug: {message}\n")


def _load(path: Path) -> Tables | None:
    payload = unsealed(_HEADER, read_entry(path))
    if payload is None:
        return None  # absent or damaged: rebuilt
    try:
        tables = pickle.loads(payload)
    except Exception:  # written by another iaclint after all: rebuilt
        return None
    return tables if isinstance(tables, Tables) else None


def _build(grammar: str, path: Path) -> Parser:
    tables, lark = _made(grammar)
    if tables is None:
        return lark
    write_entry(path, sealed(_HEADER, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)))
    return LalrParser(tables)  # fresh: no lexer state from the probes


def _made(grammar: str) -> tuple[Tables | None, Parser]:
    """Tables made with Lark and checked against it (None if they cannot be read off it
    or disagree), and Lark's own parser."""
    from iaclint.parse.hcl import tables as made

    lark = made.LarkParser(made.build(grammar))
    try:
        tables = made.tables_of(lark.parser)
    except made.TablesUnavailable:
        return None, lark
    if not agree(LalrParser(tables), lark):
        return None, lark
    return tables, lark


def agree(ours: Parser, theirs: Parser) -> bool:
    """Whether two parsers give the same tree or the same failure for every probe."""
    return all(outcome(ours, text) == outcome(theirs, text) for text in (_PROBE, *_BAD_PROBES))


def outcome(parser: Parser, text: str) -> Tree | tuple[int, object, frozenset[str]]:
    """The tree a parser gives for a text, or where and how it fails."""
    try:
        return parser.parse(text)
    except ParseFailure as failure:
        return failure.offset, failure.token, failure.expected
