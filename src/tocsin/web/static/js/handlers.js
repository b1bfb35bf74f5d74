// Topic handlers: list per topic, create and edit as YAML or JSON (parsed by the server), delete, dry run.
import { api, schema, seg } from "./api.js";
import { confirmButton, h, replaceChildren, setStatus } from "./dom.js";
import { dryRunPanel } from "./dry_run.js";

const TOPICS = "/kapacitor/v1/alerts/topics";
let view = null;

const TEMPLATE = `topic: {topic}
id: my-handler
kind: post
match: level() >= WARNING
options:
  url: http://localhost:8080/alerts
`;

/** Render the view; `rest[0]` selects a topic (#/handlers/<topic>). */
export async function render(main, rest) {
  const all = await schema();
  const topicInput = h("input", { id: "handler-topic", type: "text", list: "known-topics", spellcheck: "false", autocomplete: "off" });
  const known = h("datalist", { id: "known-topics" });
  const list = h("div", { class: "handler-list" });
  const editor = editorPanel(all);
  const dry = dryRunPanel(() => view && view.topic);
  view = { main, topicInput, list, editor, dry, topic: rest[0] || "" };
  topicInput.value = view.topic;
  const pick = h("form", { class: "toolbar", onsubmit: (e) => { e.preventDefault(); location.hash = `#/handlers/${encodeURIComponent(topicInput.value.trim())}`; } },
    h("label", { for: "handler-topic" }, "Topic "), topicInput, known, h("button", { type: "submit" }, "Show handlers"),
    h("button", { type: "button", class: "secondary", onclick: () => editor.open(null, view.topic) }, "+ New handler"));
  replaceChildren(main, h("h1", {}, "Topic handlers"), pick,
    h("div", { class: "split" }, h("section", { class: "panel narrow", "aria-labelledby": "handlers-heading" }, h("h2", { id: "handlers-heading" }, "Handlers"), list), editor.node),
    dry.node);
  api("GET", TOPICS).then(({ topics }) => replaceChildren(known, topics.map((t) => h("option", { value: t.id })))).catch(() => {});
  await loadList();
  return () => { view = null; };
}

export function update(rest) {
  if (!view) return;
  view.topic = rest[0] || "";
  view.topicInput.value = view.topic;
  loadList();
  view.dry.topicChanged();
}

async function loadList() {
  const v = view;
  if (!v.topic) {
    replaceChildren(v.list, h("p", { class: "muted" }, "Enter a topic to list its handlers."));
    return;
  }
  let handlers;
  try {
    handlers = (await api("GET", `${TOPICS}/${seg(v.topic)}/handlers`)).handlers;
  } catch (err) {
    replaceChildren(v.list, h("p", { class: "status status-error" }, err.message));
    return;
  }
  const rows = handlers.map((spec) => h("tr", { "data-handler": spec.id },
    h("th", { scope: "row" }, spec.id),
    h("td", {}, spec.kind),
    h("td", {}, h("code", {}, spec.match || "(every event)")),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => v.editor.open(spec, v.topic) }, "Edit"),
      confirmButton("Delete", async () => {
        try {
          await api("DELETE", `${TOPICS}/${seg(v.topic)}/handlers/${seg(spec.id)}`);
        } catch (err) {
          replaceChildren(v.list, h("p", { class: "status status-error", role: "alert" }, `Not deleted: ${err.message}`));
          return;
        }
        await loadList();
      }))));
  replaceChildren(v.list, rows.length
    ? h("table", { class: "grid" }, h("caption", { class: "sr-only" }, `Handlers of topic ${v.topic}`),
      h("thead", {}, h("tr", {}, ["ID", "Kind", "Match", "Actions"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows))
    : h("p", { class: "muted" }, `Topic ${v.topic} has no handlers.`));
}

function lineAndColumn(text, line, column) {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  return offset + Math.max(0, column - 1);
}

function editorPanel(all) {
  const text = h("textarea", { id: "handler-text", rows: 16, spellcheck: "false", class: "code", "aria-describedby": "handler-status handler-help" });
  const gutter = h("pre", { class: "gutter", "aria-hidden": "true" });
  const yaml = h("input", { type: "radio", name: "handler-format", id: "fmt-yaml", value: "yaml", checked: true });
  const json = h("input", { type: "radio", name: "handler-format", id: "fmt-json", value: "json" });
  const status = h("p", { id: "handler-status", class: "status", role: "status", "aria-live": "polite" });
  const heading = h("h2", { id: "editor-heading" }, "New handler");
  const kindSelect = h("select", { id: "kind-ref" }, all.kinds.map((k) => h("option", { value: k.name }, k.name)));
  const reference = h("div", { class: "reference" });
  let editing = null;
  const numberLines = () => {
    const count = text.value.split("\n").length;
    gutter.textContent = Array.from({ length: count }, (_, i) => String(i + 1)).join("\n");
    gutter.scrollTop = text.scrollTop;
  };
  text.addEventListener("input", numberLines);
  text.addEventListener("scroll", () => { gutter.scrollTop = text.scrollTop; });
  const drawReference = () => {
    const kind = all.kinds.find((k) => k.name === kindSelect.value);
    replaceChildren(reference, kind.help ? h("p", { class: "field-help" }, kind.help) : null,
      kind.options.length ? h("table", { class: "grid compact" },
        h("caption", {}, `Options of ${kind.name}`),
        h("thead", {}, h("tr", {}, ["Option", "Type", "Default", "TICKscript", "Meaning"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, kind.options.map((o) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, o.name)), h("td", {}, o.type),
          h("td", {}, o.default === null || o.default === undefined ? "" : h("code", {}, JSON.stringify(o.default))),
          h("td", {}, o.tick ? h("code", {}, `.${o.tick}()`) : ""), h("td", {}, o.help))))) : h("p", { class: "muted" }, "This kind takes no options."));
  };
  kindSelect.addEventListener("change", drawReference);

  async function parse() {
    const format = json.checked ? "json" : "yaml";
    try {
      const { spec } = await api("POST", `/tocsin/v1/handler-files/parse?format=${format}`, text.value, { raw: true });
      return spec;
    } catch (err) {
      const body = err.body || {};
      const where = body.line ? `Line ${body.line}, column ${body.column}: ` : "";
      setStatus(status, "error", `${where}${err.message}`);
      text.setAttribute("aria-invalid", "true");
      if (body.line) {
        const at = lineAndColumn(text.value, body.line, body.column);
        text.focus();
        text.setSelectionRange(at, at + 1);
      }
      return null;
    }
  }

  async function save(event) {
    event.preventDefault();
    text.removeAttribute("aria-invalid");
    const spec = await parse();
    if (!spec) return;
    const body = { id: spec.id, kind: spec.kind, options: spec.options || {}, match: spec.match };
    try {
      if (editing && editing.topic === spec.topic) {
        await api("PUT", `${TOPICS}/${seg(spec.topic)}/handlers/${seg(editing.id)}`, body);
      } else {
        await api("POST", `${TOPICS}/${seg(spec.topic)}/handlers`, body);
      }
    } catch (err) {
      setStatus(status, "error", `Not saved: ${err.message}`);
      return;
    }
    editing = { topic: spec.topic, id: spec.id };
    heading.textContent = `Edit handler ${spec.topic}/${spec.id}`;
    setStatus(status, "ok", `Saved handler ${spec.topic}/${spec.id}.`);
    if (view && view.topic === spec.topic) await loadList();
    else location.hash = `#/handlers/${encodeURIComponent(spec.topic)}`;
  }

  async function check() {
    text.removeAttribute("aria-invalid");
    const spec = await parse();
    if (spec) setStatus(status, "ok", `Valid: handler ${spec.id} of kind ${spec.kind || "(none)"} on topic ${spec.topic}.`);
  }

  const form = h("form", { class: "handler-editor", onsubmit: save },
    h("fieldset", { class: "inline" }, h("legend", {}, "Format"), yaml, h("label", { for: "fmt-yaml" }, "YAML"), json, h("label", { for: "fmt-json" }, "JSON")),
    h("label", { for: "handler-text" }, "Handler file"),
    h("p", { id: "handler-help", class: "field-help" }, "The same file `kapacitor define-topic-handler` reads: topic, id, kind, match and options."),
    h("div", { class: "code-box" }, gutter, text),
    h("div", { class: "buttons" }, h("button", { type: "submit" }, "Save handler"), h("button", { type: "button", class: "secondary", onclick: check }, "Validate")),
    status);
  const node = h("section", { class: "panel", "aria-labelledby": "editor-heading" }, heading, form,
    h("details", {}, h("summary", {}, "Options reference"), h("label", { for: "kind-ref" }, "Kind "), kindSelect, reference));
  drawReference();

  function open(spec, topic) {
    editing = spec ? { topic: spec.topic || topic, id: spec.id } : null;
    heading.textContent = spec ? `Edit handler ${topic}/${spec.id}` : "New handler";
    if (spec) {
      json.checked = true;
      text.value = JSON.stringify({ topic, id: spec.id, kind: spec.kind, match: spec.match, options: spec.options }, null, 2);
    } else {
      yaml.checked = true;
      text.value = TEMPLATE.replace("{topic}", topic || "my-topic");
    }
    text.removeAttribute("aria-invalid");
    setStatus(status, "info", "");
    numberLines();
    text.focus();
  }
  numberLines();
  return { node, open };
}
