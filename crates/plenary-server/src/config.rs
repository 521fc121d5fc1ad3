//! The service configuration: typed, layered (defaults → TOML file →
//! `PLENARY_*` environment variables), validated at start-up with errors
//! that name the file, line and field (or the variable). Every key is
//! documented in `config/plenary.toml`.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// `sqlite://PATH` (created if missing) or `postgres://…`.
    pub database_url: String,
    /// Meeting definition files loaded at start (created in the store the
    /// first time, continued afterwards).
    pub meetings: Vec<PathBuf>,
    /// Origins allowed to open websockets besides the server's own host.
    pub allowed_origins: Vec<String>,
    /// The address people use to reach the service, for printed links.
    pub public_url: Option<String>,
    /// `human` or `json` logs.
    pub log_format: LogFormat,
    /// Frames queued per connection before a slow client is cut loose.
    pub outbound_queue: usize,
    /// Commands per second per connection, and the burst allowed.
    pub commands_per_second: u32,
    pub command_burst: u32,
    /// A snapshot of each meeting is stored every this many events.
    pub snapshot_every: u64,
    /// Events kept in memory per meeting for clients resuming.
    pub resume_window: usize,
    /// Time a new connection has to say hello.
    #[serde(with = "humantime_serde_compat")]
    pub hello_timeout: std::time::Duration,
    /// Most commands committed in one transaction (group commit).
    pub max_batch: usize,
    /// Lets `POST /api/v1/meetings` open meetings at run time; unset, it is
    /// refused. A secret: never logged.
    pub operator_token: Option<Secret>,
    /// Time a connection has to send a request's headers; an idle
    /// keep-alive connection, and a request body that stalls, are closed
    /// after it as well.
    #[serde(with = "humantime_serde_compat")]
    pub header_read_timeout: std::time::Duration,
    /// Open connections allowed from one address (IPv6: one /64); 0 = no cap.
    pub max_connections_per_address: u32,
    /// Whether the cap above covers loopback addresses too.
    pub limit_loopback: bool,
    /// A websocket write or flush that takes longer closes the connection.
    #[serde(with = "humantime_serde_compat")]
    pub write_timeout: std::time::Duration,
    /// Websocket keepalive ping; a client silent for two intervals is closed.
    #[serde(with = "humantime_serde_compat")]
    pub ping_interval: std::time::Duration,
    /// The longest one database statement or commit may take.
    #[serde(with = "humantime_serde_compat")]
    pub database_timeout: std::time::Duration,
    /// Caps the SQLite file (PRAGMA max_page_count), in MiB; 0 = no cap.
    /// Ignored for PostgreSQL.
    pub sqlite_max_size_mb: u64,
    /// HTTPS: the PEM certificate chain (the server's first) and its PEM
    /// private key; both or neither. Unset, `listen` speaks plain HTTP.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// With HTTPS, a plain-HTTP address whose every request is redirected
    /// (308) to the same path over HTTPS.
    pub http_redirect_listen: Option<SocketAddr>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (its last
    /// entry): behind them, throttles count the client's address, not the
    /// proxy's. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// This node's name in writer leases (PostgreSQL, several nodes);
    /// unset, one is made from the process id and a random suffix. Must
    /// differ between nodes.
    pub node_name: Option<String>,
    /// How long a meeting's writer lease lasts unless renewed: a dead
    /// writer is replaced within about this (PostgreSQL only).
    #[serde(with = "humantime_serde_compat")]
    pub lease_ttl: std::time::Duration,
    /// How often the writer renews its leases; well under `lease_ttl`.
    #[serde(with = "humantime_serde_compat")]
    pub lease_renew: std::time::Duration,
    /// OSC control surfaces (docs/integrations.md): each UDP port acts
    /// with one access code. None by default.
    pub osc_inputs: Vec<OscInput>,
    /// Where the state of a meeting is sent as OSC. None by default.
    pub osc_outputs: Vec<OscOutput>,
}

/// One OSC listen port and the access code its packets act with: the
/// source address of a UDP packet proves nothing, the port it reached does.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OscInput {
    /// A UDP address; loopback unless the risk is understood (OSC has no
    /// authentication: anyone who reaches the port acts as the code).
    pub listen: SocketAddr,
    /// An access code of the meeting, as issued. A secret: never logged.
    pub access_code: Secret,
}

/// A target that receives a meeting's state as OSC.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OscOutput {
    /// A UDP address, e.g. a vision mixer or Companion's feedback port.
    pub target: SocketAddr,
    pub meeting: plenary_core::ids::MeetingId,
    /// `plenary` (the documented addresses) or `companion` (Companion's
    /// own `/custom-variable/<name>/value` messages).
    #[serde(default)]
    pub format: OscFormat,
    /// With `format = "companion"`: the variables' names start with this.
    #[serde(default = "default_companion_prefix")]
    pub companion_prefix: String,
}

fn default_companion_prefix() -> String {
    "plenary_".to_owned()
}

/// What an OSC output sends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OscFormat {
    #[default]
    Plenary,
    Companion,
}

/// A secret from the configuration: `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Human,
    Json,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://data/plenary.db".to_owned(),
            meetings: Vec::new(),
            allowed_origins: Vec::new(),
            public_url: None,
            log_format: LogFormat::Human,
            outbound_queue: 1024,
            commands_per_second: 20,
            command_burst: 40,
            snapshot_every: 500,
            resume_window: 20_000,
            hello_timeout: std::time::Duration::from_secs(10),
            tls_cert: None,
            tls_key: None,
            http_redirect_listen: None,
            max_batch: 512,
            operator_token: None,
            header_read_timeout: std::time::Duration::from_secs(10),
            max_connections_per_address: 256,
            limit_loopback: false,
            write_timeout: std::time::Duration::from_secs(10),
            ping_interval: std::time::Duration::from_secs(20),
            database_timeout: std::time::Duration::from_secs(5),
            sqlite_max_size_mb: 0,
            trusted_proxies: Vec::new(),
            node_name: None,
            lease_ttl: std::time::Duration::from_secs(2),
            lease_renew: std::time::Duration::from_millis(500),
            osc_inputs: Vec::new(),
            osc_outputs: Vec::new(),
        }
    }
}

/// A configuration that cannot be used, located in its file or variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, or `environment` for a variable.
    pub source: String,
    pub line: Option<usize>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "{}:{}: {}: {}",
                self.source, line, self.field, self.message
            ),
            None => write!(f, "{}: {}: {}", self.source, self.field, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

impl ServerConfig {
    /// Defaults, then `file` (if given), then the environment.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<ServerConfig, ConfigError> {
        let mut config = match file {
            None => ServerConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
                    source: path.display().to_string(),
                    line: None,
                    field: String::new(),
                    message: format!("cannot read the file: {e}"),
                })?;
                Self::from_toml(&path.display().to_string(), &text)?
            }
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_toml(source: &str, text: &str) -> Result<ServerConfig, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let before = &text[..offset.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let line_text = text.lines().nth(line - 1).unwrap_or_default();
            let field = line_text
                .split_once('=')
                .map_or("", |(k, _)| k.trim())
                .to_owned();
            ConfigError {
                source: source.to_owned(),
                line: Some(line),
                field,
                message: e.message().trim().to_owned(),
            }
        })
    }

    fn apply_env(
        &mut self,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (key, value) in env {
            let Some(name) = key.strip_prefix("PLENARY_") else {
                continue;
            };
            let bad = |message: String| ConfigError {
                source: "environment".to_owned(),
                line: None,
                field: key.clone(),
                message,
            };
            let number = |v: &str| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|e| bad(format!("`{v}` is not a whole number: {e}")))
            };
            let duration = |v: &str| {
                humantime::parse_duration(v.trim())
                    .map_err(|e| bad(format!("`{v}` is not a duration such as 10s: {e}")))
            };
            match name {
                "LISTEN" => {
                    self.listen = value.parse().map_err(|e| {
                        bad(format!(
                            "`{value}` is not an address such as 127.0.0.1:8080: {e}"
                        ))
                    })?;
                }
                "DATABASE_URL" => self.database_url = value,
                "TLS_CERT" => self.tls_cert = Some(PathBuf::from(value)),
                "TLS_KEY" => self.tls_key = Some(PathBuf::from(value)),
                "HTTP_REDIRECT_LISTEN" => {
                    self.http_redirect_listen = Some(value.parse().map_err(|e| {
                        bad(format!(
                            "`{value}` is not an address such as 0.0.0.0:80: {e}"
                        ))
                    })?);
                }
                "MEETINGS" => {
                    self.meetings = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(PathBuf::from)
                        .collect();
                }
                "ALLOWED_ORIGINS" => {
                    self.allowed_origins = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                "PUBLIC_URL" => self.public_url = Some(value),
                "LOG_FORMAT" => {
                    self.log_format = match value.as_str() {
                        "human" => LogFormat::Human,
                        "json" => LogFormat::Json,
                        other => {
                            return Err(bad(format!(
                                "`{other}` is not a log format: use human or json"
                            )));
                        }
                    };
                }
                "OUTBOUND_QUEUE" => self.outbound_queue = number(&value)? as usize,
                "COMMANDS_PER_SECOND" => {
                    self.commands_per_second = u32::try_from(number(&value)?).unwrap_or(u32::MAX)
                }
                "COMMAND_BURST" => {
                    self.command_burst = u32::try_from(number(&value)?).unwrap_or(u32::MAX)
                }
                "SNAPSHOT_EVERY" => self.snapshot_every = number(&value)?,
                "RESUME_WINDOW" => self.resume_window = number(&value)? as usize,
                "MAX_BATCH" => self.max_batch = number(&value)? as usize,
                "OPERATOR_TOKEN" => {
                    self.operator_token = Some(value).filter(|v| !v.is_empty()).map(Secret)
                }
                "HELLO_TIMEOUT" => self.hello_timeout = duration(&value)?,
                "HEADER_READ_TIMEOUT" => self.header_read_timeout = duration(&value)?,
                "WRITE_TIMEOUT" => self.write_timeout = duration(&value)?,
                "PING_INTERVAL" => self.ping_interval = duration(&value)?,
                "DATABASE_TIMEOUT" => self.database_timeout = duration(&value)?,
                "MAX_CONNECTIONS_PER_ADDRESS" => {
                    self.max_connections_per_address =
                        u32::try_from(number(&value)?).unwrap_or(u32::MAX)
                }
                "LIMIT_LOOPBACK" => {
                    self.limit_loopback = match value.trim() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        other => {
                            return Err(bad(format!("`{other}` is not true or false")));
                        }
                    };
                }
                "SQLITE_MAX_SIZE_MB" => self.sqlite_max_size_mb = number(&value)?,
                "NODE_NAME" => self.node_name = Some(value).filter(|v| !v.is_empty()),
                "TRUSTED_PROXIES" => {
                    self.trusted_proxies = value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| {
                            s.parse()
                                .map_err(|_| bad(format!("`{s}` is not an IP address")))
                        })
                        .collect::<Result<_, _>>()?;
                }
                "LEASE_TTL" => self.lease_ttl = duration(&value)?,
                "LEASE_RENEW" => self.lease_renew = duration(&value)?,
                // Variables of other tools (tests, the CLI) share the prefix.
                _ => {}
            }
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |field: &str, message: &str| ConfigError {
            source: "configuration".to_owned(),
            line: None,
            field: field.to_owned(),
            message: message.to_owned(),
        };
        if !(self.database_url.starts_with("sqlite:")
            || self.database_url.starts_with("postgres:")
            || self.database_url.starts_with("postgresql:"))
        {
            return Err(bad(
                "database_url",
                "must start with sqlite:// or postgres://",
            ));
        }
        if self.outbound_queue < 16 {
            return Err(bad("outbound_queue", "must be at least 16 frames"));
        }
        if self.commands_per_second == 0 || self.command_burst == 0 {
            return Err(bad("commands_per_second", "must be above zero"));
        }
        if self.snapshot_every == 0 || self.max_batch == 0 {
            return Err(bad("snapshot_every", "must be above zero"));
        }
        for (field, value) in [
            ("hello_timeout", self.hello_timeout),
            ("header_read_timeout", self.header_read_timeout),
            ("write_timeout", self.write_timeout),
            ("ping_interval", self.ping_interval),
            ("database_timeout", self.database_timeout),
            ("lease_ttl", self.lease_ttl),
            ("lease_renew", self.lease_renew),
        ] {
            if value.is_zero() {
                return Err(bad(field, "must be above zero"));
            }
        }
        if self.lease_renew * 2 > self.lease_ttl {
            return Err(bad(
                "lease_renew",
                "must be at most half of lease_ttl, or a writer loses its lease to one late renewal",
            ));
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(_), None) => {
                return Err(bad("tls_key", "is needed with tls_cert (HTTPS needs both)"));
            }
            (None, Some(_)) => {
                return Err(bad("tls_cert", "is needed with tls_key (HTTPS needs both)"));
            }
            _ => {}
        }
        if self.http_redirect_listen.is_some() && self.tls_cert.is_none() {
            return Err(bad(
                "http_redirect_listen",
                "redirects to HTTPS: set tls_cert and tls_key as well",
            ));
        }
        if self.http_redirect_listen == Some(self.listen) {
            return Err(bad("http_redirect_listen", "must differ from listen"));
        }
        for (i, input) in self.osc_inputs.iter().enumerate() {
            if input.access_code.expose().trim().is_empty() {
                return Err(bad("osc_inputs.access_code", "must be an access code"));
            }
            // Port 0 picks a free port each time: tests do, so it may repeat.
            if input.listen.port() != 0
                && self.osc_inputs[..i]
                    .iter()
                    .any(|o| o.listen == input.listen)
            {
                return Err(bad(
                    "osc_inputs.listen",
                    &format!(
                        "{} is listed twice: one port, one access code",
                        input.listen
                    ),
                ));
            }
        }
        for output in &self.osc_outputs {
            if output.target.port() == 0 || output.target.ip().is_unspecified() {
                return Err(bad(
                    "osc_outputs.target",
                    &format!("{} is not an address to send to", output.target),
                ));
            }
        }
        Ok(())
    }
}

/// `"10s"`-style durations in the TOML file.
mod humantime_serde_compat {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<std::time::Duration, D::Error> {
        let s = String::deserialize(d)?;
        humantime::parse_duration(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_environment_override_the_defaults() {
        let mut c = ServerConfig::from_toml(
            "plenary.toml",
            "listen = \"0.0.0.0:9000\"\noutbound_queue = 64\n",
        )
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        c.apply_env([("PLENARY_OUTBOUND_QUEUE".to_owned(), "128".to_owned())])
            .unwrap();
        assert_eq!(c.outbound_queue, 128);
        assert_eq!(c.commands_per_second, 20);
    }

    #[test]
    fn an_unknown_key_names_the_file_line_and_field() {
        let e = ServerConfig::from_toml(
            "plenary.toml",
            "listen = \"127.0.0.1:1\"\nlisten_port = 3\n",
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(e.field, "listen_port");
        assert!(
            e.to_string().starts_with("plenary.toml:2: listen_port:"),
            "{e}"
        );
    }

    #[test]
    fn osc_ports_are_checked() {
        let e = ServerConfig::from_toml(
            "plenary.toml",
            "[[osc_inputs]]\nlisten = \"127.0.0.1:9000\"\naccess_code = \"A\"\nport = 3\n",
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(4), "port"));
        let twice = ServerConfig::from_toml(
            "plenary.toml",
            "[[osc_inputs]]\nlisten = \"127.0.0.1:9000\"\naccess_code = \"A\"\n\
             [[osc_inputs]]\nlisten = \"127.0.0.1:9000\"\naccess_code = \"B\"\n",
        )
        .unwrap();
        assert_eq!(twice.validate().unwrap_err().field, "osc_inputs.listen");
        let nowhere = ServerConfig::from_toml(
            "plenary.toml",
            "[[osc_outputs]]\ntarget = \"0.0.0.0:9001\"\nmeeting = \"m\"\n",
        )
        .unwrap();
        assert_eq!(nowhere.validate().unwrap_err().field, "osc_outputs.target");
    }

    #[test]
    fn a_bad_variable_is_named() {
        let mut c = ServerConfig::default();
        let e = c
            .apply_env([("PLENARY_LISTEN".to_owned(), "here".to_owned())])
            .unwrap_err();
        assert_eq!(e.field, "PLENARY_LISTEN");
    }

    #[test]
    fn limits_come_from_the_environment_and_zero_timeouts_are_refused() {
        let c = ServerConfig::load(
            None,
            [
                ("PLENARY_HEADER_READ_TIMEOUT", "2s"),
                ("PLENARY_MAX_CONNECTIONS_PER_ADDRESS", "8"),
                ("PLENARY_LIMIT_LOOPBACK", "true"),
                ("PLENARY_WRITE_TIMEOUT", "500ms"),
                ("PLENARY_PING_INTERVAL", "1m"),
                ("PLENARY_DATABASE_TIMEOUT", "3s"),
                ("PLENARY_SQLITE_MAX_SIZE_MB", "512"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        )
        .unwrap();
        assert_eq!(c.header_read_timeout, std::time::Duration::from_secs(2));
        assert_eq!(c.max_connections_per_address, 8);
        assert!(c.limit_loopback);
        assert_eq!(c.write_timeout, std::time::Duration::from_millis(500));
        assert_eq!(c.ping_interval, std::time::Duration::from_secs(60));
        assert_eq!(c.database_timeout, std::time::Duration::from_secs(3));
        assert_eq!(c.sqlite_max_size_mb, 512);

        let e = ServerConfig::load(
            None,
            [("PLENARY_LIMIT_LOOPBACK".to_owned(), "yes".to_owned())],
        )
        .unwrap_err();
        assert_eq!(e.field, "PLENARY_LIMIT_LOOPBACK");
        let e = ServerConfig::load(
            None,
            [("PLENARY_WRITE_TIMEOUT".to_owned(), "0s".to_owned())],
        )
        .unwrap_err();
        assert_eq!(e.field, "write_timeout");
        let e = ServerConfig::from_toml("plenary.toml", "ping_interval = \"soon\"\n").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(1), "ping_interval"));
    }
}

#[cfg(test)]
mod documented {
    use super::*;

    /// `config/plenary.toml` documents every key with its default value.
    #[test]
    fn the_documented_configuration_is_the_default() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/plenary.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = ServerConfig::from_toml(path, &text).unwrap();
        let expected = ServerConfig {
            meetings: vec![PathBuf::from("config/meetings/san-pedro-sula-2017.toml")],
            ..ServerConfig::default()
        };
        assert_eq!(parsed, expected);
        // Every field appears in the file.
        let value: toml::Table = toml::from_str(&text).unwrap();
        for key in [
            "listen",
            "database_url",
            "meetings",
            "allowed_origins",
            "log_format",
            "outbound_queue",
            "commands_per_second",
            "command_burst",
            "snapshot_every",
            "resume_window",
            "hello_timeout",
            "max_batch",
            "header_read_timeout",
            "max_connections_per_address",
            "limit_loopback",
            "write_timeout",
            "ping_interval",
            "database_timeout",
            "sqlite_max_size_mb",
            "lease_ttl",
            "lease_renew",
            "trusted_proxies",
        ] {
            assert!(value.contains_key(key), "{key} undocumented");
        }
        assert!(text.contains("public_url") && text.contains("operator_token"));
        assert!(text.contains("node_name"));
        for key in [
            "[[osc_inputs]]",
            "access_code",
            "[[osc_outputs]]",
            "target",
            "format",
        ] {
            assert!(text.contains(key), "{key} undocumented");
        }
    }

    /// The commented-out OSC example of the file, switched on, is valid.
    #[test]
    fn the_documented_osc_example_parses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/plenary.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let start = text.find("# [[osc_inputs]]").expect("the OSC example");
        let example: String = text[start..]
            .lines()
            .take_while(|l| l.starts_with('#'))
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with('[') || l.contains(" = "))
            .map(|l| format!("{l}\n"))
            .collect();
        let parsed = ServerConfig::from_toml(path, &example).unwrap();
        assert_eq!(parsed.osc_inputs.len(), 1, "{example}");
        assert!(parsed.osc_inputs[0].listen.ip().is_loopback());
        assert_eq!(parsed.osc_outputs.len(), 2, "{example}");
        assert_eq!(parsed.osc_outputs[1].format, OscFormat::Companion);
        assert!(!format!("{parsed:?}").contains(parsed.osc_inputs[0].access_code.expose()));
    }
}
