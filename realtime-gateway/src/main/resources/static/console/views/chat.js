// Chat with a chosen agent over the WebSocket (chat frames, streamed answers with tool calls, used memories and
// degraded parts inline), conversations listed and reopened, and a tool run directly (tool_call frame).
import { $, api, button, el, enc, say, short } from "../api.js";
import { nextId, onFrame, send } from "../ws.js";

const state = { conversationId: null, running: null, bubbles: {}, agents: [] };

export function reset() {
  state.conversationId = null;
  state.running = null;
  state.bubbles = {};
  $("transcript").replaceChildren();
  $("conversations").replaceChildren();
}

export async function show(args) {
  say("conversations-error");
  try {
    const [agents, conversations] = await Promise.all([api("GET", "/api/v1/agents?limit=100"),
      api("GET", "/api/v1/conversations?limit=50")]);
    state.agents = agents.items || [];
    const before = $("chat-agent").value;
    const chosen = (args && args[0]) || before;
    $("chat-agent").replaceChildren(el("option", { value: "" }, "default agent"),
      ...state.agents.map((a) => el("option", { value: a.id, selected: a.id === chosen }, a.name || a.id)));
    if (chosen !== before) newConversation(); // another agent: a new conversation
    listConversations(conversations.items || []);
  } catch (e) {
    say("conversations-error", "Conversations: " + e.message);
  }
}

function listConversations(items) {
  $("conversations").replaceChildren(...items.map((c) => el("li", { dataset: { conversationId: c.id } },
    button((c.title || "Conversation") + " · " + agentName(c.agentId), "link conversation-open", () => reopen(c)),
    el("span", { className: "meta" }, c.createdAt ? " " + new Date(c.createdAt).toLocaleString() : ""))));
}

// a turn that started a conversation: the list gets it
async function refreshConversations() {
  try {
    listConversations((await api("GET", "/api/v1/conversations?limit=50")).items || []);
  } catch (e) {
    say("conversations-error", "Conversations: " + e.message);
  }
}

function agentName(id) {
  const agent = state.agents.find((a) => a.id === id);
  return agent ? agent.name : id ? id.substring(0, 8) : "default agent";
}

// a line of the transcript; what happens inside a streamed turn (tools, memories, skipped parts) goes above its answer
function line(text, cls, requestId) {
  const li = el("li", { className: cls }, text);
  const answer = requestId && state.bubbles[requestId];
  if (answer && answer.classList.contains("streaming")) $("transcript").insertBefore(li, answer);
  else $("transcript").append(li);
  $("transcript").scrollTop = $("transcript").scrollHeight;
  return li;
}

function memoriesLine(used, requestId) {
  return line("◆ used memories: " + (used || []).map((m) => m.memory || m.id).join(" · "), "memory", requestId);
}

function degradedLine(skipped, reason, requestId) {
  return line("⚠ skipped " + (skipped || []).join(", ") + ": " + reason, "degraded", requestId);
}

async function reopen(conversation) {
  newConversation();
  state.conversationId = conversation.id;
  if (conversation.agentId) $("chat-agent").value = conversation.agentId;
  $("conversation-title").textContent = conversation.title || "Conversation";
  try {
    const page = await api("GET", "/api/v1/conversations/" + enc(conversation.id) + "/messages?limit=100");
    for (const m of page.items || []) {
      if (m.role === "user") line(m.content, "user");
      else if (m.role === "assistant") {
        if (m.memoriesUsed && m.memoriesUsed.length) memoriesLine(m.memoriesUsed);
        (m.toolCalls || []).forEach((c) => line("⚙ tool call " + (c.name || c.toolName) + " "
          + short(c.parameters || c.arguments || {}), "tool"));
        line(m.content, "assistant");
      }
    }
  } catch (e) {
    line("error: " + e.message, "error");
  }
  $("message").focus();
}

function newConversation() {
  state.conversationId = null;
  $("conversation-title").textContent = "New conversation";
  $("transcript").replaceChildren();
}

function bubble(requestId) {
  if (!state.bubbles[requestId]) state.bubbles[requestId] = line("", "assistant");
  return state.bubbles[requestId];
}

function done(requestId) {
  if (requestId && requestId === state.running) {
    state.running = null;
    $("cancel").disabled = true;
    $("send").disabled = false;
  }
}

onFrame((frame) => {
  switch (frame.type) {
    case "stream_start":
      if (!state.conversationId && frame.conversationId) refreshConversations();
      state.conversationId = frame.conversationId || state.conversationId;
      bubble(frame.requestId).classList.add("streaming");
      break;
    case "stream_chunk":
      bubble(frame.requestId).textContent += frame.content;
      break;
    case "tool_call": // a tool the model calls during a streamed turn
      if (frame.responseId) {
        line("⚙ tool call " + frame.toolName + " " + short(frame.parameters || {}), "tool", frame.requestId);
      }
      break;
    case "tool_result": // inside a streamed turn (responseId), or the answer to a tool run from the form
      if (frame.responseId) {
        line("⚙ tool result " + (frame.toolName || "") + " " + short(frame.result), "tool", frame.requestId);
      }
      else $("tool-log").append(el("li", {}, frame.toolName + " → " + JSON.stringify(frame.result)));
      break;
    case "memory":
      if (frame.used && frame.used.length) memoriesLine(frame.used, frame.requestId);
      break;
    case "degraded": // a part of the turn could not run; the answer says so too
      degradedLine(frame.skipped, frame.reason, frame.requestId);
      break;
    case "stream_end":
      bubble(frame.requestId).classList.remove("streaming");
      if (frame.cancelled) bubble(frame.requestId).textContent += " [cancelled]";
      done(frame.requestId);
      break;
    case "response":
      if (!state.conversationId && frame.conversationId) refreshConversations();
      state.conversationId = frame.conversationId;
      bubble(frame.requestId).textContent = frame.content;
      if (frame.degraded) degradedLine(frame.degraded.skipped, frame.degraded.reason);
      (frame.toolCalls || []).forEach((c) => line("⚙ tool call " + (c.name || c.toolName), "tool"));
      done(frame.requestId);
      break;
    case "error":
      if (frame.runId) break; // a workflow run's, shown there
      if (frame.requestId && frame.requestId.startsWith("tool-")) {
        $("tool-log").append(el("li", { className: "error" }, "error: " + frame.message));
      } else if (frame.errorType !== "resume_expired") {
        line("error (" + frame.errorType + "): " + frame.message, "error");
        done(frame.requestId);
      }
      break;
  }
});

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const content = $("message").value.trim();
  if (!content) return;
  const id = nextId("chat");
  const frame = { type: "chat", id, content, stream: $("stream").checked };
  if (state.conversationId) frame.conversationId = state.conversationId;
  if ($("chat-agent").value) frame.agentId = $("chat-agent").value;
  try {
    send(frame);
  } catch (e) {
    line("error: " + e.message, "error");
    return;
  }
  line(content, "user");
  state.running = id;
  $("send").disabled = true;
  $("cancel").disabled = false;
  $("message").value = "";
});

$("cancel").addEventListener("click", () => {
  if (state.running) send({ type: "cancel", id: nextId("cancel"), requestId: state.running });
});

$("new-conversation").addEventListener("click", newConversation);
$("chat-agent").addEventListener("change", newConversation);

$("tool-form").addEventListener("submit", (event) => {
  event.preventDefault();
  let parameters = {};
  try {
    parameters = $("tool-params").value.trim() ? JSON.parse($("tool-params").value) : {};
  } catch (e) {
    $("tool-log").append(el("li", { className: "error" }, "parameters are not JSON: " + e.message));
    return;
  }
  send({ type: "tool_call", id: nextId("tool"), toolName: $("tool-name").value.trim(), parameters });
});
