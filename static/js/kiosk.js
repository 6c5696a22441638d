// Kiosk: one tap issues one ticket. Double taps (common on touch screens) must not issue two.
// The page turns by itself: at the minute the hall closes (lunch break, evening) the buttons
// go, at the minute it opens they come back, and a set-up change (hours, services) redraws it.
// It never reloads: a reload could send a tap again.
import { connectLive } from "./live.js";

const live = document.getElementById("kiosk-live");
const MAX_WAIT_SECONDS = 600; // look again at least every ten minutes
let timer = null;
let sending = false;

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.id !== "kiosk-form") return;
  if (sending) {
    event.preventDefault();
    return;
  }
  sending = true;
  form.dataset.sent = "1";
  // Keep the pressed button's value: disable the others only after the submit is built.
  setTimeout(() => {
    for (const button of form.querySelectorAll("button")) button.disabled = true;
  }, 0);
});

function schedule() {
  clearTimeout(timer);
  const seconds = Number(live.dataset.changeIn) || MAX_WAIT_SECONDS;
  // one second past the minute, so the server agrees the hall has opened or closed
  timer = setTimeout(redraw, Math.min(seconds + 1, MAX_WAIT_SECONDS) * 1000);
}

// Draw the start page's live part from the server's page, whole (the closed message and the
// buttons together, never one without the other), unless a visitor is pressing a button.
async function redraw() {
  if (sending) return;
  let fresh = null;
  try {
    const response = await fetch(live.dataset.indexUrl, { credentials: "same-origin" });
    if (response.ok) {
      fresh = new DOMParser()
        .parseFromString(await response.text(), "text/html")
        .getElementById("kiosk-live");
    }
  } catch {
    // the network is down: try again at the next turn
  }
  if (fresh && !sending) {
    live.replaceChildren(...fresh.childNodes);
    live.dataset.changeIn = fresh.dataset.changeIn;
    live.dataset.redrawn = String(Number(live.dataset.redrawn || 0) + 1);
  } else if (!fresh) {
    live.dataset.changeIn = "60";
  }
  schedule();
}

if (live) {
  schedule();
  const form = document.getElementById("kiosk-form");
  if (form && window.io) {
    connectLive({
      rooms: [`setup:${form.dataset.hallId}`],
      onSnapshot: () => {},
      onHall: () => redraw(),
      onStatus: (status) => {
        document.body.dataset.connection = status;
      },
    });
  }
}
