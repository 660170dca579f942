//! Files: importing collected JSON, saving what a collection fetched.
use super::Engine;
use crate::error::Result;
use crate::export::{self, CollectedData};
use crate::import::{self, ImportSummary, ImportTarget};
use crate::task::blocking;
use std::path::PathBuf;

impl Engine {
    /// Imports collected JSON files (from `collect --save-json`, the app's export or
    /// duplistatus), one after the other; a file that fails does not stop the others. One
    /// result per file, in order. `target` says where a file that names no machine-id goes;
    /// without one, such a file is imported nowhere and its summary says `needs_server`.
    pub async fn import_files(&self, paths: Vec<PathBuf>, target: Option<ImportTarget>) -> Result<Vec<Result<ImportSummary>>> {
        let db = self.db()?;
        let mut results = Vec::with_capacity(paths.len());
        for path in paths {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let result = db.write(move |s| import::import(s, &path, target)).await;
            match &result {
                Ok(summary) => tracing::info!(file = %name, new = summary.new, "imported"),
                Err(e) => tracing::warn!(file = %name, code = %e.code, "not imported: {}", e.message),
            }
            results.push(result);
        }
        self.data_changed();
        Ok(results)
    }

    /// Writes collected data to `path` (a file, or a folder for the default file name). The
    /// file appears whole or not at all.
    pub async fn save_export(&self, data: CollectedData, path: PathBuf) -> Result<PathBuf> {
        blocking(move || export::write(&data, &path)).await
    }
}
