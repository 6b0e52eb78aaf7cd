"""The layout the README describes: the shell depends on no domain, files stay small, every package says
what it is."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from config import DOMAINS

ROOT = Path(__file__).resolve().parents[3]
SKIPPED = {"tests", "migrations", ".venv", "node_modules", "instance", ".git"}
MAX_LINES = 500


def _packages() -> list[Path]:
    return sorted(p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name not in SKIPPED)


def _domain_packages() -> set[str]:
    """Top-level packages that join the shell through ``init_app`` (whether configured or not)."""
    found = set()
    for package in _packages():
        tree = ast.parse((package / "__init__.py").read_text())
        if any(isinstance(node, ast.FunctionDef) and node.name == "init_app" for node in tree.body):
            found.add(package.name)
    return found


def _imported_top_levels(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_configured_domain_is_a_package_with_init_app() -> None:
    assert set(DOMAINS) <= _domain_packages()
    assert "portal" not in _domain_packages()


def test_the_shell_imports_no_domain_package() -> None:
    domains = _domain_packages()
    offenders = {
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(hit))}"
        for path in (ROOT / "portal").rglob("*.py")
        if (hit := _imported_top_levels(path) & domains)
    }
    assert not offenders, sorted(offenders)


def test_config_imports_no_domain_package() -> None:
    domains = _domain_packages()
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "config").rglob("*.py") if _imported_top_levels(p) & domains]
    assert not offenders


def _source_files() -> list[Path]:
    return sorted(
        p for p in ROOT.rglob("*.py") if not (set(p.relative_to(ROOT).parts[:-1]) & SKIPPED) and p.parts[-2] != "versions"
    )


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_source_file_is_over_500_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by what a reader looks for"


@pytest.mark.parametrize("package", _packages(), ids=lambda p: p.name)
def test_each_package_says_what_it_is(package: Path) -> None:
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
    assert docstring and len(docstring) > 40, f"{package.name}/__init__.py needs a docstring saying what the domain is"
