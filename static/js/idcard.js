// Reading the second-generation ID card through the reader vendor's local service, from the
// browser of the counter (or kiosk) the reader is plugged into. One small adapter per vendor
// answer shape turns the vendor's JSON into {name, idNumber, sex, birthDate, address,
// validUntil}; the card's photo is never kept, shown or sent anywhere (it is dropped in the
// adapter). Nothing here talks to our server: the page decides what to post.

const ADAPTERS = {
  // 华视 CVR-100 (and readers answering in its shape): GET http://127.0.0.1:19196/readcard
  cvr100(answer) {
    if (Number(answer.resultFlag) !== 0) return { error: "no-card", detail: answer.errorMsg || "" };
    return {
      card: {
        name: String(answer.partyName || "").trim(),
        idNumber: String(answer.certNumber || "").trim().toUpperCase(),
        sex: String(answer.gender || "").trim(),
        birthDate: isoDay(answer.bornDay),
        address: String(answer.certAddress || "").trim(),
        validUntil: String(answer.expDate || "").trim(),
      },
    };
  },
};

// "19900307" → "1990-03-07" (anything else: as given)
export function isoDay(text) {
  const digits = String(text || "").replace(/\D/g, "");
  return digits.length === 8 ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}` : String(text || "");
}

// Expired: a validity end date (YYYYMMDD) before today; "长期" never expires.
export function expired(validUntil, today = new Date()) {
  const digits = String(validUntil || "").replace(/\D/g, "");
  if (digits.length !== 8) return false;
  const end = new Date(Number(digits.slice(0, 4)), Number(digits.slice(4, 6)) - 1, Number(digits.slice(6)));
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  return end < start;
}

// The vendor's answer, read into our shape: {card} or {error: "no-reader" | "no-card" |
// "expired" | "unknown-reader"}.
export function interpret(kind, answer, today = new Date()) {
  const adapter = ADAPTERS[kind];
  if (!adapter) return { error: "unknown-reader" };
  const read = adapter(answer || {});
  if (read.error) return read;
  if (!read.card.idNumber) return { error: "no-card" };
  if (expired(read.card.validUntil, today)) return { error: "expired", card: { validUntil: read.card.validUntil } };
  return read;
}

export async function readCard(url, kind) {
  let answer;
  try {
    const response = await fetch(url, { cache: "no-store", credentials: "omit" });
    if (!response.ok) return { error: "no-reader" };
    answer = await response.json();
  } catch {
    return { error: "no-reader" };
  }
  return interpret(kind, answer);
}

// Wire a "读取身份证" button and a poll of the reader; a card read by the poll is taken only while
// `waiting()` says the page still wants one (a card left on the reader after a refusal is not
// sent again and again), a card read by the button always.
// The texts shown in `status` come from the root's data attributes; `onCard(card)` gets a valid
// card; `onState(state)` hears each read's outcome ("ok" or the error).
export function attachReader({ root, button, status, waiting, onCard, onState = () => {}, every = 1500 }) {
  const url = root.dataset.readerUrl;
  const kind = root.dataset.readerKind;
  if (!url || !kind) return;
  let busy = false;
  let lastError = "";
  async function attempt(byHand) {
    if (busy) return;
    busy = true;
    try {
      const read = await readCard(url, kind);
      onState(read.error || "ok");
      if (read.card && !read.error) {
        lastError = "";
        // the poll keeps watching the reader, but only a page still waiting takes the card
        if (byHand || waiting()) {
          status.textContent = root.dataset.readOk || "";
          onCard(read.card);
        }
        return;
      }
      // a poll says each trouble once; a press of the button says it every time
      if (byHand || read.error !== lastError) {
        let text = root.dataset[`reader${read.error.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`] || read.error;
        if (read.error === "expired") text = text.replace("{date}", read.card.validUntil);
        status.textContent = text;
      }
      lastError = read.error;
    } finally {
      busy = false;
    }
  }
  button.hidden = false;
  button.addEventListener("click", () => attempt(true));
  const timer = setInterval(() => {
    if (document.visibilityState === "visible") attempt(false);
  }, every);
  return () => clearInterval(timer);
}
