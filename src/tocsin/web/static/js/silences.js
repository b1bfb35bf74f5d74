// Silences: create one (from a topic event, its matchers filled in), see what each holds back, expire it.
import { api, seg } from "./api.js";
import { h, replaceChildren, setStatus, timeCell } from "./dom.js";
import { levelBadge } from "./topics.js";

const BASE = "/tocsin/v1/silences";
const DURATIONS = [["1h", 3600], ["2h", 7200], ["4h", 14400], ["8h", 28800], ["1d", 86400], ["7d", 604800]];
const OPS = [["=~", true, true], ["!~", true, false], ["!=", false, false], ["=", false, true]];

/** `name=value` (or != =~ !~), one per line, into the API's matchers; throws naming the bad line. */
export function parseMatchers(text) {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  if (!lines.length) throw new Error("Give at least one matcher, such as host=db3.");
  return lines.map((line) => {
    for (const [op, isRegex, isEqual] of OPS) {
      const at = line.indexOf(op);
      const name = at > 0 ? line.slice(0, at).trim() : "";
      if (name && !/[=!~]/.test(name)) {
        let value = line.slice(at + op.length).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        return { name, value, isRegex, isEqual };
      }
    }
    throw new Error(`"${line}" is not a matcher: write name=value, name!=value, name=~regex or name!~regex.`);
  });
}

function matcherLine(m) {
  const op = m.isRegex ? (m.isEqual ? "=~" : "!~") : (m.isEqual ? "=" : "!=");
  return `${m.name}${op}${m.value}`;
}

function matcherText(m) {
  const op = m.isRegex ? (m.isEqual ? "=~" : "!~") : (m.isEqual ? "=" : "!=");
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}

function remaining(s) {
  if (s.status.state !== "active") return "—";
  const seconds = Math.max(0, Math.round((Date.parse(s.endsAt) - Date.now()) / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return hours ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/** Render the view; `#/silences/new/<topic>/<alert ID>` fills the form in for that event. */
export async function render(main, rest) {
  const matchers = h("textarea", { id: "s-matchers", rows: "3", spellcheck: "false", "aria-describedby": "s-matchers-help" });
  let prefill = false;
  if (rest[0] === "new" && rest[1]) {
    // what the alert is about: its host when it has one, else the alert itself
    try {
      const query = new URLSearchParams({ topic: rest[1], id: rest[2] || "" });
      matchers.value = (await api("GET", `${BASE}/suggest?${query}`)).matchers.map(matcherLine).join("\n");
    } catch {
      matchers.value = [`topic=${rest[1]}`, rest[2] ? `id=${rest[2]}` : ""].filter(Boolean).join("\n");
    }
    prefill = true;
  }
  const duration = h("select", { id: "s-duration" }, DURATIONS.map(([label, secs]) => h("option", { value: String(secs) }, label)));
  const comment = h("input", { id: "s-comment", type: "text", autocomplete: "off" });
  const author = h("input", { id: "s-author", type: "text", autocomplete: "name" });
  const message = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const preview = h("div", { class: "preview", "aria-live": "polite", id: "s-preview" });
  const body = h("tbody");
  const form = h("form", { class: "filters silence-form", "aria-label": "New silence" },
    h("span", {}, h("label", { for: "s-matchers" }, "Matchers"), matchers),
    h("p", { id: "s-matchers-help", class: "muted" }, "One per line: topic, id (the alert ID) or a tag, as host=db3, alertname=~\"disk.*\", team!=ops."),
    h("span", {}, h("label", { for: "s-duration" }, "For"), duration),
    h("span", {}, h("label", { for: "s-comment" }, "Comment"), comment),
    h("span", {}, h("label", { for: "s-author" }, "Created by"), author),
    h("button", { type: "button", class: "secondary", onclick: () => showPreview() }, "Preview"),
    h("button", { type: "submit" }, "Create silence"),
    preview);

  async function showPreview() {
    let parsed;
    try {
      parsed = parseMatchers(matchers.value);
    } catch (err) {
      replaceChildren(preview, h("p", { class: "status status-error" }, err.message));
      return;
    }
    let matches;
    try {
      matches = (await api("POST", `${BASE}/preview`, { matchers: parsed })).matches;
    } catch (err) {
      replaceChildren(preview, h("p", { class: "status status-error" }, err.message));
      return;
    }
    replaceChildren(preview,
      h("p", {}, matches.length ? `Would hold back now: ${matches.length} alert${matches.length === 1 ? "" : "s"}` : "Would hold back nothing that is firing now."),
      matches.length ? h("ul", { class: "plain" }, matches.map((a) => h("li", {}, levelBadge(a.level), ` ${a.topic} ${a.id}`))) : "");
  }

  async function load(note) {
    let silences;
    try {
      silences = (await api("GET", BASE)).silences;
    } catch (err) {
      setStatus(message, "error", err.message);
      return;
    }
    silences.sort((a, b) => (a.status.state === "expired") - (b.status.state === "expired") || (a.endsAt < b.endsAt ? 1 : -1));
    const rows = await Promise.all(silences.map(async (s) => row(s, s.status.state === "expired" ? [] : (await api("GET", `${BASE}/${seg(s.id)}/held`)).held)));
    replaceChildren(body, rows.length ? rows : h("tr", {}, h("td", { colspan: "8" }, "No silences.")));
    setStatus(message, note ? note.kind : "info", note ? note.text : `${silences.length} silence${silences.length === 1 ? "" : "s"}.`);
  }

  function row(s, held) {
    const expire = s.status.state !== "expired"
      ? h("button", { type: "button", class: "secondary", "aria-label": `Expire silence ${s.id}`, onclick: async () => {
        try {
          await api("DELETE", `${BASE}/${seg(s.id)}`);
        } catch (err) {
          setStatus(message, "error", `Silence not expired: ${err.message}`);
          return;
        }
        await load({ kind: "ok", text: "Silence expired." });
      } }, "Expire")
      : null;
    const holding = held.length
      ? h("ul", { class: "plain" }, held.map((a) => h("li", {}, levelBadge(a.level), " ", h("a", { href: `#/topics/${encodeURIComponent(a.topic)}` }, a.topic), ` ${a.id}`)))
      : "—";
    return h("tr", { "data-silence": s.id, "data-state": s.status.state },
      h("th", { scope: "row" }, h("code", {}, s.matchers.map(matcherText).join(" "))),
      h("td", {}, h("span", { class: `silence silence-${s.status.state}` }, s.status.state)),
      timeCell(s.endsAt), h("td", {}, remaining(s)), h("td", {}, s.createdBy || "—"), h("td", { class: "message" }, s.comment || "—"),
      h("td", {}, holding), h("td", {}, expire));
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    let parsed;
    try {
      parsed = parseMatchers(matchers.value);
    } catch (err) {
      setStatus(message, "error", err.message);
      matchers.focus();
      return;
    }
    const now = Date.now();
    const silence = {
      matchers: parsed,
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + Number(duration.value) * 1000).toISOString(),
      createdBy: author.value.trim(),
      comment: comment.value.trim(),
    };
    try {
      await api("POST", BASE, silence);
    } catch (err) {
      setStatus(message, "error", `Silence not created: ${err.message}`);
      return;
    }
    matchers.value = "";
    replaceChildren(preview);
    if (location.hash !== "#/silences") history.replaceState(null, "", "#/silences");  // a reload does not refill the form
    await load({ kind: "ok", text: `Silence created: ${parsed.map(matcherText).join(" ")}, for ${duration.selectedOptions[0].textContent}.` });
  });

  replaceChildren(main, h("h1", {}, "Silences"),
    h("p", { class: "intro" }, "A silence holds back the deliveries of the events its matchers all match. Held-back deliveries are in the delivery log as silenced; when a silence ends, what is still firing is delivered once."),
    form, message,
    h("div", { class: "table-wrap" }, h("table", { class: "grid" }, h("caption", { class: "sr-only" }, "Silences, active first"),
      h("thead", {}, h("tr", {}, ["Matchers", "State", "Ends", "Remaining", "Created by", "Comment", "Holding back", "Actions"].map((c) => h("th", { scope: "col" }, c)))),
      body)));
  if (prefill) {
    matchers.focus();
    await showPreview();
  }
  await load();
  return () => {};
}
