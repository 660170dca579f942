// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML), so data from servers
// cannot inject markup.

const PROPS_AFTER_CHILDREN = new Set(["value", "selectedIndex"]);
// Enumerated attributes whose "false" must be written out (the DOM properties would coerce).
const STRING_ATTRS = new Set(["spellcheck", "autocomplete", "autocapitalize", "autocorrect", "draggable"]);

/**
 * An `on<Event>` prop of h(): a listener whose event's currentTarget is the element.
 * @template {Element} E
 * @template {Event} V
 * @typedef {(event: V & { currentTarget: E }) => void} Handler
 */

/**
 * The props of h() for an element E; the listeners the UI uses are typed.
 * @template {Element} E
 * @typedef {{
 *   [name: string]: unknown,
 *   onClick?: Handler<E, MouseEvent>,
 *   onContextmenu?: Handler<E, MouseEvent>,
 *   onMouseover?: Handler<E, MouseEvent>,
 *   onKeydown?: Handler<E, KeyboardEvent>,
 *   onFocusin?: Handler<E, FocusEvent>,
 *   onInput?: Handler<E, Event>,
 *   onChange?: Handler<E, Event>,
 * }} Props
 */

/** What h() and append() take as children: text, nodes, (nested) arrays; null/false are skipped. @typedef {string | Node | null | undefined | false | Child[]} Child */

/**
 * h("button", {class: "btn", onClick: fn, "data-testid": "x"}, "Label", childNode, [more])
 * Props: class, text, style (object), on<Event> (function), boolean/regular DOM properties, or
 * attributes (anything with a dash, aria-*, data-*, role, for). null/undefined/false are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props<HTMLElementTagNameMap[K]> | null} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  // Props are set by name: the element seen as a record of its properties.
  const record = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (el));
  /** @type {[string, unknown][]} */
  const late = [];
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined) continue;
      if (STRING_ATTRS.has(k)) {
        el.setAttribute(k, v === true ? "true" : v === false ? (k === "autocapitalize" || k === "autocorrect" || k === "autocomplete" ? "off" : "false") : String(v));
        continue;
      }
      if (v === false) continue;
      if (k === "class") el.className = Array.isArray(v) ? v.filter(Boolean).join(" ") : String(v);
      else if (k === "text") el.textContent = String(v);
      else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), /** @type {EventListener} */ (v));
      else if (PROPS_AFTER_CHILDREN.has(k)) late.push([k, v]);
      else if (k.includes("-") || k === "role" || k === "for" || k === "tabindex" || k === "list" || k === "form") {
        el.setAttribute(k, v === true ? "" : String(v));
      } else if (k in el) record[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  for (const [k, v] of late) record[k] = v;
  return el;
}

/**
 * Appends strings (as text), nodes and (nested) arrays; skips null/false.
 * @template {Node} P
 * @param {P} parent
 * @param {Child[]} children
 * @returns {P}
 */
export function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
  return parent;
}

/**
 * Replaces all children of `el` in one operation (no intermediate empty state is painted).
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function replaceChildren(el, ...children) {
  const frag = document.createDocumentFragment();
  append(frag, children);
  el.replaceChildren(frag);
  return el;
}

/** @type {(sel: string, root?: ParentNode) => Element | null} */
export const $ = (sel, root = document) => root.querySelector(sel);
/** @type {(sel: string, root?: ParentNode) => Element[]} */
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** A stable unique id for label/aria wiring. */
let idSeq = 0;
export const uid = (prefix = "id") => `${prefix}-${++idSeq}`;

/**
 * Elements that can take keyboard focus, in DOM order.
 * @param {ParentNode} root
 * @returns {HTMLElement[]}
 */
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
  // The UI's focusable elements are all HTML elements (icons are SVG and never take focus).
  const found = /** @type {HTMLElement[]} */ ($$(sel, root));
  return found.filter((el) => !el.closest("[hidden],[inert]") && el.getClientRects().length > 0);
}

/**
 * Copies text to the clipboard; falls back to a hidden textarea + execCommand.
 * @param {string} text
 * @returns {Promise<boolean>} whether it worked
 */
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
 * @param {HTMLElement | null | undefined} el
 * @returns {string | null}
 */
export function stableSelector(el) {
  const tid = el?.dataset?.testid;
  if (!tid) return null;
  let sel = `[data-testid="${tid}"]`;
  for (const [key, attr] of [["jobId", "data-job-id"], ["logId", "data-log-id"], ["serverId", "data-server-id"], ["host", "data-host"]]) {
    const value = el.dataset[key];
    if (value) sel += `[${attr}="${CSS.escape(value)}"]`;
  }
  const scope = /** @type {HTMLElement | null | undefined} */ (el.parentElement?.closest("[data-server-id]"));
  if (scope) sel = `[data-server-id="${scope.dataset.serverId}"] ${sel}`;
  return sel;
}

/**
 * Focuses `el`, or (if a re-render detached it) the element now matching `selector`.
 * @param {HTMLElement | null | undefined} el
 * @param {string | null} selector from stableSelector()
 * @returns {boolean} whether focus is there now
 */
export function refocus(el, selector) {
  let target = el && el.isConnected ? el : selector ? /** @type {HTMLElement | null} */ (document.querySelector(selector)) : null;
  if (target && typeof target.focus === "function") {
    target.focus();
    return document.activeElement === target;
  }
  return false;
}
