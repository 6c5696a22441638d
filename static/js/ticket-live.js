// The visitor's phone: the ticket's state, people ahead and wait, live; a banner, vibration
// and a chime when called; the next leg after a transfer; a summary at the end.
import { connectLive, showConnection } from "./live.js";

const card = document.getElementById("ticket-status");
const room = `ticket:${card.dataset.token}`;
const names = JSON.parse(document.getElementById("service-names").textContent);
const places = JSON.parse(document.getElementById("desk-places").textContent); // desk id -> place
let lastState = card.dataset.state;
let refresh = null;

function text(template, key, value) {
  return template.replaceAll(`{${key}}`, value);
}

function alertVisitor() {
  navigator.vibrate?.([400, 150, 400, 150, 400]);
  try {
    const audio = new (window.AudioContext || window.webkitAudioContext)();
    const tone = audio.createOscillator();
    tone.frequency.value = 880;
    tone.connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.6);
  } catch (error) {
    console.info("no sound before a tap", error);
  }
}

function render(snapshot) {
  const { ticket } = snapshot;
  card.dataset.state = ticket.state;
  for (const block of card.querySelectorAll("[data-when]")) {
    block.hidden = !block.dataset.when.split(" ").includes(ticket.state);
  }
  document.getElementById("service-name").textContent = names[ticket.service_id] || "";
  const unit = document.getElementById("unit-name"); // the unit spoken to over video, on that leg
  if (unit) unit.hidden = String(ticket.service_id) !== unit.dataset.serviceId;
  document.getElementById("people-ahead").textContent = snapshot.people_ahead;
  document.getElementById("wait").textContent = snapshot.wait_minutes
    ? text(card.dataset.about, "minutes", snapshot.wait_minutes)
    : card.dataset.next;
  const area = snapshot.service.waiting_area;
  document.getElementById("where").textContent = area ? text(card.dataset.where, "area", area) : "";
  if (ticket.desk_number) {
    document.getElementById("called-banner").textContent = text(card.dataset.banner, "desk", ticket.desk_number);
    document.getElementById("called-place").textContent = places[ticket.desk_id]?.place || "";
  }
  const heldAt = places[ticket.target_desk_id];
  if (ticket.state === "held" && heldAt) {
    document.getElementById("held").textContent = text(card.dataset.held, "desk", heldAt.number);
    document.getElementById("held-place").textContent = heldAt.place;
  }
  const journey = document.getElementById("journey");
  journey.replaceChildren(
    ...snapshot.legs.map((leg) => {
      const item = document.createElement("li");
      const end = leg.end_action === "finish" ? card.dataset.done : leg.end_action === "transfer" ? card.dataset.passed : "";
      item.textContent = names[leg.service_id] + (end ? ` · ${end}` : "");
      return item;
    }),
  );
  document.getElementById("journey-box").hidden = snapshot.legs.length < 2 && ticket.state !== "finished";
  if (ticket.state === "called" && lastState !== "called") alertVisitor();
  if (ticket.state === "finished" && lastState !== "finished") {
    window.location.reload(); // the outcome and case number are drawn by the server, not sent
    return;
  }
  lastState = ticket.state;
}

const live = connectLive({
  rooms: [room],
  onSnapshot: (_room, snapshot) => render(snapshot),
  onEvent: (event) => {
    if (String(event.ticket.id) === card.dataset.ticketId) {
      if (event.action === "recall") alertVisitor();
      if (event.action === "transfer") live.join(room); // follow the new queue
      else live.resync(room);
      return;
    }
    // someone else in this queue moved: our place may have changed
    clearTimeout(refresh);
    refresh = setTimeout(() => live.resync(room), 400);
  },
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});
