// A small context menu: opened at the pointer (right-click) or under an element (Shift+F10 /
// the context-menu key); arrow keys move, Enter activates, Escape / click outside closes.
import { h, stableSelector, refocus } from "../dom.js";
import { icon } from "../icons.js";
/** @import { IconName } from "../icons.js" */

/**
 * @typedef {object} MenuItem
 * @property {string} label
 * @property {IconName} [icon]
 * @property {string} testid
 * @property {() => void} onSelect
 */

/** @type {{ el: HTMLElement, opener: HTMLElement, openerSelector: string | null, cleanup: () => void } | null} */
let current = null;

export function closeMenu(restoreFocus = true) {
  if (!current) return;
  const { el, opener, openerSelector, cleanup } = current;
  current = null;
  cleanup();
  el.remove();
  if (restoreFocus) refocus(opener, openerSelector);
}

/**
 * items: [{label, icon, testid, onSelect}]; at: {x, y} or an element to open under.
 * opts.testid names the menu.
 * @param {MenuItem[]} items
 * @param {{ x: number, y: number } | Element} at
 * @param {HTMLElement} opener where focus goes back after closing
 * @param {{ testid?: string, label?: string }} [opts]
 */
export function openMenu(items, at, opener, opts = {}) {
  closeMenu(false);
  const buttons = items.map((it) =>
    h(
      "button",
      {
        type: "button",
        role: "menuitem",
        class: "menu-item",
        tabindex: "-1",
        "data-testid": it.testid,
        onClick: () => {
          closeMenu(true);
          it.onSelect();
        },
      },
      it.icon ? icon(it.icon, 16) : null,
      h("span", null, it.label),
    ),
  );
  const el = h("div", { class: "menu", role: "menu", "aria-label": opts.label, "data-testid": opts.testid }, buttons);
  document.body.appendChild(el);

  let x, y;
  if (at instanceof Element) {
    const r = at.getBoundingClientRect();
    x = r.right - el.offsetWidth;
    y = r.bottom + 4;
  } else {
    x = at.x;
    y = at.y;
  }
  x = Math.max(4, Math.min(x, window.innerWidth - el.offsetWidth - 4));
  y = Math.max(4, Math.min(y, window.innerHeight - el.offsetHeight - 4));
  el.style.left = `${x}px`;
  el.style.top = `${y}px`;

  /** @param {number} delta */
  const move = (delta) => {
    const i = buttons.findIndex((b) => b === document.activeElement);
    const n = (i + delta + buttons.length) % buttons.length;
    buttons[n].focus();
  };
  el.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") move(1);
    else if (e.key === "ArrowUp") move(-1);
    else if (e.key === "Home") buttons[0].focus();
    else if (e.key === "End") buttons[buttons.length - 1].focus();
    else if (e.key === "Escape" || e.key === "Tab") closeMenu(true);
    else return;
    e.preventDefault();
    e.stopPropagation();
  });
  /** @param {MouseEvent} e */
  const outside = (e) => {
    if (!el.contains(/** @type {Node} */ (e.target))) closeMenu(false);
  };
  const onBlur = () => closeMenu(false);
  setTimeout(() => document.addEventListener("mousedown", outside, true), 0);
  window.addEventListener("blur", onBlur);
  window.addEventListener("resize", onBlur);
  current = {
    el,
    opener,
    openerSelector: stableSelector(opener),
    cleanup: () => {
      document.removeEventListener("mousedown", outside, true);
      window.removeEventListener("blur", onBlur);
      window.removeEventListener("resize", onBlur);
    },
  };
  buttons[0]?.focus();
  return el;
}
