// Small DOM helpers: element creation, clearing, notices. No framework, no build step.

let nextId = 0;

/** A fresh id for label/for and aria-describedby pairs. */
export function uid(prefix = "f") {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** Create an element: h("button", {class: "x", onclick: fn, disabled: true}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "text") {
      el.textContent = value;
    } else if (key === "value") {
      el.value = value;
    } else if (key === "checked") {
      el.checked = Boolean(value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Remove every child of `node` and append `children`. */
export function replaceChildren(node, ...children) {
  node.textContent = "";
  append(node, children);
  return node;
}

/** A short notice in the corner (also read out by screen readers); errors stay longer. */
export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const item = h("div", { class: `toast toast-${kind}` }, message);
  box.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 10000 : 5000);
}

/** Set a status line: `kind` is "ok", "error" or "info". */
export function setStatus(node, kind, message) {
  node.className = `status status-${kind}`;
  node.textContent = message;
}

/** Format an RFC 3339 time for display in the local zone, keeping the original as a tooltip. */
export function timeCell(text) {
  if (!text) return h("td", {}, "—");
  const date = new Date(text);
  const shown = Number.isNaN(date.getTime()) ? text : date.toLocaleString();
  return h("td", { title: text }, h("time", { datetime: text }, shown));
}

/** A two-step destructive button: the first click asks, the second acts. */
export function confirmButton(label, action) {
  const button = h("button", { type: "button", class: "danger" }, label);
  let armed = false;
  let timer = null;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = `Confirm: ${label}`;
      timer = setTimeout(() => { armed = false; button.textContent = label; }, 5000);
      return;
    }
    clearTimeout(timer);
    armed = false;
    button.textContent = label;
    await action();
  });
  return button;
}
