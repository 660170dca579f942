//! Parsing of the host list users type: `192.168.1.23,someserver.local,[fd00::5]`.
use crate::error::{Error, Result};
use serde::Serialize;

pub const DEFAULT_PORT: u16 = 8200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostSpec {
    /// Host name or IP address, IPv6 without brackets.
    pub host: String,
    pub port: u16,
}

impl HostSpec {
    /// `host:port`, with IPv6 in brackets: how hosts are named in messages and output.
    pub fn label(&self) -> String {
        format!("{}:{}", crate::connect::url_host(&self.host), self.port)
    }
}

/// Splits a comma-separated list; every host gets `port` unless it names its own
/// (`nas.local:8300`, `[fd00::5]:8300`). Duplicates are dropped, order kept.
pub fn parse_hosts(list: &str, port: u16) -> Result<Vec<HostSpec>> {
    let mut out: Vec<HostSpec> = Vec::new();
    for raw in list.split(',') {
        let item = raw.trim();
        if item.is_empty() {
            continue;
        }
        let spec = parse_one(item, port)?;
        if !out.iter().any(|s| s.host.eq_ignore_ascii_case(&spec.host) && s.port == spec.port) {
            out.push(spec);
        }
    }
    if out.is_empty() {
        return Err(Error::invalid_input(
            "No host was given.",
            "Give one host or a comma-separated list, e.g. 192.168.1.23,nas.local,[fd00::5].",
        ));
    }
    Ok(out)
}

fn parse_one(item: &str, port: u16) -> Result<HostSpec> {
    let bad = || {
        Error::invalid_input(
            format!("\"{item}\" is not a valid host."),
            "Use a host name, an IPv4 address or an IPv6 address in brackets, optionally followed by :port.",
        )
    };
    let item = item.strip_prefix("https://").or_else(|| item.strip_prefix("http://")).unwrap_or(item).trim_end_matches('/');
    let (host, port) = if let Some(rest) = item.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(bad)?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad())?,
            None if after.is_empty() => port,
            None => return Err(bad()),
        };
        (h.to_owned(), port)
    } else if item.matches(':').count() > 1 {
        (item.to_owned(), port) // bare IPv6 literal
    } else if let Some((h, p)) = item.split_once(':') {
        (h.to_owned(), p.parse().map_err(|_| bad())?)
    } else {
        (item.to_owned(), port)
    };
    let valid =
        !host.is_empty() && port != 0 && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '%'));
    if !valid {
        return Err(bad());
    }
    Ok(HostSpec { host: host.to_ascii_lowercase(), port })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        let got = parse_hosts("192.168.1.23, someserver.local ,[fd00::5],fd00::6,nas:8300,,192.168.1.23", 8200).unwrap();
        let labels: Vec<String> = got.iter().map(HostSpec::label).collect();
        assert_eq!(labels, ["192.168.1.23:8200", "someserver.local:8200", "[fd00::5]:8200", "[fd00::6]:8200", "nas:8300"]);
        assert!(parse_hosts(" , ", 8200).is_err());
        assert!(parse_hosts("bad host", 8200).is_err());
        assert!(parse_hosts("[fd00::5", 8200).is_err());
    }
}
