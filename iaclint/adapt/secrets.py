"""Settings that hold secrets, found in any resource's native properties.

Every resource, modelled or not, gets a `sensitive` list in the common model:
the places where a secret is, or looks like it is, written. Each entry names the
setting as the user wrote it, says what kind of secret it is, and holds the value
as written (a literal, a parameter or variable, a dynamic reference), located
where it is written. Policies judge the values; this module only finds them.

- `password`: a property whose name says it holds a password or token
  (`MasterUserPassword`, `password`, `AuthToken`, `SecretString`, ...), a
  Terraform write-only argument (`password_wo`, `secret_string_wo`: the provider
  makes an argument write-only because it is a secret), the value of an API key
  (EventBridge's `ApiKeyValue`, Terraform's `api_key { value }`), a value its
  neighbour marks secret (`IsValueSecret: true`), and the `Value` of a mapping
  whose `Name` says it holds a secret (an SSM parameter named `/app/db/password`);
- `environment`: an environment variable whose name says it holds a secret;
- `access_key`: an AWS access key id anywhere in a text value;
- `private_key`: a PEM private key block anywhere in a text value;
- `connection_string`: a URL with a password in it (`scheme://user:password@host`)
  anywhere in a text value; `scheme://user@host`, and a password that is a
  placeholder to be filled in (`${DB_PASSWORD}`, `$PASS`, `%s`, `{password}`,
  `<password>`), are not.

Names are matched without regard to case, `_` or `-`. A value is never judged by
its length or its looks alone: only the setting's name (for the first two), or a
pattern that identifies the secret itself (for the last two).
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable, Iterable, Iterator

from iaclint.adapt.sourced import Src, obj
from iaclint.graph.values import Input, PartialString, Reference, Unknown

# Property names (normalized: lower case, no `_`/`-`) that hold a secret.
_SECRET_PROPERTIES = frozenset(
    {
        "authtoken",
        "secretstring",
        "secretaccesskey",
        "privatekey",
        "apikey",
        "clientsecret",
        "sharedsecret",
        "presharedkey",
        "secretkey",
        "apikeyvalue",
        "token",
        "accesstoken",
        "oauthtoken",
    }
)
_PASSWORD_SUFFIXES = ("password", "passwd", "passphrase")
# The `value` of these holds the secret (`auth_parameters { api_key { key, value } }`).
_SECRET_VALUE_OWNERS = frozenset({"apikey"})
# A sibling saying its mapping's `value` is a secret (EventBridge connection parameters).
_VALUE_IS_SECRET = frozenset({"isvaluesecret"})
# Names of switches about a password rather than the password itself, and of a
# password encrypted for its reader (`encrypted_password`: PGP ciphertext).
_SETTING_PREFIXES = ("manage", "allow", "require", "reset", "enable", "generate", "encrypted")

# Words that make an environment variable name secret...
_SECRET_WORDS = ("password", "passwd", "secret", "token", "apikey", "privatekey", "accesskey")
# ...unless it names where the secret is kept rather than holding it.
_POINTER_SUFFIXES = ("arn", "name", "id", "path", "file", "param", "parameter", "url", "ref")

_KEY_PREFIXES = ("AKIA", "ASIA", "AGPA", "AIDA", "AROA")
_KEY_PREFIX = re.compile("|".join(_KEY_PREFIXES))
_ACCESS_KEY = re.compile(rf"(?<![A-Z0-9])(?:{'|'.join(_KEY_PREFIXES)})[A-Z0-9]{{16}}(?![A-Z0-9])")
_KEY_KIND = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
_PRIVATE_KEY = re.compile(rf"-----BEGIN {_KEY_KIND}")
# The whole block, to its end marker (or the end of the text when it has none).
_PRIVATE_KEY_BLOCK = re.compile(rf"-----BEGIN {_KEY_KIND}(?:.*?-----END {_KEY_KIND}|.*)", re.DOTALL)

# `scheme://user:password@host`: the user and password as written, up to the `@`.
_URL_CREDENTIALS = re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*://([^\s:/@'\"<>]*):([^\s/@'\"]+)@(?=[^\s@/])"
)
# A password still to be filled in by a shell, a template engine or a person.
_FILLED_IN = re.compile(r"\$.*|%s|%\(.*|\{.*\}|<.*>|\*+|x+", re.IGNORECASE)

# Where environment variables are written: a mapping of names to values.
_ENVIRONMENT_MAPS = frozenset({"variables"})
# Lists of {Name, Value} pairs (ECS container definitions, CodeBuild).
_ENVIRONMENT_LISTS = frozenset({"environment", "environmentvariables"})


@functools.lru_cache(maxsize=4096)
def _normal(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


# Property names repeat across every resource of a run: each is judged once.
@functools.lru_cache(maxsize=4096)
def is_secret_property(name: str) -> bool:
    if name.lower().endswith("_wo"):
        return True  # a write-only argument: kept out of state because it is a secret
    normal = _normal(name)
    if normal.startswith(_SETTING_PREFIXES) or normal.endswith(("policy", "length", "required")):
        return False
    return normal in _SECRET_PROPERTIES or normal.endswith(_PASSWORD_SUFFIXES)


def _named_secret(mapping: dict[object, object]) -> bool:
    """Whether `mapping` has a `Name` that says its `Value` is a secret."""
    for key, name in mapping.items():
        if _normal(str(key)) == "name" and isinstance(name, Src):
            return names_a_secret(name.value) is True
    return False


def _value_is_secret(mapping: dict[object, object], owner: str) -> bool:
    """Whether `mapping`'s `value` holds a secret, by its owner's name or a sibling flag."""
    if owner in _SECRET_VALUE_OWNERS:
        return True
    for key, flag in mapping.items():
        if _normal(str(key)) in _VALUE_IS_SECRET and isinstance(flag, Src):
            return flag.value is True or str(flag.value).lower() == "true"
    return False


# Words of a name: `DB_PASSWORD_ARN`, `db-password.arn`, `DbPasswordArn`.
_WORDS = re.compile(r"[_\-./]+|(?<=[a-z0-9])(?=[A-Z])")


def is_secret_variable(name: str) -> bool:
    parts = [part.lower() for part in _WORDS.split(name) if part]
    if parts and parts[-1] in _POINTER_SUFFIXES:
        return False
    normal = _normal(name)
    return any(word in normal for word in _SECRET_WORDS)


def names_a_secret(name: object) -> bool | None:
    """Whether a name, written as a path or not (`/app/db/password`, `DB_TOKEN`), says
    its value is a secret; None when the name is not known before deployment."""
    if isinstance(name, Input):
        return names_a_secret(name.value) if name.has_default else None
    if isinstance(name, PartialString):
        last = name.parts[-1] if name.parts else None
        if not isinstance(last, str) or "/" not in last:
            return None  # the last segment is not known
        name = last
    if not isinstance(name, str):
        return None
    segment = name.rstrip("/").rsplit("/", 1)[-1]
    return bool(segment) and is_secret_variable(segment)


def holds_secret(name: Src | None, value: Src | None) -> Src | None:
    """Whether a named value (an SSM parameter) holds a secret: by its name, or by a
    secret its text holds (a key, a password in a connection string). Located at the
    value, the line holding the secret; unknown when the name is not known."""
    where = value if value is not None else name
    if where is None:
        return None
    if value is not None and any(
        _access_key(text) or _private_key(text) or url_credentials(text)
        for text in _texts(value.value)
    ):
        return where.with_value(True)
    if name is None:
        return where.with_value(False)  # the service names it
    named = names_a_secret(name.value)
    if named is None:
        return where.with_value(Unknown("the parameter's name is not known before deployment"))
    return where.with_value(named)


def shown_settings(name: str) -> str | None:
    """How a setting named `name` is shown to anyone allowed to read the resource's
    configuration: 'user data', 'environment', 'tags', or None for other settings."""
    normal = _normal(name)
    if normal in ("userdata", "userdatabase64"):
        return "user data"
    if normal == "tags":
        return "tags"
    if normal in _ENVIRONMENT_MAPS or normal in _ENVIRONMENT_LISTS:
        return "environment"
    return None


def secret_input(name: str, secret: bool, default: object) -> bool:
    """Whether a parameter or variable holds a secret: marked so (`NoEcho`,
    `sensitive`), or named as one (`DbPassword`) with a literal default."""
    return secret or (isinstance(default, str) and bool(default) and is_secret_variable(name))


def exposed_entry(origin: Src, setting: str, parameter: str) -> Src:
    """An `exposed` entry: `parameter` is written into `setting`, at `origin`."""
    return obj(
        origin,
        {"setting": origin.with_value(setting), "parameter": origin.with_value(parameter)},
    )


# Resource attributes that hold a secret though their names do not say so.
_SECRET_ATTRIBUTES = frozenset(
    {
        ("aws_iam_access_key", "secret"),
        ("aws_iam_access_key", "ses_smtp_password_v4"),
        ("random_password", "result"),
        ("tls_private_key", "private_key_pem"),
        ("tls_private_key", "private_key_openssh"),
        ("tls_private_key", "private_key_pem_pkcs8"),
    }
)


def shown_secret(value: object, type_of: Callable[[str], str | None]) -> str | None:
    """The secret an output's value shows, named (`AccessKey.SecretAccessKey`,
    `parameter DbPassword`), or None: a secret attribute of a resource (`type_of`
    gives a resource's type from its address), a parameter or variable marked
    secret (`NoEcho`, `sensitive`), or a password-named one with a literal default.
    Text built around them counts: `!Sub "${User}:${Key.SecretAccessKey}"`."""
    if isinstance(value, PartialString):
        for part in value.parts:
            found = shown_secret(part, type_of)
            if found is not None:
                return found
        return None
    if isinstance(value, Input):
        if value.secret:
            return f"{value.name} (marked secret)"
        if value.has_default and isinstance(value.value, str) and is_secret_variable(value.name):
            return f"{value.name} (its default)"
        return None
    if isinstance(value, Reference) and value.attribute is not None:
        native_type = type_of(value.target)
        if (native_type, value.attribute) in _SECRET_ATTRIBUTES or is_secret_property(
            value.attribute
        ):
            return value.describe()
    return None


# Built once (a union written in `isinstance` is built at every call).
_TEXT = (str, PartialString)


def _holds_text(value: object) -> bool:
    if isinstance(value, Input):
        return not value.has_default or isinstance(value.value, str)
    return isinstance(value, _TEXT)


_BASE64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def _decoded(text: str) -> str | None:
    """Base64 text (`base64encode(...)` user data) as what it encodes, if it is that."""
    if len(text) % 4 or not _BASE64.fullmatch(text):
        return None
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None


def _texts(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        decoded = _decoded(value.strip())
        if decoded is not None:
            yield decoded
    elif isinstance(value, PartialString):
        yield from (part for part in value.parts if isinstance(part, str))
    elif isinstance(value, Input) and value.has_default:
        yield from _texts(value.value)


def sensitive_settings(properties: Src) -> Src | None:
    """The `sensitive` list of a resource, from its native properties (None if empty)."""
    found: list[Src] = []
    _walk(properties, "", found)
    return Src(found, properties.origin) if found else None


def _entry(value: Src, setting: str, kind: str) -> Src:
    return obj(
        value,
        {"setting": value.with_value(setting), "kind": value.with_value(kind), "value": value},
    )


def _walk(node: Src, path: str, found: list[Src], by_name: bool = True, owner: str = "") -> None:
    """Every setting below `node`; `by_name` is off inside environment variables,
    which are judged by their own rule; `owner`: the name `node` is under (the
    name of the list, for an element)."""
    value = node.value
    if isinstance(value, dict):
        # Whether this mapping's `value` is a secret: asked only of a mapping with a
        # `value` (most have none, and the answer reads every key).
        secret_value: bool | None = None
        for key, child in value.items():
            if not isinstance(child, Src):
                continue
            setting = f"{path}.{key}" if path else str(key)
            normal = _normal(str(key))
            inside = by_name
            if normal in _ENVIRONMENT_MAPS and isinstance(child.value, dict):
                _environment_map(child, setting, found)
                inside = False
            elif normal in _ENVIRONMENT_LISTS and isinstance(child.value, list):
                _environment_list(child, setting, found)
                inside = False
            elif by_name and _holds_text(child.value):
                named = is_secret_property(str(key))
                if not named and normal == "value":
                    if secret_value is None:
                        secret_value = _value_is_secret(value, owner) or _named_secret(value)
                    named = secret_value
                if named and not _has_key_material(child.value):  # reported as the key it is
                    found.append(_entry(child, setting, "password"))
            if type(child.value) is str:  # a leaf: scanned here, without a call more
                _scan(child, setting, found)
            else:
                _walk(child, setting, found, inside, normal)
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, Src):
                _walk(item, f"{path}[{index}]", found, by_name, owner)
        return
    _scan(node, path, found)


def _has_key_material(value: object) -> bool:
    return any(_access_key(text) or _private_key(text) for text in _texts(value))


def _access_key(text: str) -> bool:
    # Every key id has one of these prefixes: most texts are passed without a search.
    return _KEY_PREFIX.search(text) is not None and bool(_ACCESS_KEY.search(text))


def _private_key(text: str) -> bool:
    return "-----BEGIN " in text and bool(_PRIVATE_KEY.search(text))


def url_credentials(text: str) -> list[str]:
    """The `user:password@` parts of the URLs in `text` that carry a password."""
    if "://" not in text or "@" not in text:
        return []
    return [
        match.group(0)[match.group(0).index("://") + 3 :]
        for match in _URL_CREDENTIALS.finditer(text)
        if not _FILLED_IN.fullmatch(match.group(2))
    ]


def connection_secrets(text: str) -> list[str]:
    """What no report may show of the connection strings in `text` (or what it encodes):
    each one's `user:password@` and its password."""
    found: list[str] = []
    for inner in _texts(text):
        for part in url_credentials(inner):
            found.extend([part, part[part.index(":") + 1 : -1]])
    return found


def key_material(text: str) -> list[str]:
    """The access key ids and private key blocks written in `text`, or all of `text`
    when they are in what it encodes (Base64): the parts no report may show."""
    found: list[str] = []
    for inner in _texts(text):
        keys = []
        if _access_key(inner):
            keys.extend(_ACCESS_KEY.findall(inner))
        if _private_key(inner):
            keys.extend(_PRIVATE_KEY_BLOCK.findall(inner))
        if keys:
            found.extend(keys if inner is text else [text])
    return found


# Leaves that hold no text to scan.
_NO_TEXT = frozenset({int, float, bool, type(None)})


def _scan(node: Src, setting: str, found: list[Src]) -> None:
    """Access keys and private keys written in a text value."""
    value = node.value
    if type(value) is str:  # most leaves: no generator for them
        decoded = _decoded(value.strip())
        texts: Iterable[str] = (value,) if decoded is None else (value, decoded)
    elif type(value) in _NO_TEXT:
        return
    else:
        texts = _texts(value)
    for text in texts:
        if _access_key(text):
            found.append(_entry(node, setting, "access_key"))
        if _private_key(text):
            found.append(_entry(node, setting, "private_key"))
        if url_credentials(text):
            found.append(_entry(node, setting, "connection_string"))


def _environment_map(variables: Src, setting: str, found: list[Src]) -> None:
    assert isinstance(variables.value, dict)
    for name, child in variables.value.items():
        if isinstance(child, Src) and is_secret_variable(str(name)) and _holds_text(child.value):
            found.append(_entry(child, f"{setting}.{name}", "environment"))


def _environment_list(pairs: Src, setting: str, found: list[Src]) -> None:
    for pair in pairs.items() or []:
        name = pair.get("Name") or pair.get("name")
        value = pair.get("Value") or pair.get("value")
        if name is None or value is None or not isinstance(name.value, str):
            continue
        if is_secret_variable(name.value) and _holds_text(value.value):
            found.append(_entry(value, f"{setting}.{name.value}", "environment"))
