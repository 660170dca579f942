//! Removes credentials from a Duplicati TargetURL (`user:pass@` and secret query parameters)
//! before anything is written to the store, a log or an export.

const SECRET_KEYS: &[&str] = &["pass", "secret", "key", "token", "auth", "credential", "sas", "signature", "pwd", "username", "user"];

/// `s3://bucket/x?auth-username=AK&auth-password=s` → `s3://bucket/x?auth-username=REDACTED&auth-password=REDACTED`.
///
/// What is cut: the user info (see [`userinfo_end`]) and the value of every query parameter
/// whose name looks secret. The two are found independently on the URL as written, and every
/// part either finds is replaced, so that a URL read two ways loses its credentials both ways.
pub fn redact_target_url(url: &str) -> String {
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    if let Some(authority) = url.find("://").map(|i| i + 3) {
        if let Some(end) = userinfo_end(&url[authority..]) {
            cuts.push(authority..authority + end);
        }
    }
    // A raw user name or password may hold `?`, so the query may start at any `?`: the
    // parameters are read from each.
    for (q, _) in url.match_indices('?') {
        let mut start = q + 1;
        for pair in url[q + 1..].split('&') {
            if let Some((k, v)) = pair.split_once('=') {
                if is_secret(k) && !v.is_empty() {
                    let value = start + k.len() + 1;
                    cuts.push(value..value + v.len());
                }
            }
            start += pair.len() + 1;
        }
    }
    // Cuts that overlap or touch become one.
    cuts.sort_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::new();
    for cut in cuts {
        match merged.last_mut() {
            Some(last) if cut.start <= last.end => last.end = last.end.max(cut.end),
            _ => merged.push(cut),
        }
    }
    let mut out = String::with_capacity(url.len());
    let mut pos = 0;
    for cut in merged {
        out.push_str(&url[pos..cut.start]);
        out.push_str("REDACTED");
        pos = cut.end;
    }
    out.push_str(&url[pos..]);
    out
}

fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| k.contains(s))
}

/// Where the credentials of `rest` (the URL after `scheme://`) end: at its last `@`. Users type
/// passwords raw, so a password may hold `/`, `?` and `@` (Duplicati itself reads a password up
/// to the next `@`, `?` included): no `@` but the last one surely ends them. A path or a query
/// value with an `@` in it is redacted too: better too much than a password left in the clear.
fn userinfo_end(rest: &str) -> Option<usize> {
    rest.rfind('@')
}

/// Redacts every `TargetURL` found in a JSON document (the backups list, tasks). Whether it
/// changed anything.
pub fn redact_json(value: &mut serde_json::Value) -> bool {
    let mut changed = false;
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                changed |= if k.eq_ignore_ascii_case("TargetURL") || k.eq_ignore_ascii_case("AdditionalTargetURLs") {
                    redact_value(v)
                } else {
                    redact_json(v)
                };
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| changed |= redact_json(v)),
        _ => {}
    }
    changed
}

/// `text` with every `TargetURL` in it redacted, when it is a JSON document holding one with
/// credentials (a log row's `Message`); `None` when it is not JSON or holds none to redact.
pub fn redact_json_text(text: &str) -> Option<String> {
    if !may_hold_target_url_key(text) {
        return None;
    }
    let mut value = serde_json::from_str::<serde_json::Value>(text).ok()?;
    redact_json(&mut value).then(|| value.to_string())
}

/// Whether `text` may hold a key [`redact_json`] redacts under (`TargetURL`,
/// `AdditionalTargetURLs`, in any case): without one, parsing it would change nothing, and most
/// texts (every result Duplicati writes) have none. Such a key spells `targeturl`, as written
/// or with some letters as `\u` escapes, so a text with neither cannot hold one.
fn may_hold_target_url_key(text: &str) -> bool {
    let b = text.as_bytes();
    let escaped_letter = memchr::memchr_iter(b'\\', b).any(|i| {
        b.get(i + 1) == Some(&b'u')
            && b.get(i + 2..i + 6)
                .and_then(|hex| u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok())
                .is_some_and(|c| char::from_u32(c).is_some_and(|c| c.is_ascii_alphabetic()))
    });
    escaped_letter
        // From each `g`, the rarest letter of the key in Duplicati's results.
        || memchr::memchr2_iter(b'g', b'G', b).any(|i| {
            i >= 3 && b[i - 3..i].eq_ignore_ascii_case(b"tar") && b.get(i..i + 6).is_some_and(|r| r.eq_ignore_ascii_case(b"geturl"))
        })
}

/// Everything under a TargetURL key is taken for URLs, however it is nested.
fn redact_value(v: &mut serde_json::Value) -> bool {
    let mut changed = false;
    match v {
        serde_json::Value::String(s) => {
            let redacted = redact_target_url(s);
            changed = redacted != *s;
            *s = redacted;
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| changed |= redact_value(v)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| changed |= redact_value(v)),
        _ => {}
    }
    changed
}

/// `text` (a log line, an error message) with the credentials of every URL in it cut, as
/// [`redact_target_url`] cuts them. A URL runs from its scheme to the next white space, quote or
/// angle bracket; text without `://` comes back as it is.
pub fn redact_urls_in_text(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("://") {
        return std::borrow::Cow::Borrowed(text);
    }
    let ends_url = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find("://") {
        let sep = search + found;
        // The scheme: letters, digits, `+`, `-` and `.` before `://`, starting with a letter.
        let scheme_start = text[..sep]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(sep, |(i, _)| i);
        let scheme_start = text[scheme_start..sep].find(|c: char| c.is_ascii_alphabetic()).map_or(sep, |i| scheme_start + i);
        let end = text[sep + 3..].find(ends_url).map_or(text.len(), |i| sep + 3 + i);
        if scheme_start < sep && scheme_start >= pos {
            out.push_str(&text[pos..scheme_start]);
            out.push_str(&redact_target_url(&text[scheme_start..end]));
            pos = end;
        }
        search = end.max(sep + 3);
    }
    out.push_str(&text[pos..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_userinfo() {
        assert_eq!(
            redact_target_url("s3://b/x?s3-server-name=s3.example&auth-username=AKIA&auth-password=se%2Fcret"),
            "s3://b/x?s3-server-name=s3.example&auth-username=REDACTED&auth-password=REDACTED"
        );
        assert_eq!(redact_target_url("ftp://bob:hunter2@nas:21/dir"), "ftp://REDACTED@nas:21/dir");
        assert_eq!(redact_target_url("ssh://bob:pa/ss@word@nas:22/dir"), "ssh://REDACTED@nas:22/dir", "a password with / and @");
        assert_eq!(redact_target_url("file:///mnt/usb"), "file:///mnt/usb");
    }

    #[test]
    fn a_password_with_a_question_mark() {
        // Duplicati reads the password up to the next `@`: `?` included.
        assert_eq!(redact_target_url("ftp://:secret?@a"), "ftp://REDACTED@a");
        assert_eq!(
            redact_target_url("ftp://bob:pa?ss@nas/dir?auth-password=x&ssl=1"),
            "ftp://REDACTED@nas/dir?auth-password=REDACTED&ssl=1"
        );
        assert_eq!(redact_target_url("ftp://bo?b@nas/dir"), "ftp://REDACTED@nas/dir", "no password: the user up to the last @");
        assert_eq!(
            redact_target_url("ftp://?u:=p@a?auth-password=s"),
            "ftp://REDACTED@a?auth-password=REDACTED",
            "the query after the user info"
        );
        assert_eq!(redact_target_url("ftp://:@pw?@a"), "ftp://REDACTED@a", "@ then ? in a password");
        assert_eq!(redact_target_url("ftp://u?=@a?auth-password=@s"), "ftp://REDACTED", "? in a user name, @ in a secret value");
        // A port and a raw @ in a secret value: both readings are cut.
        assert_eq!(redact_target_url("ftp://nas:21/d?auth-password=a@b&ssl=1"), "ftp://REDACTED&ssl=1");
        assert_eq!(redact_target_url("ssh://nas:22/d?ssl=1"), "ssh://nas:22/d?ssl=1", "nothing to cut");
    }

    #[test]
    fn everything_under_a_target_url_key() {
        let mut v = serde_json::json!({"TargetURL": {"Primary": "ftp://bob:pw@nas", "More": [{"x": "ftp://bob:pw@nas"}]}});
        redact_json(&mut v);
        assert!(!v.to_string().contains("pw"), "{v}");
    }

    #[test]
    fn a_target_url_key_is_found_however_it_is_written() {
        for text in [
            r#"{"TargetURL":"ftp://bob:pw@nas"}"#,
            r#"{"x":{"aDDitionalTARGETurls":["ftp://bob:pw@nas"]}}"#,
            r#"{"T\u0061rgetURL":"ftp://bob:pw@nas"}"#,
            r#"{"\u0054\u0041RGETURL":"ftp://bob:pw@nas"}"#,
        ] {
            assert!(may_hold_target_url_key(text), "{text}");
            assert!(!redact_json_text(text).expect("redacted").contains("pw"), "{text}");
        }
        for text in [r#"{"Target":"url","Duration":"00:01"}"#, r#"{"Name":"caf\u00E9 \u002B \u0022"}"#, "TargetUR", "", "\\u"] {
            assert!(!may_hold_target_url_key(text), "{text}");
        }
    }

    #[test]
    fn fixture_backups_lose_every_secret() {
        let mut v: serde_json::Value = serde_json::from_str(include_str!("../../testserver/fixtures/backups.json")).unwrap();
        redact_json(&mut v);
        let text = v.to_string();
        assert!(!text.contains("exampleSecretKey"), "{text}");
        assert!(!text.contains("example-pass"));
        assert!(!text.contains("AKIAEXAMPLEKEY"));
    }

    #[test]
    fn urls_in_free_text_lose_their_credentials() {
        assert_eq!(redact_urls_in_text("no url here"), "no url here");
        assert_eq!(
            redact_urls_in_text("Failed to connect to ftp://bob:hunter2@nas:21/dir: refused"),
            "Failed to connect to ftp://REDACTED@nas:21/dir: refused"
        );
        assert_eq!(
            redact_urls_in_text("a \"s3://b/x?auth-username=AK&auth-password=se\" and ssh://u:p@h, https://nas:8200/api"),
            "a \"s3://b/x?auth-username=REDACTED&auth-password=REDACTED\" and ssh://REDACTED@h, https://nas:8200/api"
        );
        assert_eq!(redact_urls_in_text("://odd and x://"), "://odd and x://");
        assert_eq!(redact_urls_in_text("(smb://dom;u:p@fs/share)"), "(smb://REDACTED@fs/share)");
    }
}
