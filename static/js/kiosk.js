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
