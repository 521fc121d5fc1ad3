//! The command line: one subcommand per job, typed arguments, and errors
//! that say what to fix.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use plenary_core::definition::load_str;
use plenary_core::i18n::Lang;
use plenary_core::ids::MeetingId;
use plenary_core::roles::CodeManager;
use plenary_core::{MeetingDefinition, Role};
use plenary_server::access::{AccessCodes, AccessError};
use plenary_server::config::{LogFormat, ServerConfig};
use plenary_server::{Service, clock, export};
use plenary_store::{Store, StoreOptions};

#[derive(Debug, Parser)]
#[command(
    name = "plenary",
    version,
    about = "Runs the floor of an intergovernmental conference: speakers lists, timers, interpretation and the screens of the hall.",
    after_help = "Exit codes: 0 success, 1 the service or its database failed, 2 wrong input (usage, meeting file, role, configuration)."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Commands,
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, global = true, env = "PLENARY_LOG_JSON")]
    pub(crate) log_json: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Commands {
    /// Runs the demo plenary: the San Pedro Sula conference on an embedded
    /// SQLite file, and prints the address and access code of every role.
    /// Running it again continues the same meeting.
    Demo(DemoArgs),
    /// Runs the service with a configuration file (every key documented in
    /// config/plenary.toml), overridable by PLENARY_* variables.
    Serve {
        #[arg(long, short, default_value = "config/plenary.toml")]
        config: PathBuf,
    },
    /// Creates or upgrades the database schema, then exits.
    Migrate(StoreArgs),
    /// Validates meeting files; errors name the file, line and field.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Issues, lists or revokes access codes, as the operator (who manages
    /// the codes of every role).
    Access {
        #[command(subcommand)]
        action: AccessAction,
    },
    /// Exports a meeting's minutes: the running order planned against
    /// actual, speaking time by delegation, category and language,
    /// overruns, points of order and rights of reply, interpretation by
    /// channel and the speaking log. `html` is one self-contained file to
    /// print on A4 and sign, with charts; html, csv and md are written in a
    /// meeting language and its time zone; json is UTC and codes.
    Export {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        meeting: String,
        #[arg(long, value_enum, default_value = "md")]
        format: ExportFormat,
        /// One of the meeting's languages. Without it, --out writes one
        /// file per meeting language (minutes.html → minutes.es.html,
        /// minutes.en.html) and standard output gets the main language.
        #[arg(long)]
        lang: Option<String>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "PLENARY_LISTEN")]
    pub(crate) listen: std::net::SocketAddr,
    /// Where the SQLite file and the demo secret live.
    #[arg(long, default_value = "data")]
    pub(crate) data_dir: PathBuf,
    /// Starts the meeting over: deletes the demo database first.
    #[arg(long)]
    pub(crate) fresh: bool,
    /// The meeting to run.
    #[arg(long, default_value = "config/meetings/san-pedro-sula-2017.toml")]
    pub(crate) meeting: PathBuf,
    /// Serves HTTPS with a local CA kept in DATA_DIR/tls (made the first
    /// time) and a certificate for this machine's addresses (reissued when
    /// they change); prints the CA to install on the hall's devices.
    #[arg(long)]
    pub(crate) tls: bool,
}

/// Where the database is: a configuration file or a URL.
#[derive(Debug, Args)]
pub(crate) struct StoreArgs {
    /// Configuration file whose database_url to use.
    #[arg(long, short)]
    pub(crate) config: Option<PathBuf>,
    /// Database URL (sqlite://PATH or postgres://…); wins over --config.
    #[arg(long, env = "PLENARY_DATABASE_URL")]
    pub(crate) database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AccessAction {
    /// Issues a code; it is printed once and only its hash is stored.
    Issue {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        meeting: String,
        /// chair, secretariat, technician, delegation:<id>,
        /// interpreter:<booth> or screen:<id>.
        #[arg(long)]
        role: String,
        /// For people: "Honduras, desk 2".
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Lists a meeting's codes (never the codes themselves).
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        meeting: String,
    },
    /// Revokes a code by its id, of any role: the command line acts as the
    /// operator, who alone may revoke the chair's last code. A running
    /// service closes the connections that used it.
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        meeting: String,
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ExportFormat {
    Html,
    Csv,
    Json,
    Md,
}

/// Why a command failed, deciding the exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Wrong input: exit 2.
    Input(String),
    /// The service or the database failed: exit 1.
    Runtime(String),
}

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure::Runtime(e.to_string())
    }
}

pub(crate) fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub(crate) async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Commands::Demo(args) => {
            init_logging(cli.log_json);
            crate::demo::run(args).await
        }
        Commands::Serve { config } => {
            let config = ServerConfig::load(Some(&config), std::env::vars())
                .map_err(|e| Failure::Input(format!("error: {e}")))?;
            init_logging(cli.log_json || config.log_format == LogFormat::Json);
            serve(config).await
        }
        Commands::Migrate(store) => {
            let store = open_store(&store).await?;
            println!("database {} is up to date", store.backend().as_str());
            Ok(())
        }
        Commands::Check { files } => check(&files),
        Commands::Access { action } => access_command(action).await,
        Commands::Export {
            store,
            meeting,
            format,
            lang,
            out,
        } => {
            let store = open_store(&store).await?;
            let id = MeetingId::new(meeting.clone());
            let Some(state) = plenary_server::hub::load(&store, &id).await? else {
                return Err(Failure::Input(format!(
                    "error: there is no meeting `{meeting}` in this database"
                )));
            };
            let format = match format {
                ExportFormat::Html => export::Format::Html,
                ExportFormat::Csv => export::Format::Csv,
                ExportFormat::Json => export::Format::Json,
                ExportFormat::Md => export::Format::Markdown,
            };
            export_minutes(&state, format, lang.as_deref(), out.as_deref())
        }
    }
}

/// Writes the minutes: to `out` (one file per meeting language when no
/// language is asked for and the format is written in one), else to
/// standard output.
fn export_minutes(
    state: &plenary_core::Meeting,
    format: export::Format,
    lang: Option<&str>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let now = clock::now();
    let languages = &state.definition.languages;
    let chosen = match lang {
        Some(tag) => vec![export::language(state, Some(tag)).ok_or_else(|| {
            let known: Vec<&str> = languages.iter().map(|l| l.as_str()).collect();
            Failure::Input(format!(
                "error: `{tag}` is not a language of this meeting (it has {})",
                known.join(", ")
            ))
        })?],
        None => match export::language(state, None) {
            Some(main) if out.is_none() || !format.is_localised() || languages.len() < 2 => {
                vec![main]
            }
            _ => languages.clone(),
        },
    };
    let Some(path) = out else {
        let lang = chosen.first().cloned().unwrap_or_else(Lang::english);
        let text = export::render_in(state, format, &lang, now);
        std::io::stdout().write_all(text.as_bytes())?;
        return Ok(());
    };
    for lang in &chosen {
        let file = if chosen.len() > 1 {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
            let name = format!(
                "{}.{lang}.{}",
                stem.unwrap_or_else(|| "minutes".to_owned()),
                format.extension()
            );
            path.with_file_name(name)
        } else {
            path.to_path_buf()
        };
        let text = export::render_in(state, format, lang, now);
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        tracing::info!(file = %file.display(), %lang, "minutes written");
    }
    Ok(())
}

/// Reads and validates a meeting file.
pub(crate) fn load_meeting(path: &Path) -> Result<MeetingDefinition, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Input(format!("error: cannot read {}: {e}", path.display())))?;
    load_str(&path.display().to_string(), &text).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(|e| format!("error: {e}")).collect();
        Failure::Input(lines.join("\n"))
    })
}

fn check(files: &[PathBuf]) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for file in files {
        match load_meeting(file) {
            Ok(d) => println!(
                "{}: ok — meeting `{}`, {} delegations, {} agenda items, {} booths, {} screens, times in {}",
                file.display(),
                d.id,
                d.delegations.len(),
                d.agenda.len(),
                d.booths.len(),
                d.screens.len(),
                d.time_zone
            ),
            Err(Failure::Input(m) | Failure::Runtime(m)) => failed.push(m),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Failure::Input(failed.join("\n")))
    }
}

pub(crate) async fn open_store(args: &StoreArgs) -> Result<Store, Failure> {
    let url = match (&args.database_url, &args.config) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => {
            ServerConfig::load(Some(path), std::env::vars())
                .map_err(|e| Failure::Input(format!("error: {e}")))?
                .database_url
        }
        (None, None) => ServerConfig::default().database_url,
    };
    connect(&url, StoreOptions::default()).await
}

/// The node lock of a SQLite database (one node per file), held while the
/// node runs.
pub(crate) fn node_lock(
    database_url: &str,
    listen: std::net::SocketAddr,
) -> Result<Option<plenary_server::node_lock::NodeLock>, Failure> {
    use plenary_server::node_lock;
    create_sqlite_folder(database_url)?;
    let who = node_lock::describe_this_node(listen, std::time::SystemTime::now());
    Ok(node_lock::acquire(database_url, &who)?)
}

/// Creates the folder of a SQLite database's file (nothing for PostgreSQL).
fn create_sqlite_folder(database_url: &str) -> Result<(), Failure> {
    if let Some(dir) = plenary_server::node_lock::sqlite_file(database_url)
        .and_then(Path::parent)
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    Ok(())
}

/// How the service's store is opened, from its configuration.
pub(crate) fn store_options(config: &ServerConfig) -> StoreOptions {
    StoreOptions {
        timeout: config.database_timeout,
        sqlite_max_size_mb: config.sqlite_max_size_mb,
    }
}

/// Opens and migrates a database, creating the directory of a SQLite file.
pub(crate) async fn connect(url: &str, options: StoreOptions) -> Result<Store, Failure> {
    create_sqlite_folder(url)?;
    let store = Store::connect_with(url, options).await?;
    store.migrate().await?;
    Ok(store)
}

async fn serve(config: ServerConfig) -> Result<(), Failure> {
    // A certificate that cannot be used stops the start, before anything.
    let tls =
        plenary_server::tls::from_config(&config).map_err(|e| Failure::Input(e.to_string()))?;
    let _node = node_lock(&config.database_url, config.listen)?;
    let store = connect(&config.database_url, store_options(&config)).await?;
    let definitions = config
        .meetings
        .iter()
        .map(|p| load_meeting(p))
        .collect::<Result<Vec<_>, _>>()?;
    let listen = config.listen;
    let service = Service::new(config, store);
    for d in definitions {
        let id = d.id.clone();
        service.open_meeting(d).await?;
        tracing::info!(meeting = %id, "meeting open");
    }
    service.open_stored_meetings().await?;
    let listener = Service::bind(listen).await?;
    tracing::info!(%listen, https = tls.is_some(), "listening");
    run_until_signal(service, listener, tls).await
}

/// Serves until SIGINT or SIGTERM, then shuts down gracefully.
pub(crate) async fn run_until_signal(
    service: Service,
    listener: tokio::net::TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> Result<(), Failure> {
    let stopper = service.clone();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        stopper.shutdown();
    });
    service.serve_with(listener, tls).await?;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `plenary access`: the access-code service acting as the operator, who
/// may do anything with codes (even revoke the chair's last one).
async fn access_command(action: AccessAction) -> Result<(), Failure> {
    match action {
        AccessAction::Issue {
            store,
            meeting,
            role,
            label,
        } => {
            let role: Role = role
                .parse()
                .map_err(|e| Failure::Input(format!("error: {e}")))?;
            let store = open_store(&store).await?;
            let id = MeetingId::new(meeting.clone());
            let Some(state) = plenary_server::hub::load(&store, &id).await? else {
                return Err(Failure::Input(format!(
                    "error: there is no meeting `{meeting}` in this database"
                )));
            };
            let issued = AccessCodes::new(&store)
                .issue(&state.definition, CodeManager::Operator, role, label)
                .await
                .map_err(|e| access_failure(e, &meeting))?;
            println!("{}", issued.code);
            eprintln!(
                "issued {} for {} (id {}); the code is shown only now",
                issued.record.role, meeting, issued.record.id
            );
            Ok(())
        }
        AccessAction::List { store, meeting } => {
            let store = open_store(&store).await?;
            let codes = AccessCodes::new(&store)
                .list(&MeetingId::new(meeting.clone()), CodeManager::Operator)
                .await
                .map_err(|e| access_failure(e, &meeting))?;
            println!("{:<38} {:<28} {:<10} label", "id", "role", "status");
            for c in codes {
                let status = if c.revoked_at.is_some() {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<38} {:<28} {:<10} {}",
                    c.id,
                    c.role.to_string(),
                    status,
                    c.label
                );
            }
            Ok(())
        }
        AccessAction::Revoke { store, meeting, id } => {
            let store = open_store(&store).await?;
            let record = AccessCodes::new(&store)
                .revoke(&MeetingId::new(meeting.clone()), CodeManager::Operator, &id)
                .await
                .map_err(|e| access_failure(e, &meeting))?;
            println!("revoked {id}");
            eprintln!("revoked the {} code {id} of {meeting}", record.role);
            Ok(())
        }
    }
}

/// A refusal of the access-code service: the operator's input was wrong
/// (exit 2), or the database failed (exit 1).
fn access_failure(e: AccessError, meeting: &str) -> Failure {
    match e {
        AccessError::Refused(e) => Failure::Input(format!("error: {e}")),
        AccessError::UnknownRole(e) => Failure::Input(format!("error: meeting `{meeting}`: {e}")),
        AccessError::UnknownCode(id) => Failure::Input(format!(
            "error: meeting `{meeting}` has no active code with id {id}"
        )),
        AccessError::Store(e) => Failure::Runtime(e.to_string()),
    }
}
