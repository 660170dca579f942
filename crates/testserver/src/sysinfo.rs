//! `GET /api/v1/systeminfo` of each release, built from the recorded 2.1.0.5 response.
//!
//! The lists (options, modules, locales) stay trimmed like the fixture; each release gets the
//! fields of its `SystemInfoDto` (`WebserverCore/Dto/SystemInfoDto.cs` and
//! `Services/SystemInfoProvider.cs` of the tag) or, for 2.0.8.1, the anonymous object of
//! `Server/WebServer/RESTMethods/SystemInfo.cs`.

use serde_json::{Map, Value};

use crate::config::{ServerConfig, Version};
use crate::data::{fixtures, Store};
use crate::emit;
use crate::stj::stj_escape;
use crate::timefmt::{self, Ticks};

const FIXTURE_TIME: &str = "\"ServerTime\":\"2025-05-04T09:15:02.4483917+02:00\"";

/// `APIExtensions` of 2.1.2 and 2.2 (`SystemInfoProvider.SupportedAPIExtensions`).
const EXTENSIONS_2_1_2: [&str; 16] = [
    "v2:backup:list-filesets",
    "v2:backup:list-folder",
    "v2:backup:list-versions",
    "v2:backup:search",
    "v2:destination:test",
    "v1:websocket",
    "v1:gettask:taskstarted",
    "v1:gettask:taskfinished",
    "v1:websocket:authenticate",
    "v1:subscribe:legacystatus",
    "v1:subscribe:backuplist",
    "v1:subscribe:serversettings",
    "v1:subscribe:progress",
    "v1:subscribe:taskqueue",
    "v1:subscribe:taskcompleted",
    "v1:subscribe:notifications",
];

/// What 2.3.1.0 adds to them.
const EXTENSIONS_2_3: [&str; 9] = [
    "v2:system:temp-disk-space",
    "v1:subscribe:remotecontrol",
    "v2:filesystem:test-filter",
    "v2:destination:list",
    "v1:backup:restorecontrolfiles",
    "v1:backup:sync-mode",
    "v2:backup:list-broken-files",
    "v2:backup:purge-broken-files",
    "v2:backup:delete-versions",
];

impl Store {
    /// `GET /api/v1/systeminfo` body.
    pub fn systeminfo(&self, cfg: &ServerConfig, now: Ticks) -> String {
        let base = self.systeminfo_2_1_0_5(cfg, now);
        if self.version == Version::V2_1_0_5 {
            return base;
        }
        let Ok(Value::Object(info)) = serde_json::from_str::<Value>(&base) else {
            return base;
        };
        if self.version.is_legacy() {
            legacy(&info, self.version)
        } else {
            current(&info, self.version)
        }
    }

    /// The recorded 2.1.0.5 response with this server's names, ids and time.
    fn systeminfo_2_1_0_5(&self, cfg: &ServerConfig, now: Ticks) -> String {
        let mut s = fixtures::SYSTEMINFO.to_string();
        let subst = |s: &mut String, from: &str, to: &str| *s = s.replace(from, to);
        if self.generated || self.empty {
            subst(&mut s, FIXTURE_TIME, &format!("\"ServerTime\":\"{}\"", stj_escape(&timefmt::iso_local(now))));
        }
        let name = stj_escape(&cfg.machine_name);
        subst(&mut s, "\"MachineName\":\"fileserver01\"", &format!("\"MachineName\":\"{name}\""));
        subst(&mut s, "\"DefaultValue\":\"fileserver01\"", &format!("\"DefaultValue\":\"{name}\""));
        subst(&mut s, crate::config::FIXTURE_MACHINE_ID, &stj_escape(cfg.reported_machine_id(self.version)));
        if cfg.agent_psk.is_some() && !self.version.is_legacy() {
            // ApplicationSettings.Origin of the agent (Agent/Program.cs).
            subst(&mut s, "\"StartedBy\":\"Server\"", "\"StartedBy\":\"Agent\"");
        }
        s
    }
}

fn get(info: &Map<String, Value>, key: &str) -> Value {
    info.get(key).cloned().unwrap_or(Value::Null)
}

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.to_string())).collect())
}

/// 2.1.2, 2.2 and 2.3.1: the DTO's fields in declaration order.
fn current(info: &Map<String, Value>, v: Version) -> String {
    let mut out = Map::new();
    let mut put = |k: &str, val: Value| {
        out.insert(k.to_string(), val);
    };
    let copy = |k: &str| get(info, k);
    put("APIVersion", copy("APIVersion"));
    put("PasswordPlaceholder", copy("PasswordPlaceholder"));
    put("ServerVersion", Value::from(v.number()));
    put("ServerVersionName", Value::from(format!(" - {}", v.tag())));
    put("ServerVersionType", Value::from(v.release_type()));
    put("RemoteControlRegistrationUrl", copy("RemoteControlRegistrationUrl"));
    if v >= Version::V2_3_1 {
        put("RemoteControlDashboardUrl", Value::from("https://app.duplicati.com/app/machines"));
    }
    put("StartedBy", copy("StartedBy"));
    put("DefaultUpdateChannel", Value::from(v.release_type()));
    put("DefaultUsageReportLevel", copy("DefaultUsageReportLevel"));
    put("ServerTime", copy("ServerTime"));
    // TimeZoneInfo.Local.Id of a Linux server at UTC+02:00 in summer.
    put("ServerTimeZone", Value::from("Europe/Berlin"));
    for k in [
        "OSType",
        "OSVersion",
        "DirectorySeparator",
        "PathSeparator",
        "CaseSensitiveFilesystem",
        "MachineName",
        "PackageTypeId",
        "UserName",
        "NewLine",
        "CLRVersion",
        "Options",
    ] {
        put(k, copy(k));
    }
    if v >= Version::V2_3_1 {
        put("ServerOnlyOptions", Value::Array(Vec::new()));
    }
    for k in ["CompressionModules", "EncryptionModules", "BackendModules", "GenericModules", "WebModules", "ConnectionModules"] {
        put(k, copy(k));
    }
    if v >= Version::V2_3_1 {
        put("SourceProviderModules", Value::Array(Vec::new()));
        put("RestoreDestinationProviderModules", Value::Array(Vec::new()));
    }
    for k in [
        "ServerModules",
        "SecretProviderModules",
        "UsingAlternateUpdateURLs",
        "LogLevels",
        "SpecialFolders",
        "BrowserLocale",
        "SupportedLocales",
        "BrowserLocaleSupported",
    ] {
        put(k, copy(k));
    }
    let zone = |id: &str, name: &str, offset: &str| serde_json::json!({"ID": id, "DisplayName": name, "CurrentUTCOffset": offset});
    put(
        "TimeZones",
        Value::Array(vec![
            zone("Etc/UTC", "(UTC) Coordinated Universal Time", "00:00:00"),
            zone("Europe/Berlin", "(UTC+01:00) Central European Time (Berlin)", "02:00:00"),
        ]),
    );
    let mut extensions: Vec<&str> = EXTENSIONS_2_1_2.to_vec();
    if v >= Version::V2_3_1 {
        extensions.extend(EXTENSIONS_2_3);
    }
    put("APIExtensions", strings(&extensions));
    put("APIScopes", strings(&["*"]));
    put("DefaultOAuthURL", Value::from("https://duplicati-oauth-handler.appspot.com/refresh"));
    put("DefaultOAuthURLv2", Value::from("https://oauth-service.duplicati.com/refresh"));
    if v >= Version::V2_3_1 {
        // Linux: an empty entry (the default) and "None".
        put("PowerModeProviders", strings(&["", "None"]));
        let unlicensed = serde_json::json!({"IsConfigured": false, "IsValid": false, "IsInGracePeriod": false, "ExpiresAt": null, "ExpiresWithGraceAt": null, "Features": null});
        put("LocalLicenseStatus", unlicensed.clone());
        put("RemoteLicenseStatus", unlicensed);
    }
    let mut w = emit::writer(v, 8192);
    w.value(&Value::Object(out));
    w.finish()
}

/// 2.0.8.1: `SystemInfo.SystemData`, serialised by Newtonsoft (options as the
/// `CommandLineArgument` class declares its properties).
fn legacy(info: &Map<String, Value>, v: Version) -> String {
    let mut out = Map::new();
    let mut put = |k: &str, val: Value| {
        out.insert(k.to_string(), val);
    };
    let copy = |k: &str| get(info, k);
    put("APIVersion", copy("APIVersion"));
    put("PasswordPlaceholder", copy("PasswordPlaceholder"));
    put("ServerVersion", Value::from(v.number()));
    put("ServerVersionName", Value::from(format!(" - {}", v.tag())));
    put("ServerVersionType", Value::from(v.release_type()));
    put("StartedBy", copy("StartedBy"));
    put("BaseVersionName", Value::from(v.tag()));
    put("DefaultUpdateChannel", Value::from(v.release_type()));
    put("DefaultUsageReportLevel", copy("DefaultUsageReportLevel"));
    put("ServerTime", copy("ServerTime"));
    put("OSType", copy("OSType"));
    put("DirectorySeparator", copy("DirectorySeparator"));
    put("PathSeparator", copy("PathSeparator"));
    put("CaseSensitiveFilesystem", copy("CaseSensitiveFilesystem"));
    // 2.0 ran on Mono on Linux.
    put("MonoVersion", Value::from("6.12.0.200"));
    put("MachineName", copy("MachineName"));
    put("UserName", copy("UserName"));
    put("NewLine", copy("NewLine"));
    put("CLRVersion", Value::from("4.0.30319.42000"));
    put("CLROSInfo", serde_json::json!({"Platform": "Unix", "ServicePack": "", "Version": "6.1.0.0", "VersionString": "Unix 6.1.0.0"}));
    put("Options", legacy_options(&copy("Options")));
    for k in ["CompressionModules", "EncryptionModules", "BackendModules", "GenericModules", "WebModules", "ConnectionModules"] {
        let modules = copy(k).as_array().cloned().unwrap_or_default();
        put(
            k,
            Value::Array(
                modules
                    .iter()
                    .map(|m| {
                        let mut o = Map::new();
                        for f in ["Key", "Description", "DisplayName"] {
                            o.insert(f.into(), m[f].clone());
                        }
                        o.insert("Options".into(), legacy_options(&m["Options"]));
                        Value::Object(o)
                    })
                    .collect(),
            ),
        );
    }
    for k in [
        "ServerModules",
        "UsingAlternateUpdateURLs",
        "LogLevels",
        "SpecialFolders",
        "BrowserLocale",
        "SupportedLocales",
        "BrowserLocaleSupported",
    ] {
        put(k, copy(k));
    }
    let mut w = emit::writer(v, 8192);
    w.value(&Value::Object(out));
    w.finish()
}

/// Options in `CommandLineArgument`'s declaration order (2.1+ serialise the interface's).
fn legacy_options(list: &Value) -> Value {
    const ORDER: [&str; 10] = [
        "Name",
        "Aliases",
        "Type",
        "ValidValues",
        "ShortDescription",
        "LongDescription",
        "DefaultValue",
        "Deprecated",
        "DeprecationMessage",
        "Typename",
    ];
    Value::Array(
        list.as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|o| {
                        let mut m = Map::new();
                        for k in ORDER {
                            m.insert(k.into(), o[k].clone());
                        }
                        Value::Object(m)
                    })
                    .collect()
            })
            .unwrap_or_default(),
    )
}
