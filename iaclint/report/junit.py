"""JUnit XML, as GitLab's test report and Jenkins' JUnit plugin show it.

    iaclint --format junit:iaclint-junit.xml .

A test suite per policy that ran, a test case per finding: GitLab lists failed
cases with their name and message, Jenkins groups them by class, so the policy
is the class and the case is named by where the finding is (`file:line
resource`), the one thing that tells two findings of a policy apart. The
failure's message is the finding's; its text says where, the attribute, the
source line (secrets masked) and the policy's page. A policy with no finding
passes one case, `no findings`, so the report shows what was checked. Suppressed
findings are skipped cases (with the reason); a file that could not be read is an
error case in the suite `iaclint`, whose output lists the warnings and notices.

Every piece of text is printed inert (`escape.printable`): XML 1.0 cannot hold
most control characters, and a report must stay readable whatever a file held.
"""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from iaclint.diagnostics import Level
from iaclint.findings import Finding, PolicyInfo, Report
from iaclint.report.escape import printable

ERRORS_SUITE = "iaclint"


def render(report: Report) -> str:
    by_policy: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_policy[finding.policy_id].append(finding)
    policies = {policy.id: policy for policy in report.policies}
    root = ElementTree.Element("testsuites", name="iaclint")
    for policy_id in sorted(set(policies) | set(by_policy)):
        policy = policies.get(policy_id)
        title = f"{policy_id} {policy.title}" if policy else policy_id
        suite = _suite(root, title)
        findings = by_policy.get(policy_id, [])
        if not findings:
            _case(suite, policy_id, "no findings")
        for finding in findings:
            _finding_case(suite, finding, policy)
    errors = [d for d in report.diagnostics if d.level is Level.ERROR]
    others = [d for d in report.diagnostics if d.level is not Level.ERROR]
    if errors or others:
        suite = _suite(root, ERRORS_SUITE)
        for diagnostic in errors:
            case = _case(suite, ERRORS_SUITE, diagnostic.where(), diagnostic.file, diagnostic.line)
            _text(case, "error", diagnostic.message, f"{diagnostic.where()}: {diagnostic.message}")
        if others:
            said = ElementTree.SubElement(suite, "system-out")
            said.text = "\n".join(
                printable(f"{d.where()}: {d.level.value}: {d.message}") for d in others
            )
    _count(root, root.findall("testsuite"))
    ElementTree.indent(root)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + ElementTree.tostring(root, encoding="unicode")
        + "\n"
    )


def _suite(parent: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(parent, "testsuite", name=printable(name))


def _case(
    suite: ElementTree.Element,
    classname: str,
    name: str,
    file: str | None = None,
    line: int | None = None,
) -> ElementTree.Element:
    case = ElementTree.SubElement(
        suite, "testcase", classname=printable(classname), name=printable(name)
    )
    if file:
        case.set("file", printable(file))
    if line is not None:
        case.set("line", str(line))
    return case


def _finding_case(suite: ElementTree.Element, finding: Finding, policy: PolicyInfo | None) -> None:
    span = finding.span
    subject = finding.construct_path or finding.resource
    name = f"{span.file}:{span.line} {subject}".rstrip()
    case = _case(suite, finding.policy_id, name, span.file, span.line)
    if finding.suppression is not None:
        reason = finding.suppression.reason
        skipped = ElementTree.SubElement(case, "skipped")
        skipped.set("message", printable(f"suppressed: {reason}"))
        return
    lines = [f"{span.file}:{span.line}:{span.column}: {finding.message}"]
    if subject:
        lines.append(f"resource: {subject}")
    if finding.attribute:
        lines.append(f"attribute: {finding.attribute}")
    if finding.snippet:
        lines.append(f"{span.line:>5} | {finding.snippet}")
    if finding.outside_diff:
        lines.append("already at the merge base")
    if policy is not None and policy.help_uri:
        lines.append(f"see {policy.help_uri}")
    failure = _text(case, "failure", finding.message, "\n".join(lines))
    failure.set("type", finding.severity.label)


def _text(case: ElementTree.Element, tag: str, message: str, body: str) -> ElementTree.Element:
    element = ElementTree.SubElement(case, tag, message=printable(message))
    element.text = "\n".join(printable(line) for line in body.split("\n"))
    return element


def _count(root: ElementTree.Element, suites: list[ElementTree.Element]) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for case in cases if case.find("failure") is not None),
            "errors": sum(1 for case in cases if case.find("error") is not None),
            "skipped": sum(1 for case in cases if case.find("skipped") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
