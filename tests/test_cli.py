"""The command line, end to end, in the process (main(argv) returns the exit code)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from iaclint import __version__
from iaclint.cli import main

from .conftest import FIXTURES

OPEN_SSH = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""

OPEN_DB = OPEN_SSH.replace("22", "5432")

CLEAN = OPEN_SSH.replace("0.0.0.0/0", "10.0.0.0/8")


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_findings_exit_1_with_located_text(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    assert main(["--color", "never"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "stack.yaml:11:11: IAC001 high 22 open to the whole internet from 0.0.0.0/0 [Group]"
    )
    assert out[1] == "       11 |           CidrIp: 0.0.0.0/0"
    assert out[-1].startswith("1 finding (1 high; 1 at or above low) in 1 file; 1 template linted")


def test_clean_exit_0(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", CLEAN)
    write(in_tmp, ".github/workflows/ci.yml", "on: push\njobs: {}\n")
    write(in_tmp, "package.json", '{"name": "x", "version": "1.0.0"}')
    write(in_tmp, "k8s.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")
    assert main([]) == 0
    assert capsys.readouterr().out == "No findings in 1 template, 3 other files skipped.\n"


def test_threshold(in_tmp: Path) -> None:
    write(in_tmp, "db.yaml", OPEN_DB)
    assert main(["--severity-threshold", "high"]) == 0
    assert main(["--severity-threshold", "medium"]) == 1
    assert main(["--severity-threshold", "urgent"]) == 2


def test_bad_file_gives_exit_2_after_linting_the_others(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "a-broken.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources: [\n")
    write(in_tmp, "b-open.yaml", OPEN_SSH)
    write(in_tmp, "c-broken.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {,}}')
    assert main(["--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert [f["file"] for f in report["findings"]] == ["b-open.yaml"]
    errors = [(e["file"], e["line"]) for e in report["errors"]]
    assert errors == [("a-broken.yaml", 3), ("c-broken.json", 1)]
    assert report["summary"]["templates_linted"] == 1


def test_json_report_fields(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    main(["--format", "json", "stack.yaml"])
    report = json.loads(capsys.readouterr().out)
    (finding,) = report["findings"]
    assert finding == {
        "policy_id": "IAC001",
        "title": "SSH or RDP open to the world",
        "category": "network",
        "severity": "high",
        "file": "stack.yaml",
        "line": 11,
        "column": 11,
        "end_line": 11,
        "end_column": 28,
        "resource": "Group",
        "resource_type": "AWS::EC2::SecurityGroup",
        "construct_path": None,
        "related": [],
        "attribute": "Properties.SecurityGroupIngress[0].CidrIp",
        "conditions": [],
        "message": "22 open to the whole internet from 0.0.0.0/0",
        "fingerprint": finding["fingerprint"],
        "suppression": None,
        "outside_diff": False,
    }
    assert [p["id"] for p in report["policies"]] == sorted(p["id"] for p in report["policies"])


def test_fingerprint_survives_moved_lines(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(in_tmp, "stack.yaml", OPEN_SSH)
    main(["--format", "json"])
    before = json.loads(capsys.readouterr().out)["findings"][0]
    path.write_text("# a comment\n\n" + OPEN_SSH.replace("ssh", "ssh access"), encoding="utf-8")
    main(["--format", "json"])
    after = json.loads(capsys.readouterr().out)["findings"][0]
    assert after["line"] == before["line"] + 2
    assert after["fingerprint"] == before["fingerprint"]


def test_output_file(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH)
    assert main(["-o", "report.json", "--format", "json"]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads((in_tmp / "report.json").read_text())["findings"]
    assert main(["-o", str(in_tmp / "missing-dir" / "r.txt")]) == 2


def test_output_to_a_pipe_writes_into_it(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `-o /dev/null`, `-o /dev/stdout` or a named pipe: the report goes into it, and the
    # pipe stays a pipe (renaming a file over it would replace it, even /dev/null as root).
    write(in_tmp, "stack.yaml", OPEN_SSH)
    pipe = in_tmp / "report.pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(
        target=lambda: received.append(pipe.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    assert main(["-o", str(pipe), "--format", "json", "stack.yaml"]) == 1
    reader.join(timeout=30)
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert json.loads(received[0])["findings"][0]["policy_id"] == "IAC001"
    assert not list(in_tmp.glob(".report.pipe.*"))
    # A folder is not written over: a located error, exit 2.
    assert main(["-o", str(in_tmp), "stack.yaml"]) == 2
    assert f"cannot write {in_tmp}" in capsys.readouterr().err


def test_select_and_ignore(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", OPEN_SSH + "  I: {Type: AWS::EC2::Instance}\n")
    main(["--format", "json", "--select", "imds"])
    assert [f["policy_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["IAC003"]
    main(["--format", "json", "--ignore", "IAC003,IAC002"])
    assert [f["policy_id"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["IAC001"]
    assert main(["--select", "IAC999"]) == 2
    assert "--select: error: unknown policy id or category 'IAC999'" in capsys.readouterr().err


def test_show_unknown(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = OPEN_SSH.replace("CidrIp: 0.0.0.0/0", "CidrIp: !Ref Source").replace(
        "Resources:", "Parameters:\n  Source: {Type: String}\nResources:"
    )
    write(in_tmp, "stack.yaml", text)
    assert main([]) == 0
    assert "unknown" not in capsys.readouterr().out
    assert main(["--show-unknown"]) == 0
    assert "IAC001 unknown parameter Source has no default [Group]" in capsys.readouterr().out


def test_extra_policy_folder(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = in_tmp / "mine"
    source = (Path(__file__).parent.parent / "policies" / "network" / "IAC001.yaml").read_text()
    write(
        folder,
        "X.yaml",
        source.replace("id: IAC001", "id: ORG100").replace("severity: high", "severity: low"),
    )
    write(in_tmp, "stack.yaml", OPEN_SSH)
    main(["--policies", "mine", "--format", "json", "stack.yaml"])
    ids = [f["policy_id"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert ids == ["IAC001", "ORG100"]
    write(folder, "Broken.yaml", "id: ORG101\n")
    assert main(["--policies", "mine", "stack.yaml"]) == 2
    assert (
        "mine/Broken.yaml:1:1: error: bad policy: missing required field 'title'"
        in capsys.readouterr().out
    )


def test_list_policies(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-policies"]) == 0
    out = capsys.readouterr().out
    assert "network:\n  IAC001  high      SSH or RDP open to the world\n" in out
    assert out.index("network:") < out.index("imds:")


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"iaclint {__version__}\n"
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "examples:" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "xml"]) == 2
    error = capsys.readouterr().err
    assert "unknown format 'xml'" in error and "sarif, github, rdjson, junit" in error
    with pytest.raises(SystemExit) as exit_info:
        main(["--color", "sometimes"])
    assert exit_info.value.code == 2


def test_missing_path_is_exit_2(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "stack.yaml", CLEAN)
    assert main(["stack.yaml", "nope"]) == 2
    assert "nope: error: no such file or directory" in capsys.readouterr().out


def test_config_overrides_and_flags_win(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, "db.yaml", OPEN_DB)
    write(
        in_tmp,
        ".iaclint.toml",
        'severity-threshold = "high"\n[severity]\nIAC002 = "critical"\n',
    )
    assert main(["--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["findings"][0]["severity"] == "critical"
    write(in_tmp, ".iaclint.toml", "[parameters.IAC002]\nallowed_ports = [5432]\n")
    assert main([]) == 0
    capsys.readouterr()
    write(in_tmp, ".iaclint.toml", 'severity-threshold = "high"\n')
    assert main([]) == 0
    assert main(["--severity-threshold", "low"]) == 1


def test_config_errors_name_the_key(in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(in_tmp, ".iaclint.toml", 'select = ["IAC001"]\nthreshold = "high"\n')
    assert main([]) == 2
    assert ".iaclint.toml:2: error: 'threshold': unknown key" in capsys.readouterr().err
    write(in_tmp, ".iaclint.toml", "select = 'IAC001'\n")
    assert main([]) == 2
    assert "'select': must be a list of strings" in capsys.readouterr().err
    write(in_tmp, "pyproject.toml", '[tool.iaclint]\nseverity-threshold = "urgent"\n')
    (in_tmp / ".iaclint.toml").unlink()
    assert main([]) == 2
    assert "pyproject.toml:2: error: 'tool.iaclint.severity-threshold'" in capsys.readouterr().err
    write(in_tmp, "pyproject.toml", "[tool.iaclint\n")
    assert main([]) == 2
    assert "invalid TOML" in capsys.readouterr().err
    write(
        in_tmp,
        "pyproject.toml",
        "[tool.iaclint]\n[tool.iaclint.parameters.IAC002]\nallowed_ports = 'x'\n",
    )
    assert main([]) == 2
    assert (
        "pyproject.toml:3: error: parameter 'allowed_ports' of policy IAC002 must be list[int]"
        in capsys.readouterr().err
    )


def test_bundled_fixtures_show_both_families(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--format", "json", str(FIXTURES)]) == 1
    report = json.loads(capsys.readouterr().out)
    seen = {(f["policy_id"], Path(f["file"]).suffix) for f in report["findings"]}
    for policy in ("IAC001", "IAC003"):
        assert {(policy, ".yaml"), (policy, ".json")} <= seen
    assert report["errors"] == []


def test_module_entry_point_and_console_script(tmp_path: Path) -> None:
    write(tmp_path, "stack.yaml", OPEN_SSH)
    run = subprocess.run(
        [sys.executable, "-m", "iaclint", "stack.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1
    assert run.stdout.startswith("stack.yaml:11:11: IAC001 high")
    assert run.stderr == ""
    script = shutil.which("iaclint")
    if script is not None:
        assert subprocess.run(
            [script, "--version"], capture_output=True, text=True
        ).stdout.startswith("iaclint")


def test_internal_error_is_one_line(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import iaclint.run

    def broken(*args: object) -> None:
        raise RuntimeError("something broke")

    monkeypatch.setattr(iaclint.run, "lint", broken)
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("iaclint: internal error: a defect in iaclint on this run (RuntimeError)")
    assert "something broke" not in err  # an exception's text may quote the input
    assert "Traceback" not in err


def test_one_skipped_file_is_counted_in_the_singular(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, "stack.yaml", CLEAN)
    write(in_tmp, "package.json", '{"name": "x", "version": "1.0.0"}')
    assert main([]) == 0
    assert capsys.readouterr().out == "No findings in 1 template, 1 other file skipped.\n"


def test_every_mistake_in_the_configuration_is_reported_in_one_run(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "good.yaml").write_text(
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n", encoding="utf-8"
    )
    write(
        in_tmp,
        ".iaclint.toml",
        'severity-threshold = "severe"\n'
        'select = "network"\n'
        "bogus = 1\n"
        'format = "json"\n'
        'ignore = ["IAC999"]\n'
        "\n"
        "[severity]\n"
        'IAC001 = "huge"\n'
        'IAC998 = "low"\n'
        "IAC002 = 'high'\n",
    )
    assert main(["--select", "NOPE", "good.yaml"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing linted
    lines = captured.err.splitlines()
    # One line each, located, in the file's order (the keys' own checks and those
    # against the policies alike), then the command line's.
    assert [line.split(": error: ")[0] for line in lines] == [
        ".iaclint.toml:1",
        ".iaclint.toml:2",
        ".iaclint.toml:3",
        ".iaclint.toml:4",
        ".iaclint.toml:5",
        ".iaclint.toml:8",
        ".iaclint.toml:9",
        "--select",
    ]
    assert "'severity-threshold'" in lines[0] and "'select'" in lines[1]
    assert "'bogus'" in lines[2] and "--format" in lines[3] and "'IAC999'" in lines[4]
    assert "'severity.IAC001'" in lines[5] and "'IAC998'" in lines[6] and "'NOPE'" in lines[7]


def test_with_its_policy_folders_in_error_the_ids_of_the_configuration_are_not_judged(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The ids may be those of the folder's policies: only the folder is reported.
    write(in_tmp, ".iaclint.toml", 'policies = "mine"\nselect = ["ORG001"]\n')
    assert main(["."]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(".iaclint.toml:1: error: 'policies'")


def test_an_option_error_does_not_hide_the_configuration_errors(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(in_tmp, ".iaclint.toml", "bogus = 1\nshow-unknown = 'yes'\n")
    assert main(["--format", "nope", "."]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": error: ")[0] for line in lines] == [
        ".iaclint.toml:1",
        ".iaclint.toml:2",
        "iaclint",
    ]
