"""Plan JSON into the graph: planned values, after_unknown, configuration, places."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from iaclint.adapt.terraform.loader import ModuleLoader
from iaclint.adapt.terraform.plan import adapt_plan
from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.file_work import lint_file
from iaclint.graph.model import Graph
from iaclint.graph.values import Reference, Unknown
from iaclint.parse.json_reader import read_json
from iaclint.parse.terraform_plan import is_plan, mentions_plan

from .conftest import FIXTURES

DATA = Path(__file__).parent / "data"


def instance(
    address: str, values: dict[str, object], module: str | None = None
) -> dict[str, object]:
    local = address.removeprefix(module + ".") if module else address
    resource_type, name = local.split("[")[0].split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 1,
        "values": values,
        "sensitive_values": {},
    }


def plan_text(
    resources: list[dict[str, object]],
    unknown: dict[str, object],
    configuration: dict[str, object] | None,
    children: list[dict[str, object]] | None = None,
) -> str:
    root: dict[str, object] = {"resources": resources}
    if children:
        root["child_modules"] = children
    everything = resources + [r for child in children or [] for r in child["resources"]]  # type: ignore[attr-defined]
    document: dict[str, object] = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": root},
        "resource_changes": [
            {
                "address": r["address"],
                "mode": "managed",
                "type": r["type"],
                "name": r["name"],
                "provider_name": r["provider_name"],
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": r["values"],
                    "after_unknown": unknown.get(str(r["address"]), {}),
                    "before_sensitive": False,
                    "after_sensitive": {},
                },
            }
            for r in everything
        ],
    }
    if configuration is not None:
        document["configuration"] = {"provider_config": {}, "root_module": configuration}
    return json.dumps(document, indent=2)


def graph_of(tmp_path: Path, text: str) -> Graph:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    document = read_json(text, "plan.json")
    graph, diagnostics = adapt_plan(document, tmp_path, ModuleLoader([tmp_path]))
    assert diagnostics == []
    return graph


def config_resource(address: str, expressions: dict[str, object]) -> dict[str, object]:
    resource_type, name = address.split(".")
    return {
        "address": address,
        "mode": "managed",
        "type": resource_type,
        "name": name,
        "provider_config_key": "aws",
        "expressions": expressions,
        "schema_version": 1,
    }


def test_recognising_plans() -> None:
    text = plan_text([], {}, None)
    assert mentions_plan(text)
    assert is_plan(json.loads(text))
    state = '{"format_version": "1.0", "values": {"root_module": {}}}'
    assert not mentions_plan(state)
    assert not is_plan(json.loads(state))


def test_unknown_values_are_unknown_references_or_absent(tmp_path: Path) -> None:
    values = {"ami": "ami-1", "launch_template": [{"version": "$Latest"}]}
    unknown = {
        "aws_instance.web": {
            "id": True,
            "metadata_options": True,  # not configured: the provider chooses it
            "user_data": True,  # configured from something unknown
            "launch_template": [{"id": True, "name": True}],
        }
    }
    configuration = {
        "resources": [
            config_resource(
                "aws_instance.web",
                {
                    "ami": {"constant_value": "ami-1"},
                    "user_data": {
                        "references": ["data.template_file.x.rendered", "data.template_file.x"]
                    },
                    "launch_template": [
                        {
                            "id": {
                                "references": ["aws_launch_template.t.id", "aws_launch_template.t"]
                            },
                            "version": {"constant_value": "$Latest"},
                        }
                    ],
                },
            )
        ]
    }
    graph = graph_of(
        tmp_path, plan_text([instance("aws_instance.web", values)], unknown, configuration)
    )
    (web,) = graph.variants("aws_instance.web")
    assert web.properties == {
        "image_id": "ami-1",
        "user_data": Unknown("known only after apply"),
        "launch_template": Reference("aws_launch_template.t", "id"),
    }


def test_without_a_configuration_every_unknown_stays_unknown(tmp_path: Path) -> None:
    unknown = {"aws_instance.web": {"metadata_options": True}}
    graph = graph_of(
        tmp_path, plan_text([instance("aws_instance.web", {"ami": "ami-1"})], unknown, None)
    )
    (web,) = graph.variants("aws_instance.web")
    assert web.properties["metadata_options"] == Unknown("known only after apply")


def test_child_modules_and_their_configuration_on_disk(
    tmp_path: Path, policies: list[Policy]
) -> None:
    (tmp_path / "modules" / "sg").mkdir(parents=True)
    (tmp_path / "modules" / "sg" / "main.tf").write_text(
        'variable "cidr" {}\n\nresource "aws_security_group" "this" {\n  ingress {\n'
        '    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
        "    cidr_blocks = [var.cidr]\n  }\n}\n",
        encoding="utf-8",
    )
    (tmp_path / "main.tf").write_text(
        'module "sg" {\n  source = "./modules/sg"\n  cidr   = "0.0.0.0/0"\n}\n', encoding="utf-8"
    )
    rule = {
        "cidr_blocks": ["0.0.0.0/0"],
        "description": "",
        "from_port": 22,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": "tcp",
        "security_groups": [],
        "self": False,
        "to_port": 22,
    }
    group = instance(
        "module.sg.aws_security_group.this", {"ingress": [rule], "name": "x"}, module="module.sg"
    )
    configuration = {
        "module_calls": {
            "sg": {
                "source": "./modules/sg",
                "expressions": {"cidr": {"constant_value": "0.0.0.0/0"}},
                "module": {
                    "resources": [
                        config_resource(
                            "aws_security_group.this", {"ingress": {"references": ["var.cidr"]}}
                        )
                    ]
                },
            }
        }
    }
    text = plan_text([], {}, configuration, [{"address": "module.sg", "resources": [group]}])
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    result = lint_file(Candidate(path, "plan.json"), policies)
    assert result.linted and result.diagnostics == []
    (finding,) = result.findings
    assert finding.resource == "module.sg.aws_security_group.this"
    assert (finding.span.file, finding.span.line, finding.span.column) == (
        "modules/sg/main.tf",
        8,
        20,
    )
    assert finding.attribute == "ingress[0].cidr_blocks[0]"


def test_a_plan_of_for_each_over_unknown_values_has_the_same_instances(
    tmp_path: Path, policies: list[Policy]
) -> None:
    """The plan of the IAC020 for_each fixture: the instances the configuration's
    keys give, judged on their planned values (found where the module sets them)."""
    shutil.copytree(FIXTURES / "policies" / "IAC020" / "fail-for-each-hcl", tmp_path / "root")
    root = tmp_path / "root"
    volumes = [
        instance(
            f'module.disks.aws_ebs_volume.this["{key}"]',
            {"availability_zone": "eu-west-1a", "size": 20, "encrypted": encrypted},
            module="module.disks",
        )
        for key, encrypted in (("data", True), ("scratch", False))
    ]
    each = {
        name: {"references": [f"each.value.{name}", "each.value"]}
        for name in ("size", "encrypted", "kms_key_id")
    }
    configuration = {
        "module_calls": {
            "disks": {
                "source": "./modules/disks",
                "expressions": {"volumes": {"references": ["aws_kms_key.disks.arn"]}},
                "module": {"resources": [config_resource("aws_ebs_volume.this", each)]},
            }
        }
    }
    unknown = {volume["address"]: {"kms_key_id": True, "id": True} for volume in volumes}
    text = plan_text(
        [], unknown, configuration, [{"address": "module.disks", "resources": volumes}]
    )
    (root / "main.plan.json").write_text(text, encoding="utf-8")
    graph = graph_of(root, text)
    assert [r.address for r in graph.resources] == [v["address"] for v in volumes]
    data = graph.variants('module.disks.aws_ebs_volume.this["data"]')[0].properties
    assert data["kms_key"] == Unknown("known only after apply")
    result = lint_file(Candidate(root / "main.plan.json", "main.plan.json"), policies)
    assert result.linted and result.diagnostics == []
    assert [
        (f.policy_id, f.resource, f.span.file, f.span.line)
        for f in result.findings
        if f.policy_id == "IAC020"
    ] == [("IAC020", 'module.disks.aws_ebs_volume.this["scratch"]', "modules/disks/main.tf", 16)]


def test_a_plan_without_planned_values_says_so(tmp_path: Path) -> None:
    text = json.dumps({"format_version": "0.1", "resource_changes": []})
    document = read_json(text, "old.json")
    graph, diagnostics = adapt_plan(document, tmp_path, ModuleLoader([tmp_path]))
    assert graph.resources == ()
    assert [d.message for d in diagnostics] == [
        "the plan has no planned_values (made by an old Terraform?): not linted"
    ]


def test_broken_plan_json_is_a_located_error(tmp_path: Path, policies: list[Policy]) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "1.2", "planned_values": {,}}', encoding="utf-8")
    result = lint_file(Candidate(path, "plan.json"), policies)
    assert not result.linted
    (error,) = result.diagnostics
    assert (error.line, error.column) == (1, 46)  # the stray comma


def test_native_properties_are_the_planned_values_placed_in_the_configuration(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_lambda_function" "f" {\n'
        '  function_name = "f"\n'
        '  runtime       = "python3.8"\n'
        "  role          = aws_iam_role.r.arn\n"
        "}\n",
        encoding="utf-8",
    )
    values = {"function_name": "f", "runtime": "python3.8", "timeout": 3}
    unknown = {"aws_lambda_function.f": {"role": True, "arn": True}}
    configuration = {
        "resources": [
            config_resource(
                "aws_lambda_function.f",
                {
                    "function_name": {"constant_value": "f"},
                    "runtime": {"constant_value": "python3.8"},
                    "role": {"references": ["aws_iam_role.r.arn", "aws_iam_role.r"]},
                },
            )
        ]
    }
    graph = graph_of(
        tmp_path,
        plan_text([instance("aws_lambda_function.f", values)], unknown, configuration),
    )
    (function,) = graph.of_types(["aws_lambda_function"])
    assert function.kind == "unmodelled"
    assert function.properties == {
        "function_name": "f",
        "runtime": "python3.8",
        "timeout": 3,
        "role": Reference("aws_iam_role.r", "arn"),
    }
    runtime = function.locate(("runtime",))
    assert (runtime.attribute, runtime.span.file, runtime.span.line) == ("runtime", "main.tf", 3)


def test_provider_credentials_of_a_real_plan_point_into_its_configuration(
    tmp_path: Path, policies: list[Policy]
) -> None:
    """A plan made by Terraform 1.11 (AWS provider 5.100) prints its providers'
    literal arguments in `configuration.provider_config`, credentials included:
    found, and located in the `.tf` files beside it (a module's too)."""
    shutil.copytree(DATA / "provider-plan", tmp_path / "root")
    root = tmp_path / "root"
    result = lint_file(Candidate(root / "plan.json", "plan.json"), policies)
    assert result.linted and result.diagnostics == []
    found = {
        (f.policy_id, f.resource, f.span.file, f.span.line)
        for f in result.findings
        if f.policy_id in ("IAC030", "IAC032")
    }
    assert found == {
        ("IAC032", "provider.aws", "main.tf", 10),
        ("IAC030", "provider.aws.west", "main.tf", 20),
        ("IAC030", "provider.aws.west", "main.tf", 21),
        ("IAC030", "module.network.provider.aws", "network/main.tf", 4),
    }
    # The secret key set from a variable is not judged: the plan holds the
    # variable's value, not whether a file or the command line gave it.
    assert not any(
        f.attribute == "secret_key" and f.resource == "provider.aws" for f in result.findings
    )


def test_the_accounts_ebs_default_holds_in_one_region_of_several(tmp_path: Path) -> None:
    resources = [
        instance("aws_ebs_encryption_by_default.on", {"enabled": True}),
        instance("aws_ebs_volume.data", {"availability_zone": "us-east-1a", "size": 10}),
    ]

    def encrypted(providers: dict[str, object]) -> object:
        document = json.loads(plan_text(resources, {}, None))
        document["configuration"] = {"provider_config": providers, "root_module": {}}
        graph = graph_of(tmp_path, json.dumps(document))
        (volume,) = [r for r in graph.resources if r.kind == "ec2.volume"]
        return volume.properties.get("encrypted")

    assert encrypted({"aws": {"name": "aws"}}) is True
    several = encrypted({"aws": {"name": "aws"}, "aws.us": {"name": "aws", "alias": "us"}})
    assert isinstance(several, Unknown) and "several aws providers" in several.reason
