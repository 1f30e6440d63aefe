"""The floor: read every file under a directory with iaclint's own readers, and nothing else.

    python benchmarks/parse_only.py DIR

CloudFormation JSON/YAML through the template readers, `.tf` files through the HCL
reader, `.tf.json` files through the reader of Terraform's JSON syntax. No
adaptation, no policies, no report. Prints how many files it read.
"""

from __future__ import annotations

import sys

from iaclint.discover import discover
from iaclint.parse.cloudformation import mentions_template, read_template
from iaclint.parse.document import ParseError
from iaclint.parse.text import decode


def main(directory: str) -> int:
    read = 0
    found = discover([directory])
    for candidate in found.files:
        try:
            text = decode(candidate.path.read_bytes())
        except (OSError, ParseError):
            continue
        try:
            if candidate.path.suffix == ".tf":
                from iaclint.parse.hcl.reader import read_hcl

                read_hcl(text, candidate.shown)
            elif candidate.path.name.endswith(".tf.json"):
                from iaclint.parse.hcl.json_syntax import read_tf_json

                read_tf_json(text, candidate.shown)
            elif mentions_template(text):
                read_template(text, candidate.shown)
            else:
                continue
        except ParseError:
            pass
        read += 1
    print(f"read {read} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
