//! Wire types of the Duplicati 2.1 REST API, parsed defensively: unknown fields are ignored,
//! missing or oddly typed numbers read as 0, `Exception` may be anything.
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use std::fmt;

/// `POST /api/v1/auth/login` → 200.
#[derive(Debug, Deserialize)]
pub struct LoginOk {
    #[serde(rename = "AccessToken")]
    pub access_token: String,
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
    #[serde(rename = "Metadata", default)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
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
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResultMessage {
    #[serde(rename = "MainOperation")]
    pub main_operation: Option<String>,
    #[serde(rename = "ParsedResult")]
    pub parsed_result: Option<String>,
    #[serde(rename = "Interrupted", deserialize_with = "de_bool")]
    pub interrupted: bool,
    #[serde(rename = "PartialBackup", deserialize_with = "de_bool")]
    pub partial_backup: bool,
    #[serde(rename = "BeginTime")]
    pub begin_time: Option<String>,
    #[serde(rename = "EndTime")]
    pub end_time: Option<String>,
    #[serde(rename = "Duration")]
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
    #[serde(rename = "BackendStatistics")]
    pub backend_statistics: Option<BackendStatistics>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BackendStatistics {
    #[serde(rename = "BytesUploaded", deserialize_with = "de_i64")]
    pub bytes_uploaded: i64,
    #[serde(rename = "KnownFileSize", deserialize_with = "de_i64")]
    pub known_file_size: i64,
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
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<i64, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(0)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<i64, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(0)
    }
}

fn de_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(LenientI64)
}

fn de_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(matches!(serde_json::Value::deserialize(d)?, serde_json::Value::Bool(true)))
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
