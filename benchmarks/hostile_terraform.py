"""Hostile Terraform inputs: each function writes one into a folder and returns its path.

    python benchmarks/hostile_terraform.py FOLDER

Every input is a root module (a directory) that a pull request could contain; a
run over it must end, in bounded time and memory, with a located error and
without reading anything outside the linted tree. With a folder, every input is
written into a subfolder of it named after the function, for measuring by hand
(`/usr/bin/time -v iaclint --no-cache FOLDER/NAME`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

# A root with a known finding, written beside each hostile one: it must still be reported.
GOOD_TF = """\
resource "aws_security_group" "open" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
HUGE_NUMBER = "9" * 5000
# A resource whose name is the value under test: values are evaluated when used.
_BUCKET = 'resource "aws_s3_bucket" "b" {{\n  bucket = {}\n}}\n'


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def good(folder: Path) -> Path:
    return _write(folder / "main.tf", GOOD_TF).parent


def huge_number_tf(folder: Path) -> Path:
    _write(folder / "main.tf", f"locals {{\n  big = {HUGE_NUMBER}\n}}\n")
    return folder


def huge_number_tfvars(folder: Path) -> Path:
    _write(folder / "main.tf", 'variable "big" {}\n')
    _write(folder / "terraform.tfvars", f"big = {HUGE_NUMBER}\n")
    return folder


def huge_number_var_file(folder: Path) -> Path:
    """The var file (pass it with `--var-file`); the root beside it declares the variable."""
    _write(folder / "root" / "main.tf", 'variable "big" {}\n')
    return _write(folder / "huge.tfvars", f"big = {HUGE_NUMBER}\n")


def deep_expression(folder: Path) -> Path:
    depth = 2000
    _write(folder / "main.tf", "locals {\n  deep = " + "[" * depth + "1" + "]" * depth + "\n}\n")
    return folder


def deep_locals(folder: Path) -> Path:
    """A chain of 5000 locals, each naming the one before."""
    lines = ["locals {", "  l0 = 1"]
    lines += [f"  l{index} = local.l{index - 1}" for index in range(1, 5000)]
    lines.append("}")
    lines.append(_BUCKET.format("local.l4999"))
    _write(folder / "main.tf", "\n".join(lines) + "\n")
    return folder


def regex_backtracking(folder: Path) -> Path:
    text = "a" * 40 + "!"
    _write(
        folder / "main.tf",
        "locals {\n"
        f'  r = regexall("(a+)+$", "{text}")\n'
        f'  s = replace("{text}", "/(a|aa)+$/", "b")\n'
        f'  t = regex("(a*)*b", "{text}")\n'
        "}\n" + _BUCKET.format('"${local.s}-${length(local.r)}-${local.t}"'),
    )
    return folder


def huge_count(folder: Path) -> Path:
    _write(
        folder / "main.tf",
        'resource "aws_security_group" "many" {\n'
        "  count = 1000000000000\n"
        "  ingress {\n"
        "    from_port   = 22\n"
        "    to_port     = 22\n"
        '    protocol    = "tcp"\n'
        '    cidr_blocks = ["10.0.0.0/8"]\n'
        "  }\n"
        "}\n",
    )
    return folder


def huge_for_each(folder: Path) -> Path:
    _write(
        folder / "main.tf",
        'resource "aws_s3_bucket" "many" {\n'
        "  for_each = toset([for i in range(100000000) : tostring(i)])\n"
        "  bucket   = each.key\n"
        "}\n",
    )
    return folder


def huge_range(folder: Path) -> Path:
    _write(folder / "main.tf", _BUCKET.format("length(range(1000000000000))"))
    return folder


def string_doubling(folder: Path) -> Path:
    """30 doublings of a 2-character string: 2 GiB, through format, join and concat."""
    functions = [
        'format("%s%s", local.s{0}, local.s{0})',
        'join("", [local.s{0}, local.s{0}])',
        'join("", concat([local.s{0}], [local.s{0}]))',
    ]
    lines = ["locals {", '  s0 = "ab"']
    for level in range(1, 31):
        call = functions[level % len(functions)].format(level - 1)
        lines.append(f"  s{level} = {call}")
    lines.append("}")
    lines.append(_BUCKET.format("local.s30"))
    _write(folder / "main.tf", "\n".join(lines) + "\n")
    return folder


def json_of_references(folder: Path) -> Path:
    """jsonencode() of 100,000 references to one 15 MB string: small until written."""
    _write(
        folder / "main.tf",
        "locals {\n"
        '  s = join("", [for i in range(15000) : "%s"])\n'
        "  j = jsonencode([for i in range(100000) : local.s])\n"
        "}\n" % ("a" * 1000) + _BUCKET.format("local.j"),
    )
    return folder


def module_fan_out(folder: Path) -> Path:
    """Three levels of modules, each calling the next 100 times (a million leaf modules)."""
    _write(folder / "main.tf", 'module "m" {\n  source = "./l1"\n  count = 100\n}\n')
    _write(folder / "l1" / "main.tf", 'module "m" {\n  source = "../l2"\n  count = 100\n}\n')
    _write(folder / "l2" / "main.tf", 'module "m" {\n  source = "../l3"\n  count = 100\n}\n')
    _write(folder / "l3" / "main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    return folder


def module_doubling(folder: Path) -> Path:
    """20 levels of modules, each calling the next twice (a million leaf modules)."""
    _write(
        folder / "main.tf",
        'module "a" {\n  source = "./m1"\n}\nmodule "b" {\n  source = "./m1"\n}\n',
    )
    for level in range(1, 21):
        if level < 20:
            text = (
                f'module "a" {{\n  source = "../m{level + 1}"\n}}\n'
                f'module "b" {{\n  source = "../m{level + 1}"\n}}\n'
            )
        else:
            text = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
        _write(folder / f"m{level}" / "main.tf", text)
    return folder


def git_config_leak(folder: Path) -> Path:
    """A module reading the job's token from .git/config, as actions/checkout writes it."""
    _write(
        folder / ".git" / "config",
        '[http "https://github.com/"]\n'
        "\textraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX1NFQ1JFVA==\n",
    )
    root = folder / "infra"
    _write(root / "main.tf", 'module "m" {\n  source = "./m"\n}\n')
    _write(
        root / "m" / "main.tf",
        'resource "aws_instance" "leak" {\n'
        '  ami = "ami-12345678"\n'
        "  metadata_options {\n"
        '    http_tokens = file("../../.git/config")\n'
        "  }\n"
        "}\n",
    )
    return root


def module_outside(folder: Path) -> Path:
    _write(folder / "main.tf", 'module "etc" {\n  source = "../../../../../../../../etc"\n}\n')
    return folder


def _security_groups(path: Path, size: int) -> Path:
    """A `.tf` file of `size` bytes or a little less, packed with small security groups
    that each have a rule: the most work per byte a file can ask for."""
    blocks = []
    written = 0
    index = 0
    while True:
        block = (
            f'resource "aws_security_group" "{path.stem}{index}" {{\n  name = "web{index}"\n'
            "  ingress {\n    from_port = 443\n    to_port = 443\n"
            '    protocol = "tcp"\n    cidr_blocks = ["10.0.0.0/8"]\n  }\n}\n'
        )
        if written + len(block) > size:
            break
        blocks.append(block)
        written += len(block)
        index += 1
    return _write(path, "".join(blocks))


def densest_file(folder: Path) -> Path:
    """Just under the 2 MiB limit of one `.tf` file (about 12,000 security groups)."""
    _security_groups(folder / "main.tf", 2 * 1024 * 1024 - 4096)
    return folder


def densest_root(folder: Path) -> Path:
    """Files that fill the root module's 2.5 MiB, and one more that is refused."""
    _security_groups(folder / "a.tf", 2 * 1024 * 1024 - 4096)
    _security_groups(folder / "b.tf", 512 * 1024)
    _security_groups(folder / "c.tf", 2 * 1024 * 1024 - 4096)
    return folder


def sparse_tf(folder: Path) -> Path:
    """A 4 GiB `.tf` file that takes no disk space, in the root and in a module."""
    for path in (folder / "big.tf", folder / "m" / "big.tf"):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as stream:
            stream.write(b"locals {}\n")
            stream.truncate(4 * 1024**3)
    _write(folder / "main.tf", 'module "m" {\n  source = "./m"\n}\n')
    return folder


INPUTS: dict[str, Callable[[Path], Path]] = {
    function.__name__: function
    for function in (
        huge_number_tf,
        huge_number_tfvars,
        huge_number_var_file,
        deep_expression,
        deep_locals,
        regex_backtracking,
        huge_count,
        huge_for_each,
        huge_range,
        string_doubling,
        json_of_references,
        module_fan_out,
        module_doubling,
        git_config_leak,
        module_outside,
        densest_file,
        densest_root,
        sparse_tf,
    )
}


# Inputs given with --var-file (their root is the folder `root` beside them).
VAR_FILES = ("huge_number_var_file",)


def main(argv: list[str]) -> None:
    folder = Path(argv[0])
    good(folder / "good")
    for name, function in INPUTS.items():
        print(name, function(folder / name))


if __name__ == "__main__":
    main(sys.argv[1:])
