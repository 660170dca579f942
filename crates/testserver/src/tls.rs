//! Certificates made at start with rcgen and the swappable rustls acceptor config.

use std::io;
use std::sync::{Arc, RwLock};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};

use crate::config::TlsMode;

const SANS: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// The current leaf certificate and the rustls config serving it.
pub(crate) struct CertState {
    pub leaf_der: Vec<u8>,
    pub config: Arc<rustls::ServerConfig>,
}

/// A local CA that signs leaves in [`TlsMode::CaSigned`].
struct LocalCa {
    pem: String,
    issuer: Issuer<'static, KeyPair>,
}

/// TLS material of a server; `None` fields in plain mode.
pub(crate) struct Tls {
    ca: Option<LocalCa>,
    current: RwLock<Arc<CertState>>,
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

impl Tls {
    /// Creates certificates for `mode`; `Ok(None)` for plain HTTP.
    pub fn new(mode: TlsMode) -> io::Result<Option<Tls>> {
        let ca = match mode {
            TlsMode::Plain => return Ok(None),
            TlsMode::SelfSigned => None,
            TlsMode::CaSigned => Some(make_ca()?),
        };
        let state = make_leaf(ca.as_ref())?;
        Ok(Some(Tls { ca, current: RwLock::new(Arc::new(state)) }))
    }

    /// The state new connections use.
    pub fn current(&self) -> Arc<CertState> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// PEM of the CA certificate (CA-signed mode only).
    pub fn ca_pem(&self) -> Option<String> {
        self.ca.as_ref().map(|c| c.pem.clone())
    }

    /// New key and leaf certificate (signed by the same CA in CA mode).
    pub fn rotate(&self) -> io::Result<()> {
        let state = make_leaf(self.ca.as_ref())?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(state);
        Ok(())
    }
}

fn make_ca() -> io::Result<LocalCa> {
    let key = KeyPair::generate().map_err(other)?;
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(other)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "Duplicati Local CA");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    let cert = params.self_signed(&key).map_err(other)?;
    Ok(LocalCa { pem: cert.pem(), issuer: Issuer::new(params, key) })
}

fn make_leaf(ca: Option<&LocalCa>) -> io::Result<CertState> {
    let key = KeyPair::generate().map_err(other)?;
    let mut params = CertificateParams::new(SANS.iter().map(|s| s.to_string()).collect::<Vec<_>>()).map_err(other)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    params.distinguished_name = dn;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = match ca {
        Some(ca) => {
            params.use_authority_key_identifier_extension = true;
            params.signed_by(&key, &ca.issuer)
        }
        None => params.self_signed(&key),
    }
    .map_err(other)?;
    let leaf_der = cert.der().to_vec();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(leaf_der.clone())], key_der)
        .map_err(other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(CertState { leaf_der, config: Arc::new(config) })
}

/// SHA-256 of `der` as `openssl x509 -fingerprint -sha256` prints it: `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}
