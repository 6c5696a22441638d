// The lobby display: current call, recent calls, waiting counts, clock, spoken calls.
import { Announcer } from "./announcer.js";
import { connectLive, showConnection } from "./live.js";

const body = document.getElementById("lobby");
const hallId = body.dataset.hallId;
const currentCall = document.getElementById("current-call");
const recentList = document.getElementById("recent-calls");
const waitingList = document.getElementById("waiting-counts");
const overlay = document.getElementById("sound-overlay");
const RECENT = 8;
const english = body.dataset.english === "1";
let places = JSON.parse(document.getElementById("desk-places").textContent); // desk id -> place

// the desks' places from a snapshot (after a set-up change they are redrawn, no reload)
function takePlaces(snapshot) {
  if (!snapshot.places || !snapshot.places.length) return;
  places = Object.fromEntries(
    snapshot.places.map((desk) => [
      desk.desk_id,
      {
        number: desk.number,
        place: (english && desk.place_en) || desk.place,
        floor: desk.floor !== snapshot.lobby_floor ? body.dataset.floorLabel.replace("{floor}", desk.floor) : "",
      },
    ]),
  );
}
const currentPlace = document.getElementById("current-place");

const calls = new Map(); // version -> call, the newest RECENT kept
const deskStates = new Map(); // desk id -> {desk_number, state} for desks not open
const statesLine = document.getElementById("desk-states");

function renderDeskStates() {
  const line = (state) =>
    [...deskStates.values()]
      .filter((desk) => desk.state === state)
      .map((desk) => desk.desk_number)
      .sort((a, b) => a - b)
      .join("、");
  const parts = ["paused", "closed"]
    .filter((state) => line(state))
    .map((state) => statesLine.dataset[state].replace("{desks}", line(state)));
  statesLine.textContent = parts.join("　");
}

function onDesk(event) {
  if (event.state === "open") deskStates.delete(event.desk_id);
  else deskStates.set(event.desk_id, event);
  renderDeskStates();
}
const services = new Map(); // id -> {prefix, name, waiting}
let announcedUpTo = 0;

const announcer = new Announcer({
  serverSpeech: body.dataset.serverSpeech === "1",
  speechUrl: body.dataset.speechUrl,
  maxAgeMs: Number(body.dataset.announceMaxAge || 30) * 1000,
});
window.lobbyAnnouncer = announcer; // the screen's console can tell what was said and dropped

function callText(call) {
  return body.dataset.callText.replace("{number}", call.number).replace("{desk}", call.desk_number);
}

function placeOf(call) {
  return places[call.desk_id] || { place: "", floor: "" };
}

function showCurrent(call, { flash = true } = {}) {
  if (!call) {
    currentCall.textContent = body.dataset.nobody;
    currentPlace.textContent = "";
    return;
  }
  currentCall.textContent = callText(call);
  const { place, floor } = placeOf(call);
  currentPlace.textContent = place || floor;
  currentCall.classList.remove("flash");
  if (!flash) return; // a call from before this page loaded is shown, not flashed as new
  void currentCall.offsetWidth; // restart the animation
  currentCall.classList.add("flash");
}

function renderRecent() {
  // newest first, one line per ticket (a recall moves it back to the top)
  const seen = new Set();
  const newest = [...calls.values()]
    .sort((a, b) => b.version - a.version)
    .filter((call) => !seen.has(call.number) && seen.add(call.number))
    .slice(0, RECENT);
  const oldestKept = newest.length ? newest[newest.length - 1].version : 0;
  for (const key of calls.keys()) if (key < oldestKept) calls.delete(key);
  recentList.replaceChildren(
    ...newest.map((call) => {
      const row = document.createElement("tr");
      const number = document.createElement("td");
      number.textContent = call.number;
      number.className = "num";
      const desk = document.createElement("td");
      desk.className = "desk";
      desk.textContent = call.desk_number; // the column's heading says "desk"
      const { floor } = placeOf(call);
      if (floor) {
        const badge = document.createElement("small");
        badge.className = "floor";
        badge.textContent = floor;
        desk.append(badge);
      }
      row.append(number, desk);
      return row;
    }),
  );
}

function renderWaiting() {
  waitingList.replaceChildren(
    ...[...services.values()].map((service) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "svc";
      name.textContent = (english && service.name_en) || service.name;
      const line = document.createElement("span");
      line.className = "svc-line";
      const count = document.createElement("b");
      count.className = "count";
      count.textContent = service.waiting;
      count.dataset.serviceId = service.id;
      const wait = document.createElement("span");
      wait.className = "wait";
      const minutes = Math.ceil(service.waiting * (service.minutes_per_person || 0));
      wait.textContent = service.waiting
        ? body.dataset.waitAbout.replace("{minutes}", Math.max(minutes, 1))
        : body.dataset.waitNone;
      line.append(count, wait);
      item.append(name, line);
      return item;
    }),
  );
}

function announce(call) {
  if (call.version <= announcedUpTo || !call.announce) return;
  announcedUpTo = call.version;
  announcer.announce({
    ticketId: call.ticket_id,
    speech: call.announce.speech,
    number: call.number,
    desk: call.desk_number,
  });
}

function onSnapshot(room, snapshot) {
  takePlaces(snapshot);
  deskStates.clear();
  for (const desk of snapshot.desk_states || []) deskStates.set(desk.desk_id, desk);
  renderDeskStates();
  services.clear();
  for (const service of snapshot.services) services.set(String(service.id), service);
  renderWaiting();
  const fresh = snapshot.calls.filter((c) => !calls.has(c.version));
  for (const call of snapshot.calls) calls.set(call.version, call);
  renderRecent();
  const newest = snapshot.calls[0];
  if (announcedUpTo === 0) {
    // first snapshot of this page: show the latest call, do not read out the past
    announcedUpTo = snapshot.version;
    showCurrent(newest, { flash: false });
  } else {
    // calls missed while disconnected: show and read out the ones not yet announced
    fresh.sort((a, b) => a.version - b.version).forEach(announce);
    if (fresh.length) showCurrent(newest);
  }
  document.getElementById("notice").textContent = snapshot.notice;
}

function onEvent(event) {
  for (const [serviceId, count] of Object.entries(event.waiting || {})) {
    const service = services.get(serviceId);
    if (service) service.waiting = count;
  }
  renderWaiting();
  if (event.action === "call" || event.action === "recall") {
    const call = {
      version: event.version,
      action: event.action,
      ticket_id: event.ticket.id,
      number: event.ticket.number,
      desk_id: event.ticket.desk_id,
      desk_number: event.ticket.desk_number,
      announce: event.announce,
    };
    calls.set(call.version, call);
    renderRecent();
    showCurrent(call);
    announce(call);
  } else {
    announcer.withdraw(event.ticket.id); // its call, if still queued, is no longer news
  }
}

function tickClock() {
  const clock = document.getElementById("clock");
  clock.textContent = new Intl.DateTimeFormat("zh-CN", {
    timeZone: body.dataset.timezone,
    dateStyle: "long",
    timeStyle: "medium",
  }).format(new Date());
}

function enableSound() {
  announcer.enable();
  overlay.hidden = true;
}

async function start() {
  tickClock();
  setInterval(tickClock, 1000);
  const mode = await announcer.detect();
  const label = document.getElementById("voice-mode");
  label.textContent = body.dataset[`mode${mode[0].toUpperCase()}${mode.slice(1)}`];
  // Browsers keep sound off until someone clicks once on this page load, unless the screen's
  // browser allows it (a kiosk Chromium with --autoplay-policy=no-user-gesture-required):
  // then no overlay covers the screen.
  await announcer.tryEnable();
  if (announcer.blocked && body.dataset.autoplay === "1") {
    // a screen enrolled as able to play sound unasked is never covered: it says what is wrong
    document.getElementById("sound-blocked").hidden = false;
  } else if (announcer.blocked) overlay.hidden = false;
  overlay.addEventListener("click", enableSound);
  body.dataset.voiceMode = mode; // set last: the screen's sound state is settled from here
  const live = connectLive({
    rooms: [`hall:${hallId}`],
    onSnapshot,
    onEvent,
    onDesk,
    onHall: () => live.resync(`hall:${hallId}`), // the set-up changed: names and places anew
    offlineAfter: Number(body.dataset.offlineAfter || 5),
    onStatus: (status) => showConnection(document.getElementById("offline"), status),
  });
}

start();
