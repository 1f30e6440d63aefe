"""Terraform modules into the graph: instances, variables, modules, dynamic blocks, joins."""

from __future__ import annotations

from pathlib import Path

import pytest

from iaclint.adapt.terraform.build import adapt_unit
from iaclint.adapt.terraform.loader import ModuleLoader
from iaclint.adapt.terraform.module import Unit
from iaclint.adapt.terraform.tfvars import root_values
from iaclint.diagnostics import Diagnostic
from iaclint.discover import Candidate
from iaclint.engine.policy import Policy
from iaclint.graph.model import Graph
from iaclint.graph.values import Input, PartialString, Reference, Unknown, concrete
from iaclint.run_terraform import TerraformResult, lint_terraform

from .conftest import FIXTURES


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def graph_of(root: Path, files: dict[str, str]) -> tuple[Graph, list[Diagnostic], Unit]:
    write(root, files)
    unit = Unit(ModuleLoader([root]), root, ".", {})
    graph, diagnostics = adapt_unit(unit)
    return graph, diagnostics, unit


def lint(
    root: Path, policies: list[Policy], files: dict[str, str], **options: object
) -> TerraformResult:
    write(root, files)
    candidates = [
        Candidate(path, path.relative_to(root).as_posix()) for path in sorted(root.glob("*.tf"))
    ]
    return lint_terraform(candidates, policies, [str(root)], **options)  # type: ignore[arg-type]


def addresses(graph: Graph) -> list[str]:
    return [resource.address for resource in graph.resources]


def props(graph: Graph, address: str) -> dict[str, object]:
    (resource,) = graph.variants(address)
    return dict(resource.properties)


SG_22 = """
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [CIDR]
  }
"""


def test_count_for_each_and_module_instances_have_terraform_addresses(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
resource "aws_instance" "web" {
  count = 2
  ami   = "ami-${count.index}"
}
resource "aws_s3_bucket" "b" {
  for_each = toset(["logs", "data"])
  bucket   = each.key
}
resource "aws_instance" "never" {
  count = 0
}
module "web" {
  count  = 2
  source = "./modules/web"
}
module "zone" {
  for_each = { a = 1 }
  source   = "./modules/web"
}
""",
            "modules/web/main.tf": 'resource "aws_instance" "this" {}\n',
        },
    )
    assert diagnostics == []
    assert addresses(graph) == [
        "aws_instance.web[0]",
        "aws_instance.web[1]",
        'aws_s3_bucket.b["data"]',
        'aws_s3_bucket.b["logs"]',
        "module.web[0].aws_instance.this",
        "module.web[1].aws_instance.this",
        'module.zone["a"].aws_instance.this',
    ]
    assert props(graph, "aws_instance.web[1]")["image_id"] == "ami-1"
    assert graph.variants('aws_s3_bucket.b["logs"]')[0].kind == "s3.bucket"
    assert props(graph, 'aws_s3_bucket.b["logs"]')["name"] == "logs"


def test_unknown_count_lints_one_instance_with_the_index_unknown(tmp_path: Path) -> None:
    graph, _, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
variable "replicas" { type = number }
resource "aws_instance" "web" {
  count = var.replicas
  ami   = "ami-${count.index}"
  metadata_options { http_tokens = "optional" }
}
"""
        },
    )
    assert addresses(graph) == ["aws_instance.web"]
    properties = props(graph, "aws_instance.web")
    assert properties["metadata_options"] == {"http_tokens": "optional"}
    image = properties["image_id"]
    assert isinstance(image, PartialString)
    assert image.parts == (
        "ami-",
        Unknown(
            "the instance is not known: count variable replicas has no default and no value in .tfvars"
        ),
    )


def test_dynamic_blocks_expand_over_known_collections_only(tmp_path: Path) -> None:
    graph, _, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
variable "rules" {
  default = [{ port = 22 }, { port = 443 }]
}
variable "unknown_rules" {}
resource "aws_security_group" "g" {
  ingress {
    from_port = 1
    to_port   = 1
    protocol  = "tcp"
  }
  dynamic "ingress" {
    for_each = var.rules
    iterator = rule
    content {
      from_port = rule.value.port
      to_port   = rule.value.port
      protocol  = "tcp"
      description = "rule ${rule.key}"
    }
  }
  dynamic "ingress" {
    for_each = var.unknown_rules
    content {
      from_port = ingress.value
    }
  }
}
"""
        },
    )
    ingress = props(graph, "aws_security_group.g")["ingress"]
    assert isinstance(ingress, list)
    assert [rule.get("from_port") for rule in ingress[:3]] == [  # type: ignore[union-attr]
        1,
        Input(
            "rules",
            22,
            True,
            declared_at=ingress[1]["from_port"].declared_at,
            origin="default of variable rules",
        ),  # type: ignore[index]
        Input(
            "rules",
            443,
            True,
            declared_at=ingress[2]["from_port"].declared_at,
            origin="default of variable rules",
        ),  # type: ignore[index]
    ]
    assert ingress[1]["description"] == "rule 0"  # type: ignore[index]
    assert isinstance(ingress[3], Unknown)
    assert "dynamic 'ingress' over variable unknown_rules has no default" in ingress[3].reason


VOLUMES_MODULE = """
variable "volumes" {
  type    = map(object({ kms_key_id = string, encrypted = optional(bool, true) }))
  default = null
}
resource "aws_ebs_volume" "this" {
  for_each          = var.volumes != null ? var.volumes : {}
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = each.value.encrypted
  kms_key_id        = each.value.kms_key_id
}
"""


def test_for_each_over_literal_keys_with_unknown_values_has_its_instances(
    tmp_path: Path, policies: list[Policy]
) -> None:
    # Terraform needs a for_each map's keys at plan time, not its values: the
    # instances exist, each.key is known and each.value is what it is.
    files = {
        "main.tf": """
resource "aws_kms_key" "k" {}
module "disks" {
  source  = "./modules/disks"
  volumes = {
    data    = { kms_key_id = aws_kms_key.k.arn }
    scratch = { kms_key_id = aws_kms_key.k.arn, encrypted = false }
  }
}
""",
        "modules/disks/main.tf": VOLUMES_MODULE,
    }
    graph, _, _ = graph_of(tmp_path, files)
    assert [a for a in addresses(graph) if "ebs" in a] == [
        'module.disks.aws_ebs_volume.this["data"]',
        'module.disks.aws_ebs_volume.this["scratch"]',
    ]
    data = props(graph, 'module.disks.aws_ebs_volume.this["data"]')
    assert data["kms_key"] == Reference("aws_kms_key.k", "arn")
    assert data["encrypted"] is True
    result = lint(tmp_path, policies, files)
    assert [(f.policy_id, f.resource, f.span.file, f.span.line) for f in result.findings] == [
        ("IAC020", 'module.disks.aws_ebs_volume.this["scratch"]', "main.tf", 7)
    ]
    assert [u for u in result.undetermined if u.policy_id == "IAC020"] == []


def test_for_each_over_a_set_needs_every_element_known(tmp_path: Path) -> None:
    # Unlike a map's values, a set's elements are its keys: one unknown element
    # leaves the instances unknown (Terraform refuses to plan it).
    graph, _, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
resource "aws_kms_key" "k" {}
resource "aws_ebs_volume" "v" {
  for_each          = toset(["known", aws_kms_key.k.arn])
  availability_zone = "eu-west-1a"
  tags              = { Name = each.key }
}
resource "aws_ebs_volume" "w" {
  for_each          = toset(["a", "b"])
  availability_zone = "eu-west-1a"
  kms_key_id        = aws_kms_key.k.arn
}
"""
        },
    )
    assert [a for a in addresses(graph) if "ebs" in a] == [
        "aws_ebs_volume.v",
        'aws_ebs_volume.w["a"]',
        'aws_ebs_volume.w["b"]',
    ]
    tags = props(graph, "aws_ebs_volume.v")["tags"]
    assert tags == {
        "Name": Unknown(
            "the instance is not known: for_each depends on aws_kms_key.k.arn, "
            "known only after deployment"
        )
    }


def test_a_vpc_or_subnet_cidr_stated_in_the_files_is_that_cidr(
    tmp_path: Path, policies: list[Policy]
) -> None:
    files = {
        "main.tf": """
variable "cidr" { default = "10.1.0.0/16" }
variable "unset" {}
resource "aws_vpc" "main" {
  count      = 1
  cidr_block = var.cidr
}
resource "aws_vpc" "pooled" {
  ipv4_ipam_pool_id   = "ipam-pool-0123456789abcdef0"
  ipv4_netmask_length = 16
}
resource "aws_vpc" "unset" {
  cidr_block = var.unset
}
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main[0].id
  cidr_block = cidrsubnet(aws_vpc.main[0].cidr_block, 8, 1)
}
resource "aws_security_group" "vpc_only" {
  vpc_id = aws_vpc.main[0].id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.main[0].cidr_block, aws_subnet.a.cidr_block]
  }
}
resource "aws_security_group" "pooled" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.pooled.cidr_block, aws_vpc.unset.cidr_block]
  }
}
"""
    }
    graph, diagnostics, _ = graph_of(tmp_path, files)
    assert diagnostics == []
    (rule,) = props(graph, "aws_security_group.vpc_only")["ingress"]  # type: ignore[misc]
    assert [concrete(cidr) for cidr in rule["cidrs"]] == ["10.1.0.0/16", "10.1.1.0/24"]
    (rule,) = props(graph, "aws_security_group.pooled")["ingress"]  # type: ignore[misc]
    # A CIDR the provider chooses (from an IPAM pool), or a variable without a
    # value, stays unknown with its own reason.
    assert rule["cidrs"] == [
        Reference("aws_vpc.pooled", "cidr_block"),
        Unknown("variable unset has no default and no value in .tfvars"),
    ]
    result = lint(tmp_path, policies, files)
    assert result.findings == []
    assert [(u.policy_id, u.resource) for u in result.undetermined] == [
        ("IAC001", "aws_security_group.pooled")
    ]


def test_a_local_label_module_gives_its_caller_known_outputs() -> None:
    """The `module "this"` label pattern (the fixture is written in its shape): its
    outputs depend only on variables with defaults and the .tfvars, so they are known,
    and `count = module.x.enabled ? 1 : 0` is decided both ways."""
    root = FIXTURES / "policies" / "IAC001" / "fail-label-hcl"
    loader = ModuleLoader([root])
    values, problems = root_values(loader, root, ".", [])
    assert problems == []
    graph, diagnostics = adapt_unit(Unit(loader, root, ".", values))
    assert diagnostics == []
    assert [a for a in addresses(graph) if a.startswith("aws_security_group")] == [
        "aws_security_group.admin[0]"
    ]
    admin = props(graph, "aws_security_group.admin[0]")
    assert concrete(admin["name"]) == "acme-prod-ops-admin"
    assert {key: concrete(value) for key, value in admin["tags"].items()} == {  # type: ignore[attr-defined]
        "Attributes": "admin",
        "Name": "acme-prod-ops",  # the context's tags come last in merge(), so win
        "Namespace": "acme",
        "Stage": "prod",
    }


def test_variables_from_tfvars_files_in_terraform_order(
    tmp_path: Path, policies: list[Policy]
) -> None:
    main = (
        'variable "cidr" { default = "10.0.0.0/8" }\nresource "aws_security_group" "g" {'
        + SG_22.replace("CIDR", "var.cidr")
        + "}\n"
    )
    files = {
        "main.tf": main,
        "terraform.tfvars": 'cidr = "10.1.0.0/16"\n',
        "b.auto.tfvars": 'cidr = "10.2.0.0/16"\n',
        "a.auto.tfvars.json": '{"cidr": "10.3.0.0/16"}\n',
    }
    result = lint(tmp_path, policies, files)
    assert result.findings == []  # b.auto.tfvars (last in name order) wins: 10.2.0.0/16
    override = tmp_path / "prod.tfvars"
    override.write_text('cidr = "0.0.0.0/0"\n', encoding="utf-8")
    result = lint(tmp_path, policies, {}, var_files=[override])
    (finding,) = result.findings
    assert (
        finding.message
        == f"22 open to the whole internet from 0.0.0.0/0 (from {override.as_posix()})"
    )
    assert (finding.span.file, finding.span.line) == ("main.tf", 7)


def test_a_local_that_needs_itself_is_a_located_error_not_a_hang(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
locals {
  a = local.b
  b = "${local.a}-x"
}
resource "aws_instance" "web" {
  ami = local.a
}
"""
        },
    )
    errors = [d for d in diagnostics if d.level.value == "error"]
    assert [(d.file, d.line, d.message) for d in errors] == [
        (
            "main.tf",
            3,
            "local.a refers to itself (local.a -> local.b -> local.a); it is treated as unknown",
        )
    ]
    assert props(graph, "aws_instance.web")["image_id"] == PartialString(
        (Unknown("local.a refers to itself"), "-x")
    )


def test_remote_modules_are_never_fetched_and_the_run_says_so(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}
module "git" {
  source = "git::https://example.com/x.git"
}
resource "aws_instance" "web" {
  subnet_id = module.vpc.private_subnets[0]
}
""",
        },
    )
    assert addresses(graph) == ["aws_instance.web"]
    assert [(d.level.value, d.line, d.message) for d in diagnostics] == [
        (
            "notice",
            3,
            "module 'vpc' comes from 'terraform-aws-modules/vpc/aws', which is never fetched: its resources are not linted",
        ),
        (
            "notice",
            7,
            "module 'git' comes from 'git::https://example.com/x.git', which is never fetched: its resources are not linted",
        ),
    ]


def test_local_module_sources_outside_the_tree_or_missing(tmp_path: Path) -> None:
    root = tmp_path / "root"
    write(tmp_path, {"outside/main.tf": 'resource "aws_instance" "x" {}\n'})
    graph, diagnostics, _ = graph_of(
        root,
        {
            "main.tf": 'module "out" {\n  source = "../outside"\n}\nmodule "gone" {\n  source = "./missing"\n}\n'
        },
    )
    assert addresses(graph) == []
    assert [(d.level.value, d.line, d.message) for d in diagnostics] == [
        ("warning", 2, "module 'out' is not read: ../outside is outside the linted tree"),
        ("error", 5, "module 'gone' is not read: missing is not a directory"),
    ]


def test_a_module_that_calls_itself_is_read_once(tmp_path: Path) -> None:
    graph, diagnostics, _ = graph_of(tmp_path, {"main.tf": 'module "me" {\n  source = "./"\n}\n'})
    assert addresses(graph) == []
    assert [d.message for d in diagnostics] == ["module 'me' (./) calls itself; not read again"]


def test_a_broken_file_is_a_located_error_and_the_rest_is_linted(
    tmp_path: Path, policies: list[Policy]
) -> None:
    files = {
        "a.tf": 'resource "aws_instance" "x" {\n  ami = \n}\n',
        "b.tf": 'resource "aws_security_group" "g" {'
        + SG_22.replace("CIDR", '"0.0.0.0/0"')
        + "}\n",
        "other/main.tf": 'resource "aws_security_group" "h" {'
        + SG_22.replace("CIDR", '"::/0"')
        + "}\n",
    }
    write(tmp_path, files)
    candidates = [
        Candidate(p, p.relative_to(tmp_path).as_posix()) for p in sorted(tmp_path.rglob("*.tf"))
    ]
    result = lint_terraform(candidates, policies, [str(tmp_path)])
    assert [(d.file, d.line, d.level.value) for d in result.diagnostics] == [("a.tf", 2, "error")]
    assert [(f.resource, f.span.file) for f in result.findings] == [
        ("aws_security_group.g", "b.tf"),
        ("aws_security_group.h", "other/main.tf"),
    ]
    assert result.files_linted == 2


def test_findings_in_modules_point_where_the_value_is_written(
    tmp_path: Path, policies: list[Policy]
) -> None:
    files = {
        "main.tf": 'module "sg" {\n  source = "./modules/sg"\n  cidrs  = ["0.0.0.0/0"]\n}\n',
        "modules/sg/main.tf": 'variable "cidrs" {}\nvariable "ports" { default = [3389] }\n'
        'resource "aws_security_group" "this" {\n  ingress {\n    from_port = var.ports[0]\n'
        '    to_port = var.ports[0]\n    protocol = "tcp"\n    cidr_blocks = var.cidrs\n  }\n}\n',
    }
    result = lint(tmp_path, policies, files)
    (finding,) = result.findings
    assert (finding.resource, finding.resource_type) == (
        "module.sg.aws_security_group.this",
        "aws_security_group",
    )
    assert (finding.span.file, finding.span.line, finding.span.column) == ("main.tf", 3, 13)
    assert finding.attribute == "ingress[0].cidr_blocks[0]"
    assert finding.message == "3389 open to the whole internet from 0.0.0.0/0"


def test_a_file_named_on_the_command_line_reports_its_whole_module(
    tmp_path: Path, policies: list[Policy]
) -> None:
    # A change to one file can move findings into the module's other files.
    open_rule = SG_22.replace("CIDR", '"0.0.0.0/0"')
    write(
        tmp_path,
        {
            "a.tf": 'resource "aws_security_group" "a" {' + open_rule + "}\n",
            "b.tf": 'resource "aws_security_group" "b" {' + open_rule + "}\n",
        },
    )
    named = Candidate(tmp_path / "b.tf", "b.tf", explicit=True)
    result = lint_terraform([named], policies, [str(tmp_path / "b.tf")])
    assert [f.resource for f in result.findings] == [
        "aws_security_group.a",
        "aws_security_group.b",
    ]


def test_references_become_edges_and_hops(tmp_path: Path, policies: list[Policy]) -> None:
    files = {
        "main.tf": """
resource "aws_security_group" "g" {}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  from_port         = 80
  to_port           = 80
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  depends_on        = [aws_security_group.g]
}
resource "aws_launch_template" "t" {
  count = 1
  metadata_options { http_tokens = "optional" }
}
resource "aws_instance" "i" {
  launch_template {
    id = aws_launch_template.t[0].id # follows the counted instance
  }
}
"""
    }
    graph, _, _ = graph_of(tmp_path, files)
    labels = {(edge.source, edge.target, edge.label) for edge in graph.edges}
    assert ("aws_security_group_rule.r", "aws_security_group.g", "group") in labels
    assert ("aws_security_group_rule.r", "aws_security_group.g", "depends_on") in labels
    assert props(graph, "aws_instance.i")["launch_template"] == Reference(
        "aws_launch_template.t[0]", "id"
    )
    result = lint(tmp_path, policies, {})
    assert [(f.policy_id, f.resource, f.span.line) for f in result.findings] == [
        ("IAC003", "aws_launch_template.t[0]", 14),
        ("IAC003", "aws_instance.i", 18),
    ]


def test_a_separate_resource_contributes_to_another_ones_properties(tmp_path: Path) -> None:
    graph, _, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
resource "aws_instance" "web" {
  vpc_security_group_ids = ["sg-1"]
}
resource "aws_network_interface_sg_attachment" "extra" {
  security_group_id    = "sg-2"
  network_interface_id = aws_instance.web.primary_network_interface_id
}
"""
        },
    )
    (web,) = graph.variants("aws_instance.web")
    assert web.properties["security_groups"] == ["sg-1", "sg-2"]
    location = web.locate(("security_groups", 1))
    assert location.attribute == "aws_network_interface_sg_attachment.extra.security_group_id"
    assert (location.span.line, location.span.column) == (6, 3)
    assert graph.referrers("aws_instance.web", ["unmodelled"])[0].address == (
        "aws_network_interface_sg_attachment.extra"
    )


def test_an_attachment_keeps_what_no_principal_in_the_files_receives(tmp_path: Path) -> None:
    graph, _, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
resource "aws_iam_role" "app" {
  name = "app"
}
resource "aws_iam_policy_attachment" "both" {
  name       = "both"
  roles      = [aws_iam_role.app.name, "elsewhere"]
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_iam_role_policy_attachment" "mine" {
  role       = "app"
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}
"""
        },
    )
    assert props(graph, "aws_iam_role.app")["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/PowerUserAccess",
    ]
    assert props(graph, "aws_iam_policy_attachment.both")["managed_policy_arns"] == [
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    ]
    assert "managed_policy_arns" not in props(graph, "aws_iam_role_policy_attachment.mine")


def test_an_aws_managed_policy_looked_up_by_name_is_its_arn(tmp_path: Path) -> None:
    graph, _, _ = graph_of(
        tmp_path,
        {
            "main.tf": """
data "aws_iam_policy" "admin" {
  name = "AdministratorAccess"
}
data "aws_iam_policy" "by_arn" {
  arn = "arn:aws:iam::123456789012:policy/custom"
}
data "aws_iam_policy" "by_prefix" {
  name        = "Custom"
  path_prefix = "/teams/"
}
resource "aws_iam_role_policy_attachment" "a" {
  role       = "x"
  policy_arn = data.aws_iam_policy.admin.arn
}
resource "aws_iam_role_policy_attachment" "b" {
  role       = "x"
  policy_arn = data.aws_iam_policy.by_arn.arn
}
resource "aws_iam_role_policy_attachment" "c" {
  role       = "x"
  policy_arn = data.aws_iam_policy.by_prefix.arn
}
"""
        },
    )
    (admin,) = props(graph, "aws_iam_role_policy_attachment.a")["managed_policy_arns"]  # type: ignore[misc]
    assert isinstance(admin, PartialString)
    assert admin.parts[0] == "arn:" and admin.parts[2] == ":iam::aws:policy/AdministratorAccess"
    assert isinstance(admin.parts[1], Unknown) and admin.parts[1].symbol == "AWS::Partition"
    assert props(graph, "aws_iam_role_policy_attachment.b")["managed_policy_arns"] == [
        "arn:aws:iam::123456789012:policy/custom"
    ]
    (prefixed,) = props(graph, "aws_iam_role_policy_attachment.c")["managed_policy_arns"]  # type: ignore[misc]
    assert isinstance(prefixed, Unknown)


def test_module_inputs_are_converted_by_their_type(tmp_path: Path, policies: list[Policy]) -> None:
    files = {
        "main.tf": 'module "server" {\n  source   = "./server"\n  metadata = {}\n}\n',
        "server/main.tf": """
variable "metadata" {
  type = object({ http_tokens = optional(string, "required") })
}
resource "aws_instance" "this" {
  metadata_options {
    http_tokens = var.metadata.http_tokens
  }
}
""",
    }
    result = lint(tmp_path, policies, files)
    assert result.findings == []


def test_large_for_each_is_evaluated_in_linear_time(tmp_path: Path) -> None:
    def steps(size: int) -> int:
        root = tmp_path / str(size)
        keys = ", ".join(f"k{i} = {{ port = {i} }}" for i in range(size))
        _, _, unit = graph_of(
            root,
            {
                "main.tf": f"""
locals {{
  rules = {{ {keys} }}
  doubled = {{ for k, v in local.rules : k => v.port * 2 }}
}}
resource "aws_security_group_rule" "r" {{
  for_each  = local.rules
  type      = "ingress"
  from_port = local.doubled[each.key]
  to_port   = each.value.port
  protocol  = "tcp"
  security_group_id = "sg-1"
}}
"""
            },
        )
        assert len(unit.instances) == size
        return 5_000_000 - unit.budget.steps

    small, large = steps(200), steps(800)
    assert large <= 4.4 * small  # linear: four times the keys, about four times the work


@pytest.mark.parametrize("name", ["override.tf", "main_override.tf"])
def test_override_files_are_not_merged_and_say_so(tmp_path: Path, name: str) -> None:
    graph, diagnostics, _ = graph_of(
        tmp_path,
        {"main.tf": 'resource "aws_instance" "x" {}\n', name: 'resource "aws_instance" "x" {}\n'},
    )
    assert addresses(graph) == ["aws_instance.x"]
    assert [(d.level.value, d.file) for d in diagnostics] == [("notice", name)]


def test_terraform_meta_arguments_are_only_those_of_the_resource_itself(tmp_path: Path) -> None:
    _, _, unit = graph_of(
        tmp_path,
        {
            "main.tf": """
resource "aws_launch_template" "t" {
  count = 1
  elastic_inference_accelerator {
    count = 2
    type  = "eia1.medium"
  }
  lifecycle {
    create_before_destroy = true
  }
}
"""
        },
    )
    native = unit.instances["aws_launch_template.t[0]"].native()
    assert list(native) == ["elastic_inference_accelerator"]
    (block,) = native["elastic_inference_accelerator"].value  # type: ignore[misc]
    assert sorted(block.value) == ["count", "type"]


def test_the_accounts_ebs_default_encrypts_volumes_that_do_not_say(tmp_path: Path) -> None:
    volumes = (
        'resource "aws_ebs_volume" "unsaid" {\n  availability_zone = "eu-west-1a"\n}\n'
        'resource "aws_ebs_volume" "off" {\n'
        '  availability_zone = "eu-west-1a"\n  encrypted = false\n}\n'
        'resource "aws_instance" "web" {\n  ami = "ami-0123456789abcdef0"\n}\n'
        'resource "aws_ami" "image" {\n  name = "image"\n'
        '  ebs_block_device {\n    device_name = "/dev/xvda"\n'
        '    snapshot_id = "snap-0123456789abcdef0"\n  }\n}\n'
    )

    def encryption(graph: Graph) -> dict[str, object]:
        out: dict[str, object] = {}
        for resource in graph.resources:
            if resource.kind == "ec2.volume":
                out[resource.address] = resource.properties.get("encrypted")
            elif "block_devices" in resource.properties:
                devices = resource.properties["block_devices"]
                assert isinstance(devices, list)
                out[resource.address] = [device.get("encrypted") for device in devices]
        return out

    on, problems, _ = graph_of(
        tmp_path / "on",
        {"main.tf": 'resource "aws_ebs_encryption_by_default" "on" {}\n' + volumes},
    )
    assert problems == []
    found = encryption(on)
    assert found["aws_ebs_volume.unsaid"] is True
    assert found["aws_ebs_volume.off"] is False
    assert found["aws_instance.web"] == [True]
    # The AMI's own snapshot is what it is, whatever the account's default.
    (image,) = found["aws_ami.image"]  # type: ignore[misc]
    assert isinstance(image, Unknown) and "snapshot" in image.reason

    unset, problems, _ = graph_of(
        tmp_path / "unset",
        {
            "main.tf": 'variable "on" {\n  type = bool\n}\n'
            'resource "aws_ebs_encryption_by_default" "maybe" {\n  enabled = var.on\n}\n' + volumes
        },
    )
    found = encryption(unset)
    unsaid = found["aws_ebs_volume.unsaid"]
    assert isinstance(unsaid, Unknown) and "variable on" in unsaid.reason
    assert found["aws_ebs_volume.off"] is False

    none, problems, _ = graph_of(tmp_path / "none", {"main.tf": volumes})
    found = encryption(none)
    assert found["aws_ebs_volume.unsaid"] is None
    (root,) = found["aws_instance.web"]  # type: ignore[misc]
    assert isinstance(root, Unknown) and "AMI's snapshot" in root.reason
