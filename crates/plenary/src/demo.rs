//! `plenary demo`: the reference meeting on an embedded SQLite file, with
//! an access code for every role printed as a link. The codes are derived
//! from a secret kept in the data directory (readable by its owner only),
//! so they stay the same from one run to the next; only their hashes are
//! stored. A revoked demo code is replaced by the next code derived for
//! its role, printed marked.

use std::path::Path;

use plenary_core::definition::load_str;
use plenary_core::roles::CodeManager;
use plenary_core::{MeetingDefinition, Role};
use plenary_server::access::{self, AccessCodes};
use plenary_server::config::ServerConfig;
use plenary_server::{Service, clock};
use plenary_store::AccessCodeRecord;

use crate::cli::{DemoArgs, Failure, connect, load_meeting, run_until_signal};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");

fn secret(dir: &Path) -> Result<Vec<u8>, Failure> {
    let path = dir.join("demo-secret");
    if let Ok(s) = std::fs::read_to_string(&path)
        && s.trim().len() >= 32
    {
        // Written by an older plenary, or copied around: the secret gives
        // every demo code, so only its owner may read it.
        private(&path)?;
        return Ok(s.trim().as_bytes().to_vec());
    }
    let fresh = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let cannot = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(cannot)?;
    // The mode applies to a new file only: a short one left over is
    // tightened before the secret goes in.
    private(&path)?;
    std::io::Write::write_all(&mut file, fresh.as_bytes()).map_err(cannot)?;
    Ok(fresh.into_bytes())
}

/// Makes `path` readable and writable by its owner only (0600).
fn private(path: &Path) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("cannot restrict {}: {e}", path.display()))?;
            tracing::warn!(path = %path.display(), "the demo secret was readable by others: now 0600");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Every role that gets a code, with a label for people.
fn roles(definition: &MeetingDefinition) -> Vec<(Role, String)> {
    let en = plenary_core::i18n::Lang::english();
    let mut out = vec![
        (Role::Chair, "Chair".to_owned()),
        (Role::Secretariat, "Secretariat".to_owned()),
        (Role::Technician, "Technician".to_owned()),
    ];
    for d in &definition.delegations {
        out.push((
            Role::Delegation {
                delegation: d.id.clone(),
            },
            d.name.get(&en).unwrap_or_default().to_owned(),
        ));
    }
    for b in &definition.booths {
        out.push((
            Role::Interpreter {
                booth: b.id.clone(),
            },
            b.name.get(&en).unwrap_or_default().to_owned(),
        ));
    }
    for s in &definition.screens {
        out.push((
            Role::Screen {
                screen: s.id.clone(),
            },
            s.name.clone(),
        ));
    }
    out
}

/// Revoked demo codes a role may have before the demo gives up.
const MAX_REVOKED: u32 = 1000;

/// The demo code of `role`: the first code derived for it that was not
/// revoked, issued through the access-code service (as the operator) when
/// it is not stored yet. Also says whether an earlier code was revoked.
async fn demo_code(
    codes: &AccessCodes<'_>,
    stored: &[AccessCodeRecord],
    definition: &MeetingDefinition,
    secret: &[u8],
    role: &Role,
    label: &str,
) -> Result<(String, bool), Failure> {
    for n in 0..MAX_REVOKED {
        let code = access::derive_nth(secret, definition.id.as_str(), role, n);
        let hash = access::hash(&code);
        match stored.iter().find(|r| r.hash == hash) {
            Some(r) if r.revoked_at.is_none() => return Ok((code, n > 0)),
            // Revoked: the next derived code takes its place.
            Some(_) => {}
            None => {
                codes
                    .issue_code(
                        definition,
                        CodeManager::Operator,
                        role.clone(),
                        format!("demo: {label}"),
                        code.clone(),
                    )
                    .await
                    .map_err(|e| Failure::Runtime(e.to_string()))?;
                return Ok((code, n > 0));
            }
        }
    }
    Err(Failure::Runtime(format!(
        "the demo codes of {role} were revoked {MAX_REVOKED} times: run with --fresh"
    )))
}

/// The demo replays the 2017 schedule from now: every planned start moves
/// by the same amount so the first item is planned for the next quarter
/// hour (drift then reads "on time" or "5 min late", not "9 years late").
/// Only a new meeting takes it; a continued one keeps its stored plan.
fn rebase_schedule(definition: &mut MeetingDefinition, now: plenary_core::Timestamp) {
    const QUARTER: i64 = 15 * 60 * 1000;
    let Some(first) = definition.agenda.iter().find_map(|i| i.planned_start) else {
        return;
    };
    let start = plenary_core::Timestamp((now.0 / QUARTER + 1) * QUARTER);
    let shift = start - first;
    let items: Vec<_> = definition
        .agenda
        .iter()
        .cloned()
        .map(|mut item| {
            item.planned_start = item.planned_start.map(|t| t + shift);
            item
        })
        .collect();
    definition.agenda = items.into();
}

pub(crate) async fn run(args: DemoArgs) -> Result<(), Failure> {
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| format!("cannot create {}: {e}", args.data_dir.display()))?;
    let db = args.data_dir.join("demo.sqlite");
    let url = format!("sqlite://{}", db.display());
    // Before --fresh removes anything: never under a running node's feet.
    let _node = crate::cli::node_lock(&url, args.listen)?;
    if args.fresh {
        for suffix in ["", "-wal", "-shm"] {
            let p = args.data_dir.join(format!("demo.sqlite{suffix}"));
            if p.exists() {
                std::fs::remove_file(&p)
                    .map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
            }
        }
    }
    let mut definition = if args.meeting.exists() {
        load_meeting(&args.meeting)?
    } else {
        load_str("san-pedro-sula-2017.toml (built in)", REFERENCE).map_err(|e| {
            Failure::Input(
                e.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        })?
    };
    rebase_schedule(&mut definition, clock::now());
    let store = connect(&url, plenary_store::StoreOptions::default()).await?;
    let secret = secret(&args.data_dir)?;
    let config = ServerConfig {
        listen: args.listen,
        database_url: url,
        ..ServerConfig::default()
    };
    let service = Service::new(config, store.clone());
    let hub = service.open_meeting(definition).await?;
    let meeting = hub.meeting.clone();
    let listener = Service::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    let tls = if args.tls {
        Some(local_tls(&args.data_dir, addr)?)
    } else {
        None
    };
    let (scheme, ws) = if tls.is_some() {
        ("https", "wss")
    } else {
        ("http", "ws")
    };
    let base = format!("{scheme}://{addr}");

    let codes = AccessCodes::new(&store);
    let stored = store.list_access_codes(&meeting).await?;
    let mut lines = Vec::new();
    let mut replaced = false;
    for (role, label) in roles(&hub.definition) {
        let (code, replaces_revoked) =
            demo_code(&codes, &stored, &hub.definition, &secret, &role, &label).await?;
        replaced |= replaces_revoked;
        let key = if replaces_revoked {
            format!("{role} *")
        } else {
            role.to_string()
        };
        lines.push((key, label, code));
    }

    let title = hub
        .definition
        .title
        .get(&plenary_core::i18n::Lang::english())
        .unwrap_or_default();
    println!("\nplenary demo — {title}");
    println!(
        "database: {} (run with --fresh to start over)\n",
        db.display()
    );
    println!("Open a link, or open {base}/ and type the code.\n");
    println!("{:<30} {:<50} {:<20} link", "role", "who", "access code");
    for (key, label, code) in &lines {
        let who: String = label.chars().take(48).collect();
        println!("{key:<30} {who:<50} {code:<20} {base}/#code={code}");
    }
    if replaced {
        println!("\n* an earlier code of this role was revoked: this is its new code");
    }
    println!("\npublic view (no code): {base}/#public={meeting}");
    println!(
        "websocket: {ws}://{addr}/ws   REST: {base}/api/v1/meetings/{meeting}   OpenAPI: {base}/api/v1/openapi.json"
    );
    println!("health: {base}/healthz   metrics: {base}/metrics\n");
    println!("Stop with Ctrl-C; run again to continue the same meeting.");
    run_until_signal(service, listener, tls.map(|(acceptor, _)| acceptor)).await
}

/// The demo's HTTPS: the local CA and a certificate for the names and
/// addresses this machine is reached by (`localhost`, its host name, the
/// listening address or, listening on every address, its loopback and
/// outbound ones), printed with what to do with the CA.
fn local_tls(
    data_dir: &Path,
    addr: std::net::SocketAddr,
) -> Result<
    (
        tokio_rustls::TlsAcceptor,
        plenary_server::tls::LocalCertificates,
    ),
    Failure,
> {
    use chrono::Datelike;
    let mut names = vec!["localhost".to_owned()];
    if let Ok(host) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        let host = host.trim();
        if !host.is_empty() && host != "localhost" {
            names.push(host.to_owned());
        }
    }
    let mut ips = vec![addr.ip()];
    if addr.ip().is_unspecified() {
        ips = vec![std::net::IpAddr::from([127, 0, 0, 1])];
        // The address traffic would leave by; a UDP connect sends nothing.
        if let Ok(probe) = std::net::UdpSocket::bind("0.0.0.0:0")
            && probe.connect("192.0.2.1:9").is_ok()
            && let Ok(local) = probe.local_addr()
        {
            ips.push(local.ip());
        }
    }
    names.extend(ips.iter().map(ToString::to_string));
    names.dedup();
    let today = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).date_naive();
    let certificates = plenary_server::tls::local_certificates(
        &data_dir.join("tls"),
        &names,
        (
            today.year(),
            u8::try_from(today.month()).unwrap_or(1),
            u8::try_from(today.day()).unwrap_or(1),
        ),
    )?;
    let acceptor = plenary_server::tls::acceptor(&certificates.cert, &certificates.key)?;
    println!(
        "\nHTTPS with a local certificate authority: install {} on each device\nas a trusted authority (docs/deployment.md) and check its SHA-256:\nfingerprint {}\ncertificate for {}{}",
        certificates.ca_cert.display(),
        certificates.ca_fingerprint,
        certificates.names.join(", "),
        if certificates.issued {
            " (issued now)"
        } else {
            ""
        }
    );
    Ok((acceptor, certificates))
}
