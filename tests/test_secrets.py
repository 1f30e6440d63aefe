"""Settings holding secrets: which names count, what counts as written in, and
that no report ever prints the value."""

from __future__ import annotations

import subprocess
import sys

import pytest

from iaclint.adapt.secrets import (
    connection_secrets,
    is_secret_property,
    is_secret_variable,
    names_a_secret,
    secret_input,
    shown_secret,
    url_credentials,
)
from iaclint.engine.operators import OPERATORS
from iaclint.graph.values import Input, PartialString, Reference, Unknown
from iaclint.span import MASK, Span, masked_range

from .conftest import FIXTURES, ROOT


def masked(line: str, span: Span) -> str:
    """`line` as a snippet shows it when the value at `span` is a secret."""
    start, end = masked_range(line, span)
    return line[:start] + MASK + line[end:]


@pytest.mark.parametrize(
    "name",
    [
        "MasterUserPassword",
        "Password",
        "password",
        "AuthToken",
        "auth_token",
        "SecretString",
        "master_password",
        "AdminPassphrase",
        "ClientSecret",
        "ApiKeyValue",
        "SecretKey",
        "token",
        "OAuthToken",
        "access_token",
        "secret_key",
        # Write-only arguments: the provider keeps them out of state because they are secrets.
        "password_wo",
        "master_password_wo",
        "secret_string_wo",
        "value_wo",
    ],
)
def test_secret_property_names(name: str) -> None:
    assert is_secret_property(name)


@pytest.mark.parametrize(
    "name",
    [
        "ManageMasterUserPassword",
        "PasswordLength",
        "PasswordPolicy",
        "RequireLowercase",
        "allow_users_to_change_password",
        "Username",
        "TokenValidityUnits",
        "GenerateSecretString",
        "password_wo_version",
        "secret_string_wo_version",
        "ApiKeyName",
        "ClientToken",
        # Encrypted for its reader (PGP): ciphertext, not the secret.
        "encrypted_password",
        "encrypted_ses_smtp_password_v4",
        "access_key",
    ],
)
def test_names_about_passwords_are_not_passwords(name: str) -> None:
    assert not is_secret_property(name)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("API_TOKEN", True),
        ("stripe-api-key", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("DB_PASSWORD_SECRET_ARN", False),
        ("DbPasswordSecretArn", False),
        ("dbPassword", True),
        ("TOKEN_PATH", False),
        ("SECRET_NAME", False),
        ("DB_HOST", False),
    ],
)
def test_secret_environment_variable_names(name: str, secret: bool) -> None:
    assert is_secret_variable(name) is secret


def entry(value: object) -> dict[str, object]:
    return {"setting": "MasterUserPassword", "kind": "password", "value": value}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("hunter2", True),
        ("{{resolve:ssm:/db/password:1}}", True),
        ("{{resolve:secretsmanager:db:SecretString:password}}", False),
        ("{{resolve:ssm-secure:/db/password:1}}", False),
        ("", False),
        (Input("DbPassword", "default-secret", has_default=True), True),
        (Input("DbPassword"), False),
        (Reference("Generated"), False),
        (Unknown("imported"), False),
        (
            PartialString(("{{resolve:secretsmanager:", Reference("Secret"), ":SecretString}}")),
            False,
        ),
        (PartialString(("{{resolve:ssm:/", Unknown("env", "AWS::Region"), "/pw}}")), True),
    ],
)
def test_what_counts_as_written_into_the_template(value: object, written: bool) -> None:
    verdict = OPERATORS["secret_written"].function(entry(value), {})
    assert verdict.truth is written


@pytest.mark.parametrize(
    "value",
    [
        "<>",
        "<<Enter your Password>>",
        "<db-password>",
        "CHANGE_ME",
        "changeme",
        "Change-Me",
        "xxx",
        "XXXXXXXX",
        "TODO",
        "***",
        "...",
        "-",
        "your-password-here",
        "Enter password here",
        "test",
        "Password",
        Input("DbPassword", "<<Enter your Password>>", has_default=True),
    ],
)
def test_a_placeholder_is_reported_as_one_never_as_a_written_secret(value: object) -> None:
    assert OPERATORS["secret_written"].function(entry(value), {}).truth is False
    verdict = OPERATORS["secret_placeholder"].function(entry(value), {})
    assert verdict.truth is True
    assert verdict.facts["setting"] == "MasterUserPassword"


@pytest.mark.parametrize(
    "value",
    # Real secrets, short ones too (no value is judged by its length), text that
    # only contains a placeholder word, JSON, values given at deployment.
    [
        "x9z",
        "ab",
        "hunter2",
        "changeme-in-prod",
        "todo-list-S3cret",
        '{"username":"app","password":"s3cr3t"}',
        "",
        Input("DbPassword"),
        Reference("Generated"),
    ],
)
def test_what_is_not_a_placeholder(value: object) -> None:
    assert OPERATORS["secret_placeholder"].function(entry(value), {}).truth is False


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("postgres://app:s3cret@db.internal:5432/app", ["app:s3cret@"]),
        ("jdbc:mysql://root:pw@db:3306/app", ["root:pw@"]),
        ("redis://:r3d1s@cache:6379", [":r3d1s@"]),
        ("https://bot:tok_1@git.example.com/a.git", ["bot:tok_1@"]),
        ("a=mongodb+srv://u:p%40ss@c.example.net/x b=amqp://g:q@mq", ["u:p%40ss@", "g:q@"]),
        # Short passwords are passwords: no value is judged by its length.
        ("postgres://u:xyz1@h", ["u:xyz1@"]),
        # No password, or one filled in later.
        ("postgres://app@db.internal/app", []),
        ("postgres://app:${DB_PASSWORD}@db/app", []),
        ("amqp://guest:$PASS@mq", []),
        ("postgres://u:%s@h", []),
        ("postgres://u:{password}@h", []),
        ("postgres://u:<password>@h", []),
        ("postgres://u:****@h", []),
        ("postgres://u:xxxx@h", []),
        ("ops@example.com and https://example.com:8443/a@b", []),
    ],
)
def test_passwords_in_connection_strings(text: str, found: list[str]) -> None:
    assert url_credentials(text) == found


def test_a_connection_strings_password_is_masked_with_its_user() -> None:
    assert connection_secrets("postgres://app:s3cret@db/app") == ["app:s3cret@", "s3cret"]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("/app/db/password", True),
        ("/prod/api/token/", True),
        ("DEPLOY_SECRET", True),
        ("/app/db/host", False),
        ("/app/db/password-secret-arn", False),
        ("/app/password/length", False),
        (PartialString((Unknown("env"), "/api/token")), True),
        (PartialString((Unknown("env"), "/db/host")), False),
        (PartialString(("/app/", Unknown("name"))), None),
        (Input("Name"), None),
        (Input("Name", "/app/db/password", has_default=True), True),
        (Reference("Other"), None),
    ],
)
def test_names_that_say_a_value_is_secret(name: object, secret: bool | None) -> None:
    assert names_a_secret(name) is secret


_TYPES = {"Key": "AWS::IAM::AccessKey", "aws_iam_access_key.ci": "aws_iam_access_key"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Reference("Key", "SecretAccessKey"), "Key.SecretAccessKey"),
        (Reference("aws_iam_access_key.ci", "secret"), "aws_iam_access_key.ci.secret"),
        (PartialString(("u:", Reference("Key", "SecretAccessKey"))), "Key.SecretAccessKey"),
        (Input("DbPassword", secret=True), "DbPassword (marked secret)"),
        (Input("AdminPassword", "pw-1", has_default=True), "AdminPassword (its default)"),
        # Not secrets: an access key's id, a parameter neither secret nor password-named,
        # a password-named one given at deployment and not marked secret.
        (Reference("Key"), None),
        (Reference("aws_iam_access_key.ci", "id"), None),
        (Reference("aws_iam_user_login_profile.u", "encrypted_password"), None),
        (Input("Env", "prod", has_default=True), None),
        (Input("AdminPassword"), None),
        ("literal", None),
    ],
)
def test_what_an_output_shows(value: object, shown: str | None) -> None:
    assert shown_secret(value, _TYPES.get) == shown


@pytest.mark.parametrize(
    ("name", "marked", "default", "secret"),
    [
        ("Anything", True, None, True),  # NoEcho / sensitive, whatever its name
        ("DbPassword", False, "pw-1", True),  # named as a secret, with a literal default
        ("api_token", False, "t", True),
        ("DbPassword", False, None, False),  # given at deployment, not marked: IAC031's
        ("DbPassword", False, "", False),
        ("Env", False, "prod", False),
        ("DbPasswordSecretArn", False, "arn:aws:secretsmanager:...", False),
    ],
)
def test_which_parameters_hold_secrets(
    name: str, marked: bool, default: object, secret: bool
) -> None:
    assert secret_input(name, marked, default) is secret


def test_inputs_not_marked_secret_are_shown() -> None:
    shown = OPERATORS["secret_input_shown"].function
    assert shown(entry(Input("DbPassword")), {}).truth is True
    assert shown(entry(Input("DbPassword", secret=True)), {}).truth is False
    assert shown(entry("literal"), {}).truth is False


def test_masking_keeps_the_setting_name_and_hides_the_value() -> None:
    line = "      MasterUserPassword: correct-horse  # note"
    span = Span("t.yaml", 1, 7, 1, 40)
    assert masked(line, span) == "      MasterUserPassword: ****  # note"
    hcl = '  password = "correct-horse"'
    assert masked(hcl, Span("main.tf", 1, 3, 1, 29)) == "  password = ****"
    # A value running over several lines is masked to the end of its first one.
    assert masked("  Value: |", Span("t.yaml", 1, 3, 4, 1)) == "  Value: ****"


SECRETS = [
    "correct-horse-battery-staple",
    "changeme-in-prod",
    "Sessi0nTokenValue!",
    "hunter2hunter2",
    "sk_live_not_a_real_key",
    "AKIAIOSFODNN7EXAMPLE",
    "AKIAI44QH8DHBEXAMPLE",
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "MIIEpAIBAAKCAQEA",
    "kept-in-a-tfvars-file",
    # Placeholders are not printed either: a guess at one may be a real password.
    "<<Enter the database password>>",
    "<db-password>",
    "change-me",
    "your-db-password-here",
    # Credentials of connections, endpoints, locations and brokers; write-only arguments.
    "live-key-1234",
    "header-secret-1234",
    "oauth-secret-1234",
    "basic-pass-1234",
    "glue-pass-1234",
    "dms-pass-1234",
    "smb-pass-1234",
    "objstore-secret-1234",
    "mq-pass-1234",
    "wo-pass-1234",
    "wo-secret-1234",
    # Passwords in connection strings.
    "pg-pw-9d2m",
    "cache-pw-7f3k",
    "amqp-pw-4h1s",
    "jdbc-pw-2k8q",
    "git-token-6v0z",
    "mongo-pw-8r5t",
    # Values of String SSM parameters holding secrets.
    "ssm-pg-pw-3c7n",
    "ssm-plan-pw-5j2w",
    # Credentials in provider blocks.
    "pr0v-default-secret-4k2m",
    "pr0v-literal-secret-7q1z",
    "pr0v-tfvars-token-3n8c",
    "pr0v-module-secret-6w5e",
    "pr0v-literal-token-2b6v",
    # A password-named variable's default shown by an output.
    "out-admin-default-pw-5t",
    # Secret parameters and variables written into user data, tags, environments.
    "exp-token-default-1",
    "exp-plan-db-pw-8u",
    # The CDK fixture app's password in a connection string.
    "cdk-amqp-pw-2k",
]


@pytest.mark.parametrize("format_name", ["text", "json", "sarif", "github", "rdjson"])
def test_no_report_prints_a_detected_secret(format_name: str) -> None:
    folders = [
        str(FIXTURES / "policies" / name)
        for name in ("IAC030", "IAC031", "IAC032", "IAC033", "IAC034", "IAC035", "IAC036", "IAC037")
    ]
    folders.append(str(FIXTURES / "cdk" / "cdk.out"))
    done = subprocess.run(
        [sys.executable, "-m", "iaclint", "--no-cache", "--format", format_name, *folders],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "IAC030" in done.stdout and "IAC032" in done.stdout
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr, secret
