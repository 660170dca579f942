// Settings, in two tabs. Server Settings: the servers (one row each: server-row.js), import of
// collected JSON files, the certificate authorities trusted for every server (authorities.js),
// language, about. Backup Monitoring: monitoring.js. This module lays the page out and
// re-renders it; the parts live next to it.
import { h, replaceChildren } from "../../dom.js";
import { icon } from "../../icons.js";
import { t } from "../../i18n.js";
import { state, servers, refreshDashboard, subscribe } from "../../state.js";
import { openCollectDialog, emptyCollectButton } from "../../components/collect-dialog.js";
import { serverRow } from "./server-row.js";
import { importCollectedFiles } from "./import.js";
import { renderKeychainBanner, generalSection, aboutSection } from "./general.js";
import { authoritiesSection } from "./authorities.js";
import { monitoringPanel } from "./monitoring.js";
/** @import { App, RouteParams, View } from "../../app.js" */

/**
 * The page title and its tabs (links: each tab has its own address, #/settings and
 * #/settings/monitoring).
 * @param {string | undefined} tab
 */
function pageHead(tab) {
  const link = (/** @type {string | undefined} */ id, /** @type {string} */ href, /** @type {string} */ label) =>
    h("a", { href, class: "tab", "data-testid": `settings-tab-${id ?? "servers"}`, "aria-current": tab === id ? "page" : null }, label);
  return h(
    "div",
    { class: "page-head page-head-tabs" },
    h("h1", { class: "page-title" }, t("nav.settings")),
    h(
      "nav",
      { class: "tabs", "aria-label": t("settings.tabsAria") },
      link(undefined, "#/settings", t("settings.tabServers")),
      link("monitoring", "#/settings/monitoring", t("settings.tabMonitoring")),
    ),
  );
}

/**
 * What the rows share with the page: test results survive a re-render (data://changed) until
 * the server is tested again; focus moves within the list after a row's content changed.
 * @typedef {object} Rows
 * @property {Map<number, HTMLElement>} testResults server id -> the result node
 * @property {(id: number, testid: string) => void} focusInRow focuses the button `testid` in the row of server `id`
 * @property {() => void} focusAfterDelete after a server was deleted: the first remaining row, else "Collect all"
 */

/**
 * @param {App} app
 * @param {RouteParams} params `tab: "monitoring"` for Backup Monitoring
 * @returns {View}
 */
export function createSettingsView(app, params) {
  if (params.tab === "monitoring") {
    const panel = monitoringPanel();
    return {
      el: h("section", { class: "view view-settings", "aria-label": t("settings.tabMonitoring") }, pageHead("monitoring"), panel.el),
      refresh: () => Promise.all([refreshDashboard(), panel.refresh()]),
      focusSearch: () => false,
      onDataChanged: panel.onDataChanged,
      destroy: panel.destroy,
    };
  }
  const keychainSlot = h("div", { class: "keychain-slot" });
  const listEl = h("div", { class: "settings-list", "data-testid": "server-list-settings" });

  const collectAllBtn = h(
    "button",
    {
      type: "button",
      class: "btn",
      "data-testid": "collect-all",
      onClick: (e) => openCollectDialog({ request: { all: true, saveJson: false }, returnFocus: e.currentTarget }),
    },
    icon("download"),
    t("settings.collectAll"),
  );
  const importBtn = h("button", { type: "button", class: "btn", "data-testid": "import-files", onClick: (e) => importCollectedFiles(e.currentTarget) }, icon("upload"), t("settings.import"));

  const authorities = authoritiesSection();
  const general = generalSection(app);
  const about = aboutSection();

  const el = h(
    "section",
    { class: "view view-settings", "aria-label": t("nav.settings") },
    pageHead(undefined),
    keychainSlot,
    h(
      "section",
      { class: "settings-section", "aria-labelledby": "set-servers" },
      h(
        "div",
        { class: "section-head" },
        h("div", null, h("h2", { class: "section-title", id: "set-servers" }, t("settings.servers")), h("p", { class: "muted small" }, t("settings.serversHint"))),
        h("div", { class: "page-actions" }, importBtn, collectAllBtn),
      ),
      listEl,
    ),
    authorities.el,
    general,
    about.el,
  );

  /** @type {Rows} */
  const rows = {
    testResults: new Map(),
    focusInRow: (id, testid) => /** @type {HTMLElement | null} */ (listEl.querySelector(`[data-testid="server-row"][data-server-id="${id}"] [data-testid="${testid}"]`))?.focus(),
    focusAfterDelete: () => (/** @type {HTMLElement | null} */ (listEl.querySelector('[data-testid="server-edit"]')) ?? collectAllBtn).focus(),
  };

  function renderList() {
    const list = servers();
    collectAllBtn.disabled = list.length === 0;
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    let focusKey = null;
    if (active && listEl.contains(active)) {
      focusKey = { tid: active.dataset.testid, server: /** @type {HTMLElement | null} */ (active.closest('[data-testid="server-row"]'))?.dataset.serverId };
    }
    if (!state.dashboard) {
      replaceChildren(listEl, [0, 1].map(() => h("div", { class: "card server-row", "aria-hidden": "true" }, h("div", { class: "skeleton skel-title" }), h("div", { class: "skeleton skel-line wide" }))));
      return;
    }
    if (list.length === 0) {
      replaceChildren(
        listEl,
        h(
          "div",
          { class: "card table-empty", "data-testid": "settings-empty" },
          icon("server", 28, "muted-icon"),
          h("p", null, t("settings.noServers")),
          emptyCollectButton(),
        ),
      );
      return;
    }
    replaceChildren(listEl, list.map((s) => serverRow(s, rows)));
    if (focusKey?.server && focusKey.tid) {
      /** @type {HTMLElement | null} */ (listEl.querySelector(`[data-testid="server-row"][data-server-id="${focusKey.server}"] [data-testid="${focusKey.tid}"]`))?.focus({ preventScroll: true });
    }
  }

  function render() {
    renderKeychainBanner(keychainSlot);
    about.render();
    renderList();
  }
  const unsub = subscribe(render);
  render();
  authorities.render();

  return {
    el,
    refresh: () => refreshDashboard(),
    onDataChanged: () => about.refresh(),
    focusSearch: () => false,
    destroy: unsub,
  };
}
