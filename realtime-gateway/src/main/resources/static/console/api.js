// The console's one way to call the REST API (/api/v1 on the gateway it is served from) and to build DOM.
// Text from the services is always set as text (textContent), never parsed as markup.

export const session = { token: null, refreshToken: null, roles: [], userId: null };

/** A refused request: the problem's detail, its status and its field errors. */
export class ApiError extends Error {
  constructor(message, status, fields) {
    super(message);
    this.status = status;
    this.fields = fields || [];
  }
}

export async function api(method, path, body, { raw = false, retried = false } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session.token) headers.Authorization = "Bearer " + session.token;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // an access token lives minutes: on 401 the refresh token gets a new pair once, and the call is made again
  if (response.status === 401 && session.token && !retried) {
    if (await refreshed()) return api(method, path, body, { raw, retried: true });
    onSessionEnd();
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const fields = problem.errors || [];
    const detail = problem.detail || problem.title || "HTTP " + response.status;
    throw new ApiError(fields.length ? detail + " (" + fields.map((f) => f.field + ": " + f.message).join("; ") + ")"
      : detail, response.status, fields);
  }
  if (raw) return response;
  return response.status === 204 || response.status === 202 && response.headers.get("Content-Length") === "0"
    ? null : response.json().catch(() => null);
}

let refreshing = null; // one refresh at a time, shared by the calls that met a 401 together
let onSessionEnd = () => {};

/** What to do when the session cannot go on (the refresh token refused too): app.js signs out. */
export function whenSessionEnds(handler) {
  onSessionEnd = handler;
}

function refreshed() {
  if (!session.refreshToken) return Promise.resolve(false);
  const spent = session.refreshToken;
  refreshing = refreshing || fetch("/api/v1/auth/refresh", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ refreshToken: spent }) })
    .then(async (response) => {
      if (!response.ok) return false;
      signedIn(await response.json());
      return true;
    })
    .catch(() => false)
    .finally(() => { setTimeout(() => { refreshing = null; }, 0); });
  return refreshing;
}

/** Keeps the token pair and what the access token says (roles, user id). Held in memory only. */
export function signedIn(tokens) {
  session.token = tokens.accessToken;
  session.refreshToken = tokens.refreshToken || null;
  try {
    const claims = JSON.parse(atob(tokens.accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    session.roles = Array.isArray(claims.roles) ? claims.roles : [];
    session.userId = claims.sub || null;
  } catch (e) {
    session.roles = [];
    session.userId = null;
  }
}

export const $ = (id) => document.getElementById(id);

/** el("li", {className: "x", dataset: {id}, onclick: f, "aria-label": "y"}, "text", child, …) */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.substring(2), value);
    else if (key in node && !key.includes("-")) node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

const SVG = "http://www.w3.org/2000/svg";

export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

export function button(text, className, onClick, props) {
  return el("button", Object.assign({ type: "button", className, onclick: onClick }, props || {}), text);
}

/** Shows an error (or clears it) in a role=alert element. */
export function say(id, text) {
  $(id).textContent = text || "";
}

export function short(value, max = 120) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "" : text.length > max ? text.substring(0, max - 3) + "…" : text;
}

export function enc(value) {
  return encodeURIComponent(value);
}
