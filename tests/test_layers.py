"""The house's layering (README, "Development"): import-linter's contracts hold, and below the
web nothing reads the request's globals; values come in as arguments, keys and settings are
installed at start-up."""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter.cli import lint_imports

PACKAGE = Path(__file__).resolve().parent.parent / "reception"
# the request's globals, by the module they are imported from
REQUEST_GLOBALS = {
    "flask": {"request", "g", "current_app", "session"},
    "flask.globals": {"request", "g", "current_app", "session", "request_ctx", "app_ctx"},
    "flask_login": {"current_user"},
    "flask_login.utils": {"current_user"},
}
# the web, and the two modules that assemble the app (the factory, the command line)
ABOVE_THE_DOMAINS = ("web/", "__init__.py", "cli.py", "__main__.py")


def test_the_import_contracts_hold():
    assert lint_imports(config_filename=str(PACKAGE.parent / "pyproject.toml")) == 0


def _reads_of_request_globals(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in REQUEST_GLOBALS:
            names = {alias.name for alias in node.names} & REQUEST_GLOBALS[node.module]
            found += [f"from {node.module} import {name}" for name in sorted(names)]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr in REQUEST_GLOBALS.get(node.value.id, ())
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_nothing_below_the_web_reads_the_request():
    wrong = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(ABOVE_THE_DOMAINS):
            continue
        reads = _reads_of_request_globals(path.read_text())
        if reads:
            wrong[relative] = reads
    assert wrong == {}


def test_the_check_sees_a_read_of_the_request():
    """The scan above finds each way of reaching a request global (it would pass on nothing)."""
    assert _reads_of_request_globals("from flask import Flask, current_app, g") == [
        "from flask import current_app",
        "from flask import g",
    ]
    assert _reads_of_request_globals("import flask\nflask.request.args") == ["flask.request"]
    assert _reads_of_request_globals("from flask_login import current_user") == [
        "from flask_login import current_user"
    ]
