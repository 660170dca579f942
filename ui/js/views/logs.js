// Backup Logs: the audit trail. Filters, search, counting, clearing and exporting all happen in
// the engine (`logs`, `logs_count`, `clear_logs_preview`, `clear_logs`, `export_logs`); this
// view shows 100 rows a page. A page never waits for the count: rows first, the counter after.
import { h, replaceChildren, uid } from "../dom.js";
import { icon } from "../icons.js";
import { t, tn } from "../i18n.js";
import * as api from "../api.js";
import { servers, subscribe } from "../state.js";
import { STATUSES, statusLabel, opLabel, errorBox, errorSentence } from "../components/badges.js";
import { confirmDialog, setBusy } from "../components/modal.js";
import { openMenu } from "../components/menu.js";
import { emptyCollectButton } from "../components/collect-dialog.js";
import { openLogDetails } from "../components/log-details.js";
import { toast } from "../components/toast.js";
import { formatNumber, formatDateTime, formatDateTimeLong, formatDuration } from "../format.js";
/** @import { ClearOptions, LogEntry, LogFormat, LogsQuery, Status } from "../types" */
/** @import { App, RouteParams, View } from "../app.js" */

const PAGE = 100;
const COLS = ["date", "status", "type", "server", "job", "duration", "message"];
const SEARCH_DELAY_MS = 250;
/** An answer slower than this shows the loading bar. */
const SLOW_MS = 300;
/** How long after the page is shown the rows to spare around the view come. */
const SPARE_DELAY_MS = 100;
/** Where the table's rows start below the top of the pane, as measured when the page was last shown. */
let tableTop = 0;

/**
 * The filters, kept while the app runs: leaving the page and coming back finds them as they
 * were (and the page that was shown).
 * @type {{ fromDay: string, toDay: string, statuses: Set<Status>, server: string, job: string, search: string, offset: number }}
 */
const kept = { fromDay: "", toDay: "", statuses: new Set(), server: "", job: "", search: "", offset: 0 };

/** The computer's time zone as the page shows it ("Europe/Madrid"). */
function timeZoneName() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

/**
 * @param {App} _app
 * @param {RouteParams} [initial] filters to start with (from the dashboard's "Show all")
 * @returns {View}
 */
export function createLogsView(_app, initial = {}) {
  const f = kept;
  if (initial.server !== undefined || initial.job !== undefined) {
    f.server = initial.server ?? "";
    f.job = initial.job ?? "";
    f.offset = 0;
  }
  let seq = 0;
  let countSeq = 0;
  let loaded = false;
  /** @type {number | null} entries matching the filters, once counted */
  let matching = null;
  /** @type {LogEntry[]} */
  let shown = [];
  /** @type {number | undefined} */
  let searchTimer;
  /** @type {number | undefined} */
  let slowTimer;
  // The first page is asked for before the page is built: the command runs while the page's
  // controls are made.
  /** @type {ReturnType<typeof api.logs> | null} */
  let early = api.logs(query());

  // ----- filters -----
  const ids = { search: uid("lq"), from: uid("lf"), to: uid("lt"), server: uid("ls"), job: uid("lj"), tz: uid("lz") };
  const searchInput = h("input", {
    type: "search",
    id: ids.search,
    class: "input search-input",
    "data-testid": "logs-search",
    placeholder: t("logs.searchPlaceholder"),
    value: f.search,
    onInput: (e) => {
      const value = e.currentTarget.value;
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        if (value === f.search) return;
        f.search = value;
        reload(true);
      }, SEARCH_DELAY_MS);
    },
    onKeydown: (e) => {
      if (e.key === "Enter") {
        clearTimeout(searchTimer);
        if (searchInput.value !== f.search) {
          f.search = searchInput.value;
          reload(true);
        }
      } else if (e.key === "Escape" && searchInput.value) {
        e.preventDefault();
        e.stopPropagation();
        clearTimeout(searchTimer);
        searchInput.value = f.search = "";
        reload(true);
      }
    },
  });
  // placeholder: only seen where the webview has no date picker (then the input is plain text).
  const dateInput = (/** @type {"fromDay" | "toDay"} */ key, /** @type {string} */ id, /** @type {string} */ testid) =>
    h("input", {
      type: "date",
      id,
      class: "input input-date",
      placeholder: "yyyy-mm-dd",
      "data-testid": testid,
      value: f[key],
      "aria-describedby": ids.tz,
      onChange: (e) => {
        f[key] = e.currentTarget.value;
        reload(true);
      },
    });
  const fromInput = dateInput("fromDay", ids.from, "logs-from");
  const toInput = dateInput("toDay", ids.to, "logs-to");
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
        "aria-pressed": String(f.statuses.has(st)),
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
    f.fromDay = f.toDay = f.server = f.job = f.search = "";
    f.statuses.clear();
    fromInput.value = toInput.value = searchInput.value = "";
    chips.forEach((c) => c.setAttribute("aria-pressed", "false"));
    fillServers();
    fillJobs();
    reload(true);
  }
  const filtersActive = () => !!(f.fromDay || f.toDay || f.server || f.job || f.search || f.statuses.size);

  // ----- header: counter, export, clear -----
  const counter = h("span", { class: "logs-counter muted", "data-testid": "logs-counter", "aria-live": "polite" }, "\u00a0");
  const exportBtn = h(
    "button",
    {
      type: "button",
      class: "btn",
      "data-testid": "logs-export",
      "aria-haspopup": "menu",
      onClick: (e) => openExportMenu(e.currentTarget),
      onKeydown: (e) => {
        if (e.key === "ArrowDown") {
          e.preventDefault();
          openExportMenu(e.currentTarget);
        }
      },
    },
    icon("upload"),
    t("logs.export"),
  );
  const clearBtn = h("button", { type: "button", class: "btn", "data-testid": "logs-clear", onClick: openClear }, icon("eraser"), t("logs.clear"));
  const header = h(
    "div",
    { class: "page-head" },
    h("div", { class: "page-title-block" }, h("h1", { class: "page-title" }, t("nav.logs")), counter),
    h("div", { class: "page-actions" }, exportBtn, clearBtn),
  );
  const zone = timeZoneName();
  const filterBar = h(
    "div",
    { class: "log-filters" },
    h("div", { class: "search logs-search" }, icon("search", 14, "search-icon"), h("label", { for: ids.search, class: "sr-only" }, t("logs.searchAria")), searchInput),
    h(
      "div",
      { class: "filter-row" },
      h("div", { class: "field field-inline" }, h("label", { for: ids.from, class: "field-label" }, t("logs.from")), fromInput),
      h("div", { class: "field field-inline" }, h("label", { for: ids.to, class: "field-label" }, t("logs.to")), toInput),
      h("div", { class: "field field-inline" }, h("label", { for: ids.server, class: "field-label" }, t("col.server")), serverSelect),
      h("div", { class: "field field-inline" }, h("label", { for: ids.job, class: "field-label" }, t("col.job")), jobSelect),
      resetBtn,
    ),
    h("p", { class: "muted small logs-tz", id: ids.tz, "data-testid": "logs-tz" }, zone ? t("logs.toInclusiveZone", { zone }) : t("logs.toInclusive")),
    h("div", { class: "chip-row", role: "group", "aria-label": t("logs.statusFilter") }, chips),
  );

  // ----- table (one click and key handler for all rows) -----
  const tbody = h("tbody", {
    onClick: (e) => {
      const row = rowOf(e.target);
      if (row) openLogDetails(row.entry);
    },
    onKeydown: (e) => {
      const row = rowOf(e.target);
      if (!row) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        openLogDetails(row.entry);
      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        rowAt(Number(row.tr.dataset.index) + (e.key === "ArrowDown" ? 1 : -1))?.focus();
      }
    },
    // The long date only when a row is pointed at: formatting it for every row costs time.
    onMouseover: (e) => {
      const row = rowOf(e.target);
      const cell = row?.tr.firstElementChild;
      if (row && cell && !cell.hasAttribute("title")) cell.setAttribute("title", formatDateTimeLong(row.entry.date));
    },
  });
  /** @param {EventTarget | null} target */
  function rowOf(target) {
    const tr = /** @type {HTMLElement | null} */ (target instanceof Element ? target.closest("tr[data-index]") : null);
    const entry = tr ? shown[Number(tr.dataset.index)] : undefined;
    return tr && entry ? { tr, entry } : null;
  }
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
    { type: "button", class: "btn btn-sm", "data-testid": "logs-prev", "aria-label": t("logs.prev"), onClick: () => ((f.offset = Math.max(0, f.offset - PAGE)), reload()) },
    icon("chevronLeft", 14),
    t("logs.prevShort"),
  );
  const nextBtn = h(
    "button",
    { type: "button", class: "btn btn-sm", "data-testid": "logs-next", "aria-label": t("logs.next"), onClick: () => ((f.offset += PAGE), reload()) },
    t("logs.nextShort"),
    icon("chevronRight", 14),
  );
  const pager = h("div", { class: "pager" }, pageInfo, h("div", { class: "pager-btns" }, prevBtn, nextBtn));
  const tableCard = h("div", { class: "card table-card" }, loadingBar, h("div", { class: "table-wrap" }, table), stateSlot, pager);

  const el = h("section", { class: "view view-logs", "aria-label": t("nav.logs") }, header, filterBar, tableCard);

  function skeleton() {
    skeletonShown = true;
    replaceChildren(
      tbody,
      Array.from({ length: 12 }, () => h("tr", { class: "skeleton-row", "aria-hidden": "true" }, COLS.map(() => h("td", null, h("span", { class: "skeleton skel-line" }))))),
    );
  }

  /** The filters as the engine takes them. @returns {LogsQuery} */
  function query(withPage = true) {
    return {
      fromDay: f.fromDay || null,
      toDay: f.toDay || null,
      statuses: Array.from(f.statuses),
      server: f.server || null,
      job: f.job || null,
      opType: null,
      search: f.search || null,
      limit: withPage ? PAGE : 0,
      offset: withPage ? f.offset : 0,
    };
  }

  /**
   * The rows on screen are kept and refilled from one page to the next: replacing a hundred
   * rows cost the page far more (creating, styling and exposing a thousand nodes) than
   * changing their text.
   * @typedef {{ tr: HTMLTableRowElement, cells: HTMLTableCellElement[], chip: HTMLElement, chipText: Text }} RowSlot
   */
  /** @type {RowSlot[]} */
  const slots = [];
  /** @type {HTMLTableRowElement | null} an empty row, cloned for each slot (far cheaper than building each) */
  let blankRow = null;
  /** @param {number} i */
  function slot(i) {
    let s = slots[i];
    if (!s) {
      blankRow ??= h(
        "tr",
        { class: "row-link", tabindex: "0", "data-testid": "logs-row" },
        h("td", { class: "c-date nowrap" }),
        h("td", { class: "c-status" }, h("span", { class: "chip" }, h("span", { class: "dot", "aria-hidden": "true" }), document.createTextNode(""))),
        h("td", { class: "c-type nowrap" }),
        h("td", { class: "c-server ellipsis" }),
        h("td", { class: "c-job ellipsis" }),
        h("td", { class: "c-dur num nowrap" }),
        h("td", { class: "c-msg ellipsis" }),
      );
      const tr = /** @type {HTMLTableRowElement} */ (blankRow.cloneNode(true));
      const cells = [...tr.cells];
      const chip = /** @type {HTMLElement} */ (cells[1].firstElementChild);
      s = { tr, cells, chip, chipText: /** @type {Text} */ (chip.lastChild) };
      slots[i] = s;
    }
    return s;
  }
  /**
   * @param {Element} el
   * @param {string} text
   */
  const setText = (el, text) => {
    if (el.textContent !== text) el.textContent = text;
  };
  /**
   * @param {Element} el
   * @param {string} name
   * @param {string} value
   */
  const setAttr = (el, name, value) => {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  };
  /**
   * Fills slot `k` with the page's row `i`.
   * @param {number} k
   * @param {number} i
   */
  function fillRow(k, i) {
    const r = shown[i];
    const s = slot(k);
    const [date, , type, server, job, dur, msg] = s.cells;
    const when = formatDateTime(r.date);
    setAttr(s.tr, "data-index", String(i));
    setAttr(s.tr, "aria-rowindex", String(i + 2));
    setAttr(s.tr, "data-log-id", String(r.id));
    setAttr(s.tr, "aria-label", t("details.rowAria", { status: statusLabel(r.status), date: when, job: r.job || r.server || "" }));
    setText(date, when);
    date.removeAttribute("title");
    setAttr(s.chip, "class", `chip st-${r.status}`);
    setAttr(s.chip, "data-status", r.status);
    if (s.chipText.data !== statusLabel(r.status)) s.chipText.data = statusLabel(r.status);
    setText(type, opLabel(r.type));
    setText(server, r.server || "—");
    setAttr(server, "title", r.server);
    setText(job, r.job || "—");
    setAttr(job, "title", r.job ?? "");
    setText(dur, formatDuration(r.durationS));
    setText(msg, r.message || "");
    setAttr(msg, "title", r.message);
    return s.tr;
  }

  // Only the rows in (or near) the view are in the table; two spacer rows stand for the rest
  // of the page. Laying out a hundred rows was most of the time a page took to show; a screen
  // holds about twenty.
  const OVERSCAN = 12;
  /** The height of a row, measured once rows are shown. */
  let rowPx = 36;
  let rowMeasured = false;
  /** @param {string} testid */
  const spacer = (testid) => {
    const cell = h("td", { colspan: String(COLS.length) });
    return { tr: h("tr", { class: "spacer", "aria-hidden": "true", "data-testid": testid }, cell), cell };
  };
  const above = spacer("logs-above");
  const below = spacer("logs-below");
  /** The rows of `shown` in the table: [first, last). */
  let first = 0;
  let last = 0;
  let skeletonShown = false;

  /** The pane that scrolls the page (the app's main element). */
  const pane = () => /** @type {HTMLElement | null} */ (el.closest(".content"));

  /**
   * The rows to have in the table for the view as it is now, with some to spare on each side.
   * @returns {[number, number]}
   */
  function wanted() {
    const n = shown.length;
    const p = pane();
    // Not in the page yet: the rows a window can show below where the table was last time.
    if (!p) return [0, Math.min(n, Math.ceil((window.innerHeight - tableTop) / rowPx))];
    const top = tbody.getBoundingClientRect().top - p.getBoundingClientRect().top;
    if (p.scrollTop === 0) tableTop = top;
    const from = Math.max(0, Math.floor(-top / rowPx) - OVERSCAN);
    const to = Math.min(n, Math.max(from, Math.ceil((p.clientHeight - top) / rowPx) + OVERSCAN));
    return [Math.min(from, to), to];
  }

  /**
   * Puts rows [from, to) of the page in the table, reusing the row elements already there. The
   * focused row stays in, and focused: an element shows another row once the rows move.
   */
  function place(/** @type {number} */ from, /** @type {number} */ to) {
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && tbody.contains(active) ? Number(active.closest("tr")?.dataset.index) : NaN;
    if (focused >= 0 && focused < shown.length) {
      from = Math.min(from, focused);
      to = Math.max(to, focused + 1);
    }
    first = from;
    last = to;
    if (skeletonShown) {
      tbody.replaceChildren();
      skeletonShown = false;
    }
    const count = to - from;
    for (let k = 0; k < count; k++) fillRow(k, from + k);
    below.tr.remove();
    let placed = tbody.children.length - (above.tr.parentNode ? 1 : 0);
    while (placed > count) {
      tbody.lastElementChild?.remove();
      placed--;
    }
    for (let k = placed; k < count; k++) tbody.append(slots[k].tr);
    if (from > 0) {
      if (tbody.firstElementChild !== above.tr) tbody.prepend(above.tr);
    } else above.tr.remove();
    if (to < shown.length) tbody.append(below.tr);
    sizeSpacers();
    table.setAttribute("aria-rowcount", String(shown.length + 1));
    const keep = slots[focused - from]?.tr;
    if (keep && keep !== active) keep.focus({ preventScroll: true });
  }

  /** Shows `rows` in the table. @param {LogEntry[]} rows */
  function showRows(rows) {
    shown = rows;
    follow(true);
  }

  /** After a scroll or a resize: brings in the rows that came near the view. */
  function follow(always = false) {
    const [from, to] = wanted();
    const visibleFrom = Math.min(from + OVERSCAN, to);
    const visibleTo = Math.max(to - OVERSCAN, from);
    const missing = visibleFrom < first || visibleTo > last || (first > 0 && visibleFrom - first < OVERSCAN / 2) || (last < shown.length && last - visibleTo < OVERSCAN / 2);
    if (always || missing) place(from, to);
    if (!rowMeasured && last > first && el.isConnected) {
      rowMeasured = true;
      rowPx = slots[0].tr.getBoundingClientRect().height || rowPx;
      sizeSpacers();
    }
  }

  /** The spacer rows at the height of the rows they stand for. */
  function sizeSpacers() {
    above.cell.style.height = `${first * rowPx}px`;
    below.cell.style.height = `${(shown.length - last) * rowPx}px`;
  }

  let followQueued = false;
  /** @type {number | undefined} */
  let spareLater;
  const onPaneScroll = () => {
    if (followQueued || !el.isConnected) return; // kept out of the page
    followQueued = true;
    requestAnimationFrame(() => {
      followQueued = false;
      if (el.isConnected) follow();
    });
  };
  /** @type {HTMLElement | null} */
  let watchedPane = null;
  function watchPane() {
    if (watchedPane) return;
    watchedPane = pane();
    watchedPane?.addEventListener("scroll", onPaneScroll, { passive: true });
    window.addEventListener("resize", onPaneScroll);
  }

  /**
   * The row element of the page's row `i`, brought into the table if it was not.
   * @param {number} i
   */
  function rowAt(i) {
    if (i < 0 || i >= shown.length) return null;
    if (i < first || i >= last) place(Math.max(0, i - OVERSCAN), Math.min(shown.length, i + OVERSCAN + 1));
    return slots[i - first]?.tr ?? null;
  }

  /** @param {boolean} [resetPage] back to the first page (the filters changed) */
  async function reload(resetPage = false) {
    if (resetPage) f.offset = 0;
    const my = ++seq;
    table.setAttribute("aria-busy", "true");
    // The loading bar only for a slow answer: most pages come within a frame or two, and
    // restyling the table for a bar nobody sees delayed them.
    clearTimeout(slowTimer);
    slowTimer = setTimeout(() => tableCard.classList.add("is-loading"), SLOW_MS);
    if (!loaded) skeleton();
    // The rows first; the counter is asked for once they are shown.
    const needCount = resetPage || matching === null;
    if (needCount) counter.classList.add("is-counting");
    try {
      const asked = early ?? api.logs(query());
      early = null;
      const res = await asked;
      if (my !== seq) return;
      loaded = true;
      const rows = res.rows;
      if (rows.length === 0 && f.offset > 0) {
        // The page emptied (entries were cleared meanwhile): show the first one.
        f.offset = 0;
        return reload();
      }
      const focusedId = /** @type {HTMLElement | null | undefined} */ (document.activeElement?.closest?.('[data-testid="logs-row"]'))?.dataset.logId;
      watchPane();
      showRows(rows);
      if (focusedId) /** @type {HTMLElement | null} */ (tbody.querySelector(`[data-log-id="${focusedId}"]`))?.focus({ preventScroll: true });
      renderState(rows.length, res.more);
      if (needCount) recount();
    } catch (e) {
      if (my !== seq) return;
      loaded = true;
      shown = [];
      first = last = 0;
      tbody.replaceChildren();
      replaceChildren(stateSlot, h("div", { class: "table-empty" }, errorBox(e), h("button", { type: "button", class: "btn btn-sm", onClick: () => reload() }, t("common.retry"))));
      pageInfo.textContent = "";
      prevBtn.disabled = nextBtn.disabled = true;
    } finally {
      if (my === seq) {
        table.removeAttribute("aria-busy");
        clearTimeout(slowTimer);
        tableCard.classList.remove("is-loading");
      }
    }
  }

  /** Asks for the counter (matching, total) after the rows; the latest answer wins. */
  async function recount() {
    const my = ++countSeq;
    counter.classList.add("is-counting");
    try {
      const c = await api.logsCount(query(false));
      if (my !== countSeq) return;
      matching = c.matching;
      counter.textContent = filtersActive()
        ? t("logs.counterFiltered", { matching: formatNumber(c.matching), total: formatNumber(c.total) })
        : tn("logs.counter", c.total, { n: formatNumber(c.total) });
      counter.dataset.matching = String(c.matching);
      counter.dataset.total = String(c.total);
      updatePageInfo();
    } catch (e) {
      if (my === countSeq) counter.textContent = errorSentence(e);
    } finally {
      if (my === countSeq) counter.classList.remove("is-counting");
    }
  }

  let lastCount = 0;
  let lastMore = false;
  function updatePageInfo() {
    if (lastCount === 0) pageInfo.textContent = "";
    else {
      const from = formatNumber(f.offset + 1);
      const to = formatNumber(f.offset + lastCount);
      pageInfo.textContent = matching !== null ? t("logs.pageInfo", { from, to, total: formatNumber(matching) }) : t("logs.pageRange", { from, to });
    }
  }

  /**
   * @param {number} count the rows shown
   * @param {boolean} more whether entries follow this page
   */
  function renderState(count, more) {
    lastCount = count;
    lastMore = more;
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
            ? emptyCollectButton()
            : filtersActive()
              ? h("button", { type: "button", class: "btn btn-sm", onClick: resetFilters }, t("logs.reset"))
              : null,
        ),
      );
    } else stateSlot.replaceChildren();
    updatePageInfo();
    prevBtn.disabled = f.offset === 0;
    nextBtn.disabled = !lastMore;
    resetBtn.disabled = !filtersActive();
    exportBtn.disabled = count === 0;
  }

  // ----- export -----
  /** @param {HTMLElement} opener */
  function openExportMenu(opener) {
    openMenu(
      [
        { label: t("logs.exportCsv"), icon: "upload", testid: "logs-export-csv", onSelect: () => exportAs("csv") },
        { label: t("logs.exportJson"), icon: "upload", testid: "logs-export-json", onSelect: () => exportAs("json") },
      ],
      opener,
      opener,
      { testid: "logs-export-menu", label: t("logs.export") },
    );
  }

  /** @param {LogFormat} format */
  async function exportAs(format) {
    setBusy(exportBtn, true);
    try {
      const done = await api.exportLogs(query(false), format);
      if (done) toast(tn("logs.exported", done.entries, { n: formatNumber(done.entries), path: done.path }), { kind: "success" });
    } catch (e) {
      toast(errorSentence(e), { kind: "error" });
    } finally {
      setBusy(exportBtn, false);
      exportBtn.focus();
    }
  }

  // ----- clear backup logs -----
  function openClear() {
    const idOlder = uid("co");
    const idDays = uid("cd");
    const older = h("input", { type: "checkbox", id: idOlder, "data-testid": "clear-older" });
    const days = h("input", { type: "number", id: idDays, class: "input input-days", min: "1", step: "1", value: "90", disabled: true, "data-testid": "clear-days", "aria-label": t("clear.daysAria") });
    const count = h("p", { class: "clear-count", "data-testid": "clear-count", "aria-live": "polite" }, h("span", { class: "skeleton skel-line" }));
    const kept = h("p", { class: "muted small", "data-testid": "clear-kept" });
    const err = h("div", { class: "form-error-slot" });
    let previewSeq = 0;
    /** @type {number | null} */
    let toDelete = null;
    /** @returns {ClearOptions | null} null while the number of days is not valid */
    const options = () => {
      if (!older.checked) return {};
      const n = Number(days.value);
      return Number.isInteger(n) && n >= 1 ? { olderThanDays: n } : null;
    };
    async function preview() {
      const my = ++previewSeq;
      const opts = options();
      toDelete = null;
      err.replaceChildren();
      if (!opts) {
        count.textContent = "";
        err.replaceChildren(h("div", { class: "inline-error" }, icon("alert", 14), t("clear.badDays")));
        return;
      }
      count.classList.add("is-counting");
      try {
        const p = await api.clearLogsPreview(opts);
        if (my !== previewSeq) return;
        toDelete = p.entries;
        count.dataset.entries = String(p.entries);
        count.textContent = p.entries > 0 ? tn("clear.willDelete", p.entries, { n: formatNumber(p.entries) }) : t("clear.nothing");
        kept.textContent = p.keptRunning > 0 || p.runningJobs.length > 0 ? tn("clear.keptRunning", p.keptRunning, { n: formatNumber(p.keptRunning), jobs: p.runningJobs.join(", ") }) : "";
      } catch (e) {
        if (my === previewSeq) err.replaceChildren(errorBox(e));
      } finally {
        if (my === previewSeq) count.classList.remove("is-counting");
      }
    }
    older.addEventListener("change", () => {
      days.disabled = !older.checked;
      preview();
    });
    days.addEventListener("input", () => preview());
    const body = h(
      "div",
      { class: "clear-options" },
      count,
      kept,
      h("p", { class: "muted small" }, t("clear.serversUntouched")),
      h("label", { class: "check", for: idOlder }, older, h("span", null, t("clear.olderBefore")), days, h("span", null, t("clear.olderAfter"))),
      err,
    );
    preview();
    confirmDialog({
      title: t("clear.title"),
      message: t("clear.message"),
      body,
      okLabel: t("clear.ok"),
      okIcon: "eraser",
      danger: true,
      testid: "clear-dialog",
      returnFocus: clearBtn,
      validate: () => options() !== null && toDelete !== null && toDelete > 0,
      action: async () => {
        const opts = options();
        if (!opts) return;
        const res = await api.clearLogs(opts);
        toast(tn("clear.done", res.deleted, { n: formatNumber(res.deleted) }), { kind: "success" });
        matching = null;
        reload(true);
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
  /**
   * Shows the entries of a server or job (the dashboard's "Show all"), from the first page.
   * @param {RouteParams} params
   */
  function showFilters({ server, job }) {
    f.server = server ?? "";
    f.job = job ?? "";
    fillServers();
    fillJobs();
    matching = null; // counted again for these filters
    return reload(true);
  }

  /** The page and its counter asked for again (the store may have changed). */
  const reloadCounted = () => ((matching = null), reload());

  const ready = reload();
  /** Shown again with the rows it had: ask for them again once they are painted. */
  let recheck = false;

  return {
    el,
    ready,
    attached() {
      watchPane();
      // The page's first frame lays out and paints only the rows in view: those to spare
      // around them come a moment later (or with the first scroll), unless the view needs more
      // rows than it holds (a remembered scroll position).
      const [from, to] = wanted();
      if (from + OVERSCAN < first || to - OVERSCAN > last) follow();
      else spareLater = setTimeout(() => el.isConnected && follow(), SPARE_DELAY_MS);
      if (recheck) {
        recheck = false;
        requestAnimationFrame(() => setTimeout(() => el.isConnected && reloadCounted()));
      }
    },
    revisit(params, changed) {
      if (params.server !== undefined || params.job !== undefined) return showFilters(params);
      if (changed) return reloadCounted();
      if (!loaded) return ready; // left before its first rows came
      // No change the app was told of: the rows it had come back at once (the first frame only
      // those in view), and are asked for again behind them, since another program (the
      // command line) may have written to the store.
      place(...wanted());
      recheck = true;
      return null;
    },
    refresh: reloadCounted,
    onDataChanged: reloadCounted,
    setFilters: showFilters,
    focusSearch() {
      searchInput.focus();
      searchInput.select();
      return true;
    },
    destroy: () => {
      clearTimeout(searchTimer);
      clearTimeout(slowTimer);
      clearTimeout(spareLater);
      watchedPane?.removeEventListener("scroll", onPaneScroll);
      window.removeEventListener("resize", onPaneScroll);
      unsub();
    },
  };
}
