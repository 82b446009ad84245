// Agents: list, create, edit (prompt, model, tools from the registry), versions with a diff and rollback; the
// first-run tour creates a starter agent and opens a chat with it.
import { $, api, button, el, enc, say, short } from "../api.js";
import { go } from "../app.js";

let current = null; // the agent being edited, or null for a new one
let tools = [];

export function reset() {
  current = null;
  $("agent-list").replaceChildren();
}

export async function show(args) {
  say("agents-error");
  try {
    const [page, registry] = await Promise.all([api("GET", "/api/v1/agents?limit=100"),
      tools.length ? { items: tools } : api("GET", "/api/v1/tools").catch(() => ({ items: [] }))]);
    tools = registry.items || [];
    const agents = page.items || [];
    $("first-run").hidden = agents.length > 0;
    $("agent-list").replaceChildren(...agents.map((a) => el("li", { dataset: { agentId: a.id } },
      button(a.name || a.id, "link agent-open", () => go("agents", a.id)),
      el("span", { className: "meta" }, " v" + (a.version || 1) + " · " + modelOf(a)))));
    const wanted = args && args[0];
    if (wanted) edit(agents.find((a) => a.id === wanted) || await api("GET", "/api/v1/agents/" + enc(wanted)));
    else if (!current) edit(null);
    else renderTools(current.tools || []);
  } catch (e) {
    say("agents-error", "Agents: " + e.message);
  }
}

function modelOf(agent) {
  const m = agent.model || {};
  return [m.provider, m.name].filter(Boolean).join("/") || "default model";
}

function renderTools(selected) {
  $("agent-tools").replaceChildren(el("legend", {}, "Tools"), ...tools.map((t) => el("label", { className: "tool-choice" },
    el("input", { type: "checkbox", name: "agent-tool", value: t.name, checked: selected.includes(t.name) }),
    " " + t.name, el("span", { className: "hint" }, " — " + short(t.description || "", 80)))));
}

function edit(agent) {
  if (!agent || !current || agent.id !== current.id) say("agent-result");
  current = agent;
  say("agent-error");
  $("agent-form-title").textContent = agent ? "Edit " + (agent.name || "agent") : "New agent";
  $("agent-name").value = agent ? agent.name || "" : "";
  $("agent-description").value = agent ? agent.description || "" : "";
  $("agent-prompt").value = agent ? agent.systemPrompt || "" : "";
  const model = (agent && agent.model) || {};
  $("agent-provider").value = model.provider || "";
  $("agent-model").value = model.name || "";
  $("agent-temperature").value = model.temperature ?? 0.7;
  renderTools(agent ? agent.tools || [] : []);
  $("chat-with-agent").hidden = !agent;
  if (agent) $("chat-with-agent").href = "#/chat/" + enc(agent.id);
  $("agent-versions-panel").hidden = !agent;
  $("agent-diff").replaceChildren();
  if (agent) versions();
}

function formBody() {
  return {
    name: $("agent-name").value.trim(),
    description: $("agent-description").value.trim(),
    capabilities: (current && current.capabilities) || [],
    systemPrompt: $("agent-prompt").value,
    model: modelOfForm(),
    tools: [...document.querySelectorAll("input[name=agent-tool]:checked")].map((c) => c.value),
  };
}

// an empty provider or model name is left out: the service's default applies
function modelOfForm() {
  const model = { temperature: Number($("agent-temperature").value) };
  if ($("agent-provider").value.trim()) model.provider = $("agent-provider").value.trim();
  if ($("agent-model").value.trim()) model.name = $("agent-model").value.trim();
  return model;
}

$("agent-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("agent-error");
  try {
    const saved = current ? await api("PUT", "/api/v1/agents/" + enc(current.id), formBody())
      : await api("POST", "/api/v1/agents", formBody());
    current = saved;
    say("agent-result", "Saved " + saved.name + (saved.version ? " (version " + saved.version + ")" : "") + ".");
    go("agents", saved.id);
  } catch (e) {
    say("agent-error", "Save failed: " + e.message);
  }
});

$("new-agent").addEventListener("click", () => {
  current = null;
  go("agents");
  $("agent-name").focus();
});

$("tour-start").addEventListener("click", async () => {
  say("agents-error");
  try {
    const agent = await api("POST", "/api/v1/agents", {
      name: "My assistant", description: "Created by the first-run tour", capabilities: [],
      systemPrompt: "You are a helpful, concise assistant. Use the calculator for arithmetic.",
      model: { temperature: 0.7 },
      tools: tools.some((t) => t.name === "calculator") ? ["calculator"] : [],
    });
    go("chat", agent.id);
  } catch (e) {
    say("agents-error", "Could not create the agent: " + e.message);
  }
});

async function versions() {
  const agent = current;
  try {
    const page = await api("GET", "/api/v1/agents/" + enc(agent.id) + "/versions");
    const items = page.items || [];
    const latest = agent.version || (items[0] && items[0].version);
    $("agent-versions").replaceChildren(...items.map((v) => el("li", { dataset: { version: v.version } },
      el("span", {}, "v" + v.version + (v.version === latest ? " (current)" : "") + " · "
        + (v.createdAt ? new Date(v.createdAt).toLocaleString() : "")),
      v.version === latest ? null : button("Diff with current", "version-diff", () => diff(agent, v.version, latest),
        { "aria-label": "Diff version " + v.version + " with current" }),
      v.version === latest ? null : button("Roll back", "version-rollback", () => rollback(agent, v.version),
        { "aria-label": "Roll back to version " + v.version }))));
  } catch (e) {
    $("agent-versions").replaceChildren(el("li", { className: "error" }, "Versions: " + e.message));
  }
}

async function diff(agent, a, b) {
  try {
    const answer = await api("GET", "/api/v1/agents/" + enc(agent.id) + "/versions/" + a + "/diff/" + b);
    const rows = (answer.changes || []).map((c) => el("tr", { dataset: { field: c.field } },
      el("th", { scope: "row" }, c.field), el("td", { className: "old" }, short(c.old, 400)),
      el("td", { className: "new" }, short(c.new, 400))));
    $("agent-diff").replaceChildren(el("div", { className: "scroll-x" }, el("table", { className: "diff" },
      el("caption", {}, "Changes from v" + a + " to v" + b),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "field"), el("th", { scope: "col" }, "v" + a),
        el("th", { scope: "col" }, "v" + b))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colSpan: 3 }, "no changes"))))));
  } catch (e) {
    $("agent-diff").replaceChildren(el("p", { className: "error" }, "Diff: " + e.message));
  }
}

async function rollback(agent, version) {
  try {
    const restored = await api("POST", "/api/v1/agents/" + enc(agent.id) + "/rollback", { version });
    current = restored;
    edit(restored);
    say("agent-result", "Rolled back to version " + version + " (now version " + restored.version + ").");
  } catch (e) {
    say("agent-error", "Rollback failed: " + e.message);
  }
}
