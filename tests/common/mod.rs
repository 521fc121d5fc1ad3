//! A real plenary service for tests: a fresh database per test (a SQLite
//! file, or a new PostgreSQL database when `PLENARY_TEST_DATABASE_URL` is
//! set), the reference meeting, an access code for every role, and the
//! router on port 0.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;

use plenary_client::{Client, Hello};
use plenary_core::definition::load_str;
use plenary_core::{MeetingDefinition, Role};
use plenary_server::clock::Clock;
use plenary_server::config::ServerConfig;
use plenary_server::{Service, access, clock};
use plenary_store::{NewAccessCode, Store};
use sqlx::Connection;

pub const REFERENCE: &str = include_str!("../../config/meetings/san-pedro-sula-2017.toml");
pub const MEETING: &str = "san-pedro-sula-2017";

pub fn reference() -> MeetingDefinition {
    load_str("san-pedro-sula-2017.toml", REFERENCE).expect("reference loads")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates a SQLite and a PostgreSQL test from one `async fn(Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Backend::Sqlite).await }
            )*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::Backend::Postgres).await }
            )*
        }
    };
}

/// A fresh database: the URL, and what to clean up.
#[derive(Debug)]
pub struct Database {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl Database {
    /// `None` for PostgreSQL when no server is configured.
    pub async fn fresh(backend: Backend) -> Option<Database> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("plenary.db").display());
                Some(Database {
                    url,
                    _dir: Some(dir),
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var("PLENARY_TEST_DATABASE_URL") else {
                    eprintln!("skipped: PLENARY_TEST_DATABASE_URL not set");
                    return None;
                };
                let name = format!("plenary_e2e_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("admin connection");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                let url = format!("{base}/{name}");
                Some(Database {
                    url,
                    _dir: None,
                    postgres: Some((admin, name)),
                })
            }
        }
    }

    pub async fn drop_database(&self) {
        if let Some((admin, name)) = &self.postgres
            && let Ok(mut conn) = sqlx::PgConnection::connect(admin).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
        }
    }
}

#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub service: Service,
    pub store: Store,
    /// Access code by role key (`chair`, `delegation:hn`, `screen:hall-left`…).
    pub codes: BTreeMap<String, String>,
    pub database: Database,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Every role that gets a code.
pub fn all_roles(definition: &MeetingDefinition) -> Vec<Role> {
    let mut roles = vec![Role::Chair, Role::Secretariat, Role::Technician];
    roles.extend(definition.delegations.iter().map(|d| Role::Delegation {
        delegation: d.id.clone(),
    }));
    roles.extend(definition.booths.iter().map(|b| Role::Interpreter {
        booth: b.id.clone(),
    }));
    roles.extend(definition.screens.iter().map(|s| Role::Screen {
        screen: s.id.clone(),
    }));
    roles
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, reference(), |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        definition: MeetingDefinition,
        configure: impl FnOnce(&mut ServerConfig),
    ) -> Option<TestApp> {
        Self::spawn_on_clock(backend, definition, configure, Clock::System).await
    }

    /// A service whose meetings run on `clock` (a manual one moves only
    /// when the test says: countdowns on virtual time).
    pub async fn spawn_on_clock(
        backend: Backend,
        definition: MeetingDefinition,
        configure: impl FnOnce(&mut ServerConfig),
        clock: Clock,
    ) -> Option<TestApp> {
        let database = Database::fresh(backend).await?;
        let store = Store::connect(&database.url).await.expect("store opens");
        store.migrate().await.expect("migrations run");
        let mut config = ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database.url.clone(),
            ..ServerConfig::default()
        };
        configure(&mut config);
        Some(Self::start(config, store, definition, database, clock).await)
    }

    async fn start(
        config: ServerConfig,
        store: Store,
        definition: MeetingDefinition,
        database: Database,
        clock: Clock,
    ) -> TestApp {
        let service = Service::with_clock(config.clone(), store.clone(), clock);
        service
            .open_meeting(definition.clone())
            .await
            .expect("meeting opens");
        let mut codes = BTreeMap::new();
        for role in all_roles(&definition) {
            let code = access::generate();
            store
                .insert_access_code(&NewAccessCode {
                    meeting: definition.id.clone(),
                    role: role.clone(),
                    label: "test".to_owned(),
                    hash: access::hash(&code),
                    created_at: clock::now(),
                })
                .await
                .expect("code stored");
            codes.insert(role.to_string(), code);
        }
        let listener = Service::bind(config.listen).await.expect("binds");
        let addr = listener.local_addr().unwrap();
        let serving = tokio::spawn(service.clone().serve(listener));
        TestApp {
            addr,
            service,
            store,
            codes,
            database,
            serving,
        }
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn code(&self, role_key: &str) -> String {
        self.codes
            .get(role_key)
            .cloned()
            .unwrap_or_else(|| panic!("no code for {role_key}"))
    }

    pub async fn connect(&self, role_key: &str) -> Client {
        Client::connect(&self.ws_url(), Hello::access_code(self.code(role_key)))
            .await
            .unwrap_or_else(|e| panic!("{role_key} connects: {e}"))
    }

    /// Graceful shutdown: returns once every connection and hub is done.
    pub async fn stop(self) -> Database {
        self.service.shutdown();
        self.serving
            .await
            .expect("serve task")
            .expect("serve returns cleanly");
        self.store.close().await;
        self.database
    }

    /// Stops, then starts a new service on the same database, as after a
    /// restart of the process. Codes stay valid: they are in the store.
    pub async fn restart(self) -> TestApp {
        let codes = self.codes.clone();
        let config = ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..self.service.state.config.clone()
        };
        let clock = self.service.state.clock.clone();
        let database = self.stop().await;
        let store = Store::connect(&database.url).await.expect("store reopens");
        let service = Service::with_clock(config.clone(), store.clone(), clock);
        service
            .open_stored_meetings()
            .await
            .expect("meetings reopen");
        let listener = Service::bind(config.listen).await.expect("binds");
        let addr = listener.local_addr().unwrap();
        let serving = tokio::spawn(service.clone().serve(listener));
        TestApp {
            addr,
            service,
            store,
            codes,
            database,
            serving,
        }
    }

    pub async fn finish(self) {
        let db = self.stop().await;
        db.drop_database().await;
    }
}
