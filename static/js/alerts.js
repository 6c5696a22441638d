// The supervisor's alerts, live: each new urgent matter or group visit appears on top.
import { connectLive, showConnection } from "./live.js";

const page = document.getElementById("alerts-page");
const body = document.getElementById("alerts");
// the hall's time zone, as the server draws the page: never the browser's own
const time = new Intl.DateTimeFormat("zh-CN", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: page.dataset.timezone,
});

function row(alert) {
  const tr = document.createElement("tr");
  const label = alert.kind === "urgent" ? `${page.dataset.urgent} · ${alert.text}` : page.dataset.group.replace("{n}", alert.text);
  for (const [text, className] of [[time.format(new Date(alert.at)), ""], [label, ""], [alert.ticket_number, "num"]]) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    tr.append(td);
  }
  tr.className = "alert-new";
  return tr;
}

const live = connectLive({
  rooms: [`alerts:${page.dataset.hallId}`],
  onSnapshot: (_room, snapshot) => body.replaceChildren(...snapshot.alerts.map(row)),
  onEvent: () => {},
  onStatus: (status) => showConnection(document.getElementById("offline"), status),
});
live.socket.on("alert", (alert) => {
  body.prepend(row(alert));
  navigator.vibrate?.(300);
});
