//! Certificates made with rcgen and the swappable rustls acceptor config.
//!
//! [`TlsMode::CaSigned`] follows `--configure-https` of 2.3.1
//! (`Library/Certificates/CertificateGenerator.cs`, `HostnameDetector.cs`): an ECDSA P-256
//! CA "Duplicati Local CA" (O=Duplicati, C=US, 10 years, path length 0) signs a 90-day ECDSA
//! P-256 leaf "Duplicati Server" with an 8-byte serial, server-auth usage, key identifiers and
//! SANs for localhost, 127.0.0.1, ::1 and the machine name. Both start 5 minutes in the past.

use std::io;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::config::TlsMode;

const DAY: u64 = 24 * 3600;

/// The current leaf certificate and the rustls config serving it.
pub(crate) struct CertState {
    pub leaf_der: Vec<u8>,
    pub config: Arc<rustls::ServerConfig>,
}

/// A local CA that signs leaves in [`TlsMode::CaSigned`].
struct LocalCa {
    pem: String,
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

/// TLS material of a server; `None` fields in plain mode.
pub(crate) struct Tls {
    ca: RwLock<Option<Arc<LocalCa>>>,
    current: RwLock<Arc<CertState>>,
    /// SANs of CA-signed leaves.
    sans: Vec<String>,
    /// Send the CA after the leaf.
    send_ca: bool,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Seconds since the epoch, now.
fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Sets the validity to [now - 5 min, now + `days`].
fn validity(params: &mut CertificateParams, days: u64) {
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    let now = unix_now();
    params.not_before = epoch + Duration::from_secs(now.saturating_sub(300));
    params.not_after = epoch + Duration::from_secs(now + days * DAY);
}

/// `CN=…, O=Duplicati, C=US` as .NET encodes it (components reversed: C, O, CN).
fn duplicati_dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CountryName, "US");
    dn.push(DnType::OrganizationName, "Duplicati");
    dn.push(DnType::CommonName, cn);
    dn
}

/// Whether `HostnameDetector.IsValidDnsName` would keep the machine name.
fn is_dns_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !l.starts_with('-'))
}

impl Tls {
    /// Creates certificates for `mode`; `Ok(None)` for plain HTTP. `machine_name` joins the
    /// SANs of CA-signed leaves when it is a valid DNS name.
    pub fn new(mode: TlsMode, machine_name: &str, send_ca: bool) -> io::Result<Option<Tls>> {
        let mut sans: Vec<String> = ["localhost", "127.0.0.1", "::1"].iter().map(|s| s.to_string()).collect();
        if is_dns_name(machine_name) && !sans.iter().any(|s| s.eq_ignore_ascii_case(machine_name)) {
            sans.push(machine_name.to_string());
        }
        let ca = match mode {
            TlsMode::Plain => return Ok(None),
            TlsMode::SelfSigned => None,
            TlsMode::CaSigned => Some(Arc::new(make_ca()?)),
        };
        let state = make_leaf(ca.as_deref(), &sans, send_ca)?;
        Ok(Some(Tls { ca: RwLock::new(ca), current: RwLock::new(Arc::new(state)), sans, send_ca }))
    }

    /// The state new connections use.
    pub fn current(&self) -> Arc<CertState> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn ca(&self) -> Option<Arc<LocalCa>> {
        self.ca.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// PEM of the CA certificate (CA-signed mode only).
    pub fn ca_pem(&self) -> Option<String> {
        self.ca().map(|c| c.pem.clone())
    }

    /// DER of the CA certificate (CA-signed mode only).
    pub fn ca_der(&self) -> Option<Vec<u8>> {
        self.ca().map(|c| c.der.clone())
    }

    /// New key and leaf certificate (signed by the same CA in CA mode).
    pub fn rotate(&self) -> io::Result<()> {
        let state = make_leaf(self.ca().as_deref(), &self.sans, self.send_ca)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(state);
        Ok(())
    }

    /// A new CA and a new leaf signed by it (CA mode; otherwise like [`Tls::rotate`]).
    pub fn replace_ca(&self) -> io::Result<()> {
        if self.ca().is_some() {
            *self.ca.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(make_ca()?));
        }
        self.rotate()
    }
}

fn make_ca() -> io::Result<LocalCa> {
    // rcgen's default key is ECDSA P-256 with SHA-256, as CertificateGenerator uses.
    let key = KeyPair::generate().map_err(other)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    params.distinguished_name = duplicati_dn("Duplicati Local CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    validity(&mut params, 365 * 10);
    let cert = params.self_signed(&key).map_err(other)?;
    Ok(LocalCa { pem: cert.pem(), der: cert.der().to_vec(), issuer: Issuer::new(params, key) })
}

fn make_leaf(ca: Option<&LocalCa>, sans: &[String], send_ca: bool) -> io::Result<CertState> {
    let key = KeyPair::generate().map_err(other)?;
    let cert = match ca {
        Some(ca) => {
            let mut params = CertificateParams::new(sans.to_vec()).map_err(other)?;
            params.distinguished_name = duplicati_dn("Duplicati Server");
            params.is_ca = IsCa::ExplicitNoCa;
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            params.use_authority_key_identifier_extension = true;
            let mut serial = [0u8; 8];
            let _ = SystemRandom::new().fill(&mut serial);
            // A positive INTEGER: the top bit clear.
            serial[0] &= 0x7f;
            params.serial_number = Some(SerialNumber::from_slice(&serial));
            validity(&mut params, 90);
            params.signed_by(&key, &ca.issuer)
        }
        None => {
            let mut params = CertificateParams::new(sans[..3].to_vec()).map_err(other)?;
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CommonName, "localhost");
            params.distinguished_name = dn;
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            params.self_signed(&key)
        }
    }
    .map_err(other)?;
    let leaf_der = cert.der().to_vec();
    let mut chain = vec![CertificateDer::from(leaf_der.clone())];
    if let (Some(ca), true) = (ca, send_ca) {
        chain.push(CertificateDer::from(ca.der.clone()));
    }
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(CertState { leaf_der, config: Arc::new(config) })
}

/// SHA-256 of `der` as `openssl x509 -fingerprint -sha256` prints it: `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns_name("fileserver01"));
        assert!(is_dns_name("nas.example.lan"));
        assert!(!is_dns_name("nas-ü & <02>"));
        assert!(!is_dns_name("-bad"));
        assert!(!is_dns_name(""));
    }
}
