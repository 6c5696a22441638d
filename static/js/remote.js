// The remote unit's page: its calls, the hall's video desks and who waits for it. The server
// draws the panel; every event of the unit's room (a call rang or ended, the video line or a
// video desk changed) makes the page fetch it again. A new ringing call chimes.
import { connectLive, showConnection } from "./live.js";

const page = document.getElementById("remote");
const panel = document.getElementById("remote-panel");
const banner = document.getElementById("offline");

function ringing() {
  return Number(panel.querySelector("[data-testid=calls]")?.dataset.ringing || 0);
}

function chime() {
  try {
    const audio = new AudioContext();
    for (const [frequency, at] of [
      [880, 0],
      [660, 0.25],
      [880, 0.5],
    ]) {
      const tone = audio.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(audio.destination);
      tone.start(audio.currentTime + at);
      tone.stop(audio.currentTime + at + 0.2);
    }
  } catch {
    // no sound device: the page still shows the call
  }
  document.body.dataset.chimes = String(Number(document.body.dataset.chimes || 0) + 1);
}

let timer = null;
let before = ringing();
async function redraw() {
  const response = await fetch(page.dataset.panelUrl, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  panel.innerHTML = await response.text();
  const now = ringing();
  if (now > before) chime();
  before = now;
}

function soon() {
  clearTimeout(timer);
  timer = setTimeout(redraw, 200);
}

if (page.dataset.unitId) {
  const live = connectLive({
    rooms: [`remote:${page.dataset.unitId}`],
    onSnapshot: soon,
    onEvent: soon,
    onDesk: soon,
    onStatus: (status) => showConnection(banner, status),
  });
  live.socket.on("video", soon);
  // a ringing call runs out without an event: look again now and then
  setInterval(() => {
    if (ringing()) soon();
  }, 5000);
}

// Presence: while this page is open the unit can answer, and the hall's kiosk offers it.
async function present() {
  const body = new FormData();
  body.append("csrf_token", page.dataset.csrf);
  try {
    await fetch(page.dataset.presentUrl, { method: "POST", body, credentials: "same-origin" });
  } catch {
    // offline for a moment: the next round renews it
  }
}
present();
setInterval(present, 45000);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") present();
});
