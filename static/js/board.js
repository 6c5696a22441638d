// The supervisor's live hall: desks, lines, today's totals and alerts. Every queue or desk
// change of the hall, every alert and every rating makes the board fetch a fresh snapshot over
// the socket (at most a few a second); the clocks tick in between. Times are the hall's.
import { connectLive, showConnection } from "./live.js";

const page = document.getElementById("board");
const hallId = page.dataset.hallId;
const room = `board:${hallId}`;
const labels = JSON.parse(document.getElementById("board-labels").textContent);
const english = page.dataset.lang === "en";
const hhmm = new Intl.DateTimeFormat("zh-CN", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: page.dataset.timezone,
});

let board = JSON.parse(document.getElementById("board-snapshot").textContent);
// server clock minus this browser's clock, from the latest snapshot's `now`
let skew = Date.parse(board.now) - Date.now();
const seen = new Set(board.alerts.map((a) => a.id));

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ""));
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function elapsed(iso) {
  if (!iso) return null;
  return Math.max(0, Math.floor((Date.now() + skew - Date.parse(iso)) / 1000));
}

// a duration reads as one ("25 分钟", "1 小时 5 分钟"), never like a clock time ("25:50")
function duration(seconds) {
  if (seconds == null) return "";
  if (seconds < 60) return labels.under_minute;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return fill(labels.minutes, { n: minutes });
  return fill(labels.hours, { h: Math.floor(minutes / 60), m: minutes % 60 });
}

function serviceName(id) {
  const service = board.services.find((s) => s.id === id);
  if (!service) return "";
  return english && service.name_en ? service.name_en : service.name;
}

function deskNumber(id) {
  return board.desks.find((d) => d.id === id)?.number ?? "";
}

function alertText(alert) {
  const service = serviceName(alert.service_id);
  switch (alert.kind) {
    case "urgent":
      return `${labels.urgent} · ${alert.text}`;
    case "group":
      return fill(labels.group, { n: alert.text });
    case "wait": {
      const target = board.services.find((s) => s.id === alert.service_id)?.target_minutes ?? "";
      return fill(labels.wait, { number: alert.ticket_number, minutes: alert.text, service, target });
    }
    case "pause":
      return fill(labels.pause, { desk: deskNumber(alert.desk_id), reason: alert.text });
    case "rating":
      return fill(labels.rating, {
        number: alert.ticket_number,
        service,
        level: labels.levels[alert.text] ?? alert.text,
      });
    case "overdue": {
      const [number, due] = alert.text.split(" ");
      return fill(labels.overdue, { number, due });
    }
    default:
      return alert.text;
  }
}

async function acknowledge(alert, button) {
  button.disabled = true;
  const body = new FormData();
  body.append("csrf_token", page.dataset.csrf);
  const url = page.dataset.ackUrl.replace("/0/", `/${alert.id}/`);
  try {
    const answer = await fetch(url, { method: "POST", body, headers: { Accept: "application/json" } });
    if (!answer.ok) button.disabled = false;
  } catch {
    button.disabled = false;
  }
  // the acknowledgement comes back as an `alert` event to every supervisor's board
}

function alertRow(alert) {
  const tr = el("tr", null, alert.acknowledged_at ? "alert-done" : "alert-new");
  tr.dataset.alertId = alert.id;
  tr.dataset.kind = alert.kind;
  tr.append(el("td", hhmm.format(new Date(alert.at))));
  const what = el("td", alertText(alert));
  if (alert.case_id) {
    const link = el("a", labels.case, "small-link");
    link.href = page.dataset.caseUrl.replace(/0$/, String(alert.case_id));
    what.append(" ", link);
  }
  tr.append(what, el("td", alert.ticket_number || "", "num"));
  const action = el("td");
  if (alert.acknowledged_at) {
    action.textContent = fill(labels.acknowledged, {
      who: alert.acknowledged_by || "",
      time: hhmm.format(new Date(alert.acknowledged_at)),
    });
  } else {
    const button = el("button", labels.acknowledge);
    button.type = "button";
    button.addEventListener("click", () => acknowledge(alert, button));
    action.append(button);
  }
  tr.append(action);
  return tr;
}

function deskCard(desk) {
  const li = el("li", null, `desk-card state-${desk.state}`);
  li.dataset.desk = desk.number;
  li.append(el("strong", String(desk.number), "num"));
  li.append(el("span", desk.name, "desk-name"));
  let status = labels[desk.state];
  if (desk.state === "paused" && desk.reason) status += ` · ${desk.reason}`;
  li.append(el("span", status, "desk-state"));
  const now = el("span", "", "desk-now");
  if (desk.ticket_number) {
    now.textContent = `${desk.ticket_number} ${labels[desk.ticket_state] ?? ""}`;
    now.dataset.since = desk.ticket_since ?? "";
    li.dataset.ticketState = desk.ticket_state ?? "";
  } else if (desk.state === "open") {
    now.textContent = labels.idle;
  } else {
    now.dataset.since = desk.since ?? "";
  }
  li.append(now, el("span", "", "desk-timer"), el("span", desk.staff || "", "desk-staff"));
  li.querySelector(".desk-timer").dataset.since = now.dataset.since || "";
  return li;
}

function serviceRow(service) {
  const tr = el("tr", null, service.exceeded ? "overdue" : "");
  tr.dataset.service = service.id;
  const longest = service.longest_wait_seconds == null ? "—" : `${Math.floor(service.longest_wait_seconds / 60)} ${labels.min}`;
  let target = labels.no_target;
  if (service.target_minutes) {
    target = `${service.target_minutes} ${labels.min} · ${service.exceeded ? labels.exceeded : labels.within}`;
  }
  tr.append(
    el("td", english && service.name_en ? service.name_en : service.name),
    el("td", String(service.waiting), "num"),
    el("td", longest, "num"),
    el("td", `${service.estimate_minutes} ${labels.min}`, "num"),
    el("td", target),
  );
  return tr;
}

function beep() {
  // a short two-tone chime for a new alert (the browser may hold it until the first click)
  try {
    const audio = new AudioContext();
    for (const [i, freq] of [880, 660].entries()) {
      const tone = audio.createOscillator();
      tone.frequency.value = freq;
      tone.connect(audio.destination);
      tone.start(audio.currentTime + i * 0.2);
      tone.stop(audio.currentTime + i * 0.2 + 0.18);
    }
  } catch {
    /* no audio here */
  }
  document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
  navigator.vibrate?.(300);
}

function draw() {
  for (const key of ["issued", "served", "no_shows", "transfers"]) {
    document.getElementById(`t-${key}`).textContent = String(board.totals[key]);
  }
  const t = board.totals;
  // the rates under the report's own headings ("满意率（%）"), with what they are made of
  document.getElementById("t-satisfaction").textContent =
    t.satisfaction == null ? "—" : `${t.satisfaction} (${t.satisfied}/${t.rated})`;
  document.getElementById("t-rating_rate").textContent =
    t.rating_rate == null ? "—" : `${t.rating_rate} (${t.rated}/${t.served})`;
  document.getElementById("desks").replaceChildren(...board.desks.map(deskCard));
  document.getElementById("services").replaceChildren(...board.services.map(serviceRow));
  // open alerts in front; the acknowledged ones folded away, so the desks stay in sight
  const open = board.alerts.filter((a) => !a.acknowledged_at).map(alertRow);
  const done = board.alerts.filter((a) => a.acknowledged_at).map(alertRow);
  document.getElementById("alerts").replaceChildren(...(open.length ? open : [el("tr", labels.none)]));
  document.getElementById("alerts-done").replaceChildren(...done);
  document.getElementById("alerts-done-box").hidden = !done.length;
  document.getElementById("alerts-done-count").textContent = fill(labels.acknowledged_count, { n: done.length });
  tick();
}

function tick() {
  document.getElementById("board-clock").textContent = hhmm.format(new Date(Date.now() + skew));
  for (const card of page.querySelectorAll(".desk-card")) {
    const timer = card.querySelector(".desk-timer");
    const seconds = elapsed(timer.dataset.since);
    timer.textContent = duration(seconds);
    // a call nobody has answered for long: the visitor may not have heard it
    const after = Number(page.dataset.unansweredAfter || 180);
    const unanswered = card.dataset.ticketState === "called" && seconds != null && seconds >= after;
    card.classList.toggle("unanswered", unanswered);
    timer.title = unanswered ? fill(labels.unanswered, { n: Math.floor(seconds / 60) }) : "";
    if (unanswered) timer.textContent = fill(labels.unanswered, { n: Math.floor(seconds / 60) });
  }
}

let pending = null;
function refresh() {
  // many changes in a burst (9:00 on a Monday) make one fetch, not one each
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    live.resync(room);
  }, 250);
}

const live = connectLive({
  rooms: [room],
  onSnapshot: (_room, snapshot) => {
    board = snapshot;
    skew = Date.parse(board.now) - Date.now();
    for (const alert of board.alerts) seen.add(alert.id);
    draw();
  },
  onEvent: refresh,
  onDesk: refresh,
  onHall: refresh,
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});
live.socket.on("alert", (alert) => {
  const index = board.alerts.findIndex((a) => a.id === alert.id);
  if (index >= 0) board.alerts[index] = alert;
  else board.alerts.unshift(alert);
  if (!seen.has(alert.id)) {
    seen.add(alert.id);
    beep();
  }
  draw();
  refresh();
});
live.socket.on("board", refresh);

draw();
setInterval(tick, 1000);
setInterval(refresh, 30000); // durations and estimates drift with time alone
