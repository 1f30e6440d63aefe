"""Suppressions through the command line: comments in YAML and HCL, CloudFormation
Metadata (hand-written and as CDK synthesizes it), reasons, expiry, unused ones."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from iaclint.cli import main

from .test_cli import OPEN_SSH, write
from .test_sarif import validator

FOLDER = Path(__file__).parent / "data" / "suppressions"

# (file, line, policy, resource, suppressed with this reason or None)
EXPECTED = [
    (
        "cdk.out/Network.template.json",
        8,
        "IAC001",
        "Bastion0C5A1D2E",
        "bastion host, reviewed by security",
    ),
    ("cdk.out/Network.template.json", 25, "IAC001", "Legacy4B7F9A61", None),
    ("comments.yaml", 12, "IAC001", "Bastion", "bastion host, reviewed by security"),
    ("comments.yaml", 21, "IAC001", "Legacy", None),
    ("comments.yaml", 30, "IAC002", "Database", "public read replica, by design"),
    ("comments.yaml", 39, "unused-suppression", "", None),
    ("metadata.json", 10, "unused-suppression", "Bastion", None),
    ("metadata.json", 17, "IAC001", "Bastion", "bastion host, reviewed by security"),
    ("metadata.json", 29, "IAC001", "Legacy", None),
    (
        "terraform/main.tf",
        6,
        "IAC001",
        "aws_security_group.bastion",
        "bastion host, reviewed by security",
    ),
    ("terraform/main.tf", 15, "IAC001", "aws_security_group.legacy", None),
]

EXPIRED = [
    "cdk.out/Network.template.json:29:28",
    "comments.yaml:21:30",
    "metadata.json:24:32",
    "terraform/main.tf:15:33",
]


@pytest.fixture
def in_folder() -> Iterator[Path]:
    before = Path.cwd()
    os.chdir(FOLDER)
    try:
        yield FOLDER
    finally:
        os.chdir(before)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


def test_every_way_of_writing_a_suppression(
    in_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["--format", "json"], capsys)
    report = json.loads(out)
    seen = [
        (
            f["file"],
            f["line"],
            f["policy_id"],
            f["resource"],
            f["suppression"]["reason"] if f["suppression"] else None,
        )
        for f in report["findings"]
    ]
    assert seen == EXPECTED
    expired = [
        f"{d['file']}:{d['line']}:{d['column']}"
        for d in report["errors"]
        if "expired on 2020-06-30" in d["message"]
    ]
    assert sorted(expired) == EXPIRED
    assert len(report["errors"]) == len(EXPIRED)
    assert report["summary"]["suppressed"] == 5
    assert code == 1  # the expired and unused ones still count


def test_suppressed_findings_do_not_fail_the_run(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marked = OPEN_SSH.replace(
        "CidrIp: 0.0.0.0/0", 'CidrIp: 0.0.0.0/0  # iaclint: ignore[IAC001] reason="lab only"'
    )
    write(in_tmp, "stack.yaml", marked)
    code, out = run(["stack.yaml"], capsys)
    assert code == 0
    assert "(suppressed: lab only)" in out
    assert out.splitlines()[-1] == "No findings (1 suppressed) in 1 template."


@pytest.mark.parametrize(
    ("comment", "error"),
    [
        (
            "# iaclint: ignore[IAC001]",
            'suppression of IAC001 has no reason: add reason="why this is fine"',
        ),
        (
            '# iaclint: ignore[IAC001] reason=""',
            'suppression of IAC001 has no reason: add reason="why this is fine"',
        ),
        (
            '# iaclint: ignore[IAC001] reason="x" expires=tomorrow',
            "suppression: expires 'tomorrow' is not a date (YYYY-MM-DD)",
        ),
        (
            '# iaclint: ignore[IAC001] because="x"',
            "suppression: unknown field 'because' (expected reason and expires)",
        ),
        (
            '# iaclint: ignore IAC001 reason="x"',
            'unreadable iaclint comment: expected `iaclint: ignore[ID,...] reason="..." expires=YYYY-MM-DD`',
        ),
        ('# iaclint: ignore[] reason="x"', "suppression: expected policy ids, got ''"),
    ],
)
def test_a_bad_suppression_is_a_located_error_and_suppresses_nothing(
    comment: str, error: str, in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        in_tmp, "stack.yaml", OPEN_SSH.replace("CidrIp: 0.0.0.0/0", f"CidrIp: 0.0.0.0/0  {comment}")
    )
    code, out = run(["stack.yaml"], capsys)
    assert code == 2
    assert f"stack.yaml:11:30: error: {error}" in out.splitlines()
    assert "stack.yaml:11:11: IAC001 high" in out


def test_metadata_without_a_reason_is_an_error(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = OPEN_SSH.replace(
        "    Properties:\n",
        "    Metadata:\n      iaclint:\n        ignore:\n          - id: IAC001\n    Properties:\n",
        1,
    )
    write(in_tmp, "stack.yaml", template)
    code, out = run(["stack.yaml"], capsys)
    assert code == 2
    assert (
        'stack.yaml:8:13: error: suppression of IAC001 has no reason: add reason="why this is fine"'
        in out
    )


def test_metadata_and_comments_in_a_loop_cover_the_resources_it_generates(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        in_tmp,
        "loops.yaml",
        "Transform: AWS::LanguageExtensions\n"
        "Resources:\n"
        "  Fn::ForEach::Groups:\n"
        "    - Name\n"
        "    - [a, b]\n"
        "    - Group${Name}:\n"
        "        Type: AWS::EC2::SecurityGroup\n"
        "        Metadata:\n"
        "          iaclint:\n"
        "            ignore: [{id: IAC001, reason: bastions}]\n"
        "        Properties:\n"
        "          GroupDescription: g\n"
        "          SecurityGroupIngress:\n"
        "            - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}\n"
        "  Fn::ForEach::Rdp:\n"
        "    - Name\n"
        "    - [c]\n"
        "    - Rdp${Name}:\n"
        "        Type: AWS::EC2::SecurityGroup\n"
        "        Properties:\n"
        "          GroupDescription: g\n"
        "          SecurityGroupIngress:\n"
        '            # iaclint: ignore[IAC001] reason="jump host"\n'
        "            - {IpProtocol: tcp, FromPort: 3389, ToPort: 3389, CidrIp: 0.0.0.0/0}\n",
    )
    code, out = run(["--format", "json", "loops.yaml"], capsys)
    report = json.loads(out)
    assert report["errors"] == []
    assert sorted(
        (f["resource"], f["policy_id"], (f["suppression"] or {}).get("reason"))
        for f in report["findings"]
    ) == [
        ("Groupa", "IAC001", "bastions"),
        ("Groupb", "IAC001", "bastions"),
        ("Rdpc", "IAC001", "jump host"),
    ]
    assert code == 0


def test_suppressions_in_sarif_carry_their_justification(
    in_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(["--format", "sarif", "comments.yaml"], capsys)
    document: dict[str, Any] = json.loads(out)
    assert list(validator().iter_errors(document)) == []
    (run_,) = document["runs"]
    suppressed = [r for r in run_["results"] if "suppressions" in r]
    assert [r["suppressions"][0]["justification"] for r in suppressed] == [
        "bastion host, reviewed by security",
        "public read replica, by design",
    ]
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert suppressed[0]["suppressions"][0]["properties"] == {"expires": "2999-12-31"}
    unused = [r for r in run_["results"] if r["ruleId"] == "unused-suppression"]
    assert [r["level"] for r in unused] == ["note"]
    rule_ids = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert rule_ids[unused[0]["ruleIndex"]] == "unused-suppression"
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "comments.yaml:21:30: suppression of IAC001 expired on 2020-06-30: "
        "it no longer suppresses anything"
    ]


def test_unused_is_judged_only_for_policies_that_ran(
    in_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(["--format", "json", "--select", "IAC001", "comments.yaml"], capsys)
    policies = [f["policy_id"] for f in json.loads(out)["findings"]]
    assert policies == ["IAC001", "IAC001"]


def test_an_unreadable_file_reports_no_unused_suppressions(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = OPEN_SSH.replace(
        "CidrIp: 0.0.0.0/0", 'CidrIp: 0.0.0.0/0  # iaclint: ignore[IAC001] reason="lab"\n   bad: ['
    )
    write(in_tmp, "stack.yaml", broken)
    code, out = run(["--format", "json", "stack.yaml"], capsys)
    report = json.loads(out)
    assert code == 2
    assert report["findings"] == []
    assert [e["level"] for e in report["errors"]] == ["error"]


def test_expired_and_unused_show_in_the_review_formats(
    in_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = run(["--format", "github", "comments.yaml"], capsys)
    lines = out.splitlines()
    assert any(
        line.startswith("::error file=tests/data/suppressions/comments.yaml,line=39,")
        and "title=unused-suppression" in line
        for line in lines
    ), out
    assert any(
        line.startswith("::warning file=tests/data/suppressions/comments.yaml,line=21,col=30,")
        and "expired on 2020-06-30" in line
        for line in lines
    ), out
    _, out = run(["--format", "rdjson", "comments.yaml"], capsys)
    diagnostics = json.loads(out)["diagnostics"]
    assert [(d["location"]["range"]["start"]["line"], d["severity"]) for d in diagnostics] == [
        (21, "ERROR"),  # the finding whose suppression expired
        (39, "INFO"),  # unused
        (21, "WARNING"),  # the expiry itself
    ]


METADATA = "    Metadata:\n      iaclint:\n        ignore:\n          - id: {id}\n            reason: lab\n"

OPEN_SSH_TF = """\
resource "aws_security_group" "lab" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] // iaclint: ignore[IDS] reason="lab only"
  }
}
"""

OPEN_SSH_JSON = json.dumps(
    {
        "Resources": {
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Metadata": {"iaclint": {"ignore": [{"id": "IDS", "reason": "lab"}]}},
                "Properties": {
                    "GroupDescription": "ssh",
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}
                    ],
                },
            }
        }
    },
    indent=2,
)


def yaml_comment(ids: str) -> tuple[str, str]:
    marked = f'CidrIp: 0.0.0.0/0  # iaclint: ignore[{ids}] reason="lab only"'
    return "stack.yaml", OPEN_SSH.replace("CidrIp: 0.0.0.0/0", marked)


def yaml_metadata(ids: str) -> tuple[str, str]:
    entry = METADATA.format(id=f"[{ids}]")
    return "stack.yaml", OPEN_SSH.replace("    Properties:\n", entry + "    Properties:\n", 1)


def json_metadata(ids: str) -> tuple[str, str]:
    return "stack.json", OPEN_SSH_JSON.replace('"IDS"', json.dumps(ids.split(",")))


def terraform_comment(ids: str) -> tuple[str, str]:
    return "main.tf", OPEN_SSH_TF.replace("IDS", ids)


# (how it is written, where the suppression is, where the finding is)
WAYS = [
    (yaml_comment, "stack.yaml:11:30", "stack.yaml:11:11"),
    (yaml_metadata, "stack.yaml:8:13", "stack.yaml:16:11"),
    (json_metadata, "stack.json:8:13", "stack.json:22:13"),
    (terraform_comment, "main.tf:6:33", "main.tf:6:20"),
]


@pytest.mark.parametrize(("way", "suppression", "finding"), WAYS)
@pytest.mark.parametrize(
    ("ids", "errors"),
    [
        ("IAC0010", ["suppression names unknown policy id 'IAC0010' (did you mean IAC010?)"]),
        ("iac001", ["suppression names unknown policy id 'iac001' (did you mean IAC001?)"]),
        (
            "network",
            [
                "suppression names the category 'network': a suppression names policy ids "
                "(iaclint --list-policies shows them)"
            ],
        ),
        (
            "IAC001,IAC0200,encryption",
            [
                "suppression names unknown policy id 'IAC0200' (did you mean IAC020?)",
                "suppression names the category 'encryption': a suppression names policy ids "
                "(iaclint --list-policies shows them)",
            ],
        ),
    ],
)
def test_a_suppression_naming_no_policy_is_a_located_error(
    way: Callable[[str], tuple[str, str]],
    suppression: str,
    finding: str,
    ids: str,
    errors: list[str],
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(in_tmp, *way(ids))
    code, out = run(["--color", "never"], capsys)
    assert code == 2
    lines = out.splitlines()
    assert [line for line in lines if ": error: " in line] == [
        f"{suppression}: error: {error}" for error in errors
    ]
    # The finding is reported, and it counts: a suppression naming a typo suppresses nothing.
    assert any(line.startswith(f"{finding}: IAC001 high") for line in lines), out
    assert "suppressed" not in out


@pytest.mark.parametrize(("way", "suppression", "finding"), WAYS)
def test_a_suppression_naming_policies_still_works(
    way: Callable[[str], tuple[str, str]],
    suppression: str,
    finding: str,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # IAC062 is off until configured and IAC003 not run: both are policies all the same.
    write(in_tmp, *way("IAC001,IAC062,IAC003"))
    code, out = run(["--color", "never", "--ignore", "IAC003"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith(f"{finding}: IAC001 high")
    assert out.splitlines()[-1].startswith("No findings (1 suppressed)")
