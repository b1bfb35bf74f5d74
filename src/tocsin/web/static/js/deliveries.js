// Deliveries: the delivery log with filters, attempts and last error, and retry of dead letters.
import { api } from "./api.js";
import { h, replaceChildren, setStatus, timeCell } from "./dom.js";
import { levelBadge } from "./topics.js";

const BASE = "/tocsin/v1/deliveries";

function input(id, label, attrs = {}) {
  return [h("label", { for: id }, label), h("input", { id, type: "text", spellcheck: "false", autocomplete: "off", ...attrs })];
}

function lastError(d) {
  if (d.status === "delivered") return "—";  // the peer's 2xx is not an error
  const code = d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : "";
  const text = d.lastError || "";
  if (text.includes(code)) return text || "—";
  return [code, text].filter(Boolean).join(": ");
}

/** Render the view. */
export async function render(main) {
  const [topicLabel, topic] = input("d-topic", "Topic");
  const [handlerLabel, handler] = input("d-handler", "Handler");
  const [sinceLabel, since] = input("d-since", "Since", { placeholder: "1h or 2026-01-01T00:00:00Z" });
  const [limitLabel, limit] = input("d-limit", "Limit", { inputmode: "numeric", value: "100" });
  const status = h("select", { id: "d-status" }, ["", "pending", "delivered", "dead", "silenced"].map((s) => h("option", { value: s }, s || "any")));
  const message = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const body = h("tbody");
  const form = h("form", { class: "filters", "aria-label": "Filters" },
    h("span", {}, topicLabel, topic), h("span", {}, handlerLabel, handler),
    h("span", {}, h("label", { for: "d-status" }, "Status"), status),
    h("span", {}, sinceLabel, since), h("span", {}, limitLabel, limit),
    h("button", { type: "submit" }, "Apply filters"));

  async function load(note) {
    const query = new URLSearchParams();
    for (const [key, el] of [["topic", topic], ["handler", handler], ["status", status], ["since", since], ["limit", limit]]) {
      if (el.value.trim()) query.set(key, el.value.trim());
    }
    let rows;
    try {
      rows = (await api("GET", `${BASE}?${query}`)).deliveries;
    } catch (err) {
      setStatus(message, "error", err.message);
      return;
    }
    replaceChildren(body, rows.length ? rows.map((d) => row(d)) : h("tr", {}, h("td", { colspan: "10" }, "No deliveries match.")));
    setStatus(message, note ? note.kind : "info", note ? note.text : `${rows.length} deliver${rows.length === 1 ? "y" : "ies"}, newest first.`);
  }

  // After a retry the row is pending until the next attempt ends: look again for a few seconds.
  function followRetry(id, left = 10) {
    setTimeout(async () => {
      const shown = body.querySelector(`tr[data-delivery="${id}"]`);
      if (!shown || !body.isConnected) return;
      if (shown.dataset.status === "pending" && left > 1) {
        await load({ kind: "ok", text: `Delivery ${id} queued again.` });
        followRetry(id, left - 1);
      } else if (shown.dataset.status === "pending") {
        await load();
      }
    }, 1000);
  }

  function row(d) {
    const retry = d.status === "dead"
      ? h("button", { type: "button", class: "secondary", "aria-label": `Retry delivery ${d.id}`, onclick: async () => {
        try {
          await api("POST", `${BASE}/${d.id}/retry`);
        } catch (err) {
          setStatus(message, "error", `Delivery ${d.id} not retried: ${err.message}`);
          return;
        }
        await load({ kind: "ok", text: `Delivery ${d.id} queued again.` });
        followRetry(d.id);
      } }, "Retry")
      : null;
    return h("tr", { "data-delivery": String(d.id), "data-status": d.status },
      h("th", { scope: "row" }, String(d.id)), timeCell(d.created), h("td", {}, d.topic), h("td", {}, `${d.handler} (${d.kind})`),
      h("td", {}, d.alertId), h("td", {}, levelBadge(d.level)), h("td", {}, h("span", { class: `delivery delivery-${d.status}` }, d.status)),
      h("td", { class: "num" }, String(d.attempts)),
      h("td", { class: "message" }, lastError(d)),
      h("td", {}, retry));
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  replaceChildren(main, h("h1", {}, "Deliveries"),
    h("p", { class: "intro" }, "Every delivery of every event to every handler, with its attempts. Dead letters (out of attempts or refused) can be retried."),
    form, message,
    h("div", { class: "table-wrap" }, h("table", { class: "grid" }, h("caption", { class: "sr-only" }, "Delivery log"),
      h("thead", {}, h("tr", {}, ["ID", "Created", "Topic", "Handler", "Alert", "Level", "Status", "Attempts", "Last error", "Actions"].map((c) => h("th", { scope: "col" }, c)))),
      body)));
  await load();
  return () => {};
}
