// Agency console: plain JavaScript, no build step. Talks only to the gateway it is served from:
// REST under /api/v1 with a bearer token, and the WebSocket /ws opened with a single-use ticket.
"use strict";

const state = {
  token: null,
  ws: null,
  connectionId: null, // of the last connection, for resume after a drop
  lastSeq: 0,         // highest seq seen, for resume
  conversationId: null,
  counter: 0,
  running: null,      // requestId of the chat being answered
  bubbles: {},        // requestId → assistant <li>
  signedOut: false,
  replaying: false,   // between a resume and its "resumed"
};

const $ = (id) => document.getElementById(id);

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: Object.assign(
      { "Content-Type": "application/json" },
      state.token ? { Authorization: "Bearer " + state.token } : {}),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || problem.title || "HTTP " + response.status);
  }
  return response.status === 204 ? null : response.json();
}

function setStatus(text, cls) {
  $("status").textContent = text;
  $("status").className = "status " + (cls || "");
}

function addLine(list, text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  $(list).appendChild(li);
  $(list).scrollTop = $(list).scrollHeight;
  return li;
}

// ---- sign in ----

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    const tokens = await api("POST", "/api/v1/auth/login", {
      username: $("username").value,
      password: $("password").value,
    });
    state.token = tokens.accessToken;
    $("login-panel").hidden = true;
    $("app").hidden = false;
    await connect();
    refreshMemories();
    refreshWorkflows();
  } catch (e) {
    $("login-error").textContent = "Sign-in failed: " + e.message;
  }
});

// ---- the WebSocket ----

async function connect() {
  setStatus("connecting…", "reconnecting");
  const { ticket } = await api("POST", "/api/v1/auth/ws-ticket", {});
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  const ws = new WebSocket(url, ["agency.v1", "ticket." + ticket]);
  state.ws = ws;
  ws.onmessage = (message) => onFrame(JSON.parse(message.data));
  ws.onclose = (event) => {
    if (state.ws !== ws) return;
    setStatus("disconnected (" + event.code + ")", "");
    if (!state.signedOut) setTimeout(() => connect().catch(showError), 1000); // and resume
  };
}

function send(frame) {
  state.ws.send(JSON.stringify(frame));
}

function onFrame(frame) {
  // replayed frames keep the old connection's seq: only the current connection's count for the next resume
  if (typeof frame.seq === "number" && frame.type !== "ready" && !state.replaying) {
    state.lastSeq = Math.max(state.lastSeq, frame.seq);
  }
  addLine("frames", frame.seq + " " + frame.type + (frame.requestId ? " " + frame.requestId : ""));
  if (frame.runId && (frame.type.startsWith("run.") || frame.type.startsWith("step.") || frame.type === "error")) {
    onRunFrame(frame);
    return;
  }
  switch (frame.type) {
    case "ready":
      if (state.connectionId) { // a reconnect: ask for what was missed, streams go on here
        send({ type: "resume", id: "resume-" + ++state.counter, connectionId: state.connectionId, afterSeq: state.lastSeq });
        state.replaying = true;
      }
      state.connectionId = frame.connectionId;
      state.lastSeq = frame.seq;
      setStatus("connected", "connected");
      break;
    case "resumed": // the replay is over; what follows belongs to this connection
      state.replaying = false;
      state.lastSeq = frame.seq;
      break;
    case "stream_start":
      state.conversationId = frame.conversationId || state.conversationId;
      bubble(frame.requestId).classList.add("streaming");
      break;
    case "stream_chunk":
      bubble(frame.requestId).textContent += frame.content;
      break;
    case "stream_event":
      if (frame.event === "tool_call") {
        addLine("transcript", "⚙ tool call " + frame.data.name + " " + JSON.stringify(frame.data.parameters || {}), "tool");
      } else if (frame.event === "tool_result") {
        addLine("transcript", "⚙ tool result " + JSON.stringify(frame.data), "tool");
      }
      break;
    case "stream_end":
      bubble(frame.requestId).classList.remove("streaming");
      if (frame.cancelled) bubble(frame.requestId).textContent += " [cancelled]";
      done(frame.requestId);
      break;
    case "response":
      state.conversationId = frame.conversationId;
      bubble(frame.requestId).textContent = frame.content;
      (frame.toolCalls || []).forEach((c) => addLine("transcript", "⚙ tool call " + (c.name || c.toolName), "tool"));
      done(frame.requestId);
      break;
    case "tool_result":
      addLine("tool-log", frame.toolName + " → " + JSON.stringify(frame.result));
      break;
    case "error":
      if (frame.errorType === "resume_expired") state.replaying = false;
      if (frame.requestId && frame.requestId.startsWith("tool-")) {
        addLine("tool-log", "error: " + frame.message, "error");
      } else {
        addLine("transcript", "error (" + frame.errorType + "): " + frame.message, "error");
        done(frame.requestId);
      }
      break;
    case "session.joined":
    case "session.context":
      addLine("transcript", frame.type + " " + JSON.stringify(frame), "tool");
      break;
  }
}

function bubble(requestId) {
  if (!state.bubbles[requestId]) state.bubbles[requestId] = addLine("transcript", "", "assistant");
  return state.bubbles[requestId];
}

function done(requestId) {
  if (requestId === state.running) {
    state.running = null;
    $("cancel").disabled = true;
    $("send").disabled = false;
  }
}

function showError(e) {
  addLine("transcript", "error: " + e.message, "error");
}

// ---- chat, cancel, tools ----

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const content = $("message").value.trim();
  if (!content) return;
  const id = "chat-" + ++state.counter;
  const frame = { type: "chat", id, content, stream: $("stream").checked };
  if (state.conversationId) frame.conversationId = state.conversationId;
  if ($("agent-id").value.trim()) frame.agentId = $("agent-id").value.trim();
  addLine("transcript", content, "user");
  state.running = id;
  $("send").disabled = true;
  $("cancel").disabled = false;
  $("message").value = "";
  send(frame);
});

$("cancel").addEventListener("click", () => {
  if (state.running) send({ type: "cancel", id: "cancel-" + ++state.counter, requestId: state.running });
});

$("new-conversation").addEventListener("click", () => {
  state.conversationId = null;
  $("transcript").replaceChildren();
});

$("tool-form").addEventListener("submit", (event) => {
  event.preventDefault();
  let parameters = {};
  try {
    parameters = $("tool-params").value.trim() ? JSON.parse($("tool-params").value) : {};
  } catch (e) {
    addLine("tool-log", "parameters are not JSON: " + e.message, "error");
    return;
  }
  send({ type: "tool_call", id: "tool-" + ++state.counter, toolName: $("tool-name").value.trim(), parameters });
});

// ---- memories ----

async function refreshMemories() {
  try {
    const page = await api("GET", "/api/v1/memories?limit=20");
    const items = page.items || page.results || [];
    $("memories").replaceChildren(...items.map((m) => {
      const li = document.createElement("li");
      li.textContent = m.memory;
      const remove = document.createElement("button");
      remove.textContent = "Delete";
      remove.addEventListener("click", async () => {
        await api("DELETE", "/api/v1/memories/" + m.id).catch(showError);
        refreshMemories();
      });
      li.appendChild(remove);
      return li;
    }));
  } catch (e) {
    $("memories").replaceChildren(Object.assign(document.createElement("li"), { textContent: e.message }));
  }
}

$("refresh-memories").addEventListener("click", refreshMemories);

// ---- workflows: start a run, watch its events over the open socket (run.subscribe) ----

const runs = {}; // runId → { li, status, steps: stepId → <li>, lastEventId, over }
const FINAL = ["run.succeeded", "run.failed", "run.cancelled"];

async function refreshWorkflows() {
  try {
    const page = await api("GET", "/api/v1/workflows?limit=100");
    const options = (page.items || []).map((w) =>
      Object.assign(document.createElement("option"), { value: w.id, textContent: w.name || w.id }));
    $("workflow-id").replaceChildren(...options);
    $("workflow-error").textContent = options.length ? "" : "No workflows yet (create one with POST /api/v1/workflows).";
  } catch (e) {
    $("workflow-error").textContent = "Workflows: " + e.message;
  }
}

$("refresh-workflows").addEventListener("click", refreshWorkflows);

$("workflow-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("workflow-error").textContent = "";
  const workflowId = $("workflow-id").value;
  if (!workflowId) return;
  let input = {};
  try {
    input = $("workflow-input").value.trim() ? JSON.parse($("workflow-input").value) : {};
  } catch (e) {
    $("workflow-error").textContent = "input is not JSON: " + e.message;
    return;
  }
  try {
    const started = await api("POST", "/api/v1/workflows/" + encodeURIComponent(workflowId) + "/runs", { input });
    const runId = started.runId || started.id;
    const name = $("workflow-id").selectedOptions[0].textContent;
    watchRun(runId, name, started.status || "queued");
  } catch (e) {
    $("workflow-error").textContent = "Start failed: " + e.message;
  }
});

function watchRun(runId, name, status) {
  const li = document.createElement("li");
  li.className = "run";
  li.dataset.runId = runId;
  const title = document.createElement("div");
  title.textContent = name + " — run " + runId.substring(0, 8) + ": ";
  const statusEl = document.createElement("span");
  statusEl.className = "run-status";
  title.appendChild(statusEl);
  const steps = document.createElement("ol");
  steps.className = "steps";
  li.append(title, steps);
  $("runs").prepend(li);
  runs[runId] = { li, statusEl, stepsEl: steps, steps: {}, lastEventId: 0, over: false };
  setRunStatus(runs[runId], status);
  send({ type: "run.subscribe", id: "run-" + ++state.counter, runId });
}

function setRunStatus(run, status, detail) {
  run.statusEl.textContent = status + (detail ? " (" + detail + ")" : "");
  run.li.className = "run " + status;
}

function onRunFrame(frame) {
  const run = runs[frame.runId];
  if (!run) return; // a run this page did not start
  if (frame.type === "error") {
    if (frame.errorType === "network" && !run.over) { // orchestration's stream broke off: pick up where it stopped
      send({ type: "run.subscribe", id: "run-" + ++state.counter, runId: frame.runId,
             afterEventId: Math.max(run.lastEventId, frame.lastEventId || 0) });
    } else {
      setRunStatus(run, "error", frame.errorType + ": " + frame.message);
    }
    return;
  }
  if (frame.type === "run.unsubscribed") {
    if (!run.over) setRunStatus(run, frame.status || "unsubscribed");
    run.over = true;
    return;
  }
  if (typeof frame.eventId === "number") {
    if (frame.eventId <= run.lastEventId) return; // already shown (a replay after resume)
    run.lastEventId = frame.eventId;
  }
  const data = frame.data || {};
  if (frame.type.startsWith("step.") && data.stepId) {
    let step = run.steps[data.stepId];
    if (!step) {
      step = run.steps[data.stepId] = document.createElement("li");
      step.dataset.stepId = data.stepId;
      run.stepsEl.appendChild(step);
    }
    const status = frame.type.substring(5); // started, succeeded, failed, skipped, waiting_approval
    let text = data.stepId + ": " + (status === "started" ? "running" : status);
    if (data.attempt > 1) text += " (attempt " + data.attempt + ")";
    if (status === "succeeded" && data.output !== undefined) text += " → " + short(data.output);
    if (status === "failed" && data.error) text += " — " + (data.error.message || short(data.error)) + (data.willRetry ? ", will retry" : "");
    if (status === "skipped" && data.reason) text += " — " + data.reason;
    step.textContent = text;
    step.className = "step " + status;
  } else if (frame.type === "run.started") {
    setRunStatus(run, "running");
  } else if (FINAL.includes(frame.type)) {
    run.over = true;
    const detail = frame.type === "run.succeeded" ? short(data.output)
      : data.error ? (data.error.message || short(data.error)) : "";
    setRunStatus(run, frame.type.substring(4), detail);
  }
}

function short(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "" : text.length > 120 ? text.substring(0, 117) + "…" : text;
}
