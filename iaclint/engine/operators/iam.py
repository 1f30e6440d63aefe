"""Operators on IAM policy documents, action and resource patterns, and managed policy ARNs.

IAM patterns use `*` (any run of characters) and `?` (one character), matched
without regard to case for actions. A pattern partly unknown (built with
`Fn::Sub`, `Fn::Join`, interpolation) is judged by its broadest reading, every
unknown part taken as `*`: if even that cannot match everything, the answer is
no; if it can, the answer depends on the unknown part, except for pseudo
parameters (`AWS::Partition`, `AWS::Region`, `AWS::AccountId`, `AWS::URLSuffix`),
which a template cannot narrow and which count as wildcards. A reference to a
resource of the template (`!GetAtt Bucket.Arn`) is that resource's own name or
ARN, never a wildcard.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from iaclint.engine.operators.base import Argument, Operator, Verdict, unknown
from iaclint.engine.operators.basic import as_bool
from iaclint.graph.values import Input, PartialString, Reference, Unknown, unknown_reason

# Values a template cannot narrow: a pattern written with them covers every value.
_UNNARROWED = frozenset({"AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::URLSuffix"})

# Diverse ARNs: a resource pattern matching all of them is not a restriction.
_SAMPLE_ARNS = (
    "arn:aws:s3:::example-bucket/some/key.txt",
    "arn:aws-cn:iam::123456789012:role/service-role/Example",
    "arn:aws-us-gov:ec2:us-gov-west-1:210987654321:instance/i-0123456789abcdef0",
    "arn:aws:lambda:eu-west-1:111122223333:function:other",
)
_SAMPLE_ACTIONS = ("s3:GetObject", "iam:PassRole", "ec2:RunInstances", "kms:Decrypt")

# Stands for the name or ARN of a resource of the template: no sample contains it.
_SPECIFIC = "\ue000specific-resource\ue000"

_PARTITION = re.compile(r"^arn:aws(?:-[a-z]+)*:")

_MANAGED_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::aws:policy/(?:[^/]+/)*([^/]+)$")
_CUSTOMER_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:policy/")


_STARS = re.compile(r"\*+")


def _glob_matches(pattern: str, text: str, ignore_case: bool) -> bool:
    """Whether an IAM wildcard pattern (`*` any run, `?` one character) matches all of
    `text`, in time linear in the pattern: as a regex, `**...*X` backtracks without end.

    Runs of `*` are one `*`; a pattern with more other characters than the text
    cannot match; what remains is matched by backtracking to the last `*` only,
    which is enough for patterns without character classes.
    """
    pattern = _STARS.sub("*", pattern)
    if len(pattern) - pattern.count("*") > len(text):
        return False
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    p = t = 0
    star = -1  # the last `*` seen, and the text position it matched up to
    mark = 0
    while t < len(text):
        if p < len(pattern) and pattern[p] != "*" and pattern[p] in ("?", text[t]):
            p += 1
            t += 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif star >= 0:
            mark += 1
            p, t = star + 1, mark
        else:
            return False
    return pattern[p:].strip("*") == ""


# Patterns up to this long are remembered (actions and ARNs are much shorter).
_REMEMBERED_PATTERN = 512


@functools.lru_cache(maxsize=4096)
def _matches_every(pattern: str, samples: tuple[str, ...], ignore_case: bool) -> bool:
    """Whether the pattern matches every sample. Templates repeat the same actions and
    resources in statement after statement: each pattern is matched once."""
    return all(_glob_matches(pattern, sample, ignore_case) for sample in samples)


def _readings(value: object) -> tuple[str, bool] | None:
    """The broadest reading of a pattern, and whether it is exact (no narrowable unknown)."""
    if isinstance(value, str):
        return value.strip(), True
    if isinstance(value, PartialString):
        text = []
        exact = True
        for part in value.parts:
            if isinstance(part, str):
                text.append(part)
            elif isinstance(part, Reference):
                text.append(_SPECIFIC)
            else:
                text.append("*")
                if not (isinstance(part, Unknown) and part.symbol in _UNNARROWED):
                    exact = False
        return "".join(text).strip(), exact
    if isinstance(value, Reference):
        return _SPECIFIC, True
    return None


def _covers(value: object, samples: tuple[str, ...], ignore_case: bool) -> Verdict:
    reading = _readings(value)
    if reading is None:
        if isinstance(value, Unknown | Reference):
            return unknown(unknown_reason(value))
        return Verdict(False)
    pattern, exact = reading
    # A policy applies within its own partition: `arn:aws:*` is every resource there.
    pattern = _PARTITION.sub("arn:*:", pattern)
    if len(pattern) <= _REMEMBERED_PATTERN:
        matches = _matches_every(pattern, samples, ignore_case)
    else:
        matches = all(_glob_matches(pattern, sample, ignore_case) for sample in samples)
    if not matches:
        return Verdict(False)
    if exact:
        return Verdict(True)
    shown = value.describe() if isinstance(value, PartialString) else str(value)
    return unknown(f"'{shown}' depends on a value known only at deployment")


def _action_matches_all(value: object, args: Mapping[str, object]) -> Verdict:
    return _covers(value, _SAMPLE_ACTIONS, ignore_case=True)


def _action_matches_service(value: object, args: Mapping[str, object]) -> Verdict:
    """`s3:*`, `S3:*`, `s*:*`: every action of a service (but not of every service,
    nor of a service in `excluding`, which another policy judges)."""
    reading = _readings(value)
    if reading is None:
        return (
            unknown(unknown_reason(value))
            if isinstance(value, Unknown | Reference)
            else Verdict(False)
        )
    pattern, exact = reading
    service, colon, action = pattern.partition(":")
    if not colon or not action or set(action) != {"*"}:
        return Verdict(False)
    if _action_matches_all(value, args).truth is not False:
        return Verdict(False)  # every action of every service is not "a service"
    excluding = args.get("excluding") or []
    assert isinstance(excluding, list)
    for other in excluding:
        if _action_covers_service(value, {"service": other}).truth is not False:
            return Verdict(False)
    return (
        Verdict(True, {"service": service.lower()})
        if exact
        else unknown("the service is known only at deployment")
    )


# Action names of every shape a service's wildcard must match: a pattern matching
# all of them leaves no action of the service out (`iam:*`, `IAM:?*`, `i*:*`).
_ACTION_NAMES = ("A", "x9", "PassRole", "CreateAccessKey", "PutRolePolicy", "Zq0Get")


def _action_covers_service(value: object, args: Mapping[str, object]) -> Verdict:
    """The pattern matches every action of `service` (`iam:*`, `*`)."""
    service = args["service"]
    assert isinstance(service, str)
    samples = tuple(f"{service}:{name}" for name in _ACTION_NAMES)
    verdict = _covers(value, samples, ignore_case=True)
    return Verdict(True, {"service": service}) if verdict.truth is True else verdict


def _resource_matches_all(value: object, args: Mapping[str, object]) -> Verdict:
    return _covers(value, _SAMPLE_ARNS, ignore_case=False)


def _statement_grants_admin(statement: object) -> Verdict:
    if not isinstance(statement, dict):
        return Verdict(False)
    effect = statement.get("effect")
    if not isinstance(effect, str):
        return (
            unknown(f"effect: {unknown_reason(effect)}") if effect is not None else Verdict(False)
        )
    if effect != "allow":
        return Verdict(False)
    # Every IAM action is administrator access one step removed (IAMFullAccess).
    everything = _any_verdict(
        [_action_covers_service(action, _IAM) for action in _listed(statement.get("actions"))]
        + [Verdict(True)] * bool(_listed(statement.get("not_actions")))
    )
    if everything.truth is not True:
        return everything
    return _any_verdict(
        [_resource_matches_all(resource, {}) for resource in _listed(statement.get("resources"))]
        + [Verdict(True)] * bool(_listed(statement.get("not_resources")))
    )


_IAM: Mapping[str, object] = {"service": "iam"}


def _grants_admin(value: object, args: Mapping[str, object]) -> Verdict:
    """A policy document with an Allow statement for every action on every resource."""
    if not isinstance(value, dict):
        return Verdict(False)
    statements = value.get("statements")
    if isinstance(statements, Unknown | Reference | PartialString):
        return unknown(f"statements: {unknown_reason(statements)}")
    return _any_verdict([_statement_grants_admin(item) for item in _listed(statements)])


def _statement_grants_action(statement: object, action: str) -> Verdict:
    if not isinstance(statement, dict):
        return Verdict(False)
    effect = statement.get("effect")
    if not isinstance(effect, str):
        return (
            unknown(f"effect: {unknown_reason(effect)}") if effect is not None else Verdict(False)
        )
    if effect != "allow":
        return Verdict(False)
    excluded = _listed(statement.get("not_actions"))
    if excluded:
        # NotAction allows every action it does not name.
        named = _any_verdict([_covers(item, (action,), ignore_case=True) for item in excluded])
        granted = named if named.truth is None else Verdict(named.truth is False)
    else:
        granted = _any_verdict(
            [
                _covers(item, (action,), ignore_case=True)
                for item in _listed(statement.get("actions"))
            ]
        )
    if granted.truth is not True:
        return granted
    return _any_verdict(
        [_resource_matches_all(resource, {}) for resource in _listed(statement.get("resources"))]
        + [Verdict(True)] * bool(_listed(statement.get("not_resources")))
    )


def _grants_action(value: object, args: Mapping[str, object]) -> Verdict:
    """A policy document with an Allow statement for `action` on every resource."""
    action = args["action"]
    assert isinstance(action, str)
    if not isinstance(value, dict):
        return Verdict(False)
    statements = value.get("statements")
    if isinstance(statements, Unknown | Reference | PartialString):
        return unknown(f"statements: {unknown_reason(statements)}")
    return _any_verdict([_statement_grants_action(item, action) for item in _listed(statements)])


def _resolved(value: object) -> object:
    """A parameter or variable as the value it stands for (its default), or unknown."""
    if isinstance(value, Input):
        if value.has_default:
            return value.value
        return Unknown(f"parameter {value.name} has no default")
    return value


def _principal_allows_everyone(value: object, args: Mapping[str, object]) -> Verdict:
    """`Principal: "*"`, `{AWS: "*"}`, or (`not_principal`) any `NotPrincipal` entry."""
    if args.get("not_principal"):
        return Verdict(True, {"who": "NotPrincipal"})
    value = _resolved(value)
    if not isinstance(value, dict):
        return unknown(unknown_reason(value)) if _undecided(value) else Verdict(False)
    kind, principal = _resolved(value.get("type")), _resolved(value.get("value"))
    if kind == "*":
        return Verdict(True, {"who": 'Principal "*"'})
    if _undecided(kind):
        return unknown(f"principal type: {unknown_reason(kind)}")
    if kind != "AWS":
        return Verdict(False)
    if isinstance(principal, str) and principal.strip() == "*":
        return Verdict(True, {"who": 'Principal {"AWS": "*"}'})
    if _undecided(principal):
        return unknown(f"principal: {unknown_reason(principal)}")
    text = _concrete_text(principal)
    if isinstance(text, str) and _every_account_root(text.strip()):
        return Verdict(True, {"who": f'Principal {{"AWS": "{text.strip()}"}}'})
    return Verdict(False)


# Account ids a wildcard account field must match to mean every account.
_SAMPLE_ACCOUNTS = ("123456789012", "999988887777", "000000000001")


def _every_account_root(text: str) -> bool:
    """`arn:aws:iam::*:root`: the root of every account, which is every account."""
    fields = text.split(":", 5)
    if len(fields) != 6 or fields[0].lower() != "arn" or fields[2] != "iam":
        return False
    account, resource = fields[4], fields[5]
    return all(_glob_matches(account, sample, False) for sample in _SAMPLE_ACCOUNTS) and (
        _glob_matches(resource, "root", False)
    )


def _undecided(value: object) -> bool:
    """Unknown as a whole (text with a known part is never exactly `*`)."""
    return isinstance(value, Unknown | Input)


# Condition keys that narrow "everyone" to an account, an organization, a network
# or a calling resource, when compared with a concrete value (lower case: keys are
# case-insensitive).
_NARROWING_KEYS = frozenset(
    {
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:vpcsourceip",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "kms:calleraccount",
    }
)
# Boolean keys that, when true, limit a request to a network: an EFS mount target
# is reachable only from its VPC (and networks joined to it).
_NARROWING_FLAGS = frozenset({"elasticfilesystem:accessedviamounttarget"})
# Operators that let through only the values listed. Negated operators, `...IfExists`
# (a caller without the key passes) and `ForAllValues:` (an empty set passes) do not.
_NARROWING_OPERATORS = frozenset(
    {
        "stringequals",
        "stringequalsignorecase",
        "stringlike",
        "arnequals",
        "arnlike",
        "ipaddress",
    }
)
# Stand-ins for values that are concrete but known only at deployment: the
# deploying account and partition, a resource of the linted files.
_CONCRETE = {
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::URLSuffix": "amazonaws.com",
}
_WILDCARDS = frozenset("*?")


def _concrete_text(value: object) -> str | Unknown:
    """A condition value as text, deployment-time parts that are concrete filled in."""
    value = _resolved(value)
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Reference):
        return "resource-of-the-files"
    if isinstance(value, Unknown) and value.symbol in _CONCRETE:
        return _CONCRETE[value.symbol]
    if isinstance(value, PartialString):
        parts = []
        for part in value.parts:
            text = part if isinstance(part, str) else _concrete_text(part)
            if isinstance(text, Unknown):
                return text
            parts.append(text)
        return "".join(parts)
    if isinstance(value, Unknown):
        return value
    return Unknown(f"'{value}' is not a condition value")


def _narrow_value(text: str, key: str) -> bool:
    """Whether one value of a narrowing key names something in particular."""
    text = text.strip()
    if key in ("aws:sourceip", "aws:vpcsourceip"):
        return bool(text) and not text.endswith("/0")
    if text.lower().startswith("arn:"):
        fields = text.split(":", 5)
        account = fields[4] if len(fields) > 4 else ""
        resource = fields[5] if len(fields) > 5 else ""
        if account:
            return not (_WILDCARDS & set(account))
        return bool(set(resource) - _WILDCARDS - {"/", ":"})
    return bool(set(text) - _WILDCARDS)


def _conditions_narrow_principal(value: object, args: Mapping[str, object]) -> Verdict:
    """A statement's conditions limit who it lets in (`aws:SourceAccount`, ...)."""
    value = _resolved(value)
    if not isinstance(value, dict):
        return unknown(unknown_reason(value)) if _undecided(value) else Verdict(False)
    reasons: list[str] = []
    for operator, tests in value.items():
        name = str(operator).lower()
        if name.startswith("foranyvalue:"):
            name = name[len("foranyvalue:") :]
        if name == "bool":
            flag = _narrowing_flag(tests, str(operator))
            if isinstance(flag, str):
                reasons.append(flag)
            elif flag is not None:
                return flag
            continue
        if name not in _NARROWING_OPERATORS:
            continue
        tests = _resolved(tests)
        if not isinstance(tests, dict):
            if _undecided(tests):
                reasons.append(f"condition {operator}: {unknown_reason(tests)}")
            continue
        for key, listed in tests.items():
            key_name = str(key).lower()
            if key_name not in _NARROWING_KEYS:
                continue
            listed = _resolved(listed)
            items = listed if isinstance(listed, list) else [listed]
            texts = [_concrete_text(item) for item in items]
            undecided = [text for text in texts if isinstance(text, Unknown)]
            if not items or any(
                isinstance(text, str) and not _narrow_value(text, key_name) for text in texts
            ):
                continue  # one value letting everyone through is enough
            if undecided:
                reasons.append(f"condition {key}: {unknown_reason(undecided[0])}")
                continue
            return Verdict(True, {"narrowed_by": str(key)})
    if reasons:
        return unknown(reasons[0])
    return Verdict(False)


def _narrowing_flag(tests: object, operator: str) -> Verdict | str | None:
    """A `Bool` test of a narrowing flag: its verdict when it narrows, the reason
    when its value is known only at deployment, else None."""
    tests = _resolved(tests)
    if not isinstance(tests, dict):
        return f"condition {operator}: {unknown_reason(tests)}" if _undecided(tests) else None
    for key, listed in tests.items():
        if str(key).lower() not in _NARROWING_FLAGS:
            continue
        listed = _resolved(listed)
        items = [_resolved(item) for item in (listed if isinstance(listed, list) else [listed])]
        if any(_undecided(item) for item in items):
            return f"condition {key}: {unknown_reason(next(i for i in items if _undecided(i)))}"
        if items and all(as_bool(item) is True for item in items):
            return Verdict(True, {"narrowed_by": str(key)})
    return None


def _statement_allows_anyone(statement: object) -> Verdict:
    if not isinstance(statement, dict) or statement.get("effect") != "allow":
        return Verdict(False)
    everyone = _any_verdict(
        [_principal_allows_everyone(item, {}) for item in _listed(statement.get("principals"))]
        + [Verdict(True)] * bool(_listed(statement.get("not_principals")))
    )
    if everyone.truth is False:
        return everyone
    narrowed = _conditions_narrow_principal(statement.get("conditions"), {})
    if narrowed.truth is True:
        return Verdict(False)
    fenced = _fenced_by_denials(statement, {})
    if fenced.truth is True:
        return Verdict(False)
    undecided = narrowed if narrowed.truth is None else fenced
    return everyone if undecided.truth is False else undecided


def _allows_anyone(value: object, args: Mapping[str, object]) -> Verdict:
    """A resource policy with an Allow statement for every principal that no condition
    narrows to an account, organization, network or source."""
    if not isinstance(value, dict):
        return Verdict(False)
    statements = value.get("statements")
    if isinstance(statements, Unknown | Reference | PartialString):
        return unknown(f"statements: {unknown_reason(statements)}")
    return _any_verdict([_statement_allows_anyone(item) for item in _listed(statements)])


# Negated operators that, in a Deny, leave only the values listed allowed
# (`...IfExists` too: a request without the key is denied either way).
_FENCING_OPERATORS = frozenset(
    {
        "stringnotequals",
        "stringnotequalsignorecase",
        "stringnotlike",
        "arnnotequals",
        "arnnotlike",
        "notipaddress",
    }
)


def _fenced_by_denials(value: object, args: Mapping[str, object]) -> Verdict:
    """An Allow statement that a Deny of its document fences: the Deny is for everyone,
    covers the Allow's actions and resources, and applies to every caller outside an
    allow-list of accounts, organizations, networks or sources."""
    if not isinstance(value, dict):
        return Verdict(False)
    undecided: list[Verdict] = []
    for denial in _listed(value.get("denials")):
        verdict = _fences(denial, value)
        if verdict.truth is True:
            return verdict
        if verdict.truth is None:
            undecided.append(verdict)
    return undecided[0] if undecided else Verdict(False)


def _fences(denial: object, allow: Mapping[str, object]) -> Verdict:
    if not isinstance(denial, dict) or denial.get("effect") != "deny":
        return Verdict(False)
    if any(_listed(denial.get(key)) for key in ("not_principals", "not_actions", "not_resources")):
        return Verdict(False)  # a Deny that excludes something leaves it allowed
    everyone = _any_verdict(
        [_principal_allows_everyone(item, {}) for item in _listed(denial.get("principals"))]
    )
    if everyone.truth is not True:
        return everyone
    for key, ignore_case in (("actions", True), ("resources", False)):
        if _listed(allow.get(f"not_{key}")):
            wanted: list[object] = ["*"]  # everything but some: only `*` covers it
        else:
            wanted = _listed(allow.get(key))
        covered = _patterns_cover(_listed(denial.get(key)), wanted, ignore_case)
        if covered.truth is not True:
            return covered
    return _conditions_fence(denial.get("conditions"))


def _patterns_cover(patterns: list[object], wanted: list[object], ignore_case: bool) -> Verdict:
    """Every value of `wanted` (themselves patterns) is matched by one of `patterns`."""
    if not wanted:
        return Verdict(False)
    for item in wanted:
        if any(pattern == item for pattern in patterns):
            continue  # written alike (also when known only at deployment)
        text = _concrete_text(item)
        if isinstance(text, Unknown):
            return unknown(f"the allowed {unknown_reason(text)}")
        found = False
        for pattern in patterns:
            written = _concrete_text(pattern)
            if isinstance(written, Unknown):
                continue
            if _WILDCARDS & set(text) and "?" in written:
                continue  # `?` matches one character of `text`, not all a wildcard does
            if _glob_matches(written, text, ignore_case):
                found = True
                break
        if not found:
            return Verdict(False)
    return Verdict(True)


def _conditions_fence(conditions: object) -> Verdict:
    """A Deny's conditions are all negated tests of keys that narrow a principal,
    against concrete values: the Deny applies to every caller outside what they list."""
    conditions = _resolved(conditions)
    if not isinstance(conditions, dict) or not conditions:
        return unknown(unknown_reason(conditions)) if _undecided(conditions) else Verdict(False)
    fenced_by = ""
    for operator, tests in conditions.items():
        name = str(operator).lower().removesuffix("ifexists")
        if name not in _FENCING_OPERATORS:
            return Verdict(False)  # the Deny spares callers this test lets through
        tests = _resolved(tests)
        if not isinstance(tests, dict) or not tests:
            return unknown(unknown_reason(tests)) if _undecided(tests) else Verdict(False)
        for key, listed in tests.items():
            key_name = str(key).lower()
            if key_name not in _NARROWING_KEYS:
                return Verdict(False)
            listed = _resolved(listed)
            items = listed if isinstance(listed, list) else [listed]
            texts = [_concrete_text(item) for item in items]
            if not items or any(
                isinstance(text, str) and not _narrow_value(text, key_name) for text in texts
            ):
                return Verdict(False)  # one value letting everyone through is enough
            missing = next((text for text in texts if isinstance(text, Unknown)), None)
            if missing is not None:
                return unknown(f"Deny condition {key}: {unknown_reason(missing)}")
            fenced_by = fenced_by or str(key)
    return Verdict(True, {"fenced_by": fenced_by})


def _action_names(text: str) -> frozenset[str]:
    return frozenset(text.lower().split())


# ECR's and ECR Public's actions (IAM's service authorization reference), and those
# that only read images: pulling them, and listing and describing what there is.
_IMAGE_READS = _action_names(
    "ecr:BatchCheckLayerAvailability ecr:BatchGetImage ecr:GetDownloadUrlForLayer "
    "ecr:DescribeImages ecr:DescribeRepositories ecr:ListImages "
    "ecr-public:BatchCheckLayerAvailability ecr-public:DescribeImages "
    "ecr-public:DescribeImageTags ecr-public:DescribeRepositories "
    "ecr-public:DescribeRegistries ecr-public:GetRepositoryCatalogData "
    "ecr-public:GetRegistryCatalogData"
)
_IMAGE_WRITES_AND_OTHERS = _action_names(
    "ecr:BatchDeleteImage ecr:BatchGetRepositoryScanningConfiguration "
    "ecr:BatchImportUpstreamImage ecr:CompleteLayerUpload ecr:CreatePullThroughCacheRule "
    "ecr:CreateRepository ecr:CreateRepositoryCreationTemplate ecr:DeleteLifecyclePolicy "
    "ecr:DeletePullThroughCacheRule ecr:DeleteRegistryPolicy ecr:DeleteRepository "
    "ecr:DeleteRepositoryCreationTemplate ecr:DeleteRepositoryPolicy "
    "ecr:DescribeImageReplicationStatus ecr:DescribeImageScanFindings "
    "ecr:DescribePullThroughCacheRules ecr:DescribeRegistry "
    "ecr:DescribeRepositoryCreationTemplates ecr:GetAccountSetting "
    "ecr:GetAuthorizationToken ecr:GetLifecyclePolicy ecr:GetLifecyclePolicyPreview "
    "ecr:GetRegistryPolicy ecr:GetRegistryScanningConfiguration ecr:GetRepositoryPolicy "
    "ecr:InitiateLayerUpload ecr:ListTagsForResource ecr:PutAccountSetting ecr:PutImage "
    "ecr:PutImageScanningConfiguration ecr:PutImageTagMutability ecr:PutLifecyclePolicy "
    "ecr:PutRegistryPolicy ecr:PutRegistryScanningConfiguration "
    "ecr:PutReplicationConfiguration ecr:ReplicateImage ecr:SetRepositoryPolicy "
    "ecr:StartImageScan ecr:StartLifecyclePolicyPreview ecr:TagResource "
    "ecr:UntagResource ecr:UpdatePullThroughCacheRule "
    "ecr:UpdateRepositoryCreationTemplate ecr:UploadLayerPart "
    "ecr:ValidatePullThroughCacheRule "
    "ecr-public:BatchDeleteImage ecr-public:CompleteLayerUpload "
    "ecr-public:CreateRepository ecr-public:DeleteRepository "
    "ecr-public:DeleteRepositoryPolicy ecr-public:GetAuthorizationToken "
    "ecr-public:GetRepositoryPolicy ecr-public:InitiateLayerUpload "
    "ecr-public:ListTagsForResource ecr-public:PutImage ecr-public:PutRegistryCatalogData "
    "ecr-public:PutRepositoryCatalogData ecr-public:SetRepositoryPolicy "
    "ecr-public:TagResource ecr-public:UntagResource ecr-public:UploadLayerPart"
)
_IMAGE_ACTIONS = _IMAGE_READS | _IMAGE_WRITES_AND_OTHERS


def _reads_images_only(value: object, args: Mapping[str, object]) -> Verdict:
    """A statement whose every action only pulls, lists or describes images."""
    if not isinstance(value, dict) or _listed(value.get("not_actions")):
        return Verdict(False)
    actions = value.get("actions")
    if _undecided(actions):
        return unknown(f"actions: {unknown_reason(actions)}")
    listed = _listed(actions)
    if not listed:
        return Verdict(False)
    verdicts = []
    for action in listed:
        reading = _readings(_resolved(action))
        if reading is None:
            if _undecided(_resolved(action)):
                verdicts.append(unknown(f"action: {unknown_reason(_resolved(action))}"))
                continue
            return Verdict(False)
        pattern, exact = reading
        matched = [name for name in _IMAGE_ACTIONS if _glob_matches(pattern, name, True)]
        if matched and all(name in _IMAGE_READS for name in matched):
            continue
        if exact:
            return Verdict(False)
        verdicts.append(unknown(f"action '{pattern}' depends on a value known only at deployment"))
    return verdicts[0] if verdicts else Verdict(True)


def _listed(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def _any_verdict(verdicts: list[Verdict]) -> Verdict:
    for verdict in verdicts:
        if verdict.truth is True:
            return verdict
    for verdict in verdicts:
        if verdict.truth is None:
            return verdict
    return Verdict(False)


def _managed_policy_name(value: object) -> tuple[str | None, bool]:
    """The AWS managed policy name of an ARN (any partition), and whether the answer is exact."""
    if isinstance(value, str):
        match = _MANAGED_ARN.match(value.strip())
        return (match.group(1) if match else None), True
    if isinstance(value, PartialString):
        text = []
        for part in value.parts:
            if isinstance(part, str):
                text.append(part)
            elif isinstance(part, Unknown) and part.symbol == "AWS::Partition":
                text.append("aws")
            else:
                return None, False
        match = _MANAGED_ARN.match("".join(text).strip())
        return (match.group(1) if match else None), True
    return None, False


def _is_aws_managed_policy(value: object, args: Mapping[str, object]) -> Verdict:
    names = args["names"]
    assert isinstance(names, list)
    name, exact = _managed_policy_name(value)
    if not exact:
        if isinstance(value, Reference):
            return Verdict(
                False
            )  # a customer managed policy of the template: judged where declared
        return unknown(unknown_reason(value))
    if name is not None and name in names:
        return Verdict(True, {"policy": name})
    return Verdict(False)


def _managed_policy_grants(value: object, args: Mapping[str, object]) -> Verdict:
    verdict = _is_aws_managed_policy(value, args)
    if verdict.truth is not False or isinstance(value, Reference):
        return verdict
    text = value if isinstance(value, str) else None
    if text is not None and _CUSTOMER_ARN.match(text.strip()):
        return unknown(f"customer managed policy {text.strip()} is not in the linted files")
    return verdict


_NAMES = Argument("list[str]", description="AWS managed policy names (AdministratorAccess, ...)")

OPERATORS = (
    Operator(
        "action_matches_all",
        _action_matches_all,
        "The value is an IAM action pattern matching every action (`*`, `*:*`), in any case.",
        sees_unknowns=True,
    ),
    Operator(
        "action_matches_service",
        _action_matches_service,
        "The value is an IAM action pattern matching every action of a service (`s3:*`, "
        "`IAM:*`, `s*:*`), but not every action of every service, nor every action of a "
        "service listed in `excluding`.",
        {
            "excluding": Argument(
                "list[str]",
                required=False,
                default=[],
                description="services whose wildcards do not count (judged elsewhere)",
            )
        },
        facts=frozenset({"service"}),
        sees_unknowns=True,
    ),
    Operator(
        "action_covers_service",
        _action_covers_service,
        "The value is an IAM action pattern matching every action of `service` (`iam:*`, "
        "`IAM:?*`, `i*:*`, `*`), in any case.",
        {"service": Argument("str", description="the service prefix (`iam`)")},
        facts=frozenset({"service"}),
        sees_unknowns=True,
    ),
    Operator(
        "resource_matches_all",
        _resource_matches_all,
        "The value is a resource ARN pattern matching every resource (`*`, `arn:*`, "
        "`arn:${AWS::Partition}:*:*:*:*`).",
        sees_unknowns=True,
    ),
    Operator(
        "iam_grants_admin",
        _grants_admin,
        "The value is an IAM policy document with an Allow statement for every action, every "
        "IAM action (administrator access one step removed), or `NotAction`, on every "
        "resource (or `NotResource`). Deny statements never count.",
    ),
    Operator(
        "iam_grants_action",
        _grants_action,
        "The value is an IAM policy document with an Allow statement whose actions cover "
        "`action` (`iam:PassRole`, `iam:Pass*`, `iam:*`, `*`, or a `NotAction` that does "
        "not name it) on every resource (or `NotResource`). Deny statements never count.",
        {"action": Argument("str", description="the action (`iam:PassRole`)")},
    ),
    Operator(
        "iam_allows_anyone",
        _allows_anyone,
        "The value is a resource policy document with an Allow statement whose principal is "
        "everyone (`*`, `{AWS: '*'}`, or a `NotPrincipal`) and whose conditions do not narrow "
        "it (see `conditions_narrow_principal`) and that no Deny fences (see "
        "`fenced_by_denials`). Deny statements count only as fences.",
    ),
    Operator(
        "principal_allows_everyone",
        _principal_allows_everyone,
        "The value is a principal entry of a statement letting everyone in: `*`, "
        "`{AWS: '*'}` or the root of every account (`{AWS: 'arn:aws:iam::*:root'}`); with "
        "`not_principal: true`, any entry (a `NotPrincipal` lets in everyone it does not "
        "name).",
        {
            "not_principal": Argument(
                "bool", required=False, default=False, description="the entry is a NotPrincipal"
            )
        },
        facts=frozenset({"who"}),
        sees_unknowns=True,
    ),
    Operator(
        "conditions_narrow_principal",
        _conditions_narrow_principal,
        "The value is a statement's conditions, and one of them limits who the statement "
        "lets in to an account, organization, network or calling resource: a key such as "
        "`aws:SourceAccount`, `aws:SourceArn`, `aws:SourceVpc(e)`, `aws:SourceIp`, "
        "`aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceOwner` "
        "or `kms:CallerAccount`, tested with `StringEquals`, `StringLike`, `ArnEquals`, "
        "`ArnLike` or `IpAddress` (also `ForAnyValue:`) against concrete values (the "
        "deploying account counts; `*`, `0.0.0.0/0` or an ARN of any account do not), or "
        "`elasticfilesystem:AccessedViaMountTarget` tested true with `Bool` (a mount "
        "target is reached from its VPC only). "
        "Negated operators, `...IfExists` and `ForAllValues:` do not narrow. A value known "
        "only at deployment makes the answer unknown.",
        facts=frozenset({"narrowed_by"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "fenced_by_denials",
        _fenced_by_denials,
        "The value is an Allow statement (with its document's Deny statements as "
        "`denials`) that a Deny fences: a Deny for everyone, with no `NotPrincipal`, "
        "`NotAction` or `NotResource`, whose actions and resources cover the Allow's, and "
        "whose conditions are all negated tests (`StringNotEquals`, `StringNotLike`, "
        "`ArnNotEquals`, `ArnNotLike`, `NotIpAddress`, also `...IfExists`) of keys that "
        "narrow a principal (see `conditions_narrow_principal`) against concrete values. "
        "Every caller outside the values listed is then denied, as with "
        "`IpRangeWhitelist` or `SourceVpcWhitelist` of a SAM API. A value known only at "
        "deployment makes the answer unknown.",
        facts=frozenset({"fenced_by"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "actions_only_read_images",
        _reads_images_only,
        "The value is a statement whose actions (no `NotAction`) all only pull, list or "
        "describe container images in ECR or ECR Public (`ecr:BatchGetImage`, "
        "`ecr:GetDownloadUrlForLayer`, `ecr-public:DescribeImages`, ...); a pattern counts "
        "when every known ECR action it matches is such a read.",
        sees_unknowns=True,
    ),
    Operator(
        "is_aws_managed_policy",
        _is_aws_managed_policy,
        "The value is the ARN of one of the AWS managed policies `names`, in any partition, "
        "also when built with `Fn::Join`/`Fn::Sub` and `AWS::Partition`.",
        {"names": _NAMES},
        facts=frozenset({"policy"}),
        sees_unknowns=True,
    ),
    Operator(
        "managed_policy_grants",
        _managed_policy_grants,
        "As `is_aws_managed_policy`, but a customer managed policy ARN for a policy not in the "
        "linted files is unknown rather than false.",
        {"names": _NAMES},
        facts=frozenset({"policy"}),
        sees_unknowns=True,
    ),
)
