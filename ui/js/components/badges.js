// Small presentational pieces: status chips, protocol badges, fingerprints, error boxes.
// Colour always comes with a text label (never colour alone).
import { h, copyText } from "../dom.js";
import { icon } from "../icons.js";
import { t, has } from "../i18n.js";
import { toast } from "./toast.js";
import { formatDateTimeLong, formatRelative, isDate } from "../format.js";
/** @import { Protocol, Status } from "../types" */

/**
 * An error to show: a command's rejection (CommandError), a result's AppError, or a stored error
 * code with its message (any code: the texts fall back to the engine's words).
 * @typedef {{ code: string, message: string, hint: string }} ShownError
 */

/** @type {Status[]} */
export const STATUSES = ["completed", "warning", "error", "stopped", "started", "running", "overdue", "connection", "info"];

/** @param {Status} status */
export function statusLabel(status) {
  return has(`status.${status}`) ? t(`status.${status}`) : String(status ?? "");
}

/**
 * A chip: coloured dot + localized label. `status` null → "No runs yet".
 * @param {Status | null | undefined} status
 */
export function statusChip(status, extraClass = "") {
  if (!status) return h("span", { class: `chip chip-none ${extraClass}` }, h("span", { class: "dot", "aria-hidden": "true" }), t("status.none"));
  return h(
    "span",
    { class: `chip st-${status} ${extraClass}`, "data-status": status },
    h("span", { class: "dot", "aria-hidden": "true" }),
    statusLabel(status),
  );
}

/**
 * The operation type (Backup, Compact, …, System), localized when known.
 * @param {string} type
 */
export function opLabel(type) {
  if (!type) return "—";
  return has(`op.${type}`) ? t(`op.${type}`) : type;
}

/** The colour of each status, as the stylesheet's variable. @type {Record<Status, string>} */
export const STATUS_VAR = {
  completed: "--ok",
  warning: "--warn",
  error: "--err",
  stopped: "--stop",
  started: "--run",
  running: "--run",
  overdue: "--warn",
  connection: "--conn",
  info: "--info",
};

const SQUARE_PX = 10;
const SQUARE_STEP_PX = 13;

/**
 * The last runs' statuses (oldest → newest) as small squares; slots reserved so rows align.
 * One element painted with a gradient, not an element per square: a dashboard of a thousand
 * jobs would otherwise hold ten thousand more elements, and building and taking them down is
 * what made it slow to open and to leave.
 * @param {Status[]} statuses
 */
export function recentStrip(statuses, slots = 10) {
  const list = statuses ?? [];
  const label = list.length ? t("dash.recentAria", { list: list.map(statusLabel).join(", ") }) : t("dash.recentNone");
  const strip = h("span", { class: "strip", role: "img", "aria-label": label, title: label, "data-statuses": list.join(" ") });
  const empty = slots - list.length;
  const stops = [];
  for (let i = 0; i < slots; i++) {
    const color = i < empty ? "var(--border)" : `var(${STATUS_VAR[list[i - empty]] ?? "--info"})`;
    const x = i * SQUARE_STEP_PX;
    stops.push(`${color} ${x}px ${x + SQUARE_PX}px`, `transparent ${x + SQUARE_PX}px ${x + SQUARE_STEP_PX}px`);
  }
  strip.style.width = `${slots * SQUARE_STEP_PX - (SQUARE_STEP_PX - SQUARE_PX)}px`;
  strip.style.backgroundImage = `linear-gradient(to right, ${stops.join(", ")})`;
  return strip;
}

/**
 * Protocol badge: verified HTTPS (lock), self-signed HTTPS (shield), plain HTTP (warning).
 * @param {Protocol | null | undefined} protocol
 */
export function protocolBadge(protocol) {
  if (protocol === "https")
    return h("span", { class: "badge badge-https", title: t("proto.httpsTip"), "data-protocol": protocol }, icon("lock", 12), t("proto.https"));
  if (protocol === "https-self-signed")
    return h("span", { class: "badge badge-selfsigned", title: t("proto.selfSignedTip"), "data-protocol": protocol }, icon("shield", 12), t("proto.selfSigned"));
  if (protocol === "http")
    return h("span", { class: "badge badge-http", title: t("proto.httpTip"), "data-protocol": protocol }, icon("unlock", 12), t("proto.http"));
  return null;
}

export function demoBadge() {
  return h("span", { class: "badge badge-demo", title: t("demo.badgeTip") }, t("demo.badge"));
}

/**
 * A SHA-256 fingerprint: monospace, wrapped, with a copy button.
 * @param {string | null} sha
 */
export function fingerprint(sha, label = t("proto.fingerprint")) {
  if (!sha) return null;
  const copyBtn = h(
    "button",
    {
      type: "button",
      class: "icon-btn icon-btn-sm",
      "aria-label": t("common.copyFingerprint"),
      title: t("common.copy"),
      "data-testid": "copy-fingerprint",
      onClick: async () => {
        const ok = await copyText(sha);
        toast(ok ? t("common.copied") : t("common.copyFailed"), { kind: ok ? "success" : "error" });
      },
    },
    icon("copy", 14),
  );
  return h(
    "div",
    { class: "fingerprint" },
    h("div", { class: "fingerprint-label" }, label),
    h("div", { class: "fingerprint-row" }, h("code", { class: "mono fingerprint-value", "data-testid": "fingerprint" }, sha), copyBtn),
  );
}

/**
 * Localized sentence for an error code, falling back to the engine's message.
 * @param {ShownError | null} err
 * @param {string | null} [host]
 */
export function errorSentence(err, host) {
  if (!err) return "";
  const key = `err.${err.code}.title`;
  if (!has(key)) return err.message || t("err.unknown.title");
  if (host) return t(key, { host });
  // No host known: "the server refused…" must start with a capital.
  const s = t(key, { host: t("common.theServer") });
  return s.charAt(0).toLocaleUpperCase() + s.slice(1);
}

/**
 * @param {ShownError | null} err
 * @param {string | null} [host]
 */
export function errorHint(err, host) {
  if (!err) return "";
  // For invalid input the engine's sentence says exactly what is wrong: more useful than a
  // generic hint. (A collection already running and a server that no longer exists are not
  // invalid input: they have codes and texts of their own, busy and not_found.)
  if (err.code === "invalid_input" && err.message) return err.message;
  const key = `err.${err.code}.hint`;
  return has(key) ? t(key, { host: host || t("common.theServer") }) : err.hint || "";
}

/**
 * @overload
 * @param {ShownError} err
 * @param {string | null} [host]
 * @param {{ compact?: boolean }} [options]
 * @returns {HTMLDivElement}
 */
/**
 * @overload
 * @param {ShownError | null} err
 * @param {string | null} [host]
 * @param {{ compact?: boolean }} [options]
 * @returns {HTMLDivElement | null}
 */
/**
 * Error block: localized sentence + hint, the engine's own words in a "Details" disclosure.
 * @param {ShownError | null} err
 * @param {string | null} [host]
 * @param {{ compact?: boolean }} [options]
 */
export function errorBox(err, host, { compact = false } = {}) {
  if (!err) return null;
  const details = [err.message, err.hint].filter(Boolean);
  return h(
    "div",
    { class: `error-box ${compact ? "compact" : ""}`, role: "alert", "data-error-code": err.code },
    icon("alert", 16, "error-box-icon"),
    h(
      "div",
      { class: "error-box-text" },
      h("div", { class: "error-sentence" }, errorSentence(err, host)),
      errorHint(err, host) ? h("div", { class: "error-hint" }, errorHint(err, host)) : null,
      details.length
        ? h(
            "details",
            { class: "error-details" },
            h("summary", null, t("common.details")),
            h("div", { class: "error-details-body" }, ...details.map((d) => h("p", null, d)), h("p", { class: "muted mono" }, err.code)),
          )
        : null,
    ),
  );
}

/**
 * <time> kept relative by the app's ticker ("2 hours ago"), the full date in its tooltip.
 * @param {number | null} ts Unix seconds
 */
export function relTime(ts, cls = "") {
  if (!isDate(ts)) return h("span", { class: `muted ${cls}` }, "—");
  return h("time", { class: cls, "data-rel": String(ts), datetime: new Date(ts * 1000).toISOString(), title: formatDateTimeLong(ts) }, formatRelative(ts));
}
