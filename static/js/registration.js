// The registrar's form: desks in the order chosen (arrows, drag, or Alt+↑/↓), representatives
// as many as the group's size asks for (at most five, Art. 20), and the accused department
// only for an accusation. Without this script the form still works: every field is there.
const form = document.getElementById("registration");
const route = document.getElementById("route");
const accusation = document.getElementById("accusation");
const accusedBox = document.getElementById("accused-box");
const reps = document.getElementById("representatives");
const groupSize = form.querySelector("input[name=group_size]");

// --- desks, in order: ticked desks first, in the order shown (the order they are posted) ---
function items() {
  return [...route.children];
}

function ticked(item) {
  return item.querySelector("input[type=checkbox]").checked;
}

function renumber() {
  let position = 0;
  for (const item of items()) {
    const on = ticked(item);
    item.classList.toggle("chosen", on);
    item.querySelector(".pos").textContent = on ? `${++position}.` : "";
    for (const button of item.querySelectorAll(".move-desk")) button.hidden = !on;
  }
}

function move(item, step) {
  const chosen = items().filter(ticked);
  const index = chosen.indexOf(item);
  const target = chosen[index + step];
  if (!target) return;
  if (step < 0) route.insertBefore(item, target);
  else route.insertBefore(item, target.nextSibling);
  renumber();
}

function arrow(label, text, step, item) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "move-desk";
  button.textContent = text;
  button.setAttribute("aria-label", label);
  button.addEventListener("click", () => {
    move(item, step);
    button.focus();
  });
  return button;
}

for (const item of items()) {
  const pos = document.createElement("span");
  pos.className = "pos";
  item.prepend(pos);
  item.append(arrow(form.dataset.up, "↑", -1, item), arrow(form.dataset.down, "↓", 1, item));
  const box = item.querySelector("input[type=checkbox]");
  box.addEventListener("change", () => {
    // a desk just ticked joins the end of the chosen ones; an unticked one leaves them
    const chosen = items().filter((other) => other !== item && ticked(other));
    const last = chosen[chosen.length - 1];
    if (box.checked) route.insertBefore(item, last ? last.nextSibling : route.firstChild);
    else route.insertBefore(item, chosen.length ? chosen[chosen.length - 1].nextSibling : null);
    renumber();
    box.focus();
  });
  box.addEventListener("keydown", (event) => {
    if (!event.altKey || !box.checked) return;
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      event.preventDefault();
      move(item, event.key === "ArrowUp" ? -1 : 1);
      box.focus();
    }
  });
  item.addEventListener("dragstart", (event) => {
    if (!box.checked) return event.preventDefault();
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
  });
  item.addEventListener("dragend", () => {
    item.classList.remove("dragging");
    renumber();
  });
  item.addEventListener("dragover", (event) => {
    const dragged = route.querySelector(".dragging");
    if (!dragged || dragged === item || !ticked(item)) return;
    event.preventDefault();
    const rect = item.getBoundingClientRect();
    const after = event.clientY > rect.top + rect.height / 2;
    route.insertBefore(dragged, after ? item.nextSibling : item);
  });
}
renumber();

// --- representatives: as many as the group's size asks for, at most five ---
function showRepresentatives() {
  const size = Number.parseInt(groupSize.value, 10) || 1;
  const inputs = [...reps.querySelectorAll("input[name=representative]")];
  const filled = inputs.filter((input) => input.value.trim()).length;
  const shown = Math.max(Math.min(size, 5), filled);
  reps.hidden = shown < 2;
  inputs.forEach((input, index) => {
    input.hidden = index >= shown;
    input.disabled = index >= shown;
  });
}
groupSize.addEventListener("input", showRepresentatives);
showRepresentatives();

// --- the accused department, only for an accusation ---
function showAccused() {
  accusedBox.hidden = !accusation.checked;
  accusedBox.querySelector("select").disabled = !accusation.checked;
}
accusation.addEventListener("change", showAccused);
showAccused();
form.dataset.ready = "1"; // tests wait for this
