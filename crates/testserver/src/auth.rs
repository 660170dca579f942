//! Logins: 2.1+'s JWT-looking access tokens, token families and refresh cookies (tracked
//! server-side), and 2.0's XSRF tokens, login nonces and session cookies.

use std::collections::HashMap;
use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

use crate::config::Version;
use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

const MINUTE: Ticks = 60 * TICKS_PER_SEC;

struct TokenInfo {
    expires: Ticks,
    uses: u32,
    /// Fault epoch the use counter belongs to.
    epoch: u64,
    /// Set once the token was rejected for exceeding the use limit.
    revoked_at: Option<Ticks>,
    /// The token family, `None` for the "temporary" family that has no database row.
    family: Option<String>,
}

/// A row of the `TokenFamily` table (`WebserverCore/Services/TokenFamilyStore.cs`).
struct Family {
    counter: i64,
    last_updated: Ticks,
}

/// An issued refresh token (the `RefreshToken_<port>` cookie).
struct RefreshInfo {
    family: String,
    counter: i64,
    /// The nonce it is bound to (2.1.2+); `None` accepts any.
    nonce: Option<String>,
    issued: Ticks,
    expires: Ticks,
}

/// Why a bearer token was rejected.
pub(crate) enum Rejection {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Unknown token, or its family was revoked.
    Invalid,
    /// Token expired at this instant.
    Expired(Ticks),
}

impl Rejection {
    /// The `WWW-Authenticate` header value ASP.NET's JwtBearer handler sends.
    pub fn www_authenticate(&self) -> String {
        match self {
            Rejection::Missing => "Bearer".into(),
            Rejection::Invalid => "Bearer error=\"invalid_token\"".into(),
            Rejection::Expired(t) => {
                format!("Bearer error=\"invalid_token\", error_description=\"The token expired at '{}'\"", timefmt::token_expiry(*t))
            }
        }
    }
}

/// What a successful login or refresh hands out.
pub(crate) struct Grant {
    pub access: String,
    /// The refresh token for the cookie, if one is issued.
    pub refresh: Option<String>,
    /// `RefreshNonce` (2.1.2+).
    pub nonce: Option<String>,
}

/// Tokens and token families of one server (2.1+).
pub(crate) struct Tokens {
    lifetime: Duration,
    rng: SystemRandom,
    issued: HashMap<String, TokenInfo>,
    families: HashMap<String, Family>,
    refresh: HashMap<String, RefreshInfo>,
}

/// Unpadded base64url.
pub(crate) fn b64url(data: &[u8]) -> String {
    b64(data, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", false)
}

/// Standard base64 with padding (.NET `Convert.ToBase64String`).
pub(crate) fn b64std(data: &[u8]) -> String {
    b64(data, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", true)
}

fn b64(data: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(data.len() * 4 / 3 + 4);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (padding optional); `None` on any other character.
pub(crate) fn b64std_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
        }
    }
    Some(out)
}

fn random<const N: usize>(rng: &SystemRandom) -> [u8; N] {
    let mut b = [0u8; N];
    // SystemRandom only fails if the OS RNG is unavailable; zeros keep tokens unique enough
    // for a test server because the payloads also hold the issue time.
    let _ = rng.fill(&mut b);
    b
}

/// A JWT-looking token: header, the claims, and a random signature.
fn jwt(rng: &SystemRandom, claims: &str, nbf: Ticks, exp: Ticks) -> String {
    let (nbf, exp) = (nbf / TICKS_PER_SEC, exp / TICKS_PER_SEC);
    let payload = format!(r#"{{{claims},"nbf":{nbf},"exp":{exp},"iss":"https://duplicati","aud":"https://duplicati"}}"#);
    format!("{}.{}.{}", b64url(br#"{"alg":"HS256","typ":"JWT"}"#), b64url(payload.as_bytes()), b64url(&random::<32>(rng)))
}

impl Tokens {
    pub fn new(lifetime: Duration) -> Self {
        Tokens { lifetime, rng: SystemRandom::new(), issued: HashMap::new(), families: HashMap::new(), refresh: HashMap::new() }
    }

    /// Forgets every token and token family, as Duplicati does when its JWT configuration is
    /// reset (`--webservice-reset-jwt-config`, Server/Program.cs): every session must log in
    /// with the password again.
    pub fn revoke_all(&mut self) {
        self.issued.clear();
        self.families.clear();
        self.refresh.clear();
    }

    /// Token families in the table now.
    #[cfg(test)]
    pub fn family_count(&self) -> usize {
        self.families.len()
    }

    /// Issues an access token of `family` (`None` = "temporary") valid from `now`.
    fn access(&mut self, now: Ticks, family: Option<String>) -> String {
        let expires = now + self.lifetime.as_secs() as i64 * TICKS_PER_SEC;
        let fam = family.as_deref().unwrap_or("temporary");
        let token = jwt(&self.rng, &format!(r#""typ":"AccessToken","sid":"webserver","fam":"{fam}""#), now, expires);
        self.issued.insert(token.clone(), TokenInfo { expires, uses: 0, epoch: 0, revoked_at: None, family });
        token
    }

    /// `TokenFamilyStore.CreateTokenFamily`: 16 hex digits, a random start counter.
    fn create_family(&mut self, now: Ticks) -> String {
        let id: String = random::<8>(&self.rng).iter().map(|b| format!("{b:02X}")).collect();
        let counter = i64::from(u16::from_le_bytes(random::<2>(&self.rng)) % 1024);
        self.families.insert(id.clone(), Family { counter, last_updated: now });
        id
    }

    /// `JWTTokenProvider.CreateRefreshToken`: short-lived ones last 2 h, others 30 days; from
    /// 2.1.2 every refresh token is bound to a fresh nonce.
    fn refresh_token(&mut self, now: Ticks, family: &str, counter: i64, lifetime: Ticks, with_nonce: bool) -> (String, Option<String>) {
        let nonce = with_nonce.then(|| b64std(&random::<32>(&self.rng)));
        let mut claims =
            format!(r#""typ":"RefreshToken","sid":"webserver","fam":"{family}","cnt":"{counter}","iat":"{}""#, now / TICKS_PER_SEC);
        if nonce.is_some() {
            // The claim holds a PBKDF2 hash of the nonce; a random stand-in here.
            claims.push_str(&format!(r#","nce":"{}""#, b64std(&random::<32>(&self.rng))));
        }
        let token = jwt(&self.rng, &claims, now, now + lifetime);
        self.refresh.insert(
            token.clone(),
            RefreshInfo { family: family.to_string(), counter, nonce: nonce.clone(), issued: now, expires: now + lifetime },
        );
        (token, nonce)
    }

    /// A password login (`LoginProvider.PerformLoginWithPassword` of `version`). Returns the
    /// grant and whether a token family row was created.
    pub fn login(&mut self, now: Ticks, version: Version, remember_me: bool) -> (Grant, bool) {
        // 2.1.0.5 only issues a refresh token (and a family row) when asked to remember.
        if !version.refresh_nonces() && !remember_me {
            return (Grant { access: self.access(now, None), refresh: None, nonce: None }, false);
        }
        let family = self.create_family(now);
        let counter = self.families[&family].counter;
        let lifetime = if version.refresh_nonces() && !remember_me { 2 * 60 * MINUTE } else { 30 * 24 * 60 * MINUTE };
        let (refresh, nonce) = self.refresh_token(now, &family, counter, lifetime, version.refresh_nonces());
        (Grant { access: self.access(now, Some(family)), refresh: Some(refresh), nonce }, true)
    }

    /// `LoginProvider.PerformLoginWithRefreshToken`: the token must be valid and, if bound to a
    /// nonce, presented with it; its counter may lag the family's by one within 30 seconds of
    /// the last refresh, anything else is taken as reuse and deletes the family.
    pub fn refresh(&mut self, token: &str, nonce: &str, now: Ticks, version: Version) -> Option<Grant> {
        let info = self.refresh.get(token)?;
        if now >= info.expires || info.nonce.as_deref().is_some_and(|n| n != nonce) {
            return None;
        }
        let (family_id, counter, lifetime) = (info.family.clone(), info.counter, info.expires - info.issued);
        let family = self.families.get_mut(&family_id)?;
        let diff = family.counter - counter;
        let max_drift = if now - family.last_updated > 30 * TICKS_PER_SEC { 0 } else { 1 };
        if !(0..=max_drift).contains(&diff) {
            self.families.remove(&family_id);
            return None;
        }
        family.counter += 1;
        family.last_updated = now;
        let counter = family.counter;
        let (refresh, nonce) = self.refresh_token(now, &family_id, counter, lifetime, version.refresh_nonces());
        Some(Grant { access: self.access(now, Some(family_id)), refresh: Some(refresh), nonce })
    }

    /// Checks the `Authorization` header value and counts the use.
    /// `limit` is the fault "expire after n uses" with its epoch.
    pub fn check(&mut self, header: Option<&str>, now: Ticks, limit: (Option<u32>, u64)) -> Result<(), Rejection> {
        let token = header
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .ok_or(Rejection::Missing)?;
        let info = self.issued.get_mut(token).ok_or(Rejection::Invalid)?;
        if let Some(t) = info.revoked_at {
            return Err(Rejection::Expired(t));
        }
        if now >= info.expires {
            return Err(Rejection::Expired(info.expires));
        }
        // JWTTokenProvider.ValidateAccessToken: the family row must still exist.
        if info.family.as_ref().is_some_and(|f| !self.families.contains_key(f)) {
            return Err(Rejection::Invalid);
        }
        let (max_uses, epoch) = limit;
        if info.epoch != epoch {
            info.epoch = epoch;
            info.uses = 0;
        }
        if let Some(max) = max_uses {
            if info.uses >= max {
                info.revoked_at = Some(now);
                return Err(Rejection::Expired(now));
            }
        }
        info.uses += 1;
        Ok(())
    }

    /// Whether the bearer header holds a valid token, without counting a use.
    pub fn is_valid(&self, header: Option<&str>, now: Ticks) -> bool {
        let Some(token) = header.and_then(|h| h.split_once(' ')).filter(|(s, _)| s.eq_ignore_ascii_case("bearer")).map(|(_, t)| t.trim())
        else {
            return false;
        };
        self.issued
            .get(token)
            .is_some_and(|i| i.revoked_at.is_none() && now < i.expires && i.family.as_ref().is_none_or(|f| self.families.contains_key(f)))
    }
}

/// The login state of 2.0's `AuthenticationHandler` (`Server/WebServer/AuthenticationHandler.cs`
/// @ 2.0.8.1).
pub(crate) struct LegacySessions {
    rng: SystemRandom,
    /// XSRF tokens and when they expire (10 minutes, sliding).
    xsrf: HashMap<String, Ticks>,
    /// Login nonces: expiry and the expected hashed password.
    nonces: HashMap<String, (Ticks, String)>,
    /// `session-auth` tokens and their expiry (1 hour, sliding).
    sessions: HashMap<String, Ticks>,
    /// `WebserverPasswordSalt` (base64 of 32 bytes).
    pub salt: String,
    /// `WebserverPassword`: base64(SHA256(utf8(password) ‖ salt)), empty without a password.
    stored: String,
}

/// Outcome of an XSRF check.
pub(crate) struct Xsrf {
    /// The cookie to set because the request had no valid one.
    pub new_cookie: Option<(String, Ticks)>,
    /// Too many tokens: 503.
    pub full: bool,
}

impl LegacySessions {
    pub fn new(password: &str) -> Self {
        let rng = SystemRandom::new();
        let salt = b64std(&random::<32>(&rng));
        let mut s =
            LegacySessions { rng, xsrf: HashMap::new(), nonces: HashMap::new(), sessions: HashMap::new(), salt, stored: String::new() };
        s.set_password(password);
        s
    }

    /// `ServerSettings.SetWebserverPassword` (a new salt each time).
    /// Ends every 2.0 login (as a restart of the 2.0 server does).
    pub fn log_out_everyone(&mut self) {
        self.sessions.clear();
    }

    pub fn set_password(&mut self, password: &str) {
        if password.trim().is_empty() {
            self.stored.clear();
            self.salt.clear();
            return;
        }
        let salt = random::<32>(&self.rng);
        self.salt = b64std(&salt);
        let mut h = Sha256::new();
        h.update(password.as_bytes());
        h.update(salt);
        self.stored = b64std(&h.finalize());
    }

    pub fn has_password(&self) -> bool {
        !self.stored.is_empty()
    }

    /// `HasXSRFCookie`, then `AddXSRFTokenToRespone` when the request has no valid cookie.
    pub fn xsrf_cookie(&mut self, cookie: Option<&str>, now: Ticks) -> Xsrf {
        self.xsrf.retain(|_, exp| now <= *exp);
        if let Some(value) = cookie {
            let decoded = url_decode(value);
            for v in [value.to_string(), decoded] {
                if let Some(exp) = self.xsrf.get_mut(&v) {
                    *exp = now + 10 * MINUTE;
                    return Xsrf { new_cookie: None, full: false };
                }
            }
        }
        if self.xsrf.len() > 500 {
            return Xsrf { new_cookie: None, full: true };
        }
        let token = b64std(&random::<32>(&self.rng));
        let expires = now + 10 * MINUTE;
        self.xsrf.insert(token.clone(), expires);
        Xsrf { new_cookie: Some((token, expires)), full: false }
    }

    /// The `X-XSRF-Token` header check of `/api/*`: the value must be a live token as is
    /// (not URL-encoded). Refreshes it and returns its new expiry.
    pub fn check_xsrf_header(&mut self, header: &str, now: Ticks) -> Option<Ticks> {
        let exp = self.xsrf.get_mut(header)?;
        *exp = now + 10 * MINUTE;
        Some(*exp)
    }

    /// `get-nonce`: a nonce and the hash the client must answer with; `None` past 50 pending.
    pub fn nonce(&mut self, now: Ticks) -> Option<(String, Ticks)> {
        self.nonces.retain(|_, (exp, _)| now <= *exp);
        if self.nonces.len() > 50 {
            return None;
        }
        let buf = random::<32>(&self.rng);
        let nonce = b64std(&buf);
        let mut h = Sha256::new();
        h.update(buf);
        h.update(b64std_decode(&self.stored).unwrap_or_default());
        let expected = b64std(&h.finalize());
        let expires = now + 10 * MINUTE;
        self.nonces.insert(nonce.clone(), (expires, expected));
        Some((nonce, expires))
    }

    /// The `password` post: the nonce cookie must be pending (it is consumed either way) and
    /// the answer must match. Returns the new session token and its expiry.
    pub fn login(&mut self, nonce_cookie: Option<&str>, answer: &str, now: Ticks) -> Option<(String, Ticks)> {
        self.nonces.retain(|_, (exp, _)| now <= *exp);
        let raw = nonce_cookie.unwrap_or_default();
        let decoded = url_decode(raw);
        let key = if self.nonces.contains_key(&decoded) { decoded } else { raw.to_string() };
        let (_, expected) = self.nonces.remove(&key)?;
        if expected != answer {
            return None;
        }
        let token = b64url(&random::<32>(&self.rng));
        let expires = now + 60 * MINUTE;
        self.sessions.insert(token.clone(), expires);
        Some((token, expires))
    }

    /// `/logout.cgi`: forgets the session.
    pub fn logout(&mut self, cookie: Option<&str>) {
        if let Some(raw) = cookie {
            self.sessions.remove(raw);
            self.sessions.remove(&url_decode(raw));
        }
    }

    /// A valid `session-auth` cookie slides to one more hour; returns the token and expiry.
    pub fn session(&mut self, cookie: Option<&str>, now: Ticks) -> Option<(String, Ticks)> {
        self.sessions.retain(|_, exp| now < *exp);
        let raw = cookie?;
        for v in [raw.to_string(), url_decode(raw)] {
            if let Some(exp) = self.sessions.get_mut(&v) {
                *exp = now + 60 * MINUTE;
                return Some((v, *exp));
            }
        }
        None
    }
}

/// The login answer of 2.0's `login.js`:
/// `base64(SHA256(b64dec(nonce) ‖ SHA256(utf8(password) ‖ b64dec(salt))))`.
pub fn legacy_login_answer(password: &str, nonce: &str, salt: &str) -> String {
    let mut inner = Sha256::new();
    inner.update(password.as_bytes());
    inner.update(b64std_decode(salt).unwrap_or_default());
    let mut outer = Sha256::new();
    outer.update(b64std_decode(nonce).unwrap_or_default());
    outer.update(inner.finalize());
    b64std(&outer.finalize())
}

/// `HttpUtilityHelper.UrlEncode` of 2.0's web server: everything but `[0-9A-Za-z_-]` as
/// `%XX` (uppercase), space as `+`.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'_' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decoding with `+` as space (invalid escapes stay as they are).
pub(crate) fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_variants() {
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
        assert_eq!(b64url(b"foo"), "Zm9v");
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(b64std(&[0xfb, 0xff]), "+/8=");
        assert_eq!(b64std(b"f"), "Zg==");
        assert_eq!(b64std_decode("+/8=").unwrap(), vec![0xfb, 0xff]);
        assert_eq!(b64std_decode("Zm9vYmFy").unwrap(), b"foobar");
        assert!(b64std_decode("a*b").is_none());
    }

    #[test]
    fn url_coding() {
        assert_eq!(url_encode("a+b/c=="), "a%2Bb%2Fc%3D%3D");
        assert_eq!(url_decode("a%2Bb%2fc%3D%3D"), "a+b/c==");
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(url_decode("x+y"), "x y");
    }

    #[test]
    fn legacy_login_round_trip() {
        let mut s = LegacySessions::new("pw");
        let (nonce, _) = s.nonce(0).unwrap();
        assert!(s.login(Some(&url_encode(&nonce)), "wrong", 0).is_none());
        assert!(s.login(Some(&nonce), &legacy_login_answer("pw", &nonce, &s.salt.clone()), 0).is_none(), "a nonce is used once");
        let (nonce, _) = s.nonce(0).unwrap();
        let answer = legacy_login_answer("pw", &nonce, &s.salt.clone());
        let (token, _) = s.login(Some(&url_encode(&nonce)), &answer, 0).unwrap();
        assert!(s.session(Some(&token), 10).is_some());
        assert!(s.session(Some(&token), 10 + 61 * MINUTE).is_none());
    }

    #[test]
    fn refresh_reuse_revokes_the_family() {
        let mut t = Tokens::new(Duration::from_secs(900));
        let (g, created) = t.login(0, Version::V2_1_2, false);
        assert!(created);
        let (first, nonce) = (g.refresh.unwrap(), g.nonce.unwrap());
        assert!(t.refresh(&first, "wrong", 1, Version::V2_1_2).is_none(), "wrong nonce");
        let g2 = t.refresh(&first, &nonce, 2, Version::V2_1_2).unwrap();
        let g3 = t.refresh(&g2.refresh.clone().unwrap(), g2.nonce.as_deref().unwrap(), 3, Version::V2_1_2).unwrap();
        assert_eq!(t.family_count(), 1);
        // The first token lags the family by two refreshes: reuse.
        assert!(t.refresh(&first, &nonce, 4, Version::V2_1_2).is_none());
        assert_eq!(t.family_count(), 0);
        assert!(t.refresh(&g3.refresh.unwrap(), g3.nonce.as_deref().unwrap(), 5, Version::V2_1_2).is_none());
        assert!(!t.is_valid(Some(&format!("Bearer {}", g3.access)), 6), "access tokens of a revoked family");
    }
}
