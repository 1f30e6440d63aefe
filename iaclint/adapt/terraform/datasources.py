"""Data sources whose results the configuration itself determines.

Most data sources are read from AWS at plan time: their attributes are unknown.
A few only compute from their arguments; those are evaluated here, so a policy
sees the document a resource really gets. `aws_iam_policy_document` builds an
IAM policy from its `statement` blocks: its `json` is the document as data
(like `jsonencode`), each value still located where it is written.

Adding one is adding a function from the data block's evaluated arguments to
its attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from iaclint.adapt.terraform.values import Encoded, Located, Place, look_through
from iaclint.graph.values import SSM_PARAMETER, PartialString, Unknown
from iaclint.parse import json_text
from iaclint.parse.json_text import TOO_DEEP, TooDeep

Compute = Callable[[Mapping[str, Located], Located], Mapping[str, Located]]

_ACTIONS = {
    "actions": "Action",
    "not_actions": "NotAction",
    "resources": "Resource",
    "not_resources": "NotResource",
}


def _policy_document(arguments: Mapping[str, Located], here: Located) -> Mapping[str, Located]:
    """`statement` blocks, merged with source and override documents by `sid` as the
    provider does: a statement of this document replaces a source statement with its
    sid, and an override statement replaces any with its sid."""
    blocks = arguments.get("statement")
    try:
        sources = _documents(arguments, ("source_policy_documents", "source_json"))
        overrides = _documents(arguments, ("override_policy_documents", "override_json"))
        statements: list[Located] = []
        for source in sources:
            statements.extend(_statements_of(source))
        own = blocks.value if blocks is not None else []
        if not isinstance(own, list):
            raise _NotKnown("has statements from a dynamic block over an unknown collection")
        for statement in [_statement(item) for item in own]:
            _merge(statements, statement)
        for override in overrides:
            for statement in _statements_of(override):
                _merge(statements, statement)
    except _NotKnown as exc:
        unknown = Located(Unknown(f"the policy document {exc}"), *_place(here))
        return {"json": unknown, "minified_json": unknown}
    document: dict[str, Located] = {
        "Version": arguments.get("version") or Located("2012-10-17", *_place(here)),
    }
    if "policy_id" in arguments:
        document["Id"] = arguments["policy_id"]
    document["Statement"] = Located(statements, *_place(blocks or here))
    result = Located(Encoded(Located(document, *_place(here))), *_place(here))
    return {"json": result, "minified_json": result}


class _NotKnown(Exception):
    pass


def _documents(arguments: Mapping[str, Located], names: tuple[str, ...]) -> list[Located]:
    """Other policy documents to merge: their data (JSON text is parsed)."""
    out: list[Located] = []
    for name in names:
        given = arguments.get(name)
        if given is None:
            continue
        items = given.value if name.endswith("documents") else [given]
        if not isinstance(items, list):
            raise _NotKnown(f"merges {name} known only after deployment")
        for item in items:
            value = look_through(item.value)
            if isinstance(value, Encoded):
                out.append(value.data)
            elif isinstance(value, str):
                out.append(_parsed(value, item))
            else:
                raise _NotKnown(f"merges {name} known only after deployment")
    return out


def _parsed(text: str, where: Located) -> Located:
    try:
        data = json_text.loads(text)
    except TooDeep:
        raise _NotKnown(f"merges JSON text {TOO_DEEP}") from None
    except ValueError:
        raise _NotKnown("merges text that is not JSON") from None

    def locate(value: object) -> Located:
        if isinstance(value, list):
            return Located([locate(item) for item in value], *_place(where))
        if isinstance(value, dict):
            return Located({str(k): locate(v) for k, v in value.items()}, *_place(where))
        return Located(value, *_place(where))

    return locate(data)


def _statements_of(document: Located) -> list[Located]:
    fields = document.value
    statements = fields.get("Statement") if isinstance(fields, dict) else None
    if not isinstance(statements, Located):
        raise _NotKnown("merges a document whose statements are not known")
    items = statements.value
    if isinstance(items, dict):
        return [statements]  # a single statement written as an object
    if not isinstance(items, list):
        raise _NotKnown("merges a document whose statements are not known")
    return list(items)


def _sid(statement: Located) -> object:
    fields = statement.value
    if isinstance(fields, dict) and isinstance(fields.get("Sid"), Located):
        return look_through(fields["Sid"].value)
    return None


def _merge(statements: list[Located], statement: Located) -> None:
    sid = _sid(statement)
    if isinstance(sid, str) and sid:
        for index, existing in enumerate(statements):
            if _sid(existing) == sid:
                statements[index] = statement
                return
    statements.append(statement)


def _statement(block: Located) -> Located:
    fields = block.value
    if not isinstance(fields, dict):
        return block  # unknown
    out: dict[str, Located] = {}
    if "sid" in fields:
        out["Sid"] = fields["sid"]
    out["Effect"] = fields.get("effect") or Located("Allow", *_place(block))
    for argument, key in _ACTIONS.items():
        if argument in fields:
            out[key] = fields[argument]
    for argument, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        if argument in fields:
            out[key] = _principals(fields[argument])
    if "condition" in fields:
        out["Condition"] = _conditions(fields["condition"])
    return Located(out, *_place(block))


def _principals(blocks: Located) -> Located:
    items = blocks.value
    if not isinstance(items, list):
        return blocks
    out: dict[str, Located] = {}
    for block in items:
        fields = block.value
        if not isinstance(fields, dict):
            return Located(Unknown("principals known only after deployment"), *_place(block))
        kind = look_through(fields["type"].value) if "type" in fields else None
        identifiers = fields.get("identifiers")
        if not isinstance(kind, str) or identifiers is None:
            return Located(Unknown("principals known only after deployment"), *_place(block))
        if kind == "*":
            return Located("*", *_place(block))  # `type = "*"` is the anonymous principal
        earlier = out[kind].value if kind in out else None
        more = identifiers.value
        if isinstance(earlier, list) and isinstance(more, list):
            out[kind] = Located([*earlier, *more], *_place(block))  # two blocks of one type
        else:
            out[kind] = identifiers
    return Located(out, *_place(blocks))


def _conditions(blocks: Located) -> Located:
    items = blocks.value
    if not isinstance(items, list):
        return blocks
    out: dict[str, Located] = {}
    for block in items:
        fields = block.value
        test = (
            look_through(fields["test"].value)
            if isinstance(fields, dict) and "test" in fields
            else None
        )
        variable = (
            look_through(fields["variable"].value)
            if isinstance(fields, dict) and "variable" in fields
            else None
        )
        if (
            not isinstance(test, str)
            or not isinstance(variable, str)
            or not isinstance(fields, dict)
        ):
            return Located(Unknown("a condition known only after deployment"), *_place(block))
        tests = out.setdefault(test, Located({}, *_place(block)))
        assert isinstance(tests.value, dict)
        tests.value[variable] = fields.get("values") or Located([], *_place(block))
    return Located(out, *_place(blocks))


def _place(located: Located) -> tuple[Place | None, int, int]:
    return located.place, located.start, located.end


def _symbols(**attributes: str) -> Compute:
    """Data sources that read where the configuration is deployed (partition, region,
    account): their values are the same symbols CloudFormation's pseudo parameters
    are, so a policy treats `data.aws_partition.x.partition` as `AWS::Partition`."""

    def compute(arguments: Mapping[str, Located], here: Located) -> Mapping[str, Located]:
        return {
            name: Located(Unknown(f"{symbol} is known only at deployment", symbol=symbol))
            for name, symbol in attributes.items()
        }

    return compute


def _ssm_parameter(arguments: Mapping[str, Located], here: Located) -> Mapping[str, Located]:
    name = look_through(arguments["name"].value) if "name" in arguments else None
    described = f"SSM parameter {name}" if isinstance(name, str) else "an SSM parameter"
    unknown = Unknown(f"the value of {described}", symbol=SSM_PARAMETER)
    return {"value": Located(unknown), "insecure_value": Located(unknown)}


def _managed_policy(arguments: Mapping[str, Located], here: Located) -> Mapping[str, Located]:
    """`data "aws_iam_policy"` looked up by a literal name is the AWS managed policy of
    that name: its ARN, in the partition of the deployment. Placed nowhere, so a finding
    points where a resource uses it (the attachment's `policy_arn`)."""
    # By ARN: that ARN, partly known as it may be (its partition, say).
    if "arn" in arguments and look_through(arguments["arn"].value) is not None:
        return {"arn": arguments["arn"]}
    name = look_through(arguments["name"].value) if "name" in arguments else None
    if not isinstance(name, str) or "path_prefix" in arguments:
        return {}
    partition = Unknown("AWS::Partition is known only at deployment", symbol="AWS::Partition")
    return {"arn": Located(PartialString(("arn:", partition, f":iam::aws:policy/{name}")))}


COMPUTED: dict[str, Compute] = {
    "aws_ssm_parameter": _ssm_parameter,
    "aws_iam_policy_document": _policy_document,
    "aws_iam_policy": _managed_policy,
    # A data source's id is the value it reads.
    "aws_partition": _symbols(
        partition="AWS::Partition", id="AWS::Partition", dns_suffix="AWS::URLSuffix"
    ),
    "aws_region": _symbols(name="AWS::Region", region="AWS::Region", id="AWS::Region"),
    "aws_caller_identity": _symbols(account_id="AWS::AccountId"),
}
