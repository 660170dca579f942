//! Access tokens: opaque JWT-looking strings tracked server-side.

use std::collections::HashMap;
use std::time::Duration;

use ring::rand::{SecureRandom, SystemRandom};

use crate::timefmt::{self, Ticks, TICKS_PER_SEC};

struct TokenInfo {
    expires: Ticks,
    uses: u32,
    /// Fault epoch the use counter belongs to.
    epoch: u64,
    /// Set once the token was rejected for exceeding the use limit.
    revoked_at: Option<Ticks>,
}

/// Why a bearer token was rejected.
pub(crate) enum Rejection {
    /// No `Authorization: Bearer` header.
    Missing,
    /// Unknown token.
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

/// Issued tokens of one server.
pub(crate) struct Tokens {
    lifetime: Duration,
    rng: SystemRandom,
    issued: HashMap<String, TokenInfo>,
}

fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len() * 4 / 3 + 3);
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

impl Tokens {
    pub fn new(lifetime: Duration) -> Self {
        Tokens { lifetime, rng: SystemRandom::new(), issued: HashMap::new() }
    }

    fn random<const N: usize>(&self) -> [u8; N] {
        let mut b = [0u8; N];
        // SystemRandom only fails if the OS RNG is unavailable; zeros keep tokens unique enough
        // for a test server because the payload also holds the issue time.
        let _ = self.rng.fill(&mut b);
        b
    }

    /// Issues a new access token valid from `now`.
    pub fn issue(&mut self, now: Ticks) -> String {
        let expires = now + self.lifetime.as_secs() as i64 * TICKS_PER_SEC;
        let fam: String = self.random::<8>().iter().map(|b| format!("{b:02X}")).collect();
        let (nbf, exp) = (now / TICKS_PER_SEC, expires / TICKS_PER_SEC);
        let payload = format!(
            r#"{{"typ":"AccessToken","sid":"webserver","fam":"{fam}","nbf":{nbf},"exp":{exp},"iss":"https://duplicati","aud":"https://duplicati"}}"#
        );
        let token =
            format!("{}.{}.{}", b64url(br#"{"alg":"HS256","typ":"JWT"}"#), b64url(payload.as_bytes()), b64url(&self.random::<32>()));
        self.issued.insert(token.clone(), TokenInfo { expires, uses: 0, epoch: 0, revoked_at: None });
        token
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
}

#[cfg(test)]
mod tests {
    use super::b64url;

    #[test]
    fn base64url_without_padding() {
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
        assert_eq!(b64url(b"foo"), "Zm9v");
        assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
    }
}
