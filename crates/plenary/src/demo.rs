//! `plenary demo`: the reference meeting on an embedded SQLite file, with
//! an access code for every role printed as a link. The codes are derived
//! from a secret kept in the data directory, so they stay the same from
//! one run to the next; only their hashes are stored.

use std::path::Path;

use plenary_core::Role;
use plenary_core::definition::load_str;
use plenary_server::config::ServerConfig;
use plenary_server::{Service, access, clock};
use plenary_store::{NewAccessCode, Store};

use crate::cli::{DemoArgs, Failure, connect, load_meeting, run_until_signal};

const REFERENCE: &str = include_str!("../../../config/meetings/san-pedro-sula-2017.toml");

fn secret(dir: &Path) -> Result<Vec<u8>, Failure> {
    let path = dir.join("demo-secret");
    if let Ok(s) = std::fs::read_to_string(&path)
        && s.trim().len() >= 32
    {
        return Ok(s.trim().as_bytes().to_vec());
    }
    let fresh = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    std::fs::write(&path, &fresh).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(fresh.into_bytes())
}

/// Every role that gets a code, with a label for people.
fn roles(definition: &plenary_core::MeetingDefinition) -> Vec<(Role, String)> {
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

async fn ensure_code(
    store: &Store,
    meeting: &plenary_core::ids::MeetingId,
    role: &Role,
    code: &str,
    label: &str,
) -> Result<(), Failure> {
    let hash = access::hash(code);
    if store.find_access_code(&hash).await?.is_none() {
        store
            .insert_access_code(&NewAccessCode {
                meeting: meeting.clone(),
                role: role.clone(),
                label: format!("demo: {label}"),
                hash,
                created_at: clock::now(),
            })
            .await?;
    }
    Ok(())
}

/// The demo replays the 2017 schedule from now: every planned start moves
/// by the same amount so the first item is planned for the next quarter
/// hour (drift then reads "on time" or "5 min late", not "9 years late").
/// Only a new meeting takes it; a continued one keeps its stored plan.
fn rebase_schedule(definition: &mut plenary_core::MeetingDefinition, now: plenary_core::Timestamp) {
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
    let url = format!("sqlite://{}", db.display());
    let store = connect(&url).await?;
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
    let base = format!("http://{addr}");

    let mut lines = Vec::new();
    for (role, label) in roles(&hub.definition) {
        let code = access::derive(&secret, meeting.as_str(), &role);
        ensure_code(&store, &meeting, &role, &code, &label).await?;
        lines.push((access::role_key(&role), label, code));
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
    println!("\npublic view (no code): {base}/#public={meeting}");
    println!(
        "websocket: ws://{addr}/ws   REST: {base}/api/v1/meetings/{meeting}   OpenAPI: {base}/api/v1/openapi.json"
    );
    println!("health: {base}/healthz   metrics: {base}/metrics\n");
    println!("Stop with Ctrl-C; run again to continue the same meeting.");
    run_until_signal(service, listener).await
}
