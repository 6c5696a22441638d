// A button with `data-confirm` asks before it acts: a step that cannot be taken back (accepting
// a matter, ending a video reception, cancelling a booking) is never one slip of a finger.
document.addEventListener(
  "click",
  (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);
