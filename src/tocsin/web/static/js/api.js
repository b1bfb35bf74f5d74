// Calls to Tocsin's HTTP API. Errors carry the server's own message.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export const SESSION = "/tocsin/v1/session";
let csrfToken = "";
let onSignedOut = null;

/** The CSRF token of the signed-in session, sent with every write ("" when signed out or auth is off). */
export function setCsrfToken(token) {
  csrfToken = token || "";
}

/** Called with the server's message when a request finds the session gone (401). */
export function whenSignedOut(callback) {
  onSignedOut = callback;
}

/** Send a request; JSON bodies in and out. Returns null for 204. Throws ApiError when not OK. */
export async function api(method, path, body, { raw = false } = {}) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (csrfToken && method !== "GET" && method !== "HEAD") init.headers["X-CSRF-Token"] = csrfToken;
  if (body !== undefined) {
    if (raw) {
      init.body = body;
      // Not text/plain: the server refuses browser writes with the body types a cross-site form can send.
      init.headers["Content-Type"] = "application/yaml; charset=utf-8";
    } else {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, `cannot reach the server: ${err.message}`, null);
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const message = (data && (data.message || data.error)) || `${response.status} ${response.statusText}`;
    if (response.status === 401 && path !== SESSION && onSignedOut) onSignedOut(message);
    throw new ApiError(response.status, message, data);
  }
  return data;
}

let schemaPromise = null;

/** The config-section and handler-kind schemas (fetched once per page load). */
export function schema() {
  if (!schemaPromise) {
    schemaPromise = api("GET", "/tocsin/v1/schema").catch((err) => {
      schemaPromise = null;
      throw err;
    });
  }
  return schemaPromise;
}

/** Path segment escaping for names used in URLs. */
export function seg(name) {
  return encodeURIComponent(name);
}
