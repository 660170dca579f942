//! Which stored server a host is, and whether its connection may be trusted.
use crate::connect::ConnectOptions;
use crate::error::{Error, ErrorCode, Result};
use crate::hosts::HostSpec;
use crate::model::Protocol;
use crate::store::{NewServer, ServerRow, Store};

/// Which stored server a host is.
pub(super) struct Identified {
    pub server: ServerRow,
    /// The machine-id it reported before, when it now reports another (an upgrade).
    pub machine_id_changed_from: Option<String>,
}

/// Finds or creates the server record for what the server said it is: the same machine
/// (machine-id + MachineName) reached by two names is one server. A known address whose
/// machine-id changed but whose MachineName did not keeps its record, history and keychain
/// entry: from Duplicati 2.3.0.107 the machine-id comes from `machineid.txt` instead of the
/// install id (Library/Main/Options.cs), so an upgrade changes it.
pub(super) fn identify(
    s: &mut Store,
    spec: &HostSpec,
    known: Option<ServerRow>,
    machine_id: Option<&str>,
    name: &str,
) -> Result<Identified> {
    let by_identity = match machine_id {
        Some(mid) => s.server_by_identity(mid, name)?,
        None => None,
    };
    let mut changed_from = None;
    let server = match (by_identity, known) {
        (Some(server), _) => server,
        // The address was known, and its machine had no identity yet or the same one.
        (None, Some(k)) if k.machine_id.is_none() || k.machine_id.as_deref() == machine_id => k,
        // The same machine, upgraded: another machine-id under the same MachineName.
        (None, Some(k)) if k.name == name && machine_id.is_some() => {
            changed_from = k.machine_id.clone();
            k
        }
        _ => s.insert_server(&NewServer { name, host: &spec.host, port: spec.port, machine_id })?,
    };
    s.add_address(server.id, &spec.host, spec.port)?;
    Ok(Identified { server, machine_id_changed_from: changed_from })
}

/// A self-signed certificate must match the pin, and HTTPS is never downgraded, whichever
/// name the server was reached by.
pub(super) fn check_security(server: &ServerRow, protocol: Protocol, cert: Option<&str>, opts: &ConnectOptions, label: &str) -> Result<()> {
    if let (Some(accepted), Some(seen)) = (opts.accept_fingerprint.as_deref(), cert) {
        // The verifier let only this fingerprint through; checked again for clarity.
        return if accepted == seen { Ok(()) } else { Err(crate::net::certificate_changed(label, accepted, seen)) };
    }
    if protocol == Protocol::Http && server.protocol.is_some_and(Protocol::is_tls) {
        return Err(Error::new(
            ErrorCode::TlsError,
            format!("{label} answered over plain HTTP, but this server used HTTPS before."),
            "Duplidesk never downgrades a server from HTTPS. Connect by the name that speaks HTTPS, or remove the server and add it again.",
        ));
    }
    if protocol == Protocol::HttpsSelfSigned {
        if let (Some(pinned), Some(seen)) = (server.cert_sha256.as_deref(), cert) {
            if pinned != seen {
                return Err(crate::net::certificate_changed(label, pinned, seen));
            }
        }
    }
    Ok(())
}
