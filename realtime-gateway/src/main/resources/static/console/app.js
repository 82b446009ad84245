// Agency console: ES modules, no build step. app.js routes between the views (#/agents, #/chat, …), signs in and
// out, and opens the one WebSocket; each view lives in views/<name>.js and exports show() (called on entering it).
import { $, session, whenSessionEnds } from "./api.js";
import { connect, disconnect } from "./ws.js";
import * as signin from "./views/signin.js";
import * as agents from "./views/agents.js";
import * as chat from "./views/chat.js";
import * as memories from "./views/memories.js";
import * as workflows from "./views/workflows.js";
import * as sessions from "./views/sessions.js";
import * as usage from "./views/usage.js";
import * as account from "./views/account.js";
import * as admin from "./views/admin.js";

const views = { signin, agents, chat, memories, workflows, sessions, usage, account, admin };
const HOME = "agents";

let currentView = null;

function route() {
  const hash = location.hash;
  if (!hash.startsWith("#/")) return; // #code= / #error= are read once at start
  let [name, ...rest] = hash.substring(2).split("/");
  if (!session.token) name = "signin";
  else if (!views[name] || name === "signin") name = HOME;
  if (name === "admin" && !session.roles.includes("admin")) name = HOME;
  for (const key of Object.keys(views)) $("view-" + key).hidden = key !== name;
  document.querySelectorAll("#nav a").forEach((a) => {
    if (a.dataset.view === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  document.title = (name === "signin" ? "Sign in" : $(name + "-title").textContent) + " — Agency console";
  Promise.resolve(views[name].show(rest.map(decodeURIComponent))).catch(() => {});
  // a new view: the focus moves to its heading (screen readers announce it, Tab goes on from there)
  if (name !== currentView && name !== "signin") $(name + "-title").focus();
  currentView = name;
}

export function go(name, ...args) {
  const target = "#/" + [name, ...args.map(encodeURIComponent)].join("/");
  if (location.hash === target) route();
  else location.hash = target;
}

/** After a password or provider sign-in: the token pair is held in memory (a reload signs out). */
export async function enter() {
  $("nav").hidden = false;
  $("sign-out").hidden = false;
  $("nav-admin").hidden = !session.roles.includes("admin");
  await connect();
  go(HOME);
}

export function leave(message) {
  session.token = null;
  session.refreshToken = null;
  session.roles = [];
  disconnect();
  Object.values(views).forEach((v) => v.reset && v.reset());
  $("nav").hidden = true;
  $("sign-out").hidden = true;
  go("signin");
  if (message) $("login-error").textContent = message;
}

$("sign-out").addEventListener("click", () => {
  const refreshToken = session.refreshToken;
  if (refreshToken) fetch("/api/v1/auth/logout", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refreshToken }) }).catch(() => {});
  leave();
});

whenSessionEnds(() => leave("Your session has ended: sign in again."));
window.addEventListener("hashchange", route);
signin.start(); // reads #code= / #error= from a provider sign-in, lists the providers
if (!location.hash.startsWith("#/")) history.replaceState(null, "", location.pathname + location.search + "#/signin");
route();
