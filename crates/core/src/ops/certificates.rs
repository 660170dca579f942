//! Certificate authorities the user trusts for every server (Settings, like `--ca-cert`).
use super::Engine;
use crate::connect::ConnectOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::store::TrustedCa;
use crate::task::blocking;
use crate::tls;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use std::path::PathBuf;

impl Engine {
    /// The imported certificate authorities.
    pub async fn trusted_cas(&self) -> Result<Vec<TrustedCa>> {
        self.db()?.read(|s| s.trusted_cas()).await
    }

    /// Imports the certificate authorities of a PEM file (one or more certificates) or of one
    /// DER certificate; returns the ones the file holds.
    pub async fn import_ca(&self, path: PathBuf) -> Result<Vec<TrustedCa>> {
        let label = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        let file = path.clone();
        let bytes = blocking(move || std::fs::read(&file).map_err(|e| Error::io(&format!("Could not read {}", file.display()), e))).await?;
        let mut ders: Vec<Vec<u8>> = tls::parse_pem_certs(&bytes).into_iter().map(|c| c.as_ref().to_vec()).collect();
        if ders.is_empty() && bytes.first() == Some(&0x30) {
            ders.push(bytes); // DER: a SEQUENCE
        }
        if ders.is_empty() {
            return Err(Error::invalid_input(
                format!("{} holds no certificate.", path.display()),
                "Choose the authority's certificate file (PEM, .crt or .cer), e.g. Duplicati's local CA certificate.",
            ));
        }
        let entries: Vec<(String, String)> = ders.iter().map(|der| (tls::fingerprint(der), pem_of(der))).collect();
        let fingerprints: Vec<String> = entries.iter().map(|(fp, _)| fp.clone()).collect();
        self.db()?
            .write(move |s| {
                for (fp, pem) in &entries {
                    s.add_trusted_ca(fp, &label, pem)?;
                }
                Ok(())
            })
            .await?;
        self.data_changed();
        Ok(self.trusted_cas().await?.into_iter().filter(|ca| fingerprints.contains(&ca.fingerprint)).collect())
    }

    /// Stops trusting an imported authority.
    pub async fn remove_ca(&self, fingerprint: String) -> Result<()> {
        if !self.db()?.write(move |s| s.remove_trusted_ca(&fingerprint)).await? {
            return Err(Error::new(ErrorCode::NotFound, "That certificate authority is not in the list any more.", "Reload the list."));
        }
        self.data_changed();
        Ok(())
    }

    /// The connection options of this engine, with the imported authorities trusted.
    pub(super) async fn connect_options(&self) -> Result<ConnectOptions> {
        let pems = self.db()?.read(|s| s.trusted_ca_pems()).await?;
        let mut options = self.collect_options.connect.clone();
        for pem in pems {
            options.extra_roots.extend(tls::parse_pem_certs(pem.as_bytes()));
        }
        Ok(options)
    }
}

fn pem_of(der: &[u8]) -> String {
    let body = B64.encode(der);
    let lines: Vec<&str> = body.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}
