// The desk-side rating device (评价器): dark until its desk finishes a visitor, then the
// ticket's number and five big buttons; thanks after a tap, dark again after a minute.
import { connectLive, showConnection } from "./live.js";

const body = document.getElementById("rater");
const deskRoom = `desk:${body.dataset.deskId}`;
const seconds = Number(body.dataset.seconds || 60);
let pending = null;
let darkTimer = null;

function show(state) {
  body.dataset.state = state;
  const sections = [
    ["dark", ".rater-dark"],
    ["ask", ".rater-ask"],
    ["why", ".rater-why"],
    ["thanks", ".rater-thanks"],
  ];
  for (const [name, selector] of sections) {
    document.querySelector(selector).hidden = name !== state;
  }
  clearTimeout(darkTimer);
  if (state !== "dark") darkTimer = setTimeout(() => show("dark"), state === "thanks" ? 4000 : seconds * 1000);
}

async function ask() {
  const response = await fetch(body.dataset.pendingUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  pending = data.pending;
  if (!pending) return;
  document.getElementById("rater-number").textContent = pending.number;
  show("ask");
}

const BAD = 2; // 不满意 and worse: ask why before sending (skippable)
let chosen = null;

async function send(level, reasons) {
  if (!pending) return;
  const url = body.dataset.rateUrl.replace("/0/0", `/${pending.ticket_id}/${pending.leg}`);
  const form = new FormData();
  form.append("level", level);
  for (const reason of reasons) form.append("reasons", reason);
  form.append("csrf_token", body.dataset.csrf);
  pending = null;
  const response = await fetch(url, { method: "POST", body: form, credentials: "same-origin" });
  show(response.ok ? "thanks" : "dark");
}

function choose(level) {
  if (!pending) return;
  if (Number(level) > BAD) {
    send(level, []);
    return;
  }
  chosen = level;
  for (const button of document.querySelectorAll("[data-reason]")) button.setAttribute("aria-pressed", "false");
  show("why");
}

for (const button of document.querySelectorAll("[data-level]")) {
  button.addEventListener("click", () => choose(button.dataset.level));
}
for (const button of document.querySelectorAll("[data-reason]")) {
  button.addEventListener("click", () => {
    const pressed = button.getAttribute("aria-pressed") === "true";
    button.setAttribute("aria-pressed", String(!pressed));
  });
}
document.querySelector("[data-send]").addEventListener("click", () => {
  const reasons = [...document.querySelectorAll('[data-reason][aria-pressed="true"]')].map((b) => b.dataset.reason);
  send(chosen, reasons);
});
document.querySelector("[data-skip]").addEventListener("click", () => send(chosen, []));

connectLive({
  rooms: [deskRoom],
  // Every (re)join: a visitor finished while the device was offline or still joining is asked.
  onSnapshot: () => ask(),
  onEvent: (event) => {
    if (event.action === "finish" || event.action === "transfer") ask();
  },
  offlineAfter: Number(body.dataset.offlineAfter || 5),
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});
