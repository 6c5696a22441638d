"""The browser modules' own logic, run by Node's test runner (tests/js/*.test.mjs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parent.parent


def test_live_client_version_logic():
    node = shutil.which("node")
    if node is None:
        if REQUIRE_SERVICES:
            pytest.fail("node is not installed")
        pytest.skip("node is not installed")
    result = subprocess.run(
        [node, "--test", "tests/js/"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 6" in result.stdout and "# fail 0" in result.stdout
