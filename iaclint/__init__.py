"""iaclint: a pre-deploy policy linter for AWS infrastructure-as-code."""

__version__ = "0.2.0"

# The project's home (pyproject.toml's Homepage): reports link to it.
HOMEPAGE = "https://github.com/iaclint/iaclint"
# Where each bundled policy's generated page lives (docs/policies/<ID>.md).
POLICY_DOCS = f"{HOMEPAGE}/blob/main/docs/policies/"
