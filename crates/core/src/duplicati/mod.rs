//! The REST client for Duplicati 2.1+: the `/api/v1` routes of Duplicati's WebserverCore
//! (`Duplicati/WebserverCore/Endpoints/V1/` in the Duplicati source).
pub mod client;
pub mod wire;

pub use client::Client;
