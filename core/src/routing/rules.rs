//! What a parsed rules file holds: the sections, the routes and their conditions, and the
//! documented defaults for everything the file leaves out.

use crate::order::change::Stage;
use crate::order::form::{FlagCode, Path, Severity};

const SECOND_MS: u64 = 1000;
const MINUTE_MS: u64 = 60 * SECOND_MS;
const HOUR_MS: u64 = 60 * MINUTE_MS;

/// A rules file, checked and ready to route orders. Build one with [`parse`](super::parse) (or
/// [`Rules::default`], which equals parsing an empty file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    pub(super) source: String,
    pub(super) fingerprint: u32,
    pub(super) default_path: Path,
    pub(super) limits: Limits,
    pub(super) velocity: Velocity,
    pub(super) sla: Sla,
    pub(super) escalation_tiers: Vec<EscalationTier>,
    pub(super) routes: Vec<Route>,
}

/// `[limits]`: thresholds the intake checks apply to every order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// An order worth more than this, in fen, is flagged `amount_too_high`.
    pub max_order_amount_fen: u64,
    /// Most lines one order may have (`None`: only the engine's own `ORDER_LINES_MAX`).
    pub max_lines: Option<u32>,
    /// Raise a stock alert when a SKU's available stock, over all warehouses, falls to or below
    /// this many units (`None`: no stock alerts).
    pub low_stock_units: Option<u64>,
}

/// `[velocity]`: how many orders one buyer, phone or address may place within `window_ms`
/// before the next is flagged (`velocity_buyer`, `velocity_phone`, `velocity_address`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Velocity {
    pub window_ms: u64,
    pub max_orders_per_buyer: u32,
    pub max_orders_per_phone: u32,
    pub max_orders_per_address: u32,
}

/// `[sla]`: how long an order may stay in each stage before its escalation tiers start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sla {
    /// Flagged or in review, until a person decides.
    pub review_ms: u64,
    /// Reserved, until released to the warehouse.
    pub release_ms: u64,
    /// Released to the warehouse, until shipped.
    pub ship_ms: u64,
    /// Shipped, until the carrier's first tracking event.
    pub tracking_ms: u64,
    /// Picked up (or in a carrier exception), until delivered.
    pub delivery_ms: u64,
}

impl Sla {
    /// The deadline of `stage`, in milliseconds from when the order entered it.
    pub fn deadline_ms(&self, stage: Stage) -> u64 {
        match stage {
            Stage::Review => self.review_ms,
            Stage::Release => self.release_ms,
            Stage::Ship => self.ship_ms,
            Stage::Tracking => self.tracking_ms,
            Stage::Delivery => self.delivery_ms,
        }
    }
}

/// One step of `[sla.escalation]`: `after_ms` past a stage's deadline, raise an alert of
/// `severity`. Tiers are kept in strictly increasing `after_ms` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationTier {
    pub name: String,
    pub after_ms: u64,
    pub severity: Severity,
}

/// One `[[route]]`: when every condition holds, the order takes `path`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub name: String,
    /// Line of the rules file where the rule starts, so explanations can point at it.
    pub line: usize,
    /// All must hold. Empty: the rule takes every order (allowed only as the last rule).
    pub conditions: Vec<Condition>,
    pub path: Path,
}

/// One condition of a route's `when`, in the order the file's documentation lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The order's channel is one of these (sorted, no duplicates).
    Channel(Vec<String>),
    /// At least one of the order's SKU categories is one of these (sorted, no duplicates).
    Category(Vec<String>),
    /// The order's amount, in fen, is at least this.
    AmountFenMin(u64),
    /// The order's amount, in fen, is at most this.
    AmountFenMax(u64),
    /// The order has at least one of these flags (sorted, no duplicates).
    Flags(Vec<FlagCode>),
    /// The order has some flag (`true`) or none (`false`).
    AnyFlag(bool),
    CrossBorder(bool),
    Return(bool),
}

impl Condition {
    /// The condition's key in the rules file.
    pub fn key(&self) -> &'static str {
        match self {
            Condition::Channel(_) => "channel",
            Condition::Category(_) => "category",
            Condition::AmountFenMin(_) => "amount_fen_min",
            Condition::AmountFenMax(_) => "amount_fen_max",
            Condition::Flags(_) => "flags",
            Condition::AnyFlag(_) => "any_flag",
            Condition::CrossBorder(_) => "cross_border",
            Condition::Return(_) => "return",
        }
    }
}

/// Defaults, as documented in the module documentation and the example file.
pub(super) const DEFAULT_PATH: Path = Path::Auto;
pub(super) const DEFAULT_LIMITS: Limits =
    Limits { max_order_amount_fen: 5_000_000, max_lines: None, low_stock_units: None };
pub(super) const DEFAULT_VELOCITY: Velocity =
    Velocity { window_ms: 10 * MINUTE_MS, max_orders_per_buyer: 5, max_orders_per_phone: 5, max_orders_per_address: 8 };
pub(super) const DEFAULT_SLA: Sla = Sla {
    review_ms: 30 * MINUTE_MS,
    release_ms: 2 * HOUR_MS,
    ship_ms: 24 * HOUR_MS,
    tracking_ms: 4 * HOUR_MS,
    delivery_ms: 72 * HOUR_MS,
};

pub(super) fn default_escalation_tiers() -> Vec<EscalationTier> {
    vec![
        EscalationTier { name: "remind".into(), after_ms: 0, severity: Severity::Low },
        EscalationTier { name: "supervisor".into(), after_ms: 30 * MINUTE_MS, severity: Severity::High },
        EscalationTier { name: "critical".into(), after_ms: 2 * HOUR_MS, severity: Severity::Critical },
    ]
}

/// The fingerprint of a rules file's text: CRC32C, the checksum the log already uses.
pub(super) fn fingerprint_of(source: &str) -> u32 {
    crc32c::crc32c(source.as_bytes())
}

impl Default for Rules {
    /// The documented defaults: what an empty rules file means.
    fn default() -> Rules {
        Rules {
            source: String::new(),
            fingerprint: fingerprint_of(""),
            default_path: DEFAULT_PATH,
            limits: DEFAULT_LIMITS,
            velocity: DEFAULT_VELOCITY,
            sla: DEFAULT_SLA,
            escalation_tiers: default_escalation_tiers(),
            routes: Vec::new(),
        }
    }
}

impl Rules {
    /// The path of an order no route matches.
    pub fn default_path(&self) -> Path {
        self.default_path
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn velocity(&self) -> Velocity {
        self.velocity
    }

    /// The stage deadlines, in milliseconds.
    pub fn sla(&self) -> Sla {
        self.sla
    }

    /// The escalation tiers, earliest first (at least one).
    pub fn escalation_tiers(&self) -> &[EscalationTier] {
        &self.escalation_tiers
    }

    /// The routes, in the order they are tried.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The text the rules were parsed from, for logging what is live.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// CRC32C of [`Rules::source`]: the same text always gives the same number, so a reload can
    /// log which version is live and a no-op reload can be recognised. Log it as `{:08x}`.
    pub fn fingerprint(&self) -> u32 {
        self.fingerprint
    }
}
