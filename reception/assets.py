"""Where the product's files live: in a checkout, or inside an installed wheel.

In a checkout `templates/`, `static/`, `migrations/` sit at the repository's root and the
browser libraries under `node_modules/` (from `npm ci`). A wheel carries copies of them inside
the package (see `setup.py`), so an installed hall runs from any directory.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent

# browser files the pages load, as paths under node_modules (only these go into a wheel)
VENDOR_FILES = (
    "socket.io-client/dist/socket.io.min.js",
    "socket.io-client/dist/socket.io.min.js.map",
    "echarts/dist/echarts.min.js",
    "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui-standalone-preset.js",
)
SHIPPED_FOLDERS = ("templates", "static", "migrations")


def folder(name: str) -> Path:
    """`templates`, `static` or `migrations`: the wheel's copy, else the checkout's."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else CHECKOUT / name


def vendor_root() -> Path:
    inside = PACKAGE / "vendor"
    return inside if inside.is_dir() else CHECKOUT / "node_modules"


def default_instance() -> Path:
    """The instance folder (SQLite file, uploads): the checkout's, or the working directory's."""
    if (CHECKOUT / "pyproject.toml").is_file() and not (PACKAGE / "templates").is_dir():
        return CHECKOUT / "instance"
    return Path.cwd() / "instance"
