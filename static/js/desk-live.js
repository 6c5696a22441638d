// The desk console, live: new tickets appear and tickets called elsewhere disappear from the
// waiting list without a reload.
import { connectLive, showConnection } from "./live.js";

const data = JSON.parse(document.getElementById("console-data").textContent);
const deskRoom = `desk:${data.desk_id}`;
const tbody = document.getElementById("waiting-body");
const count = document.querySelector("[data-testid=waiting-count]");
const csrf = document.querySelector("input[name=csrf_token]")?.value || "";
const timeFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: data.timezone, hour: "2-digit", minute: "2-digit" });
let refresh = null;
// handover notes drawn by the server (notes are not sent over the socket): kept across redraws
const notes = new Map(
  [...document.querySelectorAll("[data-note-for]")].map((el) => [el.dataset.noteFor, el.outerHTML]),
);

function callForm(ticket) {
  const form = document.createElement("form");
  form.method = "post";
  form.className = "move move-call";
  form.action = data.call_url.replace("/tickets/0/", `/tickets/${ticket.id}/`);
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrf_token";
  token.value = csrf;
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = data.call;
  form.append(token, button);
  return form;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderWaiting(waiting) {
  count.textContent = waiting.length;
  if (!waiting.length) {
    const row = document.createElement("tr");
    const td = cell(data.nobody);
    td.colSpan = 5;
    row.append(td);
    tbody.replaceChildren(row);
    return;
  }
  tbody.replaceChildren(
    ...waiting.map((ticket) => {
      const row = document.createElement("tr");
      row.dataset.ticket = ticket.number;
      const service = data.names[ticket.service_id] + (ticket.leg > 1 ? ` · ${data.transferred}` : "");
      const action = document.createElement("td");
      if (data.current_id === null) action.append(callForm(ticket));
      const serviceCell = cell(service);
      if (notes.has(String(ticket.id))) serviceCell.insertAdjacentHTML("beforeend", ` ${notes.get(String(ticket.id))}`);
      row.append(
        cell(ticket.number, "num"),
        serviceCell,
        cell(data.priorities[ticket.priority]),
        cell(timeFormat.format(new Date(ticket.line_at))),
        action,
      );
      return row;
    }),
  );
}

// Another session took this desk over: say so, and stop this console from working it.
function checkHolder(holder) {
  if (!holder || holder === data.console) return;
  const banner = document.getElementById("taken-over");
  banner.textContent = data.taken_over;
  banner.hidden = false;
  document.body.dataset.takenOver = "1";
  for (const button of document.querySelectorAll("#console button")) button.disabled = true;
}

// The hall's set-up changed (names, desks, services): redraw by reloading when nothing is being
// typed; otherwise say so and leave the clerk's words alone.
function onSetup() {
  const typed = [...document.querySelectorAll("#console textarea, #console input[type=text]")].some(
    (field) => field.value.trim(),
  );
  if (!typed && !document.querySelector("#console details[open]")) {
    window.location.reload();
    return;
  }
  const banner = document.getElementById("taken-over");
  if (banner.hidden) {
    banner.textContent = data.setup_changed;
    banner.hidden = false;
  }
}

const live = connectLive({
  rooms: [deskRoom, `setup:${data.hall_id}`, ...data.service_ids.map((id) => `service:${id}`)],
  onHall: onSetup,
  onSnapshot: (room, snapshot) => {
    if (room !== deskRoom) return; // the service and set-up rooms only signal
    checkHolder(snapshot.console);
    const currentId = snapshot.current ? snapshot.current.id : null;
    if (currentId !== data.current_id) {
      window.location.reload(); // this desk's own ticket changed elsewhere
      return;
    }
    renderWaiting(snapshot.waiting || []);
  },
  onEvent: () => {
    clearTimeout(refresh);
    refresh = setTimeout(() => live.resync(deskRoom), 250);
  },
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});

live.socket.on("console", (event) => {
  if (event.desk_id === data.desk_id) checkHolder(event.holder);
});
