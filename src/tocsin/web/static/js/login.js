// Sign-in when the server has `[http] auth-enabled = true`: a session cookie plus a CSRF token for writes.
import { api, ApiError, SESSION, setCsrfToken } from "./api.js";
import { h, replaceChildren, setStatus } from "./dom.js";

/** Who is signed in: {authEnabled, username}; null when auth is on and nobody is (or the session ended). */
export async function currentSession() {
  try {
    const answer = await api("GET", SESSION);
    setCsrfToken(answer["csrf-token"]);
    return { authEnabled: answer["auth-enabled"], username: answer.username || "" };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** Show the sign-in form in `main`; `onSignedIn(username)` runs once the server accepts the credentials. */
export function renderLogin(main, onSignedIn, notice = "") {
  const name = h("input", { id: "login-name", name: "username", type: "text", autocomplete: "username", required: true, spellcheck: "false" });
  const password = h("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const status = h("p", { id: "login-status", class: "status", role: "alert" });
  const button = h("button", { type: "submit" }, "Sign in");
  async function submit(event) {
    event.preventDefault();
    button.disabled = true;
    try {
      const answer = await api("POST", SESSION, { username: name.value, password: password.value });
      setCsrfToken(answer["csrf-token"]);
      onSignedIn(answer.username);
    } catch (err) {
      setStatus(status, "error", err.message);
      password.value = "";
      password.focus();
    } finally {
      button.disabled = false;
    }
  }
  const form = h("form", { class: "login panel", "aria-labelledby": "login-heading", onsubmit: submit },
    h("h1", { id: "login-heading" }, "Sign in"),
    h("label", { for: "login-name" }, "Username"), name,
    h("label", { for: "login-password" }, "Password"), password,
    button, status);
  replaceChildren(main, form);
  if (notice) setStatus(status, "info", notice);
  name.focus();
}

/** End the session on the server (the cookie is cleared by its answer). */
export async function signOut() {
  try {
    await api("DELETE", SESSION);
  } finally {
    setCsrfToken("");
  }
}
