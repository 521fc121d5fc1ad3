//! What people ask the meeting to do. A command is a wish: [`crate::decide`]
//! checks it against the state and the actor's role and either refuses it
//! or turns it into events.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::display::{ScreenTarget, View};
use crate::i18n::{Lang, Texts};
use crate::ids::{BoothId, DelegationId, ItemId, RequestId};
use crate::rules::{Category, RequestKind};
use crate::time::Millis;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
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

/// A command's name, without its arguments: the key of the permissions table.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    OpenItem,
    NextItem,
    PreviousItem,
    MoveItem,
    SetTimeLimit,
    RequestFloor,
    InsertSpeaker,
    WithdrawRequest,
    DeclareLanguage,
    MoveRequest,
    RemoveRequest,
    ReaddRequest,
    CloseList,
    ReopenList,
    CallNext,
    GiveFloor,
    EndSpeech,
    PauseTimer,
    ResumeTimer,
    ExtendTimer,
    ResetTimer,
    TimeUp,
    StartPresentation,
    SkipPresenter,
    DeferPresenter,
    SetFloorLanguage,
    RequestHandover,
    AcceptHandover,
    SlowerPlease,
    AcknowledgeSlowerPlease,
    AssignView,
    PushMessage,
    ClearMessage,
    ReloadScreens,
}

impl CommandKind {
    pub const ALL: [CommandKind; 34] = [
        CommandKind::OpenItem,
        CommandKind::NextItem,
        CommandKind::PreviousItem,
        CommandKind::MoveItem,
        CommandKind::SetTimeLimit,
        CommandKind::RequestFloor,
        CommandKind::InsertSpeaker,
        CommandKind::WithdrawRequest,
        CommandKind::DeclareLanguage,
        CommandKind::MoveRequest,
        CommandKind::RemoveRequest,
        CommandKind::ReaddRequest,
        CommandKind::CloseList,
        CommandKind::ReopenList,
        CommandKind::CallNext,
        CommandKind::GiveFloor,
        CommandKind::EndSpeech,
        CommandKind::PauseTimer,
        CommandKind::ResumeTimer,
        CommandKind::ExtendTimer,
        CommandKind::ResetTimer,
        CommandKind::TimeUp,
        CommandKind::StartPresentation,
        CommandKind::SkipPresenter,
        CommandKind::DeferPresenter,
        CommandKind::SetFloorLanguage,
        CommandKind::RequestHandover,
        CommandKind::AcceptHandover,
        CommandKind::SlowerPlease,
        CommandKind::AcknowledgeSlowerPlease,
        CommandKind::AssignView,
        CommandKind::PushMessage,
        CommandKind::ClearMessage,
        CommandKind::ReloadScreens,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::OpenItem => "open_item",
            CommandKind::NextItem => "next_item",
            CommandKind::PreviousItem => "previous_item",
            CommandKind::MoveItem => "move_item",
            CommandKind::SetTimeLimit => "set_time_limit",
            CommandKind::RequestFloor => "request_floor",
            CommandKind::InsertSpeaker => "insert_speaker",
            CommandKind::WithdrawRequest => "withdraw_request",
            CommandKind::DeclareLanguage => "declare_language",
            CommandKind::MoveRequest => "move_request",
            CommandKind::RemoveRequest => "remove_request",
            CommandKind::ReaddRequest => "readd_request",
            CommandKind::CloseList => "close_list",
            CommandKind::ReopenList => "reopen_list",
            CommandKind::CallNext => "call_next",
            CommandKind::GiveFloor => "give_floor",
            CommandKind::EndSpeech => "end_speech",
            CommandKind::PauseTimer => "pause_timer",
            CommandKind::ResumeTimer => "resume_timer",
            CommandKind::ExtendTimer => "extend_timer",
            CommandKind::ResetTimer => "reset_timer",
            CommandKind::TimeUp => "time_up",
            CommandKind::StartPresentation => "start_presentation",
            CommandKind::SkipPresenter => "skip_presenter",
            CommandKind::DeferPresenter => "defer_presenter",
            CommandKind::SetFloorLanguage => "set_floor_language",
            CommandKind::RequestHandover => "request_handover",
            CommandKind::AcceptHandover => "accept_handover",
            CommandKind::SlowerPlease => "slower_please",
            CommandKind::AcknowledgeSlowerPlease => "acknowledge_slower_please",
            CommandKind::AssignView => "assign_view",
            CommandKind::PushMessage => "push_message",
            CommandKind::ClearMessage => "clear_message",
            CommandKind::ReloadScreens => "reload_screens",
        }
    }
}

impl fmt::Display for CommandKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Command {
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::OpenItem { .. } => CommandKind::OpenItem,
            Command::NextItem => CommandKind::NextItem,
            Command::PreviousItem => CommandKind::PreviousItem,
            Command::MoveItem { .. } => CommandKind::MoveItem,
            Command::SetTimeLimit { .. } => CommandKind::SetTimeLimit,
            Command::RequestFloor { .. } => CommandKind::RequestFloor,
            Command::InsertSpeaker { .. } => CommandKind::InsertSpeaker,
            Command::WithdrawRequest { .. } => CommandKind::WithdrawRequest,
            Command::DeclareLanguage { .. } => CommandKind::DeclareLanguage,
            Command::MoveRequest { .. } => CommandKind::MoveRequest,
            Command::RemoveRequest { .. } => CommandKind::RemoveRequest,
            Command::ReaddRequest { .. } => CommandKind::ReaddRequest,
            Command::CloseList { .. } => CommandKind::CloseList,
            Command::ReopenList { .. } => CommandKind::ReopenList,
            Command::CallNext => CommandKind::CallNext,
            Command::GiveFloor { .. } => CommandKind::GiveFloor,
            Command::EndSpeech => CommandKind::EndSpeech,
            Command::PauseTimer => CommandKind::PauseTimer,
            Command::ResumeTimer => CommandKind::ResumeTimer,
            Command::ExtendTimer { .. } => CommandKind::ExtendTimer,
            Command::ResetTimer => CommandKind::ResetTimer,
            Command::TimeUp => CommandKind::TimeUp,
            Command::StartPresentation { .. } => CommandKind::StartPresentation,
            Command::SkipPresenter { .. } => CommandKind::SkipPresenter,
            Command::DeferPresenter { .. } => CommandKind::DeferPresenter,
            Command::SetFloorLanguage { .. } => CommandKind::SetFloorLanguage,
            Command::RequestHandover { .. } => CommandKind::RequestHandover,
            Command::AcceptHandover { .. } => CommandKind::AcceptHandover,
            Command::SlowerPlease { .. } => CommandKind::SlowerPlease,
            Command::AcknowledgeSlowerPlease => CommandKind::AcknowledgeSlowerPlease,
            Command::AssignView { .. } => CommandKind::AssignView,
            Command::PushMessage { .. } => CommandKind::PushMessage,
            Command::ClearMessage { .. } => CommandKind::ClearMessage,
            Command::ReloadScreens { .. } => CommandKind::ReloadScreens,
        }
    }
}
