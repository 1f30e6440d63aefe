"""No report prints a secret, in any format.

The fixtures (tests/data/secrets/) are one-line files: a minified plan whose
`variables` block (first in the file) holds a sensitive `db_password`, with a
provider-marked sensitive attribute and a secret shorter than four characters;
and a minified template with a literal password, written twice. The open
security groups give findings far from the secrets. `policies/TEST900.yaml` is
a careless organisation policy whose message quotes the password it judges.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from iaclint.cli import main
from iaclint.report.render import FORMATS

DATA = Path(__file__).parent / "data" / "secrets"

# Every secret of the fixtures, as the files write them and as they decode.
SECRETS = (
    "hunter2&Sup3r-S3cret",
    "hunter2\\u0026Sup3r-S3cret",
    "tok_9f8e7d6c5b4a",
    "Tr0ub4dor-&-3-horse",
    "x9z",
    # Long enough to tell a secret cut in half from a mask.
    "hunter2",
    "Sup3r-S3cret",
    "Tr0ub4dor",
)


@pytest.fixture
def secrets_dir(in_tmp: Path) -> Path:
    for item in DATA.iterdir():
        target = in_tmp / item.name
        if item.is_dir():
            shutil.copytree(item, target)
        else:
            shutil.copy(item, target)
    return in_tmp


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main([*argv, "--color", "never", "--policies", "policies"]) == 1
    return capsys.readouterr().out


@pytest.mark.parametrize("output_format", FORMATS)
@pytest.mark.parametrize("file", ["plan.json", "template.json"])
def test_no_secret_in_any_format(
    secrets_dir: Path, capsys: pytest.CaptureFixture[str], output_format: str, file: str
) -> None:
    out = run(capsys, "--format", output_format, file)
    assert "TEST900" in out  # the finding whose message would quote the password
    for secret in SECRETS:
        assert secret not in out, f"{secret!r} printed in the {output_format} report"


def text_findings(out: str) -> dict[str, tuple[str, str]]:
    """Policy id -> (the heading, the snippet) of its first finding in a text report."""
    lines = out.splitlines()
    found = {}
    for heading, snippet in itertools.pairwise(lines):
        if ": IAC" in heading or ": TEST" in heading:
            found.setdefault(heading.split()[1], (heading, snippet.split(" | ", 1)[1]))
    return found


def test_plan_snippet_shows_the_offending_value(
    secrets_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = text_findings(run(capsys, "plan.json"))
    heading, snippet = found["IAC001"]
    assert heading.startswith("plan.json:1:1241: IAC001 high 22 open")
    assert '"ingress":[{"cidr_blocks":["0.0.0.0/0"],"from_port":22' in snippet
    assert snippet.startswith("…") and snippet.endswith("…") and len(snippet) == 240
    assert "variables" not in snippet
    # The finding that says the password is masked shows where it is, masked.
    heading, snippet = found["IAC030"]
    assert heading.startswith("plan.json:1:469: IAC030 high password is a secret")
    assert '"instance_class":"db.t3.micro","password":"****","storage_encrypted"' in snippet
    _, snippet = found["TEST900"]
    assert '"password":"****"' in snippet
    # A token kept in a String SSM parameter: reported, and masked there too.
    heading, snippet = found["IAC035"]
    assert heading.startswith("plan.json:1:879: IAC035 high aws_ssm_parameter.token keeps")
    assert '"type":"String","value":"****"' in snippet


def test_template_snippet_masks_the_secret_a_finding_is_not_about(
    secrets_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = text_findings(run(capsys, "template.json"))
    heading, snippet = found["TEST900"]
    assert heading == "template.json:1:362: TEST900 low Db sets a password: **** [Db]"
    # The same password, written as a tag's value, is masked too.
    assert '"MasterUserPassword":"****","StorageEncrypted":true' in snippet
    assert '{"Key":"Note","Value":"****"}' in snippet


def test_columns_stay_right_beside_non_ascii_text(
    secrets_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "SSH für alle" comes before the open rule: one character, two UTF-8 bytes.
    sarif = json.loads(run(capsys, "--format", "sarif", "template.json"))
    regions = {
        result["ruleId"]: result["locations"][0]["physicalLocation"]["region"]
        for result in sarif["runs"][0]["results"]
    }
    assert (regions["IAC001"]["startColumn"], regions["IAC001"]["endColumn"]) == (212, 232)
    rdjson = json.loads(run(capsys, "--format", "rdjson", "template.json"))
    ranges = {
        diagnostic["code"]["value"]: diagnostic["location"]["range"]
        for diagnostic in rdjson["diagnostics"]
    }
    assert ranges["IAC001"]["start"] == {"line": 1, "column": 213}
    assert ranges["IAC001"]["end"] == {"line": 1, "column": 233}
    # Masks before the column change nothing: bytes are counted on the source line.
    assert ranges["IAC030"]["start"]["column"] == 363


SENSITIVE_VARIABLE = """\
variable "db_password" {
  type      = string
  sensitive = true
  default   = "Kept-In-Default-9"
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # was "Kept-In-Default-9"
  }
}
"""


def test_a_terraform_variable_declared_sensitive_is_masked(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "main.tf").write_text(SENSITIVE_VARIABLE, encoding="utf-8")
    assert main(["--no-cache", "--color", "never", "."]) == 1
    out = capsys.readouterr().out
    assert '   13 |     cidr_blocks = ["0.0.0.0/0"] # was "****"' in out
    assert "Kept-In-Default-9" not in out


# GitLab's code quality report holds findings and errors only: no warnings.
@pytest.mark.parametrize("output_format", [name for name in FORMATS if name != "gitlab"])
def test_a_warning_about_a_literal_does_not_repeat_it(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    """A password written as a number with a leading zero gets the octal warning, and
    neither the digits as written nor as read appear in any report."""
    (in_tmp / "db.yaml").write_text(
        "Resources:\n"
        "  Db:\n"
        "    Type: AWS::RDS::DBInstance\n"
        "    Properties:\n"
        "      Engine: postgres\n"
        "      StorageEncrypted: true\n"
        "      MasterUsername: app\n"
        "      MasterUserPassword: 0123456701\n",
        encoding="utf-8",
    )
    main(["--no-cache", "--format", output_format, "db.yaml"])
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert "leading zero is read as octal" in out
    assert "db.yaml" in out
    for text in ("123456701", str(0o123456701)):
        assert text not in out, text


def test_the_results_cache_keeps_no_secret(
    secrets_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Findings are cached as reported: masked. A second run answers from the cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("IACLINT_CACHE_DIR", str(cache))
    monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    first = run(capsys, "plan.json", "template.json")
    assert run(capsys, "plan.json", "template.json") == first
    # Not the compiled policies: their documented examples are not the user's.
    stored = [p for p in cache.rglob("*") if p.is_file() and p.parent.name != "policies"]
    assert stored
    for path in stored:
        data = path.read_bytes()
        for secret in SECRETS:
            assert secret.encode() not in data, (path, secret)
