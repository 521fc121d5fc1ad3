//! The chair as the fault scenarios drive it: each command pushes a
//! message with a text of its own to every screen, so that its event can
//! be recognised in the log; every answer goes into a [`Ledger`], which in
//! the end is checked against the store: no acknowledged event lost, none
//! applied twice, nothing applied that was answered `store_unavailable`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::{Duration, Instant};

use plenary_client::{Client, CommandReply, ConnectOptions, Hello};
use plenary_core::display::ScreenTarget;
use plenary_core::i18n::Texts;
use plenary_core::ids::MeetingId;
use plenary_core::{Command, Event};
use plenary_store::Store;

use super::server::{self, RECOVERY};

pub(crate) const STORE_UNAVAILABLE: &str = "store_unavailable";
pub(crate) const OUTCOME_UNKNOWN: &str = "outcome_unknown";

/// How one sending of a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Acked {
        seq: u64,
    },
    /// `store_unavailable`: nothing was applied.
    Unavailable {
        message: String,
    },
    /// `outcome_unknown`, no answer in time, or the connection dropped.
    Unknown {
        why: String,
    },
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Acked { seq } => write!(f, "acked with seq {seq}"),
            Outcome::Unavailable { message } => write!(f, "{STORE_UNAVAILABLE}: {message}"),
            Outcome::Unknown { why } => write!(f, "outcome unknown: {why}"),
        }
    }
}

/// An outcome and how long it took.
#[derive(Clone, Debug)]
pub(crate) struct Answered {
    pub(crate) outcome: Outcome,
    pub(crate) took: Duration,
}

impl fmt::Display for Answered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} after {:.1} s", self.outcome, self.took.as_secs_f64())
    }
}

/// Every command sent, and what is known of it.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// command id → message text, for every command ever sent.
    texts: BTreeMap<String, String>,
    /// Acked command ids and the seq of their ack.
    acked: BTreeMap<String, u64>,
    /// Ids that were only ever answered `store_unavailable`.
    unavailable: BTreeSet<String>,
    /// Ids with an unknown outcome and no ack since.
    unknown: BTreeSet<String>,
    /// Contradictions seen in the answers themselves.
    problems: Vec<String>,
}

impl Ledger {
    fn record(&mut self, id: &str, outcome: &Outcome) {
        let text = self.texts.get(id).cloned().unwrap_or_default();
        match outcome {
            Outcome::Acked { seq } => {
                if let Some(first) = self.acked.get(id)
                    && first != seq
                {
                    self.problems.push(format!(
                        "command `{text}` was acked with seq {first}, then a resend of the same command_id with seq {seq}"
                    ));
                }
                self.acked.entry(id.to_owned()).or_insert(*seq);
                self.unknown.remove(id);
                self.unavailable.remove(id);
            }
            Outcome::Unavailable { message } => {
                if let Some(seq) = self.acked.get(id) {
                    self.problems.push(format!(
                        "command `{text}` was acked with seq {seq}, then a resend of the same command_id was answered {STORE_UNAVAILABLE} ({message}): a resend must return the first answer"
                    ));
                } else if !self.unknown.contains(id) {
                    self.unavailable.insert(id.to_owned());
                }
            }
            Outcome::Unknown { .. } => {
                if !self.acked.contains_key(id) {
                    self.unavailable.remove(id);
                    self.unknown.insert(id.to_owned());
                }
            }
        }
    }

    /// Checks the store's log of the meeting against every answer: the
    /// acked seqs hold their command's event exactly once, the log is
    /// contiguous, nothing answered `store_unavailable` was applied. Panics
    /// with every problem found; returns a summary.
    pub(crate) async fn verify(&self, store_url: &str) -> String {
        let store = Store::connect(store_url)
            .await
            .unwrap_or_else(|e| panic!("cannot open the store to check the log: {e}"));
        let meeting = MeetingId::new(plenary_tests::MEETING);
        let events = store
            .load_events(&meeting, 0)
            .await
            .unwrap_or_else(|e| panic!("cannot read the log: {e}"));
        let mut problems = self.problems.clone();
        let mut by_seq = BTreeMap::new();
        let mut expected = 1;
        for e in &events {
            if e.seq < expected {
                problems.push(format!("seq {} appears twice in the log", e.seq));
            } else if e.seq > expected {
                problems.push(format!(
                    "the log jumps from seq {} to seq {}",
                    expected - 1,
                    e.seq
                ));
            }
            expected = e.seq + 1;
            by_seq.insert(e.seq, &e.event);
        }
        let mut applied: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        for e in &events {
            if let Event::MessagePushed { text, .. } = &e.event
                && let Some(t) = text.0.values().next()
            {
                applied.entry(t.as_str()).or_default().push(e.seq);
            }
        }
        let seqs_of = |text: &str| applied.get(text).cloned().unwrap_or_default();
        for (id, seq) in &self.acked {
            let text = &self.texts[id];
            match by_seq.get(seq) {
                None => problems.push(format!("acked seq {seq} (`{text}`) missing from the log")),
                Some(Event::MessagePushed { text: t, .. })
                    if t.0.values().next().map(String::as_str) == Some(text.as_str()) => {}
                Some(other) => problems.push(format!(
                    "acked seq {seq} should be `{text}` but the log has {}",
                    short(other)
                )),
            }
            // The hub keys results by role and command_id.
            let result = match store.command_result(&meeting, &format!("chair/{id}")).await {
                Ok(None) => store.command_result(&meeting, id).await,
                other => other,
            };
            match result {
                Ok(Some(r)) if r.last_seq == *seq => {}
                Ok(Some(r)) => problems.push(format!(
                    "`{text}` was acked with seq {seq} but its stored result says seq {}",
                    r.last_seq
                )),
                Ok(None) => problems.push(format!(
                    "`{text}` was acked with seq {seq} but the store has no result for its command_id (a resend would apply it again)"
                )),
                Err(e) => problems.push(format!("cannot read the result of `{text}`: {e}")),
            }
        }
        for text in self.texts.values() {
            let seqs = seqs_of(text);
            if seqs.len() > 1 {
                problems.push(format!(
                    "`{text}` applied {} times: seqs {seqs:?}",
                    seqs.len()
                ));
            }
        }
        for id in &self.unavailable {
            let text = &self.texts[id];
            let seqs = seqs_of(text);
            if !seqs.is_empty() {
                problems.push(format!(
                    "`{text}` was answered {STORE_UNAVAILABLE} (\"nothing was applied\") but is in the log at seq {seqs:?}"
                ));
            }
        }
        store.close().await;
        assert!(
            problems.is_empty(),
            "the log does not match the answers:\n  {}",
            problems.join("\n  ")
        );
        format!(
            "{} commands: {} acked, {} {STORE_UNAVAILABLE}, {} unknown; {} events in the log",
            self.texts.len(),
            self.acked.len(),
            self.unavailable.len(),
            self.unknown.len(),
            events.len()
        )
    }
}

/// An event, briefly, for failure messages.
fn short(event: &Event) -> String {
    match event {
        Event::MessagePushed { text, .. } => format!(
            "the message `{}`",
            text.0.values().next().cloned().unwrap_or_default()
        ),
        other => format!("a `{}` event", other.type_name()),
    }
}

/// The chair's console, reconnecting when its connection drops.
#[derive(Debug)]
pub(crate) struct Chair {
    url: String,
    code: String,
    client: Option<Client>,
    /// The service's HTTP port, to say what `/readyz` said when a command failed.
    port: u16,
    tag: String,
    padding: String,
    sent: u64,
    pub(crate) ledger: Ledger,
}

impl Chair {
    /// Connects to the service on `port`; `tag` starts every message text.
    pub(crate) async fn connect(port: u16, code: &str, tag: &str) -> Chair {
        let mut chair = Chair {
            url: format!("ws://127.0.0.1:{port}/ws"),
            code: code.to_owned(),
            client: None,
            port,
            tag: tag.to_owned(),
            padding: String::new(),
            sent: 0,
            ledger: Ledger::default(),
        };
        if let Err(e) = chair.client(Duration::from_secs(5)).await {
            panic!("the chair cannot connect: {e}");
        }
        chair
    }

    /// Makes every later message `bytes` longer.
    pub(crate) fn pad(&mut self, bytes: usize) {
        self.padding = "·".repeat(bytes / 2);
    }

    async fn client(&mut self, within: Duration) -> Result<&Client, String> {
        if self.client.is_none() {
            let options = ConnectOptions {
                connect_timeout: within,
                hello_timeout: within,
                reply_timeout: None,
                ..ConnectOptions::default()
            };
            let client = Client::connect_with(&self.url, Hello::access_code(&self.code), options)
                .await
                .map_err(|e| format!("the chair cannot connect: {e}"))?;
            self.client = Some(client);
        }
        self.client
            .as_ref()
            .ok_or_else(|| "no connection".to_owned())
    }

    /// A new command id and its message text.
    pub(crate) fn fresh(&mut self) -> String {
        self.sent += 1;
        let id = plenary_client::new_command_id();
        let text = format!("{} #{}{}", self.tag, self.sent, self.padding);
        self.ledger.texts.insert(id.clone(), text);
        id
    }

    /// The message text of command `id`.
    pub(crate) fn text(&self, id: &str) -> &str {
        self.ledger.texts.get(id).map_or("", String::as_str)
    }

    fn command(&self, id: &str) -> Command {
        Command::PushMessage {
            target: ScreenTarget::All,
            text: Texts::new().with("en", self.text(id)),
        }
    }

    /// Sends (or sends again) command `id`, waiting at most `within`.
    pub(crate) async fn send(&mut self, id: &str, within: Duration) -> Answered {
        let start = Instant::now();
        let command = self.command(id);
        let reply = match self.client(within).await {
            Err(why) => Err(why),
            Ok(client) => {
                match tokio::time::timeout(within, client.send_command(id, command)).await {
                    Err(_) => Err(format!("no answer within {:.1} s", within.as_secs_f64())),
                    Ok(Err(e)) => {
                        self.client = None;
                        Err(format!("connection failed: {e}"))
                    }
                    Ok(Ok(reply)) => Ok(reply),
                }
            }
        };
        let outcome = match reply {
            Err(why) => Outcome::Unknown { why },
            Ok(CommandReply::Acked { seq }) => Outcome::Acked { seq },
            Ok(CommandReply::Refused { code, message, .. }) => match code.as_str() {
                STORE_UNAVAILABLE => Outcome::Unavailable { message },
                OUTCOME_UNKNOWN => Outcome::Unknown {
                    why: format!("{OUTCOME_UNKNOWN}: {message}"),
                },
                _ => panic!(
                    "`{}` was refused with `{code}` ({message}): expected an ack, {STORE_UNAVAILABLE} or {OUTCOME_UNKNOWN}",
                    self.text(id)
                ),
            },
        };
        self.ledger.record(id, &outcome);
        Answered {
            outcome,
            took: start.elapsed(),
        }
    }

    /// A new command, sent once.
    pub(crate) async fn push(&mut self, within: Duration) -> (String, Answered) {
        let id = self.fresh();
        let answered = self.send(&id, within).await;
        (id, answered)
    }

    /// A new command that must be acked within `within`; its seq.
    pub(crate) async fn ack(&mut self, within: Duration, when: &str) -> u64 {
        let (id, answered) = self.push(within).await;
        match answered.outcome {
            Outcome::Acked { seq } => seq,
            _ => panic!(
                "{when}: `{}` was not acked: {answered}; /readyz says {}",
                self.text(&id),
                server::readyz(self.port).await
            ),
        }
    }

    /// Sends `id` again and again until it is acked or `deadline` passes.
    pub(crate) async fn until_acked(&mut self, id: &str, deadline: Instant) -> Result<u64, String> {
        let mut last = String::from("never sent");
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(last);
            }
            let answered = self.send(id, left).await;
            if let Outcome::Acked { seq } = answered.outcome {
                return Ok(seq);
            }
            last = answered.to_string();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// After a fault ended at `fault_end`: a new command must be acked
    /// within [`RECOVERY`] of it (sent again with the same command_id until
    /// it is), then the next one with the next seq. Returns how long after
    /// the end of the fault the first ack came.
    pub(crate) async fn recovers(&mut self, fault_end: Instant, what: &str) -> Duration {
        let id = self.fresh();
        let seq = match self.until_acked(&id, fault_end + RECOVERY).await {
            Ok(seq) => seq,
            Err(last) => panic!(
                "after {what}: the meeting took no command within {RECOVERY:?} of the fault's end; last answer: {last}; /readyz says {}",
                server::readyz(self.port).await
            ),
        };
        let took = fault_end.elapsed();
        let next = self
            .ack(
                Duration::from_secs(5),
                &format!("after {what}, the command after the first ack"),
            )
            .await;
        assert_eq!(
            next,
            seq + 1,
            "after {what}: a command acked with seq {seq}, the next one with seq {next} instead of {}",
            seq + 1
        );
        took
    }

    /// Sends every command whose outcome is still unknown again, with its
    /// command_id, until acked: after a fault each must get its answer.
    pub(crate) async fn resolve(&mut self, within: Duration, what: &str) {
        let deadline = Instant::now() + within;
        let ids: Vec<String> = self.ledger.unknown.iter().cloned().collect();
        for id in ids {
            if let Err(last) = self.until_acked(&id, deadline).await {
                panic!(
                    "after {what}: `{}`, whose outcome was unknown, was still not acked when sent again with the same command_id; last answer: {last}; /readyz says {}",
                    self.text(&id),
                    server::readyz(self.port).await
                );
            }
        }
    }

    /// Closes the connection.
    pub(crate) async fn close(&mut self) {
        if let Some(client) = self.client.take() {
            client.close().await;
        }
    }
}
