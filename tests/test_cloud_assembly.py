from __future__ import annotations

import json
import shutil
from pathlib import Path

from iaclint.parse.cloud_assembly import is_cloud_assembly, read_assembly

from .conftest import FIXTURES

WITH_PATHS = FIXTURES / "cdk" / "cdk.out"
NO_PATHS = FIXTURES / "cdk" / "cdk.out-no-paths"


def test_stacks_nested_stacks_and_stages() -> None:
    assembly = read_assembly(WITH_PATHS, "cdk.out")
    assert assembly.diagnostics == []
    found = {t.path.relative_to(WITH_PATHS).as_posix(): t.stack for t in assembly.templates}
    assert found == {
        "Compute.template.json": "Compute",
        "ComputeStorage251C8454.nested.template.json": "Compute/Storage",
        "Logging.template.json": "Logging",
        "assembly-Prod/ProdEdge216B1454.template.json": "Prod/Edge",
        "ResourcePolicies.template.json": "ResourcePolicies",
        "Analytics.template.json": "Analytics",
        "Encrypted.template.json": "Encrypted",
        # The EKS construct's provider stacks, nested in each stack holding a cluster.
        "Kubernetes.template.json": "Kubernetes",
        "KubernetesawscdkawseksClusterResourceProvider822E32AF.nested.template.json": (
            "Kubernetes/@aws-cdk--aws-eks.ClusterResourceProvider"
        ),
        "KubernetesawscdkawseksKubectlProvider72F6BC28.nested.template.json": (
            "Kubernetes/@aws-cdk--aws-eks.KubectlProvider"
        ),
        "KubernetesWithKey.template.json": "KubernetesWithKey",
        "KubernetesWithKeyawscdkawseksClusterResourceProvider23FC8151.nested.template.json": (
            "KubernetesWithKey/@aws-cdk--aws-eks.ClusterResourceProvider"
        ),
        "KubernetesWithKeyawscdkawseksKubectlProvider89A0C83C.nested.template.json": (
            "KubernetesWithKey/@aws-cdk--aws-eks.KubectlProvider"
        ),
    }


def test_metadata_paths_agree_with_the_paths_in_templates() -> None:
    for template in read_assembly(WITH_PATHS, "cdk.out").templates:
        resources = json.loads(template.path.read_text())["Resources"]
        written = {
            logical_id: body["Metadata"]["aws:cdk:path"]
            for logical_id, body in resources.items()
            if "aws:cdk:path" in body.get("Metadata", {})
        }
        assert written
        for logical_id, path in written.items():
            assert template.construct_paths[logical_id] == path


def test_paths_without_template_metadata() -> None:
    templates = {t.stack: t for t in read_assembly(NO_PATHS, "cdk.out-no-paths").templates}
    assert "aws:cdk:path" not in templates["Compute"].path.read_text()
    assert (
        templates["Compute"].construct_paths["PasswordInTemplate"] == "Compute/PasswordInTemplate"
    )
    assert (
        templates["Compute/Storage"].construct_paths["PlainQueueF142D8B5"]
        == "Compute/Storage/PlainQueue/Resource"
    )


def test_not_an_assembly(tmp_path: Path) -> None:
    assert not is_cloud_assembly(tmp_path)
    (tmp_path / "manifest.json").write_text('{"name": "a web app manifest"}')
    assert not is_cloud_assembly(tmp_path)
    assert is_cloud_assembly(WITH_PATHS)


def copy(tmp_path: Path) -> Path:
    target = tmp_path / "cdk.out"
    shutil.copytree(WITH_PATHS, target)
    return target


def test_broken_manifest_is_located(tmp_path: Path) -> None:
    target = copy(tmp_path)
    (target / "manifest.json").write_text('{"version": "55.0.0",\n "artifacts": {,}}')
    (problem,) = read_assembly(target, "cdk.out").diagnostics
    assert (problem.file, problem.line) == ("cdk.out/manifest.json", 2)
    assert problem.message.startswith("invalid JSON")


def test_missing_template_and_escaping_names(tmp_path: Path) -> None:
    target = copy(tmp_path)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["artifacts"]["Logging"]["properties"]["templateFile"] = "../../outside.json"
    manifest["artifacts"]["assembly-Prod"]["properties"]["directoryName"] = "../elsewhere"
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "Compute.template.json").unlink()
    assembly = read_assembly(target, "cdk.out")
    messages = sorted((d.file, d.message) for d in assembly.diagnostics)
    assert messages == [
        ("cdk.out/Compute.template.json", "template named by the assembly is missing"),
        ("cdk.out/manifest.json", "stack artifact 'Logging' names no template file"),
    ]
    # The nested stack of the missing template is still read, like every other stack.
    every_stack = {t.stack for t in read_assembly(WITH_PATHS, "cdk.out").templates}
    assert {t.stack for t in assembly.templates} == every_stack - {
        "Compute",
        "Logging",
        "Prod/Edge",
    }
    assert "Compute/Storage" in every_stack
