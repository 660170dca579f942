// A server's password in the system keychain: set or change it (set_password), clear it
// (clear_password).
import { h, uid } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import * as api from "../../api.js";
import { refreshDashboard } from "../../state.js";
import { openModal, confirmDialog, setBusy } from "../../components/modal.js";
import { errorBox } from "../../components/badges.js";
import { toast } from "../../components/toast.js";
/** @import { Server } from "../../types" */

/**
 * @param {Server} s
 * @param {HTMLElement} opener
 */
export function setPasswordDialog(s, opener) {
  const id = uid("pw");
  const input = h("input", { type: "password", id, class: "input", "data-testid": "password-input", autocomplete: "off" });
  const err = h("div", { class: "form-error-slot" });
  const save = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "password-save" }, t("common.save"));
  let busy = false;
  const m = openModal({
    title: t("password.title", { name: s.displayName }),
    testid: "password-dialog",
    size: "sm",
    returnFocus: opener,
    canClose: (reason) => !busy || reason === "force",
    body: [
      h("div", { class: "field" }, h("label", { for: id, class: "field-label" }, t("collect.password")), input, h("div", { class: "field-hint" }, t("password.hint"))),
      err,
    ],
    footer: [h("button", { type: "button", class: "btn", onClick: () => m.close("cancel") }, t("common.cancel")), save],
    onSubmit: async () => {
      if (busy) return;
      if (!input.value) {
        err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("password.empty")));
        input.focus();
        return;
      }
      busy = true;
      setBusy(save, true);
      try {
        await api.setPassword(s.id, input.value);
        busy = false;
        m.close("force");
        toast(t("password.saved"), { kind: "success" });
        refreshDashboard();
      } catch (e) {
        busy = false;
        setBusy(save, false);
        err.replaceChildren(errorBox(e, s.host));
      }
    },
  });
}

/**
 * @param {Server} s
 * @param {HTMLElement} opener
 */
export function clearPasswordDialog(s, opener) {
  confirmDialog({
    title: t("password.clearTitle", { name: s.displayName }),
    message: t("password.clearMessage"),
    okLabel: t("server.clearPassword"),
    danger: true,
    returnFocus: opener,
    action: async () => {
      await api.clearPassword(s.id);
      toast(t("password.cleared"), { kind: "success" });
      refreshDashboard();
    },
  }).then(() => opener.isConnected && opener.focus());
}
