//! Wire types of the Duplicati 2.1 REST API, parsed defensively: unknown fields are ignored,
//! missing or oddly typed numbers read as 0, `Exception` may be anything.
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// `POST /api/v1/auth/login` or `auth/refresh` → 200.
#[derive(Deserialize)]
pub struct LoginOk {
    #[serde(rename = "AccessToken")]
    pub access_token: String,
    /// 2.1.2+: what the next `auth/refresh` must send.
    #[serde(rename = "RefreshNonce", default)]
    pub refresh_nonce: Option<String>,
}

/// Duplicati 2.0's `POST /login.cgi` `get-nonce=1` → `{"Status":"OK","Nonce","Salt"}`.
#[derive(Deserialize)]
pub struct LegacyNonce {
    #[serde(rename = "Nonce", default)]
    pub nonce: String,
    #[serde(rename = "Salt", default)]
    pub salt: String,
}

/// `{"Error": "...", "Code": n}` bodies.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "Error", default)]
    pub error: String,
}

/// The parts of `GET /api/v1/systeminfo` a collector needs.
#[derive(Debug, Deserialize)]
pub struct SystemInfo {
    #[serde(rename = "MachineName", default)]
    pub machine_name: String,
    #[serde(rename = "ServerVersion", default)]
    pub server_version: String,
    #[serde(rename = "Options", default)]
    pub options: Option<Vec<SystemOption>>,
    /// The server's clock with its UTC offset (`2025-05-04T09:15:02.4483917+02:00`).
    #[serde(rename = "ServerTime", default, deserialize_with = "de_string")]
    pub server_time: String,
}

#[derive(Debug, Deserialize)]
pub struct SystemOption {
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "DefaultValue", default)]
    pub default_value: Option<serde_json::Value>,
}

impl SystemInfo {
    /// `Options[Name=="machine-id"].DefaultValue`, as duplistatus reads it; opaque.
    pub fn machine_id(&self) -> Option<String> {
        self.options
            .as_deref()
            .unwrap_or_default()
            .iter()
            .find(|o| o.name == "machine-id")
            .and_then(|o| o.default_value.as_ref())
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    }
}

/// One item of `GET /api/v1/backups`.
#[derive(Debug, Deserialize)]
pub struct BackupItem {
    #[serde(rename = "Backup")]
    pub backup: Backup,
    #[serde(rename = "Schedule", default)]
    pub schedule: Option<Schedule>,
}

#[derive(Debug, Deserialize)]
pub struct Backup {
    #[serde(rename = "ID", deserialize_with = "de_string")]
    pub id: String,
    #[serde(rename = "Name", default)]
    pub name: String,
    #[serde(rename = "Description", default)]
    pub description: Option<String>,
    #[serde(rename = "DBPath", default)]
    pub db_path: Option<String>,
    /// Duplicati's own figures (every value a string); `None` when it is not an object. Any
    /// TargetURL in it is redacted: the store keeps the metadata as it is.
    #[serde(rename = "Metadata", default, deserialize_with = "de_metadata")]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// `Backup` or `Sync` (Duplicati 2.3; absent before: a backup).
    #[serde(rename = "OperationType", default)]
    pub operation_type: Option<String>,
}

impl Backup {
    /// A sync job (2.3): no log table; its runs are known only from its Metadata.
    pub fn is_sync(&self) -> bool {
        self.operation_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("Sync"))
    }

    /// A `Metadata` value as text (Duplicati writes every value as a string).
    pub fn metadata_str(&self, key: &str) -> Option<&str> {
        self.metadata.as_ref()?.get(key)?.as_str().filter(|v| !v.is_empty())
    }
}

/// `GET /api/v1/serverstate` (only what a collector reads).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ServerState {
    /// `{Item1: task id, Item2: backup id}` of the task running now.
    #[serde(rename = "ActiveTask")]
    pub active_task: Option<TaskRef>,
    /// Bumped whenever an operation finishes and its job's data changes
    /// (Library/RestAPI/Runner.cs `UpdateMetadataBase`); starts again at 0 with the server.
    #[serde(rename = "LastDataUpdateID", deserialize_with = "de_i64")]
    pub last_data_update_id: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaskRef {
    #[serde(rename = "Item1", default, deserialize_with = "de_i64")]
    pub task_id: i64,
    #[serde(rename = "Item2", default, deserialize_with = "de_string")]
    pub backup_id: String,
}

/// `GET /api/v1/progressstate` while a task runs (only what is shown). Stored with the job as
/// JSON in this same shape.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(default)]
pub struct ProgressState {
    #[serde(rename = "BackupID", deserialize_with = "de_string")]
    pub backup_id: String,
    #[serde(rename = "Phase", deserialize_with = "de_string")]
    pub phase: String,
    /// 0..1.
    #[serde(rename = "OverallProgress", deserialize_with = "de_f64")]
    pub overall_progress: f64,
    #[serde(rename = "ProcessedFileCount", deserialize_with = "de_i64")]
    pub processed_file_count: i64,
    #[serde(rename = "TotalFileCount", deserialize_with = "de_i64")]
    pub total_file_count: i64,
}

#[derive(Debug, Deserialize, serde::Serialize, Clone, PartialEq)]
pub struct Schedule {
    #[serde(rename = "Time", default)]
    pub time: Option<String>,
    #[serde(rename = "Repeat", default)]
    pub repeat: Option<String>,
    #[serde(rename = "LastRun", default)]
    pub last_run: Option<String>,
    #[serde(rename = "Rule", default)]
    pub rule: Option<String>,
}

/// One row of `GET /api/v1/backup/{id}/log`.
#[derive(Debug, Clone, Deserialize)]
pub struct LogRow {
    #[serde(rename = "ID", deserialize_with = "de_i64")]
    pub id: i64,
    #[serde(rename = "OperationID", default, deserialize_with = "de_i64")]
    pub operation_id: i64,
    #[serde(rename = "Timestamp", default, deserialize_with = "de_i64")]
    pub timestamp: i64,
    #[serde(rename = "Message", default)]
    pub message: Option<String>,
    #[serde(rename = "Exception", default)]
    pub exception: IgnoredAny,
}

/// The result object serialised into a log row's `Message` (only what the monitor reads).
/// A field of an unexpected type reads as absent: one odd field must not hide the others
/// (a failed run would otherwise be listed as plain text).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultMessage {
    #[serde(rename = "MainOperation", deserialize_with = "de_lenient_str")]
    pub main_operation: Option<String>,
    #[serde(rename = "ParsedResult", deserialize_with = "de_lenient_str")]
    pub parsed_result: Option<String>,
    #[serde(rename = "Interrupted", deserialize_with = "de_bool")]
    pub interrupted: bool,
    #[serde(rename = "PartialBackup", deserialize_with = "de_bool")]
    pub partial_backup: bool,
    #[serde(rename = "BeginTime", deserialize_with = "de_lenient_str")]
    pub begin_time: Option<String>,
    #[serde(rename = "EndTime", deserialize_with = "de_lenient_str")]
    pub end_time: Option<String>,
    #[serde(rename = "Duration", deserialize_with = "de_lenient_str")]
    pub duration: Option<String>,
    #[serde(rename = "ExaminedFiles", deserialize_with = "de_i64")]
    pub examined_files: i64,
    #[serde(rename = "AddedFiles", deserialize_with = "de_i64")]
    pub added_files: i64,
    #[serde(rename = "ModifiedFiles", deserialize_with = "de_i64")]
    pub modified_files: i64,
    #[serde(rename = "DeletedFiles", deserialize_with = "de_i64")]
    pub deleted_files: i64,
    #[serde(rename = "SizeOfExaminedFiles", deserialize_with = "de_i64")]
    pub size_of_examined_files: i64,
    #[serde(rename = "RestoredFiles", deserialize_with = "de_i64")]
    pub restored_files: i64,
    #[serde(rename = "WarningsActualLength", deserialize_with = "de_i64")]
    pub warnings_actual_length: i64,
    #[serde(rename = "ErrorsActualLength", deserialize_with = "de_i64")]
    pub errors_actual_length: i64,
    #[serde(rename = "Warnings", deserialize_with = "de_strings")]
    pub warnings: Vec<String>,
    #[serde(rename = "Errors", deserialize_with = "de_strings")]
    pub errors: Vec<String>,
    #[serde(rename = "BackendStatistics", deserialize_with = "de_lenient_object")]
    pub backend_statistics: Option<BackendStatistics>,
}

#[derive(Debug, Default)]
pub struct BackendStatistics {
    pub bytes_uploaded: i64,
    pub known_file_size: i64,
}

impl FromObject for BackendStatistics {
    /// Like a JSON object read whole: a key given twice counts once, with its last value.
    fn from_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        #[derive(Deserialize)]
        #[serde(field_identifier)]
        enum Key {
            BytesUploaded,
            KnownFileSize,
            #[serde(other)]
            Other,
        }
        let mut stats = BackendStatistics::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::BytesUploaded => stats.bytes_uploaded = map.next_value::<LenientNumber>()?.0,
                Key::KnownFileSize => stats.known_file_size = map.next_value::<LenientNumber>()?.0,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(stats)
    }
}

/// What an object in a lenient field is read into (see [`FieldValue`]).
trait FromObject: Sized {
    fn from_object<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

impl FromObject for IgnoredAny {
    fn from_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(IgnoredAny)
    }
}

/// A field's value read straight from the text (no `serde_json::Value` in between): text,
/// a boolean or an object read into `O`; anything else is skipped.
enum FieldValue<O> {
    Text(String),
    Bool(bool),
    Object(O),
    Other,
}

struct FieldVisitor<O>(PhantomData<O>);

impl<'de, O: FromObject> Visitor<'de> for FieldVisitor<O> {
    type Value = FieldValue<O>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(FieldValue::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(FieldValue::Text(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(FieldValue::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(FieldValue::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(FieldValue::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(FieldValue::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(FieldValue::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(FieldValue::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        O::from_object(map).map(FieldValue::Object)
    }
}

fn de_field<'de, D: Deserializer<'de>, O: FromObject>(d: D) -> Result<FieldValue<O>, D::Error> {
    d.deserialize_any(FieldVisitor(PhantomData))
}

/// A number read leniently (see [`LenientI64`]).
struct LenientNumber(i64);

impl<'de> Deserialize<'de> for LenientNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_i64(d).map(LenientNumber)
    }
}

struct LenientI64;
impl<'de> Visitor<'de> for LenientI64 {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        Ok(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        Ok(v as i64)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        Ok(v.trim().parse().unwrap_or(0))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<i64, E> {
        Ok(0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<i64, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(0)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<i64, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(0)
    }
}

fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(LenientI64)
}

fn de_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n.as_f64().unwrap_or(0.0),
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    })
}

/// The text, or `None` for a value of another type.
fn de_lenient_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match de_field::<D, IgnoredAny>(d)? {
        FieldValue::Text(s) => Some(s),
        _ => None,
    })
}

/// The object read into `O`, or `None` for a value of another type.
fn de_lenient_object<'de, D: Deserializer<'de>, O: FromObject>(d: D) -> Result<Option<O>, D::Error> {
    Ok(match de_field::<D, O>(d)? {
        FieldValue::Object(o) => Some(o),
        _ => None,
    })
}

fn de_metadata<'de, D: Deserializer<'de>>(d: D) -> Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error> {
    let mut value = serde_json::Value::deserialize(d)?;
    crate::redact::redact_json(&mut value);
    Ok(match value {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    })
}

fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(de_field::<D, IgnoredAny>(d)?, FieldValue::Bool(true)))
}

fn de_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    })
}

fn de_strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            })
            .collect(),
        _ => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_keeps_no_credentials() {
        let b: Backup = serde_json::from_str(
            r#"{"ID":"1","Metadata":{"LastBackupDate":"20250504T000000Z","x":[{"targetURL":"ftp://bob:hunter2@nas"}]}}"#,
        )
        .unwrap();
        let m = serde_json::Value::Object(b.metadata.unwrap()).to_string();
        assert_eq!(m, r#"{"LastBackupDate":"20250504T000000Z","x":[{"targetURL":"ftp://REDACTED@nas"}]}"#);
        let b: Backup = serde_json::from_str(r#"{"ID":"1","Metadata":["odd"]}"#).unwrap();
        assert!(b.metadata.is_none());
    }

    #[test]
    fn an_odd_field_does_not_hide_the_others() {
        let r: ResultMessage = serde_json::from_str(
            r#"{"ParsedResult":"Error","MainOperation":5,"BeginTime":1,"EndTime":{},"Duration":0.5,"BackendStatistics":"x"}"#,
        )
        .unwrap();
        assert_eq!(r.parsed_result.as_deref(), Some("Error"));
        assert_eq!((r.main_operation, r.begin_time, r.end_time, r.duration), (None, None, None, None));
        assert!(r.backend_statistics.is_none());
        let r: ResultMessage = serde_json::from_str(r#"{"ParsedResult":["Error"],"BackendStatistics":{"BytesUploaded":"12"}}"#).unwrap();
        assert_eq!(r.parsed_result, None);
        assert_eq!(r.backend_statistics.map(|b| b.bytes_uploaded), Some(12));
        let r: ResultMessage = serde_json::from_str(
            r#"{"Interrupted":"true","PartialBackup":true,"BackendStatistics":{"BytesUploaded":1,"x":{"y":[1]},"BytesUploaded":2.5},"EndTime":"\u0032"}"#,
        )
        .unwrap();
        assert!(!r.interrupted && r.partial_backup);
        assert_eq!(r.backend_statistics.map(|b| b.bytes_uploaded), Some(2), "a repeated key: the last value");
        assert_eq!(r.end_time.as_deref(), Some("2"));
        let r: ResultMessage = serde_json::from_str(r#"{"ParsedResult":"Error","BackendStatistics":[1,2]}"#).unwrap();
        assert!(r.backend_statistics.is_none(), "not an object");
    }
}
