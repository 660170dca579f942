//! Request counters.

use std::collections::HashMap;

/// Counters since start or the last [`crate::TestServer::reset_stats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Every request read from a connection (including faulted ones).
    pub total_requests: u64,
    /// `POST /api/v1/auth/login` requests that reached the login handler (2.0: `POST
    /// /login.cgi` with a `password` field).
    pub logins: u64,
    /// Logins answered with 401.
    pub failed_logins: u64,
    /// Requests answered 401 because of a missing, invalid or expired token.
    pub unauthorized: u64,
    /// Authorized `GET /api/v1/backup/{id}/log` requests per backup id.
    pub log_requests: HashMap<String, u64>,
    /// Requests per path (without query string).
    pub paths: HashMap<String, u64>,
    /// TCP connections accepted.
    pub connections: u64,
    /// Requests that were not HTTP (e.g. a TLS ClientHello on a plain port), answered 400.
    pub bad_requests: u64,
    /// Token family rows created by logins (2.1.2+: every password login; 2.1.0.5: logins
    /// with `RememberMe: true`).
    pub token_families: u64,
    /// `POST /api/v1/auth/refresh` requests answered 200 (new access token, rotated cookie).
    pub refreshes: u64,
}
