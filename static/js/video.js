// Video reception: one WebRTC call between the hall's video desk and a remote unit, signalled
// through our Socket.IO server in the session's own room (only the two parties may join it).
// The hall's side makes every offer. When the connection drops (either side's network, a
// reloaded page) the hall offers again on the same session, so the call comes back without a
// new call. When the hall records, both pictures are drawn on one canvas and both voices mixed;
// MediaRecorder's pieces are uploaded as they come, each retried until the server has it.
import { connectLive } from "./live.js";

const page = document.getElementById("video");
const data = JSON.parse(document.getElementById("video-data").textContent);
const L = data.labels;
const room = `video:${data.session_id}`;
const isHall = data.party === "hall";
const statusLine = document.getElementById("video-status");
const mediaLine = document.getElementById("media-message");
const uploadLine = document.getElementById("upload-message");
const remoteVideo = document.getElementById("remote-video");
const localVideo = document.getElementById("local-video");
const csrf = page.dataset.csrf;

let local = null; // this side's camera and microphone, or null: receive only
let pc = null;
let generation = 0;
let pending = []; // ICE candidates that came before their offer or answer
let lastAttempt = 0;
let info = { state: page.dataset.state, seconds_left: 0 };
let over = false;
let recorder = null;
const uploads = [];
let uploading = false;

function show(text, state) {
  statusLine.textContent = text;
  statusLine.dataset.state = state;
  page.dataset.connection = state;
  drawVisitor(state);
}

// --- the visitor's own screen (the hall's side): the same call, full screen, plain words ---
const visitorView = document.getElementById("visitor-view");
const V = data.visitor_labels || {};

function drawVisitor(state) {
  if (!visitorView) return;
  const line = document.getElementById("visitor-status");
  line.textContent = V[state] ?? V.connecting ?? "";
  line.dataset.state = state;
  const video = document.getElementById("visitor-video");
  if (video.srcObject !== remoteVideo.srcObject) video.srcObject = remoteVideo.srcObject;
}

function openVisitorView() {
  visitorView.hidden = false;
  document.body.classList.add("visitor-mode");
  drawVisitor(statusLine.dataset.state || "connecting");
  visitorView.requestFullscreen?.().catch(() => {}); // a kiosk browser may refuse: still fills the window
}

function closeVisitorView() {
  visitorView.hidden = true;
  document.body.classList.remove("visitor-mode");
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
}

if (visitorView) {
  document.getElementById("visitor-open").addEventListener("click", openVisitorView);
  document.getElementById("visitor-exit").addEventListener("click", closeVisitorView);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !visitorView.hidden) closeVisitorView();
  });
  document.addEventListener("fullscreenchange", () => {
    if (!document.fullscreenElement && !visitorView.hidden) closeVisitorView();
  });
}

function mediaText(error) {
  const name = error?.name ?? "";
  if (!navigator.mediaDevices || name === "NotAllowedError" || name === "SecurityError") {
    return navigator.mediaDevices ? L.denied : L.missing;
  }
  if (name === "NotFoundError" || name === "OverconstrainedError" || name === "NotReadableError") {
    return L.missing;
  }
  return L.media_error.replace("%(name)s", name || String(error));
}

async function openMedia() {
  if (!navigator.mediaDevices?.getUserMedia) {
    mediaLine.textContent = mediaText(null);
    mediaLine.hidden = false;
    return null;
  }
  let first = null;
  for (const constraints of [{ audio: true, video: true }, { audio: true }, { video: true }]) {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      if (!constraints.video) {
        mediaLine.textContent = L.audio_only;
        mediaLine.hidden = false;
      }
      return stream;
    } catch (error) {
      first ??= error;
      if (error.name === "NotAllowedError" || error.name === "SecurityError") break;
    }
  }
  mediaLine.textContent = mediaText(first);
  mediaLine.hidden = false;
  return null;
}

let live = null;
function signal(message) {
  live?.socket.emit("signal", { session: data.session_id, data: message });
}

function newPeer(gen) {
  if (pc) {
    pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = null;
    pc.close();
  }
  const mine = new RTCPeerConnection({ iceServers: data.ice_servers });
  pc = mine;
  mine.onicecandidate = (event) => {
    if (event.candidate) signal({ type: "candidate", gen, candidate: event.candidate.toJSON() });
  };
  mine.ontrack = (event) => {
    const stream = event.streams[0] ?? new MediaStream([event.track]);
    if (remoteVideo.srcObject !== stream) remoteVideo.srcObject = stream;
    recorder?.addAudio(stream);
  };
  mine.onconnectionstatechange = () => watch(mine);
  if (local) for (const track of local.getTracks()) mine.addTrack(track, local);
  if (isHall) {
    // receive both even when this side has no camera or microphone of its own
    const own = new Set(local ? local.getTracks().map((t) => t.kind) : []);
    for (const kind of ["audio", "video"]) {
      if (!own.has(kind)) mine.addTransceiver(kind, { direction: "recvonly" });
    }
  }
  return mine;
}

function addPending() {
  const mine = pc;
  for (const item of pending.filter((p) => p.gen === generation)) {
    mine.addIceCandidate(item.candidate).catch(() => {});
  }
  pending = pending.filter((p) => p.gen > generation);
}

async function offer() {
  if (!isHall || over || info.state !== "active") return;
  lastAttempt = Date.now();
  generation += 1;
  const gen = generation;
  const mine = newPeer(gen);
  const description = await mine.createOffer();
  if (mine !== pc) return;
  await mine.setLocalDescription(description);
  signal({ type: "offer", gen, sdp: description.sdp });
}

function askForOffer() {
  lastAttempt = Date.now();
  signal({ type: "hello" });
}

async function onSignal(message) {
  const d = message.data;
  if (d.type === "hello") {
    if (isHall) await offer();
  } else if (d.type === "offer" && !isHall) {
    lastAttempt = Date.now();
    generation = d.gen;
    const mine = newPeer(d.gen);
    await mine.setRemoteDescription({ type: "offer", sdp: d.sdp });
    addPending();
    const answer = await mine.createAnswer();
    if (mine !== pc) return;
    await mine.setLocalDescription(answer);
    signal({ type: "answer", gen: d.gen, sdp: answer.sdp });
  } else if (d.type === "answer" && isHall && d.gen === generation && pc) {
    await pc.setRemoteDescription({ type: "answer", sdp: d.sdp });
    addPending();
  } else if (d.type === "candidate") {
    if (d.gen === generation && pc?.remoteDescription) {
      pc.addIceCandidate(d.candidate).catch(() => {});
    } else if (d.gen >= generation) {
      pending.push({ gen: d.gen, candidate: d.candidate });
    }
  }
}

function connected() {
  return pc?.connectionState === "connected";
}

function watch(mine) {
  if (mine !== pc || over) return;
  const state = mine.connectionState;
  if (state === "connected") {
    show(L.connected, "connected");
    startRecording();
  } else if (state === "disconnected" || state === "failed" || state === "closed") {
    show(L.reconnecting, "reconnecting");
    if (state !== "disconnected") retry();
  }
}

function retry() {
  if (over || info.state !== "active") return;
  if (isHall) offer();
  else askForOffer();
}

// A lost offer, answer or candidate must not leave the call dead: while the session runs and
// the connection is not up, try again every few seconds.
setInterval(() => {
  if (over || info.state !== "active" || connected()) return;
  if (Date.now() - lastAttempt > 6000) retry();
}, 1000);

async function refresh() {
  const response = await fetch(data.state_url, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const was = info.state;
  info = await response.json();
  page.dataset.state = info.state;
  if (isHall) {
    document.getElementById("remote-name").textContent = info.remote_name || "—";
    const name = document.getElementById("visitor-name");
    if (name) name.textContent = info.remote_name ? `${info.remote_name} · ` : "";
    const box = document.querySelector("[data-testid=remote-outcome]");
    box.hidden = !info.outcome;
    document.getElementById("remote-outcome-text").textContent = info.outcome;
  }
  drawState();
  if (info.state === "active" && was !== "active" && isHall) offer();
  if (["ended", "cancelled", "unanswered"].includes(info.state)) finish();
}

let ringTimer = null;
function drawState() {
  clearInterval(ringTimer);
  if (info.state === "ringing") {
    let left = info.seconds_left;
    const tick = () => {
      show(L.ringing.replace("%(seconds)s", String(Math.max(0, left))), "ringing");
      if (left-- <= 0) refresh();
    };
    tick();
    ringTimer = setInterval(tick, 1000);
  } else if (info.state === "unanswered") {
    show(L.unanswered, "unanswered");
  } else if (info.state === "ended" || info.state === "cancelled") {
    show(L[info.state], info.state);
  } else if (info.state === "active" && !connected()) {
    show(L.waiting_peer, "waiting");
  }
}

async function finish() {
  if (over) return;
  over = true;
  await stopRecording();
  if (pc) pc.close();
  for (const track of local?.getTracks() ?? []) track.stop();
}

// --- recording (the hall's side) ----------------------------------------------------------

function startRecording() {
  if (!isHall || !info.recording || recorder || over || typeof MediaRecorder === "undefined") {
    return;
  }
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 360;
  const draw = canvas.getContext("2d");
  const paint = () => {
    draw.fillStyle = "#000";
    draw.fillRect(0, 0, 640, 360);
    if (remoteVideo.readyState >= 2) draw.drawImage(remoteVideo, 0, 0, 640, 360);
    if (localVideo.readyState >= 2) draw.drawImage(localVideo, 472, 262, 160, 90);
  };
  const painter = setInterval(paint, 1000 / 15);
  const audio = new AudioContext();
  document.addEventListener("click", () => audio.resume(), { once: true });
  const mix = audio.createMediaStreamDestination();
  const mixed = new Set();
  const addAudio = (stream) => {
    if (!stream || mixed.has(stream.id) || !stream.getAudioTracks().length) return;
    audio.createMediaStreamSource(stream).connect(mix);
    mixed.add(stream.id);
  };
  addAudio(local);
  addAudio(remoteVideo.srcObject);
  const tracks = [...canvas.captureStream(15).getVideoTracks(), ...mix.stream.getAudioTracks()];
  const type = ["video/webm;codecs=vp8,opus", "video/webm"].find((t) =>
    MediaRecorder.isTypeSupported(t),
  );
  const media = new MediaRecorder(new MediaStream(tracks), type ? { mimeType: type } : {});
  let seq = 1; // pieces are numbered from 1, like every id in our paths
  const stopped = new Promise((resolve) => {
    media.onstop = resolve;
  });
  media.ondataavailable = (event) => {
    if (event.data.size) uploads.push({ seq: seq++, blob: event.data });
    pump();
  };
  media.start(data.chunk_ms);
  recorder = { media, painter, audio, addAudio, stopped };
  page.dataset.recording = "on";
}

async function pump() {
  if (uploading) return;
  uploading = true;
  while (uploads.length) {
    const piece = uploads[0];
    try {
      const response = await fetch(data.recording_url + piece.seq, {
        method: "POST",
        body: piece.blob,
        headers: { "X-CSRFToken": csrf, "Content-Type": "application/octet-stream" },
      });
      // refused for good (the session's upload time is over): nothing a retry would change
      if (!response.ok && response.status < 409) throw new Error(String(response.status));
      uploads.shift();
      uploadLine.hidden = true;
      page.dataset.uploaded = String(piece.seq);
    } catch {
      uploadLine.textContent = L.upload_failed;
      uploadLine.hidden = false;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  uploading = false;
}

async function stopRecording() {
  if (!recorder) return;
  const { media, painter, stopped } = recorder;
  if (media.state !== "inactive") {
    media.stop();
    await stopped;
  }
  clearInterval(painter);
  const deadline = Date.now() + 20000;
  while ((uploads.length || uploading) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  page.dataset.recording = "done";
}

// --- the page's forms ---------------------------------------------------------------------

const endForm = document.getElementById("end-form");
endForm.addEventListener("submit", async (event) => {
  if (!recorder || over) return;
  event.preventDefault();
  await finish(); // the last piece of the recording reaches the server before the hang-up
  endForm.submit();
});

const outcomeForm = document.getElementById("outcome-form");
outcomeForm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const result = document.getElementById("outcome-result");
  const response = await fetch(outcomeForm.action, {
    method: "POST",
    body: new FormData(outcomeForm),
    headers: { Accept: "application/json" },
  });
  const body = await response.json().catch(() => ({}));
  result.textContent = body.message || response.statusText;
  result.dataset.ok = String(response.ok);
});

window.videoCall = {
  get pc() {
    return pc;
  },
  get generation() {
    return generation;
  },
  async framesDecoded() {
    if (!pc) return 0;
    let frames = 0;
    (await pc.getStats()).forEach((report) => {
      if (report.type === "inbound-rtp" && report.kind === "video") frames += report.framesDecoded;
    });
    return frames;
  },
};

local = await openMedia();
if (local) localVideo.srcObject = local;
live = connectLive({
  rooms: [room],
  onSnapshot: () => {
    refresh();
    if (info.state === "active") retry();
  },
  onStatus: (status) => {
    if (status !== "online" && !over) show(L.reconnecting, "reconnecting");
  },
});
live.socket.on("signal", onSignal);
live.socket.on("video", refresh);
live.socket.on("video_peer", (peer) => {
  if (over) return;
  if (peer.present && isHall) offer();
  if (!peer.present) show(L.reconnecting, "reconnecting");
});
refresh();
