//! What a delegation may ask for right now, and why not: the same
//! [`decide`] that will judge the request, asked in advance.

use serde::{Deserialize, Serialize};

use crate::command::Command;
use crate::decide::decide;
use crate::event::Event;
use crate::i18n::Texts;
use crate::ids::DelegationId;
use crate::meeting::Meeting;
use crate::roles::Role;
use crate::rules::RequestKind;
use crate::time::Millis;

/// The answer a delegation would get if it asked for `kind` now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Admission {
    pub kind: RequestKind,
    pub verdict: Verdict,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Allowed, with this much time.
    Allowed { limit: Millis },
    /// Refused: the code and message the command would get.
    Refused { code: String, message: Texts },
}

/// Every kind of request the rules know, in display order, with the answer
/// `delegation` would get for it on the current item.
pub fn may_request(meeting: &Meeting, delegation: &DelegationId) -> Vec<Admission> {
    let kinds = meeting.definition.rules.request_kinds();
    let actor = Role::Delegation {
        delegation: delegation.clone(),
    };
    kinds
        .map(|kind| {
            let verdict = match meeting.agenda.current.clone() {
                None => refused(&crate::CommandError::NoCurrentItem, meeting),
                Some(item) => {
                    let command = Command::RequestFloor {
                        item,
                        delegation: delegation.clone(),
                        kind: kind.clone(),
                        language: None,
                    };
                    match decide(meeting, &actor, &command, meeting.updated_at) {
                        Ok(events) => Verdict::Allowed {
                            limit: events
                                .iter()
                                .find_map(|e| match e {
                                    Event::FloorRequested { limit, .. } => Some(*limit),
                                    _ => None,
                                })
                                .unwrap_or(Millis::ZERO),
                        },
                        Err(e) => refused(&e, meeting),
                    }
                }
            };
            Admission { kind, verdict }
        })
        .collect()
}

fn refused(error: &crate::CommandError, meeting: &Meeting) -> Verdict {
    Verdict::Refused {
        code: error.code().to_owned(),
        message: error.messages(&meeting.definition.languages),
    }
}
