"""Evaluate policies over a graph: three-valued, located, merged across variants.

Each policy examines its subjects (resources of the targeted kinds, or each match
of the target's `each` selector in them). A condition answers true (a finding),
false, or unknown (with its reason). Alongside its answer a condition names its
*witness*: the path of the value that decided it, or, for a value that is
missing, the deepest path that exists; the resource turns that path into the
place the user must edit.

Variants of a resource (CloudFormation conditions) are evaluated one by one and
merged: a finding present in every variant is reported once, plain; one present
in some is reported once, naming the conditions under which it holds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import NamedTuple

from iaclint.diagnostics import defect_message
from iaclint.engine.operators import Verdict
from iaclint.engine.policy import (
    All,
    AnyOf,
    Condition,
    Hop,
    Not,
    ParameterRef,
    Policy,
    Predicate,
    ReverseHop,
    Source,
)
from iaclint.engine.selectors import Match
from iaclint.engine.snippet import Lines, Masker, Snippet, Snippets
from iaclint.findings import Finding, Severity, Step, Undetermined, fingerprint
from iaclint.graph.model import Graph, Location, ModelPath, Resource
from iaclint.graph.values import Input, PartialString, Reference, Unknown, unknown_reason
from iaclint.span import Span

MAX_HOPS = 8


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


class Outcome(NamedTuple):
    truth: bool | None
    witness: ModelPath
    value: object = MISSING
    facts: Mapping[str, str] = {}
    reason: str | None = None
    # Set by a condition marked `locate: true`: its witness is the finding's place.
    pinned: bool = False
    # Every value that satisfied the deciding predicate, `value` first (`{values}`).
    values: tuple[object, ...] = ()
    # The way from the internet to the subject (an exposure analysis found it).
    path: tuple[Step, ...] = ()
    # The severity the policy's table of traits gives this finding, when it has one.
    severity: Severity | None = None


class Subject(NamedTuple):
    resource: Resource
    path: ModelPath
    value: object


class EngineError(Exception):
    """A policy failed on a resource: reported as an error, the run goes on."""


class Evaluation:
    """What evaluating policies found, filled in as they run."""

    def __init__(self, masker: Masker) -> None:
        self.findings: list[Finding] = []
        self.undetermined: list[Undetermined] = []
        self.errors: list[tuple[str, Span, str]] = []
        # The graph's secrets, to mask what else the caller reports of the unit.
        self.masker = masker


def evaluate(graph: Graph, policies: list[Policy], lines: Lines) -> Evaluation:
    """Run every policy over the graph; `lines` gives the source lines snippets come from.

    No secret of the graph reaches a finding: snippets and messages are masked as
    findings are made, reasons and errors once every policy has run.
    """
    masker = Masker(graph.sensitive)
    result = Evaluation(masker)
    snippets = Snippets(lines, masker)
    analyses: dict[str, Mapping[tuple[str, tuple[tuple[str, bool], ...]], object]] = {}
    for policy in policies:
        # Most policies have nothing to examine in a given unit.
        if any(graph.holds(target.kinds, target.types) for target in policy.targets):
            _PolicyRun(graph, policy, snippets, result, analyses).run()
    result.undetermined = [
        item._replace(reason=masker.message(item.reason)) for item in result.undetermined
    ]
    result.errors = [
        (policy_id, span, masker.message(message)) for policy_id, span, message in result.errors
    ]
    result.findings.sort(key=Finding.sort_key)
    result.undetermined.sort(key=Undetermined.sort_key)
    return result


class _Raw(NamedTuple):
    resource: Resource
    location: Location
    outcome: Outcome


class _PolicyRun:
    def __init__(
        self,
        graph: Graph,
        policy: Policy,
        snippets: Snippets,
        result: Evaluation,
        analyses: dict[str, Mapping[tuple[str, tuple[tuple[str, bool], ...]], object]],
    ):
        self.graph = graph
        self.policy = policy
        self.snippets = snippets
        self.masker = snippets.masker
        self.result = result
        # Arguments by predicate (`_arguments`); the policy holds its predicates alive.
        self._configured: dict[int, Mapping[str, object]] = {}
        # Whole-graph analyses by operator name, shared by the policies of one graph.
        self.analyses = analyses

    # -- driving -------------------------------------------------------------

    def run(self) -> None:
        raw: list[_Raw] = []
        for target in self.policy.targets:
            subjects = [(resource, False) for resource in self.graph.of_kinds(target.kinds)]
            subjects += [(resource, True) for resource in self.graph.of_types(target.types)]
            for resource, native in subjects:
                if native and resource.native_unknown is not None:
                    # Native properties unknown as a whole: nothing to select in.
                    unknown = Outcome(None, (), reason=resource.native_unknown)
                    raw.append(_Raw(resource, resource.header, unknown))
                    continue
                try:
                    for subject in target.each.select(resource.properties).matches:
                        outcome = self._subject(resource, subject)
                        if outcome.truth is not False:
                            raw.append(_Raw(resource, resource.locate(outcome.witness), outcome))
                except RecursionError:
                    self._error(resource, "the resource is nested too deeply to check")
                except Exception as exc:  # a defect must not lose the rest of the run
                    if os.environ.get("IACLINT_DEBUG"):
                        raise
                    self._error(resource, defect_message(exc, "this resource"))
        self._merge(raw)

    def _subject(self, resource: Resource, match: Match) -> Outcome:
        # An unknown subject is still examined: selectors carry the unknown to each
        # predicate, and operators that understand partial values can still decide.
        subject = Subject(resource, match.path, match.value)
        outcome = self.condition(self.policy.condition, subject, 0)
        if outcome.truth is not True or not self.policy.traits:
            return outcome
        return self.with_traits(outcome, subject)

    def with_traits(self, outcome: Outcome, subject: Subject) -> Outcome:
        """The finding's traits (those of the policy's that hold for the subject) and
        the severity the policy's table gives them."""
        held = {
            name
            for name, condition in self.policy.traits
            if self.condition(condition, subject, 0).truth is True
        }
        severity = next(
            (row_severity for row_severity, needed in self.policy.severities if needed <= held),
            None,
        )
        shown = [name.replace("_", " ") for name, _ in self.policy.traits if name in held]
        facts = {**outcome.facts, "traits": ", ".join(shown) or "none"}
        return outcome._replace(facts=facts, severity=severity)

    def _error(self, resource: Resource, message: str) -> None:
        self.result.errors.append(
            (self.policy.id, resource.header.span, f"{resource.address}: {message}")
        )

    # -- conditions ------------------------------------------------------------

    def condition(self, condition: Condition, subject: Subject, depth: int) -> Outcome:
        if isinstance(condition, Predicate):
            outcome = self.predicate(condition, subject, depth)
            # Copied only to change it: most predicates are not pinned, nor their outcome.
            if outcome.pinned == condition.locate:
                return outcome
            return outcome._replace(pinned=condition.locate)
        if isinstance(condition, All):
            return _all([self.condition(item, subject, depth) for item in condition.items], subject)
        if isinstance(condition, AnyOf):
            return _any([self.condition(item, subject, depth) for item in condition.items], subject)
        if isinstance(condition, Not):
            inner = self.condition(condition.item, subject, depth)
            truth = None if inner.truth is None else not inner.truth
            return inner._replace(truth=truth)
        if isinstance(condition, Hop):
            return self.hop(condition, subject, depth)._replace(pinned=condition.locate)
        return self.reverse_hop(condition, subject, depth)._replace(pinned=condition.locate)

    def predicate(self, predicate: Predicate, subject: Subject, depth: int) -> Outcome:
        matches: list[Match] = []
        deepest: ModelPath | None = None
        for source in predicate.sources:
            matches, reached = self.gather(source, subject)
            if matches:
                break
            # A value missing everywhere is added where the first source reads it.
            deepest = reached if deepest is None else deepest
        deepest = subject.path if deepest is None else deepest
        if predicate.operator is not None and predicate.operator.analysis is not None:
            return self.analysed(predicate, subject)
        if predicate.operator is None:
            present = bool(matches)
            truth = present if predicate.operator_name == "present" else not present
            witness = matches[0].path if matches else deepest
            return Outcome(truth, witness, matches[0].value if matches else MISSING)
        arguments = self._arguments(predicate)
        outcomes = [
            _verdict_outcome(self.apply(predicate, match.value, arguments), match)
            for match in matches
        ]
        if predicate.quantifier == "all":
            decided = _all(outcomes, subject, empty_witness=deepest)
        else:
            decided = _any(outcomes, subject, empty_witness=deepest)
        return _with_every_match(decided, outcomes) if decided.truth is True else decided

    def _arguments(self, predicate: Predicate) -> Mapping[str, object]:
        """The predicate's arguments, its parameters replaced by their values (worked
        out once per predicate and unit, not once per subject)."""
        arguments = self._configured.get(id(predicate))
        if arguments is None:
            arguments = {
                name: self.policy.values[value.name] if isinstance(value, ParameterRef) else value
                for name, value in predicate.arguments.items()
            }
            self._configured[id(predicate)] = arguments
        return arguments

    def analysed(self, predicate: Predicate, subject: Subject) -> Outcome:
        """A predicate on a whole-graph analysis: the subject resource's entry in it."""
        operator = predicate.operator
        assert operator is not None
        assert operator.analysis is not None
        table = self.analyses.get(operator.name)
        if table is None:
            table = self.analyses[operator.name] = operator.analysis(self.graph)
        resource = subject.resource
        found = table.get((resource.address, resource.conditions), MISSING)
        verdict = operator.function(found, self._arguments(predicate))
        return Outcome(
            verdict.truth, subject.path, MISSING, verdict.facts, verdict.reason, path=verdict.path
        )

    def apply(
        self, predicate: Predicate, value: object, arguments: Mapping[str, object]
    ) -> Verdict:
        operator = predicate.operator
        assert operator is not None
        candidates = [value]
        if isinstance(value, Input) and not operator.sees_inputs:
            if value.has_default:
                candidates = [value.value]
            elif value.allowed_values:
                candidates = list(value.allowed_values)
            else:
                return Verdict(None, reason=f"parameter {value.name} has no default")
        verdicts = []
        for candidate in candidates:
            if _opaque(candidate) and not operator.sees_unknowns:
                verdicts.append(Verdict(None, reason=unknown_reason(candidate)))
            else:
                verdicts.append(operator.function(candidate, arguments))
        if len(verdicts) == 1:
            return verdicts[0]
        truths = {verdict.truth for verdict in verdicts}
        if truths == {True}:
            return verdicts[0]
        if truths == {False}:
            return verdicts[0]
        assert isinstance(value, Input)
        return Verdict(None, reason=f"depends on which allowed value parameter {value.name} gets")

    def gather(self, source: Source, subject: Subject) -> tuple[list[Match], ModelPath]:
        """The values a source reads, and the deepest existing path on the way."""
        selection = source.path.select(subject.value, subject.path)
        if source.via is None:
            return selection.matches, selection.deepest
        references = source.via.select(subject.value, subject.path)
        out: list[Match] = []
        for path, value in references.matches:
            targets, reason = self.targets(value, source.to, subject.resource)
            if reason is not None:
                out.append(Match(path, Unknown(reason)))
                continue
            for target in targets:
                out.extend(
                    Match(path, found.value)
                    for found in source.path.select(target.properties).matches
                )
        deepest = references.matches[0].path if references.matches else references.deepest
        return out, deepest

    def targets(
        self, value: object, kinds: tuple[str, ...], origin: Resource
    ) -> tuple[list[Resource], str | None]:
        """The resources a reference leads to, or why it leads nowhere known."""
        if isinstance(value, Reference):
            variants = self.graph.variants(value.target)
            if not variants:
                return [], f"{value.target} is not defined in the linted files"
            reached: list[Resource] = []
            for variant in variants:
                if not variant.compatible_with(origin):
                    continue
                if variant.kind in kinds:
                    reached.append(variant)
                elif variant.native_type in kinds:  # a hop to a native type
                    if variant.native_unknown is not None:
                        return [], variant.native_unknown
                    reached.append(variant.as_native())
            return reached, None
        if isinstance(value, Input) and value.has_default:
            shown = display(value.value, mask=self.masker.message)
            return [], f"'{shown}' (parameter {value.name}) is not defined in the linted files"
        if isinstance(value, str | int):
            return [], f"'{value}' is not defined in the linted files"
        return [], unknown_reason(value)

    def hop(self, hop: Hop, subject: Subject, depth: int) -> Outcome:
        if depth >= MAX_HOPS:
            return Outcome(None, subject.path, reason="too many hops between resources")
        references = hop.through.select(subject.value, subject.path)
        outcomes: list[Outcome] = []
        for path, value in references.matches:
            if hop.references_only and not isinstance(value, Reference):
                continue
            targets, reason = self.targets(value, hop.to, subject.resource)
            if reason is not None:
                outcomes.append(Outcome(None, path, value, reason=reason))
                continue
            for target in targets:
                inner = self.condition(hop.then, Subject(target, (), target.properties), depth + 1)
                outcomes.append(inner._replace(witness=path, value=value, values=()))
        if hop.quantifier == "all":
            return _all(outcomes, subject, empty_witness=references.deepest)
        return _any(outcomes, subject, empty_witness=references.deepest)

    def reverse_hop(self, hop: ReverseHop, subject: Subject, depth: int) -> Outcome:
        if depth >= MAX_HOPS:
            return Outcome(None, subject.path, reason="too many hops between resources")
        address = subject.resource.address
        outcomes: list[Outcome] = []
        for referrer in self.graph.referrers(address, hop.kinds):
            if not referrer.compatible_with(subject.resource):
                continue
            found = hop.through.select(referrer.properties).matches
            if any(isinstance(m.value, Reference) and m.value.target == address for m in found):
                inner = self.condition(
                    hop.then, Subject(referrer, (), referrer.properties), depth + 1
                )
                outcomes.append(inner._replace(witness=subject.path))
        if hop.quantifier == "all":
            return _all(outcomes, subject)
        return _any(outcomes, subject)

    # -- merging variants into findings ---------------------------------------

    def _merge(self, raw: list[_Raw]) -> None:
        groups: dict[tuple[str, Location], list[_Raw]] = {}
        for item in raw:
            groups.setdefault((item.resource.address, item.location), []).append(item)
        for (address, location), items in groups.items():
            failing = [item for item in items if item.outcome.truth is True]
            if failing:
                self._finding(address, location, failing)
            else:
                first = items[0]
                self.result.undetermined.append(
                    Undetermined(
                        self.policy.id,
                        location.span,
                        address,
                        location.attribute,
                        first.outcome.reason or "unknown",
                    )
                )

    def _finding(self, address: str, location: Location, failing: list[_Raw]) -> None:
        first = failing[0]
        resource = first.resource
        conditions = _conditions(
            [item.resource.conditions for item in failing],
            [variant.conditions for variant in self.graph.variants(address)],
        )
        message = self.message(first)
        if conditions:
            message += f" (when {' and '.join(conditions)})"
        file = location.span.file
        snippet = self.snippet(location.span)
        self.result.findings.append(
            Finding(
                policy_id=self.policy.id,
                severity=first.outcome.severity or self.policy.info.severity,
                span=location.span,
                resource=address,
                resource_type=resource.native_type,
                attribute=location.attribute,
                message=self.masker.message(message),
                fingerprint=fingerprint(
                    self.policy.id, file, address, location.attribute, conditions
                ),
                conditions=conditions,
                snippet=snippet.text,
                byte_columns=snippet.byte_columns,
                construct_path=resource.construct_path,
                related=(resource.defined_at,) if resource.defined_at is not None else (),
                resource_span=resource.header.span,
                path=first.outcome.path,
            )
        )

    def snippet(self, span: Span) -> Snippet:
        return self.snippets(span, self.policy.secret)

    def message(self, raw: _Raw) -> str:
        arguments: dict[str, str] = {
            name: display(value, mask=self.masker.message)
            for name, value in self.policy.values.items()
        }
        arguments.update(raw.outcome.facts)
        arguments["value"] = display(raw.outcome.value, mask=self.masker.message)
        shown = [display(item, mask=self.masker.message) for item in raw.outcome.values]
        arguments["values"] = _cut(", ".join(dict.fromkeys(shown)) or arguments["value"], 240)
        arguments["resource"] = raw.resource.address
        return self.policy.message.format_map(_MessageArguments(arguments))


class _MessageArguments(dict[str, str]):
    """Message arguments; a fact no condition supplied on this path reads 'unknown'."""

    def __missing__(self, key: str) -> str:
        return "unknown"


# -- combining outcomes ---------------------------------------------------------


def _verdict_outcome(verdict: Verdict, match: Match) -> Outcome:
    return Outcome(
        verdict.truth, match.path, match.value, verdict.facts, verdict.reason, path=verdict.path
    )


def _with_every_match(decided: Outcome, outcomes: list[Outcome]) -> Outcome:
    """A true predicate names every value that satisfied it, not only the first:
    `Action: [ec2:*, s3:*]` is reported once, with both. Facts of several values
    are joined the same way (`ec2, s3`)."""
    satisfied = [outcome for outcome in outcomes if outcome.truth is True]
    if not satisfied:
        return decided  # an empty selection under `match: all`
    ordered = [decided, *(outcome for outcome in satisfied if outcome is not decided)]
    facts: dict[str, list[str]] = {}
    for outcome in ordered:
        for name, fact in outcome.facts.items():
            facts.setdefault(name, [])
            if fact not in facts[name]:
                facts[name].append(fact)
    return decided._replace(
        values=tuple(outcome.value for outcome in ordered),
        facts={name: ", ".join(items) for name, items in facts.items()},
    )


def _all(
    outcomes: list[Outcome], subject: Subject, empty_witness: ModelPath | None = None
) -> Outcome:
    if not outcomes:
        return Outcome(True, subject.path if empty_witness is None else empty_witness)
    for outcome in outcomes:
        if outcome.truth is False:
            return outcome
    for outcome in outcomes:
        if outcome.truth is None:
            return outcome
    chosen = outcomes[0]
    facts: dict[str, str] = {}
    for outcome in outcomes:
        facts.update(outcome.facts)
        if len(outcome.witness) >= len(chosen.witness):
            chosen = outcome
    pinned = [outcome for outcome in outcomes if outcome.pinned]
    if pinned:
        chosen = pinned[0]
    return chosen._replace(facts=facts, pinned=bool(pinned))


def _any(
    outcomes: list[Outcome], subject: Subject, empty_witness: ModelPath | None = None
) -> Outcome:
    for outcome in outcomes:
        if outcome.truth is True:
            return outcome
    for outcome in outcomes:
        if outcome.truth is None:
            return outcome
    if outcomes:
        # Every item is false: each decided it, so name the deepest, as `_all` does when
        # every item is true (a setting written wrong, rather than where another is missing).
        return max(outcomes, key=lambda outcome: len(outcome.witness))
    return Outcome(False, subject.path if empty_witness is None else empty_witness)


def _conditions(
    failing: list[tuple[tuple[str, bool], ...]], every: list[tuple[tuple[str, bool], ...]]
) -> tuple[str, ...]:
    """The fewest conditions that single out the failing variants, in words.

    Conditions are tried in the order the resource uses them, and one is named
    only if it rules out a variant where the finding does not hold.
    """
    failing_set = set(failing)
    if len(failing_set) >= len(set(every)):
        return ()
    names = list(dict.fromkeys(name for variant in every for name, _ in variant))
    consistent = [dict(variant) for variant in set(every)]
    target = len(failing_set)
    out = []
    for name in names:
        values = {dict(variant).get(name) for variant in failing}
        if len(values) != 1:
            continue
        (value,) = values
        if value is None:
            continue
        narrowed = [variant for variant in consistent if variant.get(name) == value]
        if len(narrowed) < len(consistent):
            out.append(f"condition {name} is {'true' if value else 'false'}")
            consistent = narrowed
        if len(consistent) <= target:
            break
    return tuple(out)


# Built once (a union written in `isinstance` is built at every call).
_UNSEEN = (Unknown, Reference, PartialString)


def _opaque(value: object) -> bool:
    return isinstance(value, _UNSEEN) or (
        isinstance(value, Input) and not value.has_default and not value.allowed_values
    )


def display(value: object, limit: int = 80, mask: Callable[[str], str] | None = None) -> str:
    """A value as a report shows it; `mask` hides secrets before the text is cut, so
    no part of one is left."""
    if value is MISSING:
        return "not set"
    if isinstance(value, Input):
        if value.has_default:
            origin = value.origin or f"default of parameter {value.name}"
            return f"{display(value.value, limit, mask)} ({origin})"
        return f"parameter {value.name}"
    if isinstance(value, PartialString | Reference):
        text = value.describe()
    elif isinstance(value, Unknown):
        text = value.symbol or "unknown"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = ", ".join(display(item, limit, mask) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, default=str, sort_keys=True)
    else:
        text = str(value)
    if mask is not None:
        text = mask(text)
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
