// Workflows: the chosen workflow drawn as a graph with a run's state painted on it, runs started with input,
// followed live over the socket (run.subscribe), a waiting step approved or rejected, a run cancelled, and the
// timeline of the run on the graph.
import { $, api, button, el, enc, say, short } from "../api.js";
import { nextId, onFrame, send } from "../ws.js";
import { draw, paint } from "./graph.js";

// runId → { li, statusEl, stepsEl, watchEl, cancelEl, note, steps: stepId → <li>, status: stepId → status,
//           waiting: Set, lastEventId, over, watching, workflowId, events: [] }
let runs = {};
const FINAL = ["run.succeeded", "run.failed", "run.cancelled"];
const FINAL_STATUS = ["succeeded", "failed", "cancelled"];
const workflows = {}; // workflowId → definition (steps loaded on demand)
let shown = { workflowId: null, steps: [], runId: null };
let loaded = false;

export function reset() {
  runs = {};
  loaded = false;
  shown = { workflowId: null, steps: [], runId: null };
  $("runs").replaceChildren();
  $("run-timeline").replaceChildren();
  $("workflow-graph-box").replaceChildren();
}

export async function show() {
  if (!loaded) {
    loaded = true;
    await refreshWorkflows();
    await refreshRuns();
  }
}

async function refreshWorkflows() {
  try {
    const page = await api("GET", "/api/v1/workflows?limit=100");
    (page.items || []).forEach((w) => { workflows[w.id] = Object.assign(workflows[w.id] || {}, w); });
    const selected = $("workflow-id").value;
    $("workflow-id").replaceChildren(...(page.items || []).map((w) =>
      el("option", { value: w.id, selected: w.id === selected }, w.name || w.id)));
    say("workflow-error", (page.items || []).length ? "" : "No workflows yet (create one with POST /api/v1/workflows).");
    await showWorkflow($("workflow-id").value);
  } catch (e) {
    say("workflow-error", "Workflows: " + e.message);
  }
}

async function showWorkflow(workflowId) {
  if (!workflowId) return;
  let definition = workflows[workflowId];
  if (!definition || !definition.steps) {
    try {
      definition = workflows[workflowId] = Object.assign(definition || {},
        await api("GET", "/api/v1/workflows/" + enc(workflowId)));
    } catch (e) {
      say("workflow-error", "Workflow: " + e.message);
      return;
    }
  }
  const steps = definition.steps || [];
  const changed = shown.workflowId !== workflowId;
  shown.workflowId = workflowId;
  shown.steps = steps;
  const label = "Graph of " + (definition.name || "the workflow") + ": " + steps.map((s) =>
    s.id + ((s.dependsOn || []).length ? " after " + s.dependsOn.join(" and ") : "")).join("; ");
  $("workflow-graph-box").replaceChildren(draw(steps, label));
  if (changed && (!shown.runId || runs[shown.runId]?.workflowId !== workflowId)) {
    const latest = Object.entries(runs).find(([, r]) => r.workflowId === workflowId); // newest first
    shown.runId = latest ? latest[0] : null;
  }
  repaint();
}

function repaint() {
  const graph = $("workflow-graph");
  const run = shown.runId && runs[shown.runId];
  if (graph) paint(graph, shown.steps, run && run.workflowId === shown.workflowId ? run.status : {});
  document.querySelectorAll("#runs .run").forEach((li) => li.classList.toggle("shown", li.dataset.runId === shown.runId));
  $("timeline-title").textContent = run ? "Timeline of run " + shown.runId.substring(0, 8) : "Run timeline";
  $("run-timeline").replaceChildren(...(run ? run.events : []).map((e) => el("li", { className: e.type },
    el("time", {}, e.ts ? new Date(e.ts).toLocaleTimeString() : ""), " " + e.type
      + (e.data && e.data.stepId ? " " + e.data.stepId : "")
      + (e.data && e.data.attempt > 1 ? " (attempt " + e.data.attempt + ")" : ""))));
}

function showRun(runId) {
  shown.runId = runId;
  const run = runs[runId];
  if (run.workflowId && run.workflowId !== shown.workflowId) {
    $("workflow-id").value = run.workflowId;
    showWorkflow(run.workflowId);
  } else {
    repaint();
  }
}

// the user's recent runs (GET /api/v1/runs, newest first); those not over are watched live
async function refreshRuns() {
  say("runs-error");
  try {
    const page = await api("GET", "/api/v1/runs?limit=20");
    const items = (page.items || []).slice().reverse(); // oldest first, each prepended: newest ends on top
    for (const item of items) {
      let run = runs[item.id];
      if (!run) {
        run = addRun(item.id, item.workflowId, item.status);
      } else if (!run.watching && !run.over) {
        setRunStatus(run, item.status);
      }
      if (FINAL_STATUS.includes(item.status)) {
        run.over = true;
        updateButtons(run);
      } else if (!run.watching) {
        watch(item.id);
      }
    }
    if (!shown.runId && items.length) showRun(items[items.length - 1].id);
  } catch (e) {
    say("runs-error", "Runs: " + e.message);
  }
}

$("refresh-workflows").addEventListener("click", refreshWorkflows);
$("refresh-runs").addEventListener("click", refreshRuns);
$("workflow-id").addEventListener("change", () => showWorkflow($("workflow-id").value));

$("workflow-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("workflow-error");
  const workflowId = $("workflow-id").value;
  if (!workflowId) return;
  let input = {};
  try {
    input = $("workflow-input").value.trim() ? JSON.parse($("workflow-input").value) : {};
  } catch (e) {
    say("workflow-error", "input is not JSON: " + e.message);
    return;
  }
  try {
    const started = await api("POST", "/api/v1/workflows/" + enc(workflowId) + "/runs", { input });
    const runId = started.runId || started.id;
    if (!runs[runId]) addRun(runId, workflowId, started.status || "queued");
    showRun(runId);
    watch(runId);
  } catch (e) {
    say("workflow-error", "Start failed: " + e.message);
  }
});

function addRun(runId, workflowId, status) {
  const name = (workflows[workflowId] && workflows[workflowId].name) || workflowId || "workflow";
  const statusEl = el("span", { className: "run-status" });
  const watchEl = button("Watch", "run-watch", () => watch(runId));
  const cancelEl = button("Cancel run", "run-cancel", () => cancelRun(runId));
  const showEl = button("Show on graph", "run-show", () => showRun(runId), { "aria-label": "Show run " + runId.substring(0, 8) + " on the graph" });
  const note = el("span", { className: "run-note error" });
  const steps = el("ol", { className: "steps" });
  const li = el("li", { className: "run", dataset: { runId } },
    el("div", {}, name + " — run " + runId.substring(0, 8) + ": ", statusEl, " ", showEl, watchEl, cancelEl, note), steps);
  $("runs").prepend(li);
  const run = runs[runId] = { li, statusEl, stepsEl: steps, watchEl, cancelEl, note, steps: {}, status: {},
    waiting: new Set(), lastEventId: 0, over: false, watching: false, workflowId, events: [] };
  setRunStatus(run, status);
  updateButtons(run);
  return run;
}

// follows the run's events from the first one (or after the last seen)
function watch(runId) {
  const run = runs[runId];
  run.watching = true;
  updateButtons(run);
  send({ type: "run.subscribe", id: nextId("run"), runId, ...(run.lastEventId ? { afterEventId: run.lastEventId } : {}) });
}

function updateButtons(run) {
  run.cancelEl.hidden = run.over;
  run.watchEl.hidden = run.over || run.watching;
}

async function cancelRun(runId) {
  const run = runs[runId];
  run.note.textContent = "";
  run.cancelEl.disabled = true;
  try {
    const answer = await api("POST", "/api/v1/runs/" + enc(runId) + "/cancel", {});
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
  const comment = el("input", { className: "approval-comment", placeholder: "comment (optional)",
    "aria-label": "comment on " + stepId });
  const error = el("span", { className: "approval-error error", role: "alert" });
  const box = el("span", { className: "approval" });
  const decide = (approved) => async () => {
    error.textContent = "";
    box.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const body = { approved };
    if (comment.value.trim()) body.comment = comment.value.trim();
    try {
      await api("POST", "/api/v1/runs/" + enc(runId) + "/steps/" + enc(stepId) + "/approval", body);
      box.replaceChildren((approved ? "approved" : "rejected") + (body.comment ? ": " + body.comment : ""));
      box.className = "approval decided";
    } catch (e) {
      error.textContent = (approved ? "Approve" : "Reject") + " failed: " + e.message;
      box.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  };
  box.append(" ", comment, button("Approve", "approve", decide(true), { "aria-label": "Approve " + stepId }),
    button("Reject", "reject", decide(false), { "aria-label": "Reject " + stepId }), error);
  return box;
}

function setRunStatus(run, status, detail) {
  run.statusEl.textContent = status + (detail ? " (" + detail + ")" : "");
  run.li.className = "run " + status + (run.li.dataset.runId === shown.runId ? " shown" : "");
}

function finishRun(run) {
  run.over = true;
  run.waiting.clear();
  run.stepsEl.querySelectorAll(".approval:not(.decided)").forEach((box) => box.remove());
  updateButtons(run);
}

onFrame((frame) => {
  if (!frame.runId || !(frame.type.startsWith("run.") || frame.type.startsWith("step.") || frame.type === "error")) return;
  const run = runs[frame.runId];
  if (!run) return; // a run this page does not show
  onRunFrame(run, frame);
  if (frame.runId === shown.runId) repaint();
});

function onRunFrame(run, frame) {
  if (frame.type === "error") {
    if (frame.errorType === "network" && !run.over) { // orchestration's stream broke off: pick up where it stopped
      send({ type: "run.subscribe", id: nextId("run"), runId: frame.runId,
        afterEventId: Math.max(run.lastEventId, frame.lastEventId || 0) });
    } else if (frame.errorType === "rate_limit" || frame.errorType === "conflict") {
      // too many runs watched on this connection: the run stays as listed, "Watch" follows it later
      run.watching = frame.errorType === "conflict";
      run.note.textContent = frame.errorType === "rate_limit" ? "not watched: " + frame.message : "";
      updateButtons(run);
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
    updateButtons(run);
    return;
  }
  if (typeof frame.eventId === "number") {
    if (frame.eventId <= run.lastEventId) return; // already shown (a replay after resume)
    run.lastEventId = frame.eventId;
  }
  run.events.push({ type: frame.type, ts: frame.ts, data: frame.data || {} });
  run.note.textContent = "";
  const data = frame.data || {};
  if (frame.type.startsWith("step.") && data.stepId) {
    stepFrame(run, frame, data);
  } else if (frame.type === "run.started") {
    setRunStatus(run, "running");
  } else if (FINAL.includes(frame.type)) {
    finishRun(run);
    if (frame.type === "run.cancelled") { // orchestration writes no event for the steps it stops
      Object.entries(run.steps).forEach(([stepId, step]) => {
        if (/ (started|waiting_approval)$/.test(step.className)) {
          step.textContent = stepId + ": cancelled";
          step.className = "step cancelled";
          run.status[stepId] = "cancelled";
        }
      });
    }
    const detail = frame.type === "run.succeeded" ? short(data.output)
      : data.error ? (data.error.message || short(data.error)) : "";
    setRunStatus(run, frame.type.substring(4), detail);
  }
}

function stepFrame(run, frame, data) {
  let step = run.steps[data.stepId];
  if (!step) {
    step = run.steps[data.stepId] = el("li", { dataset: { stepId: data.stepId } });
    run.stepsEl.append(step);
  }
  const status = frame.type.substring(5); // started, succeeded, failed, skipped, waiting_approval
  run.status[data.stepId] = status;
  let text = data.stepId + ": " + (status === "started" ? "running" : status);
  if (data.attempt > 1) text += " (attempt " + data.attempt + ")";
  if (status === "succeeded" && data.output !== undefined) text += " → " + short(data.output);
  if (status === "failed" && data.error) {
    text += " — " + (data.error.message || short(data.error)) + (data.willRetry ? ", will retry" : "");
  }
  if (status === "skipped" && data.reason) text += " — " + data.reason;
  step.textContent = text;
  step.className = "step " + status;
  if (status === "waiting_approval") {
    run.waiting.add(data.stepId);
    if (!run.over) step.append(approvalControls(frame.runId, data.stepId));
  } else {
    run.waiting.delete(data.stepId);
  }
  if (!run.over) setRunStatus(run, run.waiting.size ? "waiting_approval" : "running");
}
