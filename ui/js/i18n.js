// Lookup, plurals and {parameters} over the dictionaries in i18n/ (one data module per language,
// both with exactly the same keys). Plurals use ".one"/".other" (Intl.PluralRules) through tn().
// Parameters are written {name}.
import en from "./i18n/en.js";
import es from "./i18n/es.js";

/** The texts of each language by key. @type {Record<string, Record<string, string | undefined>>} */
export const DICTIONARIES = { en, es };
export const LANGUAGES = ["en", "es"];

let current = "en";

/** The language to show: the app's (app_info().uiLanguage: the setting, else the OS language);
 * the web view's language only when the app cannot be asked.
 * @param {string | null | undefined} uiLanguage */
export function resolveLanguage(uiLanguage) {
  if (uiLanguage && DICTIONARIES[uiLanguage]) return uiLanguage;
  const nav = (navigator.languages && navigator.languages[0]) || navigator.language || "en";
  return nav.toLowerCase().startsWith("es") ? "es" : "en";
}

/** @param {string} lang */
export function setLocale(lang) {
  current = DICTIONARIES[lang] ? lang : "en";
  document.documentElement.lang = current;
  mendNavigatorLanguage(current);
}

let navigatorLanguageMended = false;

/**
 * WebKitGTK under the C.UTF-8 locale (the default of many minimal and server installs) tells the
 * page that its language is "C". That is no language tag: Intl throws on it, and the chart
 * library does so as it loads, so no chart would be drawn. The page is then told the UI's
 * language instead.
 * @param {string} lang
 */
function mendNavigatorLanguage(lang) {
  if (!navigatorLanguageMended) {
    try {
      Intl.getCanonicalLocales(navigator.language);
      return;
    } catch {
      navigatorLanguageMended = true;
    }
  }
  Object.defineProperty(navigator, "language", { value: lang, configurable: true });
  Object.defineProperty(navigator, "languages", { value: Object.freeze([lang]), configurable: true });
}

export const locale = () => current;

/** @param {string} key */
export function has(key) {
  return key in DICTIONARIES[current] || key in en;
}

/** The {parameters} of t() and tn(). @typedef {Record<string, string | number | null | undefined>} Params */

/**
 * @param {string} s
 * @param {Params} [params]
 */
function fill(s, params) {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in params && params[k] !== undefined && params[k] !== null ? String(params[k]) : m));
}

/**
 * Translates `key` with {params}; unknown keys show the key (and warn) so gaps are visible.
 * @param {string} key
 * @param {Params} [params]
 * @returns {string}
 */
export function t(key, params) {
  let s = DICTIONARIES[current][key] ?? DICTIONARIES.en[key];
  if (s === undefined) {
    console.warn(`i18n: missing key ${key}`);
    return key;
  }
  return fill(s, params);
}

/** @type {Intl.PluralRules | null} */
let plural = null;
/** @type {string | null} */
let pluralLang = null;

/**
 * Plural form: `${key}.one` / `${key}.other`, with {n} the localized number.
 * @param {string} key
 * @param {number} n
 * @param {Params} [params]
 * @returns {string}
 */
export function tn(key, n, params = {}) {
  if (!plural || pluralLang !== current) {
    plural = new Intl.PluralRules(current);
    pluralLang = current;
  }
  const form = plural.select(n) === "one" ? "one" : "other";
  return t(`${key}.${form}`, { ...params, n: new Intl.NumberFormat(current).format(n) });
}
