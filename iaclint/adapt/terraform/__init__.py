"""Terraform into the common model: HCL modules (evaluated) and plan JSON."""
