//! What proves who we are to one Duplicati server, between requests and between collections.
//!
//! Logging in with the password is what costs the server: from 2.1.2 every password login adds
//! a token family row that is almost never deleted (WebserverCore/Services/LoginProvider.cs,
//! TokenFamilyStore.cs). So a session is reused as long as it works: the access token while it
//! is valid (15 min), then the refresh token, which rotates within the same family
//! (`auth/refresh`, 30 days with RememberMe), and the password only when both fail. A session
//! is a credential: it is kept in memory and in the OS keychain beside the password, never in
//! the store, a file or a log.
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Session {
    /// Duplicati 2.1+: a bearer access token (JWT), and what refreshes it when the server gave
    /// it (a `RefreshToken_<port>` cookie; from 2.1.2 also a one-time nonce).
    Bearer { access_token: String, refresh: Option<Refresh> },
    /// Duplicati 2.0.x: the XSRF token every API call must echo, and the login cookie
    /// (`session-auth`, an hour, renewed on use; none when the server has no password).
    Legacy { xsrf_token: String, auth_cookie: Option<String> },
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refresh {
    /// `RefreshToken_<port>=<value>`, as it goes into a `Cookie` header.
    pub cookie: String,
    /// 2.1.2+: the nonce the next refresh must send (it changes with every refresh).
    pub nonce: Option<String>,
}

impl Session {
    /// Whether the access token has expired (or will within `margin_s` seconds) by its own
    /// `exp` claim, so it is renewed before a request instead of after a 401.
    pub fn expired(&self, now: i64, margin_s: i64) -> bool {
        match self {
            Session::Bearer { access_token, .. } => jwt_expiry(access_token).is_some_and(|exp| exp <= now + margin_s),
            Session::Legacy { .. } => false,
        }
    }

    /// The session as text for the keychain.
    pub fn to_secret(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A session read back from the keychain; `None` when it is not one (then it is ignored).
    pub fn from_secret(text: &str) -> Option<Session> {
        serde_json::from_str(text).ok()
    }
}

impl fmt::Debug for Session {
    /// Never prints a token: sessions are credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Session::Bearer { refresh, .. } => write!(f, "Session::Bearer {{ refresh: {} }}", refresh.is_some()),
            Session::Legacy { auth_cookie, .. } => write!(f, "Session::Legacy {{ logged_in: {} }}", auth_cookie.is_some()),
        }
    }
}

/// The `exp` claim (Unix seconds) of a JWT; the signature is the server's business.
fn jwt_expiry(token: &str) -> Option<i64> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<serde_json::Value>(&bytes).ok()?.get("exp")?.as_i64()
}

/// The `password` form value of Duplicati 2.0's `/login.cgi`:
/// `base64(SHA256(nonce ‖ SHA256(utf8(password) ‖ salt)))`, nonce and salt base64-decoded
/// (Server/webroot/login/login.js and Server/WebServer/AuthenticationHandler.cs @ v2.0.8.1).
pub fn legacy_password_proof(password: &str, nonce_b64: &str, salt_b64: &str) -> Option<String> {
    let nonce = B64.decode(nonce_b64.trim()).ok()?;
    let salt = B64.decode(salt_b64.trim()).ok()?;
    let salted = Sha256::new().chain_update(password.as_bytes()).chain_update(&salt).finalize();
    let proof = Sha256::new().chain_update(&nonce).chain_update(salted).finalize();
    Some(B64.encode(proof))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legacy_proof_is_the_one_login_js_computes() {
        // Computed by hand: SHA256("duplicati" ‖ salt) then SHA256(nonce ‖ that), base64.
        let salt = B64.encode(b"0123456789abcdef");
        let nonce = B64.encode([7u8; 32]);
        let salted = Sha256::digest([b"duplicati".as_slice(), b"0123456789abcdef"].concat());
        let expected = B64.encode(Sha256::digest([[7u8; 32].as_slice(), salted.as_slice()].concat()));
        assert_eq!(legacy_password_proof("duplicati", &nonce, &salt).as_deref(), Some(expected.as_str()));
        assert_eq!(legacy_password_proof("duplicati", "not base64!", &salt), None);
    }

    #[test]
    fn an_access_token_is_renewed_before_it_expires() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let token = format!("h.{}.s", URL_SAFE_NO_PAD.encode(br#"{"exp":1000,"typ":"AccessToken"}"#));
        let session = Session::Bearer { access_token: token, refresh: None };
        assert!(!session.expired(900, 30));
        assert!(session.expired(980, 30));
        assert!(!Session::Bearer { access_token: "not-a-jwt".into(), refresh: None }.expired(i64::MAX - 60, 30), "unknown: try it");
    }

    #[test]
    fn sessions_round_trip_and_never_print_a_token() {
        let s = Session::Bearer {
            access_token: "eyJsecret".into(),
            refresh: Some(Refresh { cookie: "RefreshToken_8200=abc".into(), nonce: Some("n1".into()) }),
        };
        assert_eq!(Session::from_secret(&s.to_secret()), Some(s.clone()));
        assert!(!format!("{s:?}").contains("secret") && !format!("{s:?}").contains("abc"));
        assert_eq!(Session::from_secret("garbage"), None);
    }
}
