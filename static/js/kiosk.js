// Kiosk: one tap issues one ticket. Double taps (common on touch screens) must not issue two.
import { connectLive } from "./live.js";

const form = document.getElementById("kiosk-form");
if (form) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    // Keep the pressed button's value: disable the others only after the submit is built.
    setTimeout(() => {
      for (const button of form.querySelectorAll("button")) button.disabled = true;
    }, 0);
  });
}

// Closed (outside the opening hours, lunch break): the buttons come back by themselves when the
// centre opens; checked again at least every ten minutes.
const closed = document.querySelector("[data-reopen-in]");
if (closed) {
  const seconds = Number(closed.dataset.reopenIn) || 600;
  setTimeout(() => window.location.reload(), Math.min(seconds + 2, 600) * 1000);
}

// A set-up change (a renamed service, a new one, one taken out of use): redraw the buttons
// from the server's page, without reloading, unless a visitor is pressing one right now.
async function redraw() {
  if (!form || form.dataset.sent) return;
  const response = await fetch(window.location.pathname, { credentials: "same-origin" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const grid = fresh.getElementById("kiosk-form");
  if (grid && !form.dataset.sent) {
    form.replaceChildren(...grid.childNodes);
    form.dataset.redrawn = String(Number(form.dataset.redrawn || 0) + 1);
  }
}

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
