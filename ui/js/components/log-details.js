// The message modal of one log entry: its fields, then `log_details` pretty-printed (JSON) or as
// text. Also the job history side panel (`job_history`), whose rows open this modal.
import { h, copyText } from "../dom.js";
import { icon } from "../icons.js";
import { t } from "../i18n.js";
import * as api from "../api.js";
import { openModal } from "./modal.js";
import { statusChip, statusLabel, opLabel, errorBox } from "./badges.js";
import { toast } from "./toast.js";
import { formatDateTime, formatDateTimeLong, formatDuration, formatBytes, formatNumber, prettyDetails } from "../format.js";
import { renderJobCharts } from "./charts.js";
/** @import { Job, LogEntry, Server } from "../types" */

/**
 * @param {string} label
 * @param {string | Node} value
 */
function meta(label, value) {
  return [h("dt", null, label), h("dd", null, value)];
}

/**
 * Opens the details of a LogEntry.
 * @param {LogEntry} entry
 */
export function openLogDetails(entry) {
  const pre = h("pre", { class: "details-pre mono", tabindex: "0", "aria-label": t("details.raw") });
  const detailsSlot = h("div", { class: "details-slot", "aria-busy": "true" }, h("div", { class: "skeleton skel-block" }));
  const copyBtn = h(
    "button",
    {
      type: "button",
      class: "btn btn-sm",
      disabled: true,
      onClick: async () => {
        const ok = await copyText(pre.textContent);
        toast(ok ? t("common.copied") : t("common.copyFailed"), { kind: ok ? "success" : "error" });
      },
    },
    icon("copy", 14),
    t("common.copy"),
  );

  const dl = h(
    "dl",
    { class: "meta-grid" },
    meta(t("col.date"), h("span", { title: formatDateTimeLong(entry.date) }, formatDateTime(entry.date))),
    meta(t("col.status"), statusChip(entry.status)),
    meta(t("col.type"), opLabel(entry.type)),
    meta(t("col.server"), entry.server || "—"),
    meta(t("col.job"), entry.job || "—"),
    meta(t("col.duration"), formatDuration(entry.durationS)),
    entry.sizeBytes != null ? meta(t("col.size"), formatBytes(entry.sizeBytes)) : null,
    entry.uploadedBytes != null ? meta(t("col.uploaded"), formatBytes(entry.uploadedBytes)) : null,
    meta(t("col.warnings"), formatNumber(entry.warnings ?? 0)),
    meta(t("col.errors"), formatNumber(entry.errors ?? 0)),
  );

  const m = openModal({
    title: `${statusLabel(entry.status)} — ${entry.job || entry.server || ""}`,
    testid: "log-details",
    size: "lg",
    closeOnBackdrop: true,
    body: [
      dl,
      entry.message ? h("p", { class: "details-message" }, entry.message) : null,
      h("div", { class: "details-head" }, h("h3", { class: "section-title" }, t("details.raw")), copyBtn),
      detailsSlot,
    ],
    footer: [h("button", { type: "button", class: "btn btn-primary", onClick: () => m.close() }, t("common.close"))],
  });

  api
    .logDetails(entry.id)
    .then((details) => {
      const pretty = prettyDetails(details?.text ?? null);
      if (pretty === null || pretty === "") {
        detailsSlot.replaceChildren(h("p", { class: "muted" }, t("details.none")));
      } else {
        pre.textContent = pretty;
        const cutFrom = details?.cutFrom;
        const note = cutFrom != null ? h("p", { class: "muted small", "data-testid": "details-cut" }, t("details.cut", { size: formatBytes(cutFrom) })) : null;
        detailsSlot.replaceChildren(...(note ? [note, pre] : [pre]));
        copyBtn.disabled = false;
      }
    })
    .catch((e) => detailsSlot.replaceChildren(errorBox(e)))
    .finally(() => detailsSlot.removeAttribute("aria-busy"));
  return m;
}

const HISTORY_LIMIT = 100;

/**
 * The run history of a dashboard job, in a side panel.
 * @param {Job} job
 * @param {Server} server its server
 * @param {{ onShowAll?: () => void }} [options] onShowAll: "Show all" when the history is cut
 */
export function openJobHistory(job, server, { onShowAll } = {}) {
  const tbody = h("tbody");
  for (let i = 0; i < 8; i++) {
    tbody.append(h("tr", { class: "skeleton-row", "aria-hidden": "true" }, [1, 2, 3, 4, 5].map(() => h("td", null, h("span", { class: "skeleton skel-line" })))));
  }
  const table = h(
    "table",
    { class: "table table-history", "aria-busy": "true" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", { class: "c-date" }, t("col.date")),
        h("th", { class: "c-status" }, t("col.status")),
        h("th", { class: "c-type" }, t("col.type")),
        h("th", { class: "c-dur num" }, t("col.duration")),
        h("th", { class: "c-msg" }, t("col.message")),
      ),
    ),
    tbody,
  );
  const foot = h("div", { class: "history-foot muted small" });
  const charts = h("div", { class: "job-charts", "data-testid": "job-charts", "aria-busy": "true" }, h("div", { class: "skeleton skel-block" }));
  /** @type {(() => void) | null} */
  let dropCharts = null;
  let closed = false;
  const m = openModal({
    title: t("history.title", { job: job.name }),
    testid: "job-history",
    variant: "drawer",
    closeOnBackdrop: true,
    onClose: () => {
      closed = true;
      dropCharts?.();
    },
    body: [
      h("p", { class: "muted small history-sub" }, server.displayName),
      h("h3", { class: "section-title" }, t("chart.title")),
      charts,
      h("h3", { class: "section-title" }, t("history.runs")),
      h("div", { class: "table-wrap" }, table),
      foot,
    ],
  });

  api
    .jobTrend(job.id)
    .then(async (trend) => {
      if (closed) return;
      if (trend.dates.length === 0) {
        charts.replaceChildren(h("p", { class: "muted small" }, t("chart.empty")));
        return;
      }
      dropCharts = await renderJobCharts(trend, charts);
      if (closed) dropCharts();
    })
    .catch((e) => charts.replaceChildren(errorBox(e, null, { compact: true })))
    .finally(() => charts.removeAttribute("aria-busy"));

  api
    .jobHistory(job.id, HISTORY_LIMIT)
    .then((rows) => {
      table.removeAttribute("aria-busy");
      if (!rows || rows.length === 0) {
        tbody.replaceChildren(h("tr", null, h("td", { colspan: "5", class: "empty-cell" }, t("history.empty"))));
        return;
      }
      tbody.replaceChildren(...rows.map((r) => logRow(r, ["date", "status", "type", "duration", "message"])));
      tbody.querySelector("tr")?.focus();
      if (rows.length >= HISTORY_LIMIT && onShowAll) {
        foot.replaceChildren(
          t("history.limited", { n: formatNumber(HISTORY_LIMIT) }),
          " ",
          h(
            "button",
            {
              type: "button",
              class: "link-btn",
              "data-testid": "history-show-all",
              onClick: () => {
                m.close("force");
                onShowAll();
              },
            },
            t("history.showAll"),
          ),
        );
      }
    })
    .catch((e) => {
      table.removeAttribute("aria-busy");
      tbody.replaceChildren(h("tr", null, h("td", { colspan: "5" }, errorBox(e))));
    });
  return m;
}

/** A column of logRow(). @typedef {"date" | "status" | "type" | "server" | "job" | "duration" | "message"} LogColumn */

/**
 * A clickable table row of a LogEntry (click / Enter → details; ArrowUp/Down move between rows).
 * `cols` picks and orders the cells: date, status, type, server, job, duration, message.
 * @param {LogEntry} r
 * @param {LogColumn[]} cols
 */
export function logRow(r, cols, testid = "log-row") {
  const cells = {
    date: () => h("td", { class: "c-date nowrap", title: formatDateTimeLong(r.date) }, formatDateTime(r.date)),
    status: () => h("td", { class: "c-status" }, statusChip(r.status)),
    type: () => h("td", { class: "c-type nowrap" }, opLabel(r.type)),
    server: () => h("td", { class: "c-server ellipsis", title: r.server }, r.server || "—"),
    job: () => h("td", { class: "c-job ellipsis", title: r.job ?? "" }, r.job || "—"),
    duration: () => h("td", { class: "c-dur num nowrap" }, formatDuration(r.durationS)),
    message: () => h("td", { class: "c-msg ellipsis", title: r.message }, r.message || ""),
  };
  const tr = h(
    "tr",
    {
      class: "row-link",
      tabindex: "0",
      "data-testid": testid,
      "data-log-id": String(r.id),
      "aria-label": t("details.rowAria", { status: statusLabel(r.status), date: formatDateTime(r.date), job: r.job || r.server || "" }),
      onClick: () => openLogDetails(r),
      onKeydown: (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          openLogDetails(r);
        } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          e.preventDefault();
          const sib = /** @type {HTMLElement | null} */ (e.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling);
          sib?.focus();
        }
      },
    },
    cols.map((c) => cells[c]()),
  );
  return tr;
}
