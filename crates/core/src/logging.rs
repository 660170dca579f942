//! The diagnostic log: what the app and the command line did, in daily files in the OS's log
//! folder, for the user to read or attach to a bug report.
//!
//! - Where: [`default_log_dir`] (`DUPLIDESK_LOG_DIR` overrides it); one file a day per front end,
//!   `duplidesk-app.YYYY-MM-DD.log` and `duplidesk-cli.YYYY-MM-DD.log` (UTC dates), the last
//!   [`KEPT_FILES`] of each kept.
//! - What: Duplidesk's own events at `info` and above (`DUPLIDESK_LOG=debug` or `trace` for
//!   more), other libraries' warnings and errors only, whatever `DUPLIDESK_LOG` says: their
//!   detail levels could print what went over the wire.
//! - Never a secret: no event carries a password, and every line is passed through
//!   [`crate::redact::redact_urls_in_text`] before it is written, so a URL's credentials quoted in
//!   an error text do not reach the file either. The folder is private to the user (`0700`), as
//!   the store's is.
//!
//! Files are written as each event happens (no background thread), so nothing is lost when the
//! process exits or crashes; a panic is logged before the process ends.
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tracing::level_filters::LevelFilter;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::Layer;

/// Environment variable overriding the log folder.
pub const ENV_LOG_DIR: &str = "DUPLIDESK_LOG_DIR";
/// Environment variable setting how much Duplidesk logs: `error`, `warn`, `info` (default),
/// `debug`, `trace` or `off`.
pub const ENV_LOG_LEVEL: &str = "DUPLIDESK_LOG";
/// Daily files kept per front end.
pub const KEPT_FILES: usize = 14;

/// Which front end writes: each has its own files, so lines of the app and of a command run
/// meanwhile never interleave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    App,
    Cli,
}

impl Role {
    fn prefix(self) -> &'static str {
        match self {
            Role::App => "duplidesk-app",
            Role::Cli => "duplidesk-cli",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::App => "app",
            Role::Cli => "command line",
        }
    }
}

/// The OS's folder for an application's logs: `$XDG_STATE_HOME/app.duplidesk/logs` (by default
/// `~/.local/state/…`) on Linux, `~/Library/Logs/app.duplidesk` on macOS,
/// `%LOCALAPPDATA%\app.duplidesk\logs` on Windows.
pub fn default_log_dir() -> PathBuf {
    const ID: &str = crate::secrets::SERVICE;
    if cfg!(target_os = "macos") {
        if let Some(home) = dirs::home_dir() {
            return home.join("Library").join("Logs").join(ID);
        }
    }
    dirs::state_dir().or_else(dirs::data_local_dir).unwrap_or_else(std::env::temp_dir).join(ID).join("logs")
}

/// The log folder in use: `DUPLIDESK_LOG_DIR`, else [`default_log_dir`].
pub fn log_dir() -> PathBuf {
    std::env::var_os(ENV_LOG_DIR).filter(|d| !d.is_empty()).map(PathBuf::from).unwrap_or_else(default_log_dir)
}

/// What [`init`] set up, for the diagnostics.
#[derive(Clone, Debug)]
pub struct LogState {
    pub dir: PathBuf,
    /// Why the log file could not be opened (then only the standard error stream, if any, gets
    /// the events).
    pub problem: Option<String>,
}

static STATE: OnceLock<LogState> = OnceLock::new();

/// What [`init`] set up; `None` before it ran (tests, embedders).
pub fn state() -> Option<&'static LogState> {
    STATE.get()
}

/// Starts logging for this process: the daily file of `role` in [`log_dir`] and, when
/// `stderr` is given, the events at that level and above on the standard error stream too.
/// Logs that it started (version, OS). Never fails: without a writable folder there is no file,
/// and [`state`] says why. A second call does nothing.
pub fn init(role: Role, stderr: Option<LevelFilter>) -> &'static LogState {
    if let Some(state) = STATE.get() {
        return state;
    }
    let level = level_from_env();
    let dir = log_dir();
    let file = open_file(role, &dir);
    let problem = file.as_ref().err().cloned();

    let file_layer = file.ok().map(|appender| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_timer(tracing_subscriber::fmt::time::ChronoLocal::new("%Y-%m-%dT%H:%M:%S%.3f%:z".to_owned()))
            .with_writer(Redacting(appender))
            .with_filter(filter(level))
    });
    let stderr_layer = stderr.map(|at_least| {
        tracing_subscriber::fmt::layer()
            .with_writer(Redacting(io::stderr))
            .without_time()
            .with_target(false)
            // A panic is on the terminal already (the default hook prints it).
            .with_filter(filter(level.min(at_least)).with_target(PANIC_TARGET, LevelFilter::OFF))
    });
    // Fails only when another subscriber was set first (an embedder's): then theirs is used.
    let _ = tracing_subscriber::registry().with(file_layer).with(stderr_layer).try_init();

    let state = STATE.get_or_init(|| LogState { dir, problem });
    install_panic_hook();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        os = %os_description(),
        "Duplidesk {} started", role.name()
    );
    if let Some(problem) = &state.problem {
        tracing::warn!("no log file: {problem}");
    }
    state
}

/// `DUPLIDESK_LOG`, or `info`.
fn level_from_env() -> LevelFilter {
    std::env::var(ENV_LOG_LEVEL).ok().and_then(|v| v.trim().parse().ok()).unwrap_or(LevelFilter::INFO)
}

/// Duplidesk's crates at `level` (a target matches by prefix: `duplidesk`, `duplidesk_core`,
/// `duplidesk_cli`, `duplidesk_app`); every other crate's warnings and errors only.
fn filter(level: LevelFilter) -> Targets {
    Targets::new().with_default(LevelFilter::WARN.min(level)).with_target("duplidesk", level)
}

fn open_file(role: Role, dir: &Path) -> Result<tracing_appender::rolling::RollingFileAppender, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    restrict(dir).map_err(|e| format!("could not protect {}: {e}", dir.display()))?;
    tracing_appender::rolling::RollingFileAppender::builder()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(role.prefix())
        .filename_suffix("log")
        .max_log_files(KEPT_FILES)
        .build(dir)
        .map_err(|e| format!("could not open a log file in {}: {e}", dir.display()))
}

/// The log folder `0700`: what was collected and from where is nobody else's business.
#[cfg(unix)]
fn restrict(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if std::fs::metadata(dir)?.permissions().mode() & 0o777 != 0o700 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Windows: the user's local application data folder is already private to the user.
#[cfg(not(unix))]
fn restrict(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// The target of the panic event (the standard error stream leaves it out).
const PANIC_TARGET: &str = "duplidesk::panic";

/// Logs a panic (where and what) before the default hook reports it.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        let at = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        tracing::error!(target: PANIC_TARGET, at = %at, "panic: {what}");
        previous(info);
    }));
}

/// The OS as one line: name, version, architecture (e.g. "Debian GNU/Linux 12 (bookworm)
/// x86_64"). On Linux the distribution's own name for itself (`PRETTY_NAME` in os-release:
/// os_info would turn "22.04" into "22.4.0").
pub fn os_description() -> String {
    #[cfg(target_os = "linux")]
    if let Some(pretty) = ["/etc/os-release", "/usr/lib/os-release"].iter().find_map(|p| pretty_name(&std::fs::read_to_string(p).ok()?)) {
        return format!("{pretty} {}", std::env::consts::ARCH);
    }
    let info = os_info::get();
    let mut text = info.os_type().to_string();
    if *info.version() != os_info::Version::Unknown {
        text.push_str(&format!(" {}", info.version()));
    }
    if let Some(codename) = info.codename() {
        text.push_str(&format!(" ({codename})"));
    }
    text.push_str(&format!(" {}", std::env::consts::ARCH));
    text
}

/// `PRETTY_NAME` of an os-release file, unquoted.
#[cfg(any(target_os = "linux", test))]
fn pretty_name(os_release: &str) -> Option<String> {
    let value = os_release.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="))?.trim();
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value).trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A writer that keeps what one event writes and, when dropped, writes it to the inner writer
/// with the credentials of every URL in it cut (the fmt layer makes one writer per event).
struct Redacting<W>(W);

impl<'a, W: MakeWriter<'a>> MakeWriter<'a> for Redacting<W> {
    type Writer = RedactingWriter<W::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { inner: self.0.make_writer(), line: Vec::new() }
    }
}

struct RedactingWriter<W: Write> {
    inner: W,
    line: Vec<u8>,
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.line.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.line.is_empty() {
            let text = String::from_utf8_lossy(&self.line);
            let redacted = crate::redact::redact_urls_in_text(&text);
            self.inner.write_all(redacted.as_bytes())?;
            self.line.clear();
        }
        self.inner.flush()
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_written_whole_with_no_credentials() {
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter { inner: &mut out, line: Vec::new() };
            w.write_all(b"2025-05-04 WARN host failed: ftp://bob:").unwrap();
            w.write_all(b"hunter2@nas/dir said no\n").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "2025-05-04 WARN host failed: ftp://REDACTED@nas/dir said no\n");
    }

    #[test]
    fn the_distribution_names_itself() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\n";
        assert_eq!(pretty_name(debian).as_deref(), Some("Debian GNU/Linux 12 (bookworm)"));
        assert_eq!(pretty_name("NAME=Arch\nPRETTY_NAME=Arch Linux\n").as_deref(), Some("Arch Linux"));
        assert_eq!(pretty_name("NAME=x\nPRETTY_NAME=\"\"\n"), None);
        assert_eq!(pretty_name(""), None);
        assert!(os_description().ends_with(std::env::consts::ARCH));
    }

    #[test]
    fn other_crates_never_log_below_warn() {
        let f = filter(LevelFilter::TRACE);
        assert!(f.would_enable("duplidesk_core::collect", &tracing::Level::TRACE));
        assert!(f.would_enable("duplidesk", &tracing::Level::DEBUG));
        assert!(!f.would_enable("hyper::proto", &tracing::Level::DEBUG));
        assert!(!f.would_enable("reqwest::connect", &tracing::Level::INFO));
        assert!(f.would_enable("tao::platform", &tracing::Level::WARN));
        let quiet = filter(LevelFilter::ERROR);
        assert!(!quiet.would_enable("duplidesk_core", &tracing::Level::WARN));
        assert!(!quiet.would_enable("tao", &tracing::Level::WARN), "less than warn asked: less for others too");
    }
}
