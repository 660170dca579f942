// Modal dialogs and side panels: focus trap, Escape to close, focus returned to the opener,
// everything behind made inert. Modals stack (a message over a history panel).
import { h, focusables, stableSelector, refocus } from "../dom.js";
import { icon, spinner } from "../icons.js";
import { t } from "../i18n.js";
import { errorBox } from "./badges.js";

const stack = [];

export const modalOpen = () => stack.length > 0;

/** Escape closes the topmost modal (unless it refuses, e.g. while a collection runs). */
function onDocumentKey(e) {
  if (e.key !== "Escape" || stack.length === 0 || e.defaultPrevented) return;
  e.preventDefault();
  stack[stack.length - 1].close("escape");
}
document.addEventListener("keydown", onDocumentKey);

function appRoot() {
  return document.getElementById("app");
}

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
 * Opens a modal.
 * opts: title, body (node), footer (node | array), testid, size ("sm"|"md"|"lg"),
 *   variant ("dialog"|"drawer"), onSubmit (makes the panel a <form>; Enter submits),
 *   initialFocus (element | selector), canClose () => bool (e.g. false while busy),
 *   closeOnBackdrop (bool), returnFocus (element to focus after closing), onClose (fn).
 */
export function openModal(opts) {
  const titleId = `modal-title-${Math.random().toString(36).slice(2, 8)}`;
  const active = document.activeElement;
  const opener = opts.returnFocus ?? (active && active !== document.body ? active : null);
  // Data can change behind the modal (data://changed re-renders the views): remember how to find
  // the opener again if it gets replaced.
  const openerSelector = stableSelector(opener);
  const isForm = typeof opts.onSubmit === "function";

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
      opts.onSubmit(e);
    });
  }
  const backdrop = h("div", { class: `modal-backdrop ${opts.variant === "drawer" ? "is-drawer" : ""}` }, panel);

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

  let focusTarget = typeof opts.initialFocus === "string" ? panel.querySelector(opts.initialFocus) : opts.initialFocus;
  if (!focusTarget) focusTarget = focusables(body)[0] ?? focusables(footer)[0] ?? panel;
  focusTarget.focus();
  return api;
}

/** Marks a button busy: disabled, aria-busy, its icon swapped for a spinner (same box). */
export function setBusy(button, busy) {
  if (!button) return;
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
  const ic = button.querySelector(":scope > .icon, :scope > .spinner");
  if (busy && ic && ic.classList.contains("icon")) {
    button._icon = ic;
    ic.replaceWith(spinner(Number(ic.getAttribute("width")) || 16));
  } else if (!busy && button._icon) {
    button.querySelector(":scope > .spinner")?.replaceWith(button._icon);
    button._icon = null;
  }
}

/**
 * A confirm dialog. `action` (async) runs on OK with the dialog busy; if it rejects, its error is
 * shown in the dialog and the dialog stays open. Resolves with true (done) or false (cancelled).
 * opts: title, message (string | node), okLabel, danger, body (extra node), action, testid.
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
    m.okButton = ok;
  });
}
