"""The cycle collector is paused while a reader builds its tree, and resumed after."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from iaclint import collector
from iaclint.parse.document import ParseError
from iaclint.parse.hcl.reader import read_hcl
from iaclint.parse.json_reader import read_json
from iaclint.parse.yaml_reader import read_yaml


@pytest.fixture
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def _fail_while_paused() -> None:
    with collector.paused():
        assert not gc.isenabled()
        raise LookupError("failed while paused")


def test_paused_resumes_the_collector_even_after_an_error(collecting: None) -> None:
    with pytest.raises(LookupError, match="failed while paused"):
        _fail_while_paused()
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_outer_one_to_resume(collecting: None) -> None:
    with collector.paused():
        with collector.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.parametrize(
    ("read", "text"),
    [
        (read_hcl, 'locals {\n  a = "x"\n'),
        (read_json, '{"a": '),
        (read_yaml, "a: [\n"),
    ],
)
def test_readers_resume_the_collector_when_the_text_is_broken(
    collecting: None, read: Callable[[str, str], object], text: str
) -> None:
    with pytest.raises(ParseError):
        read(text, "broken")
    assert gc.isenabled()
    read_json('{"a": 1}', "fine")
    assert gc.isenabled()


def test_the_run_collects_its_youngest_objects_less_often() -> None:
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)  # Python's own
        collector.tune()
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, 10, 10)
    finally:
        gc.set_threshold(*before)


_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !If [IsProd, 10.0.0.0/8, 0.0.0.0/0]}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      Tags: [{Key: Name, Value: !Sub "${AWS::StackName}-q"}]
Outputs:
  GroupId:
    Value: !GetAtt Group.GroupId
"""


def test_a_linted_template_is_freed_without_the_collector(tmp_path: Path) -> None:
    """The graph, its locations and the document refer to one another without a
    cycle: a template's work is freed as soon as it is done, not by collections
    walking everything it built while the next template is linted."""
    from iaclint.catalog import builtin_policy_dir, load_policies
    from iaclint.discover import Candidate
    from iaclint.file_work import lint_file

    path = tmp_path / "stack.yaml"
    path.write_text(_TEMPLATE, encoding="utf-8")
    policies, _ = load_policies([builtin_policy_dir()], display_root=tmp_path, use_cache=False)
    candidate = Candidate(path, "stack.yaml")
    lint_file(candidate, policies)  # caches filled once, outside the measure
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        result = lint_file(candidate, policies)
        assert result.findings  # the template was linted, not skipped
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
