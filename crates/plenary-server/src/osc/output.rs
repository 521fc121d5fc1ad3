//! OSC out: a meeting's state, sent to a configured UDP target as plain
//! values (docs/integrations.md lists every address). The sender follows
//! the meeting like a technician console (its event stream), reads the
//! state after each change, and sends only the values that changed — and,
//! while a countdown runs, the remaining seconds each time they change.
//! Every value is sent again every [`FULL_EVERY`], so a receiver started
//! late (or a packet lost) catches up.
//!
//! [`Status`] is the pure part: what the state means as OSC values.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rosc::{OscMessage, OscPacket, OscType};
use tokio::net::UdpSocket;

use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{MeetingId, SpeechId};
use plenary_core::timer::{Phase, TimerRun};
use plenary_core::{Meeting, Millis, Timestamp};
use plenary_protocol::views::Audience;
use plenary_protocol::{ScreenPresence, ServerMessage};

use super::address::Out;
use crate::AppState;
use crate::config::{OscFormat, OscOutput};
use crate::hub::{Ended, Feed, HubHandle};
use crate::metrics as m;

/// Every value is sent again this often.
pub const FULL_EVERY: Duration = Duration::from_secs(10);
/// How often a meeting not open yet is looked for.
const MEETING_POLL: Duration = Duration::from_secs(1);

/// What the sender tells about a meeting at one instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Status {
    /// Every value, by path (after `/plenary/{meeting}/`).
    values: BTreeMap<String, OscType>,
    /// The order to send them in: the speaker's details before its id, so a
    /// receiver triggered by the id already has the name.
    order: Vec<String>,
    speech: Option<SpeechId>,
    /// Whether a countdown is running (the sender then wakes each second).
    running: bool,
}

impl Status {
    /// The state of `meeting` at `now`, with the screens' `presence`.
    pub fn of(meeting: &Meeting, now: Timestamp, presence: &[ScreenPresence]) -> Status {
        let mut s = Status::default();
        let definition = &meeting.definition;
        let languages = &definition.languages;
        let main = languages.first().cloned().unwrap_or_else(Lang::english);

        // The current item.
        let item = meeting.agenda.current.as_ref();
        let title = item
            .and_then(|id| definition.agenda.iter().find(|d| &d.id == id))
            .map(|d| d.title.clone())
            .unwrap_or_default();
        let number = item
            .and_then(|id| meeting.agenda.position(id))
            .map_or(0, |i| i as i64 + 1);
        s.push(Out::text(
            "item/id",
            item.map(ToString::to_string).unwrap_or_default(),
        ));
        s.push(Out::int("item/number", number));
        s.texts("item/title", &title, &main, languages);

        // The speaker.
        let speech = meeting.floor.current.as_ref();
        s.speech = speech.map(|sp| sp.id);
        let names = speech
            .map(|sp| definition.name_of(&sp.delegation))
            .unwrap_or_default();
        s.texts("speaker/name", &names, &main, languages);
        s.push(Out::text(
            "speaker/delegation",
            speech
                .map(|sp| sp.delegation.to_string())
                .unwrap_or_default(),
        ));
        s.push(Out::text(
            "speaker/kind",
            speech
                .map(|sp| match &sp.source {
                    plenary_core::floor::SpeechSource::Request { kind, .. } => {
                        kind.as_str().to_owned()
                    }
                    plenary_core::floor::SpeechSource::Presentation => "presentation".to_owned(),
                })
                .unwrap_or_default(),
        ));
        s.push(Out::text(
            "speaker/language",
            speech.map(|sp| sp.language.to_string()).unwrap_or_default(),
        ));
        s.push(Out::int("floor/speaking", i64::from(speech.is_some())));
        s.push(Out::int("floor/rev", meeting.floor.rev as i64));
        s.push(Out::int(
            "speaker/id",
            speech.map_or(0, |sp| sp.id.0 as i64),
        ));

        // Its countdown.
        let timer = speech.map(|sp| sp.timer);
        s.running = timer.is_some_and(|t| t.is_running());
        let remaining = timer.map(|t| t.remaining(now));
        let phase = timer.map(|t| t.phase(now));
        let (phase_name, phase_number) = match phase {
            None => ("none", 0),
            Some(Phase::Normal) => ("normal", 1),
            Some(Phase::Warning) => ("warning", 2),
            Some(Phase::Final) => ("final", 3),
            Some(Phase::Overtime) => ("overtime", 4),
        };
        let secs = remaining.map_or(0, whole_seconds);
        s.push(Out::text("timer/phase", phase_name));
        s.push(Out::int("timer/phase_number", phase_number));
        s.push(Out::int(
            "timer/running",
            i64::from(timer.is_some_and(|t| matches!(t.run, TimerRun::Running { .. }))),
        ));
        s.push(Out::int(
            "timer/paused",
            i64::from(timer.is_some_and(|t| t.is_paused())),
        ));
        s.push(Out::int(
            "timer/limit",
            timer.map_or(0, |t| whole_seconds(t.limit)),
        ));
        s.push(Out::int("timer/remaining", secs));
        s.push(Out::text(
            "timer/remaining_text",
            if timer.is_some() {
                clock_text(secs)
            } else {
                String::new()
            },
        ));

        // The screens.
        let mut all_blank = !meeting.displays.screens.is_empty();
        for (id, screen) in &meeting.displays.screens {
            let blank = screen.view == plenary_core::display::View::Blank;
            all_blank &= blank;
            let online = presence.iter().any(|p| &p.screen == id && p.online);
            s.push(Out::text(format!("screen/{id}/view"), screen.view.as_str()));
            s.push(Out::int(format!("screen/{id}/blank"), i64::from(blank)));
            s.push(Out::text(
                format!("screen/{id}/message"),
                screen
                    .message
                    .as_ref()
                    .and_then(|msg| msg.text.get(&main))
                    .unwrap_or_default(),
            ));
            s.push(Out::int(format!("screen/{id}/online"), i64::from(online)));
        }
        s.push(Out::int("screens/blank", i64::from(all_blank)));
        s
    }

    fn push(&mut self, out: Out) {
        self.order.push(out.path.clone());
        self.values.insert(out.path, out.value);
    }

    /// A text in the meeting's main language at `path`, and in each
    /// language at `path/{lang}`.
    fn texts(&mut self, path: &str, texts: &Texts, main: &Lang, languages: &[Lang]) {
        for lang in languages {
            let text = texts.get(lang).unwrap_or_default();
            self.push(Out::text(format!("{path}/{lang}"), text));
        }
        self.push(Out::text(path, texts.get(main).unwrap_or_default()));
    }

    /// Every value, in order.
    pub fn all(&self) -> Vec<Out> {
        self.order
            .iter()
            .filter_map(|path| {
                self.values.get(path).map(|value| Out {
                    path: path.clone(),
                    value: value.clone(),
                })
            })
            .collect()
    }

    /// What changed since `before` (everything when there is nothing
    /// before), with `speaker/ended` and `speaker/started` when the speech
    /// on the floor changed.
    pub fn changes(&self, before: Option<&Status>) -> Vec<Out> {
        let Some(before) = before else {
            let mut all = self.all();
            all.extend(
                self.speech
                    .map(|id| Out::int("speaker/started", id.0 as i64)),
            );
            return all;
        };
        let mut changed: Vec<Out> = self
            .all()
            .into_iter()
            .filter(|out| before.values.get(&out.path) != Some(&out.value))
            .collect();
        if before.speech != self.speech {
            if let Some(ended) = before.speech {
                changed.push(Out::int("speaker/ended", ended.0 as i64));
            }
            if let Some(started) = self.speech {
                changed.push(Out::int("speaker/started", started.0 as i64));
            }
        }
        changed
    }

    /// Whether a countdown runs: its seconds change on their own.
    pub fn counting(&self) -> bool {
        self.running
    }
}

/// Whole seconds as a countdown shows them: 59.3 s left reads 60, the
/// first 0.999 s of overtime read 0, then -1, -2…
pub fn whole_seconds(ms: Millis) -> i64 {
    let ms = ms.as_millis();
    -((-ms).div_euclid(1000))
}

/// When the seconds shown next change: after `ms` left drops to the
/// next whole second below.
fn until_next_second(ms: Millis) -> Duration {
    let step = ms.as_millis() - (whole_seconds(ms) - 1) * 1000;
    Duration::from_millis(u64::try_from(step.clamp(1, 1000)).unwrap_or(1000))
}

/// `m:ss`, with a minus sign in overtime.
pub fn clock_text(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let abs = secs.unsigned_abs();
    format!("{sign}{}:{:02}", abs / 60, abs % 60)
}

/// The messages that carry `outs` in `format`.
pub fn packets(outs: &[Out], meeting: &MeetingId, output: &OscOutput) -> Vec<OscPacket> {
    outs.iter()
        .map(|out| match output.format {
            OscFormat::Plenary => OscPacket::Message(OscMessage {
                addr: out.address(meeting),
                args: vec![out.value.clone()],
            }),
            OscFormat::Companion => OscPacket::Message(OscMessage {
                addr: format!(
                    "/custom-variable/{}/value",
                    out.companion_variable(&output.companion_prefix)
                ),
                args: vec![OscType::String(out.value_text())],
            }),
        })
        .collect()
}

/// One output's task.
pub(super) struct Sender {
    pub(super) state: Arc<AppState>,
    pub(super) output: OscOutput,
    pub(super) socket: UdpSocket,
}

impl Sender {
    pub(super) async fn run(self) {
        let shutdown = self.state.shutdown.clone();
        let mut announced = false;
        loop {
            let hub = loop {
                if let Some(hub) = self.state.find_meeting(&self.output.meeting).await {
                    break hub;
                }
                if !announced {
                    tracing::warn!(
                        meeting = %self.output.meeting,
                        target = %self.output.target,
                        "OSC output waits for a meeting that is not open"
                    );
                    announced = true;
                }
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(MEETING_POLL) => {}
                }
            };
            match self.follow(&hub).await {
                Followed::Resubscribe => continue,
                Followed::Stop => return,
            }
        }
    }

    /// Sends the meeting's state until the service stops (or the
    /// subscription is cut loose, when it subscribes again).
    async fn follow(&self, hub: &HubHandle) -> Followed {
        let shutdown = self.state.shutdown.clone();
        let Ok(joined) = hub
            .subscribe(Feed::Events(Audience::Technician), None, None)
            .await
        else {
            return Followed::Stop;
        };
        let mut frames = joined.subscription.frames;
        let mut presence: Vec<ScreenPresence> = Vec::new();
        for frame in &joined.catch_up {
            note_presence(frame.as_str(), &mut presence);
        }
        let Some(mut meeting) = self.read(hub).await else {
            return Followed::Stop;
        };
        let mut last: Option<Status> = None;
        let mut full = tokio::time::interval(FULL_EVERY);
        full.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let now = self.state.clock.now();
            let status = Status::of(&meeting, now, &presence);
            // The first tick of `full` is at once: everything goes first.
            let outs = status.changes(last.as_ref());
            self.send(&outs).await;
            let next_second = meeting
                .floor
                .current
                .as_ref()
                .filter(|_| status.counting())
                .map(|sp| until_next_second(sp.timer.remaining(now)));
            last = Some(status);
            let clock = self.state.clock.clone();
            let tick = async {
                match next_second {
                    Some(wait) => {
                        let at = now + Millis(i64::try_from(wait.as_millis()).unwrap_or(1000));
                        clock.sleep_until(at).await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = shutdown.cancelled() => return Followed::Stop,
                () = tick => {}
                _ = full.tick() => {
                    if let Some(l) = &last {
                        self.send(&l.all()).await;
                    }
                }
                frame = frames.recv() => {
                    let Some(frame) = frame else {
                        return match frames.ended() {
                            Ended::TooSlow => Followed::Resubscribe,
                            Ended::No | Ended::Revoked => Followed::Stop,
                        };
                    };
                    note_presence(frame.as_str(), &mut presence);
                    // Read once for everything already queued.
                    while let Some(frame) = frames.try_recv() {
                        note_presence(frame.as_str(), &mut presence);
                    }
                    match self.read(hub).await {
                        Some(m) => meeting = m,
                        None => return Followed::Stop,
                    }
                }
            }
        }
    }

    async fn read(&self, hub: &HubHandle) -> Option<Meeting> {
        hub.view(Audience::Technician).await.ok().map(|(m, _)| m)
    }

    async fn send(&self, outs: &[Out]) {
        let (mut sent, mut failed) = (0, 0);
        for packet in packets(outs, &self.output.meeting, &self.output) {
            let Ok(bytes) = rosc::encoder::encode(&packet) else {
                failed += 1;
                continue;
            };
            match self.socket.send_to(&bytes, self.output.target).await {
                Ok(_) => sent += 1,
                Err(e) => {
                    failed += 1;
                    tracing::debug!(target = %self.output.target, error = %e, "OSC not sent");
                }
            }
        }
        m::osc_sent(sent, failed);
    }
}

enum Followed {
    Resubscribe,
    Stop,
}

/// Keeps the screens' presence from a `presence` frame.
fn note_presence(frame: &str, presence: &mut Vec<ScreenPresence>) {
    if !frame.contains("\"presence\"") {
        return;
    }
    if let Ok(ServerMessage::Presence { screens }) = serde_json::from_str(frame) {
        *presence = screens;
    }
}

/// A socket to send to `target` from (any local port, the target's family).
pub(super) async fn socket_for(target: SocketAddr) -> std::io::Result<UdpSocket> {
    let local: SocketAddr = if target.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    UdpSocket::bind(local).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use plenary_core::definition::load_str;
    use plenary_core::ids::ScreenId;
    use plenary_core::{Command, Role, execute};

    use super::*;

    const REFERENCE: &str = include_str!("../../../../config/meetings/san-pedro-sula-2017.toml");

    fn meeting() -> Meeting {
        let definition = load_str("reference", REFERENCE).unwrap_or_else(|e| panic!("{e:?}"));
        Meeting::new(Arc::new(definition), 1, Timestamp(1_000_000))
    }

    fn run(m: &mut Meeting, command: &Command, at: Timestamp) {
        execute(m, &Role::Chair, command, at).unwrap_or_else(|e| panic!("{e}"));
    }

    fn value<'a>(outs: &'a [Out], path: &str) -> Option<&'a OscType> {
        outs.iter().find(|o| o.path == path).map(|o| &o.value)
    }

    #[test]
    fn seconds_read_like_a_countdown() {
        assert_eq!(whole_seconds(Millis(59_300)), 60);
        assert_eq!(whole_seconds(Millis(59_000)), 59);
        assert_eq!(whole_seconds(Millis(0)), 0);
        assert_eq!(whole_seconds(Millis(-300)), 0);
        assert_eq!(whole_seconds(Millis(-1_000)), -1);
        assert_eq!(
            until_next_second(Millis(59_300)),
            Duration::from_millis(300)
        );
        assert_eq!(
            until_next_second(Millis(59_000)),
            Duration::from_millis(1000)
        );
        assert_eq!(until_next_second(Millis(-300)), Duration::from_millis(700));
        assert_eq!(clock_text(65), "1:05");
        assert_eq!(clock_text(-7), "-0:07");
    }

    #[test]
    fn a_speaker_starting_sends_names_kind_and_id_then_started() {
        let mut m = meeting();
        let before = Status::of(&m, Timestamp(1_000_000), &[]);
        let first = before.changes(None);
        assert_eq!(value(&first, "speaker/id"), Some(&OscType::Int(0)));
        assert_eq!(
            value(&first, "timer/phase"),
            Some(&OscType::String("none".to_owned()))
        );
        assert!(value(&first, "speaker/started").is_none());
        assert_eq!(
            value(
                &first,
                &format!("screen/{}/online", ScreenId::new("hall-left"))
            ),
            Some(&OscType::Int(0))
        );

        let at = Timestamp(1_001_000);
        run(&mut m, &Command::NextItem, at);
        let item = m
            .agenda
            .current
            .clone()
            .unwrap_or_else(|| panic!("an item"));
        run(&mut m, &Command::CallNext, at);
        let after = Status::of(&m, at + Millis::from_secs(1), &[]);
        let changes = after.changes(Some(&before));
        let current = m
            .floor
            .current
            .clone()
            .unwrap_or_else(|| panic!("a speaker"));
        let speech = current.id.0 as i64;
        let delegation = current.delegation;
        // The first item of the reference meeting is its scheduled presentations.
        assert_eq!(
            current.source,
            plenary_core::floor::SpeechSource::Presentation
        );
        assert_eq!(
            value(&changes, "item/id"),
            Some(&OscType::String(item.to_string()))
        );
        assert_eq!(
            value(&changes, "speaker/delegation"),
            Some(&OscType::String(delegation.to_string()))
        );
        assert_eq!(
            value(&changes, "speaker/kind"),
            Some(&OscType::String("presentation".to_owned()))
        );
        for lang in &m.definition.languages {
            assert!(value(&changes, &format!("speaker/name/{lang}")).is_some());
        }
        assert_eq!(value(&changes, "timer/running"), Some(&OscType::Int(1)));
        assert_eq!(
            value(&changes, "timer/phase"),
            Some(&OscType::String("normal".to_owned()))
        );
        // The id comes after the details, `started` last.
        let position = |p: &str| changes.iter().position(|o| o.path == p);
        assert!(position("speaker/name") < position("speaker/id"));
        assert_eq!(
            changes.last().map(|o| (o.path.as_str(), &o.value)),
            Some(("speaker/started", &OscType::Int(speech as i32)))
        );
        // A second later only the countdown moved.
        let later = Status::of(&m, at + Millis::from_secs(2), &[]);
        let tick: Vec<String> = later
            .changes(Some(&after))
            .into_iter()
            .map(|o| o.path)
            .collect();
        assert_eq!(tick, ["timer/remaining", "timer/remaining_text"]);
        assert!(later.counting());

        // Ending the speech.
        run(&mut m, &Command::EndSpeech, at + Millis::from_secs(3));
        let ended = Status::of(&m, at + Millis::from_secs(3), &[]).changes(Some(&later));
        assert_eq!(
            value(&ended, "speaker/ended"),
            Some(&OscType::Int(speech as i32))
        );
        assert_eq!(value(&ended, "speaker/id"), Some(&OscType::Int(0)));
    }

    #[test]
    fn the_companion_format_sets_custom_variables() {
        let output = OscOutput {
            target: SocketAddr::from(([127, 0, 0, 1], 12321)),
            meeting: MeetingId::new("m"),
            format: OscFormat::Companion,
            companion_prefix: "plenary_".to_owned(),
        };
        let packets = packets(&[Out::int("speaker/id", 4)], &MeetingId::new("m"), &output);
        assert_eq!(
            packets,
            [OscPacket::Message(OscMessage {
                addr: "/custom-variable/plenary_speaker_id/value".to_owned(),
                args: vec![OscType::String("4".to_owned())]
            })]
        );
    }
}
