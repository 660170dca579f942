// Charts, drawn by uPlot (ui/vendor/uplot, MIT): loaded the first time a chart is shown, so the
// app starts without it. Colours come from the stylesheet (light and dark follow the OS); every
// figure comes from the engine (job_trend, status_timeline): nothing is computed here.
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { STATUS_VAR, statusLabel } from "./badges.js";
import { formatBytes, formatDateTime, formatDuration, formatNumber, isDate } from "../format.js";
/** @import { JobTrend, Status } from "../types" */
/** @typedef {import("../../vendor/uplot/uPlot")} UPlot */
/** @typedef {import("../../vendor/uplot/uPlot").Options} UPlotOptions */
/** @typedef {typeof import("../../vendor/uplot/uPlot")} UPlotClass */

/** @type {Promise<UPlotClass> | null} */
let loading = null;

/**
 * uPlot, loaded once (a classic script: it sets window.uPlot) with its stylesheet.
 * @returns {Promise<UPlotClass>}
 */
export function loadUPlot() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(h("link", { rel: "stylesheet", href: "vendor/uplot/uPlot.min.css" }));
      const script = h("script", { src: "vendor/uplot/uPlot.iife.min.js" });
      script.addEventListener("load", () => resolve(/** @type {{ uPlot: UPlotClass }} */ (/** @type {unknown} */ (window)).uPlot));
      script.addEventListener("error", () => {
        loading = null;
        reject(new Error("The chart library could not be loaded."));
      });
      document.head.append(script);
    });
  }
  return loading;
}

/** The stylesheet's colour of a CSS variable ("--ok"). @param {string} name */
function cssColor(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/** The solid colour of a status (as the chips and squares use). @param {Status} status */
export const statusColor = (status) => cssColor(STATUS_VAR[status] ?? "--info");

/** @param {number} ts Unix seconds */
function shortDate(ts) {
  return isDate(ts) ? new Date(ts * 1000).toLocaleDateString(document.documentElement.lang, { day: "numeric", month: "short" }) : "";
}

/**
 * An axis as wide as its longest label (uPlot's `size` callback).
 * @param {UPlot} u
 * @param {string[] | null} values
 * @param {number} axisIdx
 * @param {number} cycleNum
 */
function fitAxis(u, values, axisIdx, cycleNum) {
  const a = u.axes[axisIdx];
  const known = /** @type {{ _size?: number }} */ (/** @type {unknown} */ (a))._size;
  if (cycleNum > 1 && known) return known;
  const longest = (values ?? []).reduce((acc, v) => (String(v).length > acc.length ? String(v) : acc), "");
  u.ctx.font = /** @type {[string, number]} */ (/** @type {unknown} */ (a.font))[0];
  return Math.ceil(12 + 8 + u.ctx.measureText(longest).width / (devicePixelRatio || 1));
}

/** Axis colours, from the stylesheet. */
function axis() {
  const text = cssColor("--muted");
  const grid = cssColor("--border");
  return { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
}

/** The statuses a run ends with, each drawn as points of its colour. @type {Status[]} */
const OUTCOMES = ["completed", "warning", "error", "stopped"];

/**
 * One measure of a job's runs over time: a line, and a point for each run in its status's
 * colour (completed runs only when few enough to tell apart, so 10,000 runs stay light).
 * @typedef {{ key: string, label: string, values: (number | null)[], format: (v: number | null | undefined) => string }} Measure
 */

/**
 * The job's history as charts (duration, size, uploaded, files), their cursors in step.
 * Resolves once they are drawn; `el.dataset.renderMs` says how long that took.
 * @param {JobTrend} trend
 * @param {HTMLElement} el where the charts go (already in the page, so it has a width)
 */
export async function renderJobCharts(trend, el) {
  const uPlot = await loadUPlot();
  const started = performance.now();
  /** @type {Measure[]} */
  const measures = [
    { key: "duration", label: t("chart.duration"), values: trend.durationS, format: formatDuration },
    { key: "size", label: t("chart.size"), values: trend.sizeBytes, format: formatBytes },
    { key: "uploaded", label: t("chart.uploaded"), values: trend.uploadedBytes, format: formatBytes },
    { key: "files", label: t("chart.files"), values: trend.filesExamined, format: (v) => formatNumber(v) },
  ];
  const width = Math.max(280, el.clientWidth || 520);
  const sync = uPlot.sync(`job-${trend.jobId}`);
  /** @type {UPlot[]} */
  const plots = [];
  el.replaceChildren();
  for (const m of measures) {
    const readout = h("span", { class: "chart-readout muted small", "aria-hidden": "true" });
    const box = h("figure", { class: "chart", "data-testid": "job-chart", "data-measure": m.key }, h("figcaption", { class: "chart-head" }, h("span", { class: "chart-title" }, m.label), readout));
    el.append(box);
    /** @type {(number | null)[][]} */
    const perStatus = OUTCOMES.map((st) => m.values.map((v, i) => (trend.statuses[i] === st ? v : null)));
    const few = trend.dates.length <= 400;
    /** @type {UPlotOptions} */
    const opts = {
      width,
      height: 130,
      legend: { show: false },
      cursor: { sync: { key: sync.key }, points: { size: 7 } },
      scales: { x: { time: true } },
      axes: [
        { ...axis(), values: (_u, splits) => splits.map(shortDate), space: 70 },
        { ...axis(), size: fitAxis, values: (_u, splits) => splits.map((v) => m.format(v)) },
      ],
      series: [
        {},
        { label: m.label, stroke: cssColor("--accent"), width: 1.5, spanGaps: true, points: { show: false } },
        ...OUTCOMES.map((st) => ({
          label: statusLabel(st),
          stroke: statusColor(st),
          fill: statusColor(st),
          width: 0,
          paths: () => null,
          points: { show: st === "completed" ? few : true, size: st === "completed" ? 4 : 6, fill: statusColor(st), stroke: statusColor(st) },
        })),
      ],
      hooks: {
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            readout.textContent =
              i == null ? "" : `${formatDateTime(trend.dates[i])} · ${statusLabel(trend.statuses[i])} · ${m.format(m.values[i])}`;
          },
        ],
      },
    };
    /** @type {uPlot.AlignedData} */
    const data = [trend.dates, m.values, ...perStatus];
    const plot = new uPlot(opts, data, box);
    sync.sub(plot);
    plots.push(plot);
  }
  el.dataset.renderMs = (performance.now() - started).toFixed(1);
  el.dataset.points = String(trend.dates.length);
  const resize = new ResizeObserver(() => {
    const w = Math.max(280, el.clientWidth);
    for (const p of plots) if (Math.abs(p.width - w) > 1) p.setSize({ width: w, height: 130 });
  });
  resize.observe(el);
  return () => {
    resize.disconnect();
    for (const p of plots) p.destroy();
  };
}

/**
 * One lane per job over a period, a mark per run in its status's colour; pointing at a mark
 * says which run it is.
 * @typedef {{ label: string, dates: number[], statuses: Status[] }} Lane
 */

const TIMELINE_LANE_PX = 24;

/**
 * The height a status timeline of `lanes` lanes takes, drawn or not (no jump when it is drawn).
 * @param {number} lanes
 */
export const timelineHeight = (lanes) => lanes * TIMELINE_LANE_PX + 48;

/**
 * A status timeline (the dashboard's last 30 days). Resolves once drawn.
 * @param {Lane[]} lanes
 * @param {number} from Unix seconds
 * @param {number} to Unix seconds
 * @param {HTMLElement} box where the chart goes (in the page, so it has a width)
 * @param {HTMLElement} readout where the pointed run is named
 */
export async function renderTimeline(lanes, from, to, box, readout) {
  const uPlot = await loadUPlot();
  const laneH = TIMELINE_LANE_PX;
  const colors = Object.fromEntries(Object.keys(STATUS_VAR).map((s) => [s, statusColor(/** @type {Status} */ (s))]));
  const width = Math.max(320, box.clientWidth || 720);
  /** @param {UPlot} u */
  function drawRuns(u) {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    const w = Math.max(2, Math.round(2.5 * dpr));
    const hgt = Math.round(laneH * 0.56 * dpr);
    ctx.save();
    lanes.forEach((lane, li) => {
      const y = Math.round(u.valToPos(li, "y", true) - hgt / 2);
      for (let i = 0; i < lane.dates.length; i++) {
        const x = Math.round(u.valToPos(lane.dates[i], "x", true) - w / 2);
        ctx.fillStyle = colors[lane.statuses[i]] ?? colors.info;
        ctx.fillRect(x, y, w, hgt);
      }
    });
    ctx.restore();
  }
  /** @type {UPlotOptions} */
  const opts = {
    width,
    height: timelineHeight(lanes.length),
    legend: { show: false },
    cursor: { y: false, drag: { x: false, y: false }, points: { show: false } },
    scales: { x: { time: true, range: () => [from, to] }, y: { range: () => [-0.5, lanes.length - 0.5], dir: -1 } },
    axes: [
      { ...axis(), values: (_u, splits) => splits.map(shortDate), space: 64 },
      { ...axis(), size: fitAxis, splits: () => lanes.map((_, i) => i), values: (_u, splits) => splits.map((i) => lanes[i]?.label ?? ""), grid: { show: false } },
    ],
    series: [{}, { show: false }],
    hooks: {
      draw: [drawRuns],
      setCursor: [
        (u) => {
          const left = u.cursor.left ?? -1;
          const top = u.cursor.top ?? -1;
          if (left < 0 || top < 0) {
            readout.textContent = "\u00a0";
            return;
          }
          const lane = lanes[Math.round(u.posToVal(top, "y"))];
          const at = u.posToVal(left, "x");
          let best = -1;
          let bestPx = 8;
          if (lane) {
            for (let i = 0; i < lane.dates.length; i++) {
              const px = Math.abs(u.valToPos(lane.dates[i], "x") - u.valToPos(at, "x"));
              if (px < bestPx) [best, bestPx] = [i, px];
            }
          }
          readout.textContent = lane && best >= 0 ? `${lane.label} · ${formatDateTime(lane.dates[best])} · ${statusLabel(lane.statuses[best])}` : "\u00a0";
        },
      ],
    },
  };
  box.replaceChildren();
  const plot = new uPlot(opts, [[from, to], [0, 0]], box);
  const resize = new ResizeObserver(() => {
    const w = Math.max(320, box.clientWidth);
    if (Math.abs(plot.width - w) > 1) plot.setSize({ width: w, height: plot.height });
  });
  resize.observe(box);
  return () => {
    resize.disconnect();
    plot.destroy();
  };
}
