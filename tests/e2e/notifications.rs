//! The desktop's notification service, as the tests' session has none: owns
//! `org.freedesktop.Notifications` on the session bus, keeps every notification the app shows,
//! and clicks one (the `ActionInvoked` signal) the way a desktop does.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use zbus::object_server::SignalEmitter;
use zbus::zvariant::OwnedValue;

const PATH: &str = "/org/freedesktop/Notifications";

/// One notification as the app sent it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub id: u32,
    pub summary: String,
    pub body: String,
    pub actions: Vec<String>,
}

struct Service {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    #[allow(clippy::too_many_arguments, reason = "the freedesktop Notify signature")]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        let id = shown.len() as u32 + 1;
        shown.push(Shown { id, summary, body, actions });
        id
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("duplidesk-tests".into(), "Duplidesk".into(), "1".into(), "1.2".into())
    }

    #[zbus(signal)]
    async fn action_invoked(emitter: &SignalEmitter<'_>, id: u32, action_key: &str) -> zbus::Result<()>;
}

pub struct Notifications {
    conn: zbus::blocking::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

/// The service, started on first use (once per test process: the bus name has one owner).
pub fn service() -> &'static Notifications {
    static SERVICE: OnceLock<Notifications> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::blocking::connection::Builder::session()
            .and_then(|b| b.name("org.freedesktop.Notifications"))
            .and_then(|b| b.serve_at(PATH, Service { shown: shown.clone() }))
            .and_then(|b| b.build())
            .expect("own org.freedesktop.Notifications on the test session bus");
        Notifications { conn, shown }
    })
}

impl Notifications {
    /// Every notification shown so far whose summary contains `text`.
    pub fn shown_with(&self, text: &str) -> Vec<Shown> {
        self.shown.lock().unwrap().iter().filter(|n| n.summary.contains(text) || n.body.contains(text)).cloned().collect()
    }

    /// Clicks notification `id` (its default action).
    pub fn click(&self, id: u32) {
        let iface = self.conn.object_server().interface::<_, Service>(PATH).expect("the service is served");
        zbus::block_on(Service::action_invoked(iface.signal_emitter(), id, "default")).expect("send ActionInvoked");
    }
}
