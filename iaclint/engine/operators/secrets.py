"""Operators on the settings that hold secrets (the `sensitive` entries of a resource).

An entry is `{setting, kind, value}`; the value is judged as written. A secret
is *written into* the template when the template's text holds it: a literal, the
default of a parameter or variable (or a value from a variables file), or a
dynamic reference to a plain-text SSM parameter. References to a secret store
(`{{resolve:secretsmanager:...}}`, `{{resolve:ssm-secure:...}}`), to another
resource (a generated password) or to a value given at deployment are not.

A *placeholder* (`<<Enter your Password>>`, `CHANGE_ME`, `xxx`, `TODO`, `***`) is
written where a secret should be given: it is not a secret that leaked but a
known value deployed when nobody replaces it, and is judged as that. A value is
never judged by its length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from iaclint.engine.operators.base import Operator, Verdict
from iaclint.graph.values import Input, PartialString

_STORE = re.compile(r"\{\{resolve:(secretsmanager|ssm-secure):", re.IGNORECASE)
_PLAIN_SSM = re.compile(r"\{\{resolve:ssm:", re.IGNORECASE)

# Words that stand for a value still to be given (compared lower case, letters and
# digits only: `CHANGE_ME`, `change-me` and `ChangeMe` are one).
_PLACEHOLDER_WORDS = frozenset(
    {
        "changeme",
        "changeit",
        "changethis",
        "replaceme",
        "todo",
        "tbd",
        "fixme",
        "placeholder",
        "none",
        "null",
        "nil",
        "na",
        # Values of samples and local test setups, never a real secret.
        "test",
        "dummy",
        "fake",
        "mock",
        "example",
        "sample",
        "password",
        "secret",
    }
)
# `<password>`, `<<Enter your Password>>`, `your-password`, `enter password here`,
# nothing but x's (`xxx`, `XXXXXXXX`).
_PLACEHOLDER_SHAPES = re.compile(
    r"<[^<>]*>|<<[^<>]*>>|(?:your|enter|insert)[\W_].*|x+",
    re.IGNORECASE,
)


def _entry(value: object) -> tuple[str, object] | None:
    if not isinstance(value, dict):
        return None
    setting = value.get("setting")
    return (str(setting) if setting is not None else "a setting"), value.get("value")


def is_placeholder(text: str) -> bool:
    """Whether `text` stands for a secret still to be given rather than being one.

    Values holding nothing but punctuation (`<>`, `***`, `...`, `-`) count, as do
    the words and shapes above; any other text, however short, is a value.
    """
    stripped = text.strip()
    if not stripped:
        return False
    words = re.sub(r"[\W_]+", "", stripped).lower()
    return not words or words in _PLACEHOLDER_WORDS or bool(_PLACEHOLDER_SHAPES.fullmatch(stripped))


def _judge_text(text: str) -> str | None:
    """How a literal text holds a secret, or None when it does not."""
    if not text.strip() or _STORE.search(text) or is_placeholder(text):
        return None
    if _PLAIN_SSM.search(text):
        return "a plain-text SSM parameter (not SecureString)"
    return "a literal value"


def _written_in(value: object) -> Verdict:
    if isinstance(value, Input):
        if not value.has_default:
            return Verdict(False)
        inner = _written_in(value.value)
        if inner.truth is not True:
            return inner
        where = value.origin or f"default of parameter {value.name}"
        return Verdict(True, {"source": where})
    if isinstance(value, str):
        how = _judge_text(value)
        return Verdict(how is not None, {"source": how} if how else {})
    if isinstance(value, PartialString):
        # Literal text around references: only a plain SSM reference is judged.
        texts = [part for part in value.parts if isinstance(part, str)]
        if any(_STORE.search(text) for text in texts):
            return Verdict(False)
        if any(_PLAIN_SSM.search(text) for text in texts):
            return Verdict(True, {"source": "a plain-text SSM parameter (not SecureString)"})
        return Verdict(False)
    return Verdict(False)  # a reference, a value known only at deployment


def _judged(value: object, judge: Callable[[object], Verdict]) -> Verdict:
    """A sensitive setting's value as `judge` finds it, the setting named when true."""
    entry = _entry(value)
    if entry is None:
        return Verdict(False)
    setting, written = entry
    verdict = judge(written)
    if verdict.truth is True:
        return Verdict(True, {"setting": setting, **verdict.facts})
    return verdict


def _secret_written(value: object, args: Mapping[str, object]) -> Verdict:
    return _judged(value, _written_in)


def _secret_input_shown(value: object, args: Mapping[str, object]) -> Verdict:
    entry = _entry(value)
    if entry is None:
        return Verdict(False)
    setting, written = entry
    if isinstance(written, Input) and not written.secret:
        return Verdict(True, {"setting": setting, "parameter": written.name})
    return Verdict(False)


def _placeholder_in(value: object) -> Verdict:
    if isinstance(value, Input):
        if not value.has_default:
            return Verdict(False)
        inner = _placeholder_in(value.value)
        if inner.truth is not True:
            return inner
        return Verdict(True, {"source": value.origin or f"default of parameter {value.name}"})
    if isinstance(value, str) and is_placeholder(value):
        return Verdict(True, {"source": "written in the template"})
    return Verdict(False)


def _secret_placeholder(value: object, args: Mapping[str, object]) -> Verdict:
    return _judged(value, _placeholder_in)


_KEYS = {"access_key": "an AWS access key id", "private_key": "a private key"}


def _key_material(value: object, args: Mapping[str, object]) -> Verdict:
    entry = _entry(value)
    kind = value.get("kind") if isinstance(value, dict) else None
    if entry is None or kind not in _KEYS:
        return Verdict(False)
    return Verdict(True, {"setting": entry[0], "key": _KEYS[str(kind)]})


def _url_credentials(value: object, args: Mapping[str, object]) -> Verdict:
    entry = _entry(value)
    kind = value.get("kind") if isinstance(value, dict) else None
    if entry is None or kind != "connection_string":
        return Verdict(False)
    return Verdict(True, {"setting": entry[0]})


def _secret_exposed(value: object, args: Mapping[str, object]) -> Verdict:
    if not isinstance(value, dict) or value.get("parameter") is None:
        return Verdict(False)
    return Verdict(
        True, {"setting": str(value.get("setting")), "parameter": str(value["parameter"])}
    )


OPERATORS = (
    Operator(
        "secret_exposed",
        _secret_exposed,
        "The value is an `exposed` entry: a parameter or variable holding a secret written "
        "into user data, an environment variable or a tag.",
        facts=frozenset({"setting", "parameter"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "url_credentials",
        _url_credentials,
        "The value is a `sensitive` entry holding a connection string with a password in it "
        "(`scheme://user:password@host`); a URL without a password (`scheme://user@host`) or "
        "whose password is filled in later (`${DB_PASSWORD}`, `$PASS`, `%s`, `{password}`, "
        "`<password>`) is not one.",
        facts=frozenset({"setting"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "key_material",
        _key_material,
        "The value is a `sensitive` entry holding an AWS access key id or a private key.",
        facts=frozenset({"setting", "key"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "secret_written",
        _secret_written,
        "The value is a `sensitive` entry whose secret is written into the template: a "
        "literal, a parameter's or variable's default (or a variables file), or a plain-text "
        "SSM dynamic reference. Secrets Manager and SecureString references, references to "
        "other resources and values given at deployment are not.",
        facts=frozenset({"setting", "source"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "secret_placeholder",
        _secret_placeholder,
        "The value is a `sensitive` entry holding a placeholder where the secret should be "
        "(`<<Enter your Password>>`, `<>`, `CHANGE_ME`, `xxx`, `TODO`, `***`), written or as "
        "a parameter's or variable's default. `secret_written` never counts a placeholder.",
        facts=frozenset({"setting", "source"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
    Operator(
        "secret_input_shown",
        _secret_input_shown,
        "The value is a `sensitive` entry fed by a parameter or variable not marked secret "
        "(CloudFormation `NoEcho`, Terraform `sensitive`).",
        facts=frozenset({"setting", "parameter"}),
        sees_unknowns=True,
        sees_inputs=True,
    ),
)
