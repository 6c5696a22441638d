// The online petition form: the code is asked for without leaving the page, and the form is
// sent by script so that a refusal keeps every chosen file as well as everything typed (a
// page drawn again by the server can refill text, never a file input).

const form = document.getElementById("online-form");
const errorBox = form.querySelector('[data-testid="form-error"]');
const messageBox = form.querySelector('[data-testid="form-message"]');
const codeButton = form.querySelector("[data-send-code]");
const fileInput = form.querySelector('input[type="file"]');
const chosen = form.querySelector(".online-chosen");
const maxFiles = Number(form.dataset.maxFiles);
const maxBytes = Number(form.dataset.maxBytes);

function say(box, text) {
  box.textContent = text || "";
  box.hidden = !text;
  if (text) box.scrollIntoView({ block: "center" });
}

function clearFieldErrors() {
  for (const node of form.querySelectorAll(".field-error[data-by-script]")) node.remove();
}

function markFields(fields) {
  for (const [name, problems] of Object.entries(fields || {})) {
    const input = form.elements.namedItem(name);
    if (!input || !problems.length || !input.closest) continue;
    const note = document.createElement("span");
    note.className = "field-error";
    note.setAttribute("role", "alert");
    note.dataset.byScript = "";
    note.dataset.testid = `error-${name}`;
    note.textContent = problems[0];
    (input.closest("label") || input).append(note);
  }
}

function post(url, body) {
  return fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch", Accept: "application/json" },
  });
}

function filesProblem() {
  const files = [...fileInput.files];
  if (files.length > maxFiles) return form.dataset.tooMany;
  const big = files.find((file) => file.size > maxBytes);
  return big ? form.dataset.tooBig.replace("{name}", big.name) : "";
}

fileInput.addEventListener("change", () => {
  chosen.replaceChildren(
    ...[...fileInput.files].map((file) => {
      const item = document.createElement("li");
      item.textContent = `${file.name} (${Math.ceil(file.size / 1024)} KB)`;
      return item;
    }),
  );
  say(errorBox, filesProblem());
});

function countdown(seconds) {
  const label = codeButton.textContent;
  codeButton.disabled = true;
  const tick = () => {
    if (seconds <= 0) {
      codeButton.disabled = false;
      codeButton.textContent = label;
      return;
    }
    codeButton.textContent = form.dataset.wait.replace("{n}", seconds);
    seconds -= 1;
    setTimeout(tick, 1000);
  };
  tick();
}

codeButton.addEventListener("click", async (event) => {
  event.preventDefault();
  say(errorBox, "");
  const body = new FormData();
  body.append("csrf_token", form.elements.namedItem("csrf_token").value);
  body.append("phone", form.elements.namedItem("phone").value);
  try {
    const response = await post(form.dataset.codeUrl, body);
    const answer = await response.json();
    if (!response.ok) {
      say(errorBox, answer.message);
      return;
    }
    say(messageBox, answer.message);
    countdown(answer.wait || 60);
    form.elements.namedItem("code").focus();
  } catch {
    say(errorBox, form.dataset.failed);
  }
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors();
  say(messageBox, "");
  const problem = filesProblem();
  if (problem) {
    say(errorBox, problem);
    return;
  }
  const button = form.querySelector('[data-testid="online-submit"]');
  button.disabled = true;
  try {
    const response = await post(form.action, new FormData(form));
    const answer = await response.json().catch(() => ({}));
    if (response.ok && answer.redirect) {
      window.location.assign(answer.redirect);
      return;
    }
    markFields(answer.fields);
    say(errorBox, answer.message || form.dataset.failed);
  } catch {
    say(errorBox, form.dataset.failed);
  } finally {
    button.disabled = false;
  }
});
