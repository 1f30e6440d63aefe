"""A team's own policies, through the command line: native types, categories of its
own, short policy files, and policy folders that hold other YAML too.

The templates under tests/data/custom-policies/ mark the findings they must give
the way the bundled fixtures do (`# expect: ORG100@Legacy`, `# expect-unknown:`,
or `<file>.expect` beside a JSON file); every finding of the ORG policies is
compared exactly: policy, resource, file and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from iaclint.catalog import load_policies
from iaclint.cli import main
from iaclint.engine.policy import PolicyError, compile_policy
from iaclint.parse.yaml_reader import read_yaml

from .conftest import ROOT

DATA = ROOT / "tests" / "data" / "custom-policies"
POLICIES = DATA / "policies"
_MARK = re.compile(r"#\s*expect(-unknown)?:\s*(ORG[0-9]+)@(\S+)")

Located = set[tuple[str, str, str, int]]  # policy, resource, file, line


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _marked(files: list[Path]) -> tuple[Located, Located]:
    findings: Located = set()
    unknowns: Located = set()
    for path in files:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in _MARK.finditer(text):
                target = unknowns if match.group(1) else findings
                target.add((match.group(2), match.group(3), _shown(path), number))
        sidecar = path.with_name(path.name + ".expect")
        if sidecar.exists():
            for line in sidecar.read_text(encoding="utf-8").splitlines():
                target = unknowns if line.startswith("?") else findings
                number, policy_id, resource = line.lstrip("? ").split()
                target.add((policy_id, resource, _shown(path), int(number)))
    return findings, unknowns


def _run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, dict[str, object]]:
    code = main(["--policies", _shown(POLICIES), "--format", "json", "--show-unknown", *arguments])
    return code, json.loads(capsys.readouterr().out)


def _org(items: object) -> Located:
    assert isinstance(items, list)
    return {
        (item["policy_id"], item["resource"], item["file"], item["line"])
        for item in items
        if item["policy_id"].startswith("ORG")
    }


def _inputs() -> list[Path]:
    templates = sorted((DATA / "cloudformation").glob("*.y*ml"))
    templates += sorted((DATA / "cloudformation").glob("*.json"))
    plans = sorted((DATA / "terraform").glob("*.plan.json"))
    roots = sorted(path for path in (DATA / "terraform").iterdir() if path.is_dir())
    return [*templates, *plans, *roots]


@pytest.mark.parametrize("target", _inputs(), ids=lambda path: path.relative_to(DATA).as_posix())
def test_native_type_policies_in_every_format(
    target: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    files = sorted(target.glob("*.tf")) if target.is_dir() else [target]
    expected_findings, expected_unknowns = _marked(files)
    code, report = _run(capsys, "--select", "org.compute,org.storage", _shown(target))
    assert report["errors"] == []
    assert _org(report["findings"]) == expected_findings
    assert _org(report["undetermined"]) == expected_unknowns
    assert code == (1 if expected_findings else 0)
    if target.name.startswith("fail"):
        assert expected_findings, f"{target.name} expects no finding"


def test_native_type_policies_on_a_cloud_assembly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CDK stacks are templates: the same policies, named by construct path."""
    monkeypatch.chdir(ROOT)
    code, report = _run(capsys, "--select", "org.compute,org.storage", "fixtures/cdk/cdk.out")
    assert code == 1
    assert report["errors"] == []
    findings = report["findings"]
    assert isinstance(findings, list)
    found = {
        (f["policy_id"], f["construct_path"], f["file"], f["line"], f["attribute"])
        for f in findings
    }
    deployment = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C"
    assets = "fixtures/cdk/cdk.out"
    # The EKS construct's provider functions, in the two nested stacks of both EKS
    # stacks (file names end in a hash of the path): 900 s timeouts too.
    nested_stacks = {
        ("Kubernetes", "ClusterResourceProvider", "822E32AF"),
        ("Kubernetes", "KubectlProvider", "72F6BC28"),
        ("KubernetesWithKey", "ClusterResourceProvider", "23FC8151"),
        ("KubernetesWithKey", "KubectlProvider", "89A0C83C"),
    }
    functions = {
        "ClusterResourceProvider": (
            ("Provider/framework-onEvent/Resource", 334),
            ("Provider/framework-isComplete/Resource", 508),
            ("Provider/framework-onTimeout/Resource", 682),
        ),
        "KubectlProvider": (
            ("Handler/Resource", 30),
            ("Provider/framework-onEvent/Resource", 197),
        ),
    }
    eks_functions = {
        ("ORG102", f"{stack}/@aws-cdk--aws-eks.{nested}/{function}",
         f"{assets}/{stack}awscdkawseks{nested}{suffix}.nested.template.json", line,
         "Properties.Timeout")
        for stack, nested, suffix in nested_stacks
        for function, line in functions[nested]
    }  # fmt: skip
    assert found == {
        # The bucket deployment's function: a 900 s timeout; its runtime is current.
        ("ORG102", f"Logging/{deployment}/Resource", f"{assets}/Logging.template.json", 406,
         "Properties.Timeout"),
        # Buckets without versioning (a modelled kind, targeted by its native type).
        ("ORG101", "Logging/Trail/S3/Resource", f"{assets}/Logging.template.json", 3, ""),
        ("ORG101", "Compute/Storage/DefaultBucket/Resource",
         f"{assets}/ComputeStorage251C8454.nested.template.json", 3, ""),
        *eks_functions,
    }  # fmt: skip
    categories = {f["policy_id"]: f["category"] for f in findings}
    assert categories == {"ORG101": "org.storage", "ORG102": "org.compute"}


def test_other_yaml_in_a_policy_folder_is_not_an_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["--policies", _shown(POLICIES), "--list-policies"]) == 0
    out = capsys.readouterr().out
    assert "try-me" not in out and "ci.yml" not in out
    assert "org.compute:\n  ORG100  medium    Lambda function on a deprecated runtime\n" in out
    assert "org.storage:\n  ORG101  low       S3 bucket without versioning\n" in out
    # The user's categories come after the bundled ones.
    assert out.index("org.compute:") > out.index("tagging:")


def test_the_configuration_loads_policy_files_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.iaclint]\npolicies = ["{POLICIES.as_posix()}"]\nselect = ["org.storage"]\n',
        encoding="utf-8",
    )
    (tmp_path / "stack.yaml").write_text(
        "Resources:\n  Logs:\n    Type: AWS::S3::Bucket\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--format", "json", "stack.yaml"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == []
    assert [(f["policy_id"], f["line"]) for f in report["findings"]] == [("ORG101", 2)]


def _folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


SHORT = """\
id: ORG200
title: Queue without a dead-letter queue
severity: low
category: org.messaging
check:
  targets:
    - type: AWS::SQS::Queue
  when:
    not: {path: $.RedrivePolicy, op: present}
"""


def test_a_policy_needs_five_fields_only(tmp_path: Path) -> None:
    policies, problems = load_policies([_folder(tmp_path, {"p.yaml": SHORT})])
    assert problems == []
    (policy,) = policies
    assert policy.message == "Queue without a dead-letter queue"
    assert policy.info.category == "org.messaging"
    assert (policy.info.rationale, policy.info.remediation, policy.info.references) == ("", "", ())
    assert policy.description == ""


def test_a_title_with_braces_is_a_message_as_it_is(tmp_path: Path) -> None:
    text = SHORT.replace("title: Queue without", "title: '{queue}' without", 1)
    text = text.replace("title: '{queue}' without a dead-letter queue", "title: '{queue} without'")
    policies, problems = load_policies([_folder(tmp_path, {"p.yaml": text})])
    assert problems == []
    assert policies[0].message.format_map({}) == "{queue} without"


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("title: Queue without a dead-letter queue\n", "", 1, "missing required field 'title'"),
        ("category: org.messaging", "category: netwrok", 4,
         "unknown category 'netwrok' (did you mean network?)"),
        ("category: org.messaging", "category: messaging", 4,
         "a category of your own is namespaced, like org.storage"),
        ("category: org.messaging", "category: Org.Messaging", 4, "unknown category"),
        ("    - type: AWS::SQS::Queue", "    - kind: AWS::SQS::Queue", 7,
         "'AWS::SQS::Queue' is a native resource type: write 'type: AWS::SQS::Queue'"),
        ("    - type: AWS::SQS::Queue", "    - type: sqs.queue", 7,
         "'sqs.queue' is a kind of the common model: write 'kind: sqs.queue'"),
        ("    - type: AWS::SQS::Queue", "    - type: SQS Queue", 7, "is not a resource type"),
        ("    - type: AWS::SQS::Queue", "    - {type: AWS::SQS::Queue, kind: sqs.queue}", 7,
         "either a 'kind'"),
        ("    - type: AWS::SQS::Queue", "    - type: AWS::SQS::Queue\n      each: $.[", 8,
         "each"),
        ("$.RedrivePolicy", "$.Redrive)Policy", 9, "path"),
        ("check:\n", "message: 'a {typo}'\ncheck:\n", 5, "message uses '{typo}'"),
    ],
)  # fmt: skip
def test_mistakes_in_a_users_policy_are_located(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    text = SHORT.replace(old, new, 1)
    assert text != SHORT
    _, problems = load_policies([_folder(tmp_path, {"p.yaml": text})])
    (problem,) = problems
    assert problem.line == line, problem
    assert words in problem.message


def test_native_selectors_are_checked_for_syntax_only(tmp_path: Path) -> None:
    """Native properties have no shape: any property name is accepted."""
    text = SHORT.replace("$.RedrivePolicy", "'$.AnyPropertyAtAll.Below[0]'")
    policies, problems = load_policies([_folder(tmp_path, {"p.yaml": text})])
    assert problems == [] and len(policies) == 1


def test_a_bundled_policy_keeps_the_closed_list_and_its_documentation() -> None:
    document = read_yaml(SHORT, "p.yaml")
    with pytest.raises(PolicyError, match="missing required field 'description'"):
        compile_policy(document.data, document.spans, "p.yaml", bundled=True)
    complete = SHORT + (
        "description: d\nrationale: r\nremediation: f\nreferences: [https://example.com]\n"
    )
    document = read_yaml(complete, "p.yaml")
    with pytest.raises(PolicyError, match=r"unknown category 'org\.messaging'") as caught:
        compile_policy(document.data, document.spans, "p.yaml", bundled=True)
    assert "namespaced" not in caught.value.message
    document = read_yaml(complete.replace("org.messaging", "logging"), "p.yaml")
    with pytest.raises(PolicyError, match="written against the common model") as caught:
        compile_policy(document.data, document.spans, "p.yaml", bundled=True)
    assert caught.value.span is not None and caught.value.span.line == 7
    modelled = complete.replace("org.messaging", "logging").replace(
        "type: AWS::SQS::Queue", "kind: sqs.queue"
    )
    modelled = modelled.replace("$.RedrivePolicy", "$.kms_key")
    document = read_yaml(modelled, "p.yaml")
    assert compile_policy(document.data, document.spans, "p.yaml", bundled=True).id == "ORG200"
    hop = modelled.replace(
        "not: {path: $.kms_key, op: present}",
        "{hop: $.kms_key, to: AWS::KMS::Key, then: {path: $.Enabled, op: is_false}}",
    )
    document = read_yaml(hop, "p.yaml")
    with pytest.raises(PolicyError, match="written against the common model"):
        compile_policy(document.data, document.spans, "p.yaml", bundled=True)


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        # Looks like a policy (an id and a title), but has no check.
        ("broken.yaml", "id: ORG300\ntitle: Half a policy\nseverity: low\n", 1),
        # YAML that cannot be read, with a policy's top-level `check:`.
        ("torn.yaml", "id: ORG301\ncheck: [\n", 3),
        # A check, and a misspelt field.
        ("typo.yml", SHORT.replace("severity:", "severty:"), 1),
    ],
)
def test_a_broken_policy_among_other_yaml_is_a_located_error(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    folder = _folder(
        tmp_path,
        {
            name: text,
            "template.yaml": "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
            "compose.yaml": "services:\n  web: {image: nginx}\n",
            "list.yaml": "- id: ORG302\n",
            "openapi.yaml": "id: pets-api\ninfo: {version: 1}\n",
            "notes.yaml": "just: [text\n",
        },
    )
    policies, problems = load_policies([folder])
    assert policies == []
    (problem,) = problems
    assert problem.file.endswith(name)
    assert problem.line == line


def test_a_users_category_can_be_selected_and_ignored(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    template = _shown(DATA / "cloudformation" / "fail.yaml")
    code, report = _run(capsys, "--select", "org.storage", template)
    assert code == 1
    assert {f["policy_id"] for f in report["findings"]} == {"ORG101"}
    code, report = _run(capsys, "--ignore", "org.storage,org.compute", template)
    assert not any(f["policy_id"].startswith("ORG") for f in report["findings"])
    assert main(["--policies", _shown(POLICIES), "--select", "org.storag", template]) == 2
    assert "did you mean org.storage?" in capsys.readouterr().err


def test_sarif_describes_a_short_policy_by_its_title(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    template = _shown(DATA / "cloudformation" / "fail.yaml")
    main(["--policies", _shown(POLICIES), "--select", "ORG100", "--format", "sarif", template])
    (rule,) = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "ORG100"
    title = "Lambda function on a deprecated runtime"
    assert rule["help"] == {"text": title, "markdown": title}
    assert rule["properties"]["tags"] == ["security", "org.compute"]


HOPS = """\
id: ORG400
title: Lambda function with an administrator role
severity: high
category: org.compute
message: "role {value}"
check:
  targets:
    - type: AWS::Lambda::Function
    - type: aws_lambda_function
  when:
    hop: $.Role
    to: iam.role
    then: {path: "$.managed_policy_arns[*]", op: matches, pattern: AdministratorAccess}
"""

ADMIN_ROLE = """\
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: []}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt AppRole.Arn
  Elsewhere:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/outside
"""


def test_a_native_subject_hops_along_its_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _folder(tmp_path, {"p.yaml": HOPS})
    (tmp_path / "stack.yaml").write_text(ADMIN_ROLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    arguments = ["--policies", "policies", "--select", "ORG400", "--show-unknown"]
    assert main([*arguments, "--format", "json", "stack.yaml"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["resource"], f["line"], f["message"]) for f in report["findings"]] == [
        ("Fn", 10, "role AppRole.Arn")
    ]
    # A role outside the linted files is unknown, not a finding.
    assert [(u["resource"], u["line"]) for u in report["undetermined"]] == [("Elsewhere", 14)]


LAYERS = """\
id: ORG401
title: Lambda function using a layer shared with every account
severity: medium
category: org.compute
check:
  targets:
    - type: AWS::Lambda::Function
      each: $.Layers[*]
    - type: aws_lambda_function
      each: $.layers[*]
  when:
    hop: $
    to: [AWS::Lambda::LayerVersion, aws_lambda_layer_version]
    then:
      from: [AWS::Lambda::LayerVersionPermission, aws_lambda_layer_version_permission]
      through: $.*
      then:
        first_of:
          - {path: $.Principal}
          - {path: $.principal}
        op: equals
        value: "*"
"""

PUBLIC_LAYER = """\
Resources:
  Layer:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: b, S3Key: k}
  Everyone:
    Type: AWS::Lambda::LayerVersionPermission
    Properties:
      Action: lambda:GetLayerVersion
      LayerVersionArn: !Ref Layer
      Principal: "*"
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Layers: [!Ref Layer]
  Private:
    Type: AWS::Lambda::LayerVersion
    Properties:
      Content: {S3Bucket: b, S3Key: k}
  Alone:
    Type: AWS::Lambda::Function
    Properties:
      Layers: [!Ref Private]
"""

# A layer is reached from its permission: `from` comes back from referrers.
SHARED_FROM = """\
id: ORG402
title: Lambda layer shared with every account
severity: medium
category: org.compute
check:
  targets:
    - type: AWS::Lambda::LayerVersion
    - type: aws_lambda_layer_version
  when:
    from: [AWS::Lambda::LayerVersionPermission, aws_lambda_layer_version_permission]
    through: $.*
    then:
      first_of:
        - {path: $.Principal}
        - {path: $.principal}
      op: equals
      value: "*"
"""

PUBLIC_LAYER_HCL = """\
resource "aws_lambda_layer_version" "shared" {
  layer_name = "shared"
  filename   = "layer.zip"
}

resource "aws_lambda_layer_version_permission" "everyone" {
  layer_name     = aws_lambda_layer_version.shared.layer_arn
  version_number = aws_lambda_layer_version.shared.version
  statement_id   = "everyone"
  action         = "lambda:GetLayerVersion"
  principal      = "*"
}

resource "aws_lambda_layer_version" "private" {
  layer_name = "private"
  filename   = "layer.zip"
}
"""


@pytest.mark.parametrize(
    ("policy", "name", "text", "expected"),
    [
        (LAYERS, "stack.yaml", PUBLIC_LAYER, [("ORG401", "Fn", 15)]),
        (SHARED_FROM, "stack.yaml", PUBLIC_LAYER, [("ORG402", "Layer", 2)]),
        (
            SHARED_FROM,
            "main.tf",
            PUBLIC_LAYER_HCL,
            [("ORG402", "aws_lambda_layer_version.shared", 1)],
        ),
    ],
    ids=["hop", "from", "from-hcl"],
)
def test_hops_reach_native_types(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    policy: str,
    name: str,
    text: str,
    expected: list[tuple[str, str, int]],
) -> None:
    _folder(tmp_path, {"p.yaml": policy})
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    policy_id = expected[0][0]
    arguments = ["--policies", "policies", "--select", policy_id, "--show-unknown"]
    assert main([*arguments, "--format", "json", name]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == []
    assert [(f["policy_id"], f["resource"], f["line"]) for f in report["findings"]] == expected
    assert report["undetermined"] == []


def test_a_native_value_that_is_a_secret_is_never_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = SHORT.replace("AWS::SQS::Queue", "AWS::DocDB::DBCluster").replace(
        "not: {path: $.RedrivePolicy, op: present}", "{path: $.MasterUserPassword, op: present}"
    )
    _folder(tmp_path, {"p.yaml": policy + "message: 'password {value}'\n"})
    (tmp_path / "db.yaml").write_text(
        "Resources:\n  Db:\n    Type: AWS::DocDB::DBCluster\n    Properties:\n"
        "      MasterUsername: admin\n      MasterUserPassword: correct-horse-battery\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    for output in ("text", "json", "sarif"):
        assert main(["--policies", "policies", "--format", output, "db.yaml"]) == 1
        printed = capsys.readouterr().out
        assert "ORG200" in printed
        assert "correct-horse-battery" not in printed


def test_native_properties_unknown_as_a_whole_are_unknown_not_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Properties` a macro computes at deployment hold nothing to call missing."""
    _folder(tmp_path, {"p.yaml": SHORT})
    (tmp_path / "queues.yaml").write_text(
        "Resources:\n"
        "  Included:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      Fn::Transform:\n"
        "        Name: AWS::Include\n"
        "        Parameters: {Location: s3://bucket/queue.yaml}\n"
        "  Plain:\n"
        "    Type: AWS::SQS::Queue\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    arguments = ["--policies", "policies", "--select", "ORG200", "--show-unknown"]
    assert main([*arguments, "--format", "json", "queues.yaml"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["resource"], f["line"]) for f in report["findings"]] == [("Plain", 8)]
    assert [(u["resource"], u["line"], u["reason"]) for u in report["undetermined"]] == [
        ("Included", 2, "computed by a macro (Fn::Transform)")
    ]
