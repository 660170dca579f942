//! Which language the app speaks (English or Spanish) and the strings shown outside the web
//! view: the tray menu, desktop notifications and the titles of native file dialogs. The web
//! view's own strings live in ui/js/i18n.js.
use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppState;

/// The languages of the UI, the tray menu and notifications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

pub struct Texts {
    pub quick_collect: &'static str,
    pub cancel_collect: &'static str,
    pub open: &'static str,
    /// A notification's button that opens its entry.
    pub show_entry: &'static str,
    pub quit: &'static str,
    pub collected_title: &'static str,
    pub failed_title: &'static str,
    pub save_dialog_title: &'static str,
    pub import_dialog_title: &'static str,
    pub export_dialog_title: &'static str,
    pub ca_dialog_title: &'static str,
}

impl Lang {
    /// "es", "es-ES", "es_AR.UTF-8" → Spanish; anything else English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.to_ascii_lowercase().starts_with("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }

    /// The code the UI's dictionaries use.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &Texts {
                quick_collect: "Quick collect",
                cancel_collect: "Cancel collection",
                open: "Open Duplidesk",
                show_entry: "Show",
                quit: "Quit",
                collected_title: "Duplidesk: collection finished",
                failed_title: "Duplidesk: collection failed",
                save_dialog_title: "Save collected data",
                import_dialog_title: "Import collected JSON files",
                export_dialog_title: "Export backup logs",
                ca_dialog_title: "Trust a certificate authority",
            },
            Lang::Es => &Texts {
                quick_collect: "Recopilación rápida",
                cancel_collect: "Cancelar la recopilación",
                open: "Abrir Duplidesk",
                show_entry: "Ver",
                quit: "Salir",
                collected_title: "Duplidesk: recopilación terminada",
                failed_title: "Duplidesk: la recopilación falló",
                save_dialog_title: "Guardar los datos JSON recopilados",
                import_dialog_title: "Importar archivos JSON recopilados",
                export_dialog_title: "Exportar logs de backup",
                ca_dialog_title: "Confiar en una autoridad de certificación",
            },
        }
    }

    /// "N servers collected, M new entries, K failed".
    pub fn summary(self, servers: usize, new: u64, failed: usize) -> String {
        match self {
            Lang::En => format!(
                "{servers} server{} collected, {new} new entr{}, {failed} failed",
                if servers == 1 { "" } else { "s" },
                if new == 1 { "y" } else { "ies" }
            ),
            Lang::Es => format!(
                "{servers} servidor{} recopilado{}, {new} entrada{} nueva{}, {failed} con error",
                if servers == 1 { "" } else { "es" },
                if servers == 1 { "" } else { "s" },
                if new == 1 { "" } else { "s" },
                if new == 1 { "" } else { "s" }
            ),
        }
    }
}

impl Lang {
    /// The title of a watch notification: the status, then `server: job` (or how many events
    /// on how many servers, for a summary).
    pub fn notice_title(self, notice: &duplidesk_core::watch::Notice) -> String {
        use duplidesk_core::Status;
        if let Some((events, servers)) = notice.summary_of {
            return match self {
                Lang::En => format!("{events} events on {servers} server{}", if servers == 1 { "" } else { "s" }),
                Lang::Es => format!("{events} eventos en {servers} servidor{}", if servers == 1 { "" } else { "es" }),
            };
        }
        let status = match (self, notice.status) {
            (Lang::En, Status::Completed) => "Completed",
            (Lang::En, Status::Warning) => "Warning",
            (Lang::En, Status::Error) => "Error",
            (Lang::En, Status::Stopped) => "Stopped",
            (Lang::En, Status::Started) => "Started",
            (Lang::En, Status::Running) => "Running long",
            (Lang::En, Status::Overdue) => "Overdue",
            (Lang::En, Status::Connection) => "Connection problem",
            (Lang::En, Status::Info) => "Reachable again",
            (Lang::Es, Status::Completed) => "Completado",
            (Lang::Es, Status::Warning) => "Advertencia",
            (Lang::Es, Status::Error) => "Error",
            (Lang::Es, Status::Stopped) => "Detenido",
            (Lang::Es, Status::Started) => "Iniciado",
            (Lang::Es, Status::Running) => "Ejecución larga",
            (Lang::Es, Status::Overdue) => "Atrasado",
            (Lang::Es, Status::Connection) => "Problema de conexión",
            (Lang::Es, Status::Info) => "Accesible de nuevo",
        };
        format!("{status} — {}", notice.title)
    }
}

/// The language to show: the stored `language` setting, else the OS locale (the app asks the
/// OS itself, since the web view's `navigator.language` does not follow it everywhere).
pub fn current_lang<R: Runtime>(app: &AppHandle<R>) -> Lang {
    resolve(app.state::<AppState>().engine.language().as_deref())
}

/// The language for a stored `language` setting (`None`: follow the OS locale).
pub fn resolve(setting: Option<&str>) -> Lang {
    match setting {
        Some(tag) => Lang::from_tag(tag),
        None => Lang::from_tag(&sys_locale::get_locale().unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert_eq!(Lang::from_tag("es-ES"), Lang::Es);
        assert_eq!(Lang::from_tag("es_AR.UTF-8"), Lang::Es);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
        assert_eq!(Lang::En.summary(2, 10, 1), "2 servers collected, 10 new entries, 1 failed");
        assert_eq!(Lang::En.summary(1, 1, 0), "1 server collected, 1 new entry, 0 failed");
        assert_eq!(Lang::Es.summary(3, 0, 0), "3 servidores recopilados, 0 entradas nuevas, 0 con error");
    }

    #[test]
    fn notice_titles() {
        use duplidesk_core::{watch::Notice, Status};
        let one = Notice { status: Status::Error, title: "nas: Photos".into(), body: String::new(), entry_id: Some(1), summary_of: None };
        assert_eq!(Lang::En.notice_title(&one), "Error — nas: Photos");
        assert_eq!(Lang::Es.notice_title(&Notice { status: Status::Overdue, ..one.clone() }), "Atrasado — nas: Photos");
        let many = Notice { summary_of: Some((7, 1)), entry_id: None, ..one };
        assert_eq!(Lang::En.notice_title(&many), "7 events on 1 server");
        assert_eq!(Lang::Es.notice_title(&many), "7 eventos en 1 servidor");
    }
}
