// The Edit dialog of a server: display name (alias), host, port and note (update_server).
import { h, uid } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import * as api from "../../api.js";
import { refreshDashboard } from "../../state.js";
import { openModal, setBusy } from "../../components/modal.js";
import { errorBox } from "../../components/badges.js";
import { toast } from "../../components/toast.js";
/** @import { Server } from "../../types" */

/**
 * @param {Server} s
 * @param {HTMLElement} opener
 */
export function editServerDialog(s, opener) {
  const ids = { alias: uid("ea"), note: uid("en"), host: uid("eh"), port: uid("ep") };
  const alias = h("input", { type: "text", id: ids.alias, class: "input", value: s.alias ?? "", placeholder: s.name, "data-testid": "server-alias", autocomplete: "off" });
  const note = h("textarea", { id: ids.note, class: "input", rows: 3, value: s.note ?? "", "data-testid": "server-note" });
  const host = h("input", { type: "text", id: ids.host, class: "input", value: s.host ?? "", "data-testid": "server-host", autocomplete: "off", spellcheck: false });
  const port = h("input", { type: "number", id: ids.port, class: "input input-port", min: "1", max: "65535", value: String(s.port ?? 8200), "data-testid": "server-port" });
  const err = h("div", { class: "form-error-slot" });
  const save = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "server-save" }, t("common.save"));
  const cancel = h("button", { type: "button", class: "btn", onClick: () => m.close("cancel") }, t("common.cancel"));
  let busy = false;
  const m = openModal({
    title: t("edit.title", { name: s.displayName }),
    testid: "server-edit-dialog",
    size: "md",
    returnFocus: opener,
    canClose: (reason) => !busy || reason === "force",
    body: h(
      "div",
      { class: "form-grid" },
      h("div", { class: "field" }, h("label", { for: ids.alias, class: "field-label" }, t("edit.alias")), alias, h("div", { class: "field-hint" }, t("edit.aliasHint", { name: s.name }))),
      h(
        "div",
        { class: "field-row" },
        h("div", { class: "field" }, h("label", { for: ids.host, class: "field-label" }, t("edit.host")), host),
        h("div", { class: "field" }, h("label", { for: ids.port, class: "field-label" }, t("collect.port")), port),
      ),
      h("div", { class: "field-hint" }, t("edit.hostHint")),
      h("div", { class: "field" }, h("label", { for: ids.note, class: "field-label" }, t("edit.note")), note),
      err,
    ),
    footer: [cancel, save],
    onSubmit: async () => {
      if (busy) return;
      err.replaceChildren();
      const p = Number(port.value);
      if (!host.value.trim()) {
        err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("collect.needHost")));
        host.focus();
        return;
      }
      if (!Number.isInteger(p) || p < 1 || p > 65535) {
        err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("collect.badPort")));
        port.focus();
        return;
      }
      busy = true;
      setBusy(save, true);
      try {
        await api.updateServer(s.id, { alias: alias.value.trim() || null, note: note.value.trim() || null, host: host.value.trim(), port: p });
        busy = false;
        m.close("force");
        toast(t("edit.saved"), { kind: "success" });
        refreshDashboard();
      } catch (e) {
        busy = false;
        setBusy(save, false);
        err.replaceChildren(errorBox(e, host.value.trim()));
      }
    },
  });
}
