"""HCL (Terraform configuration and .tfvars): python-hcl2's grammar, our located tree."""

from __future__ import annotations

# Terraform configuration files by the end of their names (HCL, and Terraform's
# JSON syntax, read by `json_syntax.py`).
TERRAFORM_CONFIGURATION = (".tf", ".tf.json")


def is_terraform_configuration(name: str) -> bool:
    """Whether a file name is a Terraform configuration file (`.tf`, `.tf.json`)."""
    return name.lower().endswith(TERRAFORM_CONFIGURATION)
