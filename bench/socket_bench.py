"""Fan-out latency of a desk's call to N live screens, ours against a bare Flask-SocketIO app.

    python bench/socket_bench.py [--clients 100 500 1000] [--rounds 20] [--runs 3]

N asyncio Socket.IO clients connect over websocket: half are lobby displays in the `hall`
room, half are phones in `ticket:` rooms (which also follow their service's room). A desk
calls through the HTTP API; we time from sending that request to the moment the last client
has received the call event (median, p99 over the rounds). Another N clients listen to a bare
Flask-SocketIO app that broadcasts a payload of the same size on an HTTP request; both servers
are up together and measured in alternating rounds, so a drift in the machine's speed falls on
both alike. Prints the ratio ours/bare per N in each of `--runs` consecutive runs. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.api_bench import api_token, percentile, wait_up  # noqa: E402
from tests.browser import free_port  # noqa: E402


class Fleet:
    """N clients; records when each one receives the event with a given version."""

    def __init__(self) -> None:
        self.clients: list[socketio.AsyncClient] = []
        self.arrivals: dict[int, list[float]] = {}
        self.waiters: dict[int, asyncio.Event] = {}
        self.expected = 0
        self.payload_bytes = 0
        self.dropped = 0  # clients the server let go during the measurement (reported)
        self.closing = False

    def _on_event(self, event: dict) -> None:
        if event.get("action") not in ("call", "cancel"):
            return
        if event["action"] == "call" and not self.payload_bytes:
            # measured once (the warm-up round): timing this in every client's every event
            # would charge the bench's own work to the server whose payload is more nested
            self.payload_bytes = len(json.dumps(event, ensure_ascii=False).encode())
        # ours: keyed by action and ticket id; the bare app: by its version
        key = (event["action"], event["ticket"]["id"]) if "ticket" in event else event["version"]
        times = self.arrivals.setdefault(key, [])
        times.append(time.perf_counter())
        if len(times) >= self.expected and key in self.waiters:
            self.waiters[key].set()

    def _wake(self) -> None:
        """Let through every wait that the clients still connected have all answered."""
        for key, waiter in self.waiters.items():
            if len(self.arrivals.get(key, [])) >= self.expected:
                waiter.set()

    def _on_drop(self, *reason: object) -> None:
        """A client lost mid-run (a missed ping on a loaded machine): counted and reported, and
        no longer waited for, rather than the whole run timing out on it."""
        if self.closing:
            return
        self.dropped += 1
        self.expected -= 1
        self._wake()

    async def connect(self, url: str, rooms: list[str], auth: dict | None) -> None:
        async def one(room: str) -> None:
            client = socketio.AsyncClient(reconnection=False)
            client.on("queue", self._on_event)
            client.on("disconnect", self._on_drop)
            await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=30)
            reply = await client.call("join", {"room": room}, timeout=30)
            assert reply and reply.get("ok"), reply
            self.clients.append(client)

        for start in range(0, len(rooms), 50):  # connect in waves, not all at once
            await asyncio.gather(*(one(room) for room in rooms[start : start + 50]))
        self.expected = len(self.clients) - self.dropped

    async def wait_version(self, key, timeout: float = 30) -> list[float]:
        event = self.waiters.setdefault(key, asyncio.Event())
        if len(self.arrivals.get(key, [])) >= self.expected:
            event.set()
        await asyncio.wait_for(event.wait(), timeout)
        return self.arrivals[key]

    async def close(self) -> None:
        self.closing = True
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


def start_hall(workdir: Path) -> tuple[subprocess.Popen, str, str, str]:
    env = {**os.environ, "RECEPTION_INSTANCE_PATH": str(workdir), "RECEPTION_LOG_LEVEL": "WARNING"}
    env.pop("RECEPTION_DATABASE_URL", None)
    python = [sys.executable, "-m", "reception"]
    port = free_port()
    log = workdir / "server.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [*python, "run", "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    wait_up(base + "/kiosk/", process, log)
    token = api_token(python, env, "benchdesk")
    enrolled = subprocess.run(
        [*python, "enroll-display", "bench-lobby"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return process, base, token, enrolled.stdout.strip().rsplit("/", 1)[1]


async def ours_round(http: aiohttp.ClientSession, base: str, fleet: Fleet) -> float:
    """One desk call, from sending the request to the last screen's event; then the desk is
    freed and that event let through to everyone before the next round."""
    started = time.perf_counter()
    reply = await http.post(f"{base}/api/v1/desks/1/call-next")
    called = (await reply.json())["ticket"]
    arrivals = await fleet.wait_version(("call", called["id"]))
    latency = max(arrivals) - started
    freed = await http.post(f"{base}/api/v1/tickets/{called['id']}/cancel", json={"desk_id": 1})
    if freed.status >= 400:
        raise RuntimeError(f"cancel refused: {await freed.text()}")
    await fleet.wait_version(("cancel", called["id"]))
    return latency


async def bare_round(http: aiohttp.ClientSession, base: str, fleet: Fleet) -> float:
    started = time.perf_counter()
    version = (await (await http.post(base + "/emit")).json())["version"]
    arrivals = await fleet.wait_version(version)
    return max(arrivals) - started


def start_bare(size: int, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = workdir / "bare.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bare_socketio_app.py"), str(port), str(size)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_up(base + "/socket.io/?EIO=4&transport=polling", process, log)
    return process, base


async def measure(n: int, rounds: int) -> tuple[list[float], list[float], tuple[int, int]]:
    """Ours and the bare app with N screens each, both up at once, in alternating rounds (a
    call of ours, a bare broadcast, …): a drift in the machine's speed falls on both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        process, base, token, device = start_hall(workdir)
        headers = {"Authorization": f"Bearer {token}"}
        fleet, bare_fleet = Fleet(), Fleet()
        bare = None
        try:
            async with (
                aiohttp.ClientSession(headers=headers) as http,
                aiohttp.ClientSession() as bare_http,
            ):
                service = (await (await http.get(base + "/api/v1/services")).json())["services"][0]
                tickets = []
                for _ in range(n // 2 + rounds + 1):
                    reply = await http.post(
                        base + "/api/v1/tickets", json={"service_id": service["id"]}
                    )
                    tickets.append((await reply.json())["ticket"])
                await fleet.connect(base, ["hall:1"] * (n - n // 2), {"device": device})
                await fleet.connect(base, [f"ticket:{t['token']}" for t in tickets[: n // 2]], None)
                fleet.expected = len(fleet.clients) - fleet.dropped
                await ours_round(http, base, fleet)  # warm-up; gives the payload's size
                bare, bare_base = start_bare(fleet.payload_bytes, workdir)
                await bare_fleet.connect(bare_base, ["hall"] * n, None)
                await bare_round(bare_http, bare_base, bare_fleet)  # warm-up
                ours, floor = [], []
                for _ in range(rounds):
                    ours.append(await ours_round(http, base, fleet))
                    floor.append(await bare_round(bare_http, bare_base, bare_fleet))
        finally:
            await fleet.close()
            await bare_fleet.close()
            for server in (process, bare):
                if server is not None:
                    server.terminate()
                    server.wait(timeout=10)
    return ours, floor, (fleet.dropped, bare_fleet.dropped)


def summary(latencies: list[float]) -> str:
    return (
        f"median={statistics.median(latencies) * 1000:8.1f}ms "
        f"p99={percentile(latencies, 0.99) * 1000:8.1f}ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="consecutive runs of every N")
    args = parser.parse_args()
    ratios: dict[int, list[float]] = {n: [] for n in args.clients}
    for run in range(1, args.runs + 1):
        for n in args.clients:
            ours, bare, dropped = await measure(n, args.rounds)
            ratio = statistics.median(ours) / statistics.median(bare)
            ratios[n].append(ratio)
            print(
                f"run {run} N={n:<5} ours {summary(ours)} | bare {summary(bare)} | "
                f"ratio ours/bare (median) = {ratio:.2f}"
                + (
                    f"  (screens dropped mid-run, not waited for: ours {dropped[0]}, "
                    f"bare {dropped[1]})"
                    if any(dropped)
                    else ""
                ),
                flush=True,
            )
    print("\nratio ours/bare per run (target: ≤ 1.3 in every run)")
    for n, values in ratios.items():
        verdict = "holds" if all(r <= 1.3 for r in values) else "short"
        print(f"N={n:<5} " + " ".join(f"{r:.2f}" for r in values) + f"  {verdict}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
