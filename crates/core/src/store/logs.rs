//! Log entries: writing a page of a job's log, app-made entries, listing and counting.
use super::{JobCursor, JobRow, Store};
use crate::error::Result;
use crate::model::Status;
use crate::monitor::NewEntry;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageOutcome {
    pub new: u64,
    pub skipped: u64,
}

/// One row of the Backup Logs list.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "LogEntry")]
pub struct LogEntryRow {
    pub id: i64,
    /// Unix seconds (UTC).
    pub date: i64,
    pub status: Status,
    #[serde(rename = "type")]
    pub op_type: String,
    pub server: String,
    pub job: Option<String>,
    pub message: String,
    pub duration_s: Option<f64>,
    pub size_bytes: Option<i64>,
    pub uploaded_bytes: Option<i64>,
    pub warnings: i64,
    pub errors: i64,
    pub server_id: Option<i64>,
    pub job_id: Option<i64>,
}

/// The full context of an entry, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct LogDetails {
    /// Duplicati's result JSON, or the text it sent.
    pub text: String,
    /// When the details were longer than the store keeps: their size in bytes as Duplicati
    /// sent them (lists keep their first items and a `<name>CutFrom` count).
    pub cut_from: Option<u64>,
}

/// Filters for listing and counting entries. `to` is exclusive.
#[derive(Debug, Clone, Default)]
pub struct LogQuery {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub statuses: Vec<Status>,
    /// Server alias, name or host; also matches entries of deleted servers by name.
    pub server: Option<String>,
    pub job: Option<String>,
    pub op_type: Option<String>,
    /// Text the message contains (case-insensitive for ASCII letters, as SQLite's LIKE).
    pub search: Option<String>,
    /// None or 0 = all.
    pub limit: Option<u32>,
    pub offset: u32,
}

impl LogQuery {
    /// Whether every entry matches.
    pub fn is_unfiltered(&self) -> bool {
        self.where_clause().0.is_empty()
    }

    /// The ORDER BY of a listing. Newest first along the date index, except with a text
    /// search: walking a million dates for a rare word costs seconds, while scanning the rows
    /// (or a status's index) and sorting the matches costs a fraction of one (`+` keeps SQLite
    /// from ordering by the index).
    fn order_by(&self) -> &'static str {
        if self.search.is_some() {
            "ORDER BY +e.date DESC, +e.id DESC"
        } else {
            "ORDER BY e.date DESC, e.id DESC"
        }
    }

    fn where_clause(&self) -> (String, Vec<Value>) {
        let mut sql = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(from) = self.from {
            args.push(from.into());
            sql.push(format!("date >= ?{}", args.len()));
        }
        if let Some(to) = self.to {
            args.push(to.into());
            sql.push(format!("date < ?{}", args.len()));
        }
        if !self.statuses.is_empty() {
            let marks: Vec<String> = self
                .statuses
                .iter()
                .map(|s| {
                    args.push(s.as_str().to_owned().into());
                    format!("?{}", args.len())
                })
                .collect();
            sql.push(format!("status IN ({})", marks.join(", ")));
        }
        if let Some(server) = &self.server {
            args.push(server.clone().into());
            let n = args.len();
            sql.push(format!(
                "(server_id IN (SELECT id FROM servers WHERE lower(alias) = lower(?{n}) OR lower(name) = lower(?{n}) OR lower(host) = lower(?{n})) \
                 OR lower(server_name) = lower(?{n}))"
            ));
        }
        if let Some(job) = &self.job {
            args.push(job.clone().into());
            sql.push(format!("lower(job_name) = lower(?{})", args.len()));
        }
        if let Some(t) = &self.op_type {
            args.push(t.clone().into());
            sql.push(format!("lower(type) = lower(?{})", args.len()));
        }
        if let Some(text) = &self.search {
            args.push(format!("%{}%", like_escape(text)).into());
            sql.push(format!("message LIKE ?{} ESCAPE '\\'", args.len()));
        }
        let clause = if sql.is_empty() { String::new() } else { format!("WHERE {}", sql.join(" AND ")) };
        (clause, args)
    }
}

/// `text` with LIKE's wildcards (`%`, `_`) and the escape character taken literally.
fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn compress(text: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(text.as_bytes())
}

/// What [`compress`] makes, for the rows of a page: the output buffer and the encoder's hash
/// table are allocated once and reused, not allocated (and zeroed) afresh for each row.
struct Compressor {
    buf: Vec<u8>,
    /// The 16-bit table `compress` uses for a text under 64 KB; a longer text (rare) goes
    /// through `compress_into`, which then uses its 32-bit table, so the bytes stay the same.
    table: lz4_flex::block::CompressTable,
}

impl Compressor {
    fn new() -> Self {
        Self { buf: Vec::new(), table: lz4_flex::block::CompressTable::small() }
    }

    fn compress(&mut self, text: &str) -> &[u8] {
        let size = 4 + lz4_flex::block::get_maximum_output_size(text.len());
        if self.buf.len() < size {
            self.buf.resize(size, 0);
        }
        self.buf[..4].copy_from_slice(&(text.len() as u32).to_le_bytes());
        let out = &mut self.buf[4..];
        let n = if text.len() < usize::from(u16::MAX) {
            lz4_flex::block::compress_into_with_table(text.as_bytes(), out, &mut self.table)
        } else {
            lz4_flex::block::compress_into(text.as_bytes(), out)
        }
        .expect("room for the largest output");
        &self.buf[..4 + n]
    }
}

fn decompress(blob: &[u8]) -> Result<String> {
    let bytes = lz4_flex::decompress_size_prepended(blob).map_err(|e| crate::Error::store(format!("damaged entry details: {e}")))?;
    String::from_utf8(bytes).map_err(|e| crate::Error::store(format!("damaged entry details: {e}")))
}

/// The columns `entry_from_row` reads, for queries over `log_entries e`.
pub(super) const ENTRY_COLUMNS: &str =
    "e.id, e.date, e.status, e.type, e.server_name, e.job_name, e.message, e.duration_s, e.size_bytes, e.uploaded_bytes, e.warnings, e.errors, e.server_id, e.job_id";

pub(super) fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<LogEntryRow> {
    Ok(LogEntryRow {
        id: r.get(0)?,
        date: r.get(1)?,
        status: r.get::<_, String>(2)?.parse().unwrap_or(Status::Info),
        op_type: r.get(3)?,
        server: r.get(4)?,
        job: r.get(5)?,
        message: r.get(6)?,
        duration_s: r.get(7)?,
        size_bytes: r.get(8)?,
        uploaded_bytes: r.get(9)?,
        warnings: r.get(10)?,
        errors: r.get(11)?,
        server_id: r.get(12)?,
        job_id: r.get(13)?,
    })
}

/// Inserts entries of a job (a duplicate is skipped by the UNIQUE constraint) with their details.
/// A row that "Clear backup logs" removed is skipped too (see [`Store::clear_logs`]): it never
/// comes back with a later collection or import.
fn insert_entries(tx: &rusqlite::Transaction<'_>, job: &JobRow, server_name: &str, entries: &[NewEntry]) -> Result<PageOutcome> {
    let mut out = PageOutcome::default();
    let cleared = Cleared::of_job(tx, job.id)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO log_entries(server_id, server_name, job_id, job_name, remote_id, remote_timestamp, date, status, type, message, \
         duration_s, size_bytes, uploaded_bytes, warnings, errors, files_examined, files_added, files_modified, files_deleted) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT DO NOTHING",
    )?;
    let mut details = tx.prepare_cached("INSERT INTO log_details(entry_id, raw_lz4, cut_from) VALUES (?1, ?2, ?3)")?;
    let mut compressor = Compressor::new();
    for e in entries {
        if cleared.covers(tx, job.id, e)? {
            out.skipped += 1;
            continue;
        }
        let files = e.files;
        let n = insert.execute(params![
            job.server_id,
            server_name,
            job.id,
            job.name,
            e.remote_id,
            e.remote_timestamp,
            e.date,
            e.status.as_str(),
            e.op_type,
            e.message,
            e.duration_s,
            e.size_bytes,
            e.uploaded_bytes,
            e.warnings,
            e.errors,
            files.map(|f| f.examined),
            files.map(|f| f.added),
            files.map(|f| f.modified),
            files.map(|f| f.deleted)
        ])?;
        if n == 1 {
            details.execute(params![tx.last_insert_rowid(), compressor.compress(&e.details), e.details_cut_from])?;
            out.new += 1;
        } else {
            out.skipped += 1;
        }
    }
    Ok(out)
}

/// What "Clear backup logs" removed of one job: every row dated up to `through`, and the
/// rows dated later that are listed in `cleared_rows`.
struct Cleared {
    through: Option<i64>,
    listed: bool,
}

impl Cleared {
    fn of_job(tx: &rusqlite::Transaction<'_>, job_id: i64) -> Result<Cleared> {
        Ok(tx
            .query_row(
                "SELECT cleared_through, EXISTS (SELECT 1 FROM cleared_rows WHERE job_id = ?1) FROM jobs WHERE id = ?1",
                [job_id],
                |r| Ok(Cleared { through: r.get(0)?, listed: r.get(1)? }),
            )
            .optional()?
            .unwrap_or(Cleared { through: None, listed: false }))
    }

    /// Whether `e` (a row of the server's log or of its job list) is one that was cleared.
    fn covers(&self, tx: &rusqlite::Transaction<'_>, job_id: i64, e: &NewEntry) -> Result<bool> {
        let (Some(id), Some(ts)) = (e.remote_id, e.remote_timestamp) else { return Ok(false) };
        if self.through.is_some_and(|through| ts <= through) {
            return Ok(true);
        }
        if !self.listed {
            return Ok(false);
        }
        let mut st = tx.prepare_cached("SELECT 1 FROM cleared_rows WHERE job_id = ?1 AND remote_id = ?2 AND remote_timestamp = ?3")?;
        Ok(st.exists(params![job_id, id, ts])?)
    }
}

/// The listing's statement for `q` (filters, order, limit and offset) and its arguments.
fn select_entries(q: &LogQuery) -> (String, Vec<Value>) {
    let (clause, mut args) = q.where_clause();
    let limit = match q.limit {
        Some(n) if n > 0 => n as i64,
        _ => -1,
    };
    args.push(limit.into());
    args.push((q.offset as i64).into());
    let n = args.len();
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM log_entries e {clause} {} LIMIT ?{} OFFSET ?{}", q.order_by(), n - 1, n);
    (sql, args)
}

/// Stores an entry the app produced, within the caller's transaction.
pub(super) fn insert_system_entry_in(
    tx: &rusqlite::Transaction<'_>,
    server_id: Option<i64>,
    server_name: &str,
    entry: &NewEntry,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO log_entries(server_id, server_name, date, status, type, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![server_id, server_name, entry.date, entry.status.as_str(), entry.op_type, entry.message],
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO log_details(entry_id, raw_lz4, cut_from) VALUES (?1, ?2, ?3)",
        params![id, compress(&entry.details), entry.details_cut_from],
    )?;
    Ok(id)
}

impl Store {
    /// Stores one page of a job's log and the job's cursor after it, in one transaction.
    pub fn store_page(&mut self, job: &JobRow, server_name: &str, entries: &[NewEntry], cursor: &JobCursor) -> Result<PageOutcome> {
        let tx = self.conn.transaction()?;
        let out = insert_entries(&tx, job, server_name, entries)?;
        tx.execute(
            "UPDATE jobs SET complete_through = ?2, complete_ts = ?3, pass_top = ?4, pass_top_ts = ?5, pass_low = ?6 WHERE id = ?1",
            params![job.id, cursor.complete_through, cursor.complete_ts, cursor.pass_top, cursor.pass_top_ts, cursor.pass_low],
        )?;
        tx.commit()?;
        Ok(out)
    }

    /// Stores entries of a job that do not come from its log (what `Backup.Metadata` says),
    /// each at most once: `(remote_id, remote_timestamp)` identifies them like log rows.
    pub fn store_job_entries(&mut self, job: &JobRow, server_name: &str, entries: &[NewEntry]) -> Result<PageOutcome> {
        let tx = self.conn.transaction()?;
        let out = insert_entries(&tx, job, server_name, entries)?;
        tx.commit()?;
        Ok(out)
    }

    /// Whether the job's log holds a run that ended badly (error, warning or stopped) within
    /// `window_s` seconds of `at`: it explains a failure the job's metadata reports.
    pub fn failed_run_near(&self, job_id: i64, at: i64, window_s: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM log_entries WHERE job_id = ?1 AND remote_id > 0 AND status IN ('error', 'warning', 'stopped') \
                 AND remote_timestamp BETWEEN ?2 AND ?3 LIMIT 1",
                params![job_id, at - window_s, at + window_s],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Saves the job's cursor alone (a pass that ended without new rows).
    pub fn save_cursor(&self, job_id: i64, cursor: &JobCursor) -> Result<()> {
        self.conn.execute(
            "UPDATE jobs SET complete_through = ?2, complete_ts = ?3, pass_top = ?4, pass_top_ts = ?5, pass_low = ?6 WHERE id = ?1",
            params![job_id, cursor.complete_through, cursor.complete_ts, cursor.pass_top, cursor.pass_top_ts, cursor.pass_low],
        )?;
        Ok(())
    }

    /// Stores an entry the app produced (connection failure, recovery, housekeeping).
    pub fn insert_system_entry(&self, server_id: Option<i64>, server_name: &str, entry: &NewEntry) -> Result<i64> {
        let tx = self.conn.unchecked_transaction()?;
        let id = insert_system_entry_in(&tx, server_id, server_name, entry)?;
        tx.commit()?;
        Ok(id)
    }

    /// Entries newest first.
    pub fn query_logs(&self, q: &LogQuery) -> Result<Vec<LogEntryRow>> {
        let (sql, args) = select_entries(q);
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(params_from_iter(args), entry_from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// How many entries match (limit and offset ignored).
    pub fn count_logs(&self, q: &LogQuery) -> Result<u64> {
        let (clause, args) = q.where_clause();
        let mut st = self.conn.prepare_cached(&format!("SELECT count(*) FROM log_entries {clause}"))?;
        Ok(st.query_row(params_from_iter(args), |r| r.get::<_, i64>(0))? as u64)
    }

    /// Calls `f` with every entry that matches, newest first (limit and offset apply), one row
    /// at a time: an export of a million entries never holds them all.
    pub fn for_each_log(&self, q: &LogQuery, mut f: impl FnMut(&LogEntryRow) -> Result<()>) -> Result<u64> {
        let (sql, args) = select_entries(q);
        let mut st = self.conn.prepare(&sql)?;
        let mut rows = st.query(params_from_iter(args))?;
        let mut count = 0;
        while let Some(row) = rows.next()? {
            f(&entry_from_row(row)?)?;
            count += 1;
        }
        Ok(count)
    }

    /// The full context of an entry: Duplicati's result JSON or the text it sent.
    pub fn log_details(&self, entry_id: i64) -> Result<Option<LogDetails>> {
        let row: Option<(Vec<u8>, Option<i64>)> = self
            .conn
            .query_row("SELECT raw_lz4, cut_from FROM log_details WHERE entry_id = ?1", [entry_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(blob, cut_from)| Ok(LogDetails { text: decompress(&blob)?, cut_from: cut_from.map(|n| n as u64) })).transpose()
    }

    /// The newest app-made entry of a server with one of these statuses (connection episodes).
    pub fn last_system_status(&self, server_id: i64) -> Result<Option<(Status, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT status, message FROM log_entries WHERE server_id = ?1 AND type = 'System' AND status IN ('connection', 'info') \
                 ORDER BY date DESC, id DESC LIMIT 1",
                [server_id],
                |r| Ok((r.get::<_, String>(0)?.parse().unwrap_or(Status::Info), r.get(1)?)),
            )
            .optional()?)
    }

    pub fn total_entries(&self) -> Result<u64> {
        Ok(self.conn.query_row("SELECT count(*) FROM log_entries", [], |r| r.get::<_, i64>(0))? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_compressed_with_a_shared_buffer_and_table_are_the_same_bytes() {
        let long: String = (0..4000).map(|i| format!("{{\"Name\":\"file-{i}\",\"Size\":{}}},", i * 37)).collect();
        let medium: String = (0..300).map(|i| format!("{{\"Name\":\"file-{i}\",\"Size\":{}}},", i * 37)).collect();
        let mut compressor = Compressor::new();
        let edge = |n: usize| "ab".repeat(n).chars().take(n).collect::<String>();
        for text in [
            medium.as_str(),
            long.as_str(),
            "",
            "x",
            "short after long",
            medium.as_str(),
            "é".repeat(70_000).as_str(),
            edge(usize::from(u16::MAX) - 1).as_str(),
            edge(usize::from(u16::MAX)).as_str(),
            "short after the longest",
            medium.as_str(),
        ] {
            assert_eq!(compressor.compress(text), compress(text).as_slice(), "{}", text.len());
            assert_eq!(decompress(compressor.compress(text)).unwrap(), text);
        }
    }

    /// Details stored by any LZ4 block encoder read, whichever version of ours wrote them: here
    /// a block written by hand (one literal, a match of 14 at offset 1, five last literals).
    #[test]
    fn reads_any_lz4_block() {
        let blob = [&20u32.to_le_bytes()[..], &[0x1A, b'a', 0x01, 0x00, 0x50], b"aaaaa"].concat();
        assert_eq!(decompress(&blob).unwrap(), "a".repeat(20));
    }
}
