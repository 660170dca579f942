// Transient notifications, bottom right, announced politely (errors assertively).
import { h } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";

function region() {
  let r = document.getElementById("toasts");
  if (!r) {
    r = h("div", { id: "toasts", class: "toasts", "aria-live": "polite", "aria-relevant": "additions" });
    document.body.appendChild(r);
  }
  return r;
}

/** Creates the live region early: screen readers only announce changes to a region that exists. */
export function initToasts() {
  region();
}

/**
 * toast("Saved", {kind: "success"|"info"|"error", timeout: ms})
 * @param {string} message
 * @param {{ kind?: "success" | "info" | "error", timeout?: number }} [options]
 * @returns {() => void} closes it
 */
export function toast(message, { kind = "info", timeout } = {}) {
  const ms = timeout ?? (kind === "error" ? 9000 : 4000);
  const close = () => {
    el.classList.add("leaving");
    setTimeout(() => el.remove(), 160);
  };
  const el = h(
    "div",
    { class: `toast toast-${kind}`, role: kind === "error" ? "alert" : "status", "data-testid": "toast" },
    icon(kind === "error" ? "alert" : kind === "success" ? "checkCircle" : "info", 16),
    h("div", { class: "toast-text" }, message),
    h("button", { type: "button", class: "icon-btn icon-btn-sm", "aria-label": t("common.dismiss"), onClick: close }, icon("x", 14)),
  );
  region().appendChild(el);
  let timer = setTimeout(close, ms);
  el.addEventListener("mouseenter", () => clearTimeout(timer));
  el.addEventListener("mouseleave", () => (timer = setTimeout(close, 2000)));
  return close;
}
