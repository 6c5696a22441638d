"""A Monday for a whole city, played fast: the city centre and ten county halls at once on one
deployment (PostgreSQL, Redis, two server processes), every hall at its own addresses.

    python bench/city_day.py [--counties 10] [--visitors 1500] [--county-visitors 400]
                             [--speed 10] [--screens 20] [--phones 300]

The centre plays as `bench/day.py` plays it (five lines of three desks, two registrar counters,
a fifth of the visitors registered, lobby screens and phones over websocket); each county hall
has five lines of one desk each, its own visitors on the same two-peak curve through the API at
`/h/<code>/api/v1/…`, and a lobby screen on its own socket address `/h/<code>/socket.io`. The
halls' desks and screens are spread over the two processes. Printed: p50/p95/p99 of every
operation over the city and call → screen latency (each call timed to the last lobby screen of
its own hall), errors, and each server's resident memory at the start, after warm-up (a tenth of
the day) and at the end. Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.api_bench import PG_ADMIN, bench_env, serve  # noqa: E402
from bench.day import (  # noqa: E402
    DAY_END,
    DAY_START,
    DESKS_PER_SERVICE,
    REGISTRAR_PASSWORD,
    REGISTRARS,
    SERVICES,
    HallPlan,
    Recorder,
    Screens,
    day_hall,
    play_hall,
    report,
    rss_mib,
)

CENTRE = "shi"


def county_hall(n: int) -> dict:
    """A county hall: the same five lines, one desk each."""
    return {
        "name": f"第{n}县人民来访接待中心",
        "code": f"county{n}",
        "timezone": "Asia/Shanghai",
        "services": [
            {"prefix": p, "kind": "department", "name": f"县{name}"} for p, name in SERVICES
        ],
        "desks": [{"number": k + 1, "services": [p]} for k, (p, _name) in enumerate(SERVICES)],
    }


def cli(python: list[str], env: dict, *args: str) -> str:
    return subprocess.run(
        [*python, *args], env=env, check=True, capture_output=True, text=True
    ).stdout


def set_up(database_url: str, workdir: Path, counties: int, redis: str):
    env = bench_env(workdir, database_url, redis)
    python = [sys.executable, "-m", "reception"]
    cli(python, env, "db", "upgrade")
    halls = [{**day_hall(), "code": CENTRE}] + [county_hall(n) for n in range(1, counties + 1)]
    for hall in halls:
        path = workdir / f"{hall['code']}.json"
        path.write_text(json.dumps(hall, ensure_ascii=False), "utf-8")
        cli(python, env, "load-hall", str(path))
    # one city account works every desk of every hall (a supervisor covers any desk)
    made = cli(
        python, env, "create-user", "citybench", "--role", "supervisor",
        "--password", "bench-password", "--api-token",
    )  # fmt: skip
    token = made.strip().rsplit(" ", 1)[1]
    for n in range(REGISTRARS):
        cli(
            python, env, "create-user", f"registrar{n}", "--role", "registrar",
            "--hall", CENTRE, "--password", REGISTRAR_PASSWORD,
        )  # fmt: skip
    devices = {}
    for hall in halls:
        out = cli(python, env, "enroll-display", f"{hall['code']}-lobby", "--hall", hall["code"])
        devices[hall["code"]] = out.strip().rsplit("/", 1)[1]
    engine = create_engine(database_url)
    with engine.connect() as connection:
        ids = dict(connection.execute(text("SELECT code, id FROM halls")).all())
        desks: dict[str, dict[int, str]] = {code: {} for code in ids}
        rows = connection.execute(
            text(
                "SELECT halls.code, desks.id, services.prefix FROM desks "
                "JOIN halls ON halls.id = desks.hall_id "
                "JOIN desk_services ON desk_services.desk_id = desks.id "
                "JOIN services ON services.id = desk_services.service_id ORDER BY desks.id"
            )
        )
        for code, desk_id, prefix in rows:
            desks[code][desk_id] = prefix
    engine.dispose()
    return env, python, token, ids, desks, devices


async def play(servers, token, ids, desks, devices, args) -> None:
    rng = random.Random(20261207)
    rec, screens = Recorder(), Screens()
    seconds_per_hour = 3600 / args.speed
    bases = [base for _process, base in servers]
    plans = []
    for code, hall_id in sorted(ids.items(), key=lambda item: item[1]):
        centre = code == CENTRE
        roots = [f"{base}/h/{code}" for base in bases]
        if not centre:  # a county's own processes in turn: each hall's desks on both
            roots = roots[hall_id % len(roots) :] + roots[: hall_id % len(roots)]
        plans.append(
            HallPlan(
                roots=roots,
                hall_id=hall_id,
                desks=desks[code],
                visitors=args.visitors if centre else args.county_visitors,
                device=devices[code],
                screens=args.screens if centre else 1,
                phones=args.phones if centre else 0,
                registrars=[f"registrar{n}" for n in range(REGISTRARS)] if centre else [],
            )
        )
    connector = aiohttp.TCPConnector(limit=0)
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers, connector=connector) as http:
        memory = {"start": [rss_mib(p.pid) for p, _ in servers]}
        began = time.perf_counter()

        def clock() -> float:
            return DAY_START + (time.perf_counter() - began) / seconds_per_hour

        async def warm_up_memory() -> None:
            await asyncio.sleep((DAY_END - DAY_START) / 10 * seconds_per_hour)
            memory["warm"] = [rss_mib(p.pid) for p, _ in servers]

        await asyncio.gather(
            warm_up_memory(),
            *(
                play_hall(plan, http, rec, screens, random.Random(rng.random()), args.speed, clock)
                for plan in plans
            ),
        )
        memory["end"] = [rss_mib(p.pid) for p, _ in servers]
        wall = time.perf_counter() - began
        await screens.close()
    visitors = args.visitors + args.counties * args.county_visitors
    desks_total = len(SERVICES) * (DESKS_PER_SERVICE + args.counties)
    label = (
        f"postgres+redis, the centre and {args.counties} counties: {visitors} visitors, "
        f"{desks_total} desks, {len(servers)} processes"
    )
    report(label, rec, memory, wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, default=10)
    parser.add_argument("--visitors", type=int, default=1500)
    parser.add_argument("--county-visitors", type=int, default=400)
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--screens", type=int, default=20)
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"reception_city_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
        with tempfile.TemporaryDirectory() as tmp:
            env, python, token, ids, desks, devices = set_up(
                url, Path(tmp), args.counties, args.redis
            )
            servers = [
                serve(python, env, Path(tmp) / f"server{n}.log") for n in range(args.processes)
            ]
            try:
                asyncio.run(play(servers, token, ids, desks, devices, args))
            finally:
                for process, _base in servers:
                    process.terminate()
                    process.wait(timeout=10)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
