//! What the order pipeline logs: one record kind (`Record::Pipeline`) carrying a
//! [`PipelineChange`]. Every transition, flag, escalation, task change, waybill, tracking event,
//! notification, blacklist edit, rules change and stock alert is one of these, so each survives
//! a restart and reaches event subscribers in order.
//!
//! **Invariant:** as for `Record`, variants and fields are never reordered or removed.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::ids::SkuId;
use crate::order::form::{Flag, OrderForm, Path, Severity};
use crate::order::state::OrderState;

// Records live briefly (encoded at once, or handed to a subscriber); an intake's order form
// inline is cheaper than a box per order.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PipelineChange<'a> {
    /// An order taken in: its form, the checks' flags, routing's decision, the state it landed in.
    Received {
        #[serde(borrow)]
        order: Cow<'a, str>,
        form: Cow<'a, OrderForm>,
        flags: Cow<'a, [Flag]>,
        path: Path,
        #[serde(borrow)]
        rule: Option<Cow<'a, str>>,
        state: OrderState,
    },
    /// An order moved from one state to another, by whom and why.
    Moved {
        #[serde(borrow)]
        order: Cow<'a, str>,
        from: OrderState,
        to: OrderState,
        #[serde(borrow)]
        by: Cow<'a, str>,
        #[serde(borrow)]
        note: Cow<'a, str>,
    },
    /// A waybill was written back to an order.
    Waybill {
        #[serde(borrow)]
        order: Cow<'a, str>,
        #[serde(borrow)]
        carrier: Cow<'a, str>,
        #[serde(borrow)]
        tracking_number: Cow<'a, str>,
    },
    /// A carrier reported on a shipment.
    Tracking {
        #[serde(borrow)]
        order: Cow<'a, str>,
        kind: TrackingKind,
        #[serde(borrow)]
        detail: Cow<'a, str>,
    },
    /// A stage's deadline passed: tier `tier` (from 0) of the rules' escalation tiers.
    Escalated {
        #[serde(borrow)]
        order: Cow<'a, str>,
        stage: Stage,
        tier: u8,
        severity: Severity,
        task: u64,
    },
    /// A to-do task was opened for an order.
    TaskOpened {
        task: u64,
        #[serde(borrow)]
        order: Cow<'a, str>,
        kind: TaskKind,
        severity: Severity,
        #[serde(borrow)]
        assignee: Cow<'a, str>,
    },
    /// A task was acknowledged, closed, or raised in severity.
    TaskChanged {
        task: u64,
        state: TaskState,
        severity: Severity,
        #[serde(borrow)]
        by: Cow<'a, str>,
    },
    /// The buyer is to be told something (the channel's messaging picks this event up).
    Notified {
        #[serde(borrow)]
        order: Cow<'a, str>,
        kind: Notification,
    },
    /// A blacklist entry was added or removed.
    Blacklist {
        list: BlacklistKind,
        #[serde(borrow)]
        value: Cow<'a, str>,
        added: bool,
        #[serde(borrow)]
        by: Cow<'a, str>,
    },
    /// The live rules file changed: its whole text, and who changed it.
    Rules {
        #[serde(borrow)]
        text: Cow<'a, str>,
        #[serde(borrow)]
        by: Cow<'a, str>,
    },
    /// A SKU's availability over all warehouses fell to or below its low-stock level.
    StockAlert { sku: SkuId, available: u64, threshold: u64 },
}

/// What a carrier reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TrackingKind {
    PickedUp,
    InTransit,
    Delivered,
    Exception,
}

impl TrackingKind {
    pub const ALL: [TrackingKind; 4] =
        [TrackingKind::PickedUp, TrackingKind::InTransit, TrackingKind::Delivered, TrackingKind::Exception];

    pub fn name(self) -> &'static str {
        match self {
            TrackingKind::PickedUp => "picked_up",
            TrackingKind::InTransit => "in_transit",
            TrackingKind::Delivered => "delivered",
            TrackingKind::Exception => "exception",
        }
    }

    pub fn parse(name: &str) -> Option<TrackingKind> {
        TrackingKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// A stage of an order's life with a deadline (from the rules file's `[sla]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Stage {
    /// Flagged or in review: a person must decide.
    Review,
    /// Reserved: the warehouse must take it.
    Release,
    /// Released to the warehouse: it must ship.
    Ship,
    /// Shipped: the carrier's first tracking event must arrive (4 hours by default).
    Tracking,
    /// Picked up or in an exception: it must be delivered (or resolved).
    Delivery,
}

impl Stage {
    pub const ALL: [Stage; 5] = [Stage::Review, Stage::Release, Stage::Ship, Stage::Tracking, Stage::Delivery];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Review => "review",
            Stage::Release => "release",
            Stage::Ship => "ship",
            Stage::Tracking => "tracking",
            Stage::Delivery => "delivery",
        }
    }

    /// The stage an order in `state` is in, if that state has a deadline.
    pub fn of(state: OrderState) -> Option<Stage> {
        match state {
            OrderState::Flagged | OrderState::InReview | OrderState::Exception => Some(Stage::Review),
            OrderState::Reserved => Some(Stage::Release),
            OrderState::ReleasedToWarehouse => Some(Stage::Ship),
            OrderState::Shipped => Some(Stage::Tracking),
            OrderState::PickedUp => Some(Stage::Delivery),
            _ => None,
        }
    }

    /// Who is told first when this stage stalls.
    pub fn owner(self) -> &'static str {
        match self {
            Stage::Review => "orders",
            Stage::Release | Stage::Ship | Stage::Tracking => "warehouse",
            Stage::Delivery => "logistics",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskKind {
    /// A stage ran past its deadline.
    Overdue(Stage),
    /// No tracking arrived after shipping: someone must enter it by hand (or chase the carrier).
    EnterTracking,
}

impl TaskKind {
    pub fn name(self) -> String {
        match self {
            TaskKind::Overdue(stage) => format!("overdue_{}", stage.name()),
            TaskKind::EnterTracking => "enter_tracking".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskState {
    Open,
    Acknowledged,
    Closed,
}

impl TaskState {
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Acknowledged => "acknowledged",
            TaskState::Closed => "closed",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Notification {
    Shipped,
    Delivered,
}

impl Notification {
    pub fn name(self) -> &'static str {
        match self {
            Notification::Shipped => "shipped",
            Notification::Delivered => "delivered",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BlacklistKind {
    Buyer,
    Phone,
    Address,
}

impl BlacklistKind {
    pub const ALL: [BlacklistKind; 3] = [BlacklistKind::Buyer, BlacklistKind::Phone, BlacklistKind::Address];

    pub fn name(self) -> &'static str {
        match self {
            BlacklistKind::Buyer => "buyer",
            BlacklistKind::Phone => "phone",
            BlacklistKind::Address => "address",
        }
    }

    pub fn parse(name: &str) -> Option<BlacklistKind> {
        BlacklistKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

impl PipelineChange<'_> {
    /// The order this change is about, if it is about one order.
    pub fn order(&self) -> Option<&str> {
        match self {
            PipelineChange::Received { order, .. }
            | PipelineChange::Moved { order, .. }
            | PipelineChange::Waybill { order, .. }
            | PipelineChange::Tracking { order, .. }
            | PipelineChange::Escalated { order, .. }
            | PipelineChange::TaskOpened { order, .. }
            | PipelineChange::Notified { order, .. } => Some(order),
            PipelineChange::TaskChanged { .. }
            | PipelineChange::Blacklist { .. }
            | PipelineChange::Rules { .. }
            | PipelineChange::StockAlert { .. } => None,
        }
    }

    /// The same change, owning its strings.
    pub fn into_owned(self) -> PipelineChange<'static> {
        fn own(text: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(text.into_owned())
        }
        match self {
            PipelineChange::Received { order, form, flags, path, rule, state } => PipelineChange::Received {
                order: own(order),
                form: Cow::Owned(form.into_owned()),
                flags: Cow::Owned(flags.into_owned()),
                path,
                rule: rule.map(own),
                state,
            },
            PipelineChange::Moved { order, from, to, by, note } => {
                PipelineChange::Moved { order: own(order), from, to, by: own(by), note: own(note) }
            }
            PipelineChange::Waybill { order, carrier, tracking_number } => PipelineChange::Waybill {
                order: own(order),
                carrier: own(carrier),
                tracking_number: own(tracking_number),
            },
            PipelineChange::Tracking { order, kind, detail } => {
                PipelineChange::Tracking { order: own(order), kind, detail: own(detail) }
            }
            PipelineChange::Escalated { order, stage, tier, severity, task } => {
                PipelineChange::Escalated { order: own(order), stage, tier, severity, task }
            }
            PipelineChange::TaskOpened { task, order, kind, severity, assignee } => {
                PipelineChange::TaskOpened { task, order: own(order), kind, severity, assignee: own(assignee) }
            }
            PipelineChange::TaskChanged { task, state, severity, by } => {
                PipelineChange::TaskChanged { task, state, severity, by: own(by) }
            }
            PipelineChange::Notified { order, kind } => PipelineChange::Notified { order: own(order), kind },
            PipelineChange::Blacklist { list, value, added, by } => {
                PipelineChange::Blacklist { list, value: own(value), added, by: own(by) }
            }
            PipelineChange::Rules { text, by } => PipelineChange::Rules { text: own(text), by: own(by) },
            PipelineChange::StockAlert { sku, available, threshold } => {
                PipelineChange::StockAlert { sku, available, threshold }
            }
        }
    }
}
