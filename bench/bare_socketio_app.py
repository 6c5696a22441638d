"""The floor for live events: a bare Flask-SocketIO app that broadcasts on an HTTP request.

`python bench/bare_socketio_app.py PORT PAYLOAD_BYTES`. Same async mode and server as the
hall (threading, `reception.web.edge.serving`); clients `join` the room `hall`.
"""

from __future__ import annotations

import sys

from flask import Flask, jsonify
from flask_socketio import SocketIO, join_room

from reception.web.edge.serving import serve

port, size = int(sys.argv[1]), int(sys.argv[2])
app = Flask(__name__)
socketio = SocketIO(app, async_mode="threading", ping_interval=10, ping_timeout=5)
version = 0


@socketio.on("join")
def join(data):
    join_room("hall")
    return {"ok": True, "snapshot": {"version": version}}


@app.post("/emit")
def emit():
    global version
    version += 1
    payload = {"version": version, "action": "call", "filler": "x" * max(0, size - 40)}
    socketio.emit("queue", payload, to="hall")
    return jsonify(version=version)


if __name__ == "__main__":
    serve(app, "127.0.0.1", port)
