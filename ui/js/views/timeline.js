// The dashboard's status timeline: every job's runs of the last 30 days, one lane per job, one
// chart per server (status_timeline). Its own section, loaded after the dashboard itself.
import { h, replaceChildren } from "../dom.js";
import { t } from "../i18n.js";
import * as api from "../api.js";
import { errorBox, statusLabel } from "../components/badges.js";
import { renderTimeline } from "../components/charts.js";
import { formatNumber } from "../format.js";
/** @import { JobTimeline } from "../types" */

export const TIMELINE_DAYS = 30;

/**
 * @returns {{ el: HTMLElement, refresh: () => Promise<void>, destroy: () => void }}
 */
export function createTimeline() {
  const body = h("div", { class: "timeline-body", "aria-busy": "true" }, h("div", { class: "skeleton skel-block" }));
  const el = h(
    "section",
    { class: "card timeline-card", "data-testid": "status-timeline", "aria-labelledby": "timeline-title" },
    h("header", { class: "card-head" }, h("h2", { class: "card-title", id: "timeline-title" }, t("timeline.title", { days: formatNumber(TIMELINE_DAYS) }))),
    body,
  );
  /** @type {(() => void)[]} */
  let cleanups = [];
  let seq = 0;
  /** What the charts show: the lanes' JSON and the end of their range (Unix seconds). */
  let drawn = { key: "", to: 0 };

  async function refresh() {
    const my = ++seq;
    try {
      const tl = await api.statusTimeline(TIMELINE_DAYS);
      if (my !== seq) return;
      // A background pass that brought no run leaves the charts as they are: 30 days moving
      // by less than an hour is not a pixel.
      const key = JSON.stringify(tl.jobs);
      if (key === drawn.key && tl.to - drawn.to < 3600) return;
      drawn = { key, to: tl.to };
      cleanups.forEach((c) => c());
      cleanups = [];
      /** @type {Map<number, { server: string, jobs: JobTimeline[] }>} */
      const byServer = new Map();
      for (const j of tl.jobs) {
        const group = byServer.get(j.serverId) ?? { server: j.server, jobs: [] };
        group.jobs.push(j);
        byServer.set(j.serverId, group);
      }
      if (byServer.size === 0) {
        replaceChildren(body, h("p", { class: "muted card-empty" }, t("timeline.empty")));
        return;
      }
      const charts = [...byServer.entries()].map(([serverId, g]) => {
        const box = h("div", { class: "timeline-chart", "data-testid": "timeline-chart", "data-server-id": String(serverId) });
        const readout = h("div", { class: "chart-readout muted small", "aria-hidden": "true" }, "\u00a0");
        // What the canvas shows, for screen readers: each job's number of runs and its last one.
        const summary = h(
          "ul",
          { class: "sr-only" },
          g.jobs.map((j) =>
            h(
              "li",
              null,
              j.statuses.length
                ? t("timeline.jobAria", { job: j.job, n: formatNumber(j.statuses.length), last: statusLabel(j.statuses[j.statuses.length - 1]) })
                : t("timeline.jobNone", { job: j.job }),
            ),
          ),
        );
        return { g, box, readout, node: h("div", { class: "timeline-server" }, h("h3", { class: "timeline-server-name" }, g.server), readout, box, summary) };
      });
      replaceChildren(body, charts.map((c) => c.node));
      const started = performance.now();
      for (const c of charts) {
        const lanes = c.g.jobs.map((j) => ({ label: j.job, dates: j.dates, statuses: j.statuses }));
        cleanups.push(await renderTimeline(lanes, tl.from, tl.to, c.box, c.readout));
      }
      el.dataset.renderMs = (performance.now() - started).toFixed(1);
    } catch (e) {
      drawn = { key: "", to: 0 };
      if (my === seq) replaceChildren(body, errorBox(e, null, { compact: true }));
    } finally {
      if (my === seq) body.removeAttribute("aria-busy");
    }
  }

  return {
    el,
    refresh,
    destroy: () => {
      seq++;
      drawn = { key: "", to: 0 };
      cleanups.forEach((c) => c());
      cleanups = [];
    },
  };
}
