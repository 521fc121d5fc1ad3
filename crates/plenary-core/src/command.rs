//! What people ask the meeting to do. A command is a wish: [`crate::decide`]
//! checks it against the state and the actor's role and either refuses it
//! or turns it into events.

use serde::{Deserialize, Serialize};

use crate::display::{ScreenTarget, View};
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, InterpreterId, ItemId, RequestId};
use crate::rules::{Category, RequestKind};
use crate::time::Millis;

// `CommandKind`, the command's name without its arguments (the key of the
// permissions table), is derived from it by `strum::EnumDiscriminants`.
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
    strum::EnumDiscriminants,
)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum_discriminants(
    name(CommandKind),
    doc = "A command's name, without its arguments: the key of the permissions table.",
    derive(
        PartialOrd,
        Ord,
        Hash,
        Serialize,
        Deserialize,
        schemars::JsonSchema,
        strum::VariantArray,
        strum::EnumCount,
        strum::IntoStaticStr,
        strum::Display
    ),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case")
)]
pub enum Command {
    // --- Agenda and running order -----------------------------------------
    /// Makes `item` the current item (the current one is closed).
    OpenItem {
        item: ItemId,
    },
    NextItem,
    PreviousItem,
    /// Moves an item to position `to` (0-based) in the running order.
    MoveItem {
        item: ItemId,
        to: usize,
    },
    /// Sets an item's statement limit for a category.
    SetTimeLimit {
        item: ItemId,
        category: Category,
        limit: Millis,
    },

    // --- Speakers list -----------------------------------------------------
    /// A delegation asks for the floor on the current item. The item is
    /// named so that a request sent as the chair moves on is refused rather
    /// than landing on the next item.
    RequestFloor {
        item: ItemId,
        delegation: DelegationId,
        kind: RequestKind,
        /// The language to be spoken; the delegation's usual one if absent.
        #[serde(default)]
        language: Option<Lang>,
    },
    /// The chair puts a delegation on the list, at `position` or where the
    /// rules place it.
    InsertSpeaker {
        item: ItemId,
        delegation: DelegationId,
        kind: RequestKind,
        #[serde(default)]
        language: Option<Lang>,
        #[serde(default)]
        position: Option<usize>,
    },
    /// Withdraws a waiting request, or yields the floor while speaking.
    WithdrawRequest {
        request: RequestId,
    },
    DeclareLanguage {
        request: RequestId,
        language: Lang,
    },
    /// Moves a waiting request to position `to` (0-based) in the queue.
    MoveRequest {
        request: RequestId,
        to: usize,
    },
    RemoveRequest {
        request: RequestId,
    },
    /// Puts a withdrawn or removed request back on the list.
    ReaddRequest {
        request: RequestId,
        #[serde(default)]
        position: Option<usize>,
    },
    CloseList {
        item: ItemId,
    },
    ReopenList {
        item: ItemId,
    },

    // --- The floor -----------------------------------------------------------
    /// Gives the floor to whoever is next: a point of order, else the next
    /// presenter, else the head of the list.
    CallNext,
    /// Gives the floor to a waiting request out of order.
    GiveFloor {
        request: RequestId,
    },
    EndSpeech,
    PauseTimer,
    ResumeTimer,
    /// Adds time to the current speaker (negative takes some back).
    ExtendTimer {
        by: Millis,
    },
    /// Restarts the current speaker's countdown from the full limit.
    ResetTimer,
    /// Sent by the server when a countdown reaches zero.
    TimeUp,
    /// Takes back the last call, floor given, speech ended or countdown
    /// reset, within 30 s and before any other change of the floor.
    UndoFloorChange,

    // --- Scheduled presentations ---------------------------------------------
    /// Starts the next pending presenter, or the one named.
    StartPresentation {
        item: ItemId,
        #[serde(default)]
        presenter: Option<DelegationId>,
    },
    SkipPresenter {
        item: ItemId,
        presenter: DelegationId,
    },
    /// Moves a pending presenter to the end of the schedule.
    DeferPresenter {
        item: ItemId,
        presenter: DelegationId,
    },

    // --- Interpretation ----------------------------------------------------
    /// Overrides the floor language until the next speaker (`None` clears).
    SetFloorLanguage {
        #[serde(default)]
        language: Option<Lang>,
    },
    RequestHandover {
        booth: BoothId,
    },
    AcceptHandover {
        booth: BoothId,
    },
    /// `to` takes the mic in `booth` now: a recommended handover accepted
    /// with one click (`interpretation::coverage`).
    HandOver {
        booth: BoothId,
        to: InterpreterId,
    },
    /// An interpreter's anonymous "slower please" to the chair.
    SlowerPlease {
        booth: BoothId,
    },
    AcknowledgeSlowerPlease,

    // --- Displays ----------------------------------------------------------
    AssignView {
        target: ScreenTarget,
        view: View,
        /// One language or several side by side; unchanged if absent.
        #[serde(default)]
        languages: Option<Vec<Lang>>,
    },
    PushMessage {
        target: ScreenTarget,
        text: Texts,
    },
    ClearMessage {
        target: ScreenTarget,
    },
    ReloadScreens {
        target: ScreenTarget,
    },
}

impl CommandKind {
    /// Every command kind, in declaration order.
    pub const ALL: [CommandKind; <CommandKind as strum::EnumCount>::COUNT] =
        match <CommandKind as strum::VariantArray>::VARIANTS.first_chunk() {
            Some(all) => *all,
            None => panic!("strum's VARIANTS has COUNT elements"),
        };

    /// The kind's name on the wire: the command's `type` tag.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether it moves the floor or a countdown on it: such a command may
    /// carry the floor its sender saw and is refused `stale` if the floor
    /// changed since.
    pub fn changes_floor(self) -> bool {
        use CommandKind as K;
        matches!(
            self,
            K::CallNext
                | K::GiveFloor
                | K::EndSpeech
                | K::PauseTimer
                | K::ResumeTimer
                | K::ExtendTimer
                | K::ResetTimer
                | K::StartPresentation
                | K::UndoFloorChange
        )
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_serde_names() {
        assert_eq!(CommandKind::ALL.len(), 36);
        for kind in CommandKind::ALL {
            let json = serde_json::to_value(kind).unwrap_or_default();
            assert_eq!(json, kind.as_str());
            assert_eq!(kind.to_string(), kind.as_str());
        }
        let command = serde_json::json!({ "type": "acknowledge_slower_please" });
        let command: Command = serde_json::from_value(command).unwrap_or(Command::CallNext);
        assert_eq!(command.kind().as_str(), "acknowledge_slower_please");
    }
}
