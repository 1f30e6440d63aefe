"""The build step pyproject.toml cannot declare: the HCL parse tables, built into the package.

The project's metadata is all in pyproject.toml. This file only adds to setuptools'
`build_py` the making of python-hcl2's parse tables with Lark (both are build
requirements), so that no lint run, and no worker process, ever builds them
(iaclint/parse/hcl/grammar.py). An editable install (`pip install -e`) runs the
package from the source tree: the tables are written there, next to the module
that loads them (and ignored by git).
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# Where the tables go, in the package (grammar.BUNDLED).
TABLES = Path("iaclint", "parse", "hcl", "hcl2-tables.pickle")


def _bundled_tables() -> bytes | None:
    # The package is imported from the source tree: the modules this needs import
    # nothing but the standard library and, to make the tables, Lark.
    sys.path.insert(0, str(ROOT))
    try:
        from iaclint.parse.hcl import grammar

        return grammar.bundle(grammar.grammar_text())
    finally:
        sys.path.remove(str(ROOT))


class BuildWithTables(build_py):
    def run(self) -> None:
        super().run()
        data = _bundled_tables()
        target = self._target()
        if data is None:
            # Lark is not built the way the tables are read off it: every run will
            # parse with Lark itself, as grammar.py falls back to.
            self.warn("the HCL parse tables could not be made with this Lark; not bundled")
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs: list[str] = super().get_outputs(include_bytecode)
        if not getattr(self, "editable_mode", False):
            outputs.append(str(self._target()))
        return outputs

    def _target(self) -> Path:
        if getattr(self, "editable_mode", False):
            return ROOT / TABLES
        return Path(self.build_lib) / TABLES


setup(cmdclass={"build_py": BuildWithTables})
