// The first-run offer to start at login: shown once there is a server to watch, until the user
// answers (yes or not now; MonitorSettings.autostartAsked). Settings → Backup Monitoring keeps
// the switch afterwards.
import { h, replaceChildren } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";
import * as api from "../api.js";
import { errorSentence } from "./badges.js";
import { setBusy } from "./modal.js";
import { toast } from "./toast.js";

/** Whether the user was asked already: null until monitor_settings has answered. @type {boolean | null} */
let asked = null;
/** @type {Promise<unknown> | null} */
let loading = null;

/**
 * Fills `slot` with the offer when it is due, else empties it.
 * @param {HTMLElement} slot
 */
export function renderAutostartOffer(slot) {
  if (asked === null) {
    loading ??= api
      .monitorSettings()
      .then((s) => (asked = s.autostartAsked))
      .catch(() => (asked = true)) // unreadable settings: do not nag
      .finally(() => (loading = null));
    loading.then(() => renderAutostartOffer(slot));
    return;
  }
  slot.dataset.offer = asked ? "answered" : "shown";
  if (asked) {
    slot.replaceChildren();
    return;
  }
  /** @param {boolean} yes @param {HTMLButtonElement} btn */
  async function answer(yes, btn) {
    setBusy(btn, true);
    try {
      if (yes) await api.setAutostart(true);
      const settings = await api.monitorSettings();
      await api.setMonitorSettings({ ...settings, autostartAsked: true });
      asked = true;
      slot.dataset.offer = "answered";
      slot.replaceChildren();
      if (yes) toast(t("offer.autostartDone"), { kind: "success" });
    } catch (e) {
      setBusy(btn, false);
      toast(errorSentence(e), { kind: "error" });
    }
  }
  replaceChildren(
    slot,
    h(
      "div",
      { class: "banner banner-offer", role: "region", "aria-label": t("offer.autostartTitle"), "data-testid": "autostart-offer" },
      icon("clock", 18),
      h("div", { class: "banner-text" }, h("strong", null, t("offer.autostartTitle")), h("p", { class: "small" }, t("offer.autostartText"))),
      h(
        "div",
        { class: "banner-actions" },
        h("button", { type: "button", class: "btn btn-sm", "data-testid": "autostart-no", onClick: (e) => answer(false, e.currentTarget) }, t("offer.autostartNo")),
        h("button", { type: "button", class: "btn btn-sm btn-primary", "data-testid": "autostart-yes", onClick: (e) => answer(true, e.currentTarget) }, t("offer.autostartYes")),
      ),
    ),
  );
}

/** The Backup Monitoring switch answered the question too. */
export function autostartAnswered() {
  asked = true;
}
