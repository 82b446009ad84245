// Sign in (password, or a configured OpenID Connect provider) and sign up.
import { $, api, el, enc, say, signedIn } from "../api.js";
import { enter } from "../app.js";

export function show() {}

// what auth-service's callback puts in #error=<code>, said as a sentence
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

/** On load: the providers' links, and the fragment a provider sign-in came back with (#code=, #error=, #linked=). */
export function start() {
  providers();
  const fragment = new URLSearchParams(location.hash.substring(1));
  if (location.hash.startsWith("#/") || !location.hash) return;
  // the fragment leaves the address bar (and so the history) at once: the code is neither kept nor shared
  history.replaceState(null, "", location.pathname + location.search + "#/signin");
  if (fragment.has("code")) {
    exchange(fragment.get("code"));
  } else if (fragment.has("error")) {
    const code = fragment.get("error");
    say("login-error", "Sign-in failed: " + (PROVIDER_ERRORS[code] || fragment.get("error_description") || code));
  } else if (fragment.has("linked")) {
    say("login-error", "Linked " + fragment.get("linked") + " to your account; sign in again.");
  }
}

// the providers auth-service offers; none (or the call fails) → no links
async function providers() {
  let items = [];
  try {
    const page = await api("GET", "/api/v1/auth/oidc/providers");
    items = (page && page.items) || [];
  } catch (e) {
    items = [];
  }
  $("providers").replaceChildren(...items.map((p) => el("a", {
    className: "button provider",
    dataset: { provider: p.id },
    href: "/api/v1/auth/oidc/" + enc(p.id) + "/authorize?redirect=/console/",
  }, "Sign in with " + (p.name || p.id))));
  $("providers").hidden = items.length === 0;
}

// the one-time code → the platform's token pair, as after a password sign-in
async function exchange(code) {
  try {
    signedIn(await api("POST", "/api/v1/auth/oidc/exchange", { code }));
    await enter();
  } catch (e) {
    if (!$("login-error").textContent) say("login-error", "Sign-in failed: " + e.message);
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
