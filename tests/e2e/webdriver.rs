//! A minimal W3C WebDriver client over plain HTTP, enough to drive the app through
//! tauri-driver (which forwards to WebKitWebDriver on Linux).
use crate::wait::{secs, wait_until, wait_until_or, Check};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver codes of special keys.
pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";
pub const SHIFT: &str = "\u{E008}";
pub const CONTROL: &str = "\u{E009}";
pub const ESCAPE: &str = "\u{E00C}";
pub const ARROW_DOWN: &str = "\u{E015}";
pub const F10: &str = "\u{E03A}";

/// A running tauri-driver; the app it starts inherits this process's environment plus `env`.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::blocking::Client,
}

impl Driver {
    pub fn start(env: &[(&str, String)]) -> Driver {
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()]).stdout(Stdio::null()).stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("tauri-driver is installed by scripts/install-deps.sh --test");
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(60)).build().unwrap();
        let base = format!("http://127.0.0.1:{port}");
        wait_until("tauri-driver answers", secs(20), || http.get(format!("{base}/status")).send().is_ok());
        Driver { child, base, http }
    }

    /// Starts the app and returns its session.
    pub fn session(&self, app: &str) -> Session<'_> {
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app}}}});
        let v = self.call("POST", "/session", Some(caps)).unwrap_or_else(|e| panic!("new session: {e}"));
        let id = v["sessionId"].as_str().expect("session id").to_owned();
        Session { driver: self, id }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or(json!({}))),
        };
        let resp = req.send().map_err(|e| e.to_string())?;
        let v: Value = resp.json().map_err(|e| e.to_string())?;
        if v["value"].get("error").is_some() {
            return Err(format!("{} {}: {}", v["value"]["error"], v["value"]["message"], path));
        }
        Ok(v["value"].clone())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

#[derive(Clone)]
pub struct Element(String);

impl Element {
    /// The element as a script argument (`arguments[i]` in `Session::exec`).
    pub fn arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

impl Session<'_> {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.driver.call(method, &format!("/session/{}{}", self.id, path), body)
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        self.call("POST", "/elements", Some(json!({"using": "css selector", "value": css})))
            .map(|v| {
                v.as_array()
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str().map(|s| Element(s.to_owned())))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `wait_until` for the page: a timeout also saves a screenshot (`failure-…`) and tells
    /// the page's text.
    #[track_caller]
    pub fn wait_until<C: Check>(&self, what: &str, timeout_secs: u64, condition: impl FnMut() -> C) -> C::Value {
        wait_until_or(what, secs(timeout_secs), condition, || self.failure_dump(what))
    }

    /// Saves a screenshot named after `what` (if the window can still give one) and returns
    /// the page's text, for a failure message.
    fn failure_dump(&self, what: &str) -> String {
        let name = format!("failure-{}", what.replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
        if let Err(e) = self.try_screenshot(&name) {
            eprintln!("no screenshot {name}: {e}");
        }
        format!("page text: {}", self.text_of("body"))
    }

    /// Waits until `css` matches a displayed element.
    #[track_caller]
    pub fn wait(&self, css: &str, secs: u64) -> Element {
        self.wait_until(css, secs, || self.find_all(css).into_iter().find(|e| self.displayed(e)))
    }

    /// Waits until the text of `css` contains `needle` (elements fade in, and WebDriver reads
    /// no text from a transparent element).
    #[track_caller]
    pub fn wait_text(&self, css: &str, needle: &str, secs: u64) -> String {
        let last = RefCell::new(String::new());
        wait_until_or(
            &format!("{needle:?} in {css}"),
            Duration::from_secs(secs),
            || {
                let text = self.text_of(css);
                if text.contains(needle) {
                    return Some(text);
                }
                *last.borrow_mut() = text;
                None
            },
            || format!("{css} says {:?}; {}", last.borrow(), self.failure_dump(&format!("text {css}"))),
        )
    }

    /// Waits until `css` matches no displayed element.
    #[track_caller]
    pub fn wait_gone(&self, css: &str, secs: u64) {
        self.wait_until(&format!("{css} goes away"), secs, || !self.find_all(css).iter().any(|e| self.displayed(e)))
    }

    pub fn displayed(&self, e: &Element) -> bool {
        self.call("GET", &format!("/element/{}/displayed", e.0), None).map(|v| v == json!(true)).unwrap_or(false)
    }

    #[track_caller]
    pub fn click(&self, e: &Element) {
        // Retry briefly: an element may be covered while a dialog animates in.
        let last = RefCell::new(String::new());
        wait_until_or(
            "click",
            secs(5),
            || self.call("POST", &format!("/element/{}/click", e.0), Some(json!({}))).map_err(|err| *last.borrow_mut() = err).ok(),
            || format!("{}; {}", last.borrow(), self.failure_dump("click")),
        );
    }

    /// Clicks the element `css` names, finding it again on each try: a view that re-renders
    /// (after a save, say) replaces the element a first lookup returned.
    #[track_caller]
    pub fn click_on(&self, css: &str) {
        self.wait(css, 15);
        let last = RefCell::new(String::new());
        wait_until_or(
            &format!("click on {css}"),
            secs(5),
            || {
                let e = self.find_all(css).into_iter().find(|e| self.displayed(e))?;
                self.call("POST", &format!("/element/{}/click", e.0), Some(json!({}))).map_err(|err| *last.borrow_mut() = err).ok()
            },
            || format!("{}; {}", last.borrow(), self.failure_dump("click")),
        );
    }

    #[track_caller]
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.wait(css, 10);
        self.call("POST", &format!("/element/{}/clear", e.0), Some(json!({}))).unwrap();
        self.press(css, text);
    }

    /// Presses `keys` in the element (WebDriver key codes, e.g. "\u{E00C}" for Escape).
    #[track_caller]
    pub fn press(&self, css: &str, keys: &str) {
        let e = self.wait(css, 10);
        self.call("POST", &format!("/element/{}/value", e.0), Some(json!({"text": keys}))).unwrap();
    }

    /// Types on the keyboard, to whatever has the focus: each chord's keys are pressed in order
    /// and released in reverse (`&[&[CONTROL, "2"]]`, `&[&[TAB]]`); a chord of one longer text
    /// types it (`&[&["127.0.0.1"]]`).
    pub fn keys(&self, chords: &[&[&str]]) {
        let mut actions = Vec::new();
        let mut press = |keys: &[&str]| {
            actions.extend(keys.iter().map(|k| json!({"type": "keyDown", "value": k})));
            actions.extend(keys.iter().rev().map(|k| json!({"type": "keyUp", "value": k})));
        };
        for chord in chords {
            match chord {
                [text] if text.chars().count() > 1 => text.chars().for_each(|c| press(&[c.encode_utf8(&mut [0; 4])])),
                _ => press(chord),
            }
        }
        self.key_actions(actions);
    }

    /// Holds `key` down for `ms` before typing the chord `then` (Ctrl held, then 2).
    pub fn hold_then(&self, key: &str, ms: u64, then: &[&str]) {
        let mut actions = vec![json!({"type": "keyDown", "value": key}), json!({"type": "pause", "duration": ms})];
        actions.extend(then.iter().map(|k| json!({"type": "keyDown", "value": k})));
        actions.extend(then.iter().rev().map(|k| json!({"type": "keyUp", "value": k})));
        actions.push(json!({"type": "keyUp", "value": key}));
        self.key_actions(actions);
    }

    fn key_actions(&self, actions: Vec<Value>) {
        self.call("POST", "/actions", Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}))).unwrap();
        let _ = self.call("DELETE", "/actions", None);
    }

    /// The `data-testid` of the focused element (or of its closest marked ancestor).
    pub fn focused(&self) -> String {
        self.exec("const a = document.activeElement; return a && (a.closest('[data-testid]')?.dataset.testid ?? a.tagName);", vec![])
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), None).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    pub fn text_of(&self, css: &str) -> String {
        self.find_all(css).first().map(|e| self.text(e)).unwrap_or_default()
    }

    /// The text content of the first match, hidden or clipped parts included (WebKitWebDriver
    /// treats text in `overflow: hidden` ellipsis cells as not displayed).
    pub fn content(&self, css: &str) -> String {
        self.exec("const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", vec![json!(css)])
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.call("GET", &format!("/element/{}/attribute/{name}", e.0), None).ok().and_then(|v| v.as_str().map(str::to_owned))
    }

    pub fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": args}))).unwrap_or_else(|e| panic!("script: {e}"))
    }

    /// Saves a PNG screenshot under docs/screenshots/.
    pub fn screenshot(&self, name: &str) {
        self.try_screenshot(name).unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
    }

    fn try_screenshot(&self, name: &str) -> Result<(), String> {
        use base64::Engine as _;
        let started = Instant::now();
        // WebKitGTK's snapshot waits for the next rendered frame, which an idle page never
        // produces: keep an invisible pixel changing for a moment so one comes.
        const KEEP_PAINTING: &str = "const d = document.createElement('div'); \
            d.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none;opacity:0.01'; \
            document.body.appendChild(d); let n = 0; const end = Date.now() + 3000; \
            (function f() { d.style.opacity = (n++ % 2) ? '0.01' : '0.02'; \
              if (Date.now() < end) requestAnimationFrame(f); else d.remove(); })();";
        let _ = self.call("POST", "/execute/sync", Some(json!({"script": KEEP_PAINTING, "args": []})));
        // The snapshot may reuse the last frame composited; let a few fresh ones through first.
        const NEXT_FRAMES: &str = "const done = arguments[arguments.length - 1]; let n = 3; \
            (function f() { if (n-- > 0) requestAnimationFrame(f); else done(); })();";
        let _ = self.call("POST", "/execute/async", Some(json!({"script": NEXT_FRAMES, "args": []})));
        let v = self.call("GET", "/screenshot", None)?;
        eprintln!("screenshot {name}: {:.1} s", started.elapsed().as_secs_f64());
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap_or_default()).unwrap_or_default();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(format!("{name}.png")), png).map_err(|e| e.to_string())
    }

    /// Ends the session, which closes the app.
    pub fn quit(self) {}
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        // Also on a failed test: a surviving app would make the next launch a second
        // instance, which only focuses the first and exits.
        let _ = self.call("DELETE", "", None);
    }
}
