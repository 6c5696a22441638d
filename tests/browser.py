"""Helpers for browser tests: a real server process and headless Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REQUIRE_SERVICES = os.environ.get("RECEPTION_REQUIRE_SERVICES") == "1"

CHROMIUM = os.environ.get("RECEPTION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`reception run` in its own process on a fresh instance folder."""

    def __init__(
        self,
        instance: Path,
        port: int | None = None,
        env: dict | None = None,
        args: tuple[str, ...] = (),
    ):
        self.instance = instance
        self.args = args
        self.port = port or free_port()
        self.env = {**os.environ, "RECEPTION_INSTANCE_PATH": str(instance), **(env or {})}
        if not env or "RECEPTION_DATABASE_URL" not in env:
            self.env.pop("RECEPTION_DATABASE_URL", None)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        with open(self.instance / "server.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "reception", "run", "--port", str(self.port), *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.instance / "server.log").read_text())
            try:
                urllib.request.urlopen(self.url + "/kiosk/", timeout=1).read()
                return self
            except urllib.error.HTTPError:
                return self  # it answers (a hall not yet set up answers 503)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("server did not start:\n" + (self.instance / "server.log").read_text())

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def launch_chromium(playwright, *extra_args: str):
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    return playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def staff_page(browser, base_url: str, username: str, **context_options):
    """A new browser context logged in as a demo staff member: (context, page)."""
    options = {"viewport": {"width": 1366, "height": 768}, **context_options}
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo1234")
    page.get_by_role("button", name="登录").click()
    return context, page
