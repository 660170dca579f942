fn main() {
    // The UI is embedded from ui/ (frontendDist); rebuild when any file there changes.
    println!("cargo:rerun-if-changed=ui");
    tauri_build::build();
}
