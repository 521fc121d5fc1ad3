//! Views of the state, derived in one place: the running order with its
//! drift and projected end, who speaks next and when, and what a delegation
//! may ask for. Pure functions of the state; instants that move with the
//! clock are [`Eta`]s, so a derived view stays true until the next event.

mod admission;
mod eta;
mod running_order;
mod upcoming;

pub use admission::{Admission, Verdict, may_request};
pub use eta::{Drift, Eta};
pub use running_order::{
    ItemEta, ItemProjection, ItemTimes, ProjectedOrder, RunningOrder, WaitEstimate,
    projected_order, running_order, wait_estimates,
};
pub use upcoming::{Turn, Upcoming, upcoming};
