// Formatting only: dates (Unix seconds), numbers, sizes (bytes) and durations (seconds) for the
// current language. No business rules live here.
import { locale, t } from "./i18n.js";

/** @type {Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>} */
const cache = new Map();
/**
 * @overload
 * @param {"num"} kind
 * @param {Intl.NumberFormatOptions} [opts]
 * @returns {Intl.NumberFormat}
 */
/**
 * @overload
 * @param {"date"} kind
 * @param {Intl.DateTimeFormatOptions} opts
 * @returns {Intl.DateTimeFormat}
 */
/**
 * @overload
 * @param {"rel"} kind
 * @param {Intl.RelativeTimeFormatOptions} opts
 * @returns {Intl.RelativeTimeFormat}
 */
/**
 * A cached Intl formatter of `kind` for the current language.
 * @param {"num" | "date" | "rel"} kind
 * @param {object} [opts]
 */
function formatter(kind, opts = {}) {
  const key = `${locale()}|${kind}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    const lang = locale();
    if (kind === "num") f = new Intl.NumberFormat(lang, opts);
    else if (kind === "date") f = new Intl.DateTimeFormat(lang, opts);
    else f = new Intl.RelativeTimeFormat(lang, opts);
    cache.set(key, f);
  }
  return f;
}

const DASH = "—";
/**
 * @param {unknown} v
 * @returns {v is number} a finite number
 */
const isNum = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * Whether Unix seconds `v` are a date JavaScript can show (±275,000 years around 1970):
 * formatting anything else throws, and one bad date must not take a whole view with it.
 * @param {unknown} v
 * @returns {v is number}
 */
export const isDate = (v) => isNum(v) && Math.abs(v) <= 8.64e12;

/**
 * @param {number | null | undefined} n
 * @param {Intl.NumberFormatOptions} [opts]
 */
export function formatNumber(n, opts) {
  return isNum(n) ? formatter("num", opts).format(n) : DASH;
}

/**
 * "21 Nov 2025, 14:03" (localized).
 * @param {number | null | undefined} ts Unix seconds
 */
export function formatDateTime(ts) {
  if (!isDate(ts)) return DASH;
  return formatter("date", { dateStyle: "medium", timeStyle: "short" }).format(new Date(ts * 1000));
}

/**
 * With seconds, for detail views.
 * @param {number | null | undefined} ts Unix seconds
 */
export function formatDateTimeLong(ts) {
  if (!isDate(ts)) return DASH;
  return formatter("date", { dateStyle: "full", timeStyle: "medium" }).format(new Date(ts * 1000));
}

/**
 * "2 hours ago" / "in 3 days" / "hace 2 horas" (Intl.RelativeTimeFormat).
 * @param {number | null | undefined} ts Unix seconds
 */
export function formatRelative(ts, nowMs = Date.now()) {
  if (!isDate(ts)) return DASH;
  const diff = ts - nowMs / 1000; // seconds, negative = past
  const abs = Math.abs(diff);
  const rtf = formatter("rel", { numeric: "auto" });
  if (abs < 45) return rtf.format(0, "second");
  if (abs < 45 * 60) return rtf.format(Math.round(diff / 60), "minute");
  if (abs < 22 * 3600) return rtf.format(Math.round(diff / 3600), "hour");
  if (abs < 26 * 86400) return rtf.format(Math.round(diff / 86400), "day");
  if (abs < 320 * 86400) return rtf.format(Math.round(diff / (30.44 * 86400)), "month");
  return rtf.format(Math.round(diff / (365.25 * 86400)), "year");
}

const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/**
 * 1024-based sizes with localized numbers: "512 B", "1.5 MB", "1,5 MB".
 * @param {number | null | undefined} n bytes
 */
export function formatBytes(n) {
  if (!isNum(n)) return DASH;
  let v = Math.abs(n);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 ? 0 : v < 10 ? 1 : v < 100 ? 1 : 0;
  const sign = n < 0 ? "-" : "";
  return `${sign}${formatNumber(v, { maximumFractionDigits: digits })} ${BYTE_UNITS[i]}`;
}

/**
 * "3 min 27 s", "2 h 5 min", "1 d 4 h", "< 1 s".
 * @param {number | null | undefined} s seconds
 */
export function formatDuration(s) {
  if (!isNum(s) || s < 0) return DASH;
  if (s < 1) return t("dur.lt1s");
  const total = Math.round(s);
  const d = Math.floor(total / 86400);
  const hrs = Math.floor((total % 86400) / 3600);
  const min = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  /** @type {(key: string, n: number) => string} */
  const part = (key, n) => t(key, { n: formatNumber(n) });
  if (d > 0) return [part("dur.d", d), hrs ? part("dur.h", hrs) : ""].filter(Boolean).join(" ");
  if (hrs > 0) return [part("dur.h", hrs), min ? part("dur.min", min) : ""].filter(Boolean).join(" ");
  if (min > 0) return [part("dur.min", min), sec ? part("dur.s", sec) : ""].filter(Boolean).join(" ");
  return part("dur.s", sec);
}

/**
 * Pretty-prints details: indented JSON when it parses, the text as-is otherwise.
 * @param {string | null | undefined} text
 */
export function prettyDetails(text) {
  if (text === null || text === undefined) return null;
  try {
    const parsed = JSON.parse(text);
    if (parsed !== null && typeof parsed === "object") return JSON.stringify(parsed, null, 2);
  } catch {
    /* not JSON */
  }
  return String(text);
}
