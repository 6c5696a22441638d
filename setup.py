"""Build hook: a wheel carries the templates, static files, migrations and npm browser assets.

The repository keeps `templates/`, `static/` and `migrations/` at its root (the product's
agreed layout); building copies them, and the browser libraries `npm ci` installed, into the
package so an installed hall runs from any directory. Editable installs use the checkout.
"""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "reception"))
from assets import SHIPPED_FOLDERS, VENDOR_FILES  # noqa: E402  (the list lives in one place)


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        package = Path(self.build_lib) / "reception"
        for name in SHIPPED_FOLDERS:
            shutil.rmtree(package / name, ignore_errors=True)  # no stale file from a past build
            shutil.copytree(
                ROOT / name,
                package / name,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        for relative in VENDOR_FILES:
            source = ROOT / "node_modules" / relative
            if not source.exists():
                raise SystemExit(f"{source} is missing: run `npm ci` before building a wheel")
            target = package / "vendor" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildWithAssets})
