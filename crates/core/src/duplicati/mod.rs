//! The REST client for Duplicati 2.0 to 2.3: the `/api/v1` routes of Duplicati's web server
//! (`Duplicati/WebserverCore/Endpoints/V1/` from 2.1, `Duplicati/Server/WebServer/` in 2.0).
pub mod client;
pub mod log_page;
pub mod session;
pub mod wire;

pub use client::Client;
pub use session::Session;
