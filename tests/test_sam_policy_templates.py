"""SAM policy templates and managed policy names against AWS's own translator.

The translator is the oracle: for every template it knows, iaclint's expansion must be
the one it writes, with plain and intrinsic parameter values alike. A template or
managed policy the installed translator has and iaclint lacks is reported as a warning
(a newer translator release must not turn the suite red); every one iaclint has must
match.
"""

from __future__ import annotations

import copy
import importlib.metadata
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iaclint.adapt.cloudformation import sam_policy_templates as sam
from iaclint.adapt.cloudformation.sam_policy_data import MANAGED_POLICIES, TRANSLATOR_VERSION

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "___SAM_POLICY_PARAMETER_"


@pytest.fixture(scope="module")
def translator() -> Any:
    from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

    return PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())


@pytest.fixture(scope="module")
def translator_managed() -> dict[str, str]:
    from samtranslator.internal.managed_policies import get_bundled_managed_policy_map

    return dict(get_bundled_managed_policy_map("aws") or {})


def expand(translator: Any, name: str, parameters: dict[str, Any]) -> Any:
    """The translator's expansion (it substitutes in place: give it a copy)."""
    return translator.convert(name, copy.deepcopy(parameters))


# Ways of filling a template's parameters: each gives the value for parameter `p`.
VALUES: dict[str, Callable[[str], Any]] = {
    "string": lambda p: f"value-of-{p}",
    "empty string": lambda p: "",
    # A CloudFormation parameter of the same name: the translator must leave it alone.
    "ref same name": lambda p: {"Ref": p},
    "getatt": lambda p: {"Fn::GetAtt": [f"{p}Resource", "Arn"]},
    "getatt dotted": lambda p: {"Fn::GetAtt": f"{p}Resource.Arn"},
    "sub": lambda p: {"Fn::Sub": "${AWS::StackName}-" + p},
    "sub list": lambda p: {"Fn::Sub": ["${Prefix}-x", {"Prefix": {"Ref": p}}]},
    "import join": lambda p: {
        "Fn::ImportValue": {"Fn::Join": ["-", [{"Ref": p}, {"Ref": "AWS::Region"}]]}
    },
    "if": lambda p: {"Fn::If": ["IsProd", f"{p}-prod", {"Ref": "AWS::NoValue"}]},
    "number": lambda p: 42,
    "boolean": lambda p: True,
    "null": lambda p: None,
    "list": lambda p: ["a", {"Ref": p}],
    "empty mapping": lambda p: {},
    "two-key mapping": lambda p: {"Ref": p, "Other": 1},
    "ref not a string": lambda p: {"Ref": ["x"]},
}


def mixed(parameters: tuple[str, ...]) -> dict[str, Any]:
    """A different kind of value for each parameter."""
    kinds = list(VALUES.values())
    return {p: kinds[(i * 3 + 1) % len(kinds)](p) for i, p in enumerate(parameters)}


def test_every_translator_template_expands_as_the_translator_does(translator: Any) -> None:
    version = importlib.metadata.version("aws-sam-translator")
    compared = 0
    for name in sorted(translator.policy_templates):
        if name not in sam.TEMPLATE_NAMES:
            warnings.warn(
                f"aws-sam-translator {version} has the policy template {name}, which iaclint "
                "lacks: run scripts/generate_sam_policy_data.py",
                stacklevel=1,
            )
            continue
        declared = tuple(translator.get(name).parameters)
        assert sam.parameter_names(name) == declared, name
        fillings = {kind: {p: make(p) for p in declared} for kind, make in VALUES.items()}
        fillings["mixed"] = mixed(declared)
        fillings["extra names ignored"] = {
            **fillings["string"],
            "Unrelated": "x",
            "bucketName": "y",
        }
        for kind, parameters in fillings.items():
            before = copy.deepcopy(parameters)
            ours = sam.policy_template(name, parameters)
            assert ours == expand(translator, name, parameters), (name, kind)
            assert parameters == before, (name, kind)
            compared += 1
    assert compared >= len(sam.TEMPLATE_NAMES & set(translator.policy_templates))


_KEYS = st.sampled_from(["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::Join", "Fn::If", "Other"])
_SCALARS = st.one_of(
    st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False)
)


def _value(renamed: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """Template data as a user may write it, with references to the template parameters
    in `renamed` under the translator's renamed form now and then."""
    leaves = _SCALARS | st.builds(lambda name: {"Ref": name}, st.text(max_size=12))
    if renamed:
        leaves = leaves | st.sampled_from(renamed).map(lambda p: {"Ref": PREFIX + p})
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=2),
        max_leaves=8,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_values_expand_as_the_translator_does(translator: Any, data: Any) -> None:
    name = data.draw(st.sampled_from(sorted(sam.TEMPLATE_NAMES & set(translator.policy_templates))))
    declared = sam.parameter_names(name)
    # A value may name the parameters after its own (never a loop, which the
    # translator cannot expand).
    parameters = {p: data.draw(_value(declared[i + 1 :]), label=p) for i, p in enumerate(declared)}
    before = copy.deepcopy(parameters)
    assert sam.policy_template(name, parameters) == expand(translator, name, parameters)
    assert parameters == before


def test_every_template_of_ours_is_in_the_translator(translator: Any) -> None:
    version = importlib.metadata.version("aws-sam-translator")
    for name in sorted(sam.TEMPLATE_NAMES - set(translator.policy_templates)):
        # An older translator than the table's: nothing to compare this one with.
        warnings.warn(
            f"aws-sam-translator {version} lacks the policy template {name} "
            f"(the table is from {TRANSLATOR_VERSION}): not compared",
            stacklevel=1,
        )
    assert sam.TEMPLATE_NAMES


def test_template_names() -> None:
    assert isinstance(sam.TEMPLATE_NAMES, frozenset)
    assert {
        "S3ReadPolicy",
        "S3CrudPolicy",
        "DynamoDBCrudPolicy",
        "AWSSecretsManagerGetSecretValuePolicy",
        "SQSPollerPolicy",
        "KMSDecryptPolicy",
        "VPCAccessPolicy",
    } <= sam.TEMPLATE_NAMES
    # Managed policies are not templates.
    assert "AdministratorAccess" not in sam.TEMPLATE_NAMES
    assert "AWSLambdaBasicExecutionRole" not in sam.TEMPLATE_NAMES


def test_a_known_expansion_written_out() -> None:
    assert sam.policy_template("S3ReadPolicy", {"BucketName": {"Ref": "Bucket"}}) == {
        "Statement": [
            {
                "Action": [
                    "s3:GetObject",
                    "s3:ListBucket",
                    "s3:GetBucketLocation",
                    "s3:GetObjectVersion",
                    "s3:GetLifecycleConfiguration",
                ],
                "Effect": "Allow",
                "Resource": [
                    {
                        "Fn::Sub": [
                            "arn:${AWS::Partition}:s3:::${bucketName}",
                            {"bucketName": {"Ref": "Bucket"}},
                        ]
                    },
                    {
                        "Fn::Sub": [
                            "arn:${AWS::Partition}:s3:::${bucketName}/*",
                            {"bucketName": {"Ref": "Bucket"}},
                        ]
                    },
                ],
            }
        ]
    }
    # A single action and a single resource stay single values; a Sub without a
    # parameter keeps its string form.
    assert sam.policy_template("KMSDecryptPolicy", {"KeyId": "abc"}) == {
        "Statement": [
            {
                "Action": "kms:Decrypt",
                "Effect": "Allow",
                "Resource": {
                    "Fn::Sub": [
                        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${keyId}",
                        {"keyId": "abc"},
                    ]
                },
            }
        ]
    }
    document = sam.policy_template("CloudWatchPutMetricPolicy", {})
    assert document == {
        "Statement": [{"Action": ["cloudwatch:PutMetricData"], "Effect": "Allow", "Resource": "*"}]
    }


def test_each_call_gives_a_document_of_its_own() -> None:
    first = sam.policy_template("SQSPollerPolicy", {"QueueName": "q"})
    assert first is not None
    statements = first["Statement"]
    assert isinstance(statements, list)
    statements.clear()
    again = sam.policy_template("SQSPollerPolicy", {"QueueName": "q"})
    assert again is not None and again["Statement"]


def test_missing_parameters(translator: Any) -> None:
    assert sam.missing_parameters("S3ReadPolicy", {}) == ("BucketName",)
    assert sam.missing_parameters("S3ReadPolicy", {"BucketName": "b"}) == ()
    # A null value is a value, for the translator too.
    assert sam.missing_parameters("S3ReadPolicy", {"BucketName": None}) == ()
    assert sam.missing_parameters("S3ReadPolicy", {"bucketname": "b"}) == ("BucketName",)
    assert sam.missing_parameters("DynamoDBStreamReadPolicy", {"TableName": "t"}) == ("StreamName",)
    assert sam.missing_parameters("AMIDescribePolicy", {}) == ()
    assert sam.missing_parameters("NoSuchPolicy", {}) == ()
    for name in sorted(sam.TEMPLATE_NAMES & set(translator.policy_templates)):
        template = translator.get(name)
        assert set(sam.missing_parameters(name, {})) == set(
            template.missing_parameter_values({})
        ), name
        assert sam.missing_parameters(name, {}) == sam.parameter_names(name)


def test_a_missing_parameter_gives_no_document(translator: Any) -> None:
    from samtranslator.policy_template_processor.exceptions import InsufficientParameterValues

    with pytest.raises(InsufficientParameterValues):
        expand(translator, "DynamoDBStreamReadPolicy", {"TableName": "t"})
    assert sam.policy_template("DynamoDBStreamReadPolicy", {"TableName": "t"}) is None
    assert sam.policy_template("S3ReadPolicy", {}) is None


@pytest.mark.parametrize("parameters", ["bucket", None, ["BucketName"], 3])
def test_parameters_that_are_not_a_mapping(translator: Any, parameters: Any) -> None:
    from samtranslator.policy_template_processor.exceptions import InvalidParameterValues

    for name in ("S3ReadPolicy", "AMIDescribePolicy"):
        with pytest.raises(InvalidParameterValues):
            translator.convert(name, parameters)
        assert sam.policy_template(name, parameters) is None
    assert sam.missing_parameters("S3ReadPolicy", parameters) == ("BucketName",)
    assert sam.missing_parameters("AMIDescribePolicy", parameters) == ()


@pytest.mark.parametrize(
    "name", ["AdministratorAccess", "s3readpolicy", "S3ReadPolicy ", "", None, 42, ["S3ReadPolicy"]]
)
def test_unknown_names(name: Any) -> None:
    assert sam.policy_template(name, {"BucketName": "b"}) is None
    assert sam.parameter_names(name) == ()
    assert sam.missing_parameters(name, {}) == ()


def test_values_of_any_type_are_placed_as_they_are() -> None:
    class Opaque:
        """What a reader may leave in the data (a preprocessor's tag, say)."""

    opaque = Opaque()
    document = sam.policy_template("SQSSendMessagePolicy", {"QueueName": opaque, 1: "x"})
    assert document is not None
    bound = document["Statement"][0]["Resource"]["Fn::Sub"][1]["queueName"]  # type: ignore[index]
    assert bound is opaque
    assert sam.missing_parameters("SQSSendMessagePolicy", {1: "x"}) == ("QueueName",)  # type: ignore[dict-item]


def test_a_value_naming_another_template_parameter_is_substituted(translator: Any) -> None:
    # The translator renames the template's references before substituting, then
    # substitutes the renamed ones inside the values too.
    parameters = {
        "TableName": {"Fn::Join": ["-", [{"Ref": PREFIX + "StreamName"}, "t"]]},
        "StreamName": "s",
    }
    ours = sam.policy_template("DynamoDBStreamReadPolicy", parameters)
    assert ours == expand(translator, "DynamoDBStreamReadPolicy", parameters)
    assert ours is not None
    resource = ours["Statement"][0]["Resource"]  # type: ignore[index]
    assert resource["Fn::Sub"][1]["tableName"] == {"Fn::Join": ["-", ["s", "t"]]}
    # The value given is not changed by that.
    assert parameters["TableName"] == {"Fn::Join": ["-", [{"Ref": PREFIX + "StreamName"}, "t"]]}
    # A renamed reference to a name the template does not declare stays as it is.
    odd = {"BucketName": {"Ref": PREFIX + "Other"}}
    assert sam.policy_template("S3ReadPolicy", odd) == expand(translator, "S3ReadPolicy", odd)


def test_a_value_that_is_itself_a_renamed_reference_stays(translator: Any) -> None:
    # The translator substitutes inside a value, not the value itself.
    parameters = {
        "TableName": {"Ref": PREFIX + "StreamName"},
        "StreamName": {"Ref": PREFIX + "TableName"},
    }
    document = sam.policy_template("DynamoDBStreamReadPolicy", parameters)
    assert document == expand(translator, "DynamoDBStreamReadPolicy", parameters)
    assert document is not None
    variables = document["Statement"][0]["Resource"]["Fn::Sub"][1]  # type: ignore[index]
    assert variables == {
        "tableName": {"Ref": PREFIX + "StreamName"},
        "streamName": {"Ref": PREFIX + "TableName"},
    }


def test_values_naming_each_other_do_not_loop(translator: Any) -> None:
    # The translator recurses without end here; iaclint leaves the reference that
    # would close the loop as it is.
    parameters = {
        "TableName": [{"Ref": PREFIX + "StreamName"}],
        "StreamName": [{"Ref": PREFIX + "TableName"}],
    }
    with pytest.raises(RecursionError):
        expand(translator, "DynamoDBStreamReadPolicy", parameters)
    document = sam.policy_template("DynamoDBStreamReadPolicy", parameters)
    assert document is not None
    variables = document["Statement"][0]["Resource"]["Fn::Sub"][1]  # type: ignore[index]
    assert variables == {
        "tableName": [[{"Ref": PREFIX + "TableName"}]],
        "streamName": [[{"Ref": PREFIX + "StreamName"}]],
    }
    itself = {"BucketName": {"Fn::Join": ["", [{"Ref": PREFIX + "BucketName"}]]}}
    document = sam.policy_template("S3ReadPolicy", itself)
    assert document is not None
    bound = document["Statement"][0]["Resource"][0]["Fn::Sub"][1]["bucketName"]  # type: ignore[index]
    assert bound == itself["BucketName"]


def test_shared_parts_of_a_value_are_walked_once() -> None:
    # YAML aliases share nodes: a value of 40 levels, each holding the level below twice,
    # stands for 2**40 leaves and must be expanded by walking each node once.
    leaf: Any = {"Ref": PREFIX + "StreamName"}
    value: Any = leaf
    for _ in range(40):
        value = [value, value]
    document = sam.policy_template(
        "DynamoDBStreamReadPolicy", {"TableName": value, "StreamName": "s"}
    )
    assert document is not None
    bound = document["Statement"][0]["Resource"]["Fn::Sub"][1]["tableName"]  # type: ignore[index]
    for _ in range(40):
        assert bound[0] is bound[1]
        bound = bound[0]
    assert bound == "s"


def test_a_value_without_renamed_references_is_placed_as_it_is() -> None:
    value = {"Fn::GetAtt": ["Table", "Arn"]}
    document = sam.policy_template("DynamoDBReadPolicy", {"TableName": value})
    assert document is not None
    bound = document["Statement"][0]["Resource"][0]["Fn::Sub"][1]["tableName"]  # type: ignore[index]
    assert bound is value


def test_a_nested_stack_placeholder_is_not_substituted(translator: Any) -> None:
    # CloudFormation passes these for a nested stack's outputs not created yet; the
    # translator keeps its renamed reference instead (in its recent releases).
    placeholder = "{{IntrinsicFunction:api-xx/MyStack.Outputs.Bucket/Fn::GetAtt}}"
    document = sam.policy_template("S3ReadPolicy", {"BucketName": placeholder})
    assert document is not None
    resource = document["Statement"][0]["Resource"][0]  # type: ignore[index]
    assert resource == {
        "Fn::Sub": [
            "arn:${AWS::Partition}:s3:::${bucketName}",
            {"bucketName": {"Ref": PREFIX + "BucketName"}},
        ]
    }
    import samtranslator.intrinsics.actions as actions

    if hasattr(actions, "_get_parameter_value"):
        assert document == expand(translator, "S3ReadPolicy", {"BucketName": placeholder})


def _every_managed_name() -> Iterator[tuple[str, str]]:
    for path, names in MANAGED_POLICIES.items():
        for name in names:
            yield path, name


def test_every_managed_policy_of_ours_is_the_translators(
    translator_managed: dict[str, str],
) -> None:
    version = importlib.metadata.version("aws-sam-translator")
    checked = 0
    for path, name in _every_managed_name():
        arn = sam.managed_policy_arn(name)
        assert arn == f"arn:aws:iam::aws:policy{path}{name}"
        if name not in translator_managed:
            warnings.warn(
                f"aws-sam-translator {version} does not know the managed policy {name} "
                f"(the table is from {TRANSLATOR_VERSION}): not compared",
                stacklevel=1,
            )
            continue
        assert arn == translator_managed[name], name
        checked += 1
    assert checked > 1000
    for name in sorted(set(translator_managed) - set(sam._MANAGED_PATHS)):
        warnings.warn(
            f"aws-sam-translator {version} knows the managed policy {name}, which iaclint "
            f"lacks (the table is from {TRANSLATOR_VERSION})",
            stacklevel=1,
        )


class _NoAws:
    """A managed policy loader for the translator that never calls AWS."""

    def load(self) -> dict[str, str]:
        return {}


def test_the_translator_writes_these_into_the_generated_role(
    translator: Any, translator_managed: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One function naming every template and every managed policy: its role is what
    iaclint expands them to."""
    from samtranslator.translator.arn_generator import ArnGenerator
    from samtranslator.translator.transform import transform

    # A region of the `aws` partition, for boto's session and where the translator
    # looks first for a partition (it caches the session's region for the process).
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setattr(ArnGenerator, "BOTO_SESSION_REGION_NAME", "us-east-1")
    names = sorted(sam.TEMPLATE_NAMES & set(translator.policy_templates))
    entries = [
        {
            name: {
                p: f"v{i}" if i % 2 else {"Ref": p} for i, p in enumerate(sam.parameter_names(name))
            }
        }
        for name in names
    ]
    managed = [name for _, name in _every_managed_name() if name in translator_managed]
    function = {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "app.handler",
            "CodeUri": "s3://bucket/key.zip",
            "Policies": [*copy.deepcopy(entries), *managed],
        },
    }
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Function": function}}
    role = transform(template, {}, _NoAws())["Resources"]["FunctionRole"]["Properties"]
    assert [policy["PolicyDocument"] for policy in role["Policies"]] == [
        sam.policy_template(name, entry[name]) for name, entry in zip(names, entries, strict=True)
    ]
    # The translator puts the basic execution role first and writes each ARN once.
    basic = sam.managed_policy_arn("AWSLambdaBasicExecutionRole")
    ours = [sam.managed_policy_arn(name) for name in managed]
    assert role["ManagedPolicyArns"] == list(dict.fromkeys([basic, *ours]))


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ("AmazonS3ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
        ("AWSLambdaExecute", "arn:aws:iam::aws:policy/AWSLambdaExecute"),
        (
            "AWSLambdaVPCAccessExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
        ),
        (
            "AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        ),
        ("ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
        ("DataScientist", "arn:aws:iam::aws:policy/job-function/DataScientist"),
    ],
)
def test_managed_policy_arn(name: str, arn: str) -> None:
    assert sam.managed_policy_arn(name) == arn


@pytest.mark.parametrize(
    "name",
    [
        "NotAManagedPolicy",
        "S3ReadPolicy",
        "administratoraccess",
        "service-role/AWSLambdaVPCAccessExecutionRole",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "",
        None,
        7,
        {"Ref": "PolicyArn"},
    ],
)
def test_not_a_managed_policy_name(name: Any) -> None:
    assert sam.managed_policy_arn(name) is None


def test_every_path_is_one_aws_uses() -> None:
    assert set(MANAGED_POLICIES) <= {"/", "/service-role/", "/job-function/", "/aws-service-role/"}
    names = [name for _, name in _every_managed_name()]
    assert len(names) == len(set(names))


def test_the_generated_table_is_current() -> None:
    version = importlib.metadata.version("aws-sam-translator")
    if version != TRANSLATOR_VERSION:
        warnings.warn(
            f"the table is from aws-sam-translator {TRANSLATOR_VERSION}, {version} is installed",
            stacklevel=1,
        )
        return
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_sam_policy_data.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
