//! How a job's paging cursor moves, as pure functions (no I/O), so every transition has its
//! own test. The pager ([`super::pager`]) does the requests and the writes.
//!
//! Duplicati pages a job's log newest first (`offset` = exclusive upper bound on the row ID).
//! A *pass* runs from the newest row (`pass_top`) down to the rows already complete
//! (`complete_through`); `pass_low` is the lowest row the pass has stored. Each page is stored
//! together with the cursor that follows it, so a pass cut short (killed, cancelled, failed)
//! resumes below `pass_low` instead of stopping at the first known row, which would leave a
//! hole. A row is told apart from an earlier row with the same ID by its timestamp: when a
//! job's database is recreated on the server, IDs start again at 1.
use crate::duplicati::client::{MAX_PAGE_SIZE, MIN_PAGE_SIZE};
use crate::store::JobCursor;

/// What identifies a Duplicati log row within a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowKey {
    pub id: i64,
    pub timestamp: i64,
}

/// The most pages one collection reads of a job's log (20,000 rows): Duplicati keeps 30 days of
/// log by default (`--log-retention`), a few thousand rows even for hourly backups, so a server
/// that pages on forever is stopped early. A longer real log is read on over the next
/// collections, from where the pass stopped.
pub const MAX_PAGES_PER_PASS: u32 = 40;

/// Whether a page answered a request for rows below `offset` as Duplicati does: every row ID is
/// positive and below the offset. A server that answers the same page whatever the offset, or
/// rows above it, would otherwise be read forever.
pub fn page_moves_down(offset: Option<i64>, page: &[RowKey]) -> bool {
    page.iter().all(|row| row.id > 0 && offset.is_none_or(|o| row.id < o))
}

/// Where an interrupted pass resumes: below its lowest stored row. `None` when no pass was
/// interrupted.
pub fn resume_offset(c: &JobCursor) -> Option<i64> {
    let top = c.pass_top?;
    Some(c.pass_low.unwrap_or(top.saturating_add(1)))
}

/// The size of the first page of a fresh pass: on a job collected before, few new rows are
/// expected, and the smallest page answers "nothing new" cheaply.
pub fn fresh_pagesize(c: &JobCursor) -> u32 {
    if c.complete_through > 0 {
        MIN_PAGE_SIZE
    } else {
        MAX_PAGE_SIZE
    }
}

/// What the first page of a fresh pass means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreshStart {
    /// The newest row is the one already complete: nothing new.
    UpToDate,
    /// The log is empty. `reset`: rows were collected before, so the job's database was
    /// recreated or purged; the cursor starts over.
    Empty { reset: bool },
    /// New rows: a pass starts with this cursor (reset first when the job's database was
    /// recreated).
    Pass(JobCursor),
}

/// Starts a fresh pass from the newest row the server has (`None`: the log is empty).
pub fn start_fresh(c: JobCursor, newest: Option<RowKey>) -> FreshStart {
    let Some(top) = newest else {
        return FreshStart::Empty { reset: c.complete_through > 0 };
    };
    let same_row = top.id == c.complete_through && Some(top.timestamp) == c.complete_ts;
    if same_row {
        return FreshStart::UpToDate;
    }
    // Below what was complete, or the same ID with another timestamp: IDs started again.
    let recreated = top.id <= c.complete_through;
    let mut next = if recreated { JobCursor::default() } else { c };
    next.pass_top = Some(top.id);
    next.pass_top_ts = Some(top.timestamp);
    next.pass_low = None;
    FreshStart::Pass(next)
}

/// The outcome of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageStep {
    /// The cursor to store with this page.
    pub cursor: JobCursor,
    /// For each row of the page: whether it is new (to be stored).
    pub is_new: Vec<bool>,
    /// Rows already stored.
    pub known: u64,
    /// The pass reached rows already complete, or the end of the log.
    pub done: bool,
}

/// Absorbs one page (newest first) of `asked` rows into the cursor. A page shorter than asked
/// is the end of the log.
pub fn absorb_page(c: JobCursor, page: &[RowKey], asked: u32) -> PageStep {
    let mut cursor = c;
    let mut done = page.len() < asked as usize;
    let mut known = 0;
    let is_new: Vec<bool> = page
        .iter()
        .map(|row| {
            let complete = cursor.complete_through;
            if complete == 0 || row.id > complete {
                return true;
            }
            if row.id == complete && Some(row.timestamp) != cursor.complete_ts {
                // The job's database was recreated below us: everything under is new.
                cursor.complete_through = 0;
                cursor.complete_ts = None;
                return true;
            }
            done = true;
            known += 1;
            false
        })
        .collect();
    if let Some(low) = page.iter().zip(&is_new).filter(|(_, new)| **new).map(|(r, _)| r.id).min() {
        cursor.pass_low = Some(low);
    }
    if done {
        if let Some(top) = cursor.pass_top.take() {
            cursor.complete_through = top;
            cursor.complete_ts = cursor.pass_top_ts.take();
        }
        cursor.pass_low = None;
    }
    PageStep { cursor, is_new, known, done }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(ids: std::ops::RangeInclusive<i64>) -> Vec<RowKey> {
        ids.rev().map(|id| RowKey { id, timestamp: id * 10 }).collect()
    }

    fn complete(through: i64) -> JobCursor {
        JobCursor { complete_through: through, complete_ts: Some(through * 10), ..JobCursor::default() }
    }

    #[test]
    fn a_page_must_move_down() {
        assert!(page_moves_down(None, &rows(1..=10)));
        assert!(page_moves_down(Some(11), &rows(1..=10)));
        assert!(page_moves_down(Some(11), &[]));
        assert!(!page_moves_down(Some(10), &rows(1..=10)), "the same page again");
        assert!(!page_moves_down(Some(5), &rows(1..=10)));
        assert!(!page_moves_down(None, &[RowKey { id: 0, timestamp: 1 }]), "row IDs start at 1");
    }

    #[test]
    fn a_new_job_asks_for_full_pages_and_a_known_one_for_the_smallest() {
        assert_eq!(fresh_pagesize(&JobCursor::default()), MAX_PAGE_SIZE);
        assert_eq!(fresh_pagesize(&complete(7)), MIN_PAGE_SIZE);
    }

    #[test]
    fn nothing_to_resume_unless_a_pass_was_cut_short() {
        assert_eq!(resume_offset(&complete(7)), None);
        let cut = JobCursor { pass_top: Some(900), pass_top_ts: Some(9000), pass_low: Some(401), ..complete(7) };
        assert_eq!(resume_offset(&cut), Some(401));
        let before_any_row = JobCursor { pass_top: Some(900), ..complete(7) };
        assert_eq!(resume_offset(&before_any_row), Some(901));
    }

    #[test]
    fn fresh_start_recognises_up_to_date_empty_new_and_recreated_logs() {
        assert_eq!(start_fresh(complete(7), Some(RowKey { id: 7, timestamp: 70 })), FreshStart::UpToDate);
        assert_eq!(start_fresh(JobCursor::default(), None), FreshStart::Empty { reset: false });
        assert_eq!(start_fresh(complete(7), None), FreshStart::Empty { reset: true });

        let FreshStart::Pass(c) = start_fresh(complete(7), Some(RowKey { id: 9, timestamp: 90 })) else { panic!() };
        assert_eq!((c.complete_through, c.pass_top, c.pass_top_ts, c.pass_low), (7, Some(9), Some(90), None));

        // IDs below what was complete, or the same ID written at another time: recreated.
        for newest in [RowKey { id: 3, timestamp: 5000 }, RowKey { id: 7, timestamp: 5000 }] {
            let FreshStart::Pass(c) = start_fresh(complete(7), Some(newest)) else { panic!() };
            assert_eq!((c.complete_through, c.complete_ts, c.pass_top), (0, None, Some(newest.id)), "{newest:?}");
        }
    }

    #[test]
    fn a_full_page_of_new_rows_continues_below_its_lowest_row() {
        let c = JobCursor { pass_top: Some(20), pass_top_ts: Some(200), ..complete(5) };
        let step = absorb_page(c, &rows(11..=20), 10);
        assert!(!step.done);
        assert_eq!(step.is_new, vec![true; 10]);
        assert_eq!((step.known, step.cursor.pass_low, step.cursor.complete_through), (0, Some(11), 5));
    }

    #[test]
    fn reaching_known_rows_completes_the_pass() {
        let c = JobCursor { pass_top: Some(12), pass_top_ts: Some(120), ..complete(8) };
        let step = absorb_page(c, &rows(3..=12), 10);
        assert!(step.done);
        assert_eq!(step.is_new, [vec![true; 4], vec![false; 6]].concat());
        assert_eq!(step.known, 6);
        assert_eq!(step.cursor, complete(12));
    }

    #[test]
    fn a_short_page_is_the_end_of_the_log() {
        let c = JobCursor { pass_top: Some(4), pass_top_ts: Some(40), ..JobCursor::default() };
        let step = absorb_page(c, &rows(1..=4), 500);
        assert!(step.done);
        assert_eq!(step.cursor, complete(4));
        let empty = absorb_page(JobCursor { pass_low: Some(1), ..c }, &[], 500);
        assert!(empty.done);
        assert_eq!(empty.cursor, complete(4));
    }

    #[test]
    fn a_row_with_the_complete_id_but_another_timestamp_means_everything_below_is_new() {
        let c = JobCursor { pass_top: Some(12), pass_top_ts: Some(9999), ..complete(8) };
        let page: Vec<RowKey> = (5..=12).rev().map(|id| RowKey { id, timestamp: 5000 + id }).collect();
        let step = absorb_page(c, &page, 8);
        assert_eq!(step.is_new, vec![true; 8]);
        assert!(!step.done, "a full page of new rows: the pass goes on");
        assert_eq!((step.cursor.complete_through, step.cursor.complete_ts, step.cursor.pass_low), (0, None, Some(5)));
    }

    #[test]
    fn an_interrupted_pass_resumed_fills_the_hole_and_then_completes() {
        // A first run stored rows 20..=11 of a pass from 20, then stopped. Rows 1..=5 were
        // complete before. The resumed pass reads below 11 and completes through 20.
        let cut = JobCursor { pass_top: Some(20), pass_top_ts: Some(200), pass_low: Some(11), ..complete(5) };
        assert_eq!(resume_offset(&cut), Some(11));
        let step = absorb_page(cut, &rows(1..=10), 500);
        assert_eq!(step.is_new, [vec![true; 5], vec![false; 5]].concat());
        assert_eq!(step.cursor, complete(20));
    }
}
