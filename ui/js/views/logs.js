// Backup Logs: the audit trail. Filters go to the backend (`logs` query); 100 rows a page.
import { h, replaceChildren, uid } from "../dom.js";
import { icon } from "../icons.js";
import { t, tn } from "../i18n.js";
import * as api from "../api.js";
import { servers, subscribe } from "../state.js";
import { STATUSES, statusLabel, errorBox } from "../components/badges.js";
import { confirmDialog } from "../components/modal.js";
import { openCollectDialog } from "../components/collect-dialog.js";
import { logRow } from "../components/log-details.js";
import { toast } from "../components/toast.js";
import { formatNumber, dayStartSeconds } from "../format.js";
/** @import { ClearOptions, LogsQuery, Status } from "../types" */
/** @import { LogColumn } from "../components/log-details.js" */
/** @import { App, RouteParams, View } from "../app.js" */

const PAGE = 100;
/** @type {LogColumn[]} */
const COLS = ["date", "status", "type", "server", "job", "duration", "message"];

/**
 * @param {App} app
 * @param {RouteParams} [initial] the filters to start with
 * @returns {View}
 */
export function createLogsView(app, initial = {}) {
  /** @type {{ from: string, to: string, statuses: Set<Status>, server: string, job: string }} */
  const f = { from: "", to: "", statuses: new Set(), server: initial.server ?? "", job: initial.job ?? "" };
  let offset = 0;
  let seq = 0;
  let loaded = false;

  // ----- filters -----
  const ids = { from: uid("lf"), to: uid("lt"), server: uid("ls"), job: uid("lj") };
  // placeholder: only seen where the webview has no date picker (then the input is plain text).
  const fromInput = h("input", { type: "date", id: ids.from, class: "input input-date", placeholder: "yyyy-mm-dd", "data-testid": "logs-from", onChange: (e) => ((f.from = e.currentTarget.value), reload(true)) });
  const toInput = h("input", { type: "date", id: ids.to, class: "input input-date", placeholder: "yyyy-mm-dd", "data-testid": "logs-to", onChange: (e) => ((f.to = e.currentTarget.value), reload(true)) });
  const serverSelect = h("select", {
    id: ids.server,
    class: "input",
    "data-testid": "logs-server",
    onChange: (e) => {
      f.server = e.currentTarget.value;
      f.job = "";
      fillJobs();
      reload(true);
    },
  });
  const jobSelect = h("select", { id: ids.job, class: "input", "data-testid": "logs-job", onChange: (e) => ((f.job = e.currentTarget.value), reload(true)) });

  function fillServers() {
    const names = servers().map((s) => ({ value: s.name, label: s.displayName }));
    if (f.server && !names.some((n) => n.value === f.server)) names.push({ value: f.server, label: f.server });
    replaceChildren(serverSelect, h("option", { value: "" }, t("logs.allServers")), names.map((n) => h("option", { value: n.value }, n.label)));
    serverSelect.value = f.server;
  }
  function fillJobs() {
    const s = servers().find((x) => x.name === f.server);
    const names = s ? s.jobs.map((j) => j.name) : [];
    if (f.job && !names.includes(f.job)) names.push(f.job);
    replaceChildren(jobSelect, h("option", { value: "" }, t("logs.allJobs")), names.map((n) => h("option", { value: n }, n)));
    jobSelect.value = f.job;
    jobSelect.disabled = !f.server;
  }

  const chips = STATUSES.map((st) =>
    h(
      "button",
      {
        type: "button",
        class: `chip chip-toggle st-${st}`,
        "data-testid": "logs-status-chip",
        "data-status": st,
        "aria-pressed": "false",
        onClick: (e) => {
          if (f.statuses.has(st)) f.statuses.delete(st);
          else f.statuses.add(st);
          e.currentTarget.setAttribute("aria-pressed", String(f.statuses.has(st)));
          reload(true);
        },
      },
      h("span", { class: "dot", "aria-hidden": "true" }),
      statusLabel(st),
    ),
  );

  const resetBtn = h("button", { type: "button", class: "btn btn-sm btn-ghost", "data-testid": "logs-reset", onClick: resetFilters }, t("logs.reset"));
  function resetFilters() {
    f.from = f.to = f.server = f.job = "";
    f.statuses.clear();
    fromInput.value = toInput.value = "";
    chips.forEach((c) => c.setAttribute("aria-pressed", "false"));
    fillServers();
    fillJobs();
    reload(true);
  }
  const filtersActive = () => !!(f.from || f.to || f.server || f.job || f.statuses.size);

  const clearBtn = h("button", { type: "button", class: "btn", "data-testid": "logs-clear", onClick: openClear }, icon("eraser"), t("logs.clear"));

  const header = h(
    "div",
    { class: "page-head" },
    h("h1", { class: "page-title" }, t("nav.logs")),
    h("div", { class: "page-actions" }, clearBtn),
  );
  const filterBar = h(
    "div",
    { class: "log-filters" },
    h(
      "div",
      { class: "filter-row" },
      h("div", { class: "field field-inline" }, h("label", { for: ids.from, class: "field-label" }, t("logs.from")), fromInput),
      h("div", { class: "field field-inline" }, h("label", { for: ids.to, class: "field-label" }, t("logs.to")), toInput),
      h("div", { class: "field field-inline" }, h("label", { for: ids.server, class: "field-label" }, t("col.server")), serverSelect),
      h("div", { class: "field field-inline" }, h("label", { for: ids.job, class: "field-label" }, t("col.job")), jobSelect),
      resetBtn,
    ),
    h("div", { class: "chip-row", role: "group", "aria-label": t("logs.statusFilter") }, chips),
  );

  // ----- table -----
  const tbody = h("tbody");
  const table = h(
    "table",
    { class: "table logs-table", "data-testid": "logs-table" },
    h(
      "colgroup",
      null,
      COLS.map((c) => h("col", { class: `lc-${c}` })),
    ),
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { scope: "col" }, t("col.date")),
        h("th", { scope: "col" }, t("col.status")),
        h("th", { scope: "col" }, t("col.type")),
        h("th", { scope: "col" }, t("col.server")),
        h("th", { scope: "col" }, t("col.job")),
        h("th", { scope: "col", class: "num" }, t("col.duration")),
        h("th", { scope: "col" }, t("col.message")),
      ),
    ),
    tbody,
  );
  const loadingBar = h("div", { class: "loading-bar", "aria-hidden": "true" });
  const stateSlot = h("div", { class: "table-state" });
  const pageInfo = h("span", { class: "page-info muted", "aria-live": "polite", "data-testid": "logs-page-info" });
  const prevBtn = h(
    "button",
    { type: "button", class: "btn btn-sm", "data-testid": "logs-prev", "aria-label": t("logs.prev"), onClick: () => ((offset = Math.max(0, offset - PAGE)), reload()) },
    icon("chevronLeft", 14),
    t("logs.prevShort"),
  );
  const nextBtn = h(
    "button",
    { type: "button", class: "btn btn-sm", "data-testid": "logs-next", "aria-label": t("logs.next"), onClick: () => ((offset += PAGE), reload()) },
    t("logs.nextShort"),
    icon("chevronRight", 14),
  );
  const pager = h("div", { class: "pager" }, pageInfo, h("div", { class: "pager-btns" }, prevBtn, nextBtn));
  const tableCard = h("div", { class: "card table-card" }, loadingBar, h("div", { class: "table-wrap" }, table), stateSlot, pager);

  const el = h("section", { class: "view view-logs", "aria-label": t("nav.logs") }, header, filterBar, tableCard);

  function skeleton() {
    replaceChildren(
      tbody,
      Array.from({ length: 12 }, () => h("tr", { class: "skeleton-row", "aria-hidden": "true" }, COLS.map(() => h("td", null, h("span", { class: "skeleton skel-line" }))))),
    );
  }

  async function reload(resetPage = false) {
    if (resetPage) offset = 0;
    const my = ++seq;
    table.setAttribute("aria-busy", "true");
    tableCard.classList.add("is-loading");
    if (!loaded) skeleton();
    /** @type {LogsQuery} */
    const query = {
      from: dayStartSeconds(f.from),
      to: dayStartSeconds(f.to, 1), // `to` is exclusive: the end of the chosen day
      statuses: Array.from(f.statuses),
      server: f.server || null,
      job: f.job || null,
      opType: null,
      limit: PAGE,
      offset,
    };
    try {
      const res = await api.logs(query);
      if (my !== seq) return;
      loaded = true;
      const total = res?.total ?? 0;
      const rows = res?.rows ?? [];
      if (rows.length === 0 && offset > 0 && total > 0) {
        offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
        return reload();
      }
      const focusedId = /** @type {HTMLElement | null | undefined} */ (document.activeElement?.closest?.('[data-testid="logs-row"]'))?.dataset.logId;
      replaceChildren(tbody, rows.map((r) => logRow(r, COLS, "logs-row")));
      if (focusedId) /** @type {HTMLElement | null} */ (tbody.querySelector(`[data-log-id="${focusedId}"]`))?.focus({ preventScroll: true });
      renderState(rows.length, total);
    } catch (e) {
      if (my !== seq) return;
      loaded = true;
      tbody.replaceChildren();
      replaceChildren(stateSlot, h("div", { class: "table-empty" }, errorBox(e), h("button", { type: "button", class: "btn btn-sm", onClick: () => reload() }, t("common.retry"))));
      pageInfo.textContent = "";
      prevBtn.disabled = nextBtn.disabled = true;
    } finally {
      if (my === seq) {
        table.removeAttribute("aria-busy");
        tableCard.classList.remove("is-loading");
      }
    }
  }

  /**
   * @param {number} count the rows shown
   * @param {number} total the entries matching the filters
   */
  function renderState(count, total) {
    if (count === 0) {
      const noServers = servers().length === 0 && !filtersActive();
      replaceChildren(
        stateSlot,
        h(
          "div",
          { class: "table-empty", "data-testid": "logs-empty" },
          icon("inbox", 28, "muted-icon"),
          h("p", null, noServers ? t("logs.emptyNoData") : filtersActive() ? t("logs.emptyFiltered") : t("logs.empty")),
          noServers
            ? h("button", { type: "button", class: "btn btn-primary btn-sm", onClick: (e) => openCollectDialog({ returnFocus: e.currentTarget }) }, icon("download", 14), t("empty.collect"))
            : filtersActive()
              ? h("button", { type: "button", class: "btn btn-sm", onClick: resetFilters }, t("logs.reset"))
              : null,
        ),
      );
    } else stateSlot.replaceChildren();
    pageInfo.textContent =
      total > 0 ? t("logs.pageInfo", { from: formatNumber(offset + 1), to: formatNumber(offset + count), total: formatNumber(total) }) : tn("logs.totalEntries", 0);
    prevBtn.disabled = offset === 0;
    nextBtn.disabled = offset + count >= total;
    resetBtn.disabled = !filtersActive();
  }

  // ----- clear logs -----
  function openClear() {
    const idDays = uid("cd");
    const idOlder = uid("co");
    const idOrph = uid("cr");
    const older = h("input", { type: "checkbox", id: idOlder, checked: true, "data-testid": "clear-older" });
    const days = h("input", { type: "number", id: idDays, class: "input input-days", min: "1", step: "1", value: "90", "data-testid": "clear-days", "aria-label": t("clear.daysAria") });
    const orphans = h("input", { type: "checkbox", id: idOrph, "data-testid": "clear-orphans" });
    const err = h("div", { class: "form-error-slot" });
    const body = h(
      "div",
      { class: "clear-options" },
      h("label", { class: "check", for: idOlder }, older, h("span", null, t("clear.olderBefore")), days, h("span", null, t("clear.olderAfter"))),
      h("label", { class: "check", for: idOrph }, orphans, h("span", null, t("clear.orphans"))),
      h("p", { class: "muted small" }, t("clear.bothHint")),
      err,
    );
    const sync = () => {
      days.disabled = !older.checked;
    };
    older.addEventListener("change", sync);
    confirmDialog({
      title: t("clear.title"),
      message: t("clear.message"),
      body,
      okLabel: t("clear.ok"),
      okIcon: "eraser",
      danger: true,
      testid: "clear-dialog",
      returnFocus: clearBtn,
      validate: () => {
        err.replaceChildren();
        const n = Number(days.value);
        if (!older.checked && !orphans.checked) {
          err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("clear.pickOne")));
          return false;
        }
        if (older.checked && (!Number.isInteger(n) || n < 1)) {
          err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("clear.badDays")));
          days.focus();
          return false;
        }
        return true;
      },
      action: async () => {
        /** @type {ClearOptions} */
        const options = {};
        if (older.checked) options.olderThanDays = Number(days.value);
        if (orphans.checked) options.orphansOnly = true;
        const res = await api.clearLogs(options);
        toast(tn("clear.done", res?.deleted ?? 0), { kind: "success" });
        reload();
      },
    });
  }

  fillServers();
  fillJobs();
  resetBtn.disabled = !filtersActive();
  const unsub = subscribe(() => {
    fillServers();
    fillJobs();
  });
  reload(true);

  return {
    el,
    refresh: () => reload(),
    onDataChanged: () => reload(),
    setFilters({ server, job }) {
      f.server = server ?? "";
      f.job = job ?? "";
      fillServers();
      fillJobs();
      reload(true);
    },
    focusSearch() {
      serverSelect.focus();
      return true;
    },
    destroy: unsub,
  };
}
