//! Terminal output: aligned tables, JSON, CSV, errors. Everything written to standard output
//! returns `io::Result`, so a closed pipe ends the command quietly instead of panicking.
use duplidesk_core::text::is_unsafe_char;
use duplidesk_core::Error;
use serde_json::Value;
use std::io::{self, IsTerminal, Write};

pub fn is_terminal_stderr() -> bool {
    io::stderr().is_terminal()
}

pub fn print_error(e: &Error) {
    let _ = writeln!(io::stderr().lock(), "error [{}]: {}\n  hint: {}", e.code, term(&e.message), term(&e.hint));
}

/// Text from a server or a file as it may reach a terminal: control characters (an escape
/// sequence could move the cursor, retitle the window or hide text) and bidirectional
/// overrides are shown escaped (`\u{1b}`) instead of acting.
pub fn term(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().map(|c| if is_unsafe_char(c) { c.escape_unicode().to_string() } else { c.to_string() }).collect())
}

/// Pretty JSON on standard output. The command line's JSON uses snake_case keys (the UI's
/// payloads use camelCase), so scripts see one convention whatever the engine type.
pub fn print_json<T: serde::Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut value = serde_json::to_value(value).map_err(io::Error::other)?;
    snake_case_keys(&mut value);
    // A write error stays an io::Error of its kind (a closed pipe must stay BrokenPipe).
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::from)?;
    writeln!(out)
}

fn snake_case_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (key, mut v) in entries {
                snake_case_keys(&mut v);
                map.insert(snake_case(&key), v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(snake_case_keys),
        _ => {}
    }
}

/// `certificateSha256` → `certificate_sha256`; snake_case stays as it is.
fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Columns padded to the widest cell; the last column is not padded. Cells are made safe for
/// a terminal ([`term`]).
pub fn print_table(out: &mut impl Write, headers: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(|c| term(c).into_owned()).collect()).collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| if i == last { c.to_string() } else { format!("{c:<w$}", w = widths[i]) })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}", line(headers.to_vec()))?;
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_cannot_drive_the_terminal() {
        assert_eq!(term("nas\u{1b}]0;owned\u{7}"), "nas\\u{1b}]0;owned\\u{7}");
        assert_eq!(term("plain"), "plain");
        assert_eq!(term("a\u{202E}b"), "a\\u{202e}b");
    }

    #[test]
    fn json_keys_become_snake_case_at_every_depth() {
        let mut v = serde_json::json!({"durationMs": 1, "server": {"machineId": "x", "certificateSha256": null}, "hosts": [{"okNow": true}], "already_snake": 2});
        snake_case_keys(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"duration_ms": 1, "server": {"machine_id": "x", "certificate_sha256": null}, "hosts": [{"ok_now": true}], "already_snake": 2})
        );
    }
}
