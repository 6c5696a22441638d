// The kiosk's "I have a booking": an ID card on the reader checks in today's booking of its
// holder (the number goes to the hall's server once, to find the booking; the rest of the card
// stays in this page and is forgotten with it). Hidden until a reader answers.
import { attachReader } from "./idcard.js";

const form = document.getElementById("card-checkin");
attachReader({
  root: form,
  button: document.getElementById("read-card"),
  status: document.getElementById("card-status"),
  // a refused card (the page says why) is read again only when the button is pressed
  waiting: () => !form.dataset.sent && !document.querySelector("[data-testid=checkin-error]"),
  // a kiosk without a reader offers no card: the visitor is not told about missing hardware
  onState(state) {
    form.hidden = state === "no-reader" || state === "unknown-reader";
  },
  onCard(card) {
    form.querySelector("input[name=id_number]").value = card.idNumber;
    form.dataset.sent = "1";
    form.requestSubmit();
  },
});
