//! The order pipeline: intake, checks, routing, the order state machine, SLA and logistics.

pub mod form;

pub use self::form::{Address, Flag, FlagCode, FormLine, OrderForm, Path, PaymentState, Severity};
