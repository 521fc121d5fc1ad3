//! # plenary-core
//!
//! The plenary meeting as a pure, event-sourced state machine. No IO, no
//! async, no clock reads: time is always an argument.
//!
//! - [`decide`] checks a [`Command`] from an actor ([`Role`]) against the
//!   [`Meeting`] and returns [`Event`]s or a [`CommandError`].
//! - [`Meeting::apply`] folds a committed [`StoredEvent`] into the state;
//!   [`Meeting::replay`] folds a whole log.
//! - Everything else — [`projections`], the relay plan
//!   ([`interpretation::relay`]), timers' remaining time — is derived.
//!
//! Where the rules live: [`decide`] and [`Meeting::apply`] dispatch each
//! command and event to the `decide_*` / `apply_*` functions of its area.
//!
//! | rule | module |
//! |---|---|
//! | who may do what | [`roles`] |
//! | speakers list: admission, order, limits, requests | [`speakers`] |
//! | the floor: calling, giving the floor, ending, points of order, timers, the speaking log | [`floor`] |
//! | countdowns | [`timer`] |
//! | undoing a floor change made by mistake | [`undo`] |
//! | scheduled presentations | [`presentations`] |
//! | agenda / running order | [`agenda`], [`projections`] |
//! | interpretation and relay | [`interpretation`] |
//! | room displays | [`display`] |
//! | rules of procedure and presets | [`rules`] |
//! | meeting files | [`definition`] |
//! | numbering and stamping events | [`stamp`] |
//! | the meeting's time zone | [`zone`] |
//! | the record of the session: totals, overruns, interpretation minutes | [`record`] |

pub mod agenda;
pub mod command;
mod decide;
pub mod definition;
pub mod display;
pub mod error;
pub mod event;
pub mod floor;
pub mod i18n;
pub mod ids;
pub mod interpretation;
mod meeting;
pub mod presentations;
pub mod projections;
pub mod record;
pub mod roles;
pub mod roster;
pub mod rules;
mod schema;
pub mod script;
pub mod speakers;
pub mod time;
pub mod timer;
pub mod undo;
pub mod zone;

pub use command::{Command, CommandKind};
pub use decide::{decide, decide_seen, execute};
pub use definition::MeetingDefinition;
pub use error::{CommandError, ErrorClass};
pub use event::{EVENT_VERSION, Event, StoredEvent, stamp};
pub use meeting::{Meeting, ReplayError};
pub use roles::Role;
pub use time::{Millis, Timestamp};
