// Desk console keyboard shortcuts: N call next, R recall, S start, F finish, X no-show,
// H hold, T transfer. Keys typed into a field are left alone.
const consoleRoot = document.getElementById("console");

function typing(target) {
  return target instanceof HTMLElement && target.closest("input, textarea, select");
}

function submitButton(key) {
  const button = consoleRoot.querySelector(`button[data-key="${key}"]`);
  if (!button) return false;
  if (key === "f") {
    const outcome = document.getElementById("outcome");
    if (outcome && !outcome.value.trim()) {
      outcome.focus();
      return true;
    }
  }
  button.form.requestSubmit(button);
  return true;
}

if (consoleRoot) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    const key = event.key.toLowerCase();
    if (key === "t") {
      const details = consoleRoot.querySelector("details.transfer");
      if (details) {
        details.open = true;
        details.querySelector("select")?.focus();
        event.preventDefault();
      }
      return;
    }
    if (submitButton(key)) event.preventDefault();
  });
  consoleRoot.dataset.shortcuts = "ready"; // keys work from here on (tests wait for this)
  // One press, one request: a second click while the first is on its way does nothing.
  consoleRoot.addEventListener("submit", (event) => {
    const form = event.target;
    // a move that cannot be undone (voiding a ticket) asks first
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.sent) event.preventDefault();
    form.dataset.sent = "1";
  });
}
