// The city board: one card per hall, each redrawn from a fresh summary whenever its hall's
// queue, desks, board figures or alerts change (at most once a second a hall), and every half
// minute for the waits that grow with time alone. A card opens that hall's own board.
import { connectLive, showConnection } from "./live.js";

const labels = JSON.parse(document.getElementById("city-labels").textContent);
const cards = JSON.parse(document.getElementById("city-cards").textContent);
const rooms = cards.map((card) => `city:${card.hall_id}`);
const pending = new Map();

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ""));
}

function duration(seconds) {
  if (seconds == null) return labels.none;
  if (seconds < 60) return labels.under_minute;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return fill(labels.minutes, { n: minutes });
  return fill(labels.hours, { h: Math.floor(minutes / 60), m: minutes % 60 });
}

function field(item, name) {
  return item.querySelector(`[data-field="${name}"]`);
}

function draw(card) {
  const item = document.getElementById(`hall-${card.hall_id}`);
  if (!item) return;
  field(item, "time").textContent = card.local_time;
  const desks = `${card.desks_open}/${card.desks_in_use}`;
  field(item, "desks").textContent = card.desks_paused
    ? `${desks} · ${fill(labels.paused, { n: card.desks_paused })}`
    : desks;
  field(item, "waiting").textContent = card.waiting;
  const target = card.target_minutes
    ? fill(labels.target, { n: card.target_minutes })
    : labels.no_target;
  const longest = field(item, "longest");
  longest.textContent =
    card.longest_wait_seconds == null
      ? labels.none
      : `${duration(card.longest_wait_seconds)} (${target})`;
  item.classList.toggle("over-target", card.over_target > 0);
  longest.title = card.over_target ? fill(labels.over, { n: card.over_target }) : "";
  field(item, "issued").textContent = card.totals.issued;
  field(item, "served").textContent = card.totals.served;
  field(item, "satisfaction").textContent =
    card.totals.satisfaction == null ? labels.none : `${card.totals.satisfaction}%`;
  const alerts = field(item, "alerts");
  alerts.replaceChildren();
  for (const [kind, count] of Object.entries(card.alerts)) {
    const badge = document.createElement("li");
    badge.className = `alert-badge alert-${kind}`;
    badge.dataset.kind = kind;
    badge.textContent = `${labels.kinds[kind] ?? kind} ${count}`;
    alerts.append(badge);
  }
  if (card.overdue_matters) {
    const badge = document.createElement("li");
    badge.className = "alert-badge alert-overdue-matters";
    badge.dataset.kind = "overdue-matters";
    badge.textContent = fill(labels.overdue_matters, { n: card.overdue_matters });
    alerts.append(badge);
  }
  if (!card.alerts_total && !card.overdue_matters) {
    const quiet = document.createElement("li");
    quiet.className = "muted";
    quiet.textContent = labels.quiet;
    alerts.append(quiet);
  }
  item.classList.toggle("has-alerts", card.alerts_total > 0 || card.overdue_matters > 0);
}

// one fresh summary per hall and second, however many events arrive
function refresh(hallId) {
  const room = `city:${hallId}`;
  if (!rooms.includes(room) || pending.has(room)) return;
  pending.set(
    room,
    setTimeout(() => {
      pending.delete(room);
      live.resync(room);
    }, 1000),
  );
}

const offline = document.getElementById("offline");
const live = connectLive({
  rooms,
  onSnapshot: (_room, card) => draw(card),
  onEvent: (event) => refresh(event.hall_id),
  onDesk: (event) => refresh(event.hall_id),
  onHall: (event) => refresh(event.hall_id),
  onStatus: (status) => showConnection(offline, status),
});
// an alert carries no hall: every card asks again (alerts are few)
live.socket.on("alert", () => cards.forEach((card) => refresh(card.hall_id)));
live.socket.on("board", (event) => refresh(event.hall_id));
cards.forEach(draw);
setInterval(() => cards.forEach((card) => refresh(card.hall_id)), 30000);
