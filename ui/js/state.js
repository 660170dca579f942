// What the views share: app_info() and the last dashboard() result, reloaded on demand and on
// `data://changed`. Views subscribe and re-render; nothing here computes business state.
import * as api from "./api.js";
/** @import { AppInfo, Dashboard, Server } from "./types" */
/** @import { CommandError } from "./api.js" */

/**
 * @typedef {object} State
 * @property {AppInfo | null} info app_info()
 * @property {Dashboard | null} dashboard dashboard()
 * @property {CommandError | null} dashboardError `{code, message, hint}` of the last failed load
 * @property {boolean} loading
 */

/** @type {State} */
export const state = {
  info: null,
  dashboard: null,
  dashboardError: null,
  loading: false,
};

/** @type {Set<(state: State) => void>} */
const listeners = new Set();

/**
 * Calls `fn` after every change; returns a function that unsubscribes.
 * @param {(state: State) => void} fn
 */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit() {
  for (const fn of listeners) {
    try {
      fn(state);
    } catch (e) {
      console.error(e);
    }
  }
}

/** @type {Promise<void> | null} */
let inflight = null;
let again = false;

/** Reloads dashboard(); concurrent calls coalesce into at most one more load. */
export function refreshDashboard() {
  if (inflight) {
    again = true;
    return inflight;
  }
  state.loading = true;
  emit();
  inflight = (async () => {
    try {
      do {
        again = false;
        try {
          state.dashboard = await api.dashboard();
          state.dashboardError = null;
        } catch (e) {
          state.dashboardError = e;
        }
      } while (again);
    } finally {
      state.loading = false;
      inflight = null;
      emit();
    }
  })();
  return inflight;
}

/** Reloads app_info(); rejects (leaving the last info) when it fails. */
export async function refreshInfo() {
  state.info = await api.appInfo();
  emit();
  return state.info;
}

/**
 * The servers of the last dashboard, [] before it loaded.
 * @returns {Server[]}
 */
export const servers = () => state.dashboard?.servers ?? [];

/** @param {number} id */
export const serverById = (id) => servers().find((s) => s.id === id) ?? null;
