"""A running hall for live tests: server process, API token, enrolled display, socket clients."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests
import socketio

from tests.browser import ServerProcess


def cli(instance: Path, *args: str, env: dict | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "reception", *args],
        env={**os.environ, "RECEPTION_INSTANCE_PATH": str(instance), **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


class Hall:
    """One server process plus the credentials the tests need."""

    def __init__(self, instance: Path, env: dict | None = None, port: int | None = None):
        self.instance = instance
        self.env = env or {}
        self.server = ServerProcess(instance, port=port, env=self.env).start()
        out = cli(
            instance,
            "create-user",
            "apidesk",
            "--role",
            "desk",
            "--password",
            "desk-password",
            "--api-token",
            "--desks",
            "all",
            env=self.env,
        )
        self.api_token = out.strip().rsplit(" ", 1)[1]
        out = cli(instance, "enroll-display", "lobby", "--base-url", self.url, env=self.env)
        self.display_url = out.strip().splitlines()[-1].strip()
        self.display_token = self.display_url.rsplit("/", 1)[1]

    @property
    def url(self) -> str:
        return self.server.url

    def api(self, method: str, path: str, json=None) -> dict:
        response = requests.request(
            method,
            f"{self.url}/api/v1{path}",
            json=json,
            timeout=10,
            headers={"Authorization": f"Bearer {self.api_token}"},
        )
        assert response.status_code < 300, response.text
        return response.json()

    def service_id(self, prefix: str) -> int:
        services = requests.get(f"{self.url}/api/v1/services", timeout=10).json()["services"]
        return next(s["id"] for s in services if s["prefix"] == prefix)

    def issue(self, prefix: str) -> dict:
        return self.api("POST", "/tickets", {"service_id": self.service_id(prefix)})["ticket"]

    def stop(self) -> None:
        self.server.stop()


class Listener:
    """A real python-socketio client that records every `queue` event."""

    def __init__(self, url: str, auth: dict | None = None):
        self.events: list[dict] = []
        self.client = socketio.Client(reconnection=False)
        self.client.on("queue", self.events.append)
        self.client.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)

    def join(self, room: str) -> dict:
        return self.client.call("join", {"room": room}, timeout=10)

    def wait_for(self, predicate, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    return event
            time.sleep(0.02)
        raise AssertionError(f"no matching event in {self.events}")

    def close(self) -> None:
        self.client.disconnect()
