"""Resolve CloudFormation intrinsic functions, honestly.

What can be known before deployment becomes a value; everything else becomes an
explicit unknown with its reason:

- `Ref` to a parameter: an `Input` carrying its `Default` (if any), `NoEcho`
  and `AllowedValues`; to a resource: a `Reference`; to a pseudo parameter: an
  `Unknown` naming the symbol (`AWS::Partition` stands for every partition);
  `AWS::NoValue` removes the property or list item.
- `Fn::GetAtt`: a `Reference` to the resource's attribute, except for the few
  attributes CloudFormation returns as the template states them (`ECHOED`: a
  VPC's `CidrBlock`), which are that property's value when it is set.
- `Fn::Sub`, `Fn::Join`: a string when every part is known, else a `PartialString`.
- `Fn::FindInMap` with literal keys: the mapped value (located in `Mappings`), or
  its `DefaultValue` (AWS::LanguageExtensions) when there is no such entry.
- `Fn::If`: the branch chosen by the variant being resolved.
- `Fn::Select`, `Fn::Split`, `Fn::Length`: computed on known values.
- `Fn::ToJsonString`: the JSON text, a `PartialString` with what is known only after
  deployment kept, in quotes, where it stands.
- `Fn::Base64`: transparent (policies read the text that gets encoded).
- `Fn::Cidr`: the subnets' CIDRs, when the block, count and size are known.
- `Fn::GetAZs`, `Fn::ImportValue`, `Fn::Transform`: unknown.

The number of values resolved per template is bounded in proportion to what the
template's text holds (`budget_for`), so YAML aliases that multiply a small text
into an enormous tree are refused quickly instead of being expanded.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping

from iaclint.adapt.cloudformation.conditions import TooLarge as TooLarge  # raised here too
from iaclint.adapt.cloudformation.conditions import Variant
from iaclint.adapt.sourced import Src
from iaclint.graph.values import SSM_PARAMETER, Input, PartialString, Reference, Unknown, concrete
from iaclint.parse.document import Document, Tagged
from iaclint.span import DocPath

# Values resolved per value written in the document (variants and aliases multiply
# them), and the floor below which no template is ever refused.
VALUES_PER_WRITTEN_VALUE = 20
MIN_BUDGET = 200_000
# `Fn::FindInMap`s resolved within one another (CloudFormation allows none: mapped
# values are literals); beyond this, or back to an entry being resolved, unknown.
MAX_MAPPING_CHAIN = 20
# Characters of text `Fn::Join` and `Fn::Sub` may build per character of the
# template (aliases repeat a long text cheaply), and the floor of that budget.
CHARACTERS_PER_CHARACTER = 10
MIN_CHARACTERS = 10 * 1024 * 1024


def budget_for(document: Document) -> int:
    return max(MIN_BUDGET, VALUES_PER_WRITTEN_VALUE * len(document.spans))


PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

INTRINSICS = frozenset(
    {
        "Ref",
        "Fn::And",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::Equals",
        "Fn::FindInMap",
        "Fn::GetAZs",
        "Fn::GetAtt",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::Join",
        "Fn::Length",
        "Fn::Not",
        "Fn::Or",
        "Fn::Select",
        "Fn::Split",
        "Fn::Sub",
        "Fn::ToJsonString",
        "Fn::Transform",
    }
)

# Attributes that are the resource's own property, as written: (type, attribute)
# -> property. Left out (an IPAM pool's CIDR), the attribute stays a reference.
ECHOED: Mapping[tuple[str, str], str] = {
    ("AWS::EC2::VPC", "CidrBlock"): "CidrBlock",
    ("AWS::EC2::Subnet", "CidrBlock"): "CidrBlock",
}

# An ARN in any partition (aws, aws-cn, aws-us-gov, aws-iso...): what follows it.
_PARTITION_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*(:.*)$", re.DOTALL)
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


# Values written as they are meant (text, numbers, booleans, null).
_SCALARS = frozenset({str, int, float, bool, type(None)})


class _NoValue:
    """`AWS::NoValue`: the enclosing property or item is removed."""


NO_VALUE = _NoValue()

Part = str | Unknown | Reference
# A value found in Mappings, and where it is written (None: where it is used).
_Found = tuple[object, DocPath | None]


class Resolver:
    def __init__(self, template: Mapping[str, object], document: Document):
        parameters = template.get("Parameters")
        mappings = template.get("Mappings")
        resources = template.get("Resources")
        self.parameters: Mapping[str, object] = parameters if isinstance(parameters, dict) else {}
        self.mappings: Mapping[str, object] = mappings if isinstance(mappings, dict) else {}
        self.resources: frozenset[str] = frozenset(resources if isinstance(resources, dict) else ())
        self._declarations: Mapping[str, object] = resources if isinstance(resources, dict) else {}
        self._echo_chain: list[str] = []
        # Each echoed property is resolved once per variant, however often it is used.
        self._echoes: dict[tuple[str, str, Variant], Src | None] = {}
        # Fn::FindInMap with one key unknown, by (keys, which is unknown, its symbol).
        self._any_entry: dict[tuple[tuple[str, ...], int, str | None], _Found] = {}
        self.document = document
        self.budget = budget_for(document)
        self._inputs: dict[str, Input] = {}
        self._mapping_chain: list[tuple[str, ...]] = []
        self.characters = max(MIN_CHARACTERS, CHARACTERS_PER_CHARACTER * len(document.text))

    # -- entry point -------------------------------------------------------

    def resolve(self, value: object, origin: DocPath, variant: Variant) -> Src | _NoValue:
        self.budget -= 1
        if self.budget < 0:
            raise TooLarge(
                f"it needs more than {budget_for(self.document):,} values resolved, "
                f"{VALUES_PER_WRITTEN_VALUE} times what its text holds "
                "(YAML aliases multiply its size)"
            )
        if type(value) in _SCALARS:  # most values: nothing to resolve
            return Src(value, origin)
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key in INTRINSICS:
                    return self._intrinsic(key, argument, (*origin, key), origin, variant)
            out: dict[str, Src] = {}
            for key, item in value.items():
                resolved = self.resolve(item, (*origin, key), variant)
                if isinstance(resolved, Src):
                    out[key] = resolved
            return Src(out, origin)
        if isinstance(value, Tagged):
            return Src(Unknown(f"set by '{value.tag}', which a preprocessor expands"), origin)
        if isinstance(value, list):
            items: list[Src] = []
            for index, item in enumerate(value):
                resolved = self.resolve(item, (*origin, index), variant)
                if isinstance(resolved, Src):
                    items.append(resolved)
            return Src(items, origin)
        return Src(value, origin)

    # -- intrinsic functions -------------------------------------------------

    def _intrinsic(
        self, name: str, argument: object, inner: DocPath, origin: DocPath, variant: Variant
    ) -> Src | _NoValue:
        if name == "Ref":
            return self._ref(argument, origin)
        if name == "Fn::If":
            return self._if(argument, inner, origin, variant)
        if name == "Fn::Base64":
            return self.resolve(argument, inner, variant)
        if name == "Fn::GetAtt":
            return self._getatt(argument, origin, variant)
        if name == "Fn::Sub":
            return Src(self._sub(argument, inner, variant), origin)
        if name == "Fn::Join":
            return Src(self._join(argument, inner, variant), origin)
        if name == "Fn::Select":
            return self._select(argument, inner, origin, variant)
        if name == "Fn::Split":
            return self._split(argument, inner, origin, variant)
        if name == "Fn::FindInMap":
            return self._find_in_map(argument, origin, variant)
        if name == "Fn::Length":
            items = self._known_list(argument, inner, variant)
            return Src(
                len(items) if items is not None else Unknown("length of an unknown list"), origin
            )
        if name == "Fn::ToJsonString":
            resolved = self.resolve(argument, inner, variant)
            if not isinstance(resolved, Src):
                return Src(Unknown("JSON of a value removed by AWS::NoValue"), origin)
            # Parts known only after deployment stay inside the text, in quotes:
            # a policy document written this way is still read.
            return Src(self._join_parts(_json_parts(resolved)), origin)
        if name == "Fn::GetAZs":
            return Src(Unknown("availability zones are known only at deployment"), origin)
        if name == "Fn::ImportValue":
            return Src(Unknown("imported from another stack's outputs"), origin)
        if name == "Fn::Cidr":
            return self._cidr(argument, inner, origin, variant)
        if name == "Fn::Transform":
            return Src(Unknown("computed by a macro (Fn::Transform)"), origin)
        return Src(Unknown(f"{name} is only meaningful in Conditions"), origin)

    def _ref(self, name: object, origin: DocPath) -> Src | _NoValue:
        if not isinstance(name, str):
            return Src(Unknown("Ref to a name that is not text"), origin)
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO_PARAMETERS:
            return Src(Unknown(f"{name} is known only at deployment", symbol=name), origin)
        if name in self.parameters:
            return Src(self._input(name), origin)
        if name in self.resources:
            return Src(Reference(name), origin)
        return Src(Unknown(f"Ref to '{name}', which the template does not define"), origin)

    def _input(self, name: str) -> Input:
        cached = self._inputs.get(name)
        if cached is not None:
            return cached
        declaration = self.parameters.get(name)
        declaration = declaration if isinstance(declaration, dict) else {}
        declared_at: DocPath = ("Parameters", name)
        has_default = "Default" in declaration
        value: object = Unknown(f"parameter {name} has no default")
        if has_default:
            value = declaration["Default"]
            kind = declaration.get("Type")
            if isinstance(value, str) and isinstance(kind, str) and _is_list_type(kind):
                value = [item.strip() for item in value.split(",")]
            declared_at = ("Parameters", name, "Default")
        kind = declaration.get("Type")
        if isinstance(kind, str) and kind.startswith("AWS::SSM::Parameter::Value<"):
            # The default names an SSM parameter; its value is read at deployment.
            named = declaration.get("Default", name)
            value = Unknown(f"the value of SSM parameter {named}", symbol=SSM_PARAMETER)
            has_default = False
        allowed = declaration.get("AllowedValues")
        no_echo = declaration.get("NoEcho")
        result = Input(
            name=name,
            value=value,
            has_default=has_default,
            secret=no_echo is True or str(no_echo).lower() == "true",
            allowed_values=tuple(allowed) if isinstance(allowed, list) else None,
            declared_at=self.document.span_of(declared_at),
        )
        self._inputs[name] = result
        return result

    def _getatt(self, argument: object, origin: DocPath, variant: Variant) -> Src:
        problem = getatt_problem(argument)
        if problem is not None:  # reported by the template's adapter, once
            return Src(Unknown(f"malformed Fn::GetAtt: {problem}"), origin)
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if (
            isinstance(argument, list)
            and len(argument) == 2
            and isinstance(argument[0], str)
            and isinstance(argument[1], str)
        ):
            resource, attribute = argument
            if resource in self.resources:
                echoed = self._echoed(resource, attribute, variant)
                return echoed if echoed is not None else Src(Reference(resource, attribute), origin)
            return Src(
                Unknown(f"GetAtt of '{resource}', which the template does not define"), origin
            )
        return Src(Unknown("GetAtt with an attribute computed at deployment"), origin)

    def _echoed(self, resource: str, attribute: str, variant: Variant) -> Src | None:
        """The property an `ECHOED` attribute returns, resolved where it is written."""
        declaration = self._declarations.get(resource)
        if not isinstance(declaration, dict):
            return None
        native_type = declaration.get("Type")
        prop = ECHOED.get((native_type, attribute)) if isinstance(native_type, str) else None
        properties = declaration.get("Properties")
        if prop is None or not isinstance(properties, dict) or prop not in properties:
            return None
        key = (resource, prop, variant)
        if key in self._echoes:
            return self._echoes[key]
        if resource in self._echo_chain or len(self._echo_chain) >= MAX_MAPPING_CHAIN:
            return None  # a CIDR made of itself: CloudFormation refuses the template
        self._echo_chain.append(resource)
        try:
            resolved = self.resolve(
                properties[prop], ("Resources", resource, "Properties", prop), variant
            )
        finally:
            self._echo_chain.pop()
        found = resolved if isinstance(resolved, Src) and resolved.value is not None else None
        self._echoes[key] = found
        return found

    def _if(
        self, argument: object, inner: DocPath, origin: DocPath, variant: Variant
    ) -> Src | _NoValue:
        if not isinstance(argument, list) or len(argument) != 3 or not isinstance(argument[0], str):
            return Src(Unknown("malformed Fn::If"), origin)
        condition = argument[0]
        value = variant.value(condition)
        if value is None:
            return Src(Unknown(f"depends on condition {condition}"), origin)
        branch = 1 if value else 2
        return self.resolve(argument[branch], (*inner, branch), variant)

    def _sub(self, argument: object, inner: DocPath, variant: Variant) -> object:
        variables: dict[str, Src] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            text = argument[0]
            for key, item in argument[1].items():
                resolved = self.resolve(item, (*inner, 1, key), variant)
                variables[key] = resolved if isinstance(resolved, Src) else Src("", inner)
        else:
            text = argument
        if not isinstance(text, str):
            return Unknown("Fn::Sub of a string computed at deployment")
        parts: list[Part] = []
        position = 0
        for match in _SUB_VARIABLE.finditer(text):
            parts.append(text[position : match.start()])
            position = match.end()
            name = match.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
            elif name in variables:
                parts.extend(_string_parts(variables[name].value))
            else:
                parts.extend(_string_parts(self._sub_name(name, variant)))
        parts.append(text[position:])
        return self._join_parts(parts)

    def _sub_name(self, name: str, variant: Variant) -> object:
        if "." in name:
            return self._getatt(name, (), variant).value
        resolved = self._ref(name, ())
        return resolved.value if isinstance(resolved, Src) else ""

    def _join(self, argument: object, inner: DocPath, variant: Variant) -> object:
        if not isinstance(argument, list) or len(argument) != 2:
            return Unknown("malformed Fn::Join")
        delimiter = concrete(argument[0])
        items = self._known_list(argument[1], (*inner, 1), variant)
        if not isinstance(delimiter, str) or items is None:
            return Unknown("Fn::Join of a list known only at deployment")
        parts: list[Part] = []
        for index, item in enumerate(items):
            if index:
                parts.append(delimiter)
            parts.extend(_string_parts(item.value))
        return self._join_parts(parts)

    def _select(
        self, argument: object, inner: DocPath, origin: DocPath, variant: Variant
    ) -> Src | _NoValue:
        if not isinstance(argument, list) or len(argument) != 2:
            return Src(Unknown("malformed Fn::Select"), origin)
        index_value = self.resolve(argument[0], (*inner, 0), variant)
        index = concrete(index_value.value) if isinstance(index_value, Src) else None
        # `'²'.isdigit()` is true and `int('²')` fails: only ASCII digits are an index,
        # and few of them (an index of thousands of digits is out of range anyway).
        if isinstance(index, str) and index.isascii() and index.isdigit():
            if len(index) > 9:
                return Src(Unknown("Fn::Select index is out of range"), origin)
            index = int(index)
        items = self._known_list(argument[1], (*inner, 1), variant)
        if not isinstance(index, int) or isinstance(index, bool) or items is None:
            return Src(Unknown("Fn::Select from values known only at deployment"), origin)
        if not 0 <= index < len(items):
            return Src(Unknown(f"Fn::Select index {index} is out of range"), origin)
        return items[index]

    def _split(self, argument: object, inner: DocPath, origin: DocPath, variant: Variant) -> Src:
        if not isinstance(argument, list) or len(argument) != 2:
            return Src(Unknown("malformed Fn::Split"), origin)
        delimiter = concrete(argument[0])
        source = self.resolve(argument[1], (*inner, 1), variant)
        text = concrete(source.value) if isinstance(source, Src) else None
        if not isinstance(delimiter, str) or not delimiter or not isinstance(text, str):
            return Src(Unknown("Fn::Split of a string known only at deployment"), origin)
        return Src([Src(part, origin) for part in text.split(delimiter)], origin)

    def _cidr(self, argument: object, inner: DocPath, origin: DocPath, variant: Variant) -> Src:
        """`Fn::Cidr [block, count, bits]`: the first `count` subnets of the block with
        `bits` host bits each, as CloudFormation computes them."""
        if not isinstance(argument, list) or len(argument) != 3:
            return Src(Unknown("malformed Fn::Cidr"), origin)
        values = []
        for index, item in enumerate(argument):
            resolved = self.resolve(item, (*inner, index), variant)
            values.append(concrete(resolved.value) if isinstance(resolved, Src) else None)
        block, count, bits = values
        count, bits = _small_number(count), _small_number(bits)
        if not isinstance(block, str) or count is None or bits is None:
            return Src(Unknown("Fn::Cidr of values known only at deployment"), origin)
        try:
            network = ipaddress.ip_network(block.strip(), strict=False)
        except ValueError:
            return Src(Unknown(f"Fn::Cidr of '{block}', which is not a CIDR block"), origin)
        prefix = network.max_prefixlen - bits
        available = 2 ** (prefix - network.prefixlen) if prefix >= network.prefixlen else 0
        if not 1 <= count <= min(256, available):
            return Src(Unknown(f"Fn::Cidr cannot make {count} subnets of {block}"), origin)
        first, size = network.network_address, 2**bits
        cidrs = [f"{first + index * size}/{prefix}" for index in range(count)]
        return Src([Src(cidr, origin) for cidr in cidrs], origin)

    def _find_in_map(self, argument: object, origin: DocPath, variant: Variant) -> Src | _NoValue:
        if not isinstance(argument, list) or len(argument) < 3:
            return Src(Unknown("malformed Fn::FindInMap"), origin)
        keys: list[str] = []
        unknown_key: tuple[int, object] | None = None
        for index, key in enumerate(argument[:3]):
            resolved = self.resolve(key, (*origin, "Fn::FindInMap", index), variant)
            plain = concrete(resolved.value) if isinstance(resolved, Src) else None
            if isinstance(plain, str | int):
                keys.append(str(plain))
            elif index == 0 or unknown_key is not None:
                return Src(Unknown("Fn::FindInMap with a key known only at deployment"), origin)
            else:
                unknown_key = (index, plain)
                keys.append("")
        if unknown_key is not None:
            index, key = unknown_key
            symbol = key.symbol if isinstance(key, Unknown) else None
            cache = (tuple(keys), index, symbol)
            found = self._any_entry.get(cache)
            if found is None:
                found = self._find_in_any_entry(keys, index, symbol)
                self._any_entry[cache] = found
            value, at = found
            return Src(value, at if at is not None else origin)
        current: object = self.mappings
        for key in keys:
            current = current.get(key) if isinstance(current, dict) else None
        if current is None:
            default = _default_value(argument)
            if default is not None:  # AWS::LanguageExtensions: [map, key, key, {DefaultValue}]
                return self.resolve(default, (*origin, "Fn::FindInMap", 3, "DefaultValue"), variant)
            return Src(Unknown(f"Fn::FindInMap: no entry {'/'.join(keys)}"), origin)
        entry = tuple(keys)
        if entry in self._mapping_chain:
            return Src(Unknown(f"Fn::FindInMap: entry {'/'.join(keys)} refers to itself"), origin)
        if len(self._mapping_chain) >= MAX_MAPPING_CHAIN:
            return Src(
                Unknown(
                    f"Fn::FindInMap: more than {MAX_MAPPING_CHAIN} entries, each naming the next"
                ),
                origin,
            )
        self._mapping_chain.append(entry)
        try:
            return self.resolve(current, ("Mappings", *keys), variant)
        finally:
            self._mapping_chain.pop()

    def _find_in_any_entry(self, keys: list[str], index: int, symbol: str | None) -> _Found:
        """`Fn::FindInMap` with one key known only at deployment (`!Ref AWS::Partition`):
        the value, and where it is written (None: at the Fn::FindInMap).

        Whichever entry is chosen, the value is the same when every entry holds the
        same one; and ARNs that differ only in their partition, in a map keyed by
        `AWS::Partition`, are that ARN in the partition deployed to.
        """
        unknown = Unknown("Fn::FindInMap with a key known only at deployment")
        level: object = self.mappings.get(keys[0])
        if index == 2 and isinstance(level, dict):
            level = level.get(keys[1])
        if not isinstance(level, dict) or not level:
            return unknown, None
        self.budget -= len(level)
        candidates: list[tuple[tuple[str, ...], object]] = []
        for entry in sorted(level):
            chosen = (*keys[:index], entry, *keys[index + 1 :])
            value = level[entry]
            if index == 1:  # the second-level key is known: look it up in each entry
                value = value.get(keys[2]) if isinstance(value, dict) else None
            if value is None or isinstance(value, dict | list):
                return unknown, None  # missing here, or not a plain value
            candidates.append((chosen, value))
        chosen, first = candidates[0]
        if all(type(value) is type(first) and value == first for _, value in candidates):
            return first, ("Mappings", *chosen)
        if symbol == "AWS::Partition":
            rests = set()
            for _, value in candidates:
                match = _PARTITION_ARN.match(value) if isinstance(value, str) else None
                if match is None:
                    return unknown, None
                rests.add(match.group(1))
            if len(rests) == 1:
                partition = Unknown(f"{symbol} is known only at deployment", symbol=symbol)
                return PartialString(("arn:", partition, rests.pop())), None
        return unknown, None

    def _join_parts(self, parts: list[Part]) -> object:
        """One string, or a PartialString whose neighbouring strings are joined.

        Runs of strings are joined once each (adding them one by one copies the text
        built so far every time), and the text built is counted against a budget.
        """
        self.characters -= sum(len(part) for part in parts if isinstance(part, str))
        if self.characters < 0:
            limit = max(MIN_CHARACTERS, CHARACTERS_PER_CHARACTER * len(self.document.text))
            raise TooLarge(
                f"Fn::Join and Fn::Sub build more than {limit:,} characters of text, "
                f"{CHARACTERS_PER_CHARACTER} times its own size (YAML aliases repeat a text)"
            )
        merged: list[Part] = []
        run: list[str] = []
        for part in parts:
            if isinstance(part, str):
                run.append(part)
                continue
            if run:
                text = "".join(run)
                if text:
                    merged.append(text)
                run = []
            merged.append(part)
        text = "".join(run)
        if not merged:
            return text
        if text:
            merged.append(text)
        return PartialString(tuple(merged))

    def _known_list(self, argument: object, origin: DocPath, variant: Variant) -> list[Src] | None:
        resolved = self.resolve(argument, origin, variant)
        if not isinstance(resolved, Src):
            return None
        value = resolved.value
        if isinstance(value, Input) and value.has_default and isinstance(value.value, list):
            return [Src(item, resolved.origin) for item in value.value]
        return resolved.items()

    def conditions_used(self, value: object) -> Iterable[str]:
        """Names of the conditions that `Fn::If`s inside `value` test."""
        stack = [value]
        seen = 0
        limit = budget_for(self.document)
        while stack and seen < limit:
            seen += 1
            current = stack.pop()
            if isinstance(current, dict):
                argument = current.get("Fn::If") if len(current) == 1 else None
                if isinstance(argument, list) and argument and isinstance(argument[0], str):
                    yield argument[0]
                stack.extend(reversed(current.values()))  # depth first, in document order
            elif isinstance(current, list):
                stack.extend(reversed(current))


def _small_number(value: object) -> int | None:
    """A whole number from 0 to 128, written as a number or as text."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 128:
        return value
    return None


def _is_list_type(kind: str) -> bool:
    return kind == "CommaDelimitedList" or kind.startswith("List<")


def _string_parts(value: object) -> list[Part]:
    value = concrete(value)
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, str | int | float):
        return [str(value)]
    if isinstance(value, PartialString):
        return list(value.parts)
    if isinstance(value, Unknown | Reference):
        return [value]
    if isinstance(value, Input):
        return [Unknown(f"parameter {value.name} has no default")]
    return [Unknown("a structured value used inside a string")]


def _default_value(argument: list[object]) -> object | None:
    """The `DefaultValue` of an `Fn::FindInMap` (the language extensions' fourth item)."""
    if len(argument) == 4 and isinstance(argument[3], dict):
        return argument[3].get("DefaultValue")
    return None


def _json_parts(node: Src) -> list[Part]:
    """`Fn::ToJsonString` of a resolved value, as compact JSON text in which what is
    known only after deployment is a part of its own, between quotes (what `Ref` and
    `Fn::GetAtt` mostly return is text)."""
    value = concrete(node.value)
    if isinstance(value, dict):
        parts: list[Part] = ["{"]
        for index, (key, child) in enumerate(value.items()):
            parts.append(("," if index else "") + json.dumps(str(key)) + ":")
            parts.extend(_json_parts(child) if isinstance(child, Src) else ["null"])
        parts.append("}")
        return parts
    if isinstance(value, list):
        parts = ["["]
        for index, child in enumerate(value):
            if index:
                parts.append(",")
            parts.extend(_json_parts(child) if isinstance(child, Src) else ["null"])
        parts.append("]")
        return parts
    if isinstance(value, str):
        return [json.dumps(value)]
    if value is None or isinstance(value, bool | int | float):
        return [json.dumps(value)]
    if isinstance(value, PartialString):
        inside: list[Part] = [
            json.dumps(part)[1:-1] if isinstance(part, str) else part for part in value.parts
        ]
        return ['"', *inside, '"']
    if isinstance(value, Unknown | Reference):
        return ['"', value, '"']
    return ['"', Unknown("a value known only after deployment"), '"']


def getatt_problem(argument: object) -> str | None:
    """What is wrong with the argument of an `Fn::GetAtt` (`!GetAtt`), if anything.

    CloudFormation takes `[Resource, Attribute]` (the attribute may be computed, by
    `Ref`) or the short form's `Resource.Attribute`, and refuses anything else."""
    if isinstance(argument, str):
        resource, dot, attribute = argument.partition(".")
        if not dot or not resource or not attribute:
            return f"needs 'Resource.Attribute' or [Resource, Attribute], got {_kind_of(argument)}"
        return None
    if not isinstance(argument, list):
        return f"needs [Resource, Attribute], got {_kind_of(argument)}"
    if len(argument) != 2:
        count = f"{len(argument)} item" + ("" if len(argument) == 1 else "s")
        return f"needs [Resource, Attribute], got a list of {count}"
    resource, attribute = argument
    if not isinstance(resource, str) or not resource:
        return f"needs the resource's logical id as text first, got {_kind_of(resource)}"
    if isinstance(attribute, str) and attribute:
        return None
    if isinstance(attribute, dict) and len(attribute) == 1:
        return None  # an attribute name computed by a function (Ref)
    return f"needs the attribute's name second, got {_kind_of(attribute)}"


def _kind_of(value: object) -> str:
    if isinstance(value, str):
        return f"'{value}'" if value else "an empty text"
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def malformed_getatts(template: Mapping[str, object]) -> list[tuple[DocPath, str]]:
    """Every `Fn::GetAtt` in a template's resources and outputs (where CloudFormation
    resolves it) whose argument CloudFormation refuses: its path (to the function's
    key) and what is wrong, in the template's order."""
    found: list[tuple[DocPath, str]] = []
    stack: list[tuple[object, DocPath]] = [
        (template[section], (section,))
        for section in ("Outputs", "Resources")
        if section in template
    ]
    # YAML aliases share their anchor's value: each container is visited once, or an
    # alias bomb would take the walk through every one of its billions of copies.
    seen: set[int] = set()
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict | list | Tagged):
            if id(value) in seen:
                continue
            seen.add(id(value))
        children: list[tuple[object, DocPath]] = []
        if isinstance(value, dict):
            if len(value) == 1 and "Fn::GetAtt" in value:
                problem = getatt_problem(value["Fn::GetAtt"])
                if problem is not None:
                    found.append(((*path, "Fn::GetAtt"), problem))
            children = [(item, (*path, key)) for key, item in value.items()]
        elif isinstance(value, list):
            children = [(item, (*path, index)) for index, item in enumerate(value)]
        elif isinstance(value, Tagged):
            children = [(value.value, path)]
        stack.extend(reversed(children))
    return found
