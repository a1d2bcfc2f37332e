//! The order pipeline's vocabulary as C enums: order states, paths, flags, severities,
//! payment states, carrier tracking kinds, SLA stages, tasks, notifications and blacklists,
//! each with an `allot_<enum>_name()` that spells its values as the engine, the rules file and
//! Python do.
//!
//! The numbers are the order of the core's `ALL` arrays (`tests` below and
//! `ffi/tests/status.rs` check them against the core and the header). Enums C passes in are
//! plain `u32`s here (the `...Arg` aliases), validated by the `*_arg` functions.

use std::ffi::{CStr, c_char};

use allot_core::Error;
use allot_core::order::{
    BlacklistKind, FlagCode, Notification, OrderState, Path, PaymentState, Severity, Stage, TaskKind, TaskState,
    TrackingKind,
};

use crate::engine::unknown_enum;

const UNKNOWN: &CStr = c"unknown";

/// Where an order is in its life (the core's `OrderState`). The legal moves:
///
/// ```text
/// received -> flagged | in_review | reserved | cancelled
/// flagged -> in_review | cancelled
/// in_review -> reserved | return_requested | cancelled
/// reserved -> released_to_warehouse | in_review (hold) | cancelled
/// released_to_warehouse -> shipped | cancelled
/// shipped -> picked_up | delivered | exception
/// picked_up -> delivered | exception
/// exception -> picked_up | delivered | return_requested | returned
/// delivered -> return_requested
/// return_requested -> returned | delivered (return denied)
/// ```
///
/// `cancelled` and `returned` are final. Any other move is `ALLOT_STATUS_ILLEGAL_TRANSITION`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_order_state {
    /// Taken in, not yet decided (seen only inside intake, or after a crash during one).
    Received = 0,
    /// A check raised at least one flag; waits to be taken into review.
    Flagged = 1,
    /// A person (risk or manual review, or a hold) must decide.
    InReview = 2,
    /// Stock is held for it.
    Reserved = 3,
    /// Sent to the warehouse for picking.
    ReleasedToWarehouse = 4,
    /// Handed to a carrier (a waybill is assigned); its stock left.
    Shipped = 5,
    /// The carrier reported pickup.
    PickedUp = 6,
    Delivered = 7,
    /// Cancelled before shipping; any stock held was released.
    Cancelled = 8,
    /// The buyer asked to return it (or a return order was approved).
    ReturnRequested = 9,
    /// The goods came back.
    Returned = 10,
    /// The carrier reported a problem (lost, damaged, refused).
    Exception = 11,
}

/// How many `allot_order_state` values there are: the size of per-state count arrays.
pub const ALLOT_ORDER_STATE_COUNT: usize = 12;

/// Where routing sends an order (the core's `Path`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_path {
    /// No human: stock is reserved and the order flows on.
    Auto = 0,
    /// A risk reviewer looks at it (fraud, velocity, blacklists).
    RiskReview = 1,
    /// A person checks it (returns, cross-border, big orders).
    ManualReview = 2,
    /// Parked until someone releases it.
    Hold = 3,
}

/// How many `allot_path` values there are: the size of the per-path count arrays.
pub const ALLOT_PATH_COUNT: usize = 4;

/// Why an order needs a second look, raised by the checks at intake (the core's `FlagCode`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_flag {
    /// A required address field is empty.
    AddressIncomplete = 0,
    /// The province is not one of China's province-level divisions.
    UnknownProvince = 1,
    /// The city is not a city-level division of that province.
    UnknownCity = 2,
    /// The phone number is neither a mainland mobile nor a landline number.
    BadPhone = 3,
    BlacklistedBuyer = 4,
    BlacklistedPhone = 5,
    BlacklistedAddress = 6,
    /// Too many orders from this buyer in the velocity window.
    VelocityBuyer = 7,
    VelocityPhone = 8,
    VelocityAddress = 9,
    /// Above the amount limit of the rules file.
    AmountTooHigh = 10,
    /// Not enough stock to reserve the order at once.
    StockShort = 11,
    /// Not paid yet.
    Unpaid = 12,
}

/// How urgent a flag, an escalation or a task is. Ordered: a higher number is more urgent.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_severity {
    Low = 0,
    Medium = 1,
    High = 2,
    Critical = 3,
}

/// How many `allot_severity` values there are: the size of per-severity count arrays.
pub const ALLOT_SEVERITY_COUNT: usize = 4;

/// Whether the buyer paid (`allot_order_form.payment`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_payment {
    Unpaid = 0,
    Paid = 1,
    Refunded = 2,
}

/// What a carrier reports about a shipment (`allot_client_track()`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_tracking_kind {
    /// Moves a shipped order to picked up.
    PickedUp = 0,
    /// Recorded; moves nothing.
    InTransit = 1,
    /// Moves the order to delivered (and the buyer is told).
    Delivered = 2,
    /// Moves the order to exception.
    Exception = 3,
}

/// A stage of an order's life with a deadline (the rules file's `[sla]`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_stage {
    /// Flagged, in review or in a carrier exception: a person must decide.
    Review = 0,
    /// Reserved: the warehouse must take it.
    Release = 1,
    /// Released to the warehouse: it must ship.
    Ship = 2,
    /// Shipped: the carrier's first tracking event must arrive.
    Tracking = 3,
    /// Picked up: it must be delivered.
    Delivery = 4,
}

/// Why a to-do task was opened.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_task_kind {
    /// A stage ran past its deadline (the task's `stage` says which).
    Overdue = 0,
    /// No tracking arrived after shipping: someone must enter it by hand or chase the carrier
    /// (the task's `stage` is `ALLOT_STAGE_TRACKING`).
    EnterTracking = 1,
}

/// Where a to-do task is.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_task_state {
    Open = 0,
    /// Someone is on it.
    Acknowledged = 1,
    Closed = 2,
}

/// What the buyer is to be told (the channel's messaging picks these events up).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_notification {
    Shipped = 0,
    Delivered = 1,
}

/// Which blacklist (`allot_client_blacklist_add()`).
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum allot_blacklist {
    /// The buyer's id on the channel.
    Buyer = 0,
    /// A phone number, as the order form carries it.
    Phone = 1,
    /// An address: province, city, district and detail joined, compared without whitespace.
    Address = 2,
}

/// An `allot_order_state` as C passes it: any integer, validated.
pub type OrderStateArg = u32;
/// An `allot_path` as C passes it: any integer (the name function accepts any).
pub type PathArg = u32;
/// An `allot_flag` as C passes it.
pub type FlagArg = u32;
/// An `allot_severity` as C passes it.
pub type SeverityArg = u32;
/// An `allot_payment` as C passes it: any integer, validated.
pub type PaymentArg = u32;
/// An `allot_tracking_kind` as C passes it: any integer, validated.
pub type TrackingKindArg = u32;
/// An `allot_stage` as C passes it.
pub type StageArg = u32;
/// An `allot_task_state` as C passes it.
pub type TaskStateArg = u32;
/// An `allot_notification` as C passes it.
pub type NotificationArg = u32;
/// An `allot_blacklist` as C passes it: any integer, validated.
pub type BlacklistArg = u32;

// ---------------------------------------------------------------------------------------------
// Core to C

impl From<OrderState> for allot_order_state {
    fn from(state: OrderState) -> allot_order_state {
        use allot_order_state as C;
        match state {
            OrderState::Received => C::Received,
            OrderState::Flagged => C::Flagged,
            OrderState::InReview => C::InReview,
            OrderState::Reserved => C::Reserved,
            OrderState::ReleasedToWarehouse => C::ReleasedToWarehouse,
            OrderState::Shipped => C::Shipped,
            OrderState::PickedUp => C::PickedUp,
            OrderState::Delivered => C::Delivered,
            OrderState::Cancelled => C::Cancelled,
            OrderState::ReturnRequested => C::ReturnRequested,
            OrderState::Returned => C::Returned,
            OrderState::Exception => C::Exception,
        }
    }
}

impl From<Path> for allot_path {
    fn from(path: Path) -> allot_path {
        match path {
            Path::Auto => allot_path::Auto,
            Path::RiskReview => allot_path::RiskReview,
            Path::ManualReview => allot_path::ManualReview,
            Path::Hold => allot_path::Hold,
        }
    }
}

impl From<FlagCode> for allot_flag {
    fn from(code: FlagCode) -> allot_flag {
        use allot_flag as C;
        match code {
            FlagCode::AddressIncomplete => C::AddressIncomplete,
            FlagCode::UnknownProvince => C::UnknownProvince,
            FlagCode::UnknownCity => C::UnknownCity,
            FlagCode::BadPhone => C::BadPhone,
            FlagCode::BlacklistedBuyer => C::BlacklistedBuyer,
            FlagCode::BlacklistedPhone => C::BlacklistedPhone,
            FlagCode::BlacklistedAddress => C::BlacklistedAddress,
            FlagCode::VelocityBuyer => C::VelocityBuyer,
            FlagCode::VelocityPhone => C::VelocityPhone,
            FlagCode::VelocityAddress => C::VelocityAddress,
            FlagCode::AmountTooHigh => C::AmountTooHigh,
            FlagCode::StockShort => C::StockShort,
            FlagCode::Unpaid => C::Unpaid,
        }
    }
}

impl From<Severity> for allot_severity {
    fn from(severity: Severity) -> allot_severity {
        match severity {
            Severity::Low => allot_severity::Low,
            Severity::Medium => allot_severity::Medium,
            Severity::High => allot_severity::High,
            Severity::Critical => allot_severity::Critical,
        }
    }
}

impl From<PaymentState> for allot_payment {
    fn from(payment: PaymentState) -> allot_payment {
        match payment {
            PaymentState::Unpaid => allot_payment::Unpaid,
            PaymentState::Paid => allot_payment::Paid,
            PaymentState::Refunded => allot_payment::Refunded,
        }
    }
}

impl From<TrackingKind> for allot_tracking_kind {
    fn from(kind: TrackingKind) -> allot_tracking_kind {
        match kind {
            TrackingKind::PickedUp => allot_tracking_kind::PickedUp,
            TrackingKind::InTransit => allot_tracking_kind::InTransit,
            TrackingKind::Delivered => allot_tracking_kind::Delivered,
            TrackingKind::Exception => allot_tracking_kind::Exception,
        }
    }
}

impl From<Stage> for allot_stage {
    fn from(stage: Stage) -> allot_stage {
        match stage {
            Stage::Review => allot_stage::Review,
            Stage::Release => allot_stage::Release,
            Stage::Ship => allot_stage::Ship,
            Stage::Tracking => allot_stage::Tracking,
            Stage::Delivery => allot_stage::Delivery,
        }
    }
}

/// A task's kind and its stage (an enter-tracking task belongs to the tracking stage).
pub(crate) fn task_kind(kind: TaskKind) -> (allot_task_kind, allot_stage) {
    match kind {
        TaskKind::Overdue(stage) => (allot_task_kind::Overdue, stage.into()),
        TaskKind::EnterTracking => (allot_task_kind::EnterTracking, allot_stage::Tracking),
    }
}

impl From<TaskState> for allot_task_state {
    fn from(state: TaskState) -> allot_task_state {
        match state {
            TaskState::Open => allot_task_state::Open,
            TaskState::Acknowledged => allot_task_state::Acknowledged,
            TaskState::Closed => allot_task_state::Closed,
        }
    }
}

impl From<Notification> for allot_notification {
    fn from(kind: Notification) -> allot_notification {
        match kind {
            Notification::Shipped => allot_notification::Shipped,
            Notification::Delivered => allot_notification::Delivered,
        }
    }
}

impl From<BlacklistKind> for allot_blacklist {
    fn from(list: BlacklistKind) -> allot_blacklist {
        match list {
            BlacklistKind::Buyer => allot_blacklist::Buyer,
            BlacklistKind::Phone => allot_blacklist::Phone,
            BlacklistKind::Address => allot_blacklist::Address,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// C to core (validated)

pub(crate) fn order_state_arg(what: &str, value: OrderStateArg) -> Result<OrderState, Error> {
    usize::try_from(value)
        .ok()
        .and_then(|index| OrderState::ALL.get(index).copied())
        .ok_or_else(|| unknown_enum(what, "allot_order_state", value))
}

pub(crate) fn payment_arg(what: &str, value: PaymentArg) -> Result<PaymentState, Error> {
    match value {
        0 => Ok(PaymentState::Unpaid),
        1 => Ok(PaymentState::Paid),
        2 => Ok(PaymentState::Refunded),
        other => Err(unknown_enum(what, "allot_payment", other)),
    }
}

pub(crate) fn tracking_kind_arg(what: &str, value: TrackingKindArg) -> Result<TrackingKind, Error> {
    usize::try_from(value)
        .ok()
        .and_then(|index| TrackingKind::ALL.get(index).copied())
        .ok_or_else(|| unknown_enum(what, "allot_tracking_kind", value))
}

pub(crate) fn blacklist_arg(what: &str, value: BlacklistArg) -> Result<BlacklistKind, Error> {
    usize::try_from(value)
        .ok()
        .and_then(|index| BlacklistKind::ALL.get(index).copied())
        .ok_or_else(|| unknown_enum(what, "allot_blacklist", value))
}

// ---------------------------------------------------------------------------------------------
// Names

fn name_of(names: &[&'static CStr], value: u32) -> *const c_char {
    usize::try_from(value).ok().and_then(|index| names.get(index)).unwrap_or(&UNKNOWN).as_ptr()
}

const ORDER_STATE_NAMES: [&CStr; ALLOT_ORDER_STATE_COUNT] = [
    c"received",
    c"flagged",
    c"in_review",
    c"reserved",
    c"released_to_warehouse",
    c"shipped",
    c"picked_up",
    c"delivered",
    c"cancelled",
    c"return_requested",
    c"returned",
    c"exception",
];
const PATH_NAMES: [&CStr; ALLOT_PATH_COUNT] = [c"auto", c"risk_review", c"manual_review", c"hold"];
const FLAG_NAMES: [&CStr; 13] = [
    c"address_incomplete",
    c"unknown_province",
    c"unknown_city",
    c"bad_phone",
    c"blacklisted_buyer",
    c"blacklisted_phone",
    c"blacklisted_address",
    c"velocity_buyer",
    c"velocity_phone",
    c"velocity_address",
    c"amount_too_high",
    c"stock_short",
    c"unpaid",
];
const SEVERITY_NAMES: [&CStr; ALLOT_SEVERITY_COUNT] = [c"low", c"medium", c"high", c"critical"];
const PAYMENT_NAMES: [&CStr; 3] = [c"unpaid", c"paid", c"refunded"];
const TRACKING_KIND_NAMES: [&CStr; 4] = [c"picked_up", c"in_transit", c"delivered", c"exception"];
const STAGE_NAMES: [&CStr; 5] = [c"review", c"release", c"ship", c"tracking", c"delivery"];
const TASK_STATE_NAMES: [&CStr; 3] = [c"open", c"acknowledged", c"closed"];
const NOTIFICATION_NAMES: [&CStr; 2] = [c"shipped", c"delivered"];
const BLACKLIST_NAMES: [&CStr; 3] = [c"buyer", c"phone", c"address"];

/// The name of an order state as the engine spells it ("in_review", "released_to_warehouse",
/// ...); "unknown" for a number that is not an `allot_order_state`. Static: never free it.
#[unsafe(no_mangle)]
pub extern "C" fn allot_order_state_name(state: OrderStateArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&ORDER_STATE_NAMES, state))
}

/// The name of a path as rules files spell it ("auto", "risk_review", "manual_review",
/// "hold"); "unknown" for any other number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_path_name(path: PathArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&PATH_NAMES, path))
}

/// The name of a flag as rules files spell it ("bad_phone", "stock_short", ...); "unknown"
/// for any other number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_flag_name(flag: FlagArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&FLAG_NAMES, flag))
}

/// The name of a severity ("low", "medium", "high", "critical"); "unknown" for any other
/// number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_severity_name(severity: SeverityArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&SEVERITY_NAMES, severity))
}

/// The name of a payment state ("unpaid", "paid", "refunded"); "unknown" for any other
/// number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_payment_name(payment: PaymentArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&PAYMENT_NAMES, payment))
}

/// The name of a tracking kind ("picked_up", "in_transit", "delivered", "exception");
/// "unknown" for any other number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_tracking_kind_name(kind: TrackingKindArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&TRACKING_KIND_NAMES, kind))
}

/// The name of an SLA stage as the rules file's `[sla]` keys spell it ("review", "release",
/// "ship", "tracking", "delivery"); "unknown" for any other number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_stage_name(stage: StageArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&STAGE_NAMES, stage))
}

/// The name of a task state ("open", "acknowledged", "closed"); "unknown" for any other
/// number. Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_task_state_name(state: TaskStateArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&TASK_STATE_NAMES, state))
}

/// The name of a notification ("shipped", "delivered"); "unknown" for any other number.
/// Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_notification_name(kind: NotificationArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&NOTIFICATION_NAMES, kind))
}

/// The name of a blacklist ("buyer", "phone", "address"); "unknown" for any other number.
/// Static.
#[unsafe(no_mangle)]
pub extern "C" fn allot_blacklist_name(list: BlacklistArg) -> *const c_char {
    crate::panic::guard_value(UNKNOWN.as_ptr(), || name_of(&BLACKLIST_NAMES, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(ptr: *const c_char) -> &'static str {
        // SAFETY: every name function returns a static NUL-terminated string.
        unsafe { CStr::from_ptr(ptr) }.to_str().unwrap()
    }

    /// Every C value is the core value's index in its `ALL`, and is named as the core names it.
    #[test]
    fn numbers_and_names_follow_the_core() {
        assert_eq!(ALLOT_ORDER_STATE_COUNT, OrderState::ALL.len());
        assert_eq!(ALLOT_PATH_COUNT, Path::ALL.len());
        for (index, state) in OrderState::ALL.into_iter().enumerate() {
            assert_eq!(allot_order_state::from(state) as usize, index);
            assert_eq!(name(allot_order_state_name(index as u32)), state.name());
            assert_eq!(order_state_arg("s", index as u32).unwrap(), state);
        }
        for (index, path) in Path::ALL.into_iter().enumerate() {
            assert_eq!(allot_path::from(path) as usize, index);
            assert_eq!(name(allot_path_name(index as u32)), path.name());
        }
        for (index, flag) in FlagCode::ALL.into_iter().enumerate() {
            assert_eq!(allot_flag::from(flag) as usize, index);
            assert_eq!(name(allot_flag_name(index as u32)), flag.name());
        }
        for (index, severity) in
            [Severity::Low, Severity::Medium, Severity::High, Severity::Critical].into_iter().enumerate()
        {
            assert_eq!(allot_severity::from(severity) as usize, index);
            assert_eq!(name(allot_severity_name(index as u32)), severity.name());
        }
        for (index, payment) in
            [PaymentState::Unpaid, PaymentState::Paid, PaymentState::Refunded].into_iter().enumerate()
        {
            assert_eq!(allot_payment::from(payment) as usize, index);
            assert_eq!(name(allot_payment_name(index as u32)), payment.name());
            assert_eq!(payment_arg("p", index as u32).unwrap(), payment);
        }
        for (index, kind) in TrackingKind::ALL.into_iter().enumerate() {
            assert_eq!(allot_tracking_kind::from(kind) as usize, index);
            assert_eq!(name(allot_tracking_kind_name(index as u32)), kind.name());
            assert_eq!(tracking_kind_arg("k", index as u32).unwrap(), kind);
        }
        for (index, stage) in Stage::ALL.into_iter().enumerate() {
            assert_eq!(allot_stage::from(stage) as usize, index);
            assert_eq!(name(allot_stage_name(index as u32)), stage.name());
        }
        for (index, state) in [TaskState::Open, TaskState::Acknowledged, TaskState::Closed].into_iter().enumerate() {
            assert_eq!(allot_task_state::from(state) as usize, index);
            assert_eq!(name(allot_task_state_name(index as u32)), state.name());
        }
        for (index, kind) in [Notification::Shipped, Notification::Delivered].into_iter().enumerate() {
            assert_eq!(allot_notification::from(kind) as usize, index);
            assert_eq!(name(allot_notification_name(index as u32)), kind.name());
        }
        for (index, list) in BlacklistKind::ALL.into_iter().enumerate() {
            assert_eq!(allot_blacklist::from(list) as usize, index);
            assert_eq!(name(allot_blacklist_name(index as u32)), list.name());
            assert_eq!(blacklist_arg("l", index as u32).unwrap(), list);
        }
        assert_eq!(task_kind(TaskKind::EnterTracking), (allot_task_kind::EnterTracking, allot_stage::Tracking));
        assert_eq!(task_kind(TaskKind::Overdue(Stage::Ship)), (allot_task_kind::Overdue, allot_stage::Ship));
    }

    #[test]
    fn other_numbers_are_unknown_or_refused() {
        for value in [12, 99, u32::MAX] {
            assert_eq!(name(allot_order_state_name(value)), "unknown");
            assert!(order_state_arg("state", value).is_err());
        }
        assert_eq!(name(allot_flag_name(13)), "unknown");
        assert_eq!(name(allot_flag_name(u32::MAX)), "unknown");
        assert_eq!(name(allot_path_name(4)), "unknown");
        assert_eq!(name(allot_severity_name(4)), "unknown");
        assert_eq!(name(allot_payment_name(3)), "unknown");
        assert_eq!(name(allot_tracking_kind_name(4)), "unknown");
        assert_eq!(name(allot_stage_name(5)), "unknown");
        assert_eq!(name(allot_task_state_name(3)), "unknown");
        assert_eq!(name(allot_notification_name(2)), "unknown");
        assert_eq!(name(allot_blacklist_name(3)), "unknown");
        assert!(payment_arg("payment", 3).is_err());
        assert!(tracking_kind_arg("kind", 4).is_err());
        assert!(blacklist_arg("list", 3).is_err());
    }
}
