// The page shell: hash routing between the four views; each view returns a cleanup function.
import { replaceChildren, h } from "./dom.js";
import * as endpoints from "./endpoints.js";
import * as topics from "./topics.js";
import * as handlers from "./handlers.js";
import * as deliveries from "./deliveries.js";

const VIEWS = { endpoints, topics, handlers, deliveries };
let cleanup = null;
let current = null;

function parseHash() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  const name = VIEWS[parts[0]] ? parts[0] : "endpoints";
  return { name, rest: parts.slice(1) };
}

async function route() {
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
    replaceChildren(main, h("p", { class: "status status-error", role: "alert" }, `This page could not load: ${err.message}`));
  }
  document.title = `${document.querySelector(`nav a[data-page="${name}"]`).textContent} · Tocsin`;
}

window.addEventListener("hashchange", route);
route();
