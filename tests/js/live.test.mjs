// The live client's version logic, with a fake Socket.IO connection (node --test).
import assert from "node:assert/strict";
import { test } from "node:test";

class FakeSocket {
  constructor() {
    this.handlers = {};
    this.sent = [];
    this.connected = false;
  }
  on(name, handler) {
    this.handlers[name] = handler;
  }
  emit(name, data, ack) {
    this.sent.push([name, data]);
    if (ack) ack({ ok: true, snapshot: { version: this.snapshotVersion, room: data.room } });
  }
  fire(name, payload) {
    if (name === "connect") this.connected = true;
    this.handlers[name]?.(payload);
  }
}

let socket;
globalThis.io = () => {
  socket = new FakeSocket();
  return socket;
};
const { connectLive } = await import("../../static/js/live.js");

function start() {
  const events = [];
  const snapshots = [];
  const statuses = [];
  connectLive({
    rooms: ["hall:1"],
    onSnapshot: (room, snapshot) => snapshots.push(snapshot.version),
    onEvent: (event, info) => events.push([event.version, info.gap]),
    onStatus: (status) => statuses.push(status),
    offlineAfter: 0.05,
  });
  return { events, snapshots, statuses };
}

test("joins its rooms with a snapshot on every connect", () => {
  const seen = start();
  socket.snapshotVersion = 10;
  socket.fire("connect");
  assert.deepEqual(socket.sent, [["join", { room: "hall:1" }]]);
  assert.deepEqual(seen.snapshots, [10]);
  socket.fire("disconnect");
  socket.snapshotVersion = 14;
  socket.fire("connect"); // reconnect: rejoin and resync
  assert.deepEqual(seen.snapshots, [10, 14]);
});

test("applies the next version, ignores old ones, resyncs after a gap", () => {
  const seen = start();
  socket.snapshotVersion = 10;
  socket.fire("connect");
  socket.fire("queue", { hall_id: 1, version: 11 });
  socket.fire("queue", { hall_id: 1, version: 9 }); // already in the snapshot
  socket.fire("queue", { hall_id: 1, version: 11 }); // a duplicate
  socket.snapshotVersion = 15;
  socket.fire("queue", { hall_id: 1, version: 14 }); // 12 and 13 were missed
  assert.deepEqual(seen.events, [
    [11, false],
    [14, true],
  ]);
  assert.deepEqual(socket.sent.at(-1), ["snapshot", { room: "hall:1" }]);
  assert.deepEqual(seen.snapshots, [10, 15]);
  socket.fire("queue", { hall_id: 1, version: 15 }); // covered by the resync
  socket.fire("queue", { hall_id: 1, version: 16 });
  assert.deepEqual(seen.events.at(-1), [16, false]);
});

test("says offline only after the connection stayed lost", async () => {
  const seen = start();
  socket.snapshotVersion = 1;
  socket.fire("connect");
  socket.fire("disconnect");
  assert.deepEqual(seen.statuses, ["online", "connecting"]);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(seen.statuses.at(-1), "offline");
  socket.fire("connect");
  assert.equal(seen.statuses.at(-1), "online");
});

test("a snapshot older than the one applied is dropped (join and resync replies crossing)", () => {
  const events = [];
  const snapshots = [];
  const pending = [];
  const live = connectLive({
    rooms: ["ticket:abc"],
    onSnapshot: (room, snapshot) => snapshots.push(snapshot.version),
    onEvent: (event) => events.push(event.version),
  });
  socket.emit = (name, data, ack) => pending.push(ack); // answer later, in any order
  socket.fire("connect"); // join sent; its snapshot was drawn at version 7
  socket.fire("queue", { hall_id: 1, version: 8 }); // the call, committed meanwhile
  live.resync("ticket:abc"); // the page asks again after the event
  pending[1]({ ok: true, snapshot: { version: 8 } }); // the resync answers first
  pending[0]({ ok: true, snapshot: { version: 7 } }); // then the join's older reply
  assert.deepEqual(snapshots, [8]);
  assert.deepEqual(events, [8]);
});
