// Account: who you are, password change, log out everywhere, API keys (created — the key shown once — and revoked).
import { $, api, button, el, enc, say, signedIn } from "../api.js";
import { leave } from "../app.js";

export function reset() {
  $("new-key").replaceChildren();
  $("keys").replaceChildren();
  $("me").replaceChildren();
}

export async function show() {
  say("keys-error");
  try {
    const me = await api("GET", "/api/v1/users/me");
    $("me").replaceChildren(...[["Username", me.username], ["Email", me.email], ["Roles", (me.roles || []).join(", ")],
      ["Member since", me.createdAt ? new Date(me.createdAt).toLocaleDateString() : ""]].flatMap(([k, v]) =>
      [el("dt", {}, k), el("dd", {}, v || "—")]));
  } catch (e) {
    $("me").replaceChildren(el("dt", {}, "Account"), el("dd", { className: "error" }, e.message));
  }
  await keys();
}

async function keys() {
  try {
    const page = await api("GET", "/api/v1/auth/api-keys");
    $("keys").replaceChildren(...(page.items || []).map((k) => el("li", { dataset: { keyId: k.id } },
      el("span", {}, k.name + " · " + (k.scopes || []).join(", ")
        + (k.createdAt ? " · created " + new Date(k.createdAt).toLocaleDateString() : "")),
      button("Revoke", "key-revoke danger", () => revoke(k), { "aria-label": "Revoke key " + k.name }))));
  } catch (e) {
    say("keys-error", "API keys: " + e.message);
  }
}

async function revoke(key) {
  say("keys-error");
  try {
    await api("DELETE", "/api/v1/auth/api-keys/" + enc(key.id));
  } catch (e) {
    say("keys-error", "Revoke failed: " + e.message);
  }
  await keys();
}

$("key-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("keys-error");
  const scopes = [...document.querySelectorAll("#key-form input[name=scope]:checked")].map((c) => c.value);
  try {
    const created = await api("POST", "/api/v1/auth/api-keys", { name: $("key-name").value.trim(), scopes });
    $("key-form").reset();
    $("new-key").replaceChildren(el("p", {}, "Your new key “" + created.name + "” — copy it now, it is shown only once:"),
      el("code", { id: "new-key-value" }, created.key));
    await keys();
  } catch (e) {
    say("keys-error", "Create failed: " + e.message);
  }
});

$("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("password-error");
  say("password-result");
  try {
    signedIn(await api("POST", "/api/v1/users/me/password",
      { currentPassword: $("current-password").value, newPassword: $("new-password").value }));
    $("password-form").reset();
    say("password-result", "Password changed. Every other session of yours was signed out.");
  } catch (e) {
    say("password-error", "Password change failed: " + e.message);
  }
});

$("logout-all").addEventListener("click", async () => {
  say("logout-all-error");
  try {
    await api("POST", "/api/v1/auth/logout-all", {});
    leave("You were logged out everywhere.");
  } catch (e) {
    say("logout-all-error", "Log out everywhere failed: " + e.message);
  }
});
