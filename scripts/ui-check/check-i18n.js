// Checks that the UI's dictionaries agree: every language in ui/js/i18n/ has exactly the keys of
// English (en.js), every text is a non-empty string with the same {placeholders} as the English
// one (plural forms .one/.other are keys like any other), and every ".one" has its ".other".
// Quiet when they agree; otherwise names the offending keys and exits 1.
//   node scripts/ui-check/check-i18n.js [dictionary folder]
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REFERENCE = "en";
const dir = process.argv[2] ?? fileURLToPath(new URL("../../ui/js/i18n/", import.meta.url));
const shown = (p) => path.relative(process.cwd(), p) || ".";

/** A dictionary module's default export. Imported as a data: URL, which is always an ES module,
 * whatever package.json (or none) sits near the file. */
async function load(file) {
  const src = readFileSync(file, "utf8");
  let mod;
  try {
    mod = await import(`data:text/javascript;base64,${Buffer.from(src).toString("base64")}`);
  } catch (e) {
    throw new Error(`${shown(file)} could not be loaded: ${e.message}`);
  }
  if (!mod.default || typeof mod.default !== "object") throw new Error(`${shown(file)} has no default export of an object`);
  return mod.default;
}

/** The sorted, distinct {placeholders} of a text (the same pattern i18n.js fills). */
const placeholders = (text) => [...new Set(Array.from(text.matchAll(/\{(\w+)\}/g), (m) => m[1]))].sort();
const list = (names) => (names.length ? names.map((n) => `{${n}}`).join(" ") : "none");

const files = readdirSync(dir)
  .filter((f) => f.endsWith(".js"))
  .sort();
const dicts = {};
try {
  for (const f of files) dicts[path.basename(f, ".js")] = await load(path.join(dir, f));
} catch (e) {
  console.error(`check-i18n: ${e.message}`);
  process.exit(1);
}
if (!dicts[REFERENCE]) {
  console.error(`check-i18n: no ${REFERENCE}.js in ${shown(dir)}`);
  process.exit(1);
}

const problems = [];
const report = (what, keys) => {
  if (keys.length) problems.push(`${what}:\n${keys.map((k) => `    ${k}`).join("\n")}`);
};
const ref = dicts[REFERENCE];
const refKeys = Object.keys(ref);

for (const [lang, dict] of Object.entries(dicts)) {
  const keys = Object.keys(dict);
  report(
    `${lang}.js: texts that are not a non-empty string`,
    keys.filter((k) => typeof dict[k] !== "string" || dict[k].trim() === ""),
  );
  report(
    `${lang}.js: plural forms ".one" without ".other"`,
    keys.filter((k) => k.endsWith(".one") && !(`${k.slice(0, -4)}.other` in dict)),
  );
  if (lang === REFERENCE) continue;
  report(`${lang}.js lacks keys that ${REFERENCE}.js has`, refKeys.filter((k) => !(k in dict)));
  report(`${lang}.js has keys that ${REFERENCE}.js lacks`, keys.filter((k) => !(k in ref)));
  report(
    `${lang}.js: placeholders differ from ${REFERENCE}.js`,
    keys
      .filter((k) => k in ref && typeof dict[k] === "string" && typeof ref[k] === "string")
      .filter((k) => placeholders(dict[k]).join() !== placeholders(ref[k]).join())
      .map((k) => `${k}: ${REFERENCE} ${list(placeholders(ref[k]))}, ${lang} ${list(placeholders(dict[k]))}`),
  );
}

if (problems.length) {
  console.error(`check-i18n: the dictionaries in ${shown(dir)} disagree.\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
