//! What each role may see, in two forms.
//!
//! - **Events** ([`audience`]): every committed event, redacted per
//!   [`Audience`], for programs that keep their own copy of the state
//!   (`plenary-client`, integrations, exports, followers).
//! - **View documents** (this module): what each display renders, derived
//!   here from the state once per committed batch for each [`ViewKey`]
//!   that has a subscriber, and sent as a whole once, then as RFC 6902
//!   JSON Patches. Every rule — who is next, when, what a delegation may
//!   ask for, the relay plan, countdown thresholds — is applied in Rust
//!   before a document leaves the server; the browser only formats.
//!
//! A document is a pure function of the state, with no clock in it:
//! instants that move while someone overruns are [`Eta`]s and countdowns
//! carry their thresholds as instants, so a document stays true until the
//! next event and nothing is resent every second.
//!
//! [`Eta`]: plenary_core::projections::Eta

mod audience;
mod consoles;
mod delegation;
mod diff;
mod interpretation;
mod parts;
mod public;
mod screen;

pub use audience::{Audience, actor_visible, event_frame, event_visible, redact};
pub use consoles::{
    BoothView, DelegationLine, FeedAhead, GoneRequest, PresidingView, QueuedRequest, ScreenLine,
    SlotLine, TechnicianView, UndoOffer,
};
pub use delegation::{DelegationView, MyRequest};
pub use diff::diff;
pub use interpretation::{
    AdviceLine, BoothLine, CoverageLine, DutyLine, InterpretationView, InterpreterLine, PlanAhead,
};
pub use parts::{AgendaLine, Heading, ItemHeading, NextUp, OnFloor, Schedule, Spoken};
pub use public::PublicView;
pub use screen::{LegendLine, ScreenContent, ScreenInfo, ScreenView};

use std::fmt;

use serde::{Deserialize, Serialize};

use plenary_core::ids::{BoothId, DelegationId, ScreenId};
use plenary_core::{Meeting, Role};

/// The clients that render exactly the same document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViewKey {
    /// The chair and the secretariat.
    Presiding,
    Technician,
    Booth(BoothId),
    Delegation(DelegationId),
    Screen(ScreenId),
    Public,
}

impl ViewKey {
    pub fn of(role: &Role) -> ViewKey {
        match role {
            Role::Chair | Role::Secretariat | Role::System => ViewKey::Presiding,
            Role::Technician => ViewKey::Technician,
            Role::Interpreter { booth } => ViewKey::Booth(booth.clone()),
            Role::Delegation { delegation } => ViewKey::Delegation(delegation.clone()),
            Role::Screen { screen } => ViewKey::Screen(screen.clone()),
            Role::Public => ViewKey::Public,
        }
    }
}

impl ViewKey {
    /// The audience whose events this key's document is derived within.
    pub fn audience(&self) -> Audience {
        match self {
            ViewKey::Presiding => Audience::Presiding,
            ViewKey::Technician => Audience::Technician,
            ViewKey::Booth(_) => Audience::Interpreter,
            ViewKey::Delegation(_) => Audience::Delegation,
            ViewKey::Screen(_) => Audience::Screen,
            ViewKey::Public => Audience::Public,
        }
    }
}

impl fmt::Display for ViewKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewKey::Presiding => f.write_str("presiding"),
            ViewKey::Technician => f.write_str("technician"),
            ViewKey::Booth(b) => write!(f, "booth:{b}"),
            ViewKey::Delegation(d) => write!(f, "delegation:{d}"),
            ViewKey::Screen(s) => write!(f, "screen:{s}"),
            ViewKey::Public => f.write_str("public"),
        }
    }
}

/// The document one display renders, tagged by `surface`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "surface", rename_all = "snake_case")]
pub enum SurfaceView {
    Presiding(PresidingView),
    Technician(TechnicianView),
    Booth(BoothView),
    Delegation(DelegationView),
    Screen(ScreenView),
    Public(PublicView),
}

/// Derives the document for `key`; `None` when the meeting does not know
/// the booth, delegation or screen.
pub fn derive(meeting: &Meeting, key: &ViewKey) -> Option<SurfaceView> {
    Some(match key {
        ViewKey::Presiding => SurfaceView::Presiding(consoles::presiding(meeting)),
        ViewKey::Technician => SurfaceView::Technician(consoles::technician(meeting)),
        ViewKey::Booth(b) => SurfaceView::Booth(consoles::booth(meeting, b)?),
        ViewKey::Delegation(d) => SurfaceView::Delegation(delegation::delegation(meeting, d)?),
        ViewKey::Screen(s) => SurfaceView::Screen(screen::screen(meeting, s)?),
        ViewKey::Public => SurfaceView::Public(public::public(meeting)),
    })
}
