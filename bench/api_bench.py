"""Tickets issued per second and call-next latency through the HTTP API, against the floor.

    python bench/api_bench.py [--db sqlite|postgres|both] [--requests 800] [--rounds 8]
    python bench/api_bench.py --city 11 [--clients 32] [--requests 800] [--rounds 8]

For each database and for 1 and 16 concurrent clients it prints median, p95, p99 latency,
throughput and the server process's CPU per request for POST /api/v1/tickets and POST
/api/v1/desks/<id>/call-next, and the same for a bare Flask route that inserts one row
(bench/bare_app.py). Every call-next goes to a desk that is free (the bench hall has a desk per
call; desks are freed, untimed, between rounds), so call-next is timed and counted alone. The
hall and the bare route are up together and measured in alternating rounds (issue, bare,
call-next, bare, …), so a drift in the machine's speed falls on both alike. Then the ratios the
hall answers for: throughput ÷ the bare route's, p99 ÷ the bare route's p99. It starts and
stops its own server processes on free loopback ports. Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser import free_port  # noqa: E402

CLIENTS = (1, 16)
PG_ADMIN = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def bench_hall(desks: int) -> dict:
    return {
        "name": "基准测试大厅",
        "timezone": "Asia/Shanghai",
        "services": [{"prefix": "A", "kind": "department", "name": "基准服务"}],
        "desks": [{"number": n, "services": ["A"]} for n in range(1, desks + 1)],
    }


def bench_env(workdir: Path, database_url: str, redis: str | None = None) -> dict[str, str]:
    """The environment of the `reception` commands and servers a bench starts: its instance
    folder, its database, quiet logs; with `redis`, a Socket.IO channel of its own there."""
    env = {
        **os.environ,
        "RECEPTION_INSTANCE_PATH": str(workdir),
        "RECEPTION_DATABASE_URL": database_url,
        "RECEPTION_LOG_LEVEL": "WARNING",
    }
    if redis:
        env["RECEPTION_REDIS_URL"] = redis
        env["RECEPTION_SOCKETIO_CHANNEL"] = f"bench-{uuid.uuid4().hex[:8]}"
    return env


def api_token(python: list[str], env: dict[str, str], username: str) -> str:
    """A desk account with an API token, made through the `reception` command."""
    made = subprocess.run(
        [
            *python,
            "create-user",
            username,
            "--role",
            "desk",
            "--password",
            "bench-password",
            "--api-token",
            "--desks",
            "all",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return made.stdout.strip().rsplit(" ", 1)[1]


def wait_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_clients(clients: int, total: int, make_request, server: int | None = None) -> dict:
    """`total` requests spread over `clients` threads, each with its own keep-alive session;
    with `server` (a pid), also that process's CPU time per request."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker(index: int, count: int) -> None:
        session = requests.Session()
        for _ in range(count):
            started = time.perf_counter()
            response = make_request(session, index)
            elapsed = time.perf_counter() - started
            if isinstance(response, tuple):  # the request timed only its own part
                response, elapsed = response
            with lock:
                if response.status_code >= 400:
                    errors.append(f"{response.status_code} {response.text[:100]}")
                latencies.append(elapsed)

    share = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    threads = [threading.Thread(target=worker, args=(i, n)) for i, n in enumerate(share)]
    cpu_before = cpu_seconds(server) if server else 0.0
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu = (cpu_seconds(server) - cpu_before) if server else 0.0
    return {
        "cpu_ms": cpu / max(1, len(latencies)) * 1000,
        "n": len(latencies),
        "latencies": latencies,
        "wall": wall,
        "error_texts": errors,
    }


def start_hall(
    database_url: str, workdir: Path, desks: int
) -> tuple[subprocess.Popen, str, str, list[int]]:
    env = bench_env(workdir, database_url)
    hall_file = workdir / "hall.json"
    hall_file.write_text(json.dumps(bench_hall(desks), ensure_ascii=False), "utf-8")
    python = [sys.executable, "-m", "reception"]
    subprocess.run([*python, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*python, "load-hall", str(hall_file)], env=env, check=True, capture_output=True)
    token = api_token(python, env, "bench")
    process, base = serve(python, env, workdir / "server.log")
    services = requests.get(base + "/api/v1/services", timeout=5).json()["services"]
    service_id = services[0]["id"]
    desk_ids = list(range(1, desks + 1))  # a fresh database numbers the loaded desks 1, 2, …
    return process, base, token, [service_id, *desk_ids]


def serve(python: list[str], env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """A `reception run` server process on a free port, once it answers: (process, address)."""
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [*python, "run", "--no-demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_up(base + "/api/v1/services", process, log)
    return process, base


def start_bare(database_url: str, workdir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = workdir / "bare.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port), database_url],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    wait_up(base + "/insert", process, log)
    return process, base


def merge(parts: list[dict]) -> dict:
    """One figure from a measurement taken in several rounds."""
    latencies = [x for part in parts for x in part["latencies"]]
    wall = sum(part["wall"] for part in parts)
    cpu = sum(part["cpu_ms"] * part["n"] for part in parts)
    errors = [e for part in parts for e in part["error_texts"]]
    return {
        "cpu_ms": cpu / max(1, len(latencies)),
        "n": len(latencies),
        "errors": len(errors),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "per_s": len(latencies) / wall,
        "first_error": errors[0] if errors else "",
    }


def bench_database(
    hall_url: str, bare_url: str, label: str, total: int, rounds: int, results: dict
) -> None:
    """Our issue and call-next and the bare insert, measured in alternating rounds against
    servers that are all up at once: the machine's speed drifts over minutes, and rounds a few
    seconds apart see the same machine, so the ratios compare like with like."""
    with tempfile.TemporaryDirectory() as tmp:
        process, base, token, ids = start_hall(hall_url, Path(tmp), desks=2 * total)
        bare, bare_base = start_bare(bare_url, Path(tmp))
        service_id, desk_ids = ids[0], ids[1:]
        headers = {"Authorization": f"Bearer {token}"}
        try:
            for clients in CLIENTS:
                parts: dict[str, list[dict]] = {"issue": [], "call-next": [], "bare": []}
                # client i calls at desks i, i + clients, i + 2·clients…: each call at a free desk
                turns = [iter(desk_ids[i::clients]) for i in range(clients)]
                for share in rounds_of(total, rounds):
                    parts["issue"].append(
                        run_clients(
                            clients,
                            share,
                            lambda s, i: s.post(
                                base + "/api/v1/tickets",
                                json={"service_id": service_id},
                                headers=headers,
                            ),
                            server=process.pid,
                        )
                    )
                    parts["bare"].append(
                        run_clients(
                            clients, share, lambda s, i: s.post(bare_base + "/insert"), bare.pid
                        )
                    )
                    called: list[tuple[int, int]] = []

                    def call_next(session, index, turns=turns, called=called):
                        desk_id = next(turns[index])
                        response = session.post(
                            f"{base}/api/v1/desks/{desk_id}/call-next", headers=headers
                        )
                        ticket = response.json().get("ticket") if response.ok else None
                        if ticket:
                            called.append((ticket["id"], desk_id))
                        return response

                    parts["call-next"].append(
                        run_clients(clients, share, call_next, server=process.pid)
                    )
                    parts["bare"].append(
                        run_clients(
                            clients, share, lambda s, i: s.post(bare_base + "/insert"), bare.pid
                        )
                    )
                    free_desks(base, headers, called)
                for what, name in (
                    ("issue", "issue ticket"),
                    ("call-next", "call-next"),
                    ("bare", "bare insert (floor)"),
                ):
                    results[(label, what, clients)] = merge(parts[what])
                    report(label, name, clients, results[(label, what, clients)])
        finally:
            for server in (process, bare):
                server.terminate()
                server.wait(timeout=10)


def bench_city(
    database_url: str, halls: int, clients: int, total: int, rounds: int, redis: str
) -> None:
    """A city of `halls` halls on one PostgreSQL, the clients spread over the halls (client i
    works in hall i mod `halls`, at its address `/h/<code>/…`): issue and call-next through one
    server process, then through two sharing events through Redis (client i on process i mod
    2), in alternating rounds with both processes up. Different halls never wait for each
    other's hall lock, so what a second process adds is what the machine's cores allow."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = bench_env(workdir, database_url, redis)
        python = [sys.executable, "-m", "reception"]
        subprocess.run([*python, "db", "upgrade"], env=env, check=True, capture_output=True)
        # a free desk for every call of both setups: a client calls at most total/clients + 1
        # times a round, and shares its hall's desks with ⌈clients/halls⌉ - 1 others
        per_hall = -(-clients // halls) * 2 * (total // clients + rounds + 1)
        for n in range(halls):
            hall = {**bench_hall(per_hall), "name": f"基准测试大厅 {n}", "code": f"h{n}"}
            path = workdir / f"h{n}.json"
            path.write_text(json.dumps(hall, ensure_ascii=False), "utf-8")
            subprocess.run(
                [*python, "load-hall", str(path)], env=env, check=True, capture_output=True
            )
        # a city account (a supervisor covers any desk of any hall) with an API token
        made = subprocess.run(
            [*python, "create-user", "citybench", "--role", "supervisor"]
            + ["--password", "bench-password", "--api-token"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        headers = {"Authorization": f"Bearer {made.stdout.strip().rsplit(' ', 1)[1]}"}
        engine = create_engine(database_url)
        with engine.connect() as connection:
            desks: dict[int, list[int]] = {n: [] for n in range(halls)}
            services: dict[int, int] = {}
            for code, desk_id in connection.execute(
                text(
                    "SELECT halls.code, desks.id FROM desks JOIN halls ON halls.id = desks.hall_id"
                    " ORDER BY desks.id"
                )
            ):
                desks[int(code[1:])].append(desk_id)
            for code, service_id in connection.execute(
                text(
                    "SELECT halls.code, services.id FROM services JOIN halls ON halls.id = hall_id"
                )
            ):
                services[int(code[1:])] = service_id
        engine.dispose()
        servers = [serve(python, env, workdir / f"server{n}.log") for n in range(2)]
        try:
            figures: dict[tuple[int, str], list[dict]] = {}
            # each client's own free desks in its hall, used once each over every round
            mine = {
                i: iter(desks[i % halls][i // halls :: -(-clients // halls)])
                for i in range(clients)
            }
            for share in rounds_of(total, rounds):
                for processes in (1, 2):

                    def root(index: int, processes=processes) -> str:
                        return f"{servers[index % processes][1]}/h/h{index % halls}"

                    figures.setdefault((processes, "issue"), []).append(
                        run_clients(
                            clients,
                            share,
                            lambda s, i, root=root: s.post(
                                root(i) + "/api/v1/tickets",
                                json={"service_id": services[i % halls]},
                                headers=headers,
                            ),
                        )
                    )
                    called: list[tuple[str, int, int]] = []

                    def call_next(session, index, root=root, called=called):
                        desk_id = next(mine[index])
                        response = session.post(
                            f"{root(index)}/api/v1/desks/{desk_id}/call-next", headers=headers
                        )
                        ticket = response.json().get("ticket") if response.ok else None
                        if ticket:
                            called.append((root(index), ticket["id"], desk_id))
                        return response

                    figures.setdefault((processes, "call-next"), []).append(
                        run_clients(clients, share, call_next)
                    )
                    for where, ticket_id, desk_id in called:  # untimed: the desks free again
                        requests.post(
                            f"{where}/api/v1/tickets/{ticket_id}/cancel",
                            json={"desk_id": desk_id},
                            headers=headers,
                            timeout=10,
                        ).raise_for_status()
            label = f"city of {halls}"
            for what in ("issue", "call-next"):
                one, two = merge(figures[(1, what)]), merge(figures[(2, what)])
                report(label, f"{what}, 1 process", clients, one)
                report(label, f"{what}, 2 processes", clients, two)
                print(f"{label:9} {what}: 2 processes give {two['per_s'] / one['per_s']:.2f}× one")
        finally:
            for process, _base in servers:
                process.terminate()
                process.wait(timeout=10)


def rounds_of(total: int, rounds: int) -> list[int]:
    return [total // rounds + (1 if i < total % rounds else 0) for i in range(rounds)]


def free_desks(base: str, headers: dict, called: list[tuple[int, int]]) -> None:
    """Cancel what the round called, untimed, so its desks are free for the next client count."""
    with requests.Session() as session:
        for ticket_id, desk_id in called:
            session.post(
                f"{base}/api/v1/tickets/{ticket_id}/cancel",
                json={"desk_id": desk_id},
                headers=headers,
            ).raise_for_status()


def report(label: str, what: str, clients: int, result: dict) -> None:
    print(
        f"{label:9} {what:22} clients={clients:<3} n={result['n']:<5} "
        f"median={result['median_ms']:7.2f}ms p95={result['p95_ms']:7.2f}ms "
        f"p99={result['p99_ms']:7.2f}ms  {result['per_s']:7.1f}/s  "
        f"server cpu={result['cpu_ms']:5.2f}ms/req  errors={result['errors']}"
        + (f"  ({result['first_error']})" if result["errors"] else ""),
        flush=True,
    )


def postgres_database() -> tuple[str, callable]:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"reception_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop


def ratios(results: dict) -> None:
    """Throughput and p99 against the bare route's in the same run. The targets: at 16 clients
    throughput ≥ 0.6× the bare route's; at 1 and at 16 clients p99 ≤ 2× the bare route's (one
    client's throughput is one request's latency again, which its p99 already answers for)."""
    print(
        "\nagainst the bare insert route (targets: throughput ≥ 0.6× at 16 clients; "
        "p99 ≤ 2× at 1 and 16)"
    )
    for label, what, clients in sorted(results):
        if what == "bare" or (label, "bare", clients) not in results:
            continue
        ours, bare = results[(label, what, clients)], results[(label, "bare", clients)]
        speed = ours["per_s"] / bare["per_s"]
        tail = ours["p99_ms"] / bare["p99_ms"]
        verdict = "holds" if (speed >= 0.6 or clients < 16) and tail <= 2 else "short"
        print(
            f"{label:9} {what:10} clients={clients:<3} throughput {speed:4.2f}×  "
            f"p99 {tail:5.2f}×  server cpu {ours['cpu_ms'] / max(bare['cpu_ms'], 1e-9):4.1f}×  "
            f"{verdict}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=800, help="per operation, client count")
    parser.add_argument(
        "--rounds", type=int, default=8, help="alternating rounds they are split in"
    )
    parser.add_argument(
        "--city",
        type=int,
        default=0,
        help="instead: a city of this many halls on PostgreSQL, the clients spread over them, "
        "one server process against two (--clients, 32 by default)",
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
    )
    args = parser.parse_args()
    if args.city:
        url, drop = postgres_database()
        try:
            bench_city(url, args.city, args.clients, args.requests, args.rounds, args.redis)
        finally:
            drop()
        return
    results: dict = {}
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            bench_database(
                f"sqlite:///{tmp}/hall.sqlite3",
                f"sqlite:///{tmp}/bare.sqlite3",
                "sqlite",
                args.requests,
                args.rounds,
                results,
            )
    if args.db in ("postgres", "both"):
        hall_url, drop_hall = postgres_database()
        bare_url, drop_bare = postgres_database()
        try:
            bench_database(hall_url, bare_url, "postgres", args.requests, args.rounds, results)
        finally:
            drop_hall()
            drop_bare()
    ratios(results)


if __name__ == "__main__":
    main()
