//! Certificate authorities the user imported: trusted for every server's HTTPS, like the
//! command line's `--ca-cert` (e.g. the "Duplicati Local CA" of `--configure-https`).
use super::{now_ts, Store};
use crate::error::Result;
use rusqlite::params;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TrustedCa {
    /// SHA-256 of the DER certificate (`AB:CD:…`).
    pub fingerprint: String,
    /// The file it was imported from.
    pub label: String,
    pub added_at: i64,
}

impl Store {
    pub fn trusted_cas(&self) -> Result<Vec<TrustedCa>> {
        let mut st = self.conn.prepare_cached("SELECT fingerprint, label, added_at FROM trusted_cas ORDER BY added_at, fingerprint")?;
        let rows = st
            .query_map([], |r| Ok(TrustedCa { fingerprint: r.get(0)?, label: r.get(1)?, added_at: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The imported authorities as PEM, for the TLS configuration.
    pub fn trusted_ca_pems(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached("SELECT pem FROM trusted_cas ORDER BY added_at")?;
        let rows = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Adds an authority (again: keeps the first label).
    pub fn add_trusted_ca(&self, fingerprint: &str, label: &str, pem: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO trusted_cas(fingerprint, label, pem, added_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT(fingerprint) DO NOTHING",
            params![fingerprint, label, pem, now_ts()],
        )?;
        Ok(())
    }

    pub fn remove_trusted_ca(&self, fingerprint: &str) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM trusted_cas WHERE fingerprint = ?1", [fingerprint])? > 0)
    }
}
