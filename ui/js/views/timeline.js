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
  /**
   * The charts shown, by server id, with what each was drawn from (its lanes' JSON and the end
   * of its range) and how to take it down: a chart is drawn again only when that changed.
   * @typedef {{ key: string, to: number, node: HTMLElement, cleanup: () => void }} Chart
   * @type {Map<number, Chart>}
   */
  let charts = new Map();
  let seq = 0;

  function clear() {
    charts.forEach((c) => c.cleanup());
    charts = new Map();
  }

  /**
   * @param {{ server: string, jobs: JobTimeline[] }} g
   * @param {number} serverId
   */
  function chartNode(g, serverId) {
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
    return { box, readout, node: h("div", { class: "timeline-server" }, h("h3", { class: "timeline-server-name" }, g.server), readout, box, summary) };
  }

  async function refresh() {
    const my = ++seq;
    try {
      const tl = await api.statusTimeline(TIMELINE_DAYS);
      if (my !== seq) return;
      /** @type {Map<number, { server: string, jobs: JobTimeline[] }>} */
      const byServer = new Map();
      for (const j of tl.jobs) {
        const group = byServer.get(j.serverId) ?? { server: j.server, jobs: [] };
        group.jobs.push(j);
        byServer.set(j.serverId, group);
      }
      if (byServer.size === 0) {
        clear();
        replaceChildren(body, h("p", { class: "muted card-empty" }, t("timeline.empty")));
        return;
      }
      // Only a server whose runs changed is drawn again (a background pass usually brings
      // none): 30 days moving by less than an hour is not a pixel.
      /** @type {Map<number, Chart>} */
      const next = new Map();
      /** @type {{ serverId: number, chart: Chart, g: { server: string, jobs: JobTimeline[] }, box: HTMLElement, readout: HTMLElement }[]} */
      const toDraw = [];
      for (const [serverId, g] of byServer) {
        const key = JSON.stringify(g);
        let chart = charts.get(serverId);
        if (!chart || chart.key !== key || tl.to - chart.to >= 3600) {
          chart?.cleanup();
          const { box, readout, node } = chartNode(g, serverId);
          chart = { key, to: tl.to, node, cleanup: () => {} };
          toDraw.push({ serverId, chart, g, box, readout });
        }
        next.set(serverId, chart);
      }
      charts.forEach((c, id) => next.has(id) || c.cleanup());
      charts = next;
      const nodes = [...next.values()].map((c) => c.node);
      const kids = body.children;
      if (kids.length !== nodes.length || nodes.some((n, i) => kids[i] !== n)) replaceChildren(body, nodes);
      if (toDraw.length === 0) return;
      const started = performance.now();
      for (const { serverId, chart, g, box, readout } of toDraw) {
        if (charts.get(serverId) !== chart) continue; // replaced by a later refresh
        const lanes = g.jobs.map((j) => ({ label: j.job, dates: j.dates, statuses: j.statuses }));
        const cleanup = await renderTimeline(lanes, tl.from, tl.to, box, readout);
        if (charts.get(serverId) === chart) chart.cleanup = cleanup;
        else cleanup();
      }
      el.dataset.renderMs = (performance.now() - started).toFixed(1);
    } catch (e) {
      if (my === seq) {
        clear();
        replaceChildren(body, errorBox(e, null, { compact: true }));
      }
    } finally {
      if (my === seq) body.removeAttribute("aria-busy");
    }
  }

  return {
    el,
    refresh,
    destroy: () => {
      seq++;
      clear();
    },
  };
}
