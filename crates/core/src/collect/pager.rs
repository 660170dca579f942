//! Pages one job's log into the store: the requests and the writes around the cursor's
//! transitions ([`super::cursor`]).
use super::cursor::{self, FreshStart, RowKey};
use super::{CancelFlag, Progress, ProgressFn};
use crate::duplicati::client::{LogPage, MAX_PAGE_SIZE};
use crate::duplicati::wire::LogRow;
use crate::duplicati::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::monitor::{self, NewEntry};
use crate::store::{Db, JobCursor, JobRow, PageOutcome};
use std::future::Future;
use std::pin::Pin;

/// What paging one job found.
#[derive(Debug, Default)]
pub(super) struct JobTally {
    pub new: u64,
    pub skipped: u64,
    /// The rows fetched, when the collection keeps them for an export.
    pub fetched: Vec<LogRow>,
}

pub(super) struct JobPager<'a> {
    pub db: &'a Db,
    pub client: &'a mut Client,
    pub job: JobRow,
    pub server_name: String,
    pub host: String,
    pub progress: &'a ProgressFn,
    pub cancel: &'a CancelFlag,
    pub keep_rows: bool,
    pub tally: JobTally,
}

/// A page being parsed and written on the blocking pool while the next one is fetched.
type PendingWrite = Pin<Box<dyn Future<Output = Result<PageOutcome>> + Send>>;

/// How paging a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JobEnd {
    /// Everything the server has is stored.
    Complete,
    /// The server no longer knows the job.
    Gone,
    /// A task holds the job's database (2.3.0.107+): what was read is stored, the rest is
    /// read next time.
    Locked,
}

impl JobPager<'_> {
    /// Resumes a pass that was cut short, then reads what is new since.
    pub async fn run(&mut self) -> Result<JobEnd> {
        if let Some(offset) = cursor::resume_offset(&self.job.cursor) {
            let end = match self.fetch(Some(offset), MAX_PAGE_SIZE).await? {
                LogPage::Rows(rows) => self.pass(rows, MAX_PAGE_SIZE, Some(offset)).await?,
                other => return Ok(end_of(&other)),
            };
            if end != JobEnd::Complete {
                return Ok(end);
            }
        }
        let size = cursor::fresh_pagesize(&self.job.cursor);
        let page = match self.fetch(None, size).await? {
            LogPage::Rows(rows) => rows,
            other => return Ok(end_of(&other)),
        };
        match cursor::start_fresh(self.job.cursor, page.first().map(key)) {
            FreshStart::UpToDate => {
                self.tally.skipped += page.len() as u64;
                Ok(JobEnd::Complete)
            }
            FreshStart::Empty { reset: false } => Ok(JobEnd::Complete),
            FreshStart::Empty { reset: true } => {
                let (id, reset) = (self.job.id, JobCursor::default());
                self.db.write(move |s| s.save_cursor(id, &reset)).await?;
                self.job.cursor = reset;
                Ok(JobEnd::Complete)
            }
            FreshStart::Pass(start) => {
                self.job.cursor = start;
                self.pass(page, size, None).await
            }
        }
    }

    async fn fetch(&mut self, offset: Option<i64>, pagesize: u32) -> Result<LogPage> {
        self.cancel.check()?;
        self.client.log_page(&self.job.backup_id, offset, pagesize).await
    }

    /// Stores `first` (asked for below `first_offset`) and the pages below it until the pass is
    /// done. A page that does not move down, or a pass longer than any real log, ends the job
    /// with `invalid_response`; what was stored stays.
    async fn pass(&mut self, first: Vec<LogRow>, first_asked: u32, first_offset: Option<i64>) -> Result<JobEnd> {
        let (mut rows, mut asked, mut offset) = (first, first_asked, first_offset);
        let mut pending: Option<PendingWrite> = None;
        let mut rows_seen = 0u64;
        let mut pages = 0u32;
        loop {
            let keys: Vec<RowKey> = rows.iter().map(key).collect();
            pages += 1;
            if !cursor::page_moves_down(offset, &keys) || pages > cursor::MAX_PAGES_PER_PASS {
                self.settle(pending, 0).await?;
                let (host, job) = (&self.host, &self.job.name);
                return Err(if pages > cursor::MAX_PAGES_PER_PASS {
                    Error::new(
                        ErrorCode::InvalidResponse,
                        format!("The log of job {job} on {host} did not end after {} pages; reading stopped there.", cursor::MAX_PAGES_PER_PASS),
                        "What was read is kept and the next collection reads on from there. A log that never ends is a server fault: check the Duplicati server's log.",
                    )
                } else {
                    Error::invalid_response(host, format!("the log of job {job} did not page down below row {}", offset.unwrap_or(0)))
                });
            }
            let step = cursor::absorb_page(self.job.cursor, &keys, asked);
            let fresh: Vec<LogRow> = rows.into_iter().zip(&step.is_new).filter(|(_, new)| **new).map(|(r, _)| r).collect();
            rows_seen += fresh.len() as u64;
            if self.keep_rows {
                self.tally.fetched.extend(fresh.iter().cloned());
            }
            // The previous page's write ends before this one starts: pages (and the cursor
            // that follows each) reach the store in order, so a crash never leaves a hole.
            self.settle(pending.take(), 0).await?;
            let write = self.store_page(fresh, step.cursor);
            self.job.cursor = step.cursor;
            (self.progress)(Progress::Job { host: self.host.clone(), job: self.job.name.clone(), rows: rows_seen });
            if step.done {
                self.settle(Some(write), step.known).await?;
                return Ok(JobEnd::Complete);
            }
            self.tally.skipped += step.known;
            pending = Some(write);
            asked = MAX_PAGE_SIZE;
            offset = step.cursor.pass_low;
            match self.fetch(offset, MAX_PAGE_SIZE).await {
                Ok(LogPage::Rows(next)) => rows = next,
                Ok(other) => {
                    self.settle(pending, 0).await?;
                    return Ok(end_of(&other));
                }
                Err(e) => {
                    self.settle(pending, 0).await?;
                    return Err(e);
                }
            }
        }
    }

    /// Parses and writes a page with the cursor that follows it, in one transaction.
    fn store_page(&self, rows: Vec<LogRow>, cursor: JobCursor) -> PendingWrite {
        let (job, name) = (self.job.clone(), self.server_name.clone());
        Box::pin(self.db.start_write(move |s| {
            let entries: Vec<NewEntry> = rows.into_iter().map(monitor::entry_from_owned_row).collect();
            s.store_page(&job, &name, &entries, &cursor)
        }))
    }

    /// Waits for a page's write and counts it.
    async fn settle(&mut self, write: Option<PendingWrite>, known: u64) -> Result<()> {
        if let Some(write) = write {
            let outcome = write.await?;
            self.tally.new += outcome.new;
            self.tally.skipped += outcome.skipped;
        }
        self.tally.skipped += known;
        Ok(())
    }
}

fn end_of(page: &LogPage) -> JobEnd {
    match page {
        LogPage::Locked => JobEnd::Locked,
        LogPage::Gone | LogPage::Rows(_) => JobEnd::Gone,
    }
}

fn key(row: &LogRow) -> RowKey {
    RowKey { id: row.id, timestamp: row.timestamp }
}
