"""iaclint: a pre-deploy policy linter for AWS infrastructure-as-code."""

__version__ = "0.1.0"
