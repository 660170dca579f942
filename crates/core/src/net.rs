//! Turns transport failures into the engine's error codes. reqwest hides the rustls error
//! inside an `io::Error` that `source()` skips, so the walk also looks through `get_ref()`.
use crate::error::{Error, ErrorCode};
use crate::tls::PinMismatch;
use std::error::Error as StdError;
use std::io;

/// What went wrong below HTTP.
#[derive(Debug)]
pub enum Transport {
    /// The certificate did not validate (self-signed, unknown issuer, wrong name, expired).
    Certificate(String),
    /// The pinned certificate changed.
    PinChanged { expected: String, seen: String },
    /// The port answered, but not with TLS (it speaks plain HTTP), or the handshake broke off.
    NotTls(String),
    /// Anything else, already mapped to a user-facing error.
    Other(Error),
}

fn causes<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        out.push(e);
        next = match e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

pub fn classify(host: &str, err: &reqwest::Error) -> Transport {
    let chain = causes(err);
    for e in &chain {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return match tls {
                rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) => match other.0.downcast_ref::<PinMismatch>() {
                    Some(m) => Transport::PinChanged { expected: m.expected.clone(), seen: m.seen.clone() },
                    None => Transport::Certificate(tls.to_string()),
                },
                rustls::Error::InvalidCertificate(_) => Transport::Certificate(tls.to_string()),
                rustls::Error::InvalidMessage(_)
                | rustls::Error::InappropriateMessage { .. }
                | rustls::Error::InappropriateHandshakeMessage { .. } => Transport::NotTls(tls.to_string()),
                other => Transport::Other(tls_error(host, other)),
            };
        }
    }
    if err.is_timeout() || chain.iter().any(|e| e.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::TimedOut)) {
        return Transport::Other(timeout(host));
    }
    if err.is_dns() {
        return Transport::Other(Error::new(
            ErrorCode::DnsFailed,
            format!("The name {host} could not be resolved."),
            "Check the spelling of the host name, or use the server's IP address.",
        ));
    }
    for e in &chain {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return Transport::Other(refused(host)),
                io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted if err.is_connect() => {
                    // The TCP connection opened but the TLS handshake broke off: not a TLS port.
                    return Transport::NotTls(io.to_string());
                }
                _ => {}
            }
        }
    }
    if err.is_connect() {
        let text = chain.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(": ");
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Transport::Other(Error::new(
                ErrorCode::DnsFailed,
                format!("The name {host} could not be resolved."),
                "Check the spelling of the host name, or use the server's IP address.",
            ));
        }
        return Transport::Other(Error::new(
            ErrorCode::ConnectionRefused,
            format!("Could not connect to {host} ({text})."),
            "Check that the server is on the network and that Duplicati listens on this port (--webservice-interface=any for remote access).",
        ));
    }
    if err.is_body() || err.is_decode() || err.is_request() {
        return Transport::Other(Error::invalid_response(host, "the connection closed before the whole response arrived"));
    }
    Transport::Other(Error::invalid_response(host, err))
}

/// Like [`classify`] for a request on an already chosen protocol: every failure is final.
pub fn request_error(host: &str, err: &reqwest::Error) -> Error {
    match classify(host, err) {
        Transport::Other(e) => e,
        Transport::PinChanged { expected, seen } => certificate_changed(host, &expected, &seen),
        Transport::Certificate(why) => Error::new(
            ErrorCode::TlsError,
            format!("The certificate of {host} is no longer trusted ({why})."),
            "If the server's certificate was replaced on purpose, trust the new one in Server Settings (or --trust-new-certificate with its fingerprint).",
        ),
        Transport::NotTls(why) => tls_error_text(host, &why),
    }
}

pub fn timeout(host: &str) -> Error {
    Error::new(
        ErrorCode::Timeout,
        format!("{host} did not answer in time."),
        "The server may be busy or unreachable; check the network and try again, or raise --timeout.",
    )
}

pub fn refused(host: &str) -> Error {
    Error::new(
        ErrorCode::ConnectionRefused,
        format!("{host} refused the connection."),
        "Check the port (Duplicati uses 8200 by default) and that Duplicati listens on the network (--webservice-interface=any). \
         Duplicati's Synology and QNAP packages listen on the NAS itself only (loopback): their web interface cannot be reached from another machine.",
    )
}

fn tls_error(host: &str, e: &rustls::Error) -> Error {
    tls_error_text(host, &e.to_string())
}

fn tls_error_text(host: &str, why: &str) -> Error {
    Error::new(
        ErrorCode::TlsError,
        format!("The secure connection to {host} failed ({why})."),
        "Check the server's HTTPS settings. Duplidesk never falls back to plain HTTP on a server that used HTTPS.",
    )
}

pub fn certificate_changed(host: &str, expected: &str, seen: &str) -> Error {
    Error::new(
        ErrorCode::CertificateChanged,
        format!("The certificate of {host} has changed: pinned {expected}, now {seen}."),
        format!("If you replaced the certificate yourself, compare {seen} with the server's and trust it (Re-trust in Server Settings, or --trust-new-certificate {seen}). Otherwise someone may be intercepting the connection."),
    )
}
