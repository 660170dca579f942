// Dashboard: summary tiles, then every server with its jobs (status of the last run, when, how
// long, how big, next run, the last runs as squares). Search and status filter only choose what
// is shown; every figure comes from dashboard().
import { h, replaceChildren } from "../dom.js";
import { icon, spinner } from "../icons.js";
import { t, tn } from "../i18n.js";
import * as api from "../api.js";
import { state, refreshDashboard, refreshInfo, subscribe } from "../state.js";
import { openCollectDialog, collectServer } from "../components/collect-dialog.js";
import { openJobHistory } from "../components/log-details.js";
import { renderAutostartOffer } from "../components/autostart-offer.js";
import { statusChip, statusLabel, protocolBadge, demoBadge, recentStrip, errorBox, errorSentence, relTime } from "../components/badges.js";
import { setBusy } from "../components/modal.js";
import { toast } from "../components/toast.js";
import { formatDuration, formatBytes, formatNumber, formatRelative } from "../format.js";
import { createTimeline } from "./timeline.js";
/** @import { DashboardSummary, Job, Server, Status } from "../types" */
/** @import { CommandError } from "../api.js" */
/** @import { App, View } from "../app.js" */

/** @type {{ id: string, statuses: Status[] | null }[]} */
const FILTERS = [
  { id: "all", statuses: null },
  { id: "errors", statuses: ["error"] },
  { id: "warnings", statuses: ["warning"] },
  { id: "ok", statuses: ["completed"] },
];

/** The gap below a server card (`.server-card`'s margin). */
const CARD_GAP_PX = 14;

/**
 * @param {App} app
 * @returns {View}
 */
export function createDashboardView(app) {
  let search = "";
  let filter = "all";
  let demoStarting = false;
  /** @type {string | null} */
  let demoProgress = null;
  /** @type {CommandError | null} */
  let demoError = null;

  // ----- static parts (kept across refreshes so focus and typed text survive) -----
  /** @param {string} key */
  const tileValue = (key) => h("div", { class: "tile-value", "data-testid": `summary-${key}` }, "—");
  const tiles = {
    servers: tileValue("servers"),
    jobs: tileValue("jobs"),
    failed: tileValue("failed"),
    overdue: tileValue("overdue"),
    stale: tileValue("stale"),
  };
  /**
   * @param {keyof typeof tiles} key
   * @param {string} label
   * @param {string} [hint]
   */
  const tile = (key, label, hint) =>
    h("div", { class: "tile", "data-tile": key }, tiles[key], h("div", { class: "tile-label" }, label), hint ? h("div", { class: "tile-hint" }, hint) : null);
  const tilesEl = h("div", { class: "tiles" });

  const searchInput = h("input", {
    type: "search",
    class: "input search-input",
    "data-testid": "dashboard-search",
    "aria-label": t("dash.searchAria"),
    placeholder: t("dash.searchPlaceholder"),
    value: search,
    onInput: (e) => {
      search = e.currentTarget.value;
      renderList();
    },
    onKeydown: (e) => {
      if (e.key === "Escape" && search) {
        e.preventDefault();
        e.stopPropagation();
        searchInput.value = search = "";
        renderList();
      }
    },
  });
  const filterButtons = FILTERS.map((f) =>
    h(
      "button",
      {
        type: "button",
        class: "seg-btn",
        "data-filter": f.id,
        "aria-pressed": String(f.id === filter),
        onClick: () => {
          filter = f.id;
          filterButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filter === filter)));
          renderList();
        },
      },
      t(`dash.filter.${f.id}`),
    ),
  );
  const filterBar = h(
    "div",
    { class: "filterbar" },
    h("div", { class: "search" }, icon("search", 14, "search-icon"), searchInput, h("kbd", { class: "kbd-hint", "aria-hidden": "true" }, "Ctrl K")),
    h("div", { class: "seg", role: "group", "aria-label": t("dash.filterAria"), "data-testid": "dashboard-filter" }, filterButtons),
  );
  const listEl = h("div", { class: "server-list", "data-testid": "server-list" });
  // A failed reload keeps showing the last data, with the error above it.
  const refreshErrorEl = h("div", { class: "refresh-error" });
  const offerSlot = h("div", { class: "offer-slot" });
  // The status timeline is a section of its own (views/timeline.js), reloaded with the data.
  const timeline = createTimeline();
  /** @type {object | null} the dashboard() result the timeline was loaded for */
  let timelineFor = null;
  const mainEl = h("div", { class: "dash-main" }, refreshErrorEl, offerSlot, tilesEl, filterBar, listEl, timeline.el);
  const emptyEl = h("div", { class: "empty-wrap" });
  const el = h("section", { class: "view view-dashboard", "aria-label": t("nav.dashboard") }, mainEl, emptyEl);

  /** @param {DashboardSummary} sum */
  function renderTiles(sum) {
    tiles.servers.textContent = formatNumber(sum.servers);
    tiles.jobs.textContent = formatNumber(sum.jobs);
    tiles.failed.textContent = formatNumber(sum.failedLastRuns);
    tiles.overdue.textContent = formatNumber(sum.overdue);
    tiles.stale.textContent = formatNumber(sum.notCollectedLately);
    replaceChildren(
      tilesEl,
      tile("servers", t("dash.tile.servers")),
      tile("jobs", t("dash.tile.jobs")),
      tile("failed", t("dash.tile.failed"), t("dash.tile.failedHint")),
      tile("overdue", t("dash.tile.overdue"), t("dash.tile.overdueHint")),
      tile("stale", t("dash.tile.stale"), t("dash.tile.staleHint")),
    );
    tilesEl.children[2].classList.toggle("tile-bad", sum.failedLastRuns > 0);
    tilesEl.children[3].classList.toggle("tile-warn", sum.overdue > 0);
    tilesEl.children[4].classList.toggle("tile-warn", sum.notCollectedLately > 0);
  }

  // ----- empty state (first run) -----
  function renderEmpty() {
    const collectBtn = h(
      "button",
      { type: "button", class: "btn btn-primary btn-lg", "data-testid": "empty-collect", onClick: (e) => openCollectDialog({ returnFocus: e.currentTarget }) },
      icon("download"),
      t("empty.collect"),
    );
    // While the demo starts the button stays focusable (aria-disabled, not disabled) so keyboard
    // focus is not lost; its icon becomes a spinner.
    const demoBtn = h(
      "button",
      { type: "button", class: "btn btn-lg", "data-testid": "demo-start", "aria-disabled": demoStarting ? "true" : null, "aria-busy": demoStarting ? "true" : null, onClick: startDemo },
      demoStarting ? spinner() : icon("play"),
      t("empty.demo"),
    );
    if (demoStarting) collectBtn.disabled = true;
    const focused = /** @type {HTMLElement | null} */ (document.activeElement);
    const hadFocus = focused && emptyEl.contains(focused) ? focused.dataset.testid : null;
    const progress = h(
      "div",
      { class: "empty-progress", "aria-live": "polite", "data-testid": "demo-progress" },
      demoStarting ? [h("span", { class: "progress-indeterminate", "aria-hidden": "true" }), h("span", null, demoProgress ?? t("demo.starting"))] : null,
    );
    replaceChildren(
      emptyEl,
      h(
        "div",
        { class: "empty-state", "data-testid": "empty-state" },
        h("div", { class: "empty-icon" }, icon("inbox", 40)),
        h("h1", { class: "empty-title" }, t("empty.title")),
        h("p", { class: "empty-text" }, t("empty.text")),
        h("div", { class: "empty-actions" }, collectBtn, demoBtn),
        progress,
        demoError ? errorBox(demoError, "127.0.0.1") : null,
        h("p", { class: "empty-foot muted small" }, t("empty.demoHint")),
      ),
    );
    if (hadFocus) /** @type {HTMLElement | null} */ (emptyEl.querySelector(`[data-testid="${hadFocus}"]`))?.focus();
  }

  async function startDemo() {
    if (demoStarting) return;
    demoStarting = true;
    demoError = null;
    demoProgress = null;
    renderEmpty();
    /** @type {HTMLElement | null} */ (emptyEl.querySelector('[data-testid="demo-start"]'))?.focus();
    const unsub = api.on(api.EVENT_PROGRESS, (p) => {
      if (!p) return;
      if (p.kind === "job") demoProgress = t("collect.jobProgress", { job: p.job ?? "", rows: formatNumber(p.rows ?? 0) });
      else if (p.kind === "connected") demoProgress = t("collect.connected");
      else return;
      const line = emptyEl.querySelector(".empty-progress span:last-child");
      if (line) line.textContent = demoProgress;
    });
    try {
      const summary = await api.startDemo();
      demoStarting = false;
      await Promise.all([refreshDashboard(), refreshInfo().catch(() => {})]);
      toast(summary?.ok === false ? t("demo.startedWithErrors") : tn("demo.started", summary?.new ?? 0), { kind: summary?.ok === false ? "error" : "success" });
      /** @type {HTMLElement | null} */ (document.querySelector('[data-testid="server-card"] [data-testid="job-row"]'))?.focus();
    } catch (e) {
      demoStarting = false;
      demoError = e;
      render();
    } finally {
      unsub();
    }
  }

  /** @param {HTMLButtonElement} btn */
  async function removeDemo(btn) {
    setBusy(btn, true);
    try {
      await api.removeDemo();
      toast(t("demo.removed"), { kind: "success" });
      await Promise.all([refreshDashboard(), refreshInfo().catch(() => {})]);
      /** @type {HTMLElement | null} */ (document.querySelector('[data-testid="demo-start"]'))?.focus();
    } catch (e) {
      setBusy(btn, false);
      toast(errorSentence(e), { kind: "error" });
    }
  }

  // ----- server cards -----
  /**
   * @param {Server} server
   * @param {Job | null} job
   * @param {string} q
   */
  function matches(server, job, q) {
    if (!q) return true;
    const hay = [server.displayName, server.name, server.alias, server.host, job?.name].filter(Boolean).join("\n").toLowerCase();
    return hay.includes(q);
  }

  /** @param {Server} server */
  function visibleJobs(server) {
    const q = search.trim().toLowerCase();
    const f = FILTERS.find((x) => x.id === filter) ?? FILTERS[0];
    const serverMatches = q && matches(server, null, q);
    return server.jobs.filter((j) => {
      if (f.statuses && !(j.last && f.statuses.includes(j.last.status))) return false;
      return !q || serverMatches || (j.name ?? "").toLowerCase().includes(q);
    });
  }

  /** @param {Server} s */
  function lastCollectLine(s) {
    if (s.lastCollectAt == null) return h("span", { class: "muted" }, t("server.neverCollected"));
    return h(
      "span",
      { class: "last-collect" },
      s.lastOk === false ? icon("xCircle", 14, "bad-icon") : icon("checkCircle", 14, "ok-icon"),
      h("span", null, s.lastOk === false ? t("server.lastCollectFailed") : t("server.lastCollectOk"), " "),
      relTime(s.lastCollectAt),
    );
  }

  /**
   * The server cards shown, by server id, with what each was built from: a card is rebuilt
   * only when that changed. A background pass usually changes nothing but the time of the
   * last collection, which is patched in place.
   * @typedef {{ key: string, el: HTMLElement, lastEl: HTMLElement, lastCollectAt: number | null }} Card
   * @type {Map<number, Card>}
   */
  let cards = new Map();

  // A card far from the view waits as a box as tall as it will be, holding only its title,
  // until it comes near the view (a screen away) or gets the focus. Each card built is some
  // 30 elements for its head and a dozen per job; a dashboard of a hundred servers built
  // whole took 11 MB in the web view and most of the time the page took to show.
  /** @type {WeakMap<Element, () => void>} the cards waiting, with what builds them */
  const unbuilt = new WeakMap();
  /** @type {IntersectionObserver | null} */
  let sight = null;
  /** The height of a job row and of a card around its rows, measured once a card is built. */
  let rowPx = 36;
  let chromePx = 106;
  let measured = false;

  /** @param {number} rows */
  const cardPx = (rows) => chromePx + rows * rowPx;

  /** Builds a waiting card. @param {Element} card */
  function build(card) {
    const fill = unbuilt.get(card);
    if (!fill) return;
    unbuilt.delete(card);
    sight?.unobserve(card);
    fill();
  }

  /** The heights a waiting card takes, from the first card built whole. */
  function measure() {
    for (const card of listEl.children) {
      if (unbuilt.has(card) || card.querySelector(".card-error")) continue;
      const rows = card.querySelectorAll('[data-testid="job-row"]');
      const px = rows[0]?.getBoundingClientRect().height;
      if (!px) continue;
      measured = true;
      rowPx = px;
      chromePx = card.getBoundingClientRect().height - rows.length * px;
      for (const c of listEl.children) {
        const box = /** @type {HTMLElement} */ (c);
        if (unbuilt.has(box)) box.style.height = `${cardPx(Number(box.dataset.rows))}px`;
      }
      return;
    }
  }

  /** @param {IntersectionObserverEntry[]} entries */
  function onSight(entries) {
    if (!measured) measure();
    const root = /** @type {HTMLElement | null} */ (el.closest(".content"));
    for (const e of entries) {
      if (!e.isIntersecting || !unbuilt.has(e.target)) continue;
      // A card built above the view keeps the view where it is, whatever its height turns out.
      const above = root && e.rootBounds && e.boundingClientRect.bottom <= e.rootBounds.top;
      const before = e.target.getBoundingClientRect().height;
      build(e.target);
      if (above) root.scrollTop += e.target.getBoundingClientRect().height - before;
    }
  }

  /** Watches the waiting cards once the view is in the page (the margin is the pane's). */
  function watchUnbuilt() {
    if (!el.isConnected) {
      requestAnimationFrame(() => el.isConnected && watchUnbuilt());
      return;
    }
    sight ??= new IntersectionObserver(onSight, { root: el.closest(".content"), rootMargin: "100% 0px" });
    for (const card of listEl.children) if (unbuilt.has(card)) sight.observe(card);
  }

  /**
   * Tab reaching a waiting card builds it and goes on to its first control, or to its last one
   * when Shift+Tab came from below.
   * @param {FocusEvent} e
   */
  function onWaitingFocus(e) {
    const card = /** @type {HTMLElement} */ (e.currentTarget);
    if (!unbuilt.has(card)) return;
    build(card);
    if (e.target !== card) return;
    const from = /** @type {Node | null} */ (e.relatedTarget);
    const fromBelow = from !== null && (card.compareDocumentPosition(from) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    const controls = card.querySelectorAll('button:not([disabled]), [tabindex="0"]');
    /** @type {HTMLElement | undefined} */ (fromBelow ? controls[controls.length - 1] : controls[0])?.focus();
  }

  /**
   * @param {Server} s
   * @param {Job[]} jobs the jobs to show
   * @param {Map<number, Card>} next the cards of this render
   * @param {boolean} now build it now (it starts near the top of the list)
   */
  function cardFor(s, jobs, next, now) {
    const key = JSON.stringify([{ ...s, lastCollectAt: null }, jobs.map((j) => j.id)]);
    let card = cards.get(s.id);
    if (card?.key !== key) {
      const lastEl = h("div", { class: "card-last small" }, lastCollectLine(s));
      const built = now || (card !== undefined && !unbuilt.has(card.el));
      card = { key, el: serverCard(s, jobs, lastEl, built), lastEl, lastCollectAt: s.lastCollectAt ?? null };
    } else if (card.lastCollectAt !== (s.lastCollectAt ?? null)) {
      replaceChildren(card.lastEl, lastCollectLine(s));
      card.lastCollectAt = s.lastCollectAt ?? null;
    }
    next.set(s.id, card);
    return card.el;
  }

  /**
   * @param {Server} s
   * @param {Job[]} jobs the jobs to show
   * @param {HTMLElement} lastEl when it was last collected
   * @param {boolean} now build it now, or once it comes near the view
   */
  function serverCard(s, jobs, lastEl, now) {
    const headId = `srv-${s.id}-title`;
    const failedCode = s.lastOk === false ? s.lastErrorCode : null;
    const title = h("h2", { class: "card-title", id: headId }, s.displayName);
    const card = h("section", {
      class: `card server-card ${s.isDemo ? "is-demo" : ""}`,
      "data-testid": "server-card",
      "data-server-id": String(s.id),
      "aria-labelledby": headId,
    });
    const fill = () => {
      const collectBtn = h(
        "button",
        {
          type: "button",
          class: "btn btn-sm",
          "data-testid": "server-collect",
          title: t("server.collectTip", { name: s.displayName }),
          onClick: (e) => collectServer(s, e.currentTarget),
        },
        icon("download", 14),
        t("server.collect"),
      );
      const removeBtn = s.isDemo
        ? h("button", { type: "button", class: "btn btn-sm", "data-testid": "demo-remove", onClick: (e) => removeDemo(e.currentTarget) }, icon("trash", 14), t("demo.remove"))
        : null;
      card.removeAttribute("tabindex");
      card.removeAttribute("data-rows");
      card.style.height = "";
      card.classList.remove("is-waiting");
      replaceChildren(
        card,
        h(
          "header",
          { class: "card-head" },
          h(
            "div",
            { class: "card-title-block" },
            h("div", { class: "card-title-line" }, icon("server", 16, "muted-icon"), title, s.isDemo ? demoBadge() : null),
            h(
              "div",
              { class: "card-sub" },
              s.url ? h("span", { class: "url" }, s.url) : h("span", { class: "url" }, `${s.host}:${s.port}`),
              protocolBadge(s.protocol),
              s.version ? h("span", { class: "muted" }, t("server.version", { version: s.version })) : null,
              s.note ? h("span", { class: "note", title: s.note }, s.note) : null,
            ),
          ),
          h("div", { class: "card-actions" }, lastEl, removeBtn, collectBtn),
        ),
        failedCode
          ? h(
              "div",
              { class: "card-error" },
              errorBox({ code: failedCode, message: s.lastErrorMessage ?? "", hint: "" }, s.host, { compact: true }),
            )
          : null,
        jobsTable(s, jobs),
      );
    };
    // Only a card with a job table and no error waits: the height of the others is not known.
    if (now || jobs.length === 0 || failedCode) {
      fill();
      return card;
    }
    card.classList.add("is-waiting");
    card.tabIndex = 0;
    card.dataset.rows = String(jobs.length);
    card.style.height = `${cardPx(jobs.length)}px`;
    card.addEventListener("focusin", onWaitingFocus);
    card.append(h("header", { class: "card-head" }, h("div", { class: "card-title-line" }, title)));
    unbuilt.set(card, fill);
    return card;
  }

  /**
   * @param {Server} s
   * @param {Job[]} jobs the jobs to show
   */
  function jobsTable(s, jobs) {
    if (s.jobs.length === 0) return h("p", { class: "card-empty muted" }, s.lastCollectAt == null ? t("server.noJobsYet") : t("server.noJobs"));
    if (jobs.length === 0) return h("p", { class: "card-empty muted" }, t("dash.noMatchInServer"));
    return h(
      "table",
      { class: "table jobs-table" },
      h(
        "colgroup",
        null,
        ["c-name", "c-status", "c-when", "c-dur", "c-size", "c-up", "c-next", "c-recent"].map((c) => h("col", { class: c })),
      ),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          h("th", { scope: "col" }, t("col.job")),
          h("th", { scope: "col" }, t("col.lastRun")),
          h("th", { scope: "col" }, t("col.when")),
          h("th", { scope: "col", class: "num" }, t("col.duration")),
          h("th", { scope: "col", class: "num" }, t("col.size")),
          h("th", { scope: "col", class: "num" }, t("col.uploaded")),
          h("th", { scope: "col" }, t("col.nextRun")),
          h("th", { scope: "col" }, t("col.recent")),
        ),
      ),
      h("tbody", null, jobs.map((j) => jobRow(s, j))),
    );
  }

  /**
   * @param {Server} s
   * @param {Job} j
   */
  function jobRow(s, j) {
    const last = j.last;
    const open = () =>
      openJobHistory(j, s, {
        onShowAll: () => app.navigate("logs", { server: s.name, job: j.name }),
      });
    const tr = h(
      "tr",
      {
        class: `row-link job-row ${j.present === false ? "is-gone" : ""}`,
        tabindex: "0",
        "data-testid": "job-row",
        "data-job-id": String(j.id),
        "aria-label": t("dash.jobAria", { job: j.name, status: last ? statusLabel(last.status) : t("status.none") }),
        onClick: open,
        onKeydown: (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            open();
          } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            const down = e.key === "ArrowDown";
            /** @param {Element | null | undefined} c */
            const beside = (c) => (down ? c?.nextElementSibling : c?.previousElementSibling);
            // Leaving the card: the next one with rows may still be waiting for them.
            const leaving = !beside(tr);
            for (let c = leaving ? beside(tr.closest('[data-testid="server-card"]')) : null; c; c = beside(c)) {
              build(c);
              if (c.querySelector('[data-testid="job-row"]')) break;
            }
            const rows = /** @type {HTMLElement[]} */ (Array.from(el.querySelectorAll('[data-testid="job-row"]')));
            const i = rows.indexOf(tr);
            rows[i + (down ? 1 : -1)]?.focus();
          }
        },
      },
      h(
        "td",
        { class: "c-name" },
        h("div", { class: "job-name ellipsis", title: j.description ? `${j.name} — ${j.description}` : j.name }, j.name),
        j.present === false ? h("span", { class: "tag", title: t("dash.goneTip") }, t("dash.gone")) : null,
        j.operationType === "Sync" ? h("span", { class: "tag", title: t("dash.syncTip") }, t("dash.sync")) : null,
        j.running
          ? h(
              "span",
              {
                class: `tag tag-running ${j.running.long ? "tag-long" : ""}`,
                "data-testid": "job-running",
                title: `${j.running.long ? `${t("dash.runningLong")}. ` : ""}${t("dash.runningTip", { since: formatRelative(j.running.since) })}`,
              },
              j.running.progress != null ? t("dash.runningPct", { pct: formatNumber(Math.round(j.running.progress * 100)) }) : t("dash.running"),
            )
          : null,
        j.overdueSince != null
          ? h("span", { class: "tag tag-overdue", "data-testid": "job-overdue", title: t("dash.overdueTip", { when: formatRelative(j.overdueSince) }) }, t("dash.overdue"))
          : null,
      ),
      h("td", null, statusChip(last?.status)),
      h("td", { class: "nowrap" }, last ? relTime(last.date) : h("span", { class: "muted" }, "—")),
      h("td", { class: "num nowrap" }, formatDuration(last?.durationS)),
      h("td", { class: "num nowrap" }, formatBytes(last?.sizeBytes)),
      h("td", { class: "num nowrap" }, formatBytes(last?.uploadedBytes)),
      h("td", { class: "nowrap" }, j.nextRun != null ? relTime(j.nextRun) : h("span", { class: "muted", title: t("dash.noScheduleTip") }, t("dash.noSchedule"))),
      h("td", null, recentStrip(j.recent)),
    );
    return tr;
  }

  function renderList() {
    const d = state.dashboard;
    if (!d) return;
    // Remember focus to restore it on the equivalent element after the swap.
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    let focusKey = null;
    if (active && listEl.contains(active)) {
      const card = /** @type {HTMLElement | null} */ (active.closest('[data-testid="server-card"]'));
      focusKey = { tid: active.dataset.testid, job: active.dataset.jobId, server: card?.dataset.serverId };
    }
    const q = search.trim().toLowerCase();
    /** @type {HTMLElement[]} */
    const shown = [];
    const next = new Map();
    // The cards that start in the first two screens are built now (the view and the
    // observer's margin), the others when they come near.
    const screen = el.closest(".content")?.clientHeight || window.innerHeight;
    let above = 0;
    for (const s of d.servers) {
      const jobs = visibleJobs(s);
      const filtering = q || filter !== "all";
      const serverHit = q && matches(s, null, q);
      const showFailedServer = filter === "errors" && s.lastOk === false && (!q || serverHit);
      if (filtering && jobs.length === 0 && !showFailedServer) continue;
      shown.push(cardFor(s, jobs, next, above < 2 * screen));
      above += CARD_GAP_PX + cardPx(jobs.length);
    }
    if (shown.length === 0) {
      shown.push(
        h(
          "div",
          { class: "no-match", "data-testid": "no-match" },
          h("p", null, t("dash.noMatch")),
          h(
            "button",
            {
              type: "button",
              class: "btn btn-sm",
              onClick: () => {
                search = "";
                searchInput.value = "";
                filter = "all";
                filterButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.filter === "all")));
                renderList();
                searchInput.focus();
              },
            },
            t("dash.clearFilters"),
          ),
        ),
      );
    }
    // A card no longer shown is no longer watched (the observer would keep it alive).
    for (const [id, old] of cards) if (next.get(id) !== old) sight?.unobserve(old.el);
    cards = next;
    const kids = listEl.children;
    // Unchanged cards stay in place: no relayout, focus and selection untouched.
    if (kids.length === shown.length && shown.every((c, i) => kids[i] === c)) return;
    replaceChildren(listEl, shown);
    watchUnbuilt();
    if (focusKey) {
      let target = null;
      if (focusKey.job) target = listEl.querySelector(`[data-testid="job-row"][data-job-id="${focusKey.job}"]`);
      else if (focusKey.tid && focusKey.server)
        target = listEl.querySelector(`[data-testid="server-card"][data-server-id="${focusKey.server}"] [data-testid="${focusKey.tid}"]`);
      /** @type {HTMLElement | null} */ (target)?.focus({ preventScroll: true });
    }
  }

  function renderSkeleton() {
    mainEl.hidden = false;
    emptyEl.hidden = true;
    replaceChildren(
      tilesEl,
      ["servers", "jobs", "failed", "overdue", "stale"].map(() => h("div", { class: "tile" }, h("div", { class: "skeleton skel-num" }), h("div", { class: "skeleton skel-line" }))),
    );
    replaceChildren(
      listEl,
      [0, 1].map(() =>
        h(
          "div",
          { class: "card server-card", "aria-hidden": "true" },
          h("div", { class: "card-head" }, h("div", { class: "skeleton skel-title" })),
          h("div", { class: "skel-rows" }, [0, 1, 2].map(() => h("div", { class: "skeleton skel-line wide" }))),
        ),
      ),
    );
  }

  function render() {
    const d = state.dashboard;
    el.setAttribute("aria-busy", state.loading ? "true" : "false");
    if (!d) {
      if (state.dashboardError) {
        mainEl.hidden = true;
        emptyEl.hidden = false;
        replaceChildren(
          emptyEl,
          h(
            "div",
            { class: "empty-state" },
            errorBox(state.dashboardError),
            h("button", { type: "button", class: "btn", onClick: () => refreshDashboard() }, icon("refresh"), t("common.retry")),
          ),
        );
      } else renderSkeleton();
      return;
    }
    if (d.servers.length === 0) {
      mainEl.hidden = true;
      emptyEl.hidden = false;
      renderEmpty();
      return;
    }
    mainEl.hidden = false;
    emptyEl.hidden = true;
    if (state.dashboardError) replaceChildren(refreshErrorEl, errorBox(state.dashboardError, null, { compact: true }));
    else refreshErrorEl.replaceChildren();
    renderTiles(d.summary);
    renderList();
    renderAutostartOffer(offerSlot);
    if (timelineFor !== d) {
      timelineFor = d;
      timeline.refresh();
    }
  }

  const unsub = subscribe(() => render());
  render();

  return {
    el,
    refresh: () => refreshDashboard(),
    focusSearch() {
      if (mainEl.hidden) return false;
      searchInput.focus();
      searchInput.select();
      return true;
    },
    destroy: () => {
      unsub();
      sight?.disconnect();
      timeline.destroy();
    },
  };
}
