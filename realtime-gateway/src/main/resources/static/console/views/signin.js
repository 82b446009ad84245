// Sign in (password, or a configured OpenID Connect provider) and sign up.
import { $, api, el, enc, say, signedIn } from "../api.js";
import { enter } from "../app.js";

export function show() {}

export function start() {
  providers();
  const fragment = new URLSearchParams(location.hash.substring(1));
  if (location.hash.startsWith("#code=") && fragment.get("code")) {
    exchange(fragment.get("code"));
  } else if (location.hash.startsWith("#error=")) {
    say("login-error", "Sign-in with the provider failed: " + (fragment.get("error_description") || fragment.get("error")));
  }
}

// the providers auth-service offers; none (or no such endpoint yet, or it fails) → no buttons
async function providers() {
  try {
    const page = await api("GET", "/api/v1/auth/oidc/providers");
    const items = (page && page.items) || [];
    $("oidc-providers").replaceChildren(...items.map((p) => el("a", {
      className: "button provider",
      href: "/api/v1/auth/oidc/" + enc(p.id) + "/authorize?redirect=" + enc("/console/"),
    }, "Sign in with " + (p.name || p.id))));
  } catch (e) {
    $("oidc-providers").replaceChildren();
  }
}

// the one-time code the provider callback put in the fragment → the platform's token pair
async function exchange(code) {
  history.replaceState(null, "", location.pathname + location.search + "#/signin");
  try {
    signedIn(await api("POST", "/api/v1/auth/oidc/exchange", { code }));
    await enter();
  } catch (e) {
    say("login-error", "Sign-in with the provider failed: " + e.message);
  }
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("login-error");
  try {
    signedIn(await api("POST", "/api/v1/auth/login", { username: $("username").value, password: $("password").value }));
    $("password").value = "";
    await enter();
  } catch (e) {
    if (!$("login-error").textContent) say("login-error", "Sign-in failed: " + e.message); // or why it ended
  }
});

$("signup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("signup-error");
  say("signup-result");
  const username = $("signup-username").value.trim();
  try {
    await api("POST", "/api/v1/auth/register",
      { username, email: $("signup-email").value.trim(), password: $("signup-password").value });
    $("signup-form").reset();
    $("username").value = username;
    say("signup-result", "Account " + username + " created: sign in with it.");
    $("password").focus();
  } catch (e) {
    say("signup-error", "Sign-up failed: " + e.message);
  }
});
