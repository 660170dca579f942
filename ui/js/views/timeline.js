// The dashboard's status timeline: every job's runs of the last 30 days, one lane per job, one
// chart per server (status_timeline). Its own section, loaded after the dashboard itself; a
// chart is drawn when it comes near the view.
import { h, replaceChildren } from "../dom.js";
import { t } from "../i18n.js";
import * as api from "../api.js";
import { errorBox, statusLabel } from "../components/badges.js";
import { renderTimeline, timelineHeight } from "../components/charts.js";
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
   * of its range). A chart holds a canvas only while it is near the view: the timeline sits
   * below every server's card, and drawing a hundred charts nobody looks at would cost the
   * dashboard's first paint and every pass that changes them.
   * @typedef {{ key: string, to: number, from: number, node: HTMLElement, box: HTMLElement, readout: HTMLElement,
   *   lanes: import("../components/charts.js").Lane[], near: boolean, drawn: boolean, cleanup: () => void }} Chart
   * @type {Map<number, Chart>}
   */
  let charts = new Map();
  /** @type {Map<Element, Chart>} the same charts, by the box they draw in */
  const byBox = new Map();
  /** @type {IntersectionObserver | null} */
  let sight = null;
  let drawing = Promise.resolve();
  let seq = 0;

  /** @param {Chart} chart */
  function watch(chart) {
    // The margin is taken from the scrolling pane (not the window), so a chart is drawn a
    // little before it scrolls into view.
    sight ??= new IntersectionObserver(onSight, { root: el.closest(".content"), rootMargin: "50% 0px" });
    byBox.set(chart.box, chart);
    sight.observe(chart.box);
  }

  /** @param {Chart} chart */
  function drop(chart) {
    sight?.unobserve(chart.box);
    byBox.delete(chart.box);
    undraw(chart);
  }

  /** @param {Chart} chart */
  function undraw(chart) {
    chart.cleanup();
    chart.cleanup = () => {};
    chart.drawn = false;
  }

  /** @param {IntersectionObserverEntry[]} entries */
  function onSight(entries) {
    for (const e of entries) {
      const chart = byBox.get(e.target);
      if (chart) chart.near = e.isIntersecting;
    }
    drawing = drawing.then(drawNear);
  }

  /** Draws the charts near the view and takes down those that went away from it. */
  async function drawNear() {
    const started = performance.now();
    let drawn = 0;
    for (const chart of [...byBox.values()]) {
      if (chart.near === chart.drawn) continue;
      if (!chart.near) {
        undraw(chart);
        continue;
      }
      chart.drawn = true;
      const cleanup = await renderTimeline(chart.lanes, chart.from, chart.to, chart.box, chart.readout);
      if (byBox.get(chart.box) === chart && chart.drawn) chart.cleanup = cleanup;
      else cleanup(); // dropped or scrolled away meanwhile
      drawn++;
    }
    if (drawn) el.dataset.renderMs = (performance.now() - started).toFixed(1);
    el.dataset.drawn = String([...byBox.values()].filter((c) => c.drawn).length);
  }

  function clear() {
    charts.forEach(drop);
    charts = new Map();
  }

  /**
   * @param {{ server: string, jobs: JobTimeline[] }} g
   * @param {number} serverId
   * @param {{ from: number, to: number }} range
   * @param {string} key
   * @returns {Chart}
   */
  function chartOf(g, serverId, range, key) {
    const box = h("div", { class: "timeline-chart", "data-testid": "timeline-chart", "data-server-id": String(serverId) });
    box.style.minHeight = `${timelineHeight(g.jobs.length)}px`;
    const readout = h("div", { class: "chart-readout muted small", "aria-hidden": "true" }, "\u00a0");
    // What the canvas shows, for screen readers: each job's number of runs and its last one.
    // One paragraph, not a list item per job: a thousand jobs made a thousand elements more to
    // build and to tear down with the dashboard.
    const summary = h(
      "p",
      { class: "sr-only" },
      g.jobs
        .map((j) =>
          j.statuses.length
            ? t("timeline.jobAria", { job: j.job, n: formatNumber(j.statuses.length), last: statusLabel(j.statuses[j.statuses.length - 1]) })
            : t("timeline.jobNone", { job: j.job }),
        )
        .join(". "),
    );
    const node = h("div", { class: "timeline-server" }, h("h3", { class: "timeline-server-name" }, g.server), readout, box, summary);
    const lanes = g.jobs.map((j) => ({ label: j.job, dates: j.dates, statuses: j.statuses }));
    return { key, from: range.from, to: range.to, node, box, readout, lanes, near: false, drawn: false, cleanup: () => {} };
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
      // Only a server whose runs changed gets a new chart (a background pass usually brings
      // none): 30 days moving by less than an hour is not a pixel.
      /** @type {Map<number, Chart>} */
      const next = new Map();
      /** @type {Chart[]} */
      const added = [];
      for (const [serverId, g] of byServer) {
        const key = JSON.stringify(g);
        let chart = charts.get(serverId);
        if (!chart || chart.key !== key || tl.to - chart.to >= 3600) {
          if (chart) drop(chart);
          chart = chartOf(g, serverId, tl, key);
          added.push(chart);
        }
        next.set(serverId, chart);
      }
      charts.forEach((c, id) => next.has(id) || drop(c));
      charts = next;
      const nodes = [...next.values()].map((c) => c.node);
      const kids = body.children;
      if (kids.length !== nodes.length || nodes.some((n, i) => kids[i] !== n)) replaceChildren(body, nodes);
      added.forEach(watch); // in the page now: the observer says which are near the view
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
      sight?.disconnect();
      sight = null;
    },
  };
}
