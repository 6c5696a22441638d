// The printed ticket: print once, then go back to the kiosk after a countdown.
// A failing or missing printer never blocks anything: the ticket stays on screen.
const slip = document.getElementById("ticket");
const countdown = document.getElementById("countdown");

function printSlip() {
  try {
    window.print();
  } catch (error) {
    console.warn("printing failed", error);
  }
}

if (slip) {
  document.getElementById("print-again")?.addEventListener("click", printSlip);
  if (slip.dataset.autoPrint === "1") setTimeout(printSlip, 300);
  let left = Number(slip.dataset.returnSeconds || 0);
  if (left > 0) {
    const tick = () => {
      countdown.textContent = countdown.dataset.label.replace("{seconds}", left);
      if (left <= 0) {
        window.location.assign(slip.dataset.returnUrl);
        return;
      }
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  }
}
