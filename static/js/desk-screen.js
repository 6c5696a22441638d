// The LED strip above a desk: the number being served there.
import { connectLive, showConnection } from "./live.js";

const body = document.getElementById("desk-screen");
const deskId = body.dataset.deskId;
const number = document.getElementById("desk-number");

let state = "open";

function show(ticket) {
  if (state !== "open" && !ticket) {
    number.textContent = number.dataset[state]; // 暂停服务 / 窗口关闭
    number.classList.remove("busy");
    body.dataset.state = state;
    return;
  }
  body.dataset.state = "open";
  number.textContent = ticket ? ticket.number : number.dataset.idle;
  number.classList.toggle("busy", Boolean(ticket));
}

connectLive({
  rooms: [`desk:${deskId}`],
  onSnapshot: (room, snapshot) => {
    state = snapshot.state || "open";
    show(snapshot.current);
  },
  onDesk: (event) => {
    if (String(event.desk_id) !== deskId) return;
    state = event.state;
    show(null);
  },
  onEvent: (event) => {
    const ticket = event.ticket;
    if (String(ticket.desk_id) === deskId && ["called", "serving"].includes(ticket.state)) {
      show(ticket);
    } else if (number.textContent === ticket.number) {
      show(null);
    }
  },
  offlineAfter: Number(body.dataset.offlineAfter || 5),
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});
