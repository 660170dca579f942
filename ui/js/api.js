// The only module that talks to the shell. Every function is a thin wrapper over one command of
// docs/commands.md; window.__TAURI__ is read lazily (on each call), so this module can be loaded
// before Tauri injects its globals, and outside the app it fails with a clear error.

/** True when the page runs inside the Duplidesk window (Tauri globals present). */
export function inApp() {
  const t = window.__TAURI__;
  return !!(t && t.core && typeof t.core.invoke === "function");
}

/** The error thrown when the page is opened in a plain browser. */
export const NOT_IN_APP = "not_in_app";

function tauri() {
  if (!inApp()) {
    const err = new Error("Not running inside the Duplidesk app (window.__TAURI__ is missing).");
    err.code = NOT_IN_APP;
    err.hint = "Open the interface through the Duplidesk app, not in a web browser.";
    throw err;
  }
  return window.__TAURI__;
}

/**
 * Normalises whatever a command rejected with into `{code, message, hint}`.
 * The engine rejects with that shape already; Tauri itself may reject with a plain string
 * (unknown command, bad arguments), which becomes code "unknown".
 */
export function toError(e) {
  if (e && typeof e === "object" && typeof e.code === "string") {
    return { code: e.code, message: String(e.message ?? ""), hint: String(e.hint ?? "") };
  }
  if (e instanceof Error) return { code: "unknown", message: e.message, hint: "" };
  return { code: "unknown", message: typeof e === "string" ? e : JSON.stringify(e), hint: "" };
}

/** Calls a command; rejects with `{code, message, hint}`. */
export async function invoke(command, args) {
  try {
    return await tauri().core.invoke(command, args ?? {});
  } catch (e) {
    throw toError(e);
  }
}

// ---- events: one Tauri listener per event name, fanned out to local subscribers ----

const subscribers = new Map(); // event name -> Set<fn>
const registering = new Map(); // event name -> Promise

async function ensureListener(name) {
  if (registering.has(name)) return registering.get(name);
  const p = (async () => {
    const ev = tauri().event;
    if (!ev || typeof ev.listen !== "function") return;
    await ev.listen(name, (event) => {
      for (const fn of subscribers.get(name) ?? []) {
        try {
          fn(event.payload);
        } catch (err) {
          console.error(`handler for ${name} failed`, err);
        }
      }
    });
  })();
  registering.set(name, p);
  return p;
}

/** Subscribes to an event; returns a function that unsubscribes. */
export function on(name, fn) {
  if (!subscribers.has(name)) subscribers.set(name, new Set());
  subscribers.get(name).add(fn);
  if (inApp()) ensureListener(name).catch((e) => console.error(`could not listen to ${name}`, e));
  return () => subscribers.get(name)?.delete(fn);
}

/** Registers the Tauri listeners up front, so no early event is missed by a later subscriber. */
export function prepare(...names) {
  return Promise.all(names.map((n) => ensureListener(n).catch((e) => console.error(`could not listen to ${n}`, e))));
}

export const EVENT_PROGRESS = "collect://progress";
export const EVENT_DATA_CHANGED = "data://changed";

// ---- commands (docs/commands.md) ----

export const appInfo = () => invoke("app_info");
export const setLanguage = (language) => invoke("set_language", { language });
export const dashboard = () => invoke("dashboard");
export const jobHistory = (jobId, limit) => invoke("job_history", { jobId, limit });
export const logDetails = (id) => invoke("log_details", { id });
export const logs = (query) => invoke("logs", { query });
export const collect = (request) => invoke("collect", { request });
export const cancelCollect = () => invoke("cancel_collect");
export const testConnection = (request) => invoke("test_connection", { request });
export const updateServer = (id, settings) => invoke("update_server", { id, settings });
export const setPassword = (id, password) => invoke("set_password", { id, password });
export const clearPassword = (id) => invoke("clear_password", { id });
export const retrustServer = (id) => invoke("retrust_server", { id });
export const deleteServer = (id) => invoke("delete_server", { id });
export const importFiles = () => invoke("import_files");
export const clearLogs = (options) => invoke("clear_logs", { options });
export const startDemo = () => invoke("start_demo");
export const removeDemo = () => invoke("remove_demo");
