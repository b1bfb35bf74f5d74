// Calls to Tocsin's HTTP API. Errors carry the server's own message.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

/** Send a request; JSON bodies in and out. Returns null for 204. Throws ApiError when not OK. */
export async function api(method, path, body, { raw = false } = {}) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    if (raw) {
      init.body = body;
      init.headers["Content-Type"] = "text/plain; charset=utf-8";
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
