"""python-hcl2's grammar, as parse tables our own driver runs, cached between runs.

python-hcl2 (7.x) ships its HCL grammar for the Lark parser generator. Building
the tables takes over a second, and importing Lark and restoring a Lark parser
took about 50 ms of each run: a quarter of a small Terraform run. So Lark is
used once, to build the parser and read its tables off it (`tables.py`), and
every run after that loads the tables (plain data) and parses with our LALR
driver (`lalr.py`), without importing Lark at all.

The tables are trusted only if our driver, given them, parses a set of probes
(every construct the reader meets, and texts with syntax errors) exactly as Lark
does: same trees, same failures. Otherwise (a Lark whose internals moved) Lark
parses, in this process, behind the same interface, and nothing is cached.

The cache is kept in the user's cache directory:

    $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint

Its file name is a hash of the grammar, of the installed Lark (its version file),
of our modules that make and run the tables and of the Python version, so an
upgrade never loads stale tables.
The file starts with a checksum of the rest: a damaged file is discarded and the
tables rebuilt. It is written to a private directory (mode 0700) and replaced
atomically; when no cache can be written the tables are simply kept in memory.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import pickle
import sys
from pathlib import Path

from iaclint.cache import cache_directory, read_entry, sealed, unsealed, write_entry
from iaclint.parse.hcl.lalr import LalrParser, ParseFailure, Parser, Tables, Tree

_HEADER = b"iaclint-hcl-tables/1\n"


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
    here = Path(__file__).parent
    ours = [(here / name).read_text(encoding="utf-8") for name in ("lalr.py", "tables.py")]
    python = "{}.{}".format(*sys.version_info[:2])
    key = "\x1f".join((grammar, lark_version, *ours, python))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_directory() / f"hcl2-tables-{digest}.pickle"


@functools.cache
def hcl_parser() -> Parser:
    """The HCL parser: our driver with the cached tables, or built and cached."""
    grammar = grammar_text()
    path = cache_file(grammar)
    tables = _load(path)
    if tables is not None:
        return LalrParser(tables)
    return _build(grammar, path)


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
    from iaclint.parse.hcl import tables as made

    lark = made.LarkParser(made.build(grammar))
    try:
        tables = made.tables_of(lark.parser)
    except made.TablesUnavailable:
        return lark
    ours = LalrParser(tables)
    if not agree(ours, lark):
        return lark
    write_entry(path, sealed(_HEADER, pickle.dumps(tables, protocol=pickle.HIGHEST_PROTOCOL)))
    return LalrParser(tables)  # fresh: no lexer state from the probes


def agree(ours: Parser, theirs: Parser) -> bool:
    """Whether two parsers give the same tree or the same failure for every probe."""
    return all(outcome(ours, text) == outcome(theirs, text) for text in (_PROBE, *_BAD_PROBES))


def outcome(parser: Parser, text: str) -> Tree | tuple[int, object, frozenset[str]]:
    """The tree a parser gives for a text, or where and how it fails."""
    try:
        return parser.parse(text)
    except ParseFailure as failure:
        return failure.offset, failure.token, failure.expected
