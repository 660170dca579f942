// Settings → Backup Monitoring: how the background watch runs (interval, tolerance, long-running
// thresholds, notifications, start at login), then every job with its schedule, next expected
// run, last run, state and a switch; per-server Collect, Collect all and Check now. Every value
// and judgement comes from the engine (monitor_settings, monitoring); this module only shows it.
import { h, replaceChildren, uid } from "../../dom.js";
import { icon, spinner } from "../../icons.js";
import { t, tn } from "../../i18n.js";
import * as api from "../../api.js";
import { serverById, servers, subscribe } from "../../state.js";
import { openCollectDialog, collectServer, emptyCollectButton } from "../../components/collect-dialog.js";
import { statusChip, errorBox, errorSentence, relTime } from "../../components/badges.js";
import { setBusy } from "../../components/modal.js";
import { toast } from "../../components/toast.js";
import { autostartAnswered } from "../../components/autostart-offer.js";
import { formatDuration, formatRelative } from "../../format.js";
/** @import { MonitoredJob, MonitorSettings, NotifySettings } from "../../types" */
/** @import { ShownError } from "../../components/badges.js" */

/** The intervals offered, in minutes (0: off). */
const INTERVALS = [0, 1, 5, 15, 30, 60, 120, 360, 720, 1440];

/** @type {(keyof NotifySettings)[]} */
const NOTIFY_KINDS = ["error", "warning", "overdue", "connection", "running", "stopped", "started", "completed"];

/**
 * "Every day", "Every week", "Every 12 h".
 * @param {number} s seconds
 */
function everyLabel(s) {
  if (s === 3600) return t("mon.everyHour");
  if (s === 86400) return t("mon.everyDay");
  if (s === 604800) return t("mon.everyWeek");
  return t("mon.every", { interval: formatDuration(s) });
}

/** @param {number} min */
const intervalLabel = (min) => (min === 0 ? t("mon.intervalOff") : formatDuration(min * 60));

/**
 * The Backup Monitoring panel (below the Settings tabs).
 * @returns {{ el: HTMLElement, refresh: () => Promise<unknown>, onDataChanged: () => void, destroy: () => void }}
 */
export function monitoringPanel() {
  /** @type {MonitorSettings | null} */
  let settings = null;
  /** @type {MonitoredJob[] | null} */
  let jobs = null;
  /** @type {ShownError | null} */
  let loadError = null;

  // ----- the settings form (built once; inputs keep focus across saves) -----
  const ids = { interval: uid("mon-int"), tolerance: uid("mon-tol"), first: uid("mon-first"), every: uid("mon-every") };
  const intervalSelect = h("select", { id: ids.interval, class: "input", "data-testid": "mon-interval", onChange: () => save() });
  /**
   * @param {string} id
   * @param {string} testid
   * @param {number} min
   * @param {number} max
   */
  const numberInput = (id, testid, min, max) =>
    h("input", { id, type: "number", class: "input input-num", min: String(min), max: String(max), step: "1", "data-testid": testid, onChange: () => save() });
  const toleranceInput = numberInput(ids.tolerance, "mon-tolerance", 0, 10080);
  const firstInput = numberInput(ids.first, "mon-running-first", 1, 720);
  const everyInput = numberInput(ids.every, "mon-running-every", 1, 720);
  const intervalHint = h("span", { class: "field-hint" });
  const savedEl = h("span", { class: "saved-note muted small", role: "status", "aria-live": "polite", "data-testid": "mon-saved" });
  /** @type {Record<string, HTMLInputElement>} */
  const notifyBoxes = {};
  const notifyList = h(
    "div",
    { class: "check-grid" },
    NOTIFY_KINDS.map((k) => {
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "data-testid": `mon-notify-${k}`, onChange: () => save() }));
      notifyBoxes[k] = box;
      return h("label", { class: "check" }, box, h("span", null, t(`mon.notify.${k}`)));
    }),
  );
  const autostartBox = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", "data-testid": "mon-autostart", onChange: () => changeAutostart() }));

  const form = h(
    "div",
    { class: "card form-card mon-form", "aria-busy": "true", "data-testid": "mon-form" },
    h(
      "div",
      { class: "field field-row-inline" },
      h("label", { for: ids.interval, class: "field-label" }, t("mon.interval")),
      intervalSelect,
      intervalHint,
    ),
    h(
      "div",
      { class: "field field-row-inline" },
      h("label", { for: ids.tolerance, class: "field-label" }, t("mon.tolerance")),
      toleranceInput,
      h("span", { class: "field-hint" }, t("mon.toleranceUnit")),
    ),
    h(
      "div",
      { class: "field field-row-inline" },
      h("label", { for: ids.first, class: "field-label" }, t("mon.runningFirst")),
      firstInput,
      h("label", { for: ids.every, class: "field-hint" }, t("mon.hoursUnit"), ", ", t("mon.runningEvery")),
      everyInput,
      h("span", { class: "field-hint" }, t("mon.hoursUnit")),
    ),
    h("label", { class: "check field-check" }, autostartBox, h("span", null, t("mon.autostart")), h("span", { class: "field-hint" }, t("mon.autostartHint"))),
    h(
      "fieldset",
      { class: "fieldset" },
      h("legend", { class: "field-label" }, t("mon.notifications")),
      h("p", { class: "field-hint" }, t("mon.notificationsHint")),
      notifyList,
    ),
  );

  function fillForm() {
    if (!settings) return;
    const s = settings;
    const options = INTERVALS.includes(s.intervalMin) ? INTERVALS : [...INTERVALS, s.intervalMin].sort((a, b) => a - b);
    replaceChildren(
      intervalSelect,
      options.map((m) => h("option", { value: String(m) }, intervalLabel(m))),
    );
    intervalSelect.value = String(s.intervalMin);
    intervalHint.textContent = s.intervalMin === 0 ? t("mon.intervalOffHint") : "";
    toleranceInput.value = String(s.overdueToleranceMin);
    firstInput.value = String(s.runningFirstH);
    everyInput.value = String(s.runningEveryH);
    for (const k of NOTIFY_KINDS) notifyBoxes[k].checked = s.notify[k];
    form.setAttribute("aria-busy", "false");
  }

  /** @type {number | undefined} */
  let savedTimer;
  async function save() {
    if (!settings) return;
    /** @param {HTMLInputElement} input @param {number} fallback */
    const num = (input, fallback) => (Number.isFinite(input.valueAsNumber) ? Math.round(input.valueAsNumber) : fallback);
    /** @type {NotifySettings} */
    const notify = { ...settings.notify };
    for (const k of NOTIFY_KINDS) notify[k] = notifyBoxes[k].checked;
    /** @type {MonitorSettings} */
    const next = {
      ...settings,
      intervalMin: Number(intervalSelect.value),
      overdueToleranceMin: num(toleranceInput, settings.overdueToleranceMin),
      runningFirstH: num(firstInput, settings.runningFirstH),
      runningEveryH: num(everyInput, settings.runningEveryH),
      notify,
    };
    try {
      settings = await api.setMonitorSettings(next);
      fillForm();
      savedEl.textContent = t("mon.saved");
      clearTimeout(savedTimer);
      savedTimer = setTimeout(() => (savedEl.textContent = ""), 2500);
      loadJobs(); // the tolerance changes what is overdue
    } catch (e) {
      fillForm();
      toast(errorSentence(e), { kind: "error" });
    }
  }

  async function changeAutostart() {
    const wanted = autostartBox.checked;
    autostartBox.disabled = true;
    try {
      autostartBox.checked = await api.setAutostart(wanted);
      if (settings && !settings.autostartAsked) settings = await api.setMonitorSettings({ ...settings, autostartAsked: true });
      autostartAnswered();
      savedEl.textContent = t("mon.saved");
    } catch (e) {
      autostartBox.checked = !wanted;
      toast(errorSentence(e), { kind: "error" });
    } finally {
      autostartBox.disabled = false;
    }
  }

  // ----- the jobs -----
  const checkBtn = h(
    "button",
    { type: "button", class: "btn", "data-testid": "mon-check-now", title: t("mon.checkNowTip"), onClick: (e) => checkNow(e.currentTarget) },
    icon("refresh"),
    t("mon.checkNow"),
  );
  const collectAllBtn = h(
    "button",
    {
      type: "button",
      class: "btn",
      "data-testid": "mon-collect-all",
      onClick: (e) => openCollectDialog({ request: { all: true, saveJson: false }, returnFocus: e.currentTarget }),
    },
    icon("download"),
    t("settings.collectAll"),
  );
  const listEl = h("div", { class: "mon-list", "data-testid": "mon-jobs" });

  /** @param {HTMLButtonElement} btn */
  async function checkNow(btn) {
    setBusy(btn, true);
    try {
      const report = await api.checkNow();
      const failed = report.hosts.filter((x) => !x.ok).length;
      if (report.busy) toast(t("mon.checkedBusy"));
      else if (report.hosts.length === 0) toast(t("mon.checkedNone"));
      else if (failed > 0) toast(tn("mon.checkedFailed", failed), { kind: "error" });
      else toast(tn("mon.checked", report.hosts.length), { kind: "success" });
      await loadJobs();
    } catch (e) {
      toast(errorSentence(e), { kind: "error" });
    } finally {
      setBusy(btn, false);
    }
  }

  /** @param {MonitoredJob} j */
  function stateCell(j) {
    if (j.runningSince != null) {
      return h("span", { class: "chip st-running", "data-testid": "mon-state", "data-state": "running" }, spinner(), t("mon.runningSince", { when: formatRelative(j.runningSince) }));
    }
    if (!j.monitored) return h("span", { class: "muted", "data-testid": "mon-state", "data-state": "off" }, t("mon.notWatched"));
    if (j.overdueSince != null) {
      return h(
        "span",
        { "data-testid": "mon-state", "data-state": "overdue", title: t("dash.overdueTip", { when: formatRelative(j.overdueSince) }) },
        statusChip("overdue"),
        " ",
        relTime(j.overdueSince, "muted small"),
      );
    }
    if (j.nextDue == null) return h("span", { class: "muted", "data-testid": "mon-state", "data-state": "unscheduled" }, t("mon.noSchedule"));
    return h("span", { class: "chip st-completed", "data-testid": "mon-state", "data-state": "ok" }, h("span", { class: "dot" }), t("mon.onTime"));
  }

  /** @param {MonitoredJob} j */
  function jobRow(j) {
    const box = /** @type {HTMLInputElement} */ (
      h("input", {
        type: "checkbox",
        role: "switch",
        checked: j.monitored,
        "data-testid": "mon-watch",
        "aria-label": t("mon.watchAria", { job: j.job }),
        onChange: async (e) => {
          const b = /** @type {HTMLInputElement} */ (e.currentTarget);
          b.disabled = true;
          try {
            await api.setJobMonitored(j.jobId, b.checked);
            await loadJobs();
          } catch (err) {
            b.checked = !b.checked;
            toast(errorSentence(err), { kind: "error" });
          } finally {
            b.disabled = false;
          }
        },
      })
    );
    return h(
      "tr",
      { "data-testid": "mon-job", "data-job-id": String(j.jobId), class: j.overdueSince != null && j.monitored ? "is-overdue" : "" },
      h("td", { class: "c-name" }, h("div", { class: "job-name ellipsis", title: j.job }, j.job)),
      h("td", { class: "nowrap" }, j.intervalS != null ? everyLabel(j.intervalS) : h("span", { class: "muted" }, t("mon.byHand"))),
      h("td", { class: "nowrap" }, relTime(j.lastRun)),
      h("td", { class: "nowrap" }, relTime(j.nextDue)),
      h("td", { class: "nowrap" }, stateCell(j)),
      h("td", { class: "c-switch" }, box),
    );
  }

  /**
   * @param {number} serverId
   * @param {MonitoredJob[]} serverJobs
   */
  function serverBlock(serverId, serverJobs) {
    const s = serverById(serverId);
    const name = s?.displayName ?? serverJobs[0]?.server ?? "";
    const headId = `mon-srv-${serverId}`;
    const checkedAt = serverJobs[0]?.serverCheckedAt ?? s?.lastCollectAt ?? null;
    return h(
      "section",
      { class: "card server-card", "data-testid": "mon-server", "data-server-id": String(serverId), "aria-labelledby": headId },
      h(
        "header",
        { class: "card-head" },
        h(
          "div",
          { class: "card-title-block" },
          h("div", { class: "card-title-line" }, icon("server", 16, "muted-icon"), h("h3", { class: "card-title", id: headId }, name)),
          h(
            "div",
            { class: "card-sub small" },
            checkedAt != null ? h("span", { class: "muted" }, t("mon.checkedAt"), " ", relTime(checkedAt)) : h("span", { class: "muted" }, t("mon.neverChecked")),
            s && !s.hasPassword && !s.isDemo ? h("span", { class: "pw-state" }, icon("unlock", 12), t("mon.noPassword")) : null,
          ),
        ),
        s
          ? h(
              "div",
              { class: "card-actions" },
              h(
                "button",
                { type: "button", class: "btn btn-sm", "data-testid": "mon-server-collect", title: t("server.collectTip", { name }), onClick: (e) => collectServer(s, e.currentTarget) },
                icon("download", 14),
                t("server.collect"),
              ),
            )
          : null,
      ),
      serverJobs.length === 0
        ? h("p", { class: "card-empty muted" }, t("mon.serverNoJobs"))
        : h(
            "table",
            { class: "table mon-table" },
            h("colgroup", null, ["c-name", "c-sched", "c-last", "c-next", "c-state", "c-switch"].map((c) => h("col", { class: c }))),
            h(
              "thead",
              null,
              h(
                "tr",
                null,
                ["job", "schedule", "lastRun", "next", "state"].map((c) => h("th", { scope: "col" }, t(`mon.col.${c}`))),
                h("th", { scope: "col", class: "c-switch" }, t("mon.col.watch")),
              ),
            ),
            h("tbody", null, serverJobs.map(jobRow)),
          ),
    );
  }

  function renderJobs() {
    collectAllBtn.disabled = servers().length === 0;
    if (loadError) {
      replaceChildren(listEl, h("div", { class: "card table-empty" }, errorBox(loadError)));
      return;
    }
    if (!jobs) {
      replaceChildren(listEl, h("div", { class: "card server-card", "aria-hidden": "true" }, h("div", { class: "skel-rows" }, [0, 1, 2].map(() => h("div", { class: "skeleton skel-line wide" })))));
      return;
    }
    const list = servers();
    if (list.length === 0) {
      replaceChildren(
        listEl,
        h(
          "div",
          { class: "card table-empty", "data-testid": "mon-empty" },
          icon("clock", 28, "muted-icon"),
          h("p", null, t("mon.noJobs")),
          emptyCollectButton(),
        ),
      );
      return;
    }
    // Keep the focused switch focused across the re-render.
    const active = /** @type {HTMLElement | null} */ (document.activeElement);
    const focusJob = active && listEl.contains(active) ? /** @type {HTMLElement | null} */ (active.closest("[data-job-id]"))?.dataset.jobId : null;
    const focusTid = active?.dataset.testid;
    const all = jobs;
    replaceChildren(
      listEl,
      list.map((s) => serverBlock(s.id, all.filter((j) => j.serverId === s.id))),
    );
    if (focusJob && focusTid) /** @type {HTMLElement | null} */ (listEl.querySelector(`[data-job-id="${focusJob}"] [data-testid="${focusTid}"]`))?.focus({ preventScroll: true });
  }

  async function loadJobs() {
    try {
      jobs = await api.monitoring();
      loadError = null;
    } catch (e) {
      loadError = e;
    }
    renderJobs();
  }

  async function loadSettings() {
    try {
      const [s, auto] = await Promise.all([api.monitorSettings(), api.autostart().catch(() => false)]);
      settings = s;
      autostartBox.checked = auto;
      fillForm();
    } catch (e) {
      replaceChildren(form, errorBox(e));
    }
  }

  const el = h(
    "div",
    { class: "mon-panel" },
    h(
      "section",
      { class: "settings-section", "aria-labelledby": "mon-bg" },
      h(
        "div",
        { class: "section-head" },
        h("div", null, h("h2", { class: "section-title", id: "mon-bg" }, t("mon.background")), h("p", { class: "muted small" }, t("mon.backgroundHint"))),
        savedEl,
      ),
      form,
    ),
    h(
      "section",
      { class: "settings-section", "aria-labelledby": "mon-jobs-title" },
      h(
        "div",
        { class: "section-head" },
        h("div", null, h("h2", { class: "section-title", id: "mon-jobs-title" }, t("mon.jobs")), h("p", { class: "muted small" }, t("mon.jobsHint"))),
        h("div", { class: "page-actions" }, checkBtn, collectAllBtn),
      ),
      listEl,
    ),
  );

  const unsub = subscribe(renderJobs);
  renderJobs();
  loadSettings();
  loadJobs();

  return {
    el,
    refresh: () => Promise.all([loadSettings(), loadJobs()]),
    onDataChanged: () => {
      loadJobs();
    },
    destroy: () => {
      unsub();
      clearTimeout(savedTimer);
    },
  };
}
