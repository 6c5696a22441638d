// The live connection shared by every screen: join id-named rooms, take a snapshot on every
// (re)connect, resync the hall room when its versions show a gap, and tell the page when the
// connection has been lost for a while. Socket.IO's client reconnects with backoff by itself,
// also to a server process that was killed and restarted.

/* global io */

// The hall's root, read off this module's own address: "" for a deployment's default hall,
// "/h/<code>" for one of its halls. The socket connects there, so the server knows the hall.
const HALL_ROOT = new URL(import.meta.url).pathname.replace(/\/static\/js\/live\.js$/, "");

export function connectLive({
  rooms,
  onSnapshot,
  onEvent,
  onDesk,
  onHall,
  onStatus,
  offlineAfter = 5,
  auth,
}) {
  const socket = io({
    path: `${HALL_ROOT}/socket.io`,
    transports: ["websocket", "polling"],
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    auth,
  });
  const versions = new Map();
  const joined = new Set(rooms);
  let offlineTimer = null;

  function apply(room, reply) {
    if (!reply || !reply.ok) {
      onStatus?.("refused", reply && reply.error);
      return;
    }
    // Replies can cross: a join's snapshot may arrive after a newer resync's. Keep the newest.
    if (versions.has(room) && reply.snapshot.version < versions.get(room)) return;
    versions.set(room, reply.snapshot.version);
    onSnapshot(room, reply.snapshot);
  }

  function join(room) {
    joined.add(room);
    if (socket.connected) socket.emit("join", { room }, (reply) => apply(room, reply));
  }

  function resync(room) {
    socket.emit("snapshot", { room }, (reply) => apply(room, reply));
  }

  // "online" means live: every room joined and its snapshot applied. Reported at the socket's
  // connect, a page (or a test) could act on events the server was not yet sending it.
  socket.on("connect", () => {
    clearTimeout(offlineTimer);
    offlineTimer = null;
    let waiting = joined.size;
    let refused = false;
    if (!waiting) onStatus?.("online");
    for (const room of joined) {
      socket.emit("join", { room }, (reply) => {
        apply(room, reply);
        refused ||= !reply || !reply.ok;
        waiting -= 1;
        if (waiting === 0 && !refused && socket.connected) onStatus?.("online");
      });
    }
  });

  socket.on("disconnect", () => {
    onStatus?.("connecting");
    if (!offlineTimer) offlineTimer = setTimeout(() => onStatus?.("offline"), offlineAfter * 1000);
  });
  socket.on("connect_error", () => {
    if (!offlineTimer) offlineTimer = setTimeout(() => onStatus?.("offline"), offlineAfter * 1000);
  });

  // Queue changes and desk states share the hall's versions: a gap means a missed event.
  function ordered(handler) {
    return (event) => {
      const hallRoom = `hall:${event.hall_id}`;
      if (joined.has(hallRoom) && versions.has(hallRoom)) {
        const last = versions.get(hallRoom);
        if (event.version <= last) return; // already part of the snapshot we hold
        versions.set(hallRoom, event.version);
        if (event.version > last + 1) {
          handler?.(event, { gap: true });
          resync(hallRoom);
          return;
        }
      }
      handler?.(event, { gap: false });
    };
  }
  socket.on("queue", ordered(onEvent));
  socket.on("desk", ordered(onDesk));
  socket.on("hall", ordered(onHall));

  return { socket, join, resync };
}

export function showConnection(banner, status) {
  if (!banner) return;
  banner.hidden = status !== "offline";
  document.body.dataset.connection = status;
}
