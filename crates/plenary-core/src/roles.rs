//! Who may do what. One table ([`PERMISSIONS`]) says which role may issue
//! which command; the bindings (a delegation acts only for itself, an
//! interpreter only for its booth) are checked in [`authorise`].

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::command::{Command, CommandKind};
use crate::error::CommandError;
use crate::ids::{BoothId, DelegationId, ScreenId};

/// A role, bound to what it acts for where that matters.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Role {
    /// The presiding officer.
    Chair,
    /// Beside the chair: runs the same console.
    Secretariat,
    Delegation {
        delegation: DelegationId,
    },
    /// Room displays and the interpretation system.
    Technician,
    Interpreter {
        booth: BoothId,
    },
    /// A room display: reads, never acts.
    Screen {
        screen: ScreenId,
    },
    /// Anyone with the public view: reads, never acts.
    Public,
    /// The server itself, e.g. ending a speech when time is up.
    System,
}

/// A role without its binding, for the permissions table.
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
pub enum RoleKind {
    Chair,
    Secretariat,
    Delegation,
    Technician,
    Interpreter,
    Screen,
    Public,
    System,
}

impl RoleKind {
    pub const ALL: [RoleKind; 8] = [
        RoleKind::Chair,
        RoleKind::Secretariat,
        RoleKind::Delegation,
        RoleKind::Technician,
        RoleKind::Interpreter,
        RoleKind::Screen,
        RoleKind::Public,
        RoleKind::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Chair => "chair",
            RoleKind::Secretariat => "secretariat",
            RoleKind::Delegation => "delegation",
            RoleKind::Technician => "technician",
            RoleKind::Interpreter => "interpreter",
            RoleKind::Screen => "screen",
            RoleKind::Public => "public",
            RoleKind::System => "system",
        }
    }
}

impl fmt::Display for RoleKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Role {
    pub fn kind(&self) -> RoleKind {
        match self {
            Role::Chair => RoleKind::Chair,
            Role::Secretariat => RoleKind::Secretariat,
            Role::Delegation { .. } => RoleKind::Delegation,
            Role::Technician => RoleKind::Technician,
            Role::Interpreter { .. } => RoleKind::Interpreter,
            Role::Screen { .. } => RoleKind::Screen,
            Role::Public => RoleKind::Public,
            Role::System => RoleKind::System,
        }
    }

    /// The chair and the secretariat run the meeting.
    pub fn presides(&self) -> bool {
        matches!(self, Role::Chair | Role::Secretariat)
    }
}

use CommandKind as C;
use RoleKind as R;

const PRESIDING: &[RoleKind] = &[R::Chair, R::Secretariat];

/// The permissions table: which roles may issue each command. A command
/// missing here is refused to everyone (a test checks that none is missing).
pub const PERMISSIONS: &[(CommandKind, &[RoleKind])] = &[
    // Agenda and running order.
    (C::OpenItem, PRESIDING),
    (C::NextItem, PRESIDING),
    (C::PreviousItem, PRESIDING),
    (C::MoveItem, PRESIDING),
    (C::SetTimeLimit, PRESIDING),
    // Speakers list: a delegation asks, withdraws and declares for itself.
    (C::RequestFloor, &[R::Delegation]),
    (C::InsertSpeaker, PRESIDING),
    (
        C::WithdrawRequest,
        &[R::Delegation, R::Chair, R::Secretariat],
    ),
    (
        C::DeclareLanguage,
        &[R::Delegation, R::Chair, R::Secretariat],
    ),
    (C::MoveRequest, PRESIDING),
    (C::RemoveRequest, PRESIDING),
    (C::ReaddRequest, PRESIDING),
    (C::CloseList, PRESIDING),
    (C::ReopenList, PRESIDING),
    // The floor and its timer: only the chair gives the floor.
    (C::CallNext, PRESIDING),
    (C::GiveFloor, PRESIDING),
    (C::EndSpeech, PRESIDING),
    (C::PauseTimer, PRESIDING),
    (C::ResumeTimer, PRESIDING),
    (C::ExtendTimer, PRESIDING),
    (C::ResetTimer, PRESIDING),
    (C::TimeUp, &[R::System]),
    // Scheduled presentations.
    (C::StartPresentation, PRESIDING),
    (C::SkipPresenter, PRESIDING),
    (C::DeferPresenter, PRESIDING),
    // Interpretation.
    (
        C::SetFloorLanguage,
        &[R::Chair, R::Secretariat, R::Technician],
    ),
    (C::RequestHandover, &[R::Interpreter, R::Technician]),
    (C::AcceptHandover, &[R::Interpreter, R::Technician]),
    (C::SlowerPlease, &[R::Interpreter]),
    (C::AcknowledgeSlowerPlease, PRESIDING),
    // Displays.
    (C::AssignView, &[R::Technician]),
    (C::PushMessage, &[R::Chair, R::Secretariat, R::Technician]),
    (C::ClearMessage, &[R::Chair, R::Secretariat, R::Technician]),
    (C::ReloadScreens, &[R::Technician]),
];

/// Whether the table lets `role` issue `command` (bindings aside).
pub fn permitted(role: RoleKind, command: CommandKind) -> bool {
    PERMISSIONS
        .iter()
        .any(|(c, roles)| *c == command && roles.contains(&role))
}

/// The role check of every command: the table, then the bindings.
pub fn authorise(role: &Role, command: &Command) -> Result<(), CommandError> {
    let kind = command.kind();
    if !permitted(role.kind(), kind) {
        return Err(CommandError::NotPermitted {
            role: role.kind(),
            command: kind,
        });
    }
    match (role, command) {
        (
            Role::Delegation { delegation },
            Command::RequestFloor {
                delegation: target, ..
            },
        ) if delegation != target => Err(CommandError::NotYourDelegation {
            delegation: target.clone(),
        }),
        (
            Role::Interpreter { booth },
            Command::RequestHandover { booth: target }
            | Command::AcceptHandover { booth: target }
            | Command::SlowerPlease { booth: target },
        ) if booth != target => Err(CommandError::NotYourBooth {
            booth: target.clone(),
        }),
        // Requests named by id are checked against their owner in decide,
        // where the request is known.
        _ => Ok(()),
    }
}
