//! TLS client configurations: full validation (platform roots plus optional extra roots) and
//! trust-on-first-use with a SHA-256 pin. Both record the fingerprint of the certificate seen.
//!
//! A pin is the fingerprint of the server's certificate, or of the certificate authority that
//! issued it when the server sends that authority with its certificate: Duplicati 2.3.1's
//! `--configure-https` makes a "Duplicati Local CA" and a 90-day server certificate it renews
//! every ~60 days (Library/Certificates/CertificateGenerator.cs), so pinning the authority keeps
//! a renewal from looking like a changed certificate, while another authority still does.
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, OtherError, SignatureScheme};
pub use rustls_pki_types::CertificateDer;
use rustls_pki_types::{ServerName, UnixTime};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::{Arc, Mutex};

/// SHA-256 over the DER certificate, as `openssl x509 -noout -fingerprint -sha256` prints it.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(95);
    for (i, b) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Normalises a fingerprint typed by a user (any case, with or without colons).
pub fn normalize_fingerprint(s: &str) -> Option<String> {
    let hex: String = s.chars().filter(|c| *c != ':' && !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(hex.as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(":"))
}

/// The error a pinned verifier raises when the server shows another certificate.
#[derive(Debug)]
pub struct PinMismatch {
    pub expected: String,
    pub seen: String,
}

impl fmt::Display for PinMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "certificate fingerprint {} does not match the pinned {}", self.seen, self.expected)
    }
}

impl std::error::Error for PinMismatch {}

pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// What the server showed: its certificate's fingerprint and, when it sent the authority that
/// issued it (a self-signed CA in the chain that verifies it), that authority's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    pub leaf: String,
    pub issuer: Option<String>,
}

impl Seen {
    /// What to pin: the issuing authority when there is one, else the certificate.
    pub fn pin(&self) -> (String, bool) {
        match &self.issuer {
            Some(issuer) => (issuer.clone(), true),
            None => (self.leaf.clone(), false),
        }
    }
}

/// Verifies the server certificate either through `inner` (full validation) or against the
/// pins (trust on first use when there is none yet), and records what was seen.
#[derive(Debug)]
struct RecordingVerifier {
    inner: Option<Arc<dyn ServerCertVerifier>>,
    pins: Vec<String>,
    provider: Arc<CryptoProvider>,
    seen: Arc<Mutex<Option<Seen>>>,
}

impl RecordingVerifier {
    /// The self-signed authority in `intermediates` under which `end_entity` verifies (the
    /// name is not checked: servers are often reached by an address the certificate does not
    /// name; the pin is what is trusted).
    fn issuer<'a>(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &'a [CertificateDer<'a>],
        now: UnixTime,
    ) -> Option<&'a CertificateDer<'a>> {
        intermediates.iter().find(|ca| verifies_under(ca, end_entity, &self.provider, now))
    }
}

/// Whether `end_entity` is valid now and signed by `ca` (taken as a trust anchor).
fn verifies_under(ca: &CertificateDer<'_>, end_entity: &CertificateDer<'_>, provider: &Arc<CryptoProvider>, now: UnixTime) -> bool {
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(ca.clone().into_owned()).is_err() {
        return false;
    }
    let Ok(verifier) = rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build() else {
        return false;
    };
    let any_name = ServerName::try_from("duplicati.invalid").expect("a valid name");
    match verifier.verify_server_cert(end_entity, &[], &any_name, &[], now) {
        Ok(_) => true,
        Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. })) => true,
        Err(_) => false,
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let leaf = fingerprint(end_entity.as_ref());
        let issuer = self.issuer(end_entity, intermediates, now).map(|ca| fingerprint(ca.as_ref()));
        let seen = Seen { leaf: leaf.clone(), issuer: issuer.clone() };
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(seen.clone());
        if let Some(inner) = &self.inner {
            return inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        }
        let matches = |pin: &String| *pin == leaf || issuer.as_ref() == Some(pin);
        match self.pins.first() {
            Some(expected) if !self.pins.iter().any(matches) => {
                Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(PinMismatch {
                    expected: expected.clone(),
                    seen: seen.pin().0,
                })))))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    // Signatures are always checked, so a pinned certificate proves possession of its key.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A client TLS configuration and the slot where what the server showed lands.
pub struct TlsSetup {
    pub config: ClientConfig,
    pub seen: Arc<Mutex<Option<Seen>>>,
}

impl TlsSetup {
    pub fn seen(&self) -> Option<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Full validation against the platform's roots plus `extra_roots` (e.g. a private CA).
pub fn verified(extra_roots: &[CertificateDer<'static>]) -> Result<TlsSetup, rustls::Error> {
    let provider = provider();
    let platform = rustls_platform_verifier::Verifier::new_with_extra_roots(extra_roots.iter().cloned(), provider.clone())?;
    build(Some(Arc::new(platform)), Vec::new(), provider)
}

/// Accepts a certificate whose fingerprint, or whose issuing authority's (sent with it and
/// verifying it), is one of `pins` (a mismatch names the first); any certificate when there is
/// none (trust on first use: the caller stores what was seen).
pub fn pinned(pins: &[&str]) -> Result<TlsSetup, rustls::Error> {
    build(None, pins.iter().map(|p| (*p).to_owned()).collect(), provider())
}

fn build(inner: Option<Arc<dyn ServerCertVerifier>>, pins: Vec<String>, provider: Arc<CryptoProvider>) -> Result<TlsSetup, rustls::Error> {
    let seen = Arc::new(Mutex::new(None));
    let verifier = RecordingVerifier { inner, pins, provider: provider.clone(), seen: seen.clone() };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(TlsSetup { config, seen })
}

/// Parses PEM certificates (for `--ca-cert`).
pub fn parse_pem_certs(pem: &[u8]) -> Vec<CertificateDer<'static>> {
    use rustls_pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem).filter_map(|c| c.ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_format() {
        let fp = fingerprint(b"abc");
        assert_eq!(fp.len(), 95);
        assert!(fp.starts_with("BA:78:16:BF"));
        assert_eq!(normalize_fingerprint(&fp.to_lowercase().replace(':', "")), Some(fp));
        assert_eq!(normalize_fingerprint("abc"), None);
        assert_eq!(normalize_fingerprint(&format!("SHA256 {}", "0".repeat(60))), None, "letters of a label are not digits");
    }
}
