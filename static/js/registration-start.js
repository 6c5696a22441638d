// The registrar's look-up: the ID card on the reader fills the ID number (and the name and
// address the next page shows) and looks the visitor up; typing the number still works.
import { attachReader } from "./idcard.js";

const form = document.getElementById("lookup");
const number = form.querySelector("input[name=id_number]");
attachReader({
  root: form,
  button: document.getElementById("read-card"),
  status: document.getElementById("card-status"),
  waiting: () => !number.value && !form.dataset.sent,
  onCard(card) {
    number.value = card.idNumber;
    form.querySelector("input[name=card_name]").value = card.name;
    form.querySelector("input[name=card_address]").value = card.address;
    form.dataset.sent = "1";
    form.requestSubmit();
  },
});
