// Dry run: pick or paste an event, see which handlers match and the exact request each would send; then
// optionally send the event for real.
import { api, seg } from "./api.js";
import { h, replaceChildren, setStatus } from "./dom.js";

const TOPICS = "/kapacitor/v1/alerts/topics";

function sampleEvent(topic) {
  return JSON.stringify({ topic: topic || "my-topic", id: "cpu:host=web1", level: "CRITICAL", message: "cpu is high on web1", details: "" }, null, 2);
}

function eventFromState(topic, e) {
  return JSON.stringify({ topic, id: e.id, level: e.state.level, message: e.state.message, details: e.state.details, time: e.state.time }, null, 2);
}

function requestView(request) {
  const lines = [];
  if (request.method || request.url) lines.push(`${request.method || ""} ${request.url || ""}`.trim());
  for (const [name, value] of request.headers || []) lines.push(`${name}: ${value}`);
  let body = request.body;
  if (typeof body === "string") {
    try { body = JSON.stringify(JSON.parse(body), null, 2); } catch { /* not JSON: shown as sent */ }
  }
  const rest = Object.fromEntries(Object.entries(request).filter(([k]) => !["method", "url", "headers", "body"].includes(k)));
  return h("div", { class: "request" },
    h("pre", { class: "code", "data-part": "head" }, lines.join("\n")),
    body !== undefined && body !== null ? h("pre", { class: "code", "data-part": "body", tabindex: "0", "aria-label": "Request body" }, body) : null,
    Object.keys(rest).length ? h("pre", { class: "code muted", "data-part": "other" }, JSON.stringify(rest, null, 2)) : null);
}

/** The dry-run panel; `topicOf()` gives the topic currently selected on the page. */
export function dryRunPanel(topicOf) {
  const text = h("textarea", { id: "dry-event", rows: 9, spellcheck: "false", class: "code" });
  text.value = sampleEvent(topicOf());
  const pick = h("select", { id: "dry-pick" }, h("option", { value: "" }, "(paste or edit below)"));
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const results = h("div", { class: "dry-results", "aria-live": "polite" });
  const sendButton = h("button", { type: "button", class: "secondary", disabled: true }, "Send this event for real");
  let known = [];

  async function loadEvents() {
    const topic = topicOf();
    known = [];
    replaceChildren(pick, h("option", { value: "" }, "(paste or edit below)"));
    if (!topic) return;
    try {
      const { events } = await api("GET", `${TOPICS}/${seg(topic)}/events`);
      known = events.slice(0, 500);
      pick.append(...known.map((e, i) => h("option", { value: String(i) }, `${e.id} (${e.state.level})`)));
    } catch { /* a topic without events yet */ }
  }
  pick.addEventListener("change", () => {
    if (pick.value !== "") text.value = eventFromState(topicOf(), known[Number(pick.value)]);
  });

  function parsed() {
    try {
      return JSON.parse(text.value);
    } catch (err) {
      setStatus(status, "error", `The event is not valid JSON: ${err.message}`);
      return undefined;
    }
  }

  async function run(event) {
    event.preventDefault();
    const body = parsed();
    if (body === undefined) return;
    sendButton.disabled = true;
    let answer;
    try {
      answer = await api("POST", "/tocsin/v1/dry-run", body);
    } catch (err) {
      setStatus(status, "error", `Dry run failed: ${err.message}`);
      replaceChildren(results);
      return;
    }
    setStatus(status, "ok", "Dry run done: nothing was sent.");
    replaceChildren(results, answer.results.map((result) => h("div", { class: "dry-event" },
      h("h3", {}, `Event ${result.event.id} on ${result.topic}: ${result.event.level} (was ${result.event.previousLevel})`),
      result.handlers.length ? null : h("p", { class: "muted" }, "This topic has no handlers."),
      result.handlers.map((r) => h("article", { class: `dry-handler ${r.matched ? "matched" : "unmatched"}`, "data-handler": r.id },
        h("h4", {}, `${r.id} (${r.kind}): `, h("span", { class: r.matched ? "yes" : "no" }, r.matched ? "matches" : "does not match")),
        r.match ? h("p", {}, "Match: ", h("code", {}, r.match)) : null,
        r.error ? h("p", { class: "status status-error" }, r.error) : null,
        r.note ? h("p", { class: "muted" }, r.note) : null,
        r.request ? requestView(r.request) : null)))));
    sendButton.disabled = false;
  }

  async function send() {
    const body = parsed();
    if (body === undefined) return;
    try {
      const { accepted } = await api("POST", "/tocsin/v1/events", body);
      setStatus(status, "ok", `Sent: ${accepted} event${accepted === 1 ? "" : "s"} accepted. See Deliveries for the outcome.`);
    } catch (err) {
      setStatus(status, "error", `Not sent: ${err.message}`);
    }
  }
  sendButton.addEventListener("click", send);
  text.addEventListener("input", () => { sendButton.disabled = true; });

  const node = h("section", { class: "panel", "aria-labelledby": "dry-heading" },
    h("h2", { id: "dry-heading" }, "Dry run"),
    h("p", { class: "field-help" }, "See which handlers an event matches and the exact request each would send, with secrets hidden. Nothing is sent until you choose to."),
    h("form", { onsubmit: run },
      h("div", { class: "toolbar" }, h("label", { for: "dry-pick" }, "Start from an event of this topic "), pick),
      h("label", { for: "dry-event" }, "Event (JSON, one object or a list)"), text,
      h("div", { class: "buttons" }, h("button", { type: "submit" }, "Dry run"), sendButton),
      status),
    results);
  loadEvents();
  return {
    node,
    topicChanged() {
      text.value = sampleEvent(topicOf());
      replaceChildren(results);
      loadEvents();
    },
  };
}
