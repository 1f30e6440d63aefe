"""Finding and loading policy files: the bundled ones and the user's folders.

Every YAML file of the bundled folder is a policy. A user's folder may keep other
YAML beside its policies (templates to try them on, a CI workflow): there, a file
is a policy when it looks like one (`looks_like_policy`), and only then is a
mistake in it an error.

Compiling a policy (reading its YAML, parsing its selectors, checking it) costs a
few milliseconds; a run loads every policy, so compiled policies are kept in the
user's cache, keyed by the file's bytes, the name it is shown under, and
iaclint's own code (its version and every module's size and time).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import re
from pathlib import Path

from iaclint import POLICY_DOCS
from iaclint.cache import cache_directory, code_fingerprint, read_entry, write_entry
from iaclint.diagnostics import Diagnostic
from iaclint.engine.policy import POLICY_ID, Policy, PolicyError, compile_policy
from iaclint.parse.document import ParseError
from iaclint.parse.text import decode, read_regular


def builtin_policy_dir() -> Path:
    """The bundled policies: installed beside the package, or at the top of a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "policies"
    if installed.is_dir():
        return installed
    checkout = package.parent / "policies"
    if checkout.is_dir() and (package.parent / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        f"the bundled policies are missing (looked in {installed} and {checkout})"
    )


def policy_files(folder: Path) -> list[Path]:
    """Policy files in a folder and its subfolders, in a stable order."""
    return sorted(
        (path for path in folder.rglob("*") if path.suffix in (".yaml", ".yml") and path.is_file()),
        key=lambda path: path.relative_to(folder).as_posix(),
    )


def load_policies(
    folders: list[Path], display_root: Path | None = None, use_cache: bool = True
) -> tuple[list[Policy], list[Diagnostic]]:
    """Every policy in the folders; a broken file is an error and is left out."""
    policies: list[Policy] = []
    diagnostics: list[Diagnostic] = []
    seen: dict[str, str] = {}
    bundled = _bundled_folder()
    # Resolved once: resolving each of the files took a tenth of a small run.
    root = display_root.resolve() if display_root is not None else None
    for folder in folders:
        if not folder.is_dir():
            diagnostics.append(Diagnostic.error(str(folder), "policy folder does not exist"))
            continue
        real_folder = folder.resolve()
        documented = real_folder == bundled
        for path in policy_files(folder):
            shown = _shown(path, real_folder / path.relative_to(folder), root)
            policy = load_policy(path, shown, diagnostics, use_cache, bundled=documented)
            if policy is None:
                continue
            if documented:  # only the bundled policies have a generated page
                help_uri = f"{POLICY_DOCS}{policy.id}.md"
                policy = policy._replace(info=policy.info._replace(help_uri=help_uri))
            if policy.id in seen:
                diagnostics.append(
                    Diagnostic.error(
                        shown, f"policy id {policy.id} is already used by {seen[policy.id]}", 1, 1
                    )
                )
                continue
            seen[policy.id] = shown
            policies.append(policy)
    return policies, diagnostics


def load_policy(
    path: Path,
    shown: str,
    diagnostics: list[Diagnostic],
    use_cache: bool = True,
    bundled: bool = False,
) -> Policy | None:
    """The policy in a file; None (with an error in `diagnostics` when the file is a
    broken policy) when there is none. Outside the bundled folder (`bundled`), a file
    that does not look like a policy is none, without an error."""
    try:
        raw = read_regular(path)
    except OSError as exc:
        diagnostics.append(Diagnostic.error(shown, f"cannot read policy file: {exc.strerror}"))
        return None
    entry = _cache_entry(raw, shown, bundled) if use_cache else None
    if entry is not None:
        cached = _cached_policy(entry)
        if cached is not None:
            return cached
    policy = _compile_file(raw, shown, diagnostics, bundled)
    if policy is not None:
        policy = policy._replace(source_digest=hashlib.sha256(raw).hexdigest())
    if policy is not None and entry is not None:
        # A policy using an operator that cannot be stored is compiled every run.
        with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
            write_entry(entry, pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL))
    return policy


def _compile_file(
    raw: bytes, shown: str, diagnostics: list[Diagnostic], bundled: bool
) -> Policy | None:
    # The YAML reader (and PyYAML) is imported only when a policy is compiled, not
    # when every policy comes from the cache, as on most runs.
    from iaclint.parse.yaml_reader import read_yaml

    try:
        text = decode(raw)
        document = read_yaml(text, shown)
    except ParseError as exc:
        if bundled or _POLICY_LINE.search(raw):
            diagnostics.append(
                Diagnostic.error(shown, f"bad policy file: {exc.message}", exc.line, exc.column)
            )
        return None
    if not bundled and not looks_like_policy(document.data):
        return None
    problems = list(document.diagnostics)
    if problems:
        diagnostics.extend(problems)
        return None
    try:
        return compile_policy(document.data, document.spans, shown, bundled)
    except PolicyError as exc:
        line = exc.span.line if exc.span else None
        column = exc.span.column if exc.span else None
        field = f" (field {exc.field})" if exc.path else ""
        diagnostics.append(
            Diagnostic.error(shown, f"bad policy: {exc.message}{field}", line, column)
        )
        return None


# A top-level `check:` or `id:` line: a file YAML cannot read that was meant as a policy.
_POLICY_LINE = re.compile(rb"^(check|id)[ \t]*:", re.MULTILINE)


def looks_like_policy(data: object) -> bool:
    """Whether a user's YAML file is meant as a policy: a mapping with a `check`, or
    with an `id` that is a policy id (`ORG100`) or comes with a `title`, `severity` or
    `category`. Templates, workflows and manifests have none of these at their top."""
    if not isinstance(data, dict) or not ("check" in data or "id" in data):
        return False
    policy_id = data.get("id")
    return (
        "check" in data
        or (isinstance(policy_id, str) and POLICY_ID.match(policy_id) is not None)
        or bool({"title", "severity", "category"} & set(data))
    )


def _cache_entry(raw: bytes, shown: str, bundled: bool) -> Path:
    digest = hashlib.sha256()
    parts = (code_fingerprint().encode(), shown.encode("utf-8", "surrogatepass"), raw)
    for part in (*parts, b"bundled" if bundled else b"user"):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return cache_directory() / "policies" / f"{digest.hexdigest()[:32]}.pickle"


def _cached_policy(entry: Path) -> Policy | None:
    """A compiled policy from the cache; anything damaged or unexpected is ignored."""
    data = read_entry(entry)
    if data is None:
        return None
    try:
        policy = pickle.loads(data)
    except Exception:
        return None
    return policy if isinstance(policy, Policy) else None


def _bundled_folder() -> Path | None:
    try:
        return builtin_policy_dir().resolve()
    except FileNotFoundError:
        return None


def _shown(path: Path, real: Path, root: Path | None) -> str:
    """`path` relative to the resolved `root` when it is inside it (`real`: the path
    in its resolved folder), else as it was given."""
    if root is not None:
        try:
            return real.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)
