// Import of collected JSON files (import_files opens the native open dialog), then one row per
// file: its server, the jobs and the new and already known entries; or why it failed; or, for a
// file that names no machine-id, a choice of where its entries go (import_file).
import { h } from "../../dom.js";
import { icon } from "../../icons.js";
import { t, tn } from "../../i18n.js";
import * as api from "../../api.js";
import { refreshDashboard, servers } from "../../state.js";
import { openModal, setBusy } from "../../components/modal.js";
import { errorBox } from "../../components/badges.js";

/** @import { ImportedFile, ImportSummary, ImportTarget } from "../../types" */

/**
 * Runs the import from button `b` and shows, per file, what was imported or why not.
 * @param {HTMLButtonElement} b
 */
export async function importCollectedFiles(b) {
  setBusy(b, true);
  try {
    const files = await api.importFiles();
    if (files === null || files === undefined) return; // dialog cancelled
    refreshDashboard();
    const m = openModal({
      title: t("import.title"),
      testid: "import-result",
      size: "md",
      returnFocus: b,
      body: files.length === 0 ? h("p", null, t("import.none")) : h("ul", { class: "result-list" }, files.map(fileRow)),
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

/** @param {ImportedFile} f */
function fileRow(f) {
  if (f.error) {
    return h(
      "li",
      { class: "result-row is-bad", "data-testid": "import-row", "data-ok": "false" },
      h("span", { class: "result-icon" }, icon("xCircle", 18, "bad-icon")),
      h("div", { class: "result-main" }, h("div", { class: "mono small muted file-path" }, f.path), errorBox(f.error, undefined, { compact: true })),
    );
  }
  const s = /** @type {ImportSummary} */ (f.summary);
  return s.needsServer ? chooseServerRow(f.path, s) : importedRow(s);
}

/** @param {ImportSummary} s */
function importedRow(s) {
  return h(
    "li",
    { class: "result-row is-ok", "data-testid": "import-row", "data-ok": "true" },
    h("span", { class: "result-icon" }, icon("checkCircle", 18, "ok-icon")),
    h(
      "div",
      { class: "result-main" },
      h("div", { class: "result-title" }, h("strong", null, s.server || "—")),
      h("div", { class: "mono small muted file-path" }, s.file),
      h(
        "div",
        { class: "result-counts" },
        h("span", { class: "count" }, tn("import.jobs", s.jobs)),
        h("span", { class: "count count-new" }, tn("collect.countNew", s.new)),
        h("span", { class: "count" }, tn("collect.countSkipped", s.skipped)),
        s.invalidRows ? h("span", { class: "count count-bad" }, tn("import.invalidRows", s.invalidRows)) : null,
      ),
    ),
  );
}

/**
 * A file that does not prove which server it came from: the user says where it goes (a new
 * server, or one already configured); nothing is imported before.
 * @param {string} path
 * @param {ImportSummary} s
 */
function chooseServerRow(path, s) {
  const selectId = `import-target-${Math.random().toString(36).slice(2)}`;
  const select = /** @type {HTMLSelectElement} */ (
    h(
      "select",
      { id: selectId, class: "input", "data-testid": "import-target" },
      h("option", { value: "new" }, t("import.asNewServer", { name: s.server })),
      servers().map((srv) => h("option", { value: String(srv.id) }, t("import.intoServer", { name: srv.displayName, host: `${srv.host}:${srv.port}` }))),
    )
  );
  const row = h(
    "li",
    { class: "result-row is-warn", "data-testid": "import-row", "data-ok": "pending" },
    h("span", { class: "result-icon" }, icon("info", 18, "warn-icon")),
    h(
      "div",
      { class: "result-main" },
      h("div", { class: "result-title" }, h("strong", null, s.server || "—")),
      h("div", { class: "mono small muted file-path" }, s.file),
      h("p", { class: "small" }, t("import.needsServer")),
      h(
        "div",
        { class: "import-choice" },
        h("label", { for: selectId, class: "sr-only" }, t("import.target")),
        select,
        h(
          "button",
          {
            type: "button",
            class: "btn btn-sm btn-primary",
            "data-testid": "import-choose",
            onClick: async (/** @type {MouseEvent} */ e) => {
              const b = /** @type {HTMLButtonElement} */ (e.currentTarget);
              setBusy(b, true);
              /** @type {ImportTarget} */
              const target = select.value === "new" ? { kind: "newServer" } : { kind: "server", id: Number(select.value) };
              try {
                const done = await api.importFile(path, target);
                row.replaceWith(importedRow(done));
                refreshDashboard();
              } catch (err) {
                setBusy(b, false);
                row.append(errorBox(err, undefined, { compact: true }));
              }
            },
          },
          t("import.importHere"),
        ),
      ),
    ),
  );
  return row;
}
