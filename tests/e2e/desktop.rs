//! Driving what is outside the web view, as a desktop would: the tray menu over D-Bus
//! (com.canonical.dbusmenu, exported by libayatana-appindicator), the native GTK open and save
//! dialogs with xdotool, the window's close button as a window manager presses it, and the
//! clipboard (xclip).
use crate::wait::{secs, wait_until};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn output(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The bus name and object path of the app's tray menu.
fn tray_menu() -> (String, String) {
    wait_until("a tray menu on the session bus", secs(20), || {
        let names = output(Command::new("gdbus").args([
            "call",
            "--session",
            "-d",
            "org.freedesktop.DBus",
            "-o",
            "/org/freedesktop/DBus",
            "-m",
            "org.freedesktop.DBus.ListNames",
        ]));
        names.split('\'').filter(|n| n.starts_with(':')).find_map(|name| {
            let tree =
                output(Command::new("gdbus").args(["introspect", "--session", "-d", name, "-o", "/org/ayatana/NotificationItem", "-r"]));
            let path = tree.split_whitespace().find(|w| w.starts_with("/org/ayatana/NotificationItem/") && w.ends_with("/Menu"))?;
            Some((name.to_owned(), path.to_owned()))
        })
    })
}

fn menu_layout() -> (String, String, String) {
    let (name, path) = tray_menu();
    let layout = output(Command::new("gdbus").args([
        "call",
        "--session",
        "-d",
        &name,
        "-o",
        &path,
        "-m",
        "com.canonical.dbusmenu.GetLayout",
        "--",
        "0",
        "-1",
        "[]",
    ]));
    (name, path, layout)
}

/// The labels of the tray menu's items, in order.
pub fn menu_labels() -> Vec<String> {
    let (_, _, layout) = menu_layout();
    layout.split("'label': <'").skip(1).filter_map(|rest| rest.split("'>").next()).map(str::to_owned).collect()
}

/// Clicks the tray menu item labelled `label`.
pub fn click_menu_item(label: &str) {
    let (name, path, layout) = menu_layout();
    // Items look like `<(2, {'label': <'Quick collect'>}, @av [])>`.
    let marker = format!("'label': <'{label}'>");
    let at = layout.find(&marker).unwrap_or_else(|| panic!("no tray item {label}: {layout}"));
    let id: String = layout[..at].rsplit("<(").next().unwrap().chars().take_while(|c| c.is_ascii_digit()).collect();
    let out = Command::new("gdbus")
        .args(["call", "--session", "-d", &name, "-o", &path, "-m", "com.canonical.dbusmenu.Event", "--", &id, "clicked", "<int32 0>", "0"])
        .output()
        .unwrap();
    assert!(out.status.success(), "tray click: {}", String::from_utf8_lossy(&out.stderr));
}

/// The tray icon's picture as RGBA pixels: the indicator publishes it as a PNG file whose
/// path is the item's `IconName`.
/// What the desktop's clipboard holds (the X CLIPBOARD selection, read with xclip).
pub fn clipboard() -> String {
    output(Command::new("xclip").args(["-selection", "clipboard", "-o"]))
}

/// The pixels of the app's own tray picture for `status` (`ok`, `warning`, `error`).
pub fn tray_picture(status: &str) -> Vec<u8> {
    rgba_of_png(&std::fs::read(format!("{}/icons/tray-{status}.png", env!("CARGO_MANIFEST_DIR"))).unwrap())
}

/// The pixels of the picture the tray shows now; none when the app changed it between asking
/// for its file and reading it (a new picture is a new file, the old one is deleted).
pub fn tray_icon_rgba() -> Option<Vec<u8>> {
    let (name, menu) = tray_menu();
    let item = menu.trim_end_matches("/Menu");
    let out = output(Command::new("gdbus").args([
        "call",
        "--session",
        "-d",
        &name,
        "-o",
        item,
        "-m",
        "org.freedesktop.DBus.Properties.Get",
        "org.kde.StatusNotifierItem",
        "IconName",
    ]));
    // `(<'/run/…/tray-icon-main-2.png'>,)`
    let path = out.split('\'').nth(1).unwrap_or_else(|| panic!("no IconName: {out}"));
    match std::fs::read(path) {
        Ok(bytes) => Some(rgba_of_png(&bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("{path}: {e}"),
    }
}

pub fn rgba_of_png(bytes: &[u8]) -> Vec<u8> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgba, "an RGBA icon");
    buf.truncate(info.buffer_size());
    buf
}

fn visible_windows() -> Vec<String> {
    output(Command::new("xdotool").args(["search", "--onlyvisible", "--name", "."])).split_whitespace().map(str::to_owned).collect()
}

/// The app's main window if it is shown (mapped), as an X11 window id.
pub fn shown_main_window() -> Option<u64> {
    output(Command::new("xdotool").args(["search", "--onlyvisible", "--name", "^Duplidesk$"]))
        .split_whitespace()
        .find_map(|w| w.parse().ok())
}

/// Presses the window's close button the way a window manager does: a WM_DELETE_WINDOW
/// message to the window (Xvfb runs no window manager that would send it).
pub fn request_close(window: u64) {
    use std::ffi::CString;
    use std::os::raw::c_long;
    use x11_dl::xlib;
    let x = xlib::Xlib::open().expect("libX11");
    // SAFETY: plain Xlib calls on a display this function opens and closes; the event is a
    // fully initialised client message.
    unsafe {
        let display = (x.XOpenDisplay)(std::ptr::null());
        assert!(!display.is_null(), "cannot open the X display");
        let protocols = CString::new("WM_PROTOCOLS").unwrap();
        let delete = CString::new("WM_DELETE_WINDOW").unwrap();
        let mut data = xlib::ClientMessageData::new();
        data.set_long(0, (x.XInternAtom)(display, delete.as_ptr(), xlib::False) as c_long);
        data.set_long(1, xlib::CurrentTime as c_long);
        let message = xlib::XClientMessageEvent {
            type_: xlib::ClientMessage,
            serial: 0,
            send_event: xlib::True,
            display,
            window,
            message_type: (x.XInternAtom)(display, protocols.as_ptr(), xlib::False),
            format: 32,
            data,
        };
        let mut event = xlib::XEvent::from(message);
        assert_ne!((x.XSendEvent)(display, window, xlib::False, xlib::NoEventMask, &mut event), 0, "XSendEvent");
        (x.XFlush)(display);
        (x.XCloseDisplay)(display);
    }
}

/// Waits for a shown window whose title contains `title`, gives it the keyboard focus, and
/// returns its X11 window id.
fn focus_dialog(title: &str) -> String {
    let dialog = wait_until(&format!("the dialog \"{title}\" opens"), secs(30), || {
        visible_windows().into_iter().find(|w| output(Command::new("xdotool").args(["getwindowname", w])).contains(title))
    });
    wait_until(&format!("the dialog \"{title}\" has the keyboard focus"), secs(10), || {
        let _ = Command::new("xdotool").args(["windowfocus", &dialog]).status();
        focused_window() == dialog
    });
    dialog
}

fn focused_window() -> String {
    output(Command::new("xdotool").arg("getwindowfocus")).trim().to_owned()
}

fn xdotool(args: &[&str]) {
    let ok = Command::new("xdotool").args(args).status().unwrap();
    assert!(ok.success(), "xdotool {args:?}");
}

/// Types `steps` (xdotool commands, delivered in order) into the focused `dialog`, then
/// presses Return in it until it closes. `retype`: the steps may be sent again when the dialog
/// is still open after a while (on a loaded machine xdotool can drop the Shift of a typed
/// character, and a mistyped path leaves the dialog open); only for steps that replace what
/// they typed before.
fn answer(dialog: &str, what: &str, steps: &[&[&str]], retype: bool) {
    let send = || {
        for args in steps {
            xdotool(args);
        }
    };
    send();
    let mut typed = Instant::now();
    // GTK ignores Return while the dialog's default button is off, which it is until the
    // dialog has checked what was typed; nothing outside the dialog shows when that is done.
    // So press again until the dialog closes, half a second apart (one more Return while it
    // closes does not hold it up). The presses are sent to the dialog's window only (to a
    // closed one they fail), so none can reach the window behind it.
    let mut pressed: Option<Instant> = None;
    wait_until(what, secs(30), || {
        if !visible_windows().iter().any(|w| w == dialog) {
            return true;
        }
        if retype && typed.elapsed() >= Duration::from_secs(6) {
            send();
            typed = Instant::now();
        }
        if pressed.is_none_or(|at| at.elapsed() >= Duration::from_millis(500)) {
            let _ = Command::new("xdotool").args(["key", "--window", dialog, "Return"]).status();
            pressed = Some(Instant::now());
        }
        false
    });
}

/// Waits for the native open dialog titled `title` and opens `file` (typed into its location
/// field, as Ctrl+L offers).
pub fn answer_open_dialog(title: &str, file: &Path) {
    let dialog = focus_dialog(title);
    let path = file.display().to_string();
    // Ctrl+L then Ctrl+A: the location field, all of what it holds, so typing again replaces it.
    let steps: &[&[&str]] =
        &[&["key", "--clearmodifiers", "ctrl+l"], &["key", "--clearmodifiers", "ctrl+a"], &["type", "--delay", "5", &path]];
    answer(&dialog, &format!("the open dialog takes {path} and closes"), steps, true);
}

/// Waits for the native save dialog and saves into `dir` under the file name the dialog
/// proposes (its name field starts with the proposed name selected: Home, then the folder
/// typed in front of it). Returns the file written.
pub fn answer_save_dialog(dir: &Path) -> std::path::PathBuf {
    answer_save_dialog_titled("Save collected data", dir)
}

/// [`answer_save_dialog`] for the save dialog titled `title` (e.g. "Export backup logs").
pub fn answer_save_dialog_titled(title: &str, dir: &Path) -> std::path::PathBuf {
    let dialog = focus_dialog(title);
    let prefix = format!("{}/", dir.display());
    let steps: &[&[&str]] = &[&["key", "--clearmodifiers", "Home"], &["type", "--delay", "5", &prefix]];
    answer(&dialog, &format!("the save dialog takes {prefix} and closes"), steps, false);
    wait_until(&format!("one file written to {}", dir.display()), secs(20), || {
        match std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect::<Vec<_>>().as_slice() {
            [file] => Some(file.clone()),
            _ => None,
        }
    })
}

/// A session bus of its own with nothing on it and nothing it can start: a desktop without a
/// Secret Service. Stopped on drop.
pub struct BareSessionBus {
    daemon: std::process::Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl BareSessionBus {
    pub fn start() -> BareSessionBus {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("session.conf");
        // Like the standard session bus, but without service directories (no activation).
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>"#,
                dir.path().display()
            ),
        )
        .unwrap();
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("dbus-daemon");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(daemon.stdout.take().unwrap()), &mut line).unwrap();
        BareSessionBus { daemon, address: line.trim().to_owned(), _dir: dir }
    }

    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for BareSessionBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
