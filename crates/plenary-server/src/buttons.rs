//! REST for buttons: `POST /api/v1/meetings/{id}/buttons/{button}`, one
//! call per technician or chair action, with no body and its few
//! arguments in the query string, so that a Stream Deck button (Bitfocus
//! Companion's generic HTTP connection) needs only a URL and the
//! `Authorization: Bearer <access code>` header. Each button is the same
//! command as the websocket's, authorised by the same table and answered
//! with the same JSON (docs/integrations.md lists them).
//!
//! Which button is which command is [`BUTTONS`] and [`command_of`], pure.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use plenary_core::Command;
use plenary_core::display::{ScreenTarget, View};
use plenary_core::floor::FloorSeen;
use plenary_core::i18n::Lang;
use plenary_core::ids::{ScreenGroup, ScreenId, SpeechId};
use plenary_core::time::Millis;
use plenary_protocol::ProtocolErrorCode;
use plenary_protocol::views::Audience;

use crate::AppState;
use crate::api::{self, ApiError, CommandAccepted};
use crate::osc::address::message_texts;

/// Every button, with what it does and the query it takes.
pub const BUTTONS: [(&str, &str); 15] = [
    (
        "next_speaker",
        "Gives the floor to whoever is next (call_next). Optional: speech, rev.",
    ),
    (
        "end_speech",
        "Ends the speech on the floor. Optional: speech, rev.",
    ),
    (
        "pause_timer",
        "Pauses the speaker's countdown. Optional: speech, rev.",
    ),
    ("resume_timer", "Resumes it. Optional: speech, rev."),
    (
        "extend_timer",
        "Adds `seconds` (negative takes time back). Optional: speech, rev.",
    ),
    (
        "reset_timer",
        "Restarts the countdown from the full limit. Optional: speech, rev.",
    ),
    (
        "undo",
        "Takes back the last change of the floor (within 30 s). Optional: speech, rev.",
    ),
    ("next_item", "Opens the next agenda item."),
    ("previous_item", "Opens the previous agenda item."),
    (
        "screens_view",
        "Shows `view` on the screens; optional: languages (es,en), screen or group.",
    ),
    (
        "screens_blank",
        "Blanks the screens; optional: screen or group.",
    ),
    (
        "screens_identify",
        "Shows each screen's id; optional: screen or group.",
    ),
    (
        "screens_reload",
        "Reloads the screens; optional: screen or group.",
    ),
    (
        "message",
        "Pushes `text` to the screens; optional: lang (else every language), screen or group.",
    ),
    (
        "message_clear",
        "Clears the message; optional: screen or group.",
    ),
];

/// A button's arguments, all in the query string.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ButtonQuery {
    /// Floor buttons: the speech on the floor when the button was pressed
    /// (0: nobody); the command is refused `stale` if the floor has
    /// changed since. Without it the button acts on the floor as it is.
    pub speech: Option<u64>,
    /// With `speech`: the floor's revision too (any change of its
    /// countdown moves it).
    pub rev: Option<u64>,
    /// `extend_timer`: seconds to add.
    pub seconds: Option<i64>,
    /// Screen buttons: one screen…
    pub screen: Option<String>,
    /// …or a group of screens (neither: every screen).
    pub group: Option<String>,
    /// `screens_view`: the view (`current_speaker`, `speakers_list`, …).
    pub view: Option<String>,
    /// `screens_view`: languages side by side, comma-separated.
    pub languages: Option<String>,
    /// `message`: the text.
    pub text: Option<String>,
    /// `message`: its language; without it, every language of the meeting.
    pub lang: Option<String>,
    /// Makes a retry safe: the same id is applied once.
    pub command_id: Option<String>,
}

/// Why a button press is not a command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ButtonError {
    #[error("unknown button `{0}`")]
    Unknown(String),
    #[error("{0}")]
    Query(String),
}

/// The command a button means, and whether it moves the floor.
pub fn command_of(
    button: &str,
    q: &ButtonQuery,
    languages: &[Lang],
) -> Result<(Command, bool), ButtonError> {
    let bad = |why: &str| ButtonError::Query(why.to_owned());
    let floor = |command: Command| Ok((command, true));
    let plain = |command: Command| Ok((command, false));
    let target = || -> Result<ScreenTarget, ButtonError> {
        match (&q.screen, &q.group) {
            (Some(_), Some(_)) => Err(bad("name a screen or a group, not both")),
            (Some(s), None) => Ok(ScreenTarget::Screen(ScreenId::new(s.as_str()))),
            (None, Some(g)) => Ok(ScreenTarget::Group(ScreenGroup::new(g.as_str()))),
            (None, None) => Ok(ScreenTarget::All),
        }
    };
    let language = |tag: &str| {
        Lang::parse(tag.trim()).map_err(|_| bad(&format!("`{tag}` is not a language tag")))
    };
    match button {
        "next_speaker" => floor(Command::CallNext),
        "end_speech" => floor(Command::EndSpeech),
        "pause_timer" => floor(Command::PauseTimer),
        "resume_timer" => floor(Command::ResumeTimer),
        "reset_timer" => floor(Command::ResetTimer),
        "undo" => floor(Command::UndoFloorChange),
        "extend_timer" => {
            let secs = q
                .seconds
                .ok_or_else(|| bad("extend_timer needs `seconds`"))?;
            floor(Command::ExtendTimer {
                by: Millis::from_secs(secs),
            })
        }
        "next_item" => plain(Command::NextItem),
        "previous_item" => plain(Command::PreviousItem),
        "screens_view" => {
            let name = q
                .view
                .as_deref()
                .ok_or_else(|| bad("screens_view needs `view`"))?;
            let view = View::parse(name).ok_or_else(|| {
                bad(&format!(
                    "`{name}` is not a view: use {}",
                    View::ALL.map(View::as_str).join(", ")
                ))
            })?;
            let languages = match &q.languages {
                None => None,
                Some(list) => Some(
                    list.split(',')
                        .filter(|l| !l.trim().is_empty())
                        .map(language)
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            plain(Command::AssignView {
                target: target()?,
                view,
                languages,
            })
        }
        "screens_blank" | "screens_identify" => plain(Command::AssignView {
            target: target()?,
            view: if button == "screens_blank" {
                View::Blank
            } else {
                View::Identify
            },
            languages: None,
        }),
        "screens_reload" => plain(Command::ReloadScreens { target: target()? }),
        "message" => {
            let text = q
                .text
                .as_deref()
                .ok_or_else(|| bad("message needs `text`"))?;
            let lang = q.lang.as_deref().map(language).transpose()?;
            plain(Command::PushMessage {
                target: target()?,
                text: message_texts(text, lang.as_ref(), languages),
            })
        }
        "message_clear" => plain(Command::ClearMessage { target: target()? }),
        other => Err(ButtonError::Unknown(other.to_owned())),
    }
}

/// `POST /api/v1/meetings/{id}/buttons/{button}`: any body is ignored.
pub async fn press(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((id, button)): Path<(String, String)>,
    query: Result<Query<ButtonQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Json<CommandAccepted>, ApiError> {
    let hub = api::hub_of(&state, &id).await?;
    let (role, code_id) =
        api::code_holder(&state, state.client_ip(peer, &headers), &headers, &hub).await?;
    state
        .command_limits
        .check(&code_id)
        .map_err(|wait| ApiError::protocol(ProtocolErrorCode::RateLimited).retry_after(wait))?;
    let Query(q) =
        query.map_err(|e| ApiError::bad_request("bad_button", &[("error", &e.body_text())]))?;
    let (command, moves_floor) =
        command_of(&button, &q, &hub.definition.languages).map_err(|e| match e {
            ButtonError::Unknown(name) => ApiError::bad_request(
                "unknown_button",
                &[
                    ("button", &name),
                    ("buttons", &BUTTONS.map(|(b, _)| b).join(", ")),
                ],
            ),
            ButtonError::Query(why) => ApiError::bad_request("bad_button", &[("error", &why)]),
        })?;
    let seen = match (moves_floor, q.speech, q.rev) {
        (_, None, Some(_)) => {
            return Err(ApiError::bad_request(
                "bad_button",
                &[("error", &"`rev` goes with `speech`")],
            ));
        }
        (true, Some(speech), rev) => {
            let rev = match rev {
                Some(rev) => rev,
                // Only the speech was given: the floor's revision now, so
                // the command is refused `stale` unless that speech holds
                // the floor.
                None => {
                    hub.view(Audience::of(&role))
                        .await
                        .map_err(|_| ApiError::store())?
                        .0
                        .floor
                        .rev
                }
            };
            Some(FloorSeen {
                speech: Some(speech).filter(|s| *s != 0).map(SpeechId),
                rev,
            })
        }
        _ => None,
    };
    let command_id = match q.command_id {
        Some(id) if !plenary_protocol::valid_command_id(&id) => {
            return Err(ApiError::protocol(ProtocolErrorCode::InvalidCommandId));
        }
        Some(id) => id,
        None => uuid::Uuid::new_v4().to_string(),
    };
    let outcome = hub
        .command(role, Some(command_id.clone()), command, seen)
        .await
        .map_err(|_| ApiError::store())?;
    api::answer(command_id, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q() -> ButtonQuery {
        ButtonQuery::default()
    }

    fn en() -> Vec<Lang> {
        vec![Lang::english()]
    }

    #[test]
    fn every_button_is_listed_and_maps_to_a_command() {
        let full = ButtonQuery {
            seconds: Some(30),
            view: Some("speakers_list".to_owned()),
            text: Some("Break".to_owned()),
            ..q()
        };
        for (button, _) in BUTTONS {
            assert!(command_of(button, &full, &en()).is_ok(), "{button}");
        }
        assert_eq!(
            command_of("call", &q(), &en()),
            Err(ButtonError::Unknown("call".to_owned()))
        );
    }

    #[test]
    fn floor_buttons_are_marked_as_such() {
        for button in ["next_speaker", "end_speech", "pause_timer", "undo"] {
            let (command, floor) =
                command_of(button, &q(), &en()).unwrap_or_else(|e| panic!("{e}"));
            assert!(floor && command.kind().changes_floor(), "{button}");
        }
        let (_, floor) = command_of("next_item", &q(), &en()).unwrap_or_else(|e| panic!("{e}"));
        assert!(!floor);
    }

    #[test]
    fn arguments_come_from_the_query() {
        let query = ButtonQuery {
            view: Some("current_speaker".to_owned()),
            group: Some("hall".to_owned()),
            languages: Some("es,en".to_owned()),
            ..q()
        };
        let (command, _) =
            command_of("screens_view", &query, &en()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            command,
            Command::AssignView {
                target: ScreenTarget::Group(ScreenGroup::new("hall")),
                view: View::CurrentSpeaker,
                languages: Some(vec![
                    Lang::parse("es").unwrap_or_else(|_| Lang::english()),
                    Lang::english()
                ]),
            }
        );
        let both = ButtonQuery {
            screen: Some("a".to_owned()),
            group: Some("b".to_owned()),
            ..q()
        };
        assert!(matches!(
            command_of("screens_blank", &both, &en()),
            Err(ButtonError::Query(_))
        ));
        for button in ["extend_timer", "screens_view", "message"] {
            assert!(
                matches!(command_of(button, &q(), &en()), Err(ButtonError::Query(_))),
                "{button}"
            );
        }
        let wrong_view = ButtonQuery {
            view: Some("cinema".to_owned()),
            ..q()
        };
        assert!(matches!(
            command_of("screens_view", &wrong_view, &en()),
            Err(ButtonError::Query(_))
        ));
    }
}
