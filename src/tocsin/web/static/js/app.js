// The page shell: sign-in when the server asks for it, then hash routing between the views; each view
// returns a cleanup function.
import { whenSignedOut } from "./api.js";
import { replaceChildren, h, toast } from "./dom.js";
import { currentSession, renderLogin, signOut } from "./login.js";
import * as endpoints from "./endpoints.js";
import * as topics from "./topics.js";
import * as handlers from "./handlers.js";
import * as deliveries from "./deliveries.js";
import * as silences from "./silences.js";

const VIEWS = { endpoints, topics, handlers, deliveries, silences };
let cleanup = null;
let current = null;
let signedIn = false;

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const name = VIEWS[parts[0]] ? parts[0] : "endpoints";
  return { name, rest: parts.slice(1) };
}

async function route() {
  if (!signedIn) return;
  const { name, rest } = parseHash();
  for (const link of document.querySelectorAll("nav a[data-page]")) {
    if (link.dataset.page === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (current === name && VIEWS[name].update) {
    VIEWS[name].update(rest);
    return;
  }
  if (cleanup) cleanup();
  cleanup = null;
  current = name;
  const main = document.getElementById("main");
  replaceChildren(main, h("p", {}, "Loading…"));
  try {
    cleanup = await VIEWS[name].render(main, rest);
  } catch (err) {
    if (!signedIn) return; // the session ended: the sign-in form has replaced the view
    replaceChildren(main, h("p", { class: "status status-error", role: "alert" }, `This page could not load: ${err.message}`));
  }
  if (!signedIn) return;
  document.title = `${document.querySelector(`nav a[data-page="${name}"]`).textContent} · Tocsin`;
}

function showSignedIn(username) {
  signedIn = true;
  document.getElementById("pages").hidden = false;
  document.getElementById("account").hidden = !username;
  document.getElementById("account-name").textContent = username ? `Signed in as ${username}` : "";
  current = null;
  route();
}

function showLogin(notice = "") {
  signedIn = false;
  if (cleanup) cleanup();
  cleanup = null;
  current = null;
  document.getElementById("pages").hidden = true;
  document.getElementById("account").hidden = true;
  document.title = "Sign in · Tocsin";
  renderLogin(document.getElementById("main"), showSignedIn, notice);
}

async function start() {
  let session;
  try {
    session = await currentSession();
  } catch (err) {
    replaceChildren(document.getElementById("main"), h("p", { class: "status status-error", role: "alert" }, `This page could not load: ${err.message}`));
    return;
  }
  if (session === null) showLogin();
  else showSignedIn(session.authEnabled ? session.username : "");
}

whenSignedOut((message) => { if (signedIn) showLogin(`Signed out: ${message}`); });
document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await signOut();
  } catch (err) {
    toast(`Not signed out: ${err.message}`, "error");
    return;
  }
  showLogin("You are signed out.");
});
window.addEventListener("hashchange", route);
start();
