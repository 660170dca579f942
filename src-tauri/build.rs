/// Reads the one command list (src-tauri/commands/list.rs): Tauri generates an
/// `allow-<command>` permission for each (underscores become dashes) and denies any command a
/// capability does not grant.
macro_rules! app_commands {
    ($($module:ident :: $command:ident),* $(,)?) => {
        const COMMANDS: &[&str] = &[$(stringify!($command)),*];
    };
}

include!("commands/list.rs");

fn main() {
    // The UI is embedded from ui/ (frontendDist); rebuild when any file there changes.
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-changed=src-tauri/commands/list.rs");
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri-build failed");
}
