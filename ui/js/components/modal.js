// Modal dialogs and side panels: focus trap, Escape to close, focus returned to the opener,
// everything behind made inert. Modals stack (a message over a history panel).
import { h, focusables, stableSelector, refocus } from "../dom.js";
import { icon, spinner } from "../icons.js";
import { t } from "../i18n.js";
import { errorBox } from "./badges.js";
/** @import { Child } from "../dom.js" */
/** @import { IconName } from "../icons.js" */

/** Why a modal closes; "force" closes it even when canClose refuses. @typedef {"close" | "cancel" | "dismiss" | "escape" | "backdrop" | "force"} CloseReason */

/**
 * An open modal (openModal's result).
 * @typedef {object} Modal
 * @property {HTMLElement} panel
 * @property {HTMLDivElement} body
 * @property {HTMLDivElement} footer
 * @property {HTMLHeadingElement} titleEl
 * @property {boolean} closed
 * @property {(text: string) => void} setTitle
 * @property {(...nodes: (Node | Node[])[]) => void} setFooter
 * @property {(on: boolean) => void} setClosable
 * @property {(reason?: CloseReason) => void} close
 * @property {HTMLDivElement} backdrop
 */

/** @type {Modal[]} */
const stack = [];

export const modalOpen = () => stack.length > 0;

/**
 * Escape closes the topmost modal (unless it refuses, e.g. while a collection runs).
 * @param {KeyboardEvent} e
 */
function onDocumentKey(e) {
  if (e.key !== "Escape" || stack.length === 0 || e.defaultPrevented) return;
  e.preventDefault();
  stack[stack.length - 1].close("escape");
}
document.addEventListener("keydown", onDocumentKey);

function appRoot() {
  return document.getElementById("app");
}

/**
 * @param {HTMLElement | null} el
 * @param {boolean} on
 */
function setInert(el, on) {
  if (!el) return;
  if (on) {
    el.setAttribute("inert", "");
    el.setAttribute("aria-hidden", "true");
  } else {
    el.removeAttribute("inert");
    el.removeAttribute("aria-hidden");
  }
}

/**
 * @typedef {object} ModalOptions
 * @property {string} [title]
 * @property {Child} [body]
 * @property {Child} [footer]
 * @property {string} [testid]
 * @property {"sm" | "md" | "lg"} [size]
 * @property {"dialog" | "drawer"} [variant]
 * @property {(event: Event) => void} [onSubmit] makes the panel a <form>; Enter submits
 * @property {HTMLElement | string} [initialFocus] an element or a selector
 * @property {(reason: CloseReason) => boolean} [canClose] e.g. false while busy
 * @property {boolean} [closeOnBackdrop]
 * @property {HTMLElement} [returnFocus] the element to focus after closing
 * @property {(reason: CloseReason) => void} [onClose]
 */

/**
 * Opens a modal.
 * @param {ModalOptions} opts
 * @returns {Modal}
 */
export function openModal(opts) {
  const titleId = `modal-title-${Math.random().toString(36).slice(2, 8)}`;
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const opener = opts.returnFocus ?? (active && active !== document.body ? active : null);
  // Data can change behind the modal (data://changed re-renders the views): remember how to find
  // the opener again if it gets replaced.
  const openerSelector = stableSelector(opener);
  const { onSubmit } = opts;
  const isForm = typeof onSubmit === "function";

  const closeBtn = h(
    "button",
    { type: "button", class: "icon-btn modal-x", "aria-label": t("common.close"), title: t("common.close"), onClick: () => api.close("dismiss") },
    icon("x"),
  );
  const titleEl = h("h2", { id: titleId, class: "modal-title" }, opts.title ?? "");
  const body = h("div", { class: "modal-body" }, opts.body ?? null);
  const footer = h("div", { class: "modal-footer" }, opts.footer ?? null);
  if (!opts.footer) footer.hidden = true;

  const panel = h(
    isForm ? "form" : "div",
    {
      class: `modal ${opts.variant === "drawer" ? "drawer" : `modal-${opts.size ?? "md"}`}`,
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": titleId,
      "data-testid": opts.testid,
      tabindex: "-1",
      novalidate: isForm ? true : null,
    },
    h("div", { class: "modal-header" }, titleEl, closeBtn),
    body,
    footer,
  );
  if (isForm) {
    panel.addEventListener("submit", (e) => {
      e.preventDefault();
      onSubmit(e);
    });
  }
  const backdrop = h("div", { class: `modal-backdrop ${opts.variant === "drawer" ? "is-drawer" : ""}` }, panel);

  /** @type {Modal} */
  const api = {
    panel,
    body,
    footer,
    titleEl,
    closed: false,
    setTitle(text) {
      titleEl.textContent = text;
    },
    setFooter(...nodes) {
      footer.replaceChildren(...nodes.flat().filter(Boolean));
      footer.hidden = footer.childElementCount === 0;
    },
    setClosable(on) {
      closeBtn.disabled = !on;
    },
    close(reason = "close") {
      if (api.closed) return;
      if (reason !== "force" && opts.canClose && !opts.canClose(reason)) return;
      api.closed = true;
      const i = stack.indexOf(api);
      if (i >= 0) stack.splice(i, 1);
      backdrop.remove();
      const below = stack[stack.length - 1];
      if (below) setInert(below.backdrop, false);
      else setInert(appRoot(), false);
      if (!refocus(opener, openerSelector)) {
        const fallback = below ? below.panel : document.getElementById("content");
        fallback?.focus({ preventScroll: true });
      }
      opts.onClose?.(reason);
    },
    backdrop,
  };

  // Escape is handled at the document level (onDocumentKey), so it also works when focus is
  // outside the dialog or the key event is dispatched on the document.
  backdrop.addEventListener("keydown", (e) => {
    if (e.key === "Tab") {
      const items = focusables(panel);
      if (items.length === 0) {
        e.preventDefault();
        panel.focus();
        return;
      }
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || document.activeElement === panel)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  });
  backdrop.addEventListener("mousedown", (e) => {
    if (e.target === backdrop && opts.closeOnBackdrop) api.close("backdrop");
  });

  const top = stack[stack.length - 1];
  if (top) setInert(top.backdrop, true);
  else setInert(appRoot(), true);
  stack.push(api);
  document.body.appendChild(backdrop);

  let focusTarget = typeof opts.initialFocus === "string" ? /** @type {HTMLElement | null} */ (panel.querySelector(opts.initialFocus)) : opts.initialFocus;
  if (!focusTarget) focusTarget = focusables(body)[0] ?? focusables(footer)[0] ?? panel;
  focusTarget.focus();
  return api;
}

/** The icon of each busy button, put back when it is no longer busy. @type {WeakMap<HTMLButtonElement, Element>} */
const busyIcons = new WeakMap();

/**
 * Marks a button busy: disabled, aria-busy, its icon swapped for a spinner (same box).
 * @param {HTMLButtonElement} button
 * @param {boolean} busy
 */
export function setBusy(button, busy) {
  if (!button) return;
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
  const ic = button.querySelector(":scope > .icon, :scope > .spinner");
  const saved = busyIcons.get(button);
  if (busy && ic && ic.classList.contains("icon")) {
    busyIcons.set(button, ic);
    ic.replaceWith(spinner(Number(ic.getAttribute("width")) || 16));
  } else if (!busy && saved) {
    button.querySelector(":scope > .spinner")?.replaceWith(saved);
    busyIcons.delete(button);
  }
}

/**
 * @typedef {object} ConfirmOptions
 * @property {string} title
 * @property {string | Node} message
 * @property {string} [okLabel]
 * @property {IconName} [okIcon]
 * @property {boolean} [danger]
 * @property {Child} [body] an extra node under the message
 * @property {() => boolean} [validate] false keeps the dialog open (checked before `action`)
 * @property {() => Promise<unknown>} [action]
 * @property {string} [testid]
 * @property {HTMLElement} [initialFocus]
 * @property {HTMLElement} [returnFocus]
 * @property {string} [errorHost] the host named in the action's error
 */

/**
 * A confirm dialog. `action` (async) runs on OK with the dialog busy; if it rejects, its error is
 * shown in the dialog and the dialog stays open. Resolves with true (done) or false (cancelled).
 * @param {ConfirmOptions} opts
 * @returns {Promise<boolean>}
 */
export function confirmDialog(opts) {
  return new Promise((resolve) => {
    let busy = false;
    let done = false;
    const errSlot = h("div", { class: "form-error-slot" });
    const ok = h(
      "button",
      { type: "submit", class: `btn ${opts.danger ? "btn-danger" : "btn-primary"}`, "data-testid": "confirm-ok" },
      opts.okIcon ? icon(opts.okIcon) : null,
      opts.okLabel ?? t("common.ok"),
    );
    const cancel = h(
      "button",
      { type: "button", class: "btn", "data-testid": "confirm-cancel", onClick: () => m.close("cancel") },
      t("common.cancel"),
    );
    const m = openModal({
      title: opts.title,
      testid: opts.testid ?? "confirm-dialog",
      size: "sm",
      body: [
        typeof opts.message === "string" ? h("p", { class: "confirm-message" }, opts.message) : opts.message,
        opts.body ?? null,
        errSlot,
      ],
      footer: [cancel, ok],
      initialFocus: opts.initialFocus ?? ok,
      returnFocus: opts.returnFocus,
      canClose: (reason) => reason === "force" || !busy,
      onClose: () => resolve(done),
      onSubmit: async () => {
        if (busy) return;
        if (opts.validate && !opts.validate()) return;
        if (!opts.action) {
          done = true;
          m.close("force");
          return;
        }
        busy = true;
        setBusy(ok, true);
        cancel.disabled = true;
        m.setClosable(false);
        errSlot.replaceChildren();
        try {
          await opts.action();
          done = true;
          busy = false;
          m.close("force");
        } catch (err) {
          busy = false;
          setBusy(ok, false);
          cancel.disabled = false;
          m.setClosable(true);
          errSlot.replaceChildren(errorBox(err, opts.errorHost));
          ok.focus();
        }
      },
    });
  });
}
