// One server in Settings: address, protocol, version, whether a password is saved, the last
// collection, the note; its actions (collect, test, edit, password, delete); and below it the
// result of the last connection test.
import { h } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import { state } from "../../state.js";
import { collectServer } from "../../components/collect-dialog.js";
import { protocolBadge, demoBadge, relTime } from "../../components/badges.js";
import { testServer } from "./test-connection.js";
import { editServerDialog } from "./edit-dialog.js";
import { setPasswordDialog, clearPasswordDialog } from "./password-dialogs.js";
import { deleteServerDialog, removeDemo } from "./remove.js";
/** @import { Server } from "../../types" */
/** @import { IconName } from "../../icons.js" */
/** @import { Rows } from "./page.js" */

/**
 * @param {Server} s a server of Dashboard.servers
 * @param {Rows} rows what the rows share with the page
 */
export function serverRow(s, rows) {
  const kcOk = state.info?.keychain?.available !== false;
  /**
   * @param {string} testid
   * @param {IconName} ic
   * @param {string} label
   * @param {(button: HTMLButtonElement) => void} onClick
   * @param {Record<string, unknown>} [extra] more props
   */
  const btn = (testid, ic, label, onClick, extra = {}) =>
    h("button", { type: "button", class: "btn btn-sm", "data-testid": testid, onClick: (e) => onClick(e.currentTarget), ...extra }, icon(ic, 14), label);
  const testSlot = h("div", { class: "test-slot", "data-testid": "server-test-slot" }, rows.testResults.get(s.id) ?? null);
  const actions = [
    btn("server-collect", "download", t("server.collect"), (b) => collectServer(s, b)),
    btn("server-test", "zap", t("server.test"), (b) => testServer(s, b, testSlot, rows)),
    btn("server-edit", "edit", t("server.edit"), (b) => editServerDialog(s, b)),
    btn("server-set-password", "key", s.hasPassword ? t("server.changePassword") : t("server.setPassword"), (b) => setPasswordDialog(s, b), {
      disabled: !kcOk,
      title: kcOk ? null : t("settings.noKeychainShort"),
    }),
    s.hasPassword ? btn("server-clear-password", "x", t("server.clearPassword"), (b) => clearPasswordDialog(s, b)) : null,
    s.isDemo
      ? btn("demo-remove", "trash", t("demo.remove"), (b) => removeDemo(b), { class: "btn btn-sm btn-danger-ghost" })
      : btn("server-delete", "trash", t("server.delete"), (b) => deleteServerDialog(s, b, rows), { class: "btn btn-sm btn-danger-ghost" }),
  ];
  return h(
    "div",
    { class: "card server-row", "data-testid": "server-row", "data-server-id": String(s.id) },
    h(
      "div",
      { class: "server-row-main" },
      h(
        "div",
        { class: "server-row-info" },
        h("div", { class: "card-title-line" }, icon("server", 16, "muted-icon"), h("h3", { class: "card-title" }, s.displayName), s.isDemo ? demoBadge() : null),
        h(
          "div",
          { class: "card-sub" },
          h("span", { class: "url" }, s.url ?? `${s.host}:${s.port}`),
          protocolBadge(s.protocol),
          s.version ? h("span", { class: "muted" }, t("server.version", { version: s.version })) : null,
        ),
        h(
          "div",
          { class: "card-sub small" },
          h("span", { class: s.hasPassword ? "pw-state ok" : "pw-state" }, icon(s.hasPassword ? "key" : "unlock", 12), s.hasPassword ? t("server.passwordSaved") : t("server.passwordNotSaved")),
          s.lastCollectAt != null
            ? h("span", { class: "muted" }, s.lastOk === false ? t("server.lastCollectFailed") : t("server.lastCollectOk"), " ", relTime(s.lastCollectAt))
            : h("span", { class: "muted" }, t("server.neverCollected")),
          s.alias && s.alias !== s.name ? h("span", { class: "muted" }, t("server.nameIs", { name: s.name })) : null,
        ),
        s.note ? h("p", { class: "server-note" }, s.note) : null,
      ),
      h("div", { class: "server-row-actions" }, actions),
    ),
    testSlot,
  );
}
