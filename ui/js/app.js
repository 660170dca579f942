// The shell: toolbar, navigation (hash router), keyboard shortcuts, language, and the wiring of
// `data://changed` to the views.
import { h, replaceChildren } from "./dom.js";
import { icon, spinner } from "./icons.js";
import { t, setLocale, resolveLanguage } from "./i18n.js";
import * as api from "./api.js";
import { state, refreshDashboard, refreshInfo } from "./state.js";
import { openCollectDialog } from "./components/collect-dialog.js";
import { openLogDetails } from "./components/log-details.js";
import { openMenu } from "./components/menu.js";
import { modalOpen } from "./components/modal.js";
import { errorBox, errorSentence } from "./components/badges.js";
import { initToasts, toast } from "./components/toast.js";
import { formatRelative } from "./format.js";
import { createDashboardView } from "./views/dashboard.js";
import { createLogsView } from "./views/logs.js";
import { createSettingsView } from "./views/settings/page.js";
/** @import { IconName } from "./icons.js" */

/**
 * What a view is opened with: the Backup Logs filters, or a page's tab (`#/settings/monitoring`).
 * @typedef {{ server?: string, job?: string, tab?: string }} RouteParams
 */

/**
 * What a view factory returns.
 * @typedef {object} View
 * @property {HTMLElement} el
 * @property {() => Promise<unknown>} refresh reloads its data (toolbar, Ctrl+R, F5)
 * @property {() => boolean} focusSearch Ctrl+K; false when there is nothing to focus
 * @property {() => void} destroy
 * @property {() => void} [onDataChanged] after `data://changed`
 * @property {(params: RouteParams) => void} [setFilters] shown again with other params
 * @property {Promise<unknown>} [ready] settles once its first data is in: the page it replaces
 *   stays up until then (at most READY_WAIT_MS), so the new one appears whole
 * @property {() => void} [attached] called once it is in the page
 * @property {(params: RouteParams, changed: boolean) => Promise<unknown> | null} [revisit] a view
 *   that has it is kept out of the page while another page is shown, then shown again instead of
 *   a new one. `changed`: the data may have changed meanwhile. Returns what `ready` would be;
 *   null when it can be shown at once
 */

/**
 * What the views get from the shell.
 * @typedef {object} App
 * @property {(name: string, params?: RouteParams) => void} navigate
 * @property {() => void} applyLanguage re-applies the language (after set_language) and re-renders everything
 */

/** @type {Record<string, { factory: (app: App, params: RouteParams) => View, label: string, icon: IconName }>} */
const ROUTES = {
  dashboard: { factory: createDashboardView, label: "nav.dashboard", icon: "grid" },
  logs: { factory: createLogsView, label: "nav.logs", icon: "list" },
  settings: { factory: createSettingsView, label: "nav.settings", icon: "sliders" },
};

const root = /** @type {HTMLElement} */ (document.getElementById("app")); // in index.html
/** @type {{ name: null, view: null, params: RouteParams } | { name: string, view: View, params: RouteParams }} */
let current = { name: null, view: null, params: {} };
/** @type {{ name: string, view: View } | null} the view in the page (a new one may be getting ready) */
let inPage = null;
let navSeq = 0;
/**
 * Views kept while another page is shown (those with `revisit`), with the data generation they
 * were left at.
 * @type {Map<string, { view: View, generation: number }>}
 */
const keptViews = new Map();
/** Counts the data changes the views were told of; a collection running counts as changing. */
let dataGeneration = 0;
let collectionRunning = false;
/**
 * How long the page on screen stays while the next one gets its data. Under this a change
 * feels immediate, and one frame of an empty page, then another with the data, costs more
 * than it shows.
 */
const READY_WAIT_MS = 100;
/** @type {Record<string, number>} */
const scrollMemory = {};
/** @type {HTMLElement} */
let content; // the scrolling main element
/** @type {Record<string, HTMLAnchorElement>} */
let navLinks = {};

/** @type {App} */
const app = {
  navigate(name, params = {}) {
    if (!ROUTES[name]) name = "dashboard";
    const hash = params.tab ? `#/${name}/${params.tab}` : `#/${name}`;
    if (location.hash !== hash) {
      pendingParams = params;
      location.hash = hash;
    } else showView(name, params);
  },
  /** Re-applies the language (after set_language) and re-renders everything. */
  applyLanguage() {
    setLocale(resolveLanguage(state.info?.uiLanguage));
    for (const { view } of keptViews.values()) view.destroy();
    keptViews.clear();
    const focusedTid = /** @type {HTMLElement | null} */ (document.activeElement)?.dataset?.testid;
    renderShell();
    showView(current.name ?? "dashboard", current.params, true);
    if (focusedTid) /** @type {HTMLElement | null} */ (document.querySelector(`[data-testid="${focusedTid}"]`))?.focus();
  },
};
/** @type {RouteParams | null} */
let pendingParams = null;

// ---------- toolbar ----------

/** Shows Collect, or Cancel while a collection runs (set by renderShell). @type {(running: boolean) => void} */
let showCollecting = () => {};

/**
 * @param {{ x: number, y: number } | Element} anchor
 * @param {HTMLElement} opener
 */
function collectAllMenu(anchor, opener) {
  openMenu(
    [
      {
        label: t("toolbar.collectAll"),
        icon: "download",
        testid: "collect-all-menu",
        onSelect: () => openCollectDialog({ request: { all: true, saveJson: false }, returnFocus: opener }),
      },
      { label: t("toolbar.collectOther"), icon: "server", testid: "collect-open", onSelect: () => openCollectDialog({ returnFocus: opener }) },
    ],
    anchor,
    opener,
    { testid: "collect-menu", label: t("toolbar.collect") },
  );
}

function renderShell() {
  document.title = t("app.name");
  const collectBtn = h(
    "button",
    {
      type: "button",
      class: "btn btn-primary toolbar-collect",
      "data-testid": "toolbar-collect",
      title: t("toolbar.collectTip"),
      "aria-describedby": "toolbar-collect-hint",
      onClick: (e) => openCollectDialog({ returnFocus: e.currentTarget }),
      onContextmenu: (e) => {
        e.preventDefault();
        collectAllMenu({ x: e.clientX, y: e.clientY }, e.currentTarget);
      },
      onKeydown: (e) => {
        if ((e.key === "F10" && e.shiftKey) || e.key === "ContextMenu") {
          e.preventDefault();
          collectAllMenu(e.currentTarget, e.currentTarget);
        }
      },
    },
    icon("download"),
    h("span", null, t("toolbar.collect")),
  );
  // While any collection runs (this window's, the tray's), it can be cancelled from here.
  const cancelBtn = h(
    "button",
    {
      type: "button",
      class: "btn toolbar-cancel",
      "data-testid": "toolbar-cancel",
      title: t("toolbar.cancelTip"),
      onClick: async (e) => {
        const b = e.currentTarget;
        b.disabled = true;
        try {
          await api.cancelCollect();
        } catch (err) {
          b.disabled = false;
          toast(errorSentence(err), { kind: "error" });
        }
      },
    },
    spinner(),
    h("span", null, t("toolbar.cancel")),
  );
  showCollecting = (running) => {
    collectBtn.hidden = running;
    cancelBtn.hidden = !running;
    cancelBtn.disabled = false;
  };
  showCollecting(!!state.info?.collecting);
  const refreshBtn = h(
    "button",
    { type: "button", class: "icon-btn toolbar-refresh", "data-testid": "toolbar-refresh", title: t("toolbar.refreshTip"), "aria-label": t("toolbar.refresh"), onClick: refresh },
    icon("refresh"),
  );
  navLinks = {};
  const nav = h(
    "nav",
    { class: "nav", "aria-label": t("nav.label") },
    Object.entries(ROUTES).map(([name, r]) => {
      // The pointer on Backup Logs, a finger or pen on it, or the focus: the page is made ready
      // before the click.
      const intent = name === "logs" ? prepareLogs : undefined;
      const a = h(
        "a",
        { href: `#/${name}`, class: "nav-link", "data-testid": `nav-${name}`, onMouseover: intent, onPointerdown: intent, onFocusin: intent },
        icon(r.icon, 15),
        h("span", null, t(r.label)),
      );
      navLinks[name] = a;
      return a;
    }),
  );
  content = h("main", { id: "content", class: "content", tabindex: "-1" });
  content.addEventListener("scroll", () => {
    if (inPage) scrollMemory[inPage.name] = content.scrollTop;
  });
  replaceChildren(
    root,
    h(
      "header",
      { class: "toolbar" },
      h("div", { class: "brand" }, icon("logo", 20, "brand-icon"), h("span", { class: "brand-name" }, t("app.name"))),
      nav,
      h("div", { class: "toolbar-spacer" }),
      refreshBtn,
      collectBtn,
      cancelBtn,
      h("span", { id: "toolbar-collect-hint", class: "sr-only" }, t("toolbar.collectHint")),
    ),
    content,
  );
}

// ---------- views ----------

/**
 * @param {string} name
 * @param {RouteParams} [params]
 */
function showView(name, params = {}, force = false) {
  if (!ROUTES[name]) name = "dashboard";
  if (!force && current.name === name && current.view && current.params.tab === params.tab) {
    if (params && (params.server || params.job) && current.view.setFilters) current.view.setFilters(params);
    return;
  }
  if (current.view !== inPage?.view) current.view?.destroy?.(); // it was still getting ready
  const kept = keptViews.get(name);
  keptViews.delete(name);
  /** @type {View} */
  let view;
  /** @type {Promise<unknown> | null | undefined} */
  let ready;
  if (kept?.view.revisit && !force) {
    view = kept.view;
    ready = kept.view.revisit(params, kept.generation !== dataGeneration || collectionRunning);
  } else {
    kept?.view.destroy();
    view = ROUTES[name].factory(app, params);
    ready = view.ready;
  }
  const my = ++navSeq;
  current = { name, view, params };
  for (const [n, a] of Object.entries(navLinks)) {
    if (n === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const put = () => {
    if (my !== navSeq) return; // another page was asked for meanwhile
    if (inPage) leave(inPage, name);
    inPage = { name, view };
    replaceChildren(content, storeBanner(), view.el);
    content.scrollTop = scrollMemory[name] ?? 0;
    view.attached?.();
    if (focusSearchOnShow) {
      focusSearchOnShow = false;
      view.focusSearch?.();
    }
  };
  // Wait only while the old page is still on screen (not after the shell was rebuilt).
  if (ready && inPage?.view.el.isConnected) {
    const late = new Promise((ok) => {
      setTimeout(ok, READY_WAIT_MS);
    });
    Promise.race([ready, late]).then(put, put);
  } else put();
}

/**
 * Takes a view out of the page: kept for the next visit when it can be revisited (building
 * Backup Logs again and waiting for its rows was most of the time it took to open), else
 * destroyed.
 * @param {{ name: string, view: View }} left
 * @param {string} next the page shown instead
 */
function leave({ name, view }, next) {
  if (view.revisit && name !== next) keptViews.set(name, { view, generation: dataGeneration });
  else view.destroy();
}
let focusSearchOnShow = false;

/** app_info().storeError: the local database could not be opened; say so on every page. */
function storeBanner() {
  const err = state.info?.storeError;
  if (!err) return null;
  return h("div", { class: "view store-banner", "data-testid": "store-error" }, errorBox(err));
}

/** @returns {{ name: string, tab?: string }} */
function routeFromHash() {
  const m = /^#\/(\w+)(?:\/(\w+))?/.exec(location.hash);
  if (!m || !ROUTES[m[1]]) return { name: "dashboard" };
  return m[2] ? { name: m[1], tab: m[2] } : { name: m[1] };
}

function refresh() {
  const btn = document.querySelector('[data-testid="toolbar-refresh"]');
  btn?.classList.add("spinning");
  const done = () => btn?.classList.remove("spinning");
  const p = current.name === "logs" ? Promise.all([refreshDashboard(), current.view.refresh()]) : refreshDashboard();
  Promise.resolve(p).finally(() => setTimeout(done, 300));
}

// ---------- shortcuts ----------

// Capture phase: runs before dialogs' own handlers, so Ctrl+R / F5 never reload the page
// (which would lose the UI state), even while a dialog is open.
/** @param {KeyboardEvent} e */
function onKey(e) {
  if (e.key === "Control" || e.key === "Meta") {
    if (!modalOpen()) prepareLogs(); // Ctrl+2 may follow
    return;
  }
  const mod = e.ctrlKey || e.metaKey;
  const k = (e.key || "").toLowerCase();
  if ((mod && k === "r" && !e.altKey) || e.key === "F5") {
    e.preventDefault(); // reload the data, not the page
    if (!modalOpen()) refresh();
    return;
  }
  if (modalOpen()) return;
  if (mod && k === "k") {
    e.preventDefault();
    if (current.name !== "dashboard") {
      focusSearchOnShow = true;
      app.navigate("dashboard");
    } else current.view?.focusSearch?.();
  } else if (mod && ["1", "2", "3"].includes(e.key) && !e.shiftKey && !e.altKey) {
    e.preventDefault();
    app.navigate(Object.keys(ROUTES)[Number(e.key) - 1]);
  }
}

// ---------- start ----------

function notInApp() {
  setLocale(resolveLanguage(null));
  root.classList.add("app-standalone");
  replaceChildren(
    root,
    h(
      "div",
      { class: "empty-state standalone", "data-testid": "not-in-app" },
      h("div", { class: "empty-icon" }, icon("logo", 40)),
      h("h1", { class: "empty-title" }, t("app.notInAppTitle")),
      h("p", { class: "empty-text" }, t("app.notInAppText")),
    ),
  );
}

/** @type {number | undefined} */
let changeTimer;
function onDataChanged() {
  clearTimeout(changeTimer);
  changeTimer = setTimeout(() => {
    dataGeneration++;
    refreshDashboard();
    current.view?.onDataChanged?.();
  }, 120);
}

function tickRelativeTimes() {
  for (const el of /** @type {NodeListOf<HTMLTimeElement>} */ (document.querySelectorAll("time[data-rel]"))) {
    const text = formatRelative(Number(el.dataset.rel));
    if (el.textContent !== text) el.textContent = text;
  }
}

async function start() {
  if (!api.inApp()) {
    notInApp();
    return;
  }
  let info;
  try {
    info = await refreshInfo();
  } catch (e) {
    setLocale(resolveLanguage(null));
    root.classList.add("app-standalone");
    replaceChildren(root, h("div", { class: "empty-state standalone" }, errorBox(e)));
    return;
  }
  setLocale(resolveLanguage(info.uiLanguage));
  collectionRunning = !!info.collecting;
  renderShell();
  initToasts();
  api.on(api.EVENT_DATA_CHANGED, onDataChanged);
  api.on(api.EVENT_RUNNING, (running) => {
    collectionRunning = running;
    if (running) dataGeneration++;
    showCollecting(running);
  });
  // A desktop notification was clicked: Backup Logs, with its entry open.
  api.on(api.EVENT_NAVIGATE, ({ entry }) => {
    app.navigate("logs");
    if (entry) openLogDetails(entry);
  });
  // A notification is on the desktop: its click would open Backup Logs.
  api.on(api.EVENT_NOTICE_SHOWN, prepareLogs);
  api.prepare(api.EVENT_PROGRESS, api.EVENT_DATA_CHANGED, api.EVENT_RUNNING, api.EVENT_NAVIGATE, api.EVENT_NOTICE_SHOWN);
  window.addEventListener("hashchange", () => {
    const params = pendingParams ?? {};
    pendingParams = null;
    const route = routeFromHash();
    showView(route.name, { ...params, tab: route.tab });
  });
  window.addEventListener("keydown", onKey, true);
  // Block the browser's own context menu except in text fields (native feel).
  document.addEventListener("contextmenu", (e) => {
    if (!/** @type {Element} */ (e.target).closest("input, textarea, pre, code, .selectable")) e.preventDefault();
  });
  setInterval(tickRelativeTimes, 30_000);
  const route = routeFromHash();
  showView(route.name, { tab: route.tab });
  refreshDashboard();
}

/**
 * Builds Backup Logs out of sight when the user is about to open it (the pointer, a finger or
 * the focus on its link, Ctrl/⌘ pressed, which Ctrl+2 starts with, or a desktop notification
 * whose click opens it), so that opening it the first time costs what coming back to it does:
 * its scripts have run once and its first rows are in. Building it at start instead cost the
 * web process about 3 MB for users who never open it.
 */
function prepareLogs() {
  if (current.name === "logs" || keptViews.has("logs") || state.info?.storeError) return;
  const view = ROUTES.logs.factory(app, {});
  keptViews.set("logs", { view, generation: dataGeneration });
  // Its first style and layout too (fonts looked up, text measured): in the page, hidden, for
  // the length of one task, so it is never painted nor seen.
  Promise.resolve(view.ready).then(() => {
    if (keptViews.get("logs")?.view !== view || !content.isConnected) return;
    const stage = h("div", { class: "warm-up", "aria-hidden": "true", style: `width: ${content.clientWidth}px` }, view.el);
    content.append(stage);
    void stage.offsetHeight;
    stage.remove();
  });
}

start();
