// The only module that talks to the shell. Every function is a thin wrapper over one command of
// docs/commands.md; window.__TAURI__ is read lazily (on each call), so this module can be loaded
// before Tauri injects its globals, and outside the app it fails with a clear error.
// The payload types come from ./types.d.ts (generated from the Rust types); window.__TAURI__ is
// declared in ./tauri.d.ts.
/**
 * @import { AppError, AppInfo, ClearOptions, Cleared, ClearPreview, CollectRequest, CollectResult, Dashboard,
 *   Diagnostics, ErrorCode, Exported, HostSummary, ImportedFile, ImportSummary, ImportTarget, JobTrend, LogEntry, LogFormat, LogsCount,
 *   LogsPage, LogsQuery, MonitoredJob, StatusTimeline,
 *   MonitorSettings, PassReport, Progress, Server,
 *   ServerSettings, TestRequest, TestResult, TrustedCa } from "./types"
 */

/**
 * What a failed command rejects with (see toError): the engine's AppError, or code "unknown"
 * when Tauri itself rejected, or "not_in_app" outside the app.
 * @typedef {Omit<AppError, "code"> & { code: ErrorCode | "unknown" | typeof NOT_IN_APP }} CommandError
 */

/** The Tauri globals, or null when the page does not run inside the app. */
function globals() {
  const t = window.__TAURI__;
  return t && t.core && typeof t.core.invoke === "function" ? t : null;
}

/** True when the page runs inside the Duplidesk window (Tauri globals present). */
export function inApp() {
  return globals() !== null;
}

/** The error thrown when the page is opened in a plain browser. */
export const NOT_IN_APP = "not_in_app";

function tauri() {
  const t = globals();
  if (!t) {
    throw Object.assign(new Error("Not running inside the Duplidesk app (window.__TAURI__ is missing)."), {
      code: NOT_IN_APP,
      hint: "Open the interface through the Duplidesk app, not in a web browser.",
    });
  }
  return t;
}

/**
 * Normalises whatever a command rejected with into `{code, message, hint}`.
 * The engine rejects with that shape already; Tauri itself may reject with a plain string
 * (unknown command, bad arguments), which becomes code "unknown".
 * @param {unknown} e
 * @returns {CommandError}
 */
export function toError(e) {
  if (e && typeof e === "object" && "code" in e && typeof e.code === "string") {
    const { message, hint } = /** @type {{ message?: unknown, hint?: unknown }} */ (e);
    // An engine error (its code is an ErrorCode) or the one tauri() throws outside the app.
    return { code: /** @type {CommandError["code"]} */ (e.code), message: String(message ?? ""), hint: String(hint ?? "") };
  }
  if (e instanceof Error) return { code: "unknown", message: e.message, hint: "" };
  return { code: "unknown", message: typeof e === "string" ? e : JSON.stringify(e), hint: "" };
}

/**
 * Calls a command; rejects with `{code, message, hint}` (CommandError). What it resolves with is
 * the command's return type, taken from where the call is used (the wrappers below).
 * @template T
 * @param {string} command
 * @param {Record<string, unknown>} [args]
 * @returns {Promise<T>}
 */
export async function invoke(command, args) {
  try {
    return await tauri().core.invoke(command, args ?? {});
  } catch (e) {
    throw toError(e);
  }
}

// ---- events: one Tauri listener per event name, fanned out to local subscribers ----

/**
 * What each event carries (docs/commands.md): `collect://progress` a Progress, `data://changed`
 * nothing, `collect://running` whether a collection (from anywhere) now runs.
 * @typedef {{ "collect://progress": Progress, "data://changed": null, "collect://running": boolean, "navigate://entry": { entry: LogEntry | null }, "notice://shown": null }} EventPayloads
 */
/** @typedef {keyof EventPayloads} EventName */

/** @type {Map<EventName, Set<(payload: unknown) => void>>} */
const subscribers = new Map(); // each set holds handlers of its event's payload
/** @type {Map<EventName, Promise<void>>} */
const registering = new Map();

/** @param {EventName} name */
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

/**
 * Subscribes to an event; returns a function that unsubscribes.
 * @template {EventName} K
 * @param {K} name
 * @param {(payload: EventPayloads[K]) => void} fn
 * @returns {() => void}
 */
export function on(name, fn) {
  // The set of `name` only ever receives payloads of `name`.
  const handler = /** @type {(payload: unknown) => void} */ (fn);
  let set = subscribers.get(name);
  if (!set) {
    set = new Set();
    subscribers.set(name, set);
  }
  set.add(handler);
  if (inApp()) ensureListener(name).catch((e) => console.error(`could not listen to ${name}`, e));
  return () => subscribers.get(name)?.delete(handler);
}

/**
 * Registers the Tauri listeners up front, so no early event is missed by a later subscriber.
 * @param {...EventName} names
 */
export function prepare(...names) {
  return Promise.all(names.map((n) => ensureListener(n).catch((e) => console.error(`could not listen to ${n}`, e))));
}

export const EVENT_PROGRESS = "collect://progress";
export const EVENT_DATA_CHANGED = "data://changed";
export const EVENT_RUNNING = "collect://running";
export const EVENT_NAVIGATE = "navigate://entry";
export const EVENT_NOTICE_SHOWN = "notice://shown";

// ---- commands (docs/commands.md) ----

/** @returns {Promise<AppInfo>} */
export const appInfo = () => invoke("app_info");
/**
 * @param {string | null} language "en", "es", or null to follow the OS
 * @returns {Promise<string>} the language to show now (AppInfo.uiLanguage)
 */
export const setLanguage = (language) => invoke("set_language", { language });
/** @returns {Promise<Diagnostics>} versions, OS, store, keychain, log folder, each server's last errors; `report` as text */
export const diagnostics = () => invoke("diagnostics");
/** @returns {Promise<string>} the log folder, opened in the file manager */
export const openLogFolder = () => invoke("open_log_folder");
/** @returns {Promise<Dashboard>} */
export const dashboard = () => invoke("dashboard");
/**
 * @param {number} jobId
 * @param {number} [limit] default 50, 0 = all
 * @returns {Promise<LogEntry[]>} newest first
 */
export const jobHistory = (jobId, limit) => invoke("job_history", { jobId, limit });
/**
 * @param {number} id a LogEntry's id
 * @returns {Promise<import("./types").LogDetails | null>} Duplicati's result JSON or text, and
 *   whether the store shortened it; null when the entry is gone
 */
export const logDetails = (id) => invoke("log_details", { id });
/**
 * @param {LogsQuery} query
 * @returns {Promise<LogsPage>}
 */
export const logs = (query) => invoke("logs", { query });
/**
 * @param {LogsQuery} query
 * @returns {Promise<LogsCount>} how many entries match, and how many there are
 */
export const logsCount = (query) => invoke("logs_count", { query });
/**
 * Opens the native save dialog and writes every entry matching `query`.
 * @param {LogsQuery} query
 * @param {LogFormat} format
 * @returns {Promise<Exported | null>} null when the dialog was cancelled
 */
export const exportLogs = (query, format) => invoke("export_logs", { query, format });
/**
 * @param {number} jobId
 * @param {number} [limit] the last runs (default all)
 * @returns {Promise<JobTrend>} oldest first
 */
export const jobTrend = (jobId, limit) => invoke("job_trend", { jobId, limit });
/**
 * @param {number} [days] default 30
 * @returns {Promise<StatusTimeline>}
 */
export const statusTimeline = (days) => invoke("status_timeline", { days });
/**
 * @param {ClearOptions} options
 * @returns {Promise<ClearPreview>} what clear_logs would delete now
 */
export const clearLogsPreview = (options) => invoke("clear_logs_preview", { options });
/**
 * @param {CollectRequest} request
 * @returns {Promise<CollectResult>}
 */
export const collect = (request) => invoke("collect", { request });
/** @returns {Promise<null>} */
export const cancelCollect = () => invoke("cancel_collect");
/**
 * @param {TestRequest} request
 * @returns {Promise<TestResult>}
 */
export const testConnection = (request) => invoke("test_connection", { request });
/**
 * @param {number} id
 * @param {ServerSettings} settings
 * @returns {Promise<Server>}
 */
export const updateServer = (id, settings) => invoke("update_server", { id, settings });
/**
 * @param {number} id
 * @param {string} password
 * @returns {Promise<null>}
 */
export const setPassword = (id, password) => invoke("set_password", { id, password });
/**
 * @param {number} id
 * @returns {Promise<null>}
 */
export const clearPassword = (id) => invoke("clear_password", { id });
/**
 * @param {number} id
 * @param {string} fingerprint the new certificate's, as the user compared it
 * @returns {Promise<HostSummary>}
 */
export const retrustServer = (id, fingerprint) => invoke("retrust_server", { id, fingerprint });
/**
 * @param {number} id
 * @returns {Promise<null>}
 */
export const deleteServer = (id) => invoke("delete_server", { id });
/** @returns {Promise<ImportedFile[] | null>} one per file chosen; null when the dialog was cancelled */
export const importFiles = () => invoke("import_files");
/**
 * Imports a file that said `needsServer` into the server the user chose.
 * @param {string} path
 * @param {ImportTarget} target
 * @returns {Promise<ImportSummary>}
 */
export const importFile = (path, target) => invoke("import_file", { path, target });
/** @returns {Promise<TrustedCa[]>} the certificate authorities trusted for every server */
export const trustedCas = () => invoke("trusted_cas");
/** @returns {Promise<TrustedCa[] | null>} the authorities imported; null when the dialog was cancelled */
export const importCa = () => invoke("import_ca");
/**
 * @param {string} fingerprint a TrustedCa's fingerprint
 * @returns {Promise<null>}
 */
export const removeCa = (fingerprint) => invoke("remove_ca", { fingerprint });
/**
 * @param {ClearOptions} options
 * @returns {Promise<Cleared>}
 */
export const clearLogs = (options) => invoke("clear_logs", { options });
/** @returns {Promise<HostSummary>} */
export const startDemo = () => invoke("start_demo");
/** @returns {Promise<null>} */
export const removeDemo = () => invoke("remove_demo");
/** @returns {Promise<MonitorSettings>} */
export const monitorSettings = () => invoke("monitor_settings");
/**
 * @param {MonitorSettings} settings
 * @returns {Promise<MonitorSettings>} as saved
 */
export const setMonitorSettings = (settings) => invoke("set_monitor_settings", { settings });
/** @returns {Promise<MonitoredJob[]>} */
export const monitoring = () => invoke("monitoring");
/**
 * @param {number} jobId
 * @param {boolean} monitored
 * @returns {Promise<null>}
 */
export const setJobMonitored = (jobId, monitored) => invoke("set_job_monitored", { jobId, monitored });
/** @returns {Promise<PassReport>} */
export const checkNow = () => invoke("check_now");
/** @returns {Promise<boolean>} */
export const autostart = () => invoke("autostart");
/**
 * @param {boolean} enabled
 * @returns {Promise<boolean>} the state now
 */
export const setAutostart = (enabled) => invoke("set_autostart", { enabled });
