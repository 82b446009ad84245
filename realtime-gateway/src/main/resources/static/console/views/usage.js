// Usage per day as an SVG bar chart (GET /api/v1/usage?from&to), with the same numbers as a table, and quotas.
// Admins pick any user (GET /api/v1/admin/usage?userId&from&to).
import { $, api, el, enc, say, session, svg } from "../api.js";

const METRICS = {
  tokens: (d) => (d.tokensIn || 0) + (d.tokensOut || 0),
  turns: (d) => d.turns || 0,
  toolCalls: (d) => d.toolCalls || 0,
  memoriesAdded: (d) => d.memoriesAdded || 0,
  workflowSteps: (d) => d.workflowSteps || 0,
};
let days = [];

export function reset() {
  days = [];
  $("usage-chart-box").replaceChildren();
  $("usage-user").replaceChildren(el("option", { value: "" }, "me"));
  $("usage-user-box").hidden = true;
}

/** For admins: the users to choose from, once per sign-in. */
async function users() {
  const isAdmin = session.roles.includes("admin");
  $("usage-user-box").hidden = !isAdmin;
  if (!isAdmin || $("usage-user").options.length > 1) return;
  try {
    const page = await api("GET", "/api/v1/admin/users?limit=100");
    $("usage-user").append(...(page.items || []).filter((u) => u.id !== session.userId)
      .map((u) => el("option", { value: u.id }, u.username)));
  } catch (e) {
    say("usage-error", "Users: " + e.message);
  }
}

function iso(date) {
  return date.toISOString().substring(0, 10);
}

export async function show() {
  if (!$("usage-to").value) {
    const today = new Date();
    $("usage-to").value = iso(today);
    $("usage-from").value = iso(new Date(today.getTime() - 13 * 86400000));
  }
  say("usage-error");
  await users();
  const range = "from=" + $("usage-from").value + "&to=" + $("usage-to").value;
  const user = $("usage-user").value;
  try {
    const answer = await api("GET", user ? "/api/v1/admin/usage?userId=" + enc(user) + "&" + range
      : "/api/v1/usage?" + range);
    days = answer.days || [];
    $("quotas").replaceChildren(...(answer.quotas || []).map((q) => el("li", {}, q.name + ": " + q.used + " of "
      + q.limit + (q.resetsAt ? " (resets " + new Date(q.resetsAt).toLocaleString() + ")" : ""))));
    chart();
  } catch (e) {
    say("usage-error", "Usage: " + e.message);
  }
}

function chart() {
  const metric = $("usage-metric").value;
  const label = $("usage-metric").selectedOptions[0].textContent;
  const value = METRICS[metric];
  const max = Math.max(1, ...days.map(value));
  const W = 640, H = 240, left = 48, bottom = 28, top = 12;
  const slot = (W - left - 8) / Math.max(1, days.length);
  const bars = days.map((d, i) => {
    const h = (value(d) / max) * (H - top - bottom);
    const x = left + i * slot + slot * 0.15;
    return svg("g", { class: "bar", "data-date": d.date, "data-value": value(d) },
      svg("title", {}, d.date + ": " + value(d) + " " + label),
      svg("rect", { x: x.toFixed(1), y: (H - bottom - h).toFixed(1), width: (slot * 0.7).toFixed(1),
        height: Math.max(h, value(d) ? 1 : 0).toFixed(1) }),
      i % Math.ceil(days.length / 7) === 0
        ? svg("text", { x: (x + slot * 0.35).toFixed(1), y: H - 8, "text-anchor": "middle", class: "tick" }, d.date.substring(5))
        : null);
  });
  const total = days.reduce((sum, d) => sum + value(d), 0);
  $("usage-chart-box").replaceChildren(svg("svg", { id: "usage-chart", viewBox: `0 0 ${W} ${H}`, role: "img",
    "aria-label": label + " per day from " + $("usage-from").value + " to " + $("usage-to").value + ", " + total
      + " in all, at most " + max + " a day", class: "chart-svg" },
  svg("line", { x1: left, y1: H - bottom, x2: W - 4, y2: H - bottom, class: "axis" }),
  svg("line", { x1: left, y1: top, x2: left, y2: H - bottom, class: "axis" }),
  svg("text", { x: left - 6, y: top + 10, "text-anchor": "end", class: "tick" }, String(max)),
  svg("text", { x: left - 6, y: H - bottom, "text-anchor": "end", class: "tick" }, "0"),
  ...bars));
  $("usage-caption").textContent = label + " per day: " + total + " in " + days.length + " days.";
  $("usage-table").replaceChildren(el("table", {}, el("thead", {}, el("tr", {},
    ...["date", "tokens in", "tokens out", "turns", "tool calls", "memories added", "workflow steps"].map((h) =>
      el("th", { scope: "col" }, h)))),
  el("tbody", {}, ...days.map((d) => el("tr", {}, el("th", { scope: "row" }, d.date),
    ...[d.tokensIn, d.tokensOut, d.turns, d.toolCalls, d.memoriesAdded, d.workflowSteps].map((v) =>
      el("td", {}, String(v || 0))))))));
}

$("usage-form").addEventListener("submit", (event) => {
  event.preventDefault();
  show();
});
$("usage-metric").addEventListener("change", chart);
$("usage-user").addEventListener("change", show);
