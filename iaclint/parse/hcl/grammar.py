"""python-hcl2's grammar, loaded once per process from a cache we control.

python-hcl2 (7.x) ships its HCL grammar for the Lark parser generator. Building
the parse tables takes over a second; python-hcl2 caches them beside its own
package, which is often not writable (a system or CI install), and then every
process pays again. We build the parser from the same grammar file ourselves,
without position propagation (tokens carry their offsets anyway, and it makes
parsing about 40% faster), and keep the tables in the user's cache directory:

    $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint

The cache holds the parser object itself, pickled whole: Lark's own `save`/`load`
rebuilds every table entry from a generic form and took about 65 ms of each run,
the unpickled object takes about 15. Lark tells shift from reduce by identity, so
those two markers are pickled by name; and since that relies on Lark's internals,
a parser is cached only when its unpickled copy gives the same tree for a probe
text as the parser built from the grammar. It is pickled before it has parsed
anything, so its lexer compiles the patterns of the states a file reaches, when
it reaches them. The file starts with a checksum of the rest: a damaged file is
discarded and the parser rebuilt.

The cache file name is a hash of the grammar, the Lark and Python versions and
the options, so an upgrade never loads stale tables. It is written to a private
directory (mode 0700) and replaced atomically; when no cache can be written the
parser is simply built in memory.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import pickle
import sys
import types
from pathlib import Path
from typing import Any

from iaclint.cache import cache_directory, read_entry, sealed, unsealed, write_entry

_OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": False}


# Every construct the reader meets, so that a parser restored from the cache is
# checked on all of them before it is trusted.
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


def grammar_text() -> str:
    # Found without importing python-hcl2 (its package imports more than we need).
    import importlib.util

    spec = importlib.util.find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("python-hcl2 is not installed")
    location = Path(next(iter(spec.submodule_search_locations)))
    return (location / "hcl2.lark").read_text(encoding="utf-8")


def cache_file(grammar: str) -> Path:
    import lark

    python = "{}.{}".format(*sys.version_info[:2])
    key = "\x1f".join(
        ("whole-object-2", grammar, lark.__version__, python, repr(sorted(_OPTIONS.items())))
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_directory() / f"hcl2-grammar-{digest}.lark"


@functools.cache
def hcl_parser() -> Any:
    """The Lark parser for HCL (loaded from the cache, or built and cached)."""
    Lark = _import_lark()
    grammar = grammar_text()
    path = cache_file(grammar)
    parser = _load(path, Lark)
    if parser is None:
        parser = Lark(grammar, **_OPTIONS)
        _store(parser, path)
    return parser


def _import_lark() -> Any:
    # Lark imports the `regex` package when it is installed (python-hcl2 installs
    # it), which costs about 15 ms, but only uses it for grammars that ask for it;
    # ours does not. It is hidden while Lark is imported, and visible afterwards.
    hidden = "regex" not in sys.modules
    if hidden:
        sys.modules["regex"] = None  # type: ignore[assignment]
    try:
        from lark import Lark
    finally:
        if hidden:
            del sys.modules["regex"]
    return Lark


_HEADER = b"iaclint-hcl-parser/2\n"


def _tree(parser: Any) -> str:
    return repr(parser.parse(_PROBE))


def _load(path: Path, lark_class: type) -> Any:
    payload = unsealed(_HEADER, read_entry(path))
    if payload is None:
        return None  # absent or damaged: rebuilt
    try:
        parser = pickle.loads(payload)
    except Exception:  # written by another Lark or Python after all: rebuilt
        return None
    return parser if isinstance(parser, lark_class) else None


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from lark.parsers import lalr_analysis

        if isinstance(obj, types.ModuleType):  # the lexer keeps the `re` module
            return importlib.import_module, (obj.__name__,)
        if isinstance(obj, lalr_analysis.Action):  # Shift and Reduce, compared by identity
            return getattr, (lalr_analysis, obj.name)
        return NotImplemented


def _store(parser: Any, path: Path) -> None:
    """Cache a parser that has not parsed yet, if its unpickled copy parses as it does."""
    try:
        stream = io.BytesIO()
        _Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL).dump(parser)
        payload = stream.getvalue()
        if _tree(pickle.loads(payload)) != _tree(parser):
            return  # Lark's internals are not what the pickling assumes
    except Exception:  # a Lark that cannot be pickled whole: this process keeps it
        return
    write_entry(path, sealed(_HEADER, payload))  # or not, when none can be
