// Admin (role admin only): users and their roles, audit events.
import { $, api, button, el, enc, say } from "../api.js";

const ROLES = ["admin", "user", "viewer"];

export function reset() {
  $("admin-users").replaceChildren();
  $("audit").replaceChildren();
}

export async function show() {
  say("admin-error");
  try {
    const page = await api("GET", "/api/v1/admin/users?limit=100");
    $("admin-users").replaceChildren(...(page.items || []).map(userItem));
  } catch (e) {
    say("admin-error", "Users: " + e.message);
  }
  await audit();
}

function userItem(user) {
  const boxes = ROLES.map((role) => el("label", { className: "inline" },
    el("input", { type: "checkbox", value: role, checked: (user.roles || []).includes(role), className: "role" }), " " + role));
  const result = el("span", { className: "note", role: "status" });
  const save = button("Save roles", "roles-save", async () => {
    const roles = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
    try {
      await api("PUT", "/api/v1/admin/users/" + enc(user.id) + "/roles", { roles });
      result.textContent = "saved";
    } catch (e) {
      result.textContent = "failed: " + e.message;
    }
  }, { "aria-label": "Save roles of " + user.username });
  return el("li", { dataset: { userId: user.id } },
    el("fieldset", { className: "roles" }, el("legend", {}, user.username + (user.email ? " · " + user.email : "")),
      ...boxes, save, result));
}

async function audit() {
  const params = new URLSearchParams({ limit: "50" });
  if ($("audit-type").value.trim()) params.set("type", $("audit-type").value.trim());
  if ($("audit-user").value.trim()) params.set("userId", $("audit-user").value.trim());
  try {
    const page = await api("GET", "/api/v1/admin/audit?" + params);
    $("audit").replaceChildren(...(page.items || []).map((a) => el("li", { className: "audit-event" },
      el("time", {}, a.at ? new Date(a.at).toLocaleString() : ""), " " + a.type + " · "
        + String(a.userId || "").substring(0, 8) + (a.details ? " " + JSON.stringify(a.details) : ""))));
  } catch (e) {
    $("audit").replaceChildren(el("li", { className: "error" }, "Audit: " + e.message));
  }
}

$("audit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  audit();
});
