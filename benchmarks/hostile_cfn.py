"""Hostile CloudFormation, YAML, JSON, CDK and baseline inputs.

Each function writes one input into `folder` and returns the path to lint, like
those of benchmarks/hostile.py (whose GOOD template goes beside each): the run must
end with a located error for it, or lint it, in bounded time and memory, and still
report the good template's finding. tests/test_hostile_cfn.py runs them all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

HEADER = "AWSTemplateFormatVersion: '2010-09-09'\n"
TOPIC = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n"
# Past Python's limit on converting integers to and from decimal text (4,300 digits).
DIGITS = 5_000


def _json_template(properties: str) -> str:
    return (
        '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"T": '
        f'{{"Type": "AWS::SNS::Topic", "Properties": {properties}}}}}}}'
    )


def long_integer_json(folder: Path) -> Path:
    path = folder / "long-integer.json"
    path.write_text(_json_template('{"X": ' + "9" * DIGITS + "}"), encoding="utf-8")
    return path


def long_hex_yaml(folder: Path) -> Path:
    path = folder / "long-hex.yaml"
    path.write_text(
        HEADER + TOPIC + "    Properties:\n      TopicName: !Join ['', [0x" + "f" * DIGITS + "]]\n",
        encoding="utf-8",
    )
    return path


def long_integer_plan(folder: Path) -> Path:
    path = folder / "plan.json"
    path.write_text(
        '{"format_version": "1.2", "planned_values": {"root_module": {"resources": []}}, '
        '"X": ' + "9" * DIGITS + "}",
        encoding="utf-8",
    )
    return path


def _assembly(folder: Path, manifest: str, name: str = "cdk.out") -> Path:
    """A cloud assembly with the given manifest text and one stack template."""
    assembly = folder / name
    assembly.mkdir()
    (assembly / "cdk.out").write_text('{"version": "36.0.0"}', encoding="utf-8")
    (assembly / "manifest.json").write_text(manifest, encoding="utf-8")
    (assembly / "Stack.template.json").write_text(
        _json_template('{"TopicName": "t"}'), encoding="utf-8"
    )
    return assembly


def _stack_artifact(metadata: object = None) -> dict[str, object]:
    artifact: dict[str, object] = {
        "type": "aws:cloudformation:stack",
        "properties": {"templateFile": "Stack.template.json"},
    }
    if metadata is not None:
        artifact["metadata"] = metadata
    return artifact


def long_integer_manifest(folder: Path) -> Path:
    manifest = json.dumps({"version": "36.0.0", "artifacts": {"Stack": _stack_artifact()}})
    return _assembly(folder, manifest[:-1] + ', "x": ' + "9" * DIGITS + "}")


def deep_manifest(folder: Path) -> Path:
    manifest = json.dumps({"version": "36.0.0", "artifacts": {"Stack": _stack_artifact()}})
    depth = 100_000
    return _assembly(folder, manifest[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}")


def self_nested_assembly(folder: Path) -> Path:
    """Stages whose nested assembly is the assembly itself, ten to a manifest."""
    artifacts: dict[str, object] = {"Stack": _stack_artifact()}
    for index in range(10):
        artifacts[f"Stage{index}"] = {
            "type": "cdk:cloud-assembly",
            "properties": {"directoryName": "."},
        }
    return _assembly(folder, json.dumps({"version": "36.0.0", "artifacts": artifacts}))


def long_construct_path(folder: Path) -> Path:
    """A construct path of 200,000 segments, below a nested stack."""
    path = "/Stack/" + "/".join(["c"] * 200_000) + "/Resource"
    metadata = {
        "/Stack/Nested": [{"type": "aws:cdk:templateFile", "data": "Stack.template.json"}],
        path: [{"type": "aws:cdk:logicalId", "data": "T"}],
    }
    manifest = {"version": "36.0.0", "artifacts": {"Stack": _stack_artifact(metadata)}}
    return _assembly(folder, json.dumps(manifest))


def backtracking_creation_stack(folder: Path) -> Path:
    """A creation-stack frame of 100,000 `a:1` pieces: a regex search of it backtracks."""
    frame = "at " + ":1" * 100_000 + "x"
    metadata = {
        "/Stack/T/Resource": [
            {"type": "aws:cdk:logicalId", "data": "T"},
            {"type": "aws:cdk:creationStack", "data": [frame, "at app.ts:" + "9" * DIGITS + ":1"]},
        ]
    }
    manifest = {"version": "36.0.0", "artifacts": {"Stack": _stack_artifact(metadata)}}
    return _assembly(folder, json.dumps(manifest))


def _sparse(path: Path, head: bytes) -> Path:
    """`head`, then zeros up to 4 GiB that take no disk space (a sparse file)."""
    with path.open("wb") as stream:
        stream.write(head)
        stream.truncate(4 * 1024**3)
    return path


def sparse_manifest(folder: Path) -> Path:
    """A 4 GiB manifest that takes no disk space (a sparse file)."""
    assembly = _assembly(folder, "")
    _sparse(assembly / "manifest.json", b'{"artifacts": {}}')
    return assembly


def sparse_template(folder: Path) -> Path:
    return _sparse(folder / "sparse.json", b'{"AWSTemplateFormatVersion": "2010-09-09"}')


def unicode_select_index(folder: Path) -> Path:
    path = folder / "select.yaml"
    path.write_text(
        HEADER + TOPIC + "    Properties:\n      TopicName: !Select ['²', [a, b, c]]\n",
        encoding="utf-8",
    )
    return path


def self_mapping(folder: Path) -> Path:
    """An `Fn::FindInMap` whose entry is that same `Fn::FindInMap`."""
    path = folder / "mapping.yaml"
    path.write_text(
        HEADER + "Mappings:\n  M:\n    a:\n      b: !FindInMap [M, a, b]\n"
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        "      TopicName: !FindInMap [M, a, b]\n",
        encoding="utf-8",
    )
    return path


def loop_bomb(folder: Path) -> Path:
    """`Fn::ForEach` loops nested three deep over 100 names: a million security groups."""
    names = "[" + ", ".join(f"n{index}" for index in range(100)) + "]"
    path = folder / "loops.yaml"
    path.write_text(
        HEADER + "Transform: AWS::LanguageExtensions\nResources:\n"
        f"  Fn::ForEach::A:\n    - A\n    - {names}\n"
        f"    - Fn::ForEach::B:\n        - B\n        - {names}\n"
        f"        - Fn::ForEach::C:\n            - C\n            - {names}\n"
        "            - Group${A}${B}${C}:\n"
        "                Type: AWS::EC2::SecurityGroup\n"
        "                Properties:\n"
        "                  GroupDescription: g\n"
        "                  SecurityGroupIngress:\n"
        "                    - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n",
        encoding="utf-8",
    )
    return path


def condition_chain(folder: Path) -> Path:
    """1,100 conditions, each `{Condition: next}`, the last an `Fn::Equals`."""
    count = 1_100
    lines = [HEADER.rstrip(), "Parameters:", "  Env: {Type: String}", "Conditions:"]
    lines += [f"  C{index}: {{Condition: C{index + 1}}}" for index in range(count)]
    lines.append(f"  C{count}: !Equals [!Ref Env, prod]")
    lines += [
        "Resources:",
        "  T:",
        "    Type: AWS::SNS::Topic",
        "    Condition: C0",
        "    Properties:",
        "      TopicName: !If [C0, a, b]",
    ]
    path = folder / "chain.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _alias_bomb_lines() -> list[str]:
    lines = [HEADER.rstrip(), "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    return lines


def alias_bomb_in_conditions(folder: Path) -> Path:
    lines = [
        *_alias_bomb_lines(),
        "Parameters:",
        "  Env: {Type: String}",
        "Conditions:",
        "  Big: !Equals [!Ref Env, *a9]",
        "Resources:",
        "  T:",
        "    Type: AWS::SNS::Topic",
        "    Condition: Big",
        "    Properties:",
        "      TopicName: !If [Big, a, b]",
    ]
    path = folder / "conditions-bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _joins(parts: int, text: int) -> str:
    joined = ", ".join(["*s"] * parts)
    sub = "${A}" * parts
    return (
        HEADER + f"s: &s {'x' * text}\n" + TOPIC + "    Properties:\n"
        f"      TopicName: !Join ['', [{joined}]]\n"
        f"      DisplayName: !Sub ['{sub}', {{A: *s}}]\n"
    )


def long_join(folder: Path) -> Path:
    """`Fn::Join` and `Fn::Sub` of 20,000 parts, each a 100-character text: 2 MB each,
    built in quadratic time when each part is added to the text built so far."""
    path = folder / "join.yaml"
    path.write_text(_joins(20_000, 100), encoding="utf-8")
    return path


def joined_alias_text(folder: Path) -> Path:
    """`Fn::Join` and `Fn::Sub` of 20,000 aliases of a 10,000-character text: 200 MB each."""
    path = folder / "join-bomb.yaml"
    path.write_text(_joins(20_000, 10_000), encoding="utf-8")
    return path


def sexagesimal(folder: Path) -> Path:
    """A YAML 1.1 base-60 integer of a million places (about 1.8 million digits)."""
    path = folder / "base60.yaml"
    path.write_text(
        HEADER + TOPIC + "    Properties:\n      X: 1" + ":0" * 1_000_000 + "\n", encoding="utf-8"
    )
    return path


def star_action(folder: Path) -> Path:
    """An IAM action of 5,000 stars and a letter: a backtracking regex takes forever."""
    path = folder / "stars.yaml"
    path.write_text(
        HEADER + "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n"
        "          - Effect: Allow\n"
        f"            Action: '{'*' * 2_500}?{'*' * 2_500}X'\n"
        f"            Resource: '{'*' * 2_500}?{'*' * 2_500}X'\n",
        encoding="utf-8",
    )
    return path


def bad_baseline(folder: Path) -> Path:
    """A baseline nested 100,000 deep beside a template (use with `--baseline`)."""
    path = folder / "baseline.json"
    depth = 100_000
    path.write_text(
        '{"iaclint-baseline": 1, "findings": [], "x": ' + "[" * depth + "]" * depth + "}",
        encoding="utf-8",
    )
    return path


def long_integer_baseline(folder: Path) -> Path:
    path = folder / "baseline.json"
    path.write_text(
        '{"iaclint-baseline": 1, "findings": [], "x": ' + "9" * DIGITS + "}", encoding="utf-8"
    )
    return path


def sparse_baseline(folder: Path) -> Path:
    return _sparse(folder / "baseline.json", b'{"iaclint-baseline": 1, "findings": []}')


def locked_directory(folder: Path) -> Path:
    """A directory no one but root may enter, holding a template."""
    locked = folder / "locked"
    locked.mkdir()
    (locked / "inside.yaml").write_text(HEADER + TOPIC, encoding="utf-8")
    os.chmod(locked, 0)
    return locked


# For benchmarks/hostile.py's table: each input with its label; the baselines are
# given with --baseline, the rest are linted.
INPUTS: list[tuple[str, Callable[[Path], Path]]] = [
    ("alias bomb in Conditions", alias_bomb_in_conditions),
    ("Join/Sub of aliased long text", joined_alias_text),
    ("Join/Sub of 20,000 parts", long_join),
    ("YAML base-60 of 10^6 places", sexagesimal),
    (f"YAML hex of {DIGITS:,} digits", long_hex_yaml),
    (f"JSON integer of {DIGITS:,} digits", long_integer_json),
    (f"plan integer of {DIGITS:,} digits", long_integer_plan),
    (f"manifest integer of {DIGITS:,} digits", long_integer_manifest),
    ("manifest nested 100,000 deep", deep_manifest),
    ("nested assembly '.'", self_nested_assembly),
    ("construct path of 200,000 parts", long_construct_path),
    ("backtracking creation stack", backtracking_creation_stack),
    ("4 GiB sparse manifest", sparse_manifest),
    ("4 GiB sparse template", sparse_template),
    ("Unicode Fn::Select index", unicode_select_index),
    ("Fn::FindInMap naming itself", self_mapping),
    ("chain of 1,100 conditions", condition_chain),
    ("Fn::ForEach of a million resources", loop_bomb),
    ("IAM action of 5,000 stars", star_action),
    ("directory no one may enter", locked_directory),
]
BASELINES: list[tuple[str, Callable[[Path], Path]]] = [
    ("baseline nested 100,000 deep", bad_baseline),
    (f"baseline integer of {DIGITS:,} digits", long_integer_baseline),
    ("4 GiB sparse baseline", sparse_baseline),
]
