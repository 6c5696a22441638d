"""Sending a matter through the online door with the most it takes: five 10 MB attachments.

    python bench/online_bench.py [--files 5] [--megabytes 10] [--runs 6]

Each run asks for a code for a new number, reads it from the outbox, and sends the matter with
its files through the app (Flask's test client: the multipart body is built and parsed, each
file typed by its content, encrypted with the data key and stored in SQLite in the request's one
transaction). Prints the median and slowest time of a send, the process's peak memory and what
the database grew by against what was sent (Fernet's base64 makes a stored file ~1.35× its size).
Figures only: nothing here fails on time.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reception import create_app  # noqa: E402
from reception.db.extensions import db  # noqa: E402
from reception.hall.description import (  # noqa: E402
    DEMO_HALL,
    DEMO_PASSWORD,
    load_hall,
    read_description,
)
from reception.models import OutboxMessage  # noqa: E402
from reception.models.types import utcnow  # noqa: E402


def _code(app, client, phone: str) -> str:
    with app.app_context():  # one code a minute to a number: the last one asked long ago
        db.session.execute(
            text("UPDATE phone_codes SET sent_at = :t"), {"t": utcnow() - timedelta(minutes=2)}
        )
        db.session.commit()
    client.post("/online/code", data={"phone": phone}, headers={"X-Requested-With": "fetch"})
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body)
            .where(OutboxMessage.kind == "online_code")
            .order_by(OutboxMessage.id.desc())
        ).first()
    return re.search(r"验证码(\d{6})", body or "").group(1)  # type: ignore[union-attr]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=10)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="online-bench-"))
    path = folder / "bench.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "REDIS_URL": None, "PUBLIC_URL": None}
    )
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        upgrade()
        load_hall(read_description(DEMO_HALL), default_password=DEMO_PASSWORD)
        db.session.commit()
    size = args.megabytes * 1024 * 1024
    pdf = b"%PDF-1.7\n" + os.urandom(size - 20) + b"\n%%EOF\n"
    client = app.test_client()
    start_size = path.stat().st_size
    times = []
    for run in range(args.runs):
        phone = f"1390000{run:04d}"
        form = {
            "name": "王小明",
            "id_number": "11010519491231002X",
            "phone": phone,
            "code": _code(app, client, phone),
            "request": "维修",
            "facts": "漏水",
            "category": "住房",
            "purpose": "求决",
            "group_size": "1",
            "files": [(io.BytesIO(pdf), f"{n}.pdf") for n in range(args.files)],
        }
        began = time.perf_counter()
        answer = client.post(
            "/online/",
            data=form,
            content_type="multipart/form-data",
            headers={"X-Requested-With": "fetch"},
        )
        times.append(time.perf_counter() - began)
        if answer.status_code != 200:
            raise SystemExit(f"refused: {answer.get_json()}")
    sent = args.runs * args.files * size / 1e6
    grown = (path.stat().st_size - start_size) / 1e6
    median, slowest = statistics.median(times) * 1000, max(times) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.files} x {args.megabytes} MB, {args.runs} sends")
    print(f"  send: median {median:.0f} ms, slowest {slowest:.0f} ms")
    print(f"  peak memory of the process: {peak:.0f} MB")
    print(f"  database grew {grown:.0f} MB for {sent:.0f} MB sent ({grown / sent:.2f}x)")


if __name__ == "__main__":
    main()
