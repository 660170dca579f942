//! Configured servers and the addresses they were reached by.
use super::{now_ts as now, Store};
use crate::error::{Error, Result};
use crate::model::Protocol;
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// A configured server as stored. `secret_ref` names its keychain entry; the password is never here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerRow {
    pub id: i64,
    pub secret_ref: String,
    /// Duplicati's MachineName once reached, else the host.
    pub name: String,
    pub alias: Option<String>,
    pub note: Option<String>,
    pub host: String,
    pub port: u16,
    pub url: Option<String>,
    pub protocol: Option<Protocol>,
    /// The pinned fingerprint (self-signed HTTPS): of the certificate, or of the authority that
    /// issued it when the server sends one (`cert_is_issuer`).
    pub cert_sha256: Option<String>,
    pub cert_is_issuer: bool,
    pub machine_id: Option<String>,
    pub version: Option<String>,
    pub last_collect_at: Option<i64>,
    pub last_ok: Option<bool>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub created_at: i64,
    /// When the server last said what it is (`systeminfo`: name, machine-id, version).
    pub systeminfo_at: Option<i64>,
    /// `serverstate.LastDataUpdateID` after the last complete collection.
    pub data_update_id: Option<i64>,
    /// The server's UTC offset (from `ServerTime`) when it last said what it is.
    pub utc_offset_s: Option<i32>,
    /// Collections that failed in a row (the background back-off).
    pub failures: u32,
}

impl ServerRow {
    /// The name to show: the alias if set, else the server's own name.
    pub fn display_name(&self) -> &str {
        self.alias.as_deref().filter(|a| !a.is_empty()).unwrap_or(&self.name)
    }
}

pub struct NewServer<'a> {
    pub name: &'a str,
    pub host: &'a str,
    pub port: u16,
    /// Set at once, so two names of one new server racing to create it find each other.
    pub machine_id: Option<&'a str>,
}

/// What the user edits in Server Settings.
#[derive(Debug, Clone, Default, serde::Deserialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct ServerSettings {
    pub alias: Option<String>,
    pub note: Option<String>,
    pub host: String,
    pub port: u16,
}

const COLUMNS: &str = "id, secret_ref, name, alias, note, host, port, url, protocol, cert_sha256, machine_id, version, \
                       last_collect_at, last_ok, last_error_code, last_error_message, created_at, systeminfo_at, data_update_id, cert_is_issuer, \
                       utc_offset_s, failures";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ServerRow> {
    Ok(ServerRow {
        id: r.get(0)?,
        secret_ref: r.get(1)?,
        name: r.get(2)?,
        alias: r.get(3)?,
        note: r.get(4)?,
        host: r.get(5)?,
        port: r.get(6)?,
        url: r.get(7)?,
        protocol: r.get::<_, Option<String>>(8)?.and_then(|p| p.parse().ok()),
        cert_sha256: r.get(9)?,
        machine_id: r.get(10)?,
        version: r.get(11)?,
        last_collect_at: r.get(12)?,
        last_ok: r.get(13)?,
        last_error_code: r.get(14)?,
        last_error_message: r.get(15)?,
        created_at: r.get(16)?,
        systeminfo_at: r.get(17)?,
        data_update_id: r.get(18)?,
        cert_is_issuer: r.get(19)?,
        utc_offset_s: r.get(20)?,
        failures: r.get(21)?,
    })
}

impl Store {
    pub fn servers(&self) -> Result<Vec<ServerRow>> {
        let mut st = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM servers ORDER BY lower(coalesce(alias, name)), id"))?;
        let rows = st.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn server(&self, id: i64) -> Result<Option<ServerRow>> {
        Ok(self.conn.query_row(&format!("SELECT {COLUMNS} FROM servers WHERE id = ?1"), [id], from_row).optional()?)
    }

    /// The server last reached at `host:port` (by any of its names).
    pub fn server_by_address(&self, host: &str, port: u16) -> Result<Option<ServerRow>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM servers WHERE id = (SELECT server_id FROM server_addresses WHERE host = ?1 AND port = ?2)"),
                params![host, port],
                from_row,
            )
            .optional()?)
    }

    /// The server with this Duplicati identity (machine-id + MachineName).
    pub fn server_by_identity(&self, machine_id: &str, name: &str) -> Result<Option<ServerRow>> {
        Ok(self
            .conn
            .query_row(&format!("SELECT {COLUMNS} FROM servers WHERE machine_id = ?1 AND name = ?2"), params![machine_id, name], from_row)
            .optional()?)
    }

    /// Finds a server by alias, name or host (case-insensitive), or by numeric id.
    pub fn find_server(&self, key: &str) -> Result<Option<ServerRow>> {
        if let Ok(id) = key.parse::<i64>() {
            if let Some(s) = self.server(id)? {
                return Ok(Some(s));
            }
        }
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {COLUMNS} FROM servers WHERE lower(alias) = lower(?1) OR lower(name) = lower(?1) OR lower(host) = lower(?1) \
                     OR id IN (SELECT server_id FROM server_addresses WHERE host = ?1) ORDER BY id LIMIT 1"
                ),
                [key],
                from_row,
            )
            .optional()?)
    }

    pub fn insert_server(&self, s: &NewServer<'_>) -> Result<ServerRow> {
        let secret_ref = format!("server-{}", uuid::Uuid::new_v4());
        self.conn.execute(
            "INSERT INTO servers(secret_ref, name, host, port, machine_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![secret_ref, s.name, s.host, s.port, s.machine_id, now()],
        )?;
        let id = self.conn.last_insert_rowid();
        self.add_address(id, s.host, s.port)?;
        self.server(id)?.ok_or_else(|| Error::store("the new server vanished"))
    }

    /// Remembers that `host:port` reaches `server_id` (a second name for the same server).
    pub fn add_address(&self, server_id: i64, host: &str, port: u16) -> Result<()> {
        self.conn.execute(
            "INSERT INTO server_addresses(host, port, server_id) VALUES (?1, ?2, ?3) \
             ON CONFLICT(host, port) DO UPDATE SET server_id = excluded.server_id",
            params![host, port, server_id],
        )?;
        Ok(())
    }

    /// Records how the server was reached and what it said it is.
    #[allow(clippy::too_many_arguments)]
    pub fn update_server_connection(
        &self,
        id: i64,
        url: &str,
        protocol: Protocol,
        cert: (Option<&str>, bool),
        machine_id: Option<&str>,
        name: &str,
        version: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE servers SET url = ?2, protocol = ?3, cert_sha256 = ?4, cert_is_issuer = ?5, machine_id = coalesce(?6, machine_id), \
             name = ?7, version = ?8, systeminfo_at = ?9 WHERE id = ?1",
            params![id, url, protocol.as_str(), cert.0, cert.1, machine_id, name, version, now()],
        )?;
        Ok(())
    }

    /// When the server was last checked (collected, successfully or not).
    pub fn set_checked_at(&self, id: i64, at: i64) -> Result<()> {
        self.conn.execute("UPDATE servers SET last_collect_at = ?2 WHERE id = ?1 AND last_collect_at IS NOT NULL", params![id, at])?;
        Ok(())
    }

    /// Remembers the server's UTC offset (`None`: unknown).
    pub fn set_utc_offset(&self, id: i64, offset_s: Option<i32>) -> Result<()> {
        self.conn.execute("UPDATE servers SET utc_offset_s = ?2 WHERE id = ?1", params![id, offset_s])?;
        Ok(())
    }

    /// Remembers `serverstate.LastDataUpdateID` after a complete collection (`None`: unknown).
    pub fn set_data_update_id(&self, id: i64, value: Option<i64>) -> Result<()> {
        self.conn.execute("UPDATE servers SET data_update_id = ?2 WHERE id = ?1", params![id, value])?;
        Ok(())
    }

    pub fn set_last_result(&self, id: i64, at: i64, error: Option<&Error>) -> Result<()> {
        self.conn.execute(
            "UPDATE servers SET last_collect_at = ?2, last_ok = ?3, last_error_code = ?4, last_error_message = ?5, \
             failures = CASE WHEN ?3 THEN 0 ELSE failures + 1 END WHERE id = ?1",
            params![id, at, error.is_none(), error.map(|e| e.code.as_str()), error.map(|e| e.message.as_str())],
        )?;
        Ok(())
    }

    pub fn update_server_settings(&self, id: i64, s: &ServerSettings) -> Result<ServerRow> {
        let host = s.host.trim();
        if host.is_empty() || s.port == 0 {
            return Err(Error::invalid_input(
                "A server needs a host and a port.",
                "Enter the host name or IP address and the port (8200 by default).",
            ));
        }
        let tx = self.conn.unchecked_transaction()?;
        let old = self.server(id)?.ok_or_else(Error::server_not_found)?;
        let moved = !old.host.eq_ignore_ascii_case(host) || old.port != s.port;
        tx.execute(
            "UPDATE servers SET alias = ?2, note = ?3, host = ?4, port = ?5 WHERE id = ?1",
            params![
                id,
                s.alias.as_deref().map(str::trim).filter(|a| !a.is_empty()),
                s.note.as_deref().filter(|n| !n.is_empty()),
                host,
                s.port
            ],
        )?;
        if moved {
            // The trust record stays: a server that spoke HTTPS is still only reached over
            // HTTPS, and with its pin (a new certificate must be re-trusted). Plain HTTP was
            // allowed for the old address only: the new one is asked again.
            tx.execute(
                "UPDATE servers SET url = NULL, protocol = CASE WHEN protocol = 'http' THEN NULL ELSE protocol END WHERE id = ?1",
                [id],
            )?;
            tx.execute(
                "INSERT INTO server_addresses(host, port, server_id) VALUES (?1, ?2, ?3) ON CONFLICT(host, port) DO UPDATE SET server_id = excluded.server_id",
                params![host, s.port, id],
            )?;
        }
        tx.commit()?;
        self.server(id)?.ok_or_else(|| Error::store("the server vanished"))
    }

    /// Deletes a server and its jobs. Its log entries stay (orphans) until logs are cleared.
    pub fn delete_server(&self, id: i64) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM servers WHERE id = ?1", [id])? > 0)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record_run(
        &self,
        server_id: Option<i64>,
        host: &str,
        started_at: i64,
        new_entries: u64,
        skipped: u64,
        errors: u64,
        error: Option<&Error>,
        protocol: Option<Protocol>,
        url: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO collection_runs(server_id, host, started_at, finished_at, ok, new_entries, skipped, errors, error_code, error_message, protocol, url) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                server_id,
                host,
                started_at,
                now(),
                error.is_none() && errors == 0,
                new_entries as i64,
                skipped as i64,
                errors as i64,
                error.map(|e| e.code.as_str()),
                error.map(|e| e.message.as_str()),
                protocol.map(|p| p.as_str()),
                url
            ],
        )?;
        Ok(())
    }
}

impl Store {
    /// Sets the Duplicati version of a server known only from an imported file.
    pub fn set_version(&self, id: i64, version: &str) -> Result<()> {
        self.conn.execute("UPDATE servers SET version = ?2 WHERE id = ?1", params![id, version])?;
        Ok(())
    }
}
