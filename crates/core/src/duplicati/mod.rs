//! The REST client for Duplicati 2.1+ (see duplicati-api.md).
pub mod client;
pub mod wire;

pub use client::Client;
