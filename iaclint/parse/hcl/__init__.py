"""HCL (Terraform configuration and .tfvars): python-hcl2's grammar, our located tree."""
