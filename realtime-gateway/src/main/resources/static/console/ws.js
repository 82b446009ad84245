// The one WebSocket of the console: opened with a single-use ticket (Sec-WebSocket-Protocol: agency.v1,
// ticket.<ticket>), resumed after a drop (resume {connectionId, afterSeq}); views listen with onFrame().
import { $, api } from "./api.js";

const state = { ws: null, connectionId: null, lastSeq: 0, counter: 0, closed: true, replaying: false };
const listeners = new Set();

export function onFrame(listener) {
  listeners.add(listener);
}

export function nextId(prefix) {
  return prefix + "-" + ++state.counter;
}

export function send(frame) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) throw new Error("not connected");
  state.ws.send(JSON.stringify(frame));
}

function setStatus(text, cls) {
  $("status").textContent = text;
  $("status").className = "status " + (cls || "");
}

export async function connect() {
  state.closed = false;
  setStatus("connecting…", "reconnecting");
  const { ticket } = await api("POST", "/api/v1/auth/ws-ticket", {});
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const ws = new WebSocket(url, ["agency.v1", "ticket." + ticket]);
  state.ws = ws;
  let opened;
  const ready = new Promise((resolve, reject) => { opened = { resolve, reject }; });
  ws.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    dispatch(frame);
    if (frame.type === "ready") opened.resolve();
  };
  ws.onclose = (event) => {
    opened.reject(new Error("the connection closed (" + event.code + ")"));
    if (state.ws !== ws) return;
    setStatus("disconnected (" + event.code + ")", "");
    if (!state.closed && event.code !== 4401) setTimeout(() => connect().catch(() => {}), 1000); // and resume
  };
  return ready;
}

export function disconnect() {
  state.closed = true;
  state.connectionId = null;
  state.lastSeq = 0;
  if (state.ws) state.ws.close(1000);
  state.ws = null;
  setStatus("signed out", "");
}

function dispatch(frame) {
  // replayed frames keep the old connection's seq: only the current connection's count for the next resume
  if (typeof frame.seq === "number" && frame.type !== "ready" && !state.replaying) {
    state.lastSeq = Math.max(state.lastSeq, frame.seq);
  }
  if (frame.type === "ready") {
    if (state.connectionId) { // a reconnect: ask for what was missed, streams go on here
      send({ type: "resume", id: nextId("resume"), connectionId: state.connectionId, afterSeq: state.lastSeq });
      state.replaying = true;
    }
    state.connectionId = frame.connectionId;
    state.lastSeq = frame.seq;
    setStatus("connected", "connected");
  } else if (frame.type === "resumed") {
    state.replaying = false;
    state.lastSeq = frame.seq;
  } else if (frame.type === "error" && frame.errorType === "resume_expired") {
    state.replaying = false;
  }
  listeners.forEach((listener) => listener(frame));
}
