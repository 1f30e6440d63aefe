"""Finding and loading policy files: the bundled ones and the user's folders."""

from __future__ import annotations

from pathlib import Path

from iaclint.diagnostics import Diagnostic
from iaclint.engine.policy import Policy, PolicyError, compile_policy
from iaclint.parse.document import ParseError
from iaclint.parse.text import decode
from iaclint.parse.yaml_reader import read_yaml


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
    folders: list[Path], display_root: Path | None = None
) -> tuple[list[Policy], list[Diagnostic]]:
    """Every policy in the folders; a broken file is an error and is left out."""
    policies: list[Policy] = []
    diagnostics: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for folder in folders:
        if not folder.is_dir():
            diagnostics.append(Diagnostic.error(str(folder), "policy folder does not exist"))
            continue
        for path in policy_files(folder):
            shown = _shown(path, display_root)
            policy = load_policy(path, shown, diagnostics)
            if policy is None:
                continue
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


def load_policy(path: Path, shown: str, diagnostics: list[Diagnostic]) -> Policy | None:
    try:
        text = decode(path.read_bytes())
        document = read_yaml(text, shown)
    except OSError as exc:
        diagnostics.append(Diagnostic.error(shown, f"cannot read policy file: {exc.strerror}"))
        return None
    except ParseError as exc:
        diagnostics.append(
            Diagnostic.error(shown, f"bad policy file: {exc.message}", exc.line, exc.column)
        )
        return None
    problems = list(document.diagnostics)
    if problems:
        diagnostics.extend(problems)
        return None
    try:
        return compile_policy(document.data, document.spans, shown)
    except PolicyError as exc:
        line = exc.span.line if exc.span else None
        column = exc.span.column if exc.span else None
        field = f" (field {exc.field})" if exc.path else ""
        diagnostics.append(
            Diagnostic.error(shown, f"bad policy: {exc.message}{field}", line, column)
        )
        return None


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)
