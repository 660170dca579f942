// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML), so data from servers
// cannot inject markup.

const PROPS_AFTER_CHILDREN = new Set(["value", "selectedIndex"]);
// Enumerated attributes whose "false" must be written out (the DOM properties would coerce).
const STRING_ATTRS = new Set(["spellcheck", "autocomplete", "autocapitalize", "autocorrect", "draggable"]);

/**
 * h("button", {class: "btn", onClick: fn, "data-testid": "x"}, "Label", childNode, [more])
 * Props: class, text, style (object), on<Event> (function), boolean/regular DOM properties, or
 * attributes (anything with a dash, aria-*, data-*, role, for). null/undefined/false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  const late = [];
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined) continue;
      if (STRING_ATTRS.has(k)) {
        el.setAttribute(k, v === true ? "true" : v === false ? (k === "autocapitalize" || k === "autocorrect" || k === "autocomplete" ? "off" : "false") : String(v));
        continue;
      }
      if (v === false) continue;
      if (k === "class") el.className = Array.isArray(v) ? v.filter(Boolean).join(" ") : v;
      else if (k === "text") el.textContent = String(v);
      else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (PROPS_AFTER_CHILDREN.has(k)) late.push([k, v]);
      else if (k.includes("-") || k === "role" || k === "for" || k === "tabindex" || k === "list" || k === "form") {
        el.setAttribute(k, v === true ? "" : String(v));
      } else if (k in el) el[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  for (const [k, v] of late) el[k] = v;
  return el;
}

/** Appends strings (as text), nodes and (nested) arrays; skips null/false. */
export function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
  return parent;
}

/** Replaces all children of `el` in one operation (no intermediate empty state is painted). */
export function replaceChildren(el, ...children) {
  const frag = document.createDocumentFragment();
  append(frag, children);
  el.replaceChildren(frag);
  return el;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** A stable unique id for label/aria wiring. */
let idSeq = 0;
export const uid = (prefix = "id") => `${prefix}-${++idSeq}`;

/** Elements that can take keyboard focus, in DOM order. */
export function focusables(root) {
  const sel = [
    "a[href]",
    "button:not([disabled])",
    "input:not([disabled]):not([type=hidden])",
    "select:not([disabled])",
    "textarea:not([disabled])",
    "summary",
    "[tabindex]:not([tabindex='-1'])",
  ].join(",");
  return $$(sel, root).filter((el) => !el.closest("[hidden],[inert]") && el.getClientRects().length > 0);
}

/** Copies text to the clipboard; falls back to a hidden textarea + execCommand. */
export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    /* fall through */
  }
  const ta = h("textarea", { value: text, style: { position: "fixed", opacity: "0", top: "0" }, "aria-hidden": "true" });
  document.body.appendChild(ta);
  ta.select();
  let ok;
  try {
    ok = document.execCommand("copy");
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/**
 * A selector that finds "the same" element after a re-render replaced it: its data-testid, its
 * own data-*-id attributes and the data-server-id of the card/row it sits in. null if it has no
 * data-testid.
 */
export function stableSelector(el) {
  const tid = el?.dataset?.testid;
  if (!tid) return null;
  let sel = `[data-testid="${tid}"]`;
  for (const [key, attr] of [["jobId", "data-job-id"], ["logId", "data-log-id"], ["serverId", "data-server-id"], ["host", "data-host"]]) {
    if (el.dataset[key]) sel += `[${attr}="${CSS.escape(el.dataset[key])}"]`;
  }
  const scope = el.parentElement?.closest("[data-server-id]");
  if (scope) sel = `[data-server-id="${scope.dataset.serverId}"] ${sel}`;
  return sel;
}

/** Focuses `el`, or (if a re-render detached it) the element now matching `selector`. */
export function refocus(el, selector) {
  let target = el && el.isConnected ? el : selector ? document.querySelector(selector) : null;
  if (target && typeof target.focus === "function") {
    target.focus();
    return document.activeElement === target;
  }
  return false;
}
