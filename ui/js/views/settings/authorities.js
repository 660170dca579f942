// Settings → Certificate authorities: the authorities trusted for every server's HTTPS (as
// --ca-cert on the command line), e.g. the "Duplicati Local CA" that Duplicati's
// --configure-https makes; import (native open dialog) and remove.
import { h, replaceChildren } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import * as api from "../../api.js";
import { setBusy } from "../../components/modal.js";
import { errorBox, fingerprint } from "../../components/badges.js";
import { toast } from "../../components/toast.js";
import { formatDateTime } from "../../format.js";
/** @import { TrustedCa } from "../../types" */

/**
 * The section and its `render()`, which reloads the list (trusted_cas).
 * @returns {{ el: HTMLElement, render: () => Promise<void> }}
 */
export function authoritiesSection() {
  const listEl = h("div", { class: "settings-list", "data-testid": "ca-list" });
  const importBtn = h("button", { type: "button", class: "btn", "data-testid": "ca-import", onClick: (e) => importCa(e.currentTarget) }, icon("upload"), t("ca.import"));
  const el = h(
    "section",
    { class: "settings-section", "aria-labelledby": "set-cas" },
    h(
      "div",
      { class: "section-head" },
      h("div", null, h("h2", { class: "section-title", id: "set-cas" }, t("ca.title")), h("p", { class: "muted small" }, t("ca.hint"))),
      h("div", { class: "page-actions" }, importBtn),
    ),
    listEl,
  );

  /** @param {HTMLButtonElement} b */
  async function importCa(b) {
    setBusy(b, true);
    try {
      const added = await api.importCa();
      if (added === null) return; // dialog cancelled
      toast(t("ca.imported", { n: String(added.length) }), { kind: "success" });
      await render();
    } catch (e) {
      replaceChildren(listEl, errorBox(e));
    } finally {
      setBusy(b, false);
    }
  }

  /**
   * @param {TrustedCa} ca
   * @param {HTMLButtonElement} b
   */
  async function remove(ca, b) {
    setBusy(b, true);
    try {
      await api.removeCa(ca.fingerprint);
      await render();
      importBtn.focus();
    } catch (e) {
      setBusy(b, false);
      replaceChildren(listEl, errorBox(e));
    }
  }

  /** @param {TrustedCa} ca */
  function row(ca) {
    return h(
      "div",
      { class: "card server-row", "data-testid": "ca-row" },
      h(
        "div",
        { class: "server-row-main" },
        h(
          "div",
          { class: "server-row-info" },
          h("div", { class: "card-title-line" }, icon("shield", 16, "muted-icon"), h("h3", { class: "card-title" }, ca.label)),
          h("div", { class: "card-sub small muted" }, t("ca.added", { date: formatDateTime(ca.addedAt) })),
          fingerprint(ca.fingerprint),
        ),
        h(
          "div",
          { class: "server-row-actions" },
          h("button", { type: "button", class: "btn btn-sm btn-danger-ghost", "data-testid": "ca-remove", onClick: (e) => remove(ca, e.currentTarget) }, icon("x", 14), t("ca.remove")),
        ),
      ),
    );
  }

  async function render() {
    try {
      const cas = await api.trustedCas();
      replaceChildren(listEl, cas.length === 0 ? h("p", { class: "muted small", "data-testid": "ca-empty" }, t("ca.empty")) : cas.map(row));
    } catch (e) {
      replaceChildren(listEl, errorBox(e));
    }
  }

  return { el, render };
}
