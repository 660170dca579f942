//! The allocator's share of an app that runs for weeks. glibc gives every thread that allocates
//! an arena of its own (up to eight per core) and keeps what was freed in each: the bursts of a
//! background pass (a blocking thread per server's keychain read and store write) leave
//! megabytes behind that the process never uses again.

/// Two arenas are enough for a handful of busy threads. Call first thing in `main`, before any
/// other thread exists.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn limit_arenas() {
    // SAFETY: mallopt only changes the allocator's parameters; called before other threads start.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
