// One configuration form: a single-element section, or one element of a list section (or a new one).
import { api, seg } from "./api.js";
import { confirmButton, h, setStatus, uid } from "./dom.js";
import { ELEMENT_NAME, fieldOfMessage, labelOf, widget } from "./fields.js";

const CONFIG = "/kapacitor/v1/config";

function title(section, name, isNew) {
  if (!section.list) return null;
  if (isNew) return "New configuration";
  return name === "" ? "Default configuration" : `${labelOf(section.elementKey)}: ${name}`;
}

/** The form element; `element` is the config API element (null for a new list entry). */
export function entryForm({ section, element, name, flash, onSaved, onDeleted, onDiscard }) {
  const isNew = element === null;
  const saved = isNew ? {} : element.options;
  const redacted = new Set((element && element.redacted) || []);
  const key = section.elementKey;
  const label = isNew ? "" : section.list ? `${section.name}/${name === "" ? "(default)" : name}` : section.name;
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const saveButton = h("button", { type: "submit", disabled: true }, "Save Changes");
  const testButton = h("button", { type: "button", class: "secondary", disabled: true }, "Send Test Alert");
  const widgets = [];
  const onInput = () => sync();
  const fields = section.fields.filter((f) => f.name !== "enabled" && f.name !== key);
  const enabledField = section.fields.find((f) => f.name === "enabled");
  let keyInput = null;
  if (section.list) {
    const keyField = section.fields.find((f) => f.name === key) || { name: key, type: "string", help: "" };
    const help = isNew ? "Letters, digits, '_', '-' and '+'. It cannot be changed later." : "Fixed once saved; delete and add again to rename.";
    keyInput = widget({ ...keyField, help: [keyField.help, help].filter(Boolean).join(" ") }, isNew ? "" : name, { onInput, readOnly: !isNew });
    if (!isNew && name === "") keyInput.node.querySelector("input").placeholder = "(default)";
    widgets.push(keyInput);
  }
  for (const field of fields) {
    const value = redacted.has(field.name) ? saved[field.name] : saved[field.name] ?? (isNew ? field.default : undefined);
    widgets.push(widget(field, isNew && !redacted.has(field.name) && !field.secret ? field.default : value, { onInput, readOnly: false }));
  }
  let enabledWidget = null;
  if (enabledField) {
    enabledWidget = widget({ ...enabledField, help: enabledField.help || "Turns this service on or off for every handler that uses it." }, isNew ? false : saved.enabled, { onInput, readOnly: false });
    enabledWidget.node.classList.add("field-enabled");
    widgets.push(enabledWidget);
  }

  function changes(show = true) {
    const out = {};
    const errors = [];
    for (const w of widgets) {
      if (w === keyInput && !isNew) continue;
      const r = w.read();
      if (show || !r.error) w.showError(r.error || "");
      if (r.error) errors.push([w, r.error]);
      else if (r.changed || (isNew && w === keyInput)) out[w.name] = r.value;
    }
    if (isNew && keyInput) {
      const text = out[key] ?? "";
      if (!ELEMENT_NAME.test(text)) {
        const message = text === "" ? `${key} is required for a new configuration` : `${key} may contain only letters, digits, '_', '-' and '+'`;
        if (show) keyInput.showError(message);
        errors.push([keyInput, message]);
      }
    }
    return { out, errors };
  }

  let dirty = isNew;
  function sync() {
    const { out, errors } = changes(false);
    dirty = isNew || Object.keys(out).length > 0 || errors.length > 0;
    saveButton.disabled = !dirty;
    const canTest = section.serviceTest && !isNew && !dirty && (enabledField ? saved.enabled === true : true);
    testButton.disabled = !canTest;
    testButton.title = !section.serviceTest ? "This service has no test" : dirty ? "Save your changes first" : !canTest ? "Enable and save the configuration first" : "";
  }

  async function save(event) {
    event.preventDefault();
    const { out, errors } = changes();
    for (const w of widgets) if (!errors.some(([e]) => e === w)) w.showError("");
    if (errors.length) {
      setStatus(status, "error", `Not saved: ${errors.map(([, m]) => m).join("; ")}`);
      errors[0][0].focus();
      return;
    }
    let path;
    let body;
    if (isNew) {
      path = `${CONFIG}/${seg(section.name)}/`;
      body = { add: out };
    } else {
      path = section.list ? `${CONFIG}/${seg(section.name)}/${seg(name)}` : `${CONFIG}/${seg(section.name)}/`;
      if (section.list && name === "") path = `${CONFIG}/${seg(section.name)}/`;
      body = { set: out };
    }
    saveButton.disabled = true;
    setStatus(status, "info", "Saving…");
    try {
      await api("POST", path, body);
    } catch (err) {
      const where = fieldOfMessage(err.message, widgets.map((w) => w.name), key);
      const target = widgets.find((w) => w.name === where);
      if (target) target.showError(err.message);
      setStatus(status, "error", `Not saved: ${err.message}`);
      saveButton.disabled = false;
      if (target) target.focus();
      return;
    }
    const saveName = isNew ? out[key] : name;
    await onSaved(saveName, `Saved ${isNew ? `${section.name}/${saveName}` : label}.`);
  }

  async function test() {
    const option = section.serviceTest.elementOption;
    const body = option ? { [option]: name } : {};
    testButton.disabled = true;
    setStatus(status, "info", "Sending a test alert…");
    try {
      const result = await api("POST", `/kapacitor/v1/service-tests/${seg(section.serviceTest.name)}`, body);
      if (result.success) setStatus(status, "ok", `Test alert sent to ${label}.${result.message ? ` ${result.message}` : ""}`);
      else setStatus(status, "error", `Test alert to ${label} failed: ${result.message || "no reason given"}`);
    } catch (err) {
      setStatus(status, "error", `Test alert to ${label} failed: ${err.message}`);
    }
    sync();
  }

  testButton.addEventListener("click", test);
  const buttons = h("div", { class: "buttons" }, saveButton, testButton);
  if (section.list && isNew) {
    buttons.append(h("button", { type: "button", class: "link", onclick: () => onDiscard && onDiscard() }, "Discard"));
  } else if (section.list && name !== "") {
    buttons.append(confirmButton("Delete", async () => {
      setStatus(status, "info", "Deleting…");
      try {
        await api("POST", `${CONFIG}/${seg(section.name)}`, { remove: [name] });
      } catch (err) {
        setStatus(status, "error", `Not deleted: ${err.message}`);
        return;
      }
      await onDeleted(`Deleted ${label}.`);
    }));
  }
  const heading = title(section, name, isNew);
  const headingId = uid("entry");
  const form = h("form", { class: "entry", novalidate: true, "aria-labelledby": heading ? headingId : null, "aria-label": heading ? null : `${section.name} configuration`, "data-entry": isNew ? "new" : name },
    heading ? h("h3", { id: headingId }, heading) : null,
    widgets.filter((w) => w !== enabledWidget).map((w) => w.node),
    enabledWidget ? enabledWidget.node : null,
    buttons, status);
  form.addEventListener("submit", save);
  if (flash) setStatus(status, flash.kind, flash.text);
  sync();
  return form;
}
