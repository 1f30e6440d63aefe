"""`--format github` (workflow commands) and `--format rdjson` (reviewdog), through the CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from iaclint.cli import main

from .conftest import ROOT
from .test_cli import OPEN_SSH, write


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(argv)
    return code, capsys.readouterr().out.splitlines()


def awkward_policy(folder: Path) -> None:
    """IAC001 under another id, with `%`, `:`, `,`, CR and LF in its title and message."""
    text = (ROOT / "policies" / "network" / "IAC001.yaml").read_text(encoding="utf-8")
    text = text.replace("id: IAC001", "id: ACME001")
    text = text.replace("title: SSH or RDP open to the world", 'title: "Ports: 22, 3389 at 100%"')
    text = text.replace(
        'message: "{ports} open to the whole internet from {value}"',
        'message: "100% open:\\r\\nto {value}, see below"',
    )
    write(folder, "policies/ACME001.yaml", text)


def test_github_annotations_escape_data_and_properties(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    awkward_policy(in_tmp)
    write(in_tmp, "web,prod:1%.yaml", OPEN_SSH)
    code, lines = run(
        ["--format", "github", "--policies", "policies", "--select", "ACME001", "."], capsys
    )
    assert code == 1
    assert lines[0] == (
        "::error file=web%2Cprod%3A1%25.yaml,line=11,endLine=11,col=11,endColumn=28,"
        "title=ACME001 Ports%3A 22%2C 3389 at 100%25 (high)"
        "::100%25 open:%0D%0Ato 0.0.0.0/0, see below [Group]"
    )
    assert lines[1].startswith("1 finding (1 high;")


def test_github_paths_from_the_repository_root_and_levels(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    subprocess.run(["git", "init", "-q", str(in_tmp)], check=True)
    write(in_tmp, "infra/db.yaml", OPEN_SSH.replace("22", "5432"))
    write(in_tmp, "infra/ssh.yaml", OPEN_SSH)
    write(in_tmp, "infra/broken.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: [\n')
    os.chdir(in_tmp / "infra")
    code, lines = run(["--format", "github", "--severity-threshold", "high", "."], capsys)
    assert code == 2
    assert lines[0].startswith("::warning file=infra/db.yaml,line=11,")  # below the threshold
    assert lines[1].startswith("::error file=infra/ssh.yaml,line=11,")
    assert lines[2].startswith("::error file=infra/broken.yaml,line=")
    assert ",title=iaclint::broken.yaml:" in lines[2]


def test_github_leaves_suppressed_findings_out(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        in_tmp,
        "stack.yaml",
        OPEN_SSH.replace("0.0.0.0/0", '0.0.0.0/0  # iaclint: ignore[IAC001] reason="lab"'),
    )
    code, lines = run(["--format", "github", "stack.yaml"], capsys)
    assert code == 0
    assert lines == ["No findings (1 suppressed) in 1 template."]


def test_rdjson_for_reviewdog(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A two-byte character before the value: reviewdog counts columns in UTF-8 bytes.
    template = OPEN_SSH.replace(
        "        - IpProtocol: tcp\n          FromPort: 22\n          ToPort: 22\n"
        "          CidrIp: 0.0.0.0/0\n",
        '        - {Description: "café", IpProtocol: tcp, FromPort: 22, ToPort: 22, '
        "CidrIp: 0.0.0.0/0}\n",
    )
    write(in_tmp, "stack.yaml", template)
    code = main(["--format", "rdjson", "stack.yaml"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    column = template.splitlines()[7].index("CidrIp") + 1
    assert document == {
        "source": {"name": "iaclint", "url": "https://github.com/iaclint/iaclint"},
        "diagnostics": [
            {
                "message": "22 open to the whole internet from 0.0.0.0/0 [Group]",
                "location": {
                    "path": "stack.yaml",
                    "range": {
                        "start": {"line": 8, "column": column + 1},
                        "end": {"line": 8, "column": column + 1 + len("CidrIp: 0.0.0.0/0")},
                    },
                },
                "severity": "ERROR",
                "source": {"name": "iaclint", "url": "https://github.com/iaclint/iaclint"},
                "code": {
                    "value": "IAC001",
                    "url": "https://github.com/iaclint/iaclint/blob/main/docs/policies/IAC001.md",
                },
            }
        ],
    }
