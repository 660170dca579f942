//! Protocol detection, per host: (1) HTTPS with full validation, (2) HTTPS with a self-signed
//! certificate, trusted on first use and pinned by its SHA-256 fingerprint, (3) plain HTTP only
//! when (1) failed because the port does not speak TLS. Never on DNS, refused or timeout, and
//! never for a server that worked over HTTPS before.
use crate::duplicati::client::{Failed, Reply};
use crate::duplicati::{Client, Session};
use crate::error::{Error, ErrorCode, Result};
use crate::model::Protocol;
use crate::net::{self, Transport};
use crate::tls::{self, Seen, TlsSetup};
use rustls_pki_types::CertificateDer;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub connect_timeout: Duration,
    /// Limit for one whole request, body included.
    pub request_timeout: Duration,
    /// Extra trusted roots (a private CA) for step (1).
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// Re-trust: the fingerprint the user compared and accepted for a server whose certificate
    /// changed. Only a certificate (or issuing authority) with exactly this fingerprint is
    /// accepted, and then pinned.
    pub accept_fingerprint: Option<String>,
    /// Send the password over plain HTTP to a server met for the first time that speaks no
    /// TLS (the user's consent; a loopback address needs none: nothing leaves the machine).
    pub allow_http: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            extra_roots: Vec::new(),
            accept_fingerprint: None,
            allow_http: false,
        }
    }
}

/// What the store remembers of a server's security.
#[derive(Debug, Clone, Copy, Default)]
pub struct Known<'a> {
    pub protocol: Option<Protocol>,
    /// The pinned fingerprint (of the certificate, or of its issuing authority).
    pub cert_sha256: Option<&'a str>,
    pub cert_is_issuer: bool,
}

/// A logged-in session and how it was reached.
pub struct Connection {
    pub client: Client,
    pub protocol: Protocol,
    pub url: String,
    /// HTTPS: the fingerprint pinned (self-signed) or seen (verified).
    pub cert_sha256: Option<String>,
    /// The fingerprint is the issuing authority's (see `tls`).
    pub cert_is_issuer: bool,
}

/// An address on this machine (a loopback address, or a name that resolves only to such):
/// plain HTTP to it never leaves the machine.
async fn is_loopback(host: &str, port: u16) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<std::net::IpAddr>() {
        return ip.is_loopback();
    }
    match tokio::net::lookup_host((bare, port)).await {
        Ok(addrs) => {
            let addrs: Vec<_> = addrs.collect();
            !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
        }
        Err(_) => false,
    }
}

/// `host` as it goes into a URL (IPv6 literals in brackets).
pub fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

pub fn base_url(protocol: Protocol, host: &str, port: u16) -> String {
    format!("{}://{}:{port}", protocol.scheme(), url_host(host))
}

fn http_client(tls: Option<&TlsSetup>, opts: &ConnectOptions) -> Result<reqwest::Client> {
    let config = match tls {
        Some(t) => t.config.clone(),
        // Plain HTTP still needs a TLS config for the builder; it is never used.
        None => tls::pinned(&["-"]).map_err(tls_setup_error)?.config,
    };
    reqwest::Client::builder()
        .use_preconfigured_tls(config)
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(concat!("Duplidesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Error::new(ErrorCode::TlsError, format!("Could not set up the HTTP client: {e}"), "This is a bug; please report it."))
}

fn tls_setup_error(e: rustls::Error) -> Error {
    Error::new(ErrorCode::TlsError, format!("Could not set up TLS: {e}"), "Check the system's certificate store.")
}

/// One attempt: a client over `protocol`, probed with the login request.
async fn attempt(
    protocol: Protocol,
    tls: Option<&TlsSetup>,
    host: &str,
    port: u16,
    password: &str,
    opts: &ConnectOptions,
) -> Result<std::result::Result<(Client, Reply), Transport>> {
    let label = format!("{}:{port}", url_host(host));
    let mut client = Client::new(http_client(tls, opts)?, base_url(protocol, host, port), label.clone(), password.to_owned());
    Ok(match client.send_login().await {
        Ok(reply) => Ok((client, reply)),
        Err(Failed::Http(e)) => Err(net::classify(&label, &e)),
        Err(too_large) => Err(Transport::Other(too_large.into_error(&label))),
    })
}

/// Finds the protocol, logs in, and returns the session.
pub async fn connect(host: &str, port: u16, password: &str, known: Known<'_>, opts: &ConnectOptions) -> Result<Connection> {
    let label = format!("{}:{port}", url_host(host));
    // The pinned certificate; on re-trust also the one the user accepted (only a server that has
    // a pin can have a changed certificate: a new one is trusted on first use anyway).
    let pins: Vec<&str> = match known.cert_sha256 {
        Some(pin) => std::iter::once(pin).chain(opts.accept_fingerprint.as_deref()).collect(),
        None => Vec::new(),
    };

    // A server reached before over plain HTTP is tried that way first; if the port now speaks
    // TLS the full detection below upgrades it.
    if known.protocol == Some(Protocol::Http) {
        match attempt(Protocol::Http, None, host, port, password, opts).await? {
            Ok((client, reply)) => return finish(client, reply, Protocol::Http, None, opts).await,
            Err(Transport::Other(e)) if e.code != ErrorCode::InvalidResponse => return Err(e),
            Err(_) => {}
        }
    }

    // (1) full validation — skipped for a server pinned as self-signed.
    if known.protocol != Some(Protocol::HttpsSelfSigned) {
        let verified = tls::verified(&opts.extra_roots).map_err(tls_setup_error)?;
        match attempt(Protocol::Https, Some(&verified), host, port, password, opts).await? {
            Ok((client, reply)) => return finish(client, reply, Protocol::Https, verified.seen(), opts).await,
            Err(Transport::Certificate(_)) => {}
            Err(Transport::NotTls(why)) if known.protocol.is_some_and(Protocol::is_tls) => {
                return Err(Error::new(
                    ErrorCode::TlsError,
                    format!("{label} no longer answers over HTTPS ({why})."),
                    "Duplidesk never falls back to plain HTTP for a server that used HTTPS. If HTTPS was turned off on purpose, remove the server and add it again.",
                ));
            }
            Err(Transport::NotTls(why)) if !opts.allow_http && !is_loopback(host, port).await => {
                return Err(Error::new(
                    ErrorCode::PlainHttp,
                    format!("{label} does not answer over HTTPS ({why}); over plain HTTP its password would travel unencrypted."),
                    "If this network is yours and you accept that, allow plain HTTP for this server (the Collect dialog asks; --allow-http on the command line). Better: turn on HTTPS in Duplicati.",
                ));
            }
            Err(Transport::NotTls(_)) => {
                return match attempt(Protocol::Http, None, host, port, password, opts).await? {
                    Ok((client, reply)) => finish(client, reply, Protocol::Http, None, opts).await,
                    Err(t) => Err(transport_error(&label, t)),
                };
            }
            Err(t) => return Err(transport_error(&label, t)),
        }
    }

    // (2) trust on first use, or the pinned certificate.
    if known.protocol == Some(Protocol::Https) && opts.accept_fingerprint.is_none() {
        let now = peek_certificate(host, port, opts).await.ok().flatten().unwrap_or_else(|| "unknown".to_owned());
        return Err(Error::new(
            ErrorCode::CertificateChanged,
            format!("The certificate of {label} is no longer signed by a trusted authority; it is now {now}."),
            format!(
                "If the server now uses a self-signed certificate on purpose, compare that fingerprint with the server's and trust it (Re-trust in Server Settings, or --trust-new-certificate {now})."
            ),
        ));
    }
    let pinned = tls::pinned(&pins).map_err(tls_setup_error)?;
    match attempt(Protocol::HttpsSelfSigned, Some(&pinned), host, port, password, opts).await? {
        Ok((client, reply)) => {
            let seen = pinned.seen();
            finish(client, reply, Protocol::HttpsSelfSigned, seen, opts).await
        }
        Err(t) => Err(transport_error(&label, t)),
    }
}

fn transport_error(label: &str, t: Transport) -> Error {
    match t {
        Transport::Other(e) => e,
        Transport::PinChanged { expected, seen } => net::certificate_changed(label, &expected, &seen),
        Transport::Certificate(why) | Transport::NotTls(why) => Error::new(
            ErrorCode::TlsError,
            format!("The secure connection to {label} failed ({why})."),
            "Check the server's HTTPS settings and certificate.",
        ),
    }
}

/// Completes the login and, for a certificate trusted on first use, pins the session to it
/// (to its issuing authority when the server sent one).
async fn finish(mut client: Client, reply: Reply, protocol: Protocol, seen: Option<Seen>, opts: &ConnectOptions) -> Result<Connection> {
    client.accept_login(reply).await?;
    let url = client.base_url().to_owned();
    let (cert_sha256, cert_is_issuer) = match (protocol, seen) {
        (Protocol::HttpsSelfSigned, Some(seen)) => {
            let (pin, is_issuer) = seen.pin();
            // Later connections of this session must show the same certificate or authority.
            let pinned = tls::pinned(&[&pin]).map_err(tls_setup_error)?;
            client.replace_http(http_client(Some(&pinned), opts)?);
            (Some(pin), is_issuer)
        }
        (Protocol::Https, Some(seen)) => (Some(seen.leaf), false),
        _ => (None, false),
    };
    Ok(Connection { client, protocol, url, cert_sha256, cert_is_issuer })
}

/// A connection over the protocol and certificate that worked before, carrying on with a
/// session kept from an earlier collection: no request is made until the caller's first, and
/// the password is sent only if the server turns the session down. `None` when the server's
/// protocol is not known yet (then [`connect`] detects it).
pub fn resume(
    host: &str,
    port: u16,
    password: &str,
    known: Known<'_>,
    session: Session,
    opts: &ConnectOptions,
) -> Result<Option<Connection>> {
    let Some(protocol) = known.protocol else { return Ok(None) };
    let tls = match protocol {
        Protocol::Http => None,
        Protocol::Https => Some(tls::verified(&opts.extra_roots).map_err(tls_setup_error)?),
        Protocol::HttpsSelfSigned => match known.cert_sha256 {
            Some(pin) => Some(tls::pinned(&[pin]).map_err(tls_setup_error)?),
            None => return Ok(None),
        },
    };
    let label = format!("{}:{port}", url_host(host));
    let mut client = Client::new(http_client(tls.as_ref(), opts)?, base_url(protocol, host, port), label, password.to_owned());
    client.resume(session);
    let url = client.base_url().to_owned();
    Ok(Some(Connection { client, protocol, url, cert_sha256: known.cert_sha256.map(str::to_owned), cert_is_issuer: known.cert_is_issuer }))
}

/// The fingerprint `host:port` would be pinned by now (its certificate's, or its issuing
/// authority's), without logging in: only a TLS handshake and an anonymous `GET /` go out, so
/// no password reaches a server whose certificate changed. `None` when the port does not speak
/// TLS or cannot be reached.
pub async fn peek_certificate(host: &str, port: u16, opts: &ConnectOptions) -> Result<Option<String>> {
    let setup = tls::pinned(&[]).map_err(tls_setup_error)?;
    let client = http_client(Some(&setup), opts)?;
    let _ = client.get(format!("{}/", base_url(Protocol::HttpsSelfSigned, host, port))).send().await;
    Ok(setup.seen().map(|seen| seen.pin().0))
}
