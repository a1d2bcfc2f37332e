//! The order pipeline: intake, checks, routing, the order state machine, SLA and logistics.

pub mod adapters;
pub mod address;
pub(crate) mod book;
pub mod change;
pub mod form;
pub(crate) mod pipeline;
pub mod state;

pub use self::adapters::{AdapterError, STYLES, adapt};
pub use self::address::{Division, Divisions, check_address, phone_is_valid};
pub use self::book::{Order, Task};
pub use self::change::{BlacklistKind, Notification, PipelineChange, Stage, TaskKind, TaskState, TrackingKind};
pub use self::form::{Address, Flag, FlagCode, FormLine, OrderForm, Path, PaymentState, Severity};
pub use self::pipeline::Intake;
pub use self::state::OrderState;
