// Spoken calls for the lobby display: a chime, then the sentence twice, one call after
// another (a call never cuts off the one before). Voices, in order of preference:
// the browser's own Chinese voice; the same sentence rendered offline by the server
// (espeak-ng); else chime and flash only. Never an online speech service.

const SPEECH_TIMEOUT_MS = 12000;

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
  constructor({ serverSpeech, speechUrl }) {
    this.serverSpeech = serverSpeech;
    this.speechUrl = speechUrl;
    this.queue = [];
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

  get blocked() {
    return !this.audio || this.audio.state !== "running";
  }

  announce(call) {
    this.queue.push(call);
    if (!this.busy) this.next();
  }

  async next() {
    const call = this.queue.shift();
    if (!call) {
      this.busy = false;
      return;
    }
    this.busy = true;
    try {
      await this.chime();
      if (this.mode !== "chime") {
        await this.say(call);
        await this.say(call);
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
