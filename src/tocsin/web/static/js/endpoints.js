// Alert endpoints: one tab per config section of a handler kind; forms generated from the schemas.
import { api, schema } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { entryForm } from "./entry_form.js";

const CONFIG = "/kapacitor/v1/config";
let state = null;

function enabledAnywhere(doc) {
  return Boolean(doc && doc.elements.some((e) => e.options.enabled === true));
}

function tabSections(all, config) {
  return all.sections.filter((s) => s.kinds.length && s.overridable && (config.sections[s.name] || s.list));
}

async function loadConfig() {
  try {
    return { config: await api("GET", CONFIG), error: null };
  } catch (err) {
    return { config: { sections: {} }, error: err };
  }
}

/** Render the view; `rest[0]` names the tab (#/endpoints/slack). */
export async function render(main, rest) {
  const all = await schema();
  const { config, error } = await loadConfig();
  state = { main, all, config, error, selected: rest[0] || null, flash: {} };
  draw();
  return () => { state = null; };
}

export function update(rest) {
  if (!state) return;
  if (rest[0] && rest[0] !== state.selected) {
    state.selected = rest[0];
    draw();
  }
}

async function refresh(selected, flash) {
  const { config, error } = await loadConfig();
  if (!state) return;
  Object.assign(state, { config, error, selected, flash: flash || {} });
  draw();
}

function draw() {
  const { main, all, config, error } = state;
  const sections = tabSections(all, config);
  const intro = h("p", { class: "intro" },
    "Configure the services topic handlers send to. Save Changes applies a form; Send Test Alert tries the saved, enabled configuration. ",
    "Values set here override kapacitor.conf; deleting a configuration removes only what was added here.");
  if (error) {
    const readOnly = error.status === 403
      ? "Configuration overrides are turned off on this server ([config-override] enabled = false), so endpoints cannot be changed here. Edit the configuration file instead."
      : `The configuration could not be loaded: ${error.message}`;
    replaceChildren(main, h("h1", {}, "Alert endpoints"), intro, h("p", { class: "status status-error", role: "alert" }, readOnly));
    return;
  }
  if (!sections.some((s) => s.name === state.selected)) state.selected = sections.length ? sections[0].name : null;
  const tabs = sections.map((s) => {
    const on = enabledAnywhere(config.sections[s.name]);
    const selected = s.name === state.selected;
    return h("button", {
      type: "button", role: "tab", id: `tab-${s.name}`, "aria-selected": String(selected), "aria-controls": "endpoint-panel",
      tabindex: selected ? "0" : "-1", class: "tab", "data-section": s.name,
      onclick: () => { location.hash = `#/endpoints/${s.name}`; },
    }, h("span", {}, s.name), on ? h("span", { class: "enabled-mark", title: "Enabled" }, h("span", { "aria-hidden": "true" }, "✓"), h("span", { class: "sr-only" }, " enabled")) : null);
  });
  const list = h("div", { role: "tablist", "aria-orientation": "vertical", "aria-label": "Services", class: "tablist" }, tabs);
  list.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };
    let next = null;
    if (event.key in moves) next = (index + moves[event.key] + tabs.length) % tabs.length;
    if (event.key === "Home") next = 0;
    if (event.key === "End") next = tabs.length - 1;
    if (next === null) return;
    event.preventDefault();
    tabs[next].focus();
    tabs[next].click();
  });
  const panel = h("section", { role: "tabpanel", id: "endpoint-panel", "aria-labelledby": `tab-${state.selected}`, class: "panel", tabindex: "-1" });
  const section = sections.find((s) => s.name === state.selected);
  if (section) drawSection(panel, section, config.sections[section.name]);
  replaceChildren(main, h("h1", {}, "Alert endpoints"), intro, h("div", { class: "tabs" }, list, panel));
}

function elementName(section, element) {
  return section.list ? String(element.options[section.elementKey] ?? "") : "";
}

function drawSection(panel, section, doc) {
  const elements = (doc ? doc.elements : []).slice().sort((a, b) => {
    const x = elementName(section, a);
    const y = elementName(section, b);
    return x === "" ? -1 : y === "" ? 1 : x.localeCompare(y);
  });
  const helps = section.help ? h("p", { class: "field-help" }, section.help) : null;
  const forms = h("div", { class: "entries" });
  const kinds = section.kinds.join(", ");
  replaceChildren(panel, h("h2", {}, section.name), h("p", { class: "muted" }, `Used by handler kind${section.kinds.length > 1 ? "s" : ""}: ${kinds}`), helps, forms);
  const ctx = {
    section,
    schemaSection: section,
    onSaved: (name, message) => refresh(section.name, { [name]: { kind: "ok", text: message } }),
    onDeleted: (message) => refresh(section.name, { "": { kind: "ok", text: message, section: true } }),
  };
  for (const element of elements) {
    const name = elementName(section, element);
    forms.append(entryForm({ ...ctx, element, name, flash: state.flash[name] }));
  }
  const deleted = state.flash[""] && state.flash[""].section ? state.flash[""] : null;
  if (deleted) forms.prepend(h("p", { class: "status status-ok", role: "status" }, deleted.text));
  if (section.list) {
    const addButton = h("button", { type: "button", class: "secondary" }, "+ Add Another Config");
    addButton.addEventListener("click", () => {
      addButton.hidden = true;
      const form = entryForm({
        ...ctx,
        element: null,
        name: null,
        onDiscard: () => { form.remove(); addButton.hidden = false; addButton.focus(); },
      });
      forms.append(form);
      const first = form.querySelector("input:not([disabled]),textarea,select");
      if (first) first.focus();
    });
    panel.append(h("div", { class: "add-row" }, addButton));
  }
}
