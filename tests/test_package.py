"""`pip install` of the wheel (not editable) gives a hall that runs from an empty directory:
templates, static files, the npm browser libraries, migrations and the demo hall ship inside."""

from __future__ import annotations

import os
import shutil
import site
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest
import requests

from tests.helpers import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_wheel_runs_a_hall_from_an_empty_directory(tmp_path):
    if not (ROOT / "node_modules" / "socket.io-client").is_dir():
        if REQUIRE_SERVICES:
            pytest.fail("node_modules is missing: run `npm ci` first")
        pytest.skip("node_modules is missing: run `npm ci` first")
    dist = tmp_path / "dist"
    try:
        subprocess.run(
            [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(ROOT / "build", ignore_errors=True)
    wheel = next(dist.glob("reception-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    target = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # The dependencies come from this test run's environment (no download); the package itself
    # only from the wheel, unpacked into the fresh environment.
    (target / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECEPTION_", "PYTHON"))}
    server = subprocess.Popen(
        [python, "-m", "reception", "run", "--port", str(port)],
        cwd=empty,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                kiosk = requests.get(f"{base}/kiosk/", timeout=2)
                break
            except requests.ConnectionError:
                if server.poll() is not None:
                    pytest.fail(server.stdout.read() if server.stdout else "server exited")
                time.sleep(0.5)
        else:
            pytest.fail("the installed hall did not start")
        where = subprocess.check_output(
            [python, "-c", "import reception; print(reception.__file__)"], cwd=empty, text=True
        )
        assert str(target) in where, where  # the wheel's copy, not the checkout
        assert kiosk.status_code == 200 and "市住建局" in kiosk.text
        script = requests.get(f"{base}/vendor/socket.io.min.js", timeout=5)
        assert script.status_code == 200 and len(script.content) > 10_000
        assert requests.get(f"{base}/static/css/app.css", timeout=5).status_code == 200
        assert requests.get(f"{base}/api/v1/docs", timeout=5).status_code == 200
        assert requests.get(f"{base}/vendor/swagger-ui/swagger-ui-bundle.js", timeout=5).ok
        assert (empty / "instance" / "reception.sqlite3").is_file()
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()
