/// The app's own commands. Declaring them makes Tauri generate an `allow-<command>` permission
/// for each (underscores become dashes) and deny any command a capability does not grant:
/// capabilities/default.json lists exactly these. Keep in step with
/// `app_invoke_handler!` in src-tauri/commands/mod.rs and docs/commands.md.
const COMMANDS: &[&str] = &[
    "app_info",
    "set_language",
    "dashboard",
    "job_history",
    "log_details",
    "logs",
    "clear_logs",
    "import_files",
    "collect",
    "cancel_collect",
    "test_connection",
    "update_server",
    "set_password",
    "clear_password",
    "retrust_server",
    "delete_server",
    "start_demo",
    "remove_demo",
];

fn main() {
    // The UI is embedded from ui/ (frontendDist); rebuild when any file there changes.
    println!("cargo:rerun-if-changed=ui");
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri-build failed");
}
