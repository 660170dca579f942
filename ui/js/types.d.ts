// The payloads of the app's commands and events, generated from the Rust types by
// src-tauri/ui_contract.rs. Do not edit: change the Rust type, then run
// UPDATE_UI_TYPES=1 cargo test -p duplidesk --lib ui_contract

/**
 * An engine error: `code` for machines, `message` and `hint` for people.
 */
export type AppError = { code: ErrorCode, message: string, hint: string, };

export type AppInfo = { version: string, dataDir: string, keychain: KeychainStatus, 
/**
 * The stored choice: "en", "es", or null to follow the OS.
 */
language: string | null, 
/**
 * The language to show now: the stored choice, else the OS language.
 */
uiLanguage: string, demo: DemoStatus, 
/**
 * Why the local database could not be opened (then every data command fails with it).
 */
storeError: AppError | null, 
/**
 * Whether a collection is running now (`collect://running` tells the changes).
 */
collecting: boolean, };

/**
 * "Clear backup logs": every entry except those of jobs running now (entries of deleted
 * servers and jobs included); with `olderThanDays`, only entries older than that.
 */
export type ClearOptions = { olderThanDays?: number | null, };

/**
 * What "Clear backup logs" would remove, asked before it does.
 */
export type ClearPreview = { 
/**
 * The entries that would be deleted.
 */
entries: number, 
/**
 * The entries kept because their job is running right now.
 */
keptRunning: number, 
/**
 * The names of the jobs running right now.
 */
runningJobs: Array<string>, };

export type Cleared = { deleted: number, 
/**
 * Entries kept because their job is running now.
 */
keptRunning: number, };

/**
 * What to collect. With `hosts`: those hosts (`port` for hosts naming none, default 8200)
 * with the typed `password`; a host collected the first time becomes a configured server.
 * With `server_ids`: those servers. `all`, or neither: every configured server. Configured
 * servers use the keychain's password unless one is typed (the demo server needs none).
 */
export type CollectRequest = { 
/**
 * Comma-separated hosts (`nas.local,192.168.1.23:8300,[fd00::5]`).
 */
hosts?: string | null, port?: number | null, 
/**
 * Typed password; saved in the keychain once it worked. Empty = the keychain's.
 */
password?: string | null, serverIds?: Array<number> | null, all?: boolean, 
/**
 * Keep what was collected so it can be saved as JSON (`HostSummary::export`).
 */
saveJson?: boolean, 
/**
 * The user allows plain HTTP for hosts met for the first time that speak no TLS (their
 * password then travels unencrypted); see `ErrorCode::PlainHttp`.
 */
allowHttp?: boolean, };

export type CollectResult = { hosts: Array<HostSummary>, 
/**
 * Paths of the JSON files written.
 */
saved: Array<string>, };

/**
 * The server as reported in a summary.
 */
export type CollectedServer = { id: number, name: string, machineId: string | null, url: string, protocol: Protocol, certificateSha256: string | null, 
/**
 * The pinned fingerprint is the issuing authority's (e.g. "Duplicati Local CA").
 */
certificateIsIssuer: boolean, version: string, };

export type Dashboard = { summary: DashboardSummary, servers: Array<Server>, };

export type DashboardSummary = { servers: number, 
/**
 * Jobs the servers still list (`present`).
 */
jobs: number, 
/**
 * Present jobs whose last run ended in `error`.
 */
failedLastRuns: number, 
/**
 * Servers never collected, or last collected more than 24 h ago.
 */
notCollectedLately: number, 
/**
 * Watched jobs whose planned run has not arrived (see `watch::judge`).
 */
overdue: number, };

export type DemoStatus = { running: boolean, serverId: number | null, url: string | null, };

/**
 * Stable error codes. Never rename a variant: scripts and the UI match on them.
 */
export type ErrorCode = "dns_failed" | "connection_refused" | "timeout" | "tls_error" | "plain_http" | "certificate_changed" | "auth_failed" | "host_rejected" | "not_duplicati" | "unsupported_version" | "server_error" | "invalid_response" | "keychain_unavailable" | "store_error" | "io_error" | "cancelled" | "busy" | "not_found" | "invalid_input";

/**
 * An export of the Backup Logs.
 */
export type Exported = { path: string, entries: number, };

/**
 * The result of one host.
 */
export type HostSummary = { host: string, ok: boolean, server: CollectedServer | null, new: number, skipped: number, errors: number, durationMs: number, error: AppError | null, 
/**
 * Things worth knowing that did not fail the host (e.g. the keychain was unavailable).
 */
notes: Array<string>, };

export type ImportSummary = { file: string, 
/**
 * The server's name as the file gives it (cleaned).
 */
server: string, 
/**
 * The server the entries went to (`None` when nothing was imported).
 */
serverId: number | null, jobs: number, new: number, skipped: number, 
/**
 * Log rows (and jobs) that could not be read, left out.
 */
invalidRows: number, 
/**
 * The file does not prove which server it came from (no machine-id) and no target was
 * given: nothing was imported. Import it again with an [`ImportTarget`].
 */
needsServer: boolean, };

/**
 * Which server the entries of a file that names no machine-id go to.
 */
export type ImportTarget = { "kind": "newServer" } | { "kind": "server", id: number, };

/**
 * One file of an import: what was imported, or why not.
 */
export type ImportedFile = { path: string, summary: ImportSummary | null, error: AppError | null, };

export type Job = { id: number, backupId: string, name: string, description: string | null, 
/**
 * False when the server no longer lists the job.
 */
present: boolean, 
/**
 * The next scheduled run (Unix seconds), when the job has a schedule.
 */
nextRun: number | null, 
/**
 * Duplicati's repeat interval, e.g. `1D`, `1W`, `12h`.
 */
repeat: string | null, 
/**
 * The job's newest run (a backup or a sync; listings, tests and other operations are in
 * its history, not here).
 */
last: LogEntry | null, 
/**
 * Statuses of the newest ≤ 10 runs, oldest → newest.
 */
recent: Array<Status>, 
/**
 * `Backup`, or `Sync` (a Duplicati 2.3 sync job, known from its metadata only).
 */
operationType: string, 
/**
 * The task of this job running on the server at the last collection.
 */
running: RunningTask | null, 
/**
 * Whether the background watch reports it.
 */
monitored: boolean, 
/**
 * The planned run it missed, while it is overdue.
 */
overdueSince: number | null, };

/**
 * One job's runs in the timeline's period, oldest first.
 */
export type JobTimeline = { jobId: number, serverId: number, job: string, 
/**
 * The server's alias, else its name.
 */
server: string, dates: Array<number>, statuses: Array<Status>, };

/**
 * A job's runs for its charts, oldest first, one column per measure (the shape a chart
 * draws from, and the smallest to send).
 */
export type JobTrend = { jobId: number, 
/**
 * Unix seconds.
 */
dates: Array<number>, statuses: Array<Status>, durationS: Array<number | null>, 
/**
 * The size of the files the backup examined.
 */
sizeBytes: Array<number | null>, uploadedBytes: Array<number | null>, filesExamined: Array<number | null>, 
/**
 * Files added, modified and deleted.
 */
filesChanged: Array<number | null>, };

export type KeychainStatus = { available: boolean, 
/**
 * Why there is none.
 */
message: string | null, };

/**
 * The full context of an entry, as stored.
 */
export type LogDetails = { 
/**
 * Duplicati's result JSON, or the text it sent.
 */
text: string, 
/**
 * When the details were longer than the store keeps: their size in bytes as Duplicati
 * sent them (lists keep their first items and a `<name>CutFrom` count).
 */
cutFrom: number | null, };

/**
 * One row of the Backup Logs list.
 */
export type LogEntry = { id: number, 
/**
 * Unix seconds (UTC).
 */
date: number, status: Status, type: string, server: string, job: string | null, message: string, durationS: number | null, sizeBytes: number | null, uploadedBytes: number | null, warnings: number, errors: number, serverId: number | null, jobId: number | null, };

/**
 * The format of an export.
 */
export type LogFormat = "csv" | "json";

/**
 * The Backup Logs counter.
 */
export type LogsCount = { 
/**
 * Entries matching the filters.
 */
matching: number, 
/**
 * Entries in the store.
 */
total: number, };

/**
 * One page of entries, newest first.
 */
export type LogsPage = { rows: Array<LogEntry>, 
/**
 * More entries match after this page.
 */
more: boolean, };

/**
 * The Backup Logs filters as the UI sends them. `fromDay` and `toDay` are days
 * (`YYYY-MM-DD`) in this computer's time zone; `toDay` includes its whole day. `limit` 0 or
 * absent = all.
 */
export type LogsQuery = { fromDay?: string | null, toDay?: string | null, statuses?: Array<Status>, server?: string | null, job?: string | null, opType?: string | null, 
/**
 * Text the message contains.
 */
search?: string | null, limit?: number | null, offset?: number | null, };

/**
 * How Duplidesk watches in the background (stored as one JSON setting).
 */
export type MonitorSettings = { 
/**
 * Minutes between background collections of every server; 0 turns them off.
 */
intervalMin: number, 
/**
 * Minutes a scheduled run may be late before its job is overdue.
 */
overdueToleranceMin: number, 
/**
 * Hours a task may run before it is reported as long-running…
 */
runningFirstH: number, 
/**
 * …and again every so many hours after that.
 */
runningEveryH: number, notify: NotifySettings, 
/**
 * Whether the user was already asked about starting at login (asked once, on first run).
 */
autostartAsked: boolean, };

/**
 * A job as the Backup Monitoring page shows it.
 */
export type MonitoredJob = { jobId: number, job: string, serverId: number, server: string, operationType: string, 
/**
 * Duplicati's repeat (`1D`, `1W`, `12h`), `None` for a job run by hand.
 */
repeat: string | null, 
/**
 * Roughly how long between runs, in seconds.
 */
intervalS: number | null, 
/**
 * When its newest run ended.
 */
lastRun: number | null, 
/**
 * Since when a task of it has been seen running.
 */
runningSince: number | null, monitored: boolean, 
/**
 * When its server was last collected (checked), successfully or not.
 */
serverCheckedAt: number | null, 
/**
 * The planned run the job is expected to have made by now, if it has a schedule.
 */
lastDue: number | null, 
/**
 * The next planned run, if it has a schedule.
 */
nextDue: number | null, 
/**
 * Since which planned run it is overdue (`None`: it is not).
 */
overdueSince: number | null, };

/**
 * A desktop notification to show.
 */
export type Notice = { status: Status, 
/**
 * `server: job` (or the server alone), or for a summary how many.
 */
title: string, body: string, 
/**
 * The entry a click opens; `None` for a summary (a click opens Backup Logs).
 */
entryId: number | null, 
/**
 * For a summary: how many events on how many servers (front ends word it in their language).
 */
summaryOf: [number, number] | null, };

/**
 * Which kinds of event show a desktop notification.
 */
export type NotifySettings = { started: boolean, stopped: boolean, completed: boolean, warning: boolean, error: boolean, connection: boolean, running: boolean, overdue: boolean, };

/**
 * What one background pass did.
 */
export type PassReport = { 
/**
 * The servers collected (those due; the others wait for their interval or back-off).
 */
hosts: Array<HostSummary>, 
/**
 * Another collection was running (the user's): this pass collected nothing.
 */
busy: boolean, 
/**
 * The entries the pass made, oldest first.
 */
entries: Array<LogEntry>, 
/**
 * The notifications it decided on (already handed to the listener).
 */
notices: Array<Notice>, };

/**
 * Progress of a collection, for progress lines and the UI.
 */
export type Progress = { "kind": "started", host: string, } | { "kind": "connected", host: string, server: string, protocol: Protocol, } | { "kind": "job", host: string, job: string, rows: number, } | { "kind": "finished", host: string, ok: boolean, new: number, };

/**
 * How a server was reached.
 */
export type Protocol = "https" | "https-self-signed" | "http";

/**
 * A job's task seen running.
 */
export type RunningTask = { 
/**
 * Since when it has been seen running (Unix seconds).
 */
since: number, 
/**
 * Duplicati's phase name (e.g. `Backup_ProcessingFiles`), when known.
 */
phase: string | null, 
/**
 * 0..1, when known.
 */
progress: number | null, 
/**
 * It has run past the long-running threshold.
 */
long: boolean, };

export type Server = { id: number, name: string, alias: string | null, displayName: string, note: string | null, host: string, port: number, url: string | null, protocol: Protocol | null, certSha256: string | null, 
/**
 * The pinned fingerprint is the issuing authority's (e.g. "Duplicati Local CA").
 */
certIsIssuer: boolean, version: string | null, lastCollectAt: number | null, lastOk: boolean | null, lastErrorCode: string | null, lastErrorMessage: string | null, isDemo: boolean, 
/**
 * Whether the keychain holds a password for it (false without a keychain); see
 * [`Dashboard::fill_passwords`].
 */
hasPassword: boolean, 
/**
 * Whether collecting it needs a typed password: none is saved and it is not the demo
 * (whose password the engine knows).
 */
needsPassword: boolean, jobs: Array<Job>, };

/**
 * What the user edits in Server Settings.
 */
export type ServerSettings = { alias?: string | null, note?: string | null, host: string, port: number, };

/**
 * The status of a log entry, and where it comes from.
 */
export type Status = "completed" | "warning" | "error" | "stopped" | "started" | "running" | "overdue" | "connection" | "info";

/**
 * Every job's runs in a period, for the dashboard's status timeline.
 */
export type StatusTimeline = { 
/**
 * Unix seconds: the period is `[from, to)`.
 */
from: number, to: number, jobs: Array<JobTimeline>, };

/**
 * What to test: a configured server (its address, protocol, pin and saved password, each
 * replaced by what is typed), or a typed host and password.
 */
export type TestRequest = { serverId?: number | null, host?: string | null, port?: number | null, password?: string | null, 
/**
 * See `CollectRequest::allow_http`.
 */
allowHttp?: boolean, };

export type TestResult = { ok: boolean, protocol: Protocol | null, url: string | null, 
/**
 * The certificate the server shows now (HTTPS only), or its issuing authority's.
 */
certificateSha256: string | null, certificateIsIssuer: boolean, 
/**
 * The certificate pinned for this server, if any.
 */
pinnedSha256: string | null, version: string | null, name: string | null, error: AppError | null, };

export type TrustedCa = { 
/**
 * SHA-256 of the DER certificate (`AB:CD:…`).
 */
fingerprint: string, 
/**
 * The file it was imported from.
 */
label: string, addedAt: number, };
