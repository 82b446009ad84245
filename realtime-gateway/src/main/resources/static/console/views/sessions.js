// Collaboration sessions: start one and invite people, accept or decline an invitation (it shows up live), share
// context with the other participants and see theirs arrive.
import { $, api, button, el, enc, say } from "../api.js";
import { onFrame, nextId, send } from "../ws.js";

export function reset() {
  $("sessions").replaceChildren();
  $("session-log").replaceChildren();
}

export function show() {
  return refreshSessions();
}

async function refreshSessions() {
  say("sessions-error");
  try {
    const page = await api("GET", "/api/v1/sessions?limit=50");
    const items = page.items || [];
    $("sessions").replaceChildren(...items.map(sessionItem));
    const chosen = $("share-session").value;
    $("share-session").replaceChildren(...items.filter((s) => s.membership !== "invited").map((s) =>
      el("option", { value: s.id, selected: s.id === chosen }, s.purpose)));
  } catch (e) {
    say("sessions-error", "Sessions: " + e.message);
  }
}

function sessionItem(session) {
  const li = el("li", { className: "session " + session.membership, dataset: { sessionId: session.id } }, session.purpose);
  if (session.membership === "invited") {
    li.append(" — invited by " + String(session.createdBy).substring(0, 8));
    const answer = (accept) => async () => {
      li.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      const path = "/api/v1/sessions/" + enc(session.id) + (accept ? "/join" : "/invitation");
      try {
        await api(accept ? "POST" : "DELETE", path, accept ? {} : undefined);
      } catch (e) {
        say("sessions-error", (accept ? "Accept" : "Decline") + " failed: " + e.message);
      }
      refreshSessions();
    };
    li.append(" ", button("Accept", "session-accept", answer(true), { "aria-label": "Accept " + session.purpose }),
      button("Decline", "session-decline", answer(false), { "aria-label": "Decline " + session.purpose }));
  }
  return li;
}

function log(text) {
  $("session-log").append(el("li", {}, text));
}

onFrame((frame) => {
  switch (frame.type) {
    case "session.invited":
    case "session.joined":
    case "session.ended":
      log(frame.type + " " + JSON.stringify(frame));
      refreshSessions();
      break;
    case "session.context":
      log("context from " + String(frame.from).substring(0, 8) + ": " + JSON.stringify(frame.context));
      break;
  }
});

$("refresh-sessions").addEventListener("click", refreshSessions);

$("session-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("sessions-error");
  const userIds = $("session-invitees").value.split(",").map((s) => s.trim()).filter(Boolean);
  try {
    await api("POST", "/api/v1/sessions", { purpose: $("session-purpose").value.trim(), userIds });
    $("session-form").reset();
    refreshSessions();
  } catch (e) {
    say("sessions-error", "Create failed: " + e.message);
  }
});

$("share-form").addEventListener("submit", (event) => {
  event.preventDefault();
  say("share-error");
  let context;
  try {
    context = JSON.parse($("share-context").value || "{}");
  } catch (e) {
    say("share-error", "context is not JSON: " + e.message);
    return;
  }
  if (!$("share-session").value) return say("share-error", "Choose a session first.");
  send({ type: "session.share", id: nextId("share"), sessionId: $("share-session").value, context });
  log("you shared: " + JSON.stringify(context));
});
