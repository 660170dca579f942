//! The UI contract has one source of truth, in Rust: the command list (commands/list.rs) and
//! the payload types. These tests keep everything else in step with it:
//! - `ui/js/types.d.ts` is generated from the Rust payload types (ts-rs); the UI's JSDoc uses
//!   it and the JS check runs TypeScript over the UI with it. Regenerate with
//!   `UPDATE_UI_TYPES=1 cargo test -p duplidesk --lib ui_contract`.
//! - `capabilities/default.json`, `docs/commands.md` and `ui/js/api.js` name exactly the
//!   commands of the list.
use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use ts_rs::{Config, TypeVisitor, TS};

use crate::commands::COMMAND_NAMES;

const TYPES_FILE: &str = "ui/js/types.d.ts";

/// Every type a command takes or returns, or an event carries; their dependencies follow.
fn ui_types(out: &mut Declarations<'_>) {
    use duplidesk_core::{collect, dashboard, import, ops, store, Error};
    out.visit::<dashboard::Dashboard>();
    out.visit::<store::LogEntryRow>();
    out.visit::<store::LogDetails>();
    out.visit::<store::ServerSettings>();
    out.visit::<store::TrustedCa>();
    out.visit::<ops::LogsQuery>();
    out.visit::<ops::LogsPage>();
    out.visit::<ops::LogsCount>();
    out.visit::<ops::ClearOptions>();
    out.visit::<ops::Diagnostics>();
    out.visit::<ops::Cleared>();
    out.visit::<store::ClearPreview>();
    out.visit::<ops::Exported>();
    out.visit::<duplidesk_core::logs_file::LogFormat>();
    out.visit::<store::JobTrend>();
    out.visit::<store::StatusTimeline>();
    out.visit::<ops::CollectRequest>();
    out.visit::<ops::TestRequest>();
    out.visit::<ops::TestResult>();
    out.visit::<collect::HostSummary>();
    out.visit::<collect::Progress>();
    out.visit::<import::ImportTarget>();
    out.visit::<crate::commands::logs::ImportedFile>();
    out.visit::<duplidesk_core::watch::MonitorSettings>();
    out.visit::<ops::MonitoredJob>();
    out.visit::<ops::PassReport>();
    out.visit::<crate::commands::app::AppInfo>();
    out.visit::<crate::commands::collect::CollectResult>();
    out.visit::<Error>();
}

/// Collects the TypeScript declaration of each type it visits and of their dependencies.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return; // a built-in type, or done already
        }
        let docs = T::docs().map(|d| format!("{}\n", d.trim_end())).unwrap_or_default();
        self.decls.insert(T::ident(self.cfg), format!("{docs}export {}", T::decl(self.cfg)));
        T::visit_dependencies(self);
    }
}

fn generated_types() -> String {
    // Every number in the payloads is a JSON number (Unix seconds, ids, counts, bytes < 2^53).
    let cfg = Config::new().with_large_int("number");
    let mut out = Declarations { cfg: &cfg, seen: HashSet::new(), decls: BTreeMap::new() };
    ui_types(&mut out);
    let mut text = String::from(
        "// The payloads of the app's commands and events, generated from the Rust types by\n\
         // src-tauri/ui_contract.rs. Do not edit: change the Rust type, then run\n\
         // UPDATE_UI_TYPES=1 cargo test -p duplidesk --lib ui_contract\n\n",
    );
    for decl in out.decls.values() {
        text.push_str(decl);
        text.push_str("\n\n");
    }
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

fn repo_file(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn commands() -> BTreeSet<String> {
    COMMAND_NAMES.iter().map(|c| c.to_string()).collect()
}

#[test]
fn the_ui_types_are_generated_from_the_rust_types() {
    let generated = generated_types();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(TYPES_FILE);
    if std::env::var_os("UPDATE_UI_TYPES").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{TYPES_FILE} is out of date with the Rust payload types: run UPDATE_UI_TYPES=1 cargo test -p duplidesk --lib ui_contract"
    );
}

#[test]
fn the_capability_grants_exactly_the_app_commands() {
    let capability: serde_json::Value = serde_json::from_str(&repo_file("capabilities/default.json")).unwrap();
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(granted, commands(), "capabilities/default.json vs commands/list.rs");
}

#[test]
fn docs_and_the_ui_api_name_exactly_the_app_commands() {
    let docs = repo_file("docs/commands.md");
    let documented: BTreeSet<String> = docs
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .map(str::to_owned)
        .filter(|name| !name.contains(':'))
        .collect();
    assert_eq!(documented, commands(), "docs/commands.md vs commands/list.rs");

    let api = repo_file("ui/js/api.js");
    let invoked: BTreeSet<String> = api.split("invoke(\"").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect();
    assert_eq!(invoked, commands(), "ui/js/api.js vs commands/list.rs");
}

/// The texts of a dictionary module (`ui/js/i18n/<lang>.js`: one `"key": "text",` a line).
fn dictionary(lang: &str) -> BTreeMap<String, String> {
    repo_file(&format!("ui/js/i18n/{lang}.js"))
        .lines()
        .filter_map(|l| {
            let (key, text) = l.trim().strip_prefix('"')?.split_once("\": \"")?;
            Some((key.to_owned(), text.strip_suffix("\",")?.replace("\\\"", "\"")))
        })
        .collect()
}

/// `{placeholders}` of a text, sorted.
fn placeholders(text: &str) -> Vec<&str> {
    let mut p: Vec<&str> = text.split('{').skip(1).filter_map(|r| r.split_once('}').map(|(name, _)| name)).collect();
    p.sort_unstable();
    p
}

#[test]
fn both_dictionaries_have_the_same_keys_and_placeholders() {
    let (en, es) = (dictionary("en"), dictionary("es"));
    assert!(en.len() > 300, "the dictionary is read: {} keys", en.len());
    let missing_es: Vec<&String> = en.keys().filter(|k| !es.contains_key(*k)).collect();
    let missing_en: Vec<&String> = es.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing_es.is_empty() && missing_en.is_empty(), "only in en: {missing_es:?}; only in es: {missing_en:?}");
    for (key, text) in &en {
        assert_eq!(placeholders(text), placeholders(&es[key]), "{key}");
    }
}

/// Spanish follows the words of duplistatus's Spanish documentation, which people coming from
/// it know; no older word for "collect" is left.
#[test]
fn spanish_uses_the_duplistatus_vocabulary() {
    let es = dictionary("es");
    for (key, text) in [
        ("toolbar.collect", "Recopilar logs de backup"),
        ("collect.title", "Recopilar logs de backup"),
        ("collect.submit", "Recopilar backups"),
        ("toolbar.collectAll", "Recopilar todo"),
        ("settings.collectAll", "Recopilar todo"),
        ("collect.saveJson", "Descargar datos JSON recopilados"),
        ("settings.servers", "Configuración de servidores"),
        ("settings.tabServers", "Configuración de servidores"),
        ("settings.tabMonitoring", "Monitoreo de backups"),
        ("nav.settings", "Configuración"),
    ] {
        assert_eq!(es[key], text, "{key}");
    }
    for (key, text) in &es {
        let lower = text.to_lowercase();
        assert!(!["recog", "recoj", "recolec"].iter().any(|w| lower.contains(w)), "{key}: {text}");
    }
}
