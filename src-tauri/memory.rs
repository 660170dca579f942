//! What an app that runs for weeks keeps in memory.
//!
//! The allocator: glibc gives every thread that allocates an arena of its own (up to eight per
//! core) and keeps what was freed in each: the bursts of a background pass (a blocking thread
//! per server's keychain read and store write) leave megabytes behind that the process never
//! uses again. Fewer arenas, and a trim after each pass, give them back.

/// Two arenas are enough for a handful of busy threads. Call first thing in `main`, before any
/// other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas() {
    // SAFETY: mallopt only changes the allocator's parameters; called before other threads start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Gives the system back the heap pages a background pass freed. glibc returns only the top of
/// a heap on its own; what a pass leaves free below it would wait, resident, for the next pass,
/// minutes later (2 MB with 100 servers).
pub fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands free pages of the allocator's heaps back to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The web view runs the UI's scripts on JavaScriptCore's interpreter and baseline JIT. Its
/// optimizing tiers (DFG, and FTL above it) pay off for scripts that run hot for seconds; the
/// pages' scripts are short, and the tiers' compiler and code cost the web process about 5 MB.
/// A value set by the user wins. Call before any other thread exists: WebKit's processes
/// inherit this environment.
#[cfg(target_os = "linux")]
pub fn lean_web_view() {
    const DFG: &str = "JSC_useDFGJIT";
    if std::env::var_os(DFG).is_none() {
        std::env::set_var(DFG, "0");
    }
}
