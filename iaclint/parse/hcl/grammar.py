"""python-hcl2's grammar, loaded once per process from a cache we control.

python-hcl2 (7.x) ships its HCL grammar for the Lark parser generator. Building
the parse tables takes over a second; python-hcl2 caches them beside its own
package, which is often not writable (a system or CI install), and then every
process pays again. We build the parser from the same grammar file ourselves,
without position propagation (tokens carry their offsets anyway, and it makes
parsing about 40% faster), and keep the tables in the user's cache directory:

    $IACLINT_CACHE_DIR, else $XDG_CACHE_HOME/iaclint, else ~/.cache/iaclint

The cache file name is a hash of the grammar, the Lark and Python versions and
the options, so an upgrade never loads stale tables. It is written to a private
directory (mode 0700) and replaced atomically; when no cache can be written the
parser is simply built in memory.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from iaclint.cache import cache_directory

_OPTIONS: dict[str, Any] = {"parser": "lalr", "propagate_positions": False}


def grammar_text() -> str:
    from importlib.resources import files

    return (files("hcl2") / "hcl2.lark").read_text(encoding="utf-8")


def cache_file(grammar: str) -> Path:
    import lark

    python = "{}.{}".format(*sys.version_info[:2])
    key = "\x1f".join((grammar, lark.__version__, python, repr(sorted(_OPTIONS.items()))))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_directory() / f"hcl2-grammar-{digest}.lark"


@functools.cache
def hcl_parser() -> Any:
    """The Lark parser for HCL (loaded from the cache, or built and cached)."""
    from lark import Lark

    grammar = grammar_text()
    path = cache_file(grammar)
    try:
        with path.open("rb") as stream:
            return Lark.load(stream)
    except Exception:  # missing, unreadable or damaged: build it again
        pass
    parser = Lark(grammar, **_OPTIONS)
    _store(parser, path)
    return parser


def _store(parser: Any, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".lark")
        try:
            with os.fdopen(handle, "wb") as stream:
                parser.save(stream)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass  # no writable cache: this process keeps the parser it built
