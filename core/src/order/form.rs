//! The one order form every channel's payload becomes, and the vocabulary the intake checks
//! and the routing rules share: flags with severities, and the paths an order can take.

use serde::{Deserialize, Serialize};

/// An order as Allot knows it, whatever channel it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderForm {
    /// The channel's code (`taobao`, `jd`, `pdd`, or any code the seller uses).
    pub channel: String,
    /// The channel's own id for the order. With `channel` it identifies the order: the same
    /// channel order received twice is one order.
    pub channel_order_id: String,
    /// The buyer's id on the channel.
    pub buyer_id: String,
    pub ship_to: Address,
    pub lines: Vec<FormLine>,
    /// Shipped across a border: customs papers, so a human always looks at it.
    pub cross_border: bool,
    /// A return or exchange order: a human always looks at it.
    pub is_return: bool,
    pub payment: PaymentState,
    /// When the buyer placed it, by the channel's clock (ms since the epoch; 0 if unknown).
    pub placed_at_ms: u64,
}

/// A delivery address in the shape of Chinese addresses: province, city, district, then the
/// street-level detail.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Address {
    pub recipient: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub detail: String,
}

/// One line of an order form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormLine {
    pub sku: String,
    pub qty: u32,
    /// Price of one unit in the currency's minor unit (fen for CNY), never a float.
    pub unit_price_minor: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentState {
    Unpaid,
    Paid,
    Refunded,
}

impl PaymentState {
    pub fn name(self) -> &'static str {
        match self {
            PaymentState::Unpaid => "unpaid",
            PaymentState::Paid => "paid",
            PaymentState::Refunded => "refunded",
        }
    }

    pub fn parse(name: &str) -> Option<PaymentState> {
        [PaymentState::Unpaid, PaymentState::Paid, PaymentState::Refunded].into_iter().find(|p| p.name() == name)
    }
}

impl OrderForm {
    /// The order's key in Allot: `channel:channel_order_id`. Reservations use it as order id.
    pub fn key(&self) -> String {
        format!("{}:{}", self.channel, self.channel_order_id)
    }

    /// What the order is worth, in minor units (saturating: a limit check catches absurd sums).
    pub fn amount_minor(&self) -> u64 {
        self.lines
            .iter()
            .fold(0u64, |sum, line| sum.saturating_add(u64::from(line.qty).saturating_mul(line.unit_price_minor)))
    }
}

/// Why an order needs a second look, raised by the checks at intake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FlagCode {
    /// A required address field is empty.
    AddressIncomplete,
    /// The province is not one of China's province-level divisions.
    UnknownProvince,
    /// The city is not a city-level division of that province.
    UnknownCity,
    /// The phone number is neither a mainland mobile nor a landline number.
    BadPhone,
    BlacklistedBuyer,
    BlacklistedPhone,
    BlacklistedAddress,
    /// Too many orders from this buyer in the velocity window.
    VelocityBuyer,
    VelocityPhone,
    VelocityAddress,
    /// Above the amount limit of the rules file.
    AmountTooHigh,
    /// Not enough stock to reserve the order at once.
    StockShort,
    /// Not paid yet.
    Unpaid,
}

impl FlagCode {
    pub const ALL: [FlagCode; 13] = [
        FlagCode::AddressIncomplete,
        FlagCode::UnknownProvince,
        FlagCode::UnknownCity,
        FlagCode::BadPhone,
        FlagCode::BlacklistedBuyer,
        FlagCode::BlacklistedPhone,
        FlagCode::BlacklistedAddress,
        FlagCode::VelocityBuyer,
        FlagCode::VelocityPhone,
        FlagCode::VelocityAddress,
        FlagCode::AmountTooHigh,
        FlagCode::StockShort,
        FlagCode::Unpaid,
    ];

    /// The flag's name, as rules files, the C library and Python spell it.
    pub fn name(self) -> &'static str {
        match self {
            FlagCode::AddressIncomplete => "address_incomplete",
            FlagCode::UnknownProvince => "unknown_province",
            FlagCode::UnknownCity => "unknown_city",
            FlagCode::BadPhone => "bad_phone",
            FlagCode::BlacklistedBuyer => "blacklisted_buyer",
            FlagCode::BlacklistedPhone => "blacklisted_phone",
            FlagCode::BlacklistedAddress => "blacklisted_address",
            FlagCode::VelocityBuyer => "velocity_buyer",
            FlagCode::VelocityPhone => "velocity_phone",
            FlagCode::VelocityAddress => "velocity_address",
            FlagCode::AmountTooHigh => "amount_too_high",
            FlagCode::StockShort => "stock_short",
            FlagCode::Unpaid => "unpaid",
        }
    }

    pub fn parse(name: &str) -> Option<FlagCode> {
        FlagCode::ALL.into_iter().find(|flag| flag.name() == name)
    }

    /// How serious the flag is, by default.
    pub fn severity(self) -> Severity {
        match self {
            FlagCode::BlacklistedBuyer | FlagCode::BlacklistedPhone | FlagCode::BlacklistedAddress => {
                Severity::Critical
            }
            FlagCode::VelocityBuyer | FlagCode::VelocityPhone | FlagCode::VelocityAddress | FlagCode::AmountTooHigh => {
                Severity::High
            }
            FlagCode::UnknownProvince | FlagCode::UnknownCity | FlagCode::AddressIncomplete | FlagCode::BadPhone => {
                Severity::Medium
            }
            FlagCode::StockShort | FlagCode::Unpaid => Severity::Low,
        }
    }
}

/// How urgent something is. Ordered: a critical item always sorts before a low one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// A flag raised on an order, with what exactly was wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub code: FlagCode,
    pub severity: Severity,
    pub detail: String,
}

impl Flag {
    pub fn new(code: FlagCode, detail: impl Into<String>) -> Flag {
        Flag { code, severity: code.severity(), detail: detail.into() }
    }
}

/// Where routing sends an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Path {
    /// No human: stock is reserved and the order flows on.
    Auto,
    /// A risk reviewer looks at it (fraud, velocity, blacklists).
    RiskReview,
    /// A person checks it (returns, cross-border, big orders).
    ManualReview,
    /// Parked until someone releases it.
    Hold,
}

impl Path {
    pub const ALL: [Path; 4] = [Path::Auto, Path::RiskReview, Path::ManualReview, Path::Hold];

    pub fn name(self) -> &'static str {
        match self {
            Path::Auto => "auto",
            Path::RiskReview => "risk_review",
            Path::ManualReview => "manual_review",
            Path::Hold => "hold",
        }
    }

    pub fn parse(name: &str) -> Option<Path> {
        Path::ALL.into_iter().find(|path| path.name() == name)
    }

    /// Whether a human must look at the order before it moves on.
    pub fn needs_human(self) -> bool {
        self != Path::Auto
    }
}
