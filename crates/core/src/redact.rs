//! Removes credentials from a Duplicati TargetURL (`user:pass@` and secret query parameters)
//! before anything is written to the store, a log or an export.

const SECRET_KEYS: &[&str] = &["pass", "secret", "key", "token", "auth", "credential", "sas", "signature", "pwd", "username", "user"];

/// `s3://bucket/x?auth-username=AK&auth-password=s` → `s3://bucket/x?auth-username=REDACTED&auth-password=REDACTED`.
pub fn redact_target_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = redact_userinfo(base);
    match query {
        None => base,
        Some(q) => {
            let parts: Vec<String> = q
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) if is_secret(k) && !v.is_empty() => format!("{k}=REDACTED"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", parts.join("&"))
        }
    }
}

fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| k.contains(s))
}

/// `scheme://user:pass@host/…` → `scheme://REDACTED@host/…`. Users type passwords raw, so a
/// password may hold `/` (which would end the authority): everything up to the last `@` of the
/// URL (its query already split off) is taken as credentials. A path with an `@` in it is
/// redacted too: better too much than a password left in the clear.
fn redact_userinfo(base: &str) -> String {
    let Some(scheme_end) = base.find("://") else { return base.to_owned() };
    let rest = &base[scheme_end + 3..];
    match rest.rfind('@') {
        Some(at) => format!("{}REDACTED@{}", &base[..scheme_end + 3], &rest[at + 1..]),
        None => base.to_owned(),
    }
}

/// Redacts every `TargetURL` found in a JSON document (the backups list, tasks).
pub fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k.eq_ignore_ascii_case("TargetURL") || k.eq_ignore_ascii_case("AdditionalTargetURLs") {
                    redact_value(v);
                } else {
                    redact_json(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

fn redact_value(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = redact_target_url(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_value),
        serde_json::Value::Object(_) => redact_json(v),
        _ => {}
    }
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
    fn fixture_backups_lose_every_secret() {
        let mut v: serde_json::Value = serde_json::from_str(include_str!("../../testserver/fixtures/backups.json")).unwrap();
        redact_json(&mut v);
        let text = v.to_string();
        assert!(!text.contains("exampleSecretKey"), "{text}");
        assert!(!text.contains("example-pass"));
        assert!(!text.contains("AKIAEXAMPLEKEY"));
    }
}
