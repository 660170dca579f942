// What the views share: app_info() and the last dashboard() result, reloaded on demand and on
// `data://changed`. Views subscribe and re-render; nothing here computes business state.
import * as api from "./api.js";

export const state = {
  info: null, // app_info()
  dashboard: null, // dashboard()
  dashboardError: null, // {code, message, hint} of the last failed load
  loading: false,
};

const listeners = new Set();

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

export async function refreshInfo() {
  state.info = await api.appInfo();
  emit();
  return state.info;
}

/** The servers of the last dashboard, [] before it loaded. */
export const servers = () => state.dashboard?.servers ?? [];

export const serverById = (id) => servers().find((s) => s.id === id) ?? null;
