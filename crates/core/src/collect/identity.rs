//! Which stored server a host is, and whether its connection may be trusted.
//!
//! What `/systeminfo` says (MachineName, machine-id) is a claim, not a proof: anything on the
//! network can answer with another server's identity. A claim links an address to a known
//! server only when the connection proves it (the certificate, or issuing authority, that
//! server is pinned to); otherwise the address stays, or becomes, a server of its own.
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
    /// A known server whose identity this host claimed without proof, when the host was
    /// recorded as a new server for it: the user is told once.
    pub unproven_claim_of: Option<ServerRow>,
    /// Whether the reported machine-id may be recorded for `server` (not while another server
    /// holds it: that would make the two indistinguishable).
    pub record_machine_id: bool,
}

/// Finds or creates the server record for what the server said it is, over a connection that
/// showed certificate `cert` (its fingerprint as pinned: the leaf's, or the issuing
/// authority's). The same machine reached by two names is one server when the certificate
/// proves it. A known address whose machine-id changed but whose MachineName did not keeps its
/// record, history and keychain entry: from Duplicati 2.3.0.107 the machine-id comes from
/// `machineid.txt` instead of the install id (Library/Main/Options.cs), so an upgrade changes it.
pub(super) fn identify(
    s: &mut Store,
    spec: &HostSpec,
    known: Option<ServerRow>,
    machine_id: Option<&str>,
    name: &str,
    cert: Option<&str>,
) -> Result<Identified> {
    let claimed = match machine_id {
        Some(mid) => s.server_by_identity(mid, name)?,
        None => None,
    };
    // The address's own record, while the machine behind it is the same one: no identity yet,
    // the same one, or a new machine-id under the same MachineName (an upgrade).
    let own = known.filter(|k| k.machine_id.is_none() || k.machine_id.as_deref() == machine_id || (k.name == name && machine_id.is_some()));
    let identified = match (claimed, own) {
        (Some(c), Some(k)) if c.id == k.id => Identified::same(c),
        (Some(c), _) if proves(&c, cert) => Identified::same(c),
        // Claimed without proof: the address keeps its own record, or gets a new one.
        (Some(_), Some(k)) => Identified { record_machine_id: false, ..Identified::same(k) },
        (Some(c), None) => Identified {
            server: s.insert_server(&NewServer { name, host: &spec.host, port: spec.port, machine_id: None })?,
            machine_id_changed_from: None,
            unproven_claim_of: Some(c),
            record_machine_id: false,
        },
        (None, Some(k)) => {
            let changed_from = k.machine_id.clone().filter(|old| Some(old.as_str()) != machine_id);
            Identified { machine_id_changed_from: changed_from, ..Identified::same(k) }
        }
        (None, None) => Identified::same(s.insert_server(&NewServer { name, host: &spec.host, port: spec.port, machine_id })?),
    };
    s.add_address(identified.server.id, &spec.host, spec.port)?;
    Ok(identified)
}

/// Whether a connection that showed `cert` is to `server`: it is pinned to that very
/// certificate or authority. Plain HTTP proves nothing.
fn proves(server: &ServerRow, cert: Option<&str>) -> bool {
    matches!((server.cert_sha256.as_deref(), cert), (Some(pinned), Some(seen)) if pinned == seen)
}

impl Identified {
    fn same(server: ServerRow) -> Identified {
        Identified { server, machine_id_changed_from: None, unproven_claim_of: None, record_machine_id: true }
    }
}

/// A self-signed certificate must match the pin, and HTTPS is never downgraded, whichever
/// name the server was reached by.
pub(super) fn check_security(server: &ServerRow, protocol: Protocol, cert: Option<&str>, opts: &ConnectOptions, label: &str) -> Result<()> {
    if protocol == Protocol::Http && server.protocol.is_some_and(Protocol::is_tls) {
        return Err(Error::new(
            ErrorCode::TlsError,
            format!("{label} answered over plain HTTP, but this server used HTTPS before."),
            "Duplidesk never downgrades a server from HTTPS. Connect by the name that speaks HTTPS, or remove the server and add it again.",
        ));
    }
    if protocol == Protocol::HttpsSelfSigned {
        if let (Some(pinned), Some(seen)) = (server.cert_sha256.as_deref(), cert) {
            // The pin, or (re-trust) exactly the fingerprint the user accepted.
            if pinned != seen && opts.accept_fingerprint.as_deref() != Some(seen) {
                return Err(crate::net::certificate_changed(label, pinned, seen));
            }
        }
    }
    Ok(())
}
