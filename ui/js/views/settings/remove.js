// Removing a server: delete it (after a confirmation; its logs stay), or for the demo server,
// remove the demo.
import { t } from "../../i18n.js";
import * as api from "../../api.js";
import { refreshDashboard, refreshInfo } from "../../state.js";
import { confirmDialog, setBusy } from "../../components/modal.js";
import { errorSentence } from "../../components/badges.js";
import { toast } from "../../components/toast.js";
/** @import { Server } from "../../types" */
/** @import { Rows } from "./page.js" */

/**
 * @param {Server} s
 * @param {HTMLElement} opener
 * @param {Rows} rows what the rows share with the page
 */
export function deleteServerDialog(s, opener, rows) {
  confirmDialog({
    title: t("delete.title", { name: s.displayName }),
    message: t("delete.message"),
    okLabel: t("delete.ok"),
    okIcon: "trash",
    danger: true,
    testid: "delete-dialog",
    returnFocus: opener,
    action: async () => {
      await api.deleteServer(s.id);
      rows.testResults.delete(s.id);
      toast(t("delete.done", { name: s.displayName }), { kind: "success" });
      await refreshDashboard();
    },
  }).then((done) => {
    if (done) rows.focusAfterDelete();
  });
}

/** @param {HTMLButtonElement} b */
export async function removeDemo(b) {
  setBusy(b, true);
  try {
    await api.removeDemo();
    toast(t("demo.removed"), { kind: "success" });
    await Promise.all([refreshDashboard(), refreshInfo().catch(() => {})]);
  } catch (e) {
    setBusy(b, false);
    toast(errorSentence(e), { kind: "error" });
  }
}
