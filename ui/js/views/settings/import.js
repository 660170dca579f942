// Import of collected JSON files (import_files opens the native open dialog), then one row per
// imported file: its server, the jobs and the new and already known entries.
import { h } from "../../dom.js";
import { icon } from "../../icons.js";
import { t, tn } from "../../i18n.js";
import * as api from "../../api.js";
import { refreshDashboard } from "../../state.js";
import { openModal, setBusy } from "../../components/modal.js";
import { errorBox } from "../../components/badges.js";

/**
 * Runs the import from button `b` and shows what was imported, or why it failed.
 * @param {HTMLButtonElement} b
 */
export async function importCollectedFiles(b) {
  setBusy(b, true);
  try {
    const res = await api.importFiles();
    if (res === null || res === undefined) return; // dialog cancelled
    refreshDashboard();
    const m = openModal({
      title: t("import.title"),
      testid: "import-result",
      size: "md",
      returnFocus: b,
      body:
        res.length === 0
          ? h("p", null, t("import.none"))
          : h(
              "ul",
              { class: "result-list" },
              res.map((r) =>
                h(
                  "li",
                  { class: "result-row is-ok", "data-testid": "import-row" },
                  h("span", { class: "result-icon" }, icon("checkCircle", 18, "ok-icon")),
                  h(
                    "div",
                    { class: "result-main" },
                    h("div", { class: "result-title" }, h("strong", null, r.server || "—")),
                    h("div", { class: "mono small muted file-path" }, r.file),
                    h(
                      "div",
                      { class: "result-counts" },
                      h("span", { class: "count" }, tn("import.jobs", r.jobs ?? 0)),
                      h("span", { class: "count count-new" }, tn("collect.countNew", r.new ?? 0)),
                      h("span", { class: "count" }, tn("collect.countSkipped", r.skipped ?? 0)),
                    ),
                  ),
                ),
              ),
            ),
      footer: [h("button", { type: "button", class: "btn btn-primary", "data-testid": "import-close", onClick: () => m.close() }, t("common.close"))],
    });
  } catch (e) {
    openModal({
      title: t("import.failed"),
      size: "sm",
      returnFocus: b,
      body: errorBox(e),
    });
  } finally {
    setBusy(b, false);
  }
}
