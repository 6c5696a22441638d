// Spoken calls for the lobby display: a chime, then the sentence, one call after another (a
// call never cuts off the one before). The voice keeps up with the screen: a call superseded
// before its turn (recalled, started, transferred, finished, cancelled, called elsewhere) is
// dropped, a recall replaces the queued call of its ticket, a call older than `maxAgeMs` when
// its turn comes is not spoken (the screen still shows it), and the sentence is said twice only
// when nothing else waits. Voices, in order of preference: the browser's own Chinese voice; the
// same sentence rendered offline by the server (espeak-ng); else chime and flash only. Never an
// online speech service.

const SPEECH_TIMEOUT_MS = 12000;
const HISTORY = 50;

function zhVoice() {
  if (!("speechSynthesis" in window)) return null;
  return window.speechSynthesis.getVoices().find((voice) => /^zh|^cmn/i.test(voice.lang)) || null;
}

function waitForVoices(ms) {
  return new Promise((resolve) => {
    if (!("speechSynthesis" in window) || zhVoice()) return resolve();
    const done = () => resolve();
    window.speechSynthesis.addEventListener?.("voiceschanged", done, { once: true });
    setTimeout(done, ms);
  });
}

export class Announcer {
  constructor({ serverSpeech, speechUrl, maxAgeMs = 30000 }) {
    this.serverSpeech = serverSpeech;
    this.speechUrl = speechUrl;
    this.maxAgeMs = maxAgeMs;
    this.queue = [];
    this.history = []; // what was said or dropped, and when: for diagnosis on the screen's console
    this.busy = false;
    this.mode = "chime";
    this.audio = null;
    this.enabled = false;
  }

  async detect() {
    await waitForVoices(1500);
    this.voice = zhVoice();
    this.mode = this.voice ? "browser" : this.serverSpeech ? "server" : "chime";
    return this.mode;
  }

  enable() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (Context && !this.audio) this.audio = new Context();
    this.audio?.resume?.();
    this.enabled = true;
  }

  // sound without a click, where the browser allows it; resolves either way within 500 ms
  async tryEnable() {
    this.enable();
    await Promise.race([this.audio?.resume?.(), new Promise((r) => setTimeout(r, 500))]);
  }

  get blocked() {
    return !this.audio || this.audio.state !== "running";
  }

  // call: {ticketId, number, desk, speech}; a newer call of the same ticket replaces it
  announce(call) {
    this.withdraw(call.ticketId, "replaced");
    this.queue.push({ ...call, receivedAt: Date.now() });
    if (!this.busy) this.next();
  }

  // the ticket moved on (started, transferred, finished…): its queued call is no longer news
  withdraw(ticketId, why = "superseded") {
    const keep = [];
    for (const call of this.queue) {
      if (call.ticketId === ticketId) this.remember(call, why);
      else keep.push(call);
    }
    this.queue = keep;
  }

  get backlog() {
    return this.queue.length;
  }

  remember(call, outcome) {
    this.history.push({
      ticketId: call.ticketId,
      number: call.number,
      desk: call.desk,
      outcome,
      receivedAt: call.receivedAt,
      at: Date.now(),
    });
    if (this.history.length > HISTORY) this.history.shift();
  }

  takeFresh() {
    while (this.queue.length) {
      const call = this.queue.shift();
      if (Date.now() - call.receivedAt <= this.maxAgeMs) return call;
      this.remember(call, "stale");
    }
    return null;
  }

  async next() {
    const call = this.takeFresh();
    if (!call) {
      this.busy = false;
      return;
    }
    this.busy = true;
    try {
      this.remember(call, "spoken");
      await this.chime();
      if (this.mode !== "chime") {
        await this.say(call);
        if (!this.queue.length) await this.say(call); // twice only when nobody else waits
      }
    } catch (error) {
      console.warn("announcement failed", error);
    }
    this.next();
  }

  chime() {
    if (!this.audio) return Promise.resolve();
    const now = this.audio.currentTime;
    for (const [offset, pitch] of [[0, 784], [0.45, 587]]) {
      const tone = this.audio.createOscillator();
      const gain = this.audio.createGain();
      tone.frequency.value = pitch;
      gain.gain.setValueAtTime(0.0001, now + offset);
      gain.gain.exponentialRampToValueAtTime(0.4, now + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.8);
      tone.connect(gain).connect(this.audio.destination);
      tone.start(now + offset);
      tone.stop(now + offset + 0.85);
    }
    return new Promise((resolve) => setTimeout(resolve, 1300));
  }

  say(call) {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(guard);
        resolve();
      };
      const guard = setTimeout(finish, SPEECH_TIMEOUT_MS);
      if (this.mode === "browser") {
        const utterance = new SpeechSynthesisUtterance(call.speech);
        utterance.lang = "zh-CN";
        try {
          if (this.voice) utterance.voice = this.voice;
        } catch (error) {
          console.warn("voice not settable; using the default zh-CN voice", error);
        }
        utterance.rate = 0.9;
        utterance.onend = finish;
        utterance.onerror = finish;
        window.speechSynthesis.speak(utterance);
      } else {
        const url = `${this.speechUrl}?number=${encodeURIComponent(call.number)}&desk=${call.desk}`;
        const player = new Audio(url);
        player.onended = finish;
        player.onerror = finish;
        player.play().catch(finish);
      }
    });
  }
}
