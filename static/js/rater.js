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
  for (const [name, selector] of [["dark", ".rater-dark"], ["ask", ".rater-ask"], ["thanks", ".rater-thanks"]]) {
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

async function rate(level) {
  if (!pending) return;
  const url = body.dataset.rateUrl.replace("/0/0", `/${pending.ticket_id}/${pending.leg}`);
  const form = new FormData();
  form.append("level", level);
  form.append("csrf_token", body.dataset.csrf);
  pending = null;
  const response = await fetch(url, { method: "POST", body: form, credentials: "same-origin" });
  show(response.ok ? "thanks" : "dark");
}

for (const button of document.querySelectorAll("[data-level]")) {
  button.addEventListener("click", () => rate(button.dataset.level));
}

connectLive({
  rooms: [deskRoom],
  onSnapshot: () => {},
  onEvent: (event) => {
    if (event.action === "finish" || event.action === "transfer") ask();
  },
  offlineAfter: Number(body.dataset.offlineAfter || 5),
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});
