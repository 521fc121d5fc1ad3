//! Who may do what. One table ([`PERMISSIONS`]) says which role may issue
//! which command; the bindings (a delegation acts only for itself, an
//! interpreter only for its booth) are checked in [`authorise`]. Beside it,
//! [`CAPABILITIES`] says who may do what is not a command (export the
//! minutes, see the screens' presence), and [`CODE_MANAGEMENT`] who may
//! issue, list and revoke the access codes of which roles.

use std::fmt;
use std::str::FromStr;

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

/// The short form of a role used by access codes, the command line, logs
/// and command ids: `chair`, `secretariat`, `technician`, `delegation:hn`,
/// `interpreter:booth-es`, `screen:hall-left` (and `public`, `system`,
/// which no code has and [`FromStr`] refuses).
impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Role::Delegation { delegation } => write!(f, "delegation:{delegation}"),
            Role::Interpreter { booth } => write!(f, "interpreter:{booth}"),
            Role::Screen { screen } => write!(f, "screen:{screen}"),
            other => f.write_str(other.kind().as_str()),
        }
    }
}

/// Parses the roles an access code may have, in [`Role`]'s `Display` form.
impl FromStr for Role {
    type Err = ParseRoleError;

    fn from_str(key: &str) -> Result<Role, ParseRoleError> {
        let invalid = || ParseRoleError(key.to_owned());
        Ok(match key.split_once(':') {
            None => match key {
                "chair" => Role::Chair,
                "secretariat" => Role::Secretariat,
                "technician" => Role::Technician,
                _ => return Err(invalid()),
            },
            Some(("delegation", id)) if !id.is_empty() => Role::Delegation {
                delegation: DelegationId::new(id),
            },
            Some(("interpreter", id)) if !id.is_empty() => Role::Interpreter {
                booth: BoothId::new(id),
            },
            Some(("screen", id)) if !id.is_empty() => Role::Screen {
                screen: ScreenId::new(id),
            },
            Some(_) => return Err(invalid()),
        })
    }
}

/// Not a role an access code may have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a role: use chair, secretariat, technician, delegation:<id>, interpreter:<booth> or screen:<id>"
)]
pub struct ParseRoleError(pub String);

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
    (C::UndoFloorChange, PRESIDING),
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
    (C::HandOver, &[R::Interpreter, R::Technician]),
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
            | Command::HandOver { booth: target, .. }
            | Command::SlowerPlease { booth: target },
        ) if booth != target => Err(CommandError::NotYourBooth {
            booth: target.clone(),
        }),
        // Requests named by id are checked against their owner in decide,
        // where the request is known.
        _ => Ok(()),
    }
}

/// What a role may do besides commands.
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
pub enum Capability {
    /// Export the speaking log and the running order as minutes.
    ExportMinutes,
    /// See which room screens are connected, their round trip and clock
    /// offset (`presence` frames).
    SeePresence,
}

impl Capability {
    pub const ALL: [Capability; 2] = [Capability::ExportMinutes, Capability::SeePresence];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::ExportMinutes => "export_minutes",
            Capability::SeePresence => "see_presence",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The roles that run the hall: the chair, the secretariat, the technician.
const HALL_STAFF: &[RoleKind] = &[R::Chair, R::Secretariat, R::Technician];

/// The capabilities table: which roles have each capability. One missing
/// here is had by nobody (a test checks that none is missing).
pub const CAPABILITIES: &[(Capability, &[RoleKind])] = &[
    (Capability::ExportMinutes, HALL_STAFF),
    (Capability::SeePresence, HALL_STAFF),
];

/// Whether the table gives `role` the capability.
pub fn capable(role: RoleKind, capability: Capability) -> bool {
    CAPABILITIES
        .iter()
        .any(|(c, roles)| *c == capability && roles.contains(&role))
}

/// The check of every capability: the table.
pub fn may(role: &Role, capability: Capability) -> Result<(), CommandError> {
    if capable(role.kind(), capability) {
        Ok(())
    } else {
        Err(CommandError::CapabilityNotPermitted {
            role: role.kind(),
            capability,
        })
    }
}

/// Who manages access codes: a role of the meeting, or the operator — the
/// command line, or whoever presents the operator token of the
/// configuration — who may do anything with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CodeManager {
    Operator,
    Role(RoleKind),
}

impl From<&Role> for CodeManager {
    fn from(role: &Role) -> CodeManager {
        CodeManager::Role(role.kind())
    }
}

impl fmt::Display for CodeManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeManager::Operator => f.write_str("operator"),
            CodeManager::Role(kind) => kind.fmt(f),
        }
    }
}

/// The roles that log in with an access code (the public needs none; no
/// connection is the system).
pub const CODE_ROLES: &[RoleKind] = &[
    R::Chair,
    R::Secretariat,
    R::Technician,
    R::Delegation,
    R::Interpreter,
    R::Screen,
];

/// The code-management table: whose codes each role may issue, list and
/// revoke. Only the chair (and the operator) mints a chair code; the
/// technician hands out the codes of the floor, the booths and the
/// screens. A role missing here manages no codes.
pub const CODE_MANAGEMENT: &[(RoleKind, &[RoleKind])] = &[
    (R::Chair, CODE_ROLES),
    (
        R::Secretariat,
        &[
            R::Secretariat,
            R::Technician,
            R::Delegation,
            R::Interpreter,
            R::Screen,
        ],
    ),
    (R::Technician, &[R::Delegation, R::Interpreter, R::Screen]),
];

impl CodeManager {
    /// Whether this manager may issue, list and revoke codes of `target`.
    pub fn manages(self, target: RoleKind) -> bool {
        match self {
            CodeManager::Operator => CODE_ROLES.contains(&target),
            CodeManager::Role(kind) => CODE_MANAGEMENT
                .iter()
                .any(|(manager, targets)| *manager == kind && targets.contains(&target)),
        }
    }

    /// Whether this manager manages the codes of any role.
    pub fn manages_any(self) -> bool {
        CODE_ROLES.iter().any(|target| self.manages(*target))
    }

    fn refusal(self, target: Option<RoleKind>) -> CommandError {
        match self {
            CodeManager::Role(role) => CommandError::AccessCodesNotPermitted { role, target },
            // The operator manages every code there is: what it cannot
            // manage has no codes.
            CodeManager::Operator => CommandError::NoAccessCodes {
                role: target.unwrap_or(RoleKind::Public),
            },
        }
    }
}

/// Whether `manager` may see the list of codes at all (it then sees only
/// the codes of roles it [manages](CodeManager::manages)).
pub fn may_list_codes(manager: CodeManager) -> Result<(), CommandError> {
    if manager.manages_any() {
        Ok(())
    } else {
        Err(manager.refusal(None))
    }
}

/// Whether `manager` may issue a code for a role of kind `target`.
pub fn may_issue_code(manager: CodeManager, target: RoleKind) -> Result<(), CommandError> {
    if !CODE_ROLES.contains(&target) {
        return Err(CommandError::NoAccessCodes { role: target });
    }
    if manager.manages(target) {
        Ok(())
    } else {
        Err(manager.refusal(Some(target)))
    }
}

/// Whether `manager` may revoke a code of a role of kind `target`, when
/// the meeting has `active_chair_codes` active chair codes (the one to
/// revoke included). Nobody but the operator revokes the chair's last
/// code: the chair would be locked out of their own meeting.
pub fn may_revoke_code(
    manager: CodeManager,
    target: RoleKind,
    active_chair_codes: usize,
) -> Result<(), CommandError> {
    may_issue_code(manager, target)?;
    if target == RoleKind::Chair && active_chair_codes <= 1 && manager != CodeManager::Operator {
        return Err(CommandError::LastChairCode);
    }
    Ok(())
}
