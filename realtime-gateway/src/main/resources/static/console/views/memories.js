// Memories: browse with filters, hybrid search with scores, edit, delete, a memory's history, export (NDJSON).
import { $, api, button, el, enc, say } from "../api.js";

let mode = "list"; // or "search"

export function reset() {
  $("memories").replaceChildren();
  $("memory-search").reset();
  $("memory-filters").reset();
}

export function show() {
  return mode === "search" && $("memory-query").value.trim() ? search() : list();
}

function filters() {
  const params = new URLSearchParams({ limit: "50" });
  if ($("filter-agent").value.trim()) params.set("agentId", $("filter-agent").value.trim());
  if ($("filter-tag").value.trim()) params.set("tags", $("filter-tag").value.trim());
  if ($("filter-importance").value) params.set("minImportance", $("filter-importance").value);
  return params;
}

async function list() {
  mode = "list";
  say("memories-error");
  try {
    const page = await api("GET", "/api/v1/memories?" + filters());
    render(page.items || [], false);
    say("memories-heading", (page.items || []).length + " memories, newest first");
  } catch (e) {
    say("memories-error", "Memories: " + e.message);
  }
}

async function search() {
  mode = "search";
  say("memories-error");
  const body = { query: $("memory-query").value.trim(), limit: 20, filters: {} };
  if ($("filter-agent").value.trim()) body.filters.agentId = $("filter-agent").value.trim();
  if ($("filter-tag").value.trim()) body.filters.tags = { any: [$("filter-tag").value.trim()] };
  if ($("filter-importance").value) body.filters.minImportance = Number($("filter-importance").value);
  try {
    const answer = await api("POST", "/api/v1/memories/search", body);
    render(answer.results || [], true);
    say("memories-heading", (answer.results || []).length + " results for “" + body.query + "”, best first");
  } catch (e) {
    say("memories-error", "Search failed: " + e.message);
  }
}

function render(items, scored) {
  $("memories").replaceChildren(...items.map((m) => item(m, scored)));
}

function item(m, scored) {
  const text = el("p", { className: "memory-text" }, m.memory);
  const meta = el("p", { className: "meta" },
    scored && typeof m.score === "number" ? el("span", { className: "memory-score" }, "score " + m.score.toFixed(2)) : null,
    (m.tags || []).length ? " tags: " + m.tags.join(", ") : "",
    typeof m.importance === "number" ? " · importance " + m.importance : "",
    m.agentId ? " · agent " + m.agentId.substring(0, 8) : "",
    m.createdAt ? " · " + new Date(m.createdAt).toLocaleString() : "");
  const history = el("ol", { className: "history log", hidden: true });
  const li = el("li", { className: "memory", dataset: { memoryId: m.id } }, text, meta);
  li.append(el("div", { className: "row" },
    button("Edit", "memory-edit", () => editMemory(li, m), { "aria-label": "Edit memory: " + m.memory }),
    button("History", "memory-history", () => showHistory(m, history), { "aria-label": "History of memory: " + m.memory }),
    button("Delete", "memory-delete danger", () => remove(m), { "aria-label": "Delete memory: " + m.memory })),
  history);
  return li;
}

function editMemory(li, m) {
  const input = el("textarea", { className: "memory-input", rows: 2, "aria-label": "Memory text" });
  input.value = m.memory;
  const error = el("p", { className: "error", role: "alert" });
  const form = el("form", { className: "memory-form" }, input, el("div", { className: "row" },
    el("button", { type: "submit", className: "memory-save primary" }, "Save"),
    button("Cancel", "memory-cancel", () => show())), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", "/api/v1/memories/" + enc(m.id), { memory: input.value.trim() });
      await show();
    } catch (e) {
      error.textContent = "Save failed: " + e.message;
    }
  });
  li.replaceChildren(form);
  input.focus();
}

async function showHistory(m, list) {
  try {
    const page = await api("GET", "/api/v1/memories/" + enc(m.id) + "/history");
    list.replaceChildren(...(page.items || []).map((h) => el("li", {},
      (h.at ? new Date(h.at).toLocaleString() + " " : "") + h.event
      + (h.oldMemory ? ": “" + h.oldMemory + "” → " : ": ") + (h.newMemory ? "“" + h.newMemory + "”" : "")
      + (h.actor ? " (" + h.actor + ")" : ""))));
    list.hidden = false;
  } catch (e) {
    list.replaceChildren(el("li", { className: "error" }, "History: " + e.message));
    list.hidden = false;
  }
}

async function remove(m) {
  try {
    await api("DELETE", "/api/v1/memories/" + enc(m.id));
  } catch (e) {
    say("memories-error", "Delete failed: " + e.message);
  }
  await show();
}

$("memory-filters").addEventListener("submit", (event) => {
  event.preventDefault();
  list();
});

$("memory-search").addEventListener("submit", (event) => {
  event.preventDefault();
  search();
});

$("export-memories").addEventListener("click", async () => {
  say("memories-error");
  try {
    const response = await api("GET", "/api/v1/memories/export", undefined, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: "memories.ndjson", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say("memories-heading", "Exported to memories.ndjson");
  } catch (e) {
    say("memories-error", "Export failed: " + e.message);
  }
});
