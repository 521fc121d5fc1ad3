//! The OSC address space, in one place: every address a control surface
//! may send ([`parse`]) and every address plenary sends ([`Out`]). Pure:
//! no socket, no clock, no meeting state — `docs/integrations.md` lists the
//! same table for people.
//!
//! Every address starts with `/plenary/{meeting}/`. An address that moves
//! the floor carries the speech its sender saw on the floor (the id that
//! `/plenary/{meeting}/speaker/id` sends out, `0` for nobody), because UDP
//! may deliver a packet twice: the second "next speaker" then finds another
//! speech on the floor and is refused `stale` instead of skipping a speaker.

use rosc::OscType;

use plenary_core::Command;
use plenary_core::display::{ScreenTarget, View};
use plenary_core::i18n::{Lang, Texts};
use plenary_core::ids::{ItemId, MeetingId, ScreenGroup, ScreenId, SpeechId};
use plenary_core::time::Millis;

/// What an incoming address asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A command that does not move the floor, applied as it is (screens,
    /// messages, opening a named item: sent twice, the second changes
    /// nothing or is refused).
    Command(Command),
    /// A command that moves the floor, decided on the floor its sender saw.
    Floor { command: Command, seen: SeenFloor },
    /// Opens the item after (or before) `from`, only while `from` is still
    /// the current item: a repeated packet finds another item current and
    /// is refused rather than skipping one more.
    StepItem { from: ItemId, forward: bool },
    /// A message to screens; `language: None` shows the same text in every
    /// language of the meeting.
    Message {
        target: ScreenTarget,
        text: String,
        language: Option<Lang>,
    },
}

/// The floor as an OSC sender saw it: the speech (`None`: nobody), and the
/// floor's revision when it sent that too (`/plenary/{meeting}/floor/rev`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeenFloor {
    pub speech: Option<SpeechId>,
    pub rev: Option<u64>,
}

/// An incoming message, understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub meeting: MeetingId,
    pub action: Action,
}

/// Why an incoming message is not understood. Never sent back (OSC has no
/// answer); logged and counted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("`{0}` is not a plenary address")]
    Unknown(String),
    #[error("{address}: {why}")]
    Arguments { address: String, why: String },
}

impl AddressError {
    /// The label of `plenary_osc_packets_total` it counts under.
    pub fn outcome(&self) -> &'static str {
        match self {
            AddressError::Unknown(_) => "unknown_address",
            AddressError::Arguments { .. } => "bad_arguments",
        }
    }
}

/// Reads one incoming message.
pub fn parse(address: &str, args: &[OscType]) -> Result<Parsed, AddressError> {
    let unknown = || AddressError::Unknown(address.to_owned());
    let bad = |why: &str| AddressError::Arguments {
        address: address.to_owned(),
        why: why.to_owned(),
    };
    let mut parts = address.split('/');
    // An address starts with '/': the first part is empty.
    if parts.next() != Some("") || parts.next() != Some("plenary") {
        return Err(unknown());
    }
    let meeting = match parts.next() {
        Some(m) if !m.is_empty() => MeetingId::new(m),
        _ => return Err(unknown()),
    };
    let rest: Vec<&str> = parts.collect();
    if rest.iter().any(|p| p.is_empty()) {
        return Err(unknown());
    }
    let args = Args { args, bad: &bad };
    let floor = |command: Command| -> Result<Action, AddressError> {
        args.count(1, 2)?;
        Ok(Action::Floor {
            command,
            seen: SeenFloor {
                speech: args.speech(0)?,
                rev: args.optional_number(1)?,
            },
        })
    };
    let action = match rest.as_slice() {
        // The floor and its countdown.
        ["floor", "next"] => floor(Command::CallNext)?,
        ["floor", "end"] => floor(Command::EndSpeech)?,
        ["timer", "pause"] => floor(Command::PauseTimer)?,
        ["timer", "resume"] => floor(Command::ResumeTimer)?,
        ["timer", "reset"] => floor(Command::ResetTimer)?,
        ["timer", "extend"] => {
            // Sent twice, an extension would add twice: the revision (which
            // every extension moves) is required here.
            args.count(3, 3)?;
            let secs = args.integer(0)?;
            if secs == 0 || secs.abs() > 3600 {
                return Err(bad(
                    "the extension must be 1 to 3600 seconds (or -1 to -3600)",
                ));
            }
            Action::Floor {
                command: Command::ExtendTimer {
                    by: Millis::from_secs(secs),
                },
                seen: SeenFloor {
                    speech: args.speech(1)?,
                    rev: Some(args.number(2)?),
                },
            }
        }
        // The agenda.
        ["item", "next"] | ["item", "previous"] => {
            args.count(1, 1)?;
            Action::StepItem {
                from: ItemId::new(args.text(0)?),
                forward: rest[1] == "next",
            }
        }
        ["item", "open"] => {
            args.count(1, 1)?;
            Action::Command(Command::OpenItem {
                item: ItemId::new(args.text(0)?),
            })
        }
        // Screens: one, a group, or all of them.
        [target @ .., verb] => {
            let target = screen_target(target).ok_or_else(unknown)?;
            screen_action(&target, verb, &rest, &args).ok_or_else(unknown)??
        }
        [] => return Err(unknown()),
    };
    Ok(Parsed { meeting, action })
}

/// `screen/{id}`, `group/{group}`, `screens`, or nothing (the meeting's
/// messages go to every screen).
fn screen_target(parts: &[&str]) -> Option<ScreenTarget> {
    match parts {
        ["screen", id] => Some(ScreenTarget::Screen(ScreenId::new(*id))),
        ["group", group] => Some(ScreenTarget::Group(ScreenGroup::new(*group))),
        ["screens"] | [] => Some(ScreenTarget::All),
        // `/screen/{id}/message/clear` and the like.
        ["screen", id, "message"] => Some(ScreenTarget::Screen(ScreenId::new(*id))),
        ["group", group, "message"] => Some(ScreenTarget::Group(ScreenGroup::new(*group))),
        ["screens", "message"] | ["message"] => Some(ScreenTarget::All),
        _ => None,
    }
}

/// What a screen address does; `None` when the verb is not one of them.
fn screen_action(
    target: &ScreenTarget,
    verb: &str,
    path: &[&str],
    args: &Args<'_>,
) -> Option<Result<Action, AddressError>> {
    let clearing = path.len() >= 2 && path[path.len() - 2] == "message";
    let assign = |view: View| {
        Action::Command(Command::AssignView {
            target: target.clone(),
            view,
            languages: None,
        })
    };
    let result = match (verb, clearing) {
        ("clear", true) => args.count(0, 0).map(|()| {
            Action::Command(Command::ClearMessage {
                target: target.clone(),
            })
        }),
        (_, true) => return None,
        ("view", false) => view_action(target.clone(), args),
        ("blank", false) => args.count(0, 0).map(|()| assign(View::Blank)),
        ("identify", false) => args.count(0, 0).map(|()| assign(View::Identify)),
        ("reload", false) => args.count(0, 0).map(|()| {
            Action::Command(Command::ReloadScreens {
                target: target.clone(),
            })
        }),
        ("message", false) => message_action(target.clone(), args),
        _ => return None,
    };
    // `/plenary/{m}/view` alone is no address: the bare form is for messages.
    let bare = path.len() == 1 && verb != "message";
    if bare { None } else { Some(result) }
}

fn view_action(target: ScreenTarget, args: &Args<'_>) -> Result<Action, AddressError> {
    args.count(1, 2)?;
    let name = args.text(0)?;
    let view = View::parse(name).ok_or_else(|| {
        (args.bad)(&format!(
            "`{name}` is not a view: use {}",
            View::ALL.map(View::as_str).join(", ")
        ))
    })?;
    let languages = match args.optional_text(1)? {
        None => None,
        Some(list) => Some(
            list.split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| args.language(l))
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    Ok(Action::Command(Command::AssignView {
        target,
        view,
        languages,
    }))
}

fn message_action(target: ScreenTarget, args: &Args<'_>) -> Result<Action, AddressError> {
    args.count(1, 2)?;
    let text = args.text(0)?;
    if text.trim().is_empty() {
        return Err((args.bad)("the message is empty"));
    }
    let language = match args.optional_text(1)? {
        None => None,
        Some(l) => Some(args.language(l)?),
    };
    Ok(Action::Message {
        target,
        text: text.to_owned(),
        language,
    })
}

/// A message's text as the command takes it: in the language named, or the
/// same text in every language of the meeting.
pub fn message_texts(text: &str, language: Option<&Lang>, languages: &[Lang]) -> Texts {
    let mut texts = Texts::new();
    match language {
        Some(l) => {
            texts.0.insert(l.clone(), text.to_owned());
        }
        None => {
            for l in languages {
                texts.0.insert(l.clone(), text.to_owned());
            }
        }
    }
    texts
}

/// The arguments of one message, read by position.
struct Args<'a> {
    args: &'a [OscType],
    bad: &'a dyn Fn(&str) -> AddressError,
}

impl Args<'_> {
    fn count(&self, min: usize, max: usize) -> Result<(), AddressError> {
        let n = self.args.len();
        if n < min || n > max {
            let expected = if min == max {
                format!("{min}")
            } else {
                format!("{min} to {max}")
            };
            return Err((self.bad)(&format!(
                "takes {expected} argument(s), got {n}"
            )));
        }
        Ok(())
    }

    /// A whole number: an OSC int or long, a float without a fraction, or
    /// a string of digits (what a Companion variable expands to).
    fn integer(&self, i: usize) -> Result<i64, AddressError> {
        let value = match self.args.get(i) {
            Some(OscType::Int(v)) => Some(i64::from(*v)),
            Some(OscType::Long(v)) => Some(*v),
            Some(OscType::Float(v)) if v.fract() == 0.0 && v.abs() < 1e9 => Some(*v as i64),
            Some(OscType::Double(v)) if v.fract() == 0.0 && v.abs() < 1e15 => Some(*v as i64),
            Some(OscType::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        value.ok_or_else(|| (self.bad)(&format!("argument {} must be a whole number", i + 1)))
    }

    /// A whole number of at least zero.
    fn number(&self, i: usize) -> Result<u64, AddressError> {
        u64::try_from(self.integer(i)?)
            .map_err(|_| (self.bad)(&format!("argument {} must not be negative", i + 1)))
    }

    fn optional_number(&self, i: usize) -> Result<Option<u64>, AddressError> {
        if i < self.args.len() {
            self.number(i).map(Some)
        } else {
            Ok(None)
        }
    }

    /// A speech id; 0 for "nobody on the floor".
    fn speech(&self, i: usize) -> Result<Option<SpeechId>, AddressError> {
        Ok(Some(self.number(i)?).filter(|id| *id != 0).map(SpeechId))
    }

    fn text(&self, i: usize) -> Result<&str, AddressError> {
        match self.args.get(i) {
            Some(OscType::String(s)) => Ok(s.as_str()),
            _ => Err((self.bad)(&format!("argument {} must be a string", i + 1))),
        }
    }

    fn language(&self, tag: &str) -> Result<Lang, AddressError> {
        Lang::parse(tag).map_err(|_| (self.bad)(&format!("`{tag}` is not a language tag")))
    }

    fn optional_text(&self, i: usize) -> Result<Option<&str>, AddressError> {
        if i < self.args.len() {
            self.text(i).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The addresses plenary sends, under `/plenary/{meeting}/`. Each carries
/// one plain value (int, float or string) so that a vision mixer, a
/// recorder or a Companion feedback can use it as it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Out {
    /// The path after `/plenary/{meeting}/`, e.g. `speaker/id`.
    pub path: String,
    pub value: OscType,
}

impl Out {
    pub fn int(path: impl Into<String>, value: i64) -> Out {
        let value = i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX });
        Out {
            path: path.into(),
            value: OscType::Int(value),
        }
    }

    pub fn text(path: impl Into<String>, value: impl Into<String>) -> Out {
        Out {
            path: path.into(),
            value: OscType::String(value.into()),
        }
    }

    /// The full address for `meeting`.
    pub fn address(&self, meeting: &MeetingId) -> String {
        format!("/plenary/{meeting}/{}", self.path)
    }

    /// The name of the Companion custom variable that mirrors it:
    /// `speaker/name/es` → `{prefix}speaker_name_es`.
    pub fn companion_variable(&self, prefix: &str) -> String {
        let name: String = self
            .path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("{prefix}{name}")
    }

    /// The value as text, for a Companion custom variable.
    pub fn value_text(&self) -> String {
        match &self.value {
            OscType::Int(v) => v.to_string(),
            OscType::Float(v) => v.to_string(),
            OscType::String(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(address: &str, args: &[OscType]) -> Action {
        match parse(address, args) {
            Ok(p) => {
                assert_eq!(p.meeting.as_str(), "m");
                p.action
            }
            Err(e) => panic!("{address}: {e}"),
        }
    }

    fn refused(address: &str, args: &[OscType]) -> AddressError {
        match parse(address, args) {
            Ok(p) => panic!("{address} parsed as {p:?}"),
            Err(e) => e,
        }
    }

    fn s(text: &str) -> OscType {
        OscType::String(text.to_owned())
    }

    fn screen(id: &str) -> ScreenTarget {
        ScreenTarget::Screen(ScreenId::new(id))
    }

    #[test]
    fn floor_addresses_carry_the_speech_seen() {
        assert_eq!(
            parsed("/plenary/m/floor/next", &[OscType::Int(7)]),
            Action::Floor {
                command: Command::CallNext,
                seen: SeenFloor {
                    speech: Some(SpeechId(7)),
                    rev: None
                }
            }
        );
        // 0: nobody was on the floor; a revision may follow.
        assert_eq!(
            parsed(
                "/plenary/m/floor/next",
                &[OscType::Int(0), OscType::Int(12)]
            ),
            Action::Floor {
                command: Command::CallNext,
                seen: SeenFloor {
                    speech: None,
                    rev: Some(12)
                }
            }
        );
        // A Companion variable arrives as a string.
        assert_eq!(
            parsed("/plenary/m/floor/end", &[s("3")]),
            Action::Floor {
                command: Command::EndSpeech,
                seen: SeenFloor {
                    speech: Some(SpeechId(3)),
                    rev: None
                }
            }
        );
        for (address, command) in [
            ("/plenary/m/timer/pause", Command::PauseTimer),
            ("/plenary/m/timer/resume", Command::ResumeTimer),
            ("/plenary/m/timer/reset", Command::ResetTimer),
        ] {
            assert!(matches!(
                parsed(address, &[OscType::Long(2)]),
                Action::Floor { command: c, .. } if c == command
            ));
        }
    }

    #[test]
    fn a_floor_address_without_the_speech_is_refused() {
        for address in ["/plenary/m/floor/next", "/plenary/m/timer/pause"] {
            assert_eq!(refused(address, &[]).outcome(), "bad_arguments");
        }
        let e = refused("/plenary/m/floor/next", &[OscType::Int(-1)]);
        assert_eq!(e.outcome(), "bad_arguments");
        let e = refused("/plenary/m/floor/next", &[s("seven")]);
        assert!(e.to_string().contains("whole number"), "{e}");
        let e = refused("/plenary/m/floor/next", &[OscType::Float(1.5)]);
        assert_eq!(e.outcome(), "bad_arguments");
    }

    #[test]
    fn an_extension_needs_the_revision_too() {
        assert_eq!(
            parsed(
                "/plenary/m/timer/extend",
                &[OscType::Int(30), OscType::Int(4), OscType::Int(9)]
            ),
            Action::Floor {
                command: Command::ExtendTimer {
                    by: Millis::from_secs(30)
                },
                seen: SeenFloor {
                    speech: Some(SpeechId(4)),
                    rev: Some(9)
                }
            }
        );
        let e = refused(
            "/plenary/m/timer/extend",
            &[OscType::Int(30), OscType::Int(4)],
        );
        assert_eq!(e.outcome(), "bad_arguments");
        let e = refused(
            "/plenary/m/timer/extend",
            &[OscType::Int(0), OscType::Int(4), OscType::Int(9)],
        );
        assert_eq!(e.outcome(), "bad_arguments");
    }

    #[test]
    fn items_step_from_the_one_seen() {
        assert_eq!(
            parsed("/plenary/m/item/next", &[s("opening")]),
            Action::StepItem {
                from: ItemId::new("opening"),
                forward: true
            }
        );
        assert_eq!(
            parsed("/plenary/m/item/previous", &[s("opening")]),
            Action::StepItem {
                from: ItemId::new("opening"),
                forward: false
            }
        );
        assert_eq!(
            parsed("/plenary/m/item/open", &[s("stocktaking")]),
            Action::Command(Command::OpenItem {
                item: ItemId::new("stocktaking")
            })
        );
        assert_eq!(
            refused("/plenary/m/item/next", &[]).outcome(),
            "bad_arguments"
        );
    }

    #[test]
    fn screens_views_and_messages() {
        assert_eq!(
            parsed("/plenary/m/screen/hall-left/view", &[s("speakers_list")]),
            Action::Command(Command::AssignView {
                target: screen("hall-left"),
                view: View::SpeakersList,
                languages: None
            })
        );
        assert_eq!(
            parsed(
                "/plenary/m/group/hall/view",
                &[s("current_speaker"), s("es, en")]
            ),
            Action::Command(Command::AssignView {
                target: ScreenTarget::Group(ScreenGroup::new("hall")),
                view: View::CurrentSpeaker,
                languages: Some(vec![
                    Lang::parse("es").unwrap_or_else(|_| Lang::english()),
                    Lang::english()
                ])
            })
        );
        assert_eq!(
            parsed("/plenary/m/screens/blank", &[]),
            Action::Command(Command::AssignView {
                target: ScreenTarget::All,
                view: View::Blank,
                languages: None
            })
        );
        assert_eq!(
            parsed("/plenary/m/screen/hall-left/identify", &[]),
            Action::Command(Command::AssignView {
                target: screen("hall-left"),
                view: View::Identify,
                languages: None
            })
        );
        assert_eq!(
            parsed("/plenary/m/screens/reload", &[]),
            Action::Command(Command::ReloadScreens {
                target: ScreenTarget::All
            })
        );
        assert_eq!(
            parsed("/plenary/m/message", &[s("Coffee break until 11:00")]),
            Action::Message {
                target: ScreenTarget::All,
                text: "Coffee break until 11:00".to_owned(),
                language: None
            }
        );
        assert_eq!(
            parsed("/plenary/m/screen/lobby/message", &[s("Hola"), s("es")]),
            Action::Message {
                target: screen("lobby"),
                text: "Hola".to_owned(),
                language: Lang::parse("es").ok()
            }
        );
        assert_eq!(
            parsed("/plenary/m/message/clear", &[]),
            Action::Command(Command::ClearMessage {
                target: ScreenTarget::All
            })
        );
        assert_eq!(
            parsed("/plenary/m/screen/lobby/message/clear", &[]),
            Action::Command(Command::ClearMessage {
                target: screen("lobby")
            })
        );
    }

    #[test]
    fn wrong_screen_arguments_are_named() {
        let e = refused("/plenary/m/screen/a/view", &[s("cinema")]);
        assert!(e.to_string().contains("not a view"), "{e}");
        let e = refused("/plenary/m/screens/blank", &[OscType::Int(1)]);
        assert_eq!(e.outcome(), "bad_arguments");
        let e = refused("/plenary/m/message", &[s("  ")]);
        assert_eq!(e.outcome(), "bad_arguments");
        let e = refused("/plenary/m/message", &[OscType::Int(3)]);
        assert_eq!(e.outcome(), "bad_arguments");
    }

    #[test]
    fn anything_else_is_unknown() {
        for address in [
            "",
            "/",
            "plenary/m/floor/next",
            "/other/m/floor/next",
            "/plenary",
            "/plenary/",
            "/plenary/m",
            "/plenary/m/",
            "/plenary/m/floor",
            "/plenary/m/floor/next/",
            "/plenary/m//floor/next",
            "/plenary/m/floor/give",
            "/plenary/m/view",
            "/plenary/m/blank",
            "/plenary/m/screen/a/b/view",
            "/plenary/m/screen/a/message/send",
            "/plenary/m/tv/a/view",
        ] {
            assert_eq!(
                refused(address, &[]).outcome(),
                "unknown_address",
                "{address}"
            );
        }
    }

    #[test]
    fn message_texts_fill_every_language_or_the_one_named() {
        let es = Lang::parse("es").unwrap_or_else(|_| Lang::english());
        let languages = [es.clone(), Lang::english()];
        let all = message_texts("Pausa", None, &languages);
        assert_eq!(all.0.len(), 2);
        assert_eq!(all.get(&es), Some("Pausa"));
        let one = message_texts("Pause", Some(&Lang::english()), &languages);
        assert_eq!(one.0.len(), 1);
    }

    #[test]
    fn outgoing_values_are_plain_and_mirror_companion_variables() {
        let out = Out::text("speaker/name/es", "Honduras");
        assert_eq!(
            out.address(&MeetingId::new("m")),
            "/plenary/m/speaker/name/es"
        );
        assert_eq!(
            out.companion_variable("plenary_"),
            "plenary_speaker_name_es"
        );
        assert_eq!(out.value_text(), "Honduras");
        assert_eq!(Out::int("x", 1 << 40).value, OscType::Int(i32::MAX));
        assert_eq!(Out::int("x", -5).value_text(), "-5");
    }
}
