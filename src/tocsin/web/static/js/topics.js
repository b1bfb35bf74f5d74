// Topics: level and event counts per topic, and the events of one topic, refreshed by polling.
import { api, seg } from "./api.js";
import { h, replaceChildren, timeCell } from "./dom.js";

const TOPICS = "/kapacitor/v1/alerts/topics";
const POLL_MS = 2000;
const PAGE = 200;
const LEVELS = ["OK", "INFO", "WARNING", "CRITICAL"];

let view = null;

export function levelBadge(level) {
  return h("span", { class: `level level-${String(level).toLowerCase()}` }, level);
}

/** Render the view; `rest[0]` selects a topic (#/topics/<id>). */
export async function render(main, rest) {
  const topicsBody = h("tbody");
  const eventsArea = h("div", { class: "events" });
  const updated = h("p", { class: "muted", "aria-live": "off" });
  const live = h("input", { type: "checkbox", id: "topics-live", checked: true });
  view = { main, topicsBody, eventsArea, updated, live, selected: rest[0] || null, shown: PAGE, minLevel: "OK", timer: null, busy: false };
  replaceChildren(main,
    h("h1", {}, "Topics"),
    h("div", { class: "toolbar" }, h("span", { class: "field-bool" }, live, h("label", { for: "topics-live" }, "Refresh live (every 2 s)")), updated),
    h("div", { class: "split" },
      h("section", { class: "panel narrow", "aria-labelledby": "topics-heading" },
        h("h2", { id: "topics-heading" }, "All topics"),
        h("table", { class: "grid" },
          h("caption", { class: "sr-only" }, "Topics with their level and number of events collected"),
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Topic"), h("th", { scope: "col" }, "Level"), h("th", { scope: "col" }, "Events collected"))),
          topicsBody)),
      eventsArea));
  await poll();
  view.timer = setInterval(() => { if (view && live.checked) poll(); }, POLL_MS);
  const mine = view;
  return () => { clearInterval(mine.timer); if (view === mine) view = null; };
}

export function update(rest) {
  if (!view) return;
  view.selected = rest[0] || null;
  view.shown = PAGE;
  poll();
}

async function poll() {
  if (!view) return;
  const v = view;
  if (v.busy) { v.again = true; return; }
  v.busy = true;
  v.again = false;
  try {
    const { topics } = await api("GET", TOPICS);
    let events = null;
    if (v.selected) {
      try {
        events = (await api("GET", `${TOPICS}/${seg(v.selected)}/events?min-level=${v.minLevel}`)).events;
      } catch (err) {
        events = err;
      }
    }
    if (view !== v) return;
    drawTopics(v, topics);
    drawEvents(v, events);
    v.updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    v.updated.textContent = `Refresh failed: ${err.message}`;
  } finally {
    v.busy = false;
    if (v.again && view === v) poll();
  }
}

// Polling replaces rows; keep keyboard focus on the same link when it is still there.
function keepFocus(container, redraw) {
  const active = document.activeElement;
  const href = active && container.contains(active) ? active.getAttribute("href") : null;
  redraw();
  if (href) {
    const again = container.querySelector(`a[href="${CSS.escape(href)}"]`);
    if (again) again.focus();
  }
}

function drawTopics(v, topics) {
  const rows = topics.map((t) => h("tr", { class: t.id === v.selected ? "selected" : null, "data-topic": t.id },
    h("th", { scope: "row" }, h("a", { href: `#/topics/${encodeURIComponent(t.id)}`, "aria-current": t.id === v.selected ? "true" : null }, t.id)),
    h("td", {}, levelBadge(t.level)),
    h("td", { class: "num" }, String(t.collected))));
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: "3" }, "No topics yet. Events posted to /tocsin/v1/events create them.")));
  keepFocus(v.topicsBody, () => replaceChildren(v.topicsBody, rows));
}

function eventsSkeleton(v) {
  const select = h("select", { id: "min-level" }, LEVELS.map((l) => h("option", { value: l, selected: l === v.minLevel }, l)));
  select.addEventListener("change", () => { v.minLevel = select.value; v.shown = PAGE; poll(); });
  const count = h("span", { class: "muted", role: "status" });
  const body = h("tbody");
  const more = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => { v.shown += PAGE; poll(); } });
  const error = h("p", { class: "status status-error", hidden: true });
  replaceChildren(v.eventsArea,
    h("section", { class: "panel", "aria-labelledby": "events-heading" },
      h("h2", { id: "events-heading" }, `Events of ${v.selected}`),
      h("div", { class: "toolbar" }, h("label", { for: "min-level" }, "Minimum level "), select, count),
      error,
      h("div", { class: "table-wrap" }, h("table", { class: "grid" },
        h("caption", { class: "sr-only" }, `Events of topic ${v.selected}, newest first`),
        h("thead", {}, h("tr", {}, ["Level", "Event", "Message", "Time", "Duration", "Actions"].map((c) => h("th", { scope: "col" }, c)))),
        body)),
      more));
  return { topic: v.selected, count, body, more, error };
}

function drawEvents(v, events) {
  if (!v.selected) {
    v.parts = null;
    replaceChildren(v.eventsArea, h("p", { class: "muted" }, "Pick a topic to see its events."));
    return;
  }
  if (!v.parts || v.parts.topic !== v.selected) v.parts = eventsSkeleton(v);
  const parts = v.parts;
  parts.error.hidden = !(events instanceof Error);
  if (events instanceof Error) {
    parts.error.textContent = events.message;
    return;
  }
  // Newest first; only the requested pages of rows are in the DOM, however many events the topic holds.
  const sorted = events.slice().sort((a, b) => (a.state.time < b.state.time ? 1 : a.state.time > b.state.time ? -1 : 0));
  const visible = sorted.slice(0, v.shown);
  const rows = visible.map((e) => h("tr", {},
    h("td", {}, levelBadge(e.state.level)),
    h("th", { scope: "row" }, e.id),
    h("td", { class: "message" }, e.state.message),
    timeCell(e.state.time),
    h("td", { class: "num" }, e.state.duration),
    h("td", {}, h("a", { href: `#/silences/new/${encodeURIComponent(v.selected)}/${encodeURIComponent(e.id)}`, "aria-label": `Silence ${e.id}` }, "Silence"))));
  replaceChildren(parts.body, rows.length ? rows : h("tr", {}, h("td", { colspan: "6" }, "No events.")));
  parts.count.textContent = `Showing ${visible.length} of ${sorted.length} events`;
  parts.more.hidden = sorted.length <= visible.length;
  parts.more.textContent = `Show ${Math.min(PAGE, sorted.length - visible.length)} more`;
}
