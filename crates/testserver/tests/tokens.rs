//! Logins and refresh tokens per release: 2.1.0.5's temporary family, 2.1.2+'s token
//! families, nonce-bound refresh cookies and reuse detection.

mod common;

use std::time::Duration;

use common::{Client, Resp};
use duplicati_testserver::{ServerConfig, TestServer, TlsMode, Version};
use serde_json::{json, Value};

fn start(version: Version, tls: TlsMode) -> (TestServer, Client) {
    let s = TestServer::start(ServerConfig { version, tls, ..ServerConfig::default() }).unwrap();
    let c = Client::new(&s);
    (s, c)
}

fn login(c: &Client, remember: Value) -> Resp {
    c.post_json("/api/v1/auth/login", &[], &json!({"Password": "duplicati", "RememberMe": remember}))
}

/// The `name=value` part of the refresh cookie and its attributes.
fn refresh_cookie(r: &Resp, port: u16) -> (String, String) {
    let set = r.all("Set-Cookie");
    assert_eq!(set.len(), 1, "{set:?}");
    let (pair, attrs) = set[0].split_once("; ").unwrap();
    assert!(pair.starts_with(&format!("RefreshToken_{port}=eyJ")), "{pair}");
    (pair.to_string(), attrs.to_string())
}

fn refresh(c: &Client, cookie: Option<&str>, nonce: Option<&str>) -> Resp {
    let mut headers = Vec::new();
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    match nonce {
        Some(n) => c.post_json("/api/v1/auth/refresh", &headers, &json!({ "Nonce": n })),
        None => c.request("POST", "/api/v1/auth/refresh", &headers, None).unwrap(),
    }
}

#[test]
fn v2_1_0_5_temporary_family_unless_remembered() {
    let (s, c) = start(Version::V2_1_0_5, TlsMode::Plain);
    let r = login(&c, json!(false));
    assert_eq!(r.status, 200);
    assert_eq!(r.json().as_object().unwrap().keys().collect::<Vec<_>>(), ["AccessToken"]);
    assert!(r.all("Set-Cookie").is_empty(), "no refresh cookie for the temporary family");
    assert_eq!(login(&c, Value::Null).all("Set-Cookie").len(), 0);
    assert_eq!(s.stats().token_families, 0);

    let r = login(&c, json!(true));
    let (pair, attrs) = refresh_cookie(&r, s.port());
    assert!(
        attrs.starts_with("expires=") && attrs.ends_with("; domain=127.0.0.1; path=/api/v1/auth/refresh; samesite=strict; httponly"),
        "{attrs}"
    );
    assert_eq!(s.stats().token_families, 1);
    // 2.1.0.5 refreshes on the cookie alone and answers {AccessToken}.
    let r = refresh(&c, Some(&pair), None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json().as_object().unwrap().keys().collect::<Vec<_>>(), ["AccessToken"]);
    let (rotated, _) = refresh_cookie(&r, s.port());
    assert_ne!(rotated, pair);
    assert_eq!(s.stats().refreshes, 1);
}

#[test]
fn v2_1_2_every_login_creates_a_family_and_a_nonce() {
    for version in [Version::V2_1_2, Version::V2_2, Version::V2_3_1] {
        let (s, mut c) = start(version, TlsMode::Plain);
        for remember in [json!(false), json!(true), Value::Null] {
            let r = login(&c, remember);
            assert_eq!(r.status, 200);
            let body = r.json();
            assert_eq!(body.as_object().unwrap().keys().collect::<Vec<_>>(), ["AccessToken", "RefreshNonce"], "{version}");
            assert_eq!(body["RefreshNonce"].as_str().unwrap().len(), 44, "base64 of 32 bytes");
            refresh_cookie(&r, s.port());
        }
        assert_eq!(s.stats().token_families, 3, "{version}");
        c.host = "localhost".into();
        let r = login(&c, json!(false));
        let (pair, attrs) = refresh_cookie(&r, 0);
        assert!(pair.starts_with("RefreshToken_0="), "no port in Host: cookie of port 0");
        assert!(attrs.contains("; domain=localhost; "), "{attrs}");
    }
}

#[test]
fn refresh_rotates_within_the_family_and_reuse_revokes_it() {
    let (s, mut c) = start(Version::V2_2, TlsMode::Plain);
    let r = login(&c, json!(false));
    let (cookie1, _) = refresh_cookie(&r, s.port());
    let nonce1 = r.json()["RefreshNonce"].as_str().unwrap().to_string();

    let r = refresh(&c, None, Some(&nonce1));
    assert_eq!((r.status, r.text().as_str()), (401, r#"{"Error":"Authorization failed due to missing cookie.","Code":401}"#));
    assert_eq!(r.header("Content-Type"), Some("application/json"), "the exception handler's content type");
    let r = refresh(&c, Some(&cookie1), Some("not-the-nonce"));
    assert_eq!((r.status, r.text().as_str()), (401, r#"{"Error":"Failed to refresh token","Code":401}"#));
    let r = refresh(&c, Some(&cookie1), None);
    assert_eq!(r.status, 401, "no body, no nonce");

    let r = refresh(&c, Some(&cookie1), Some(&nonce1));
    assert_eq!(r.status, 200, "{}", r.text());
    let (cookie2, _) = refresh_cookie(&r, s.port());
    let body = r.json();
    let nonce2 = body["RefreshNonce"].as_str().unwrap().to_string();
    assert_ne!(nonce2, nonce1);
    c.token = Some(body["AccessToken"].as_str().unwrap().to_string());
    assert_eq!(c.get("/api/v1/serverstate").status, 200);
    let r = refresh(&c, Some(&cookie2), Some(&nonce2));
    assert_eq!(r.status, 200);
    let (cookie3, _) = refresh_cookie(&r, s.port());
    let nonce3 = r.json()["RefreshNonce"].as_str().unwrap().to_string();
    assert_eq!((s.stats().token_families, s.stats().refreshes), (1, 2), "refreshes stay in the family");

    // The first cookie is two refreshes behind: reuse. The family row is deleted.
    let r = refresh(&c, Some(&cookie1), Some(&nonce1));
    assert_eq!((r.status, r.text().as_str()), (401, r#"{"Error":"Failed to refresh token","Code":401}"#));
    assert_eq!(refresh(&c, Some(&cookie3), Some(&nonce3)).status, 401, "the newest cookie died with its family");
    let r = c.get("/api/v1/serverstate");
    assert_eq!((r.status, r.body.len()), (401, 0), "access tokens of the family too");
    assert_eq!(r.header("WWW-Authenticate"), Some("Bearer error=\"invalid_token\""));
}

#[test]
fn refresh_cookie_is_secure_on_https_and_expiry_is_the_middlewares() {
    let s = TestServer::start(ServerConfig {
        version: Version::V2_3_1,
        tls: TlsMode::SelfSigned,
        token_lifetime: Duration::from_secs(1),
        ..ServerConfig::default()
    })
    .unwrap();
    let mut c = Client::new(&s);
    let r = login(&c, json!(true));
    let (_, attrs) = refresh_cookie(&r, s.port());
    assert!(attrs.ends_with("; path=/api/v1/auth/refresh; secure; samesite=strict; httponly"), "{attrs}");
    c.token = Some(r.json()["AccessToken"].as_str().unwrap().to_string());
    std::thread::sleep(Duration::from_millis(2100));
    let r = c.get("/api/v1/backups");
    assert_eq!((r.status, r.body.len()), (401, 0));
    assert!(r.header("WWW-Authenticate").unwrap().contains("The token expired at"));
}

#[test]
fn wrong_password_is_the_same_everywhere() {
    for version in [Version::V2_1_0_5, Version::V2_1_2, Version::V2_3_1] {
        let (s, c) = start(version, TlsMode::Plain);
        let r = c.login_with("nope");
        assert_eq!((r.status, r.text().as_str()), (401, r#"{"Error":"Failed to log in","Code":401}"#));
        assert_eq!(s.stats().token_families, 0);
    }
}
