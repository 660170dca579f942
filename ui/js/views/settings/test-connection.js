// "Test connection" of a configured server and its result: protocol, version and fingerprint, or
// the error; when the pinned certificate changed, both fingerprints side by side and "Trust new
// certificate" (retrust_server), whose collection result then replaces the warning.
import { h } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import * as api from "../../api.js";
import { refreshDashboard } from "../../state.js";
import { setBusy } from "../../components/modal.js";
import { resultRow } from "../../components/collect-dialog.js";
import { protocolBadge, fingerprint, errorBox, errorSentence } from "../../components/badges.js";
import { toast } from "../../components/toast.js";
/** @import { Server, TestResult } from "../../types" */
/** @import { Rows } from "./page.js" */

/**
 * Tests server `s` from button `b`; the result goes into `slot` and into rows.testResults.
 * @param {Server} s
 * @param {HTMLButtonElement} b
 * @param {HTMLElement} slot
 * @param {Rows} rows
 */
export async function testServer(s, b, slot, rows) {
  setBusy(b, true);
  slot.replaceChildren(h("div", { class: "test-running muted small" }, h("span", { class: "progress-indeterminate", "aria-hidden": "true" }), t("server.testing")));
  try {
    const r = await api.testConnection({ serverId: s.id });
    const node = testResultNode(s, r, rows);
    rows.testResults.set(s.id, node);
    slot.replaceChildren(node);
  } catch (e) {
    const node = h("div", { class: "test-result", "data-testid": "server-test-result", "data-ok": "false" }, errorBox(e, s.host, { compact: true }));
    rows.testResults.set(s.id, node);
    slot.replaceChildren(node);
  } finally {
    setBusy(b, false);
  }
}

/**
 * @param {Server} s
 * @param {TestResult} r
 * @param {Rows} rows
 */
function testResultNode(s, r, rows) {
  if (r.ok) {
    return h(
      "div",
      { class: "test-result ok", "data-testid": "server-test-result", "data-ok": "true", role: "status" },
      h(
        "div",
        { class: "test-line" },
        icon("checkCircle", 16, "ok-icon"),
        h("strong", null, t("server.testOk")),
        protocolBadge(r.protocol),
        r.version ? h("span", { class: "muted" }, t("server.version", { version: r.version })) : null,
        r.name ? h("span", { class: "muted" }, r.name) : null,
        r.url ? h("span", { class: "url muted" }, r.url) : null,
      ),
      r.protocol === "https-self-signed" ? fingerprint(r.certificateSha256, r.certificateIsIssuer ? t("proto.issuerFingerprint") : undefined) : null,
    );
  }
  const err = r.error ?? { code: "unknown", message: "", hint: "" };
  // Re-trust pins exactly the fingerprint shown here, the one the user compares.
  const seen = err.code === "certificate_changed" ? r.certificateSha256 : null;
  const retrustSlot = h("div", { class: "retrust-slot" });
  const retrustBtn = seen
    ? h(
        "button",
        {
          type: "button",
          class: "btn btn-sm btn-primary",
          "data-testid": "server-retrust",
          onClick: async (e) => {
            const b = e.currentTarget;
            setBusy(b, true);
            try {
              const summary = await api.retrustServer(s.id, seen);
              if (summary.ok) {
                // The warning is resolved: the result of the collection replaces it.
                const done = h("div", { class: "test-result", "data-testid": "server-test-result", "data-ok": "true" }, h("ul", { class: "result-list" }, resultRow(summary)));
                rows.testResults.set(s.id, done);
                node.replaceWith(done);
                rows.focusInRow(s.id, "server-test");
              } else {
                retrustSlot.replaceChildren(h("ul", { class: "result-list" }, resultRow(summary)));
                setBusy(b, false);
              }
              toast(summary.ok ? t("server.retrusted") : errorSentence(summary.error, s.host), { kind: summary.ok ? "success" : "error" });
              refreshDashboard();
            } catch (err2) {
              setBusy(b, false);
              retrustSlot.replaceChildren(errorBox(err2, s.host, { compact: true }));
            }
          },
        },
        icon("shield", 14),
        t("server.retrust"),
      )
    : null;
  const node = h(
    "div",
    { class: "test-result bad", "data-testid": "server-test-result", "data-ok": "false" },
    errorBox(err, s.host, { compact: true }),
    seen
      ? h(
          "div",
          { class: "cert-compare" },
          fingerprint(r.pinnedSha256, t("server.pinnedFp")),
          fingerprint(r.certificateSha256, t("server.newFp")),
          h("p", { class: "small muted" }, t("server.retrustHint")),
          retrustBtn,
          retrustSlot,
        )
      : null,
  );
  return node;
}
