// Form widgets generated from config-field schemas ({name, type, default, secret, help, choices, fields}).
// Every widget offers: node, read() -> {changed, value, error}, showError(text), focus().
import { h, uid } from "./dom.js";

const DURATION = /^(0|([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+)$/;
export const ELEMENT_NAME = /^[-\w+]+$/;

/** A label as people read it: "icon-emoji" -> "Icon emoji". */
export function labelOf(name) {
  const upper = new Set(["url", "ssl", "api", "id", "tls", "qos", "tid", "ca", "oauth", "sasl", "smtp", "gssapi"]);
  const words = name.split(/[-_]/).map((w) => (upper.has(w.toLowerCase()) ? w.toUpperCase() : w)).join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function sameValue(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function frame(field, id, control, extraHelp) {
  const errorId = `${id}-error`;
  const helpId = `${id}-help`;
  const help = [field.help, extraHelp].filter(Boolean).join(" ");
  const describedBy = [help ? helpId : null, errorId].filter(Boolean).join(" ");
  for (const input of control.querySelectorAll ? [control, ...control.querySelectorAll("input,select,textarea")] : []) {
    if (input.matches && input.matches("input,select,textarea")) input.setAttribute("aria-describedby", describedBy);
  }
  const error = h("p", { class: "field-error", id: errorId, "aria-live": "polite" });
  const node = h("div", { class: "field", "data-field": field.name },
    h("label", { for: id }, labelOf(field.name), field.type === "bool" ? null : h("span", { class: "field-type" }, ` (${field.type})`)),
    control,
    help ? h("p", { class: "field-help", id: helpId }, help) : null,
    error);
  return { node, error };
}

function makeShowError(parts, inputs) {
  return (text) => {
    parts.error.textContent = text || "";
    for (const input of inputs()) {
      if (text) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  };
}

function parseList(text) {
  const seen = new Set();
  for (const item of text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean)) seen.add(item);
  return [...seen];
}

function parseMap(text) {
  const out = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].trim();
    if (!line) continue;
    const at = line.indexOf(":");
    if (at <= 0) return { error: `line ${i + 1}: expected "key: value"` };
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { value: out };
}

function mapText(value) {
  return Object.entries(value || {}).map(([k, v]) => `${k}: ${v}`).join("\n");
}

/** A map of lists ([[influxdb]] subscriptions): one "key: a, b" per line. */
function parseListMap(text) {
  const parsed = parseMap(text);
  if (parsed.error) return parsed;
  const out = {};
  for (const [k, v] of Object.entries(parsed.value)) out[k] = v.split(",").map((p) => p.trim()).filter(Boolean);
  return { value: out };
}

/** A map of whole numbers ([delivery] kind-max-attempts): one "key: 3" per line. */
function parseIntMap(text) {
  const parsed = parseMap(text);
  if (parsed.error) return parsed;
  const out = {};
  for (const [k, v] of Object.entries(parsed.value)) {
    if (!/^-?\d+$/.test(v)) return { error: `${k} must be a whole number` };
    out[k] = Number.parseInt(v, 10);
  }
  return { value: out };
}

function listMapText(value) {
  return Object.entries(value || {}).map(([k, v]) => `${k}: ${(v || []).join(", ")}`).join("\n");
}

/** Convert the text of a scalar input to the field's type; {value} or {error}. */
function convert(field, text, saved) {
  switch (field.type) {
    case "int":
      if (!/^-?\d+$/.test(text.trim())) return { error: `${field.name} must be a whole number` };
      return { value: Number.parseInt(text.trim(), 10) };
    case "float":
      if (text.trim() === "" || Number.isNaN(Number(text))) return { error: `${field.name} must be a number` };
      return { value: Number(text) };
    case "duration":
      if (!DURATION.test(text.trim())) return { error: `${field.name} must be a duration such as 10s, 1m30s or 2h` };
      return { value: text.trim() };
    case "string-list":
      return { value: parseList(text) };
    case "string-map":
      return parseMap(text);
    case "list-map":
      return parseListMap(text);
    case "int-map":
      return parseIntMap(text);
    case "any":
      if (typeof saved === "number" && text.trim() !== "" && !Number.isNaN(Number(text))) return { value: Number(text) };
      if (typeof saved === "boolean" && (text === "true" || text === "false")) return { value: text === "true" };
      return { value: text };
    default:
      return { value: text };
  }
}

function scalarText(field, saved) {
  if (field.type === "string-list") return (saved || []).join("\n");
  if (field.type === "string-map" || field.type === "int-map") return mapText(saved);
  if (field.type === "list-map") return listMapText(saved);
  return saved === null || saved === undefined ? "" : String(saved);
}

function savedForCompare(field, saved) {
  if (field.type === "string-list") return saved || [];
  if (field.type === "string-map" || field.type === "list-map" || field.type === "int-map") return saved || {};
  return saved;
}

function plainWidget(field, saved, { onInput, readOnly }) {
  const id = uid(field.name);
  let input;
  if (field.type === "bool") {
    input = h("input", { type: "checkbox", id, checked: Boolean(saved), disabled: readOnly });
    input.addEventListener("change", onInput);
  } else if (field.choices && field.choices.length) {
    const options = [...field.choices];
    if (saved && !options.includes(saved)) options.unshift(saved);
    input = h("select", { id, disabled: readOnly }, options.map((c) => h("option", { value: c, selected: c === saved }, c || "(none)")));
    input.addEventListener("change", onInput);
  } else if (["string-list", "string-map", "list-map", "int-map"].includes(field.type)) {
    input = h("textarea", { id, rows: 3, readonly: readOnly, spellcheck: "false" });
    input.value = scalarText(field, saved);
    input.addEventListener("input", onInput);
  } else {
    const numeric = field.type === "int" || field.type === "float";
    input = h("input", { type: "text", id, inputmode: numeric ? "decimal" : null, readonly: readOnly, spellcheck: "false", autocomplete: "off" });
    input.value = scalarText(field, saved);
    input.addEventListener("input", onInput);
  }
  const hint = field.type === "string-list" ? "One per line; duplicates are dropped." :
    field.type === "string-map" || field.type === "int-map" ? 'One "key: value" per line.' :
    field.type === "list-map" ? 'One "key: value, value" per line.' : "";
  const parts = frame(field, id, input, hint);
  if (field.type === "bool") parts.node.classList.add("field-bool");
  const compare = savedForCompare(field, saved);
  return {
    name: field.name,
    node: parts.node,
    focus: () => input.focus(),
    showError: makeShowError(parts, () => [input]),
    read() {
      if (readOnly) return { changed: false, value: saved };
      const result = field.type === "bool" ? { value: input.checked } : input.tagName === "SELECT" ? { value: input.value } : convert(field, input.value, saved);
      if (result.error) return { changed: true, error: result.error };
      return { changed: !sameValue(result.value, compare), value: result.value };
    },
  };
}

function objectWidget(field, saved, ctx) {
  const subs = field.fields.map((sub) => widget(sub, (saved || {})[sub.name], ctx));
  const error = h("p", { class: "field-error", "aria-live": "polite" });
  const node = h("fieldset", { class: "field field-object", "data-field": field.name },
    h("legend", {}, labelOf(field.name)), field.help ? h("p", { class: "field-help" }, field.help) : null,
    subs.map((s) => s.node), error);
  return {
    name: field.name,
    node,
    focus: () => subs[0] && subs[0].focus(),
    showError: (text) => { error.textContent = text || ""; },
    read() {
      const value = {};
      let changed = false;
      for (const sub of subs) {
        const r = sub.read();
        if (r.error) return { changed: true, error: r.error };
        changed = changed || r.changed;
        value[sub.name] = r.value;
      }
      return { changed, value };
    },
  };
}

// A secret: the server only says whether it is set. Unchanged secrets are never sent; an empty box never
// clears one; clearing needs the explicit box.
function secretWidget(field, isSet, { onInput }) {
  const id = uid(field.name);
  const isObject = field.type === "object";
  const inputs = isObject
    ? field.fields.map((sub) => ({ sub, input: h("input", { type: "password", id: uid(sub.name), autocomplete: "new-password", spellcheck: "false", "aria-label": `${labelOf(field.name)} ${sub.name}` }) }))
    : [{ sub: null, input: h("input", { type: "password", id, autocomplete: "new-password", spellcheck: "false" }) }];
  for (const { input } of inputs) input.addEventListener("input", onInput);
  const clearBox = h("input", { type: "checkbox", id: `${id}-clear` });
  clearBox.addEventListener("change", () => {
    for (const { input } of inputs) input.disabled = clearBox.checked;
    onInput();
  });
  const showButton = h("button", { type: "button", class: "link", "aria-pressed": "false" }, "Show");
  showButton.addEventListener("click", () => {
    const shown = showButton.getAttribute("aria-pressed") !== "true";
    showButton.setAttribute("aria-pressed", String(shown));
    showButton.textContent = shown ? "Hide" : "Show";
    for (const { input } of inputs) input.type = shown ? "text" : "password";
  });
  let editing = !isSet;
  const setLabel = h("span", { class: "secret-set" }, "✓ Value set");
  const changeButton = h("button", { type: "button", class: "link" }, "Change");
  const cancelButton = h("button", { type: "button", class: "link" }, "Cancel");
  const editor = h("span", { class: "secret-edit" },
    inputs.map(({ sub, input }) => (sub ? h("span", { class: "secret-sub" }, h("label", { for: input.id }, labelOf(sub.name)), input) : input)),
    showButton,
    isSet ? h("span", { class: "secret-clear" }, clearBox, h("label", { for: clearBox.id }, "Clear the stored value")) : null,
    isSet ? cancelButton : null);
  const viewer = h("span", { class: "secret-view" }, setLabel, " ", changeButton);
  const control = h("div", { class: "secret" }, viewer, editor);
  const sync = () => {
    viewer.hidden = editing;
    editor.hidden = !editing;
  };
  changeButton.addEventListener("click", () => { editing = true; sync(); inputs[0].input.focus(); onInput(); });
  cancelButton.addEventListener("click", () => {
    editing = false;
    for (const { input } of inputs) { input.value = ""; input.disabled = false; }
    clearBox.checked = false;
    sync();
    changeButton.focus();
    onInput();
  });
  sync();
  const hint = isSet ? "Stored values are never shown. Leave the box empty to keep the stored value." : "Secret: it is stored but never shown again.";
  const parts = frame({ ...field, type: "secret" }, isObject ? inputs[0].input.id : id, control, hint);
  parts.node.querySelector("label").setAttribute("for", isObject ? inputs[0].input.id : id);
  return {
    name: field.name,
    node: parts.node,
    focus: () => (editing ? inputs[0].input.focus() : changeButton.focus()),
    showError: makeShowError(parts, () => inputs.map((i) => i.input)),
    read() {
      if (!editing) return { changed: false };
      if (clearBox.checked) return { changed: true, value: isObject ? {} : "" };
      if (isObject) {
        if (inputs.every(({ input }) => input.value === "")) return { changed: false };
        return { changed: true, value: Object.fromEntries(inputs.map(({ sub, input }) => [sub.name, input.value])) };
      }
      const text = inputs[0].input.value;
      return text === "" ? { changed: false } : { changed: true, value: text };
    },
  };
}

/** The widget for one field with its saved value (a secret's saved value is a boolean: set or not). */
export function widget(field, saved, ctx) {
  if (field.secret) return secretWidget(field, saved === true || (saved && typeof saved === "object"), ctx);
  if (field.type === "object" && field.fields.length) return objectWidget(field, saved, ctx);
  return plainWidget(field, saved, ctx);
}

/** The field a server error is about: "cannot set option X", an element name, or a field named in it. */
export function fieldOfMessage(message, names, elementKey) {
  if (/invalid element name|override already exists|element key/.test(message) && elementKey) return elementKey;
  const option = /cannot set option ([\w-]+)/.exec(message);
  if (option && names.includes(option[1])) return option[1];
  const tail = message.split("failed validation: ").pop();
  const found = names
    .filter((n) => new RegExp(`(^|[^\\w-])${n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w-]|$)`, "i").test(tail))
    .sort((a, b) => b.length - a.length);
  return found[0] || null;
}
