"""A whole busy Monday, played fast: 15 desks, visitors arriving on the day's curve, live screens.

    python bench/day.py [--db sqlite|postgres|both] [--visitors 1500] [--speed 10]
                        [--screens 20] [--phones 300]

The hall has five services of three desks each. Visitors arrive between 08:30 and 17:00 on a
mixture of two peaks (09:00 and 14:30); most take a ticket through the API, a fifth are registered
at one of two registrar counters (the web form, logged in, with its CSRF token: a visitor record
with an encrypted ID number, a case, and a route of one or two desks, the journey). Each desk
calls the next visitor, serves for a few minutes (scaled by --speed) and finishes (a journey's
next desk then calls the visitor in turn); some visitors miss their call (no-show, and a third
of those come back and return to the line), some are sent on to another service (a transfer),
some give up and are cancelled.
`--screens` lobby displays and `--phones` visitors' phones (the first tickets of the day) are
connected over websocket the whole day.

SQLite runs one server process; PostgreSQL runs two processes sharing events through Redis, the
desks and screens split between them. Printed: p50/p95/p99 of every operation, call → screen
latency (the request's start to the last lobby screen's receipt), and each server's resident
memory at the start, after warm-up (a tenth of the day) and at the end. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.api_bench import PG_ADMIN, api_token, bench_env, percentile, serve  # noqa: E402

SERVICES = [
    ("A", "市住建局"),
    ("B", "市人社局"),
    ("C", "市自然资源局"),
    ("D", "律师"),
    ("E", "人民调解"),
]
DESKS_PER_SERVICE = 3
DAY_START, DAY_END = 8.5, 17.0  # hours
SERVICE_MINUTES = (4, 12)
NO_SHOW, COME_BACK, TRANSFER, GIVE_UP = 0.05, 0.33, 0.10, 0.02
REGISTERED, JOURNEY, REGISTRARS, REGISTER_MINUTES = 0.2, 0.5, 2, (2, 5)
CATEGORIES = ("住房", "劳动保障", "征地拆迁", "城市管理", "民政", "其他")
SURNAMES, GIVEN = "王李张刘陈杨黄赵吴周", "伟芳娜敏静强磊军洋勇"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
ID_WEIGHTS, ID_CHECKS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), "10X98765432"


def id_number(rng: random.Random) -> str:
    """A well-formed mainland ID number (a made-up person: Shenzhen, born 1950–1999)."""
    first = f"440301{rng.randint(1950, 1999)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first += f"{rng.randint(0, 999):03d}"
    return first + ID_CHECKS[sum(int(d) * w for d, w in zip(first, ID_WEIGHTS, strict=True)) % 11]


async def csrf_token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as page:
        found = CSRF.search(await page.text())
    if not found:
        raise RuntimeError(f"no CSRF token on {url}")
    return found.group(1)


async def registrar_session(base: str, username: str) -> aiohttp.ClientSession:
    """A registrar signed in through the login form (cookies, CSRF), as at the counter."""
    http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    token = await csrf_token(http, base + "/login")
    form = {"username": username, "password": REGISTRAR_PASSWORD, "csrf_token": token}
    async with http.post(base + "/login", data=form, allow_redirects=False) as reply:
        if reply.status != 302:
            raise RuntimeError(f"registrar login refused: {reply.status}")
    return http


REGISTRAR_PASSWORD = "day-registrar-password"


def day_hall() -> dict:
    desks = []
    for index, (prefix, _name) in enumerate(SERVICES):
        for k in range(DESKS_PER_SERVICE):
            desks.append({"number": index * DESKS_PER_SERVICE + k + 1, "services": [prefix]})
    return {
        "name": "基准测试大厅（一天）",
        "timezone": "Asia/Shanghai",
        "services": [{"prefix": p, "kind": "department", "name": n} for p, n in SERVICES],
        "desks": desks,
    }


def arrivals(visitors: int, rng: random.Random) -> list[float]:
    """Arrival times in hours: two peaks (09:00 and 14:30) over a low steady stream."""
    times = []
    while len(times) < visitors:
        pick = rng.random()
        if pick < 0.45:
            t = rng.gauss(9.0, 0.6)
        elif pick < 0.85:
            t = rng.gauss(14.5, 0.7)
        else:
            t = rng.uniform(DAY_START, DAY_END)
        if DAY_START <= t <= DAY_END - 0.25:
            times.append(t)
    return sorted(times)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Recorder:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    async def post(self, http: aiohttp.ClientSession, name: str, url: str, body=None):
        started = time.perf_counter()
        async with http.post(url, json=body) as reply:
            data = await reply.json(content_type=None)
            self.times[name].append(time.perf_counter() - started)
            if reply.status >= 400:
                self.errors[name] += 1
                return None
            return data


class Screens:
    """Lobby displays and phones; records when each display receives each call."""

    def __init__(self) -> None:
        self.clients: list[socketio.AsyncClient] = []
        self.displays: dict[int, int] = defaultdict(int)  # hall id -> its lobby displays
        self.calls: dict[int, list[float]] = defaultdict(list)

    async def connect(
        self, root: str, room: str, auth: dict | None, display_of: int | None = None
    ) -> None:
        """A socket at the hall's address `root` (its `/h/<code>` too), joined to `room`;
        `display_of`: a lobby display of that hall, timing the calls it receives."""
        client = socketio.AsyncClient(reconnection=True)
        if display_of is not None:

            def on_queue(event: dict) -> None:
                if event.get("action") == "call":
                    self.calls[event["ticket"]["id"]].append(time.perf_counter())

            client.on("queue", on_queue)
            self.displays[display_of] += 1
        base, _, prefix = root.partition("/h/")
        path = f"/h/{prefix}/socket.io" if prefix else "socket.io"
        await client.connect(
            base, auth=auth, transports=["websocket"], wait_timeout=30, socketio_path=path
        )
        reply = await client.call("join", {"room": room}, timeout=30)
        assert reply and reply.get("ok"), reply
        self.clients.append(client)

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)


@dataclass
class HallPlan:
    """One hall's day: its address on each server process, its desks and their lines, how
    many visitors come, how many registrar counters and screens it has."""

    roots: list[str]  # the hall's address on each server ("http://…:port" or "…/h/<code>")
    hall_id: int
    desks: dict[int, str]  # desk id -> the prefix of the line it serves
    visitors: int
    device: str  # an enrolled display's token
    screens: int = 1
    phones: int = 0
    registrars: list[str] = field(default_factory=list)  # usernames, signed in at counters


async def play_hall(
    plan: HallPlan,
    http: aiohttp.ClientSession,
    rec: Recorder,
    screens: Screens,
    rng: random.Random,
    speed: float,
    clock,
) -> None:
    """The hall's visitors arriving on the day's curve (a share registered at a counter, the
    rest through the API), its desks calling, serving, passing on, its screens watching."""
    async with http.get(plan.roots[0] + "/api/v1/services") as reply:
        services = {s["prefix"]: s["id"] for s in (await reply.json())["services"]}
    service_ids = list(services.values())
    for n in range(plan.screens):
        root = plan.roots[n % len(plan.roots)]
        await screens.connect(root, f"hall:{plan.hall_id}", {"device": plan.device}, plan.hall_id)
    counters: asyncio.Queue = asyncio.Queue()
    for n, username in enumerate(plan.registrars):
        root = plan.roots[n % len(plan.roots)]
        counters.put_nowait((root, await registrar_session(root, username)))

    async def register() -> str | None:
        """At a registrar's counter: the form filled and sent; the ticket's token back."""
        root, web = await counters.get()
        try:
            await asyncio.sleep(rng.uniform(*REGISTER_MINUTES) * 60 / speed)
            route = rng.sample(service_ids, 2 if rng.random() < JOURNEY else 1)
            form = [
                ("csrf_token", await csrf_token(web, root + "/registration/")),
                ("name", rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)),
                ("id_number", id_number(rng)),
                ("phone", f"138{rng.randint(0, 99999999):08d}"),
                ("address", "人民路1号"),
                ("account", "反映问题，请求答复。"),
                ("category", rng.choice(CATEGORIES)),
                ("department_id", str(route[0])),
                ("group_size", "1"),
                ("action", "register"),
            ] + [("route", str(service_id)) for service_id in route]
            started = time.perf_counter()
            async with web.post(root + "/registration/", data=form, allow_redirects=False) as reply:
                rec.times["register"].append(time.perf_counter() - started)
                location = reply.headers.get("Location", "")
                if reply.status != 302 or "/ticket/" not in location:
                    rec.errors["register"] += 1
                    return None
            return location.split("?")[0].rstrip("/").rsplit("/", 1)[1]
        finally:
            counters.put_nowait((root, web))

    async def visitor(at: float, index: int) -> None:
        await asyncio.sleep(max(0.0, (at - clock()) * 3600 / speed))
        root = plan.roots[index % len(plan.roots)]
        if plan.registrars and rng.random() < REGISTERED:
            token = await register()
        else:
            issued = await rec.post(
                http, "issue", root + "/api/v1/tickets", {"service_id": rng.choice(service_ids)}
            )
            token = issued["ticket"]["token"] if issued else None
        if token and index < plan.phones:
            await screens.connect(root, f"ticket:{token}", None)

    async def desk(number: int, desk_id: int, own: str) -> None:
        root = plan.roots[number % len(plan.roots)]
        while clock() < DAY_END + 0.5:
            started = time.perf_counter()
            data = await rec.post(http, "call-next", f"{root}/api/v1/desks/{desk_id}/call-next")
            ticket = data and data.get("ticket")
            if not ticket:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * 60 / speed)
                continue
            tid, body = ticket["id"], {"desk_id": desk_id}
            watching = screens.displays[plan.hall_id]
            asyncio.get_running_loop().call_later(
                5,
                lambda t=tid, s=started, w=watching: rec.times["call→screen"].extend(
                    [max(screens.calls[t]) - s] if w and len(screens.calls[t]) >= w else []
                ),
            )
            await asyncio.sleep(rng.uniform(0.2, 0.6) * 60 / speed)  # walking over
            roll = rng.random()
            url = f"{root}/api/v1/tickets/{tid}/"
            if roll < NO_SHOW:
                await rec.post(http, "no-show", url + "no-show", body)
                if rng.random() < COME_BACK:
                    await rec.post(http, "return", url + "return", body)
                continue
            if roll < NO_SHOW + GIVE_UP:
                await rec.post(http, "cancel", url + "cancel", body)
                continue
            await rec.post(http, "start", url + "start", body)
            await asyncio.sleep(rng.uniform(*SERVICE_MINUTES) * 60 / speed)
            if roll < NO_SHOW + GIVE_UP + TRANSFER:
                others = [sid for prefix, sid in services.items() if prefix != own]
                await rec.post(
                    http,
                    "transfer",
                    url + "transfer",
                    {**body, "service_id": rng.choice(others), "note": "下一站"},
                )
            else:
                await rec.post(http, "finish", url + "finish", {**body, "outcome": "已答复"})

    try:
        await asyncio.gather(
            *(visitor(at, i) for i, at in enumerate(arrivals(plan.visitors, rng))),
            *(desk(n, desk_id, own) for n, (desk_id, own) in enumerate(plan.desks.items())),
        )
    finally:
        while not counters.empty():
            await counters.get_nowait()[1].close()


def report(label: str, rec: Recorder, memory: dict, wall: float) -> None:
    """Every operation's p50/p95/p99 and errors, and each server's memory."""
    print(f"\n{label}: {wall:.0f} s played")
    for name, values in rec.times.items():
        if not values:
            continue
        print(
            f"  {name:13} n={len(values):<5} p50={statistics.median(values) * 1000:7.1f}ms "
            f"p95={percentile(values, 0.95) * 1000:7.1f}ms "
            f"p99={percentile(values, 0.99) * 1000:7.1f}ms  errors={rec.errors.get(name, 0)}"
        )
    for n, (start, warm, end) in enumerate(
        zip(memory["start"], memory.get("warm", memory["start"]), memory["end"], strict=True)
    ):
        growth = (end - warm) / warm * 100
        print(
            f"  server {n} memory: start {start:.0f} MiB, after warm-up {warm:.0f} MiB, "
            f"end {end:.0f} MiB ({growth:+.1f} % since warm-up)"
        )


def start_servers(database_url: str, workdir: Path, processes: int, redis: str | None):
    env = bench_env(workdir, database_url, redis)
    python = [sys.executable, "-m", "reception"]
    (workdir / "hall.json").write_text(json.dumps(day_hall(), ensure_ascii=False), "utf-8")
    subprocess.run([*python, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*python, "load-hall", str(workdir / "hall.json")], env=env, check=True, capture_output=True
    )
    token = api_token(python, env, "daydesk")
    for n in range(REGISTRARS):
        subprocess.run(
            [*python, "create-user", f"registrar{n}", "--role", "registrar"]
            + ["--password", REGISTRAR_PASSWORD],
            env=env,
            check=True,
            capture_output=True,
        )
    device = (
        subprocess.run(
            [*python, "enroll-display", "day-lobby"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .rsplit("/", 1)[1]
    )
    servers = [serve(python, env, workdir / f"server{n}.log") for n in range(processes)]
    return servers, token, device


async def play(servers, token: str, device: str, args: argparse.Namespace, label: str) -> None:
    rng = random.Random(20261124)
    rec = Recorder()
    screens = Screens()
    seconds_per_hour = 3600 / args.speed
    desks = {n: SERVICES[(n - 1) // DESKS_PER_SERVICE][0] for n in range(1, 16)}
    plan = HallPlan(
        roots=[base for _process, base in servers],
        hall_id=1,
        desks=desks,
        visitors=args.visitors,
        device=device,
        screens=args.screens,
        phones=args.phones,
        registrars=[f"registrar{n}" for n in range(REGISTRARS)],
    )
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as http:
        memory = {"start": [rss_mib(p.pid) for p, _ in servers]}
        began = time.perf_counter()

        def clock() -> float:  # the hall's hour of the day
            return DAY_START + (time.perf_counter() - began) / seconds_per_hour

        async def warm_up_memory() -> None:
            await asyncio.sleep((DAY_END - DAY_START) / 10 * seconds_per_hour)
            memory["warm"] = [rss_mib(p.pid) for p, _ in servers]

        await asyncio.gather(
            warm_up_memory(), play_hall(plan, http, rec, screens, rng, args.speed, clock)
        )
        memory["end"] = [rss_mib(p.pid) for p, _ in servers]
        wall = time.perf_counter() - began
        await screens.close()
    report(f"{label}: {args.visitors} visitors, {len(servers)} process(es)", rec, memory, wall)


def run(database_url: str, label: str, processes: int, redis: str | None, args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        servers, token, device = start_servers(database_url, Path(tmp), processes, redis)
        try:
            asyncio.run(play(servers, token, device, args, label))
        finally:
            for process, _base in servers:
                process.terminate()
                process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--visitors", type=int, default=1500)
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/day.sqlite3", "sqlite", 1, None, args)
    if args.db in ("postgres", "both"):
        from sqlalchemy import create_engine, text

        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        name = f"reception_day_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
            run(url, "postgres+redis", 2, args.redis, args)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
