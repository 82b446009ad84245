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
    await startSession(tokens);
  } catch (e) {
    $("login-error").textContent = "Sign-in failed: " + e.message;
  }
});

async function startSession(tokens) {
  state.token = tokens.accessToken;
  $("login-panel").hidden = true;
  $("app").hidden = false;
  await connect();
  refreshMemories();
  refreshSessions();
  refreshWorkflows().then(refreshRuns);
}

// ---- sign in with a provider (OpenID Connect, GitHub) ----

const PROVIDER_ERRORS = {
  invalid_state: "the sign-in took too long or was already used; try again",
  provider_denied: "the provider did not allow the sign-in",
  code_rejected: "the provider refused the sign-in code; try again",
  invalid_id_token: "the provider's answer could not be verified",
  email_in_use: "an account already has this email: sign in with its password, then link the provider",
  email_required: "the provider did not tell an email address",
  identity_taken: "this provider account is linked to another account",
  account_disabled: "this account is disabled",
  provider_unavailable: "the provider cannot be reached",
  browser_mismatch: "the sign-in was started in another browser; start it again here",
  server_error: "something went wrong on our side; try again",
};

async function showProviders() {
  let providers;
  try {
    providers = (await api("GET", "/api/v1/auth/oidc/providers")).items || [];
  } catch (e) {
    return; // no providers to offer: the password form alone
  }
  const box = $("providers");
  box.replaceChildren();
  for (const provider of providers) {
    const link = document.createElement("a");
    link.className = "provider";
    link.dataset.provider = provider.id;
    link.href = "/api/v1/auth/oidc/" + encodeURIComponent(provider.id) + "/authorize?redirect=/console/";
    link.textContent = "Sign in with " + provider.name;
    box.appendChild(link);
  }
  box.hidden = providers.length === 0;
}

// The callback of a provider sign-in comes back with #code=… (exchanged once for tokens), #error=… or #linked=…;
// the fragment is removed from the address bar at once so that the code is neither kept nor shared.
async function takeSignInFragment() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!location.hash) return;
  history.replaceState(null, "", location.pathname + location.search);
  if (fragment.has("code")) {
    try {
      await startSession(await api("POST", "/api/v1/auth/oidc/exchange", { code: fragment.get("code") }));
    } catch (e) {
      $("login-error").textContent = "Sign-in failed: " + e.message;
    }
  } else if (fragment.has("error")) {
    const code = fragment.get("error");
    $("login-error").textContent = "Sign-in failed: " + (PROVIDER_ERRORS[code] || code);
  } else if (fragment.has("linked")) {
    $("login-error").textContent = "Linked " + fragment.get("linked") + " to your account; sign in again.";
  }
}

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
    case "tool_call": // a tool the model calls during a streamed turn
      if (frame.responseId) addLine("transcript", "⚙ tool call " + frame.toolName + " " + JSON.stringify(frame.parameters || {}), "tool");
      break;
    case "tool_result": // inside a streamed turn (responseId), or the answer to the tool panel's tool_call
      if (frame.responseId) addLine("transcript", "⚙ tool result " + frame.toolName + " " + JSON.stringify(frame.result), "tool");
      else addLine("tool-log", frame.toolName + " → " + JSON.stringify(frame.result));
      break;
    case "degraded": // a part of the turn could not run; the answer says so too
      addLine("transcript", "⚠ degraded (" + (frame.skipped || []).join(", ") + "): " + frame.reason, "error");
      break;
    case "stream_end":
      bubble(frame.requestId).classList.remove("streaming");
      if (frame.cancelled) bubble(frame.requestId).textContent += " [cancelled]";
      done(frame.requestId);
      break;
    case "response":
      state.conversationId = frame.conversationId;
      bubble(frame.requestId).textContent = frame.content;
      if (frame.degraded) addLine("transcript", "⚠ degraded (" + (frame.degraded.skipped || []).join(", ") + "): " + frame.degraded.reason, "error");
      (frame.toolCalls || []).forEach((c) => addLine("transcript", "⚙ tool call " + (c.name || c.toolName), "tool"));
      done(frame.requestId);
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
    case "session.invited": // accepted or declined in the sessions list
    case "session.joined":
    case "session.ended":
      addLine("transcript", frame.type + " " + JSON.stringify(frame), "tool");
      refreshSessions();
      break;
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

// ---- collaboration sessions: own sessions and pending invitations; an invitee accepts (joins) or declines here,
// and only then reads the session and hears of it ----

async function refreshSessions() {
  $("sessions-error").textContent = "";
  try {
    const page = await api("GET", "/api/v1/sessions?limit=20");
    $("sessions").replaceChildren(...(page.items || []).map(sessionItem));
  } catch (e) {
    $("sessions-error").textContent = "Sessions: " + e.message;
  }
}

function sessionItem(session) {
  const li = document.createElement("li");
  li.className = "session " + session.membership;
  li.dataset.sessionId = session.id;
  li.append(session.purpose);
  if (session.membership === "invited") {
    li.append(" — invited by " + session.createdBy.substring(0, 8));
    const answer = (accept) => async () => {
      li.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      const path = "/api/v1/sessions/" + encodeURIComponent(session.id) + (accept ? "/join" : "/invitation");
      try {
        await api(accept ? "POST" : "DELETE", path, accept ? {} : undefined);
      } catch (e) {
        $("sessions-error").textContent = (accept ? "Accept" : "Decline") + " failed: " + e.message;
      }
      refreshSessions();
    };
    li.append(" ", button("Accept", "session-accept", answer(true)), button("Decline", "session-decline", answer(false)));
  }
  return li;
}

$("refresh-sessions").addEventListener("click", refreshSessions);

// ---- workflows: start a run, list recent runs, watch their events over the open socket (run.subscribe),
// approve or reject a step that waits for a person, cancel a run ----

const runs = {}; // runId → { li, statusEl, stepsEl, cancelEl, steps: stepId → <li>, waiting: Set, lastEventId, over, watching }
const FINAL = ["run.succeeded", "run.failed", "run.cancelled"];
const FINAL_STATUS = ["succeeded", "failed", "cancelled"];
const workflowNames = {}; // workflowId → name

async function refreshWorkflows() {
  try {
    const page = await api("GET", "/api/v1/workflows?limit=100");
    (page.items || []).forEach((w) => { workflowNames[w.id] = w.name || w.id; });
    const options = (page.items || []).map((w) =>
      Object.assign(document.createElement("option"), { value: w.id, textContent: w.name || w.id }));
    $("workflow-id").replaceChildren(...options);
    $("workflow-error").textContent = options.length ? "" : "No workflows yet (create one with POST /api/v1/workflows).";
  } catch (e) {
    $("workflow-error").textContent = "Workflows: " + e.message;
  }
}

// the user's recent runs (GET /api/v1/runs, newest first); those not over are watched live
async function refreshRuns() {
  $("runs-error").textContent = "";
  try {
    const page = await api("GET", "/api/v1/runs?limit=20");
    const items = (page.items || []).slice().reverse(); // oldest first, each prepended: newest ends on top
    for (const item of items) {
      let run = runs[item.id];
      if (!run) {
        run = addRun(item.id, workflowNames[item.workflowId] || item.workflowId || "workflow", item.status);
      } else if (!run.watching && !run.over) {
        setRunStatus(run, item.status);
      }
      if (FINAL_STATUS.includes(item.status)) {
        run.over = true;
        updateCancel(run);
      } else if (!run.watching) {
        watch(item.id);
      }
    }
  } catch (e) {
    $("runs-error").textContent = "Runs: " + e.message;
  }
}

$("refresh-workflows").addEventListener("click", refreshWorkflows);
$("refresh-runs").addEventListener("click", refreshRuns);

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
    if (!runs[runId]) addRun(runId, name, started.status || "queued");
    watch(runId);
  } catch (e) {
    $("workflow-error").textContent = "Start failed: " + e.message;
  }
});

function addRun(runId, name, status) {
  const li = document.createElement("li");
  li.className = "run";
  li.dataset.runId = runId;
  const title = document.createElement("div");
  title.textContent = name + " — run " + runId.substring(0, 8) + ": ";
  const statusEl = document.createElement("span");
  statusEl.className = "run-status";
  title.appendChild(statusEl);
  const watchEl = button("Watch", "run-watch", () => watch(runId));
  const cancelEl = button("Cancel run", "run-cancel", () => cancelRun(runId));
  const note = document.createElement("span");
  note.className = "run-note error";
  title.append(" ", watchEl, cancelEl, note);
  const steps = document.createElement("ol");
  steps.className = "steps";
  li.append(title, steps);
  $("runs").prepend(li);
  const run = runs[runId] = { li, statusEl, stepsEl: steps, watchEl, cancelEl, note, steps: {}, waiting: new Set(),
                              lastEventId: 0, over: false, watching: false };
  setRunStatus(run, status);
  updateCancel(run);
  return run;
}

function button(text, cls, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.className = cls;
  b.addEventListener("click", onClick);
  return b;
}

// follows the run's events from the first one: the steps (and a step waiting for approval) show as they replay
function watch(runId) {
  const run = runs[runId];
  run.watching = true;
  updateCancel(run);
  send({ type: "run.subscribe", id: "run-" + ++state.counter, runId,
         ...(run.lastEventId ? { afterEventId: run.lastEventId } : {}) });
}

function updateCancel(run) {
  run.cancelEl.hidden = run.over;
  run.watchEl.hidden = run.over || run.watching;
}

async function cancelRun(runId) {
  const run = runs[runId];
  run.note.textContent = "";
  run.cancelEl.disabled = true;
  try {
    const answer = await api("POST", "/api/v1/runs/" + encodeURIComponent(runId) + "/cancel", {});
    if (answer && answer.status && !run.over) { // the event (run.cancelled) may come first, or not at all if unwatched
      setRunStatus(run, answer.status);
      if (FINAL_STATUS.includes(answer.status)) finishRun(run);
    }
  } catch (e) {
    run.note.textContent = "Cancel failed: " + e.message;
  } finally {
    run.cancelEl.disabled = false;
  }
}

// the approve / reject controls of a step in waiting_approval
function approvalControls(runId, stepId) {
  const box = document.createElement("span");
  box.className = "approval";
  const comment = document.createElement("input");
  comment.className = "approval-comment";
  comment.placeholder = "comment (optional)";
  comment.setAttribute("aria-label", "comment on " + stepId);
  const error = document.createElement("span");
  error.className = "approval-error error";
  const decide = (approved) => async () => {
    error.textContent = "";
    box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const body = { approved };
    if (comment.value.trim()) body.comment = comment.value.trim();
    try {
      await api("POST", "/api/v1/runs/" + encodeURIComponent(runId) + "/steps/" + encodeURIComponent(stepId)
        + "/approval", body);
      box.replaceChildren((approved ? "approved" : "rejected") + (body.comment ? ": " + body.comment : ""));
      box.className = "approval decided";
    } catch (e) {
      error.textContent = (approved ? "Approve" : "Reject") + " failed: " + e.message;
      box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  };
  box.append(" ", comment, button("Approve", "approve", decide(true)), button("Reject", "reject", decide(false)), error);
  return box;
}

function setRunStatus(run, status, detail) {
  run.statusEl.textContent = status + (detail ? " (" + detail + ")" : "");
  run.li.className = "run " + status;
}

function finishRun(run) {
  run.over = true;
  run.waiting.clear();
  run.stepsEl.querySelectorAll(".approval:not(.decided)").forEach((box) => box.remove());
  updateCancel(run);
}

function onRunFrame(frame) {
  const run = runs[frame.runId];
  if (!run) return; // a run this page does not show
  if (frame.type === "error") {
    if (frame.errorType === "network" && !run.over) { // orchestration's stream broke off: pick up where it stopped
      send({ type: "run.subscribe", id: "run-" + ++state.counter, runId: frame.runId,
             afterEventId: Math.max(run.lastEventId, frame.lastEventId || 0) });
    } else if (frame.errorType === "rate_limit" || frame.errorType === "conflict") {
      // too many runs watched on this connection: the run stays as listed, "Watch" follows it later
      run.watching = frame.errorType === "conflict";
      run.note.textContent = frame.errorType === "rate_limit" ? "not watched: " + frame.message : "";
      updateCancel(run);
    } else {
      setRunStatus(run, "error", frame.errorType + ": " + frame.message);
    }
    return;
  }
  if (frame.type === "run.unsubscribed") {
    run.watching = false;
    if (!run.over) {
      if (frame.status) setRunStatus(run, frame.status);
      if (FINAL_STATUS.includes(frame.status)) finishRun(run);
    }
    updateCancel(run);
    return;
  }
  if (typeof frame.eventId === "number") {
    if (frame.eventId <= run.lastEventId) return; // already shown (a replay after resume)
    run.lastEventId = frame.eventId;
  }
  run.note.textContent = "";
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
    if (status === "waiting_approval") {
      run.waiting.add(data.stepId);
      if (!run.over) step.appendChild(approvalControls(frame.runId, data.stepId));
    } else {
      run.waiting.delete(data.stepId);
    }
    if (!run.over) setRunStatus(run, run.waiting.size ? "waiting_approval" : "running");
  } else if (frame.type === "run.started") {
    setRunStatus(run, "running");
  } else if (FINAL.includes(frame.type)) {
    finishRun(run);
    if (frame.type === "run.cancelled") { // orchestration writes no event for the steps it stops
      Object.entries(run.steps).forEach(([stepId, step]) => {
        if (/ (started|waiting_approval)$/.test(step.className)) {
          step.textContent = stepId + ": cancelled";
          step.className = "step cancelled";
        }
      });
    }
    const detail = frame.type === "run.succeeded" ? short(data.output)
      : data.error ? (data.error.message || short(data.error)) : "";
    setRunStatus(run, frame.type.substring(4), detail);
  }
}

function short(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "" : text.length > 120 ? text.substring(0, 117) + "…" : text;
}

// ---- on load ----

showProviders();
takeSignInFragment();
