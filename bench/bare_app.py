"""The floor: a bare Flask route that inserts one row into the same kind of database.

Run as `python bench/bare_app.py PORT DATABASE_URL`; served by the same server as the hall
(`reception.web.edge.serving`: Werkzeug's, threads kept for reuse) with the same SQLite pragmas, so
the difference is our code.
"""

from __future__ import annotations

import sys

from flask import Flask, jsonify
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func

from reception import _engine_options, _sqlite_pragmas  # noqa: F401 - registers the pragmas
from reception.core.config import normalise_database_url
from reception.web.edge.serving import serve

port, url = int(sys.argv[1]), normalise_database_url(sys.argv[2])
engine = create_engine(url, **_engine_options({"SQLALCHEMY_DATABASE_URI": url}))
metadata = MetaData()
rows = Table(
    "bench_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(20)),
    Column("created_at", DateTime, server_default=func.now()),
)
metadata.create_all(engine)
app = Flask(__name__)


@app.post("/insert")
def insert():
    with engine.begin() as connection:
        new_id = connection.execute(rows.insert().values(label="x")).inserted_primary_key[0]
    return jsonify(id=new_id), 201


if __name__ == "__main__":
    serve(app, "127.0.0.1", port)
