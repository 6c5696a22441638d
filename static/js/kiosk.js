// Kiosk: one tap issues one ticket. Double taps (common on touch screens) must not issue two.
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
