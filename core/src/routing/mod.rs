//! The rules file: how business users (not programmers) configure order handling, and the pure
//! functions that read it and route orders by it.
//!
//! The file is TOML. This module reads no files and keeps no engine state: the caller passes the
//! text to [`parse`], which returns [`Rules`] or *every* problem found, each a [`RuleError`] with
//! the 1-based line and column (in characters) of the token to change. [`Rules::route`] decides
//! an order's [`Path`] from the facts the intake checks gathered ([`RouteFacts`]);
//! [`Rules::explain`] shows how each rule came out for an order; [`dry_run`] compares a proposed
//! file with the live one over recent orders before a reload. [`Rules::source`] and
//! [`Rules::fingerprint`] say which version is live.
//!
//! # The file
//!
//! Every section is optional; what is left out takes the default below, and an empty file means
//! exactly [`Rules::default`]. Unknown keys are errors (the message lists the keys allowed there
//! and suggests the nearest), so a misspelt key never silently does nothing.
//!
//! Amounts are whole **fen** in keys ending `_fen` (1 yuan = 100 fen; `5_000_000` is 50,000.00
//! yuan); a decimal such as `50000.00` is refused with that hint. Durations are text: a whole
//! number and a unit with no space, `"45s"`, `"30m"`, `"2h"`, `"3d"`, or several from the largest
//! unit to the smallest, `"1h30m"`; `"30 minutes"` or `"1.5h"` are refused with the accepted forms.
//!
//! | Key | Value | Default | Meaning |
//! |---|---|---|---|
//! | `default_path` | a path | `"auto"` | where an order goes when no route matches |
//! | `[limits]` `max_order_amount_fen` | whole number ≥ 1 | `5000000` | above it: flag `amount_too_high` |
//! | `[limits]` `max_lines` | 1 to 128 | none (the engine's `ORDER_LINES_MAX`) | most lines in one order |
//! | `[limits]` `low_stock_units` | whole number ≥ 0 | none (no alerts) | stock alert at or below this |
//! | `[velocity]` `window` | duration, 1s to 24h | `"10m"` | how far back orders are counted |
//! | `[velocity]` `max_orders_per_buyer` | whole number ≥ 1 | `5` | more in the window: `velocity_buyer` |
//! | `[velocity]` `max_orders_per_phone` | whole number ≥ 1 | `5` | more in the window: `velocity_phone` |
//! | `[velocity]` `max_orders_per_address` | whole number ≥ 1 | `8` | more in the window: `velocity_address` |
//! | `[sla]` `review` | duration, 1s to 366d | `"30m"` | flagged or in review, until a person decides |
//! | `[sla]` `release` | duration | `"2h"` | reserved, until released to the warehouse |
//! | `[sla]` `ship` | duration | `"24h"` | released, until shipped |
//! | `[sla]` `tracking` | duration | `"4h"` | shipped, until the carrier's first tracking event |
//! | `[sla]` `delivery` | duration | `"72h"` | picked up, until delivered |
//! | `[sla.escalation]` `tiers` | 1 to 8 tiers | remind 0m low, supervisor 30m high, critical 2h critical | see below |
//! | `[[route]]` | 0 to 1000 rules | none | see below |
//!
//! Velocity counts include the order being checked: with `max_orders_per_buyer = 5`, a buyer's
//! sixth order within the window is flagged.
//!
//! **Escalation tiers** are `{ name = "...", after = "<duration>", severity = "..." }`: `after`
//! is measured from the stage's deadline (`"0m"`: as soon as it passes), severity is `low`,
//! `medium`, `high` or `critical`. Names are unique and tiers are listed in strictly increasing
//! `after`. The list may also be written as `[[sla.escalation.tiers]]` tables.
//!
//! **Routes** are tried from the first to the last; the first whose conditions all hold decides.
//! Each has a `name` (required, unique, at most [`RULE_NAME_BYTES_MAX`] bytes: it is logged with
//! every order it routes), `when` (the conditions, optional) and `path` (required). Conditions,
//! written `when.channel = [...]` or `when = { channel = [...] }`; all given must hold, and a list
//! holds if any entry does:
//!
//! | Condition | Value | Holds when |
//! |---|---|---|
//! | `channel` | list of channel codes | the order's channel is one of them |
//! | `category` | list of categories | one of the order's SKU categories is one of them |
//! | `amount_fen_min` | whole number ≥ 0 | the order's amount in fen is at least this |
//! | `amount_fen_max` | whole number ≥ 0, not below the min | the order's amount in fen is at most this |
//! | `flags` | list of flag names ([`FlagCode::name`]) | the order has any of them |
//! | `any_flag` | true / false | the order has some flag / has none |
//! | `cross_border` | true / false | the order is / is not cross-border |
//! | `return` | true / false | the order is / is not a return |
//!
//! A route without conditions takes every order: it is allowed only as the last rule, since the
//! rules after it could never be reached (that is an error at the first of them). Rules that can
//! never match are errors too: `amount_fen_min` above `amount_fen_max` (reported at the max),
//! `any_flag = false` together with `flags`, and empty lists. Paths are `auto`, `risk_review`,
//! `manual_review` and `hold` ([`Path::parse`]).
//!
//! # Guard rails the file cannot override
//!
//! When the matching route (or the default path) says `auto`:
//! - an order with a flag of [`Severity::Critical`] (a blacklist hit) goes to `risk_review`;
//! - otherwise a return, or a cross-border order, goes to `manual_review`.
//!
//! The [`Decision`] then names the rule that matched, and says which rail changed its path in
//! [`Decision::guard_rail`] and in its reason. Other paths already put a person in front of the
//! order and are kept. The rails are code, not defaults, so no file can turn them off.
//!
//! # Errors
//!
//! A file that is not valid TOML gets its syntax errors (all that toml's recovering parser finds).
//! A valid TOML file gets every schema problem: unknown keys, wrong types, unknown paths, flags or
//! severities, bad durations, negative or inverted amounts, duplicate rule or tier names (reported
//! at the second), missing names or paths (at the rule's `[[route]]`), unreachable rules, tiers
//! out of order, and values over the limits below. Errors come in file order and display as
//! `line L, column C: message`; [`RuleError::snippet`] adds the line and a caret.
//!
//! # A complete example
//!
//! This is `example-rules.toml` beside this file; a test parses it.
//!
//! ```toml
#![doc = include_str!("example-rules.toml")]
//! ```

mod decide;
mod duration;
mod error;
mod parse;
mod rules;

pub use self::decide::{
    Decision, DryRun, Explanation, GUARD_RAIL_CRITICAL_FLAG, GUARD_RAIL_CROSS_BORDER, GUARD_RAIL_RETURN, PathChange,
    PathCounts, RouteFacts, RuleCheck, dry_run,
};
pub use self::error::{RuleError, rules_error};
pub use self::parse::parse;
pub use self::rules::{Condition, EscalationTier, Limits, Route, Rules, Sla, Velocity};
#[cfg(doc)]
use crate::order::form::{FlagCode, Path, Severity};

/// Largest rules file, in bytes. A hand-edited file of `RULES_MAX` rules with generous comments
/// is a few hundred KiB; a larger one is almost certainly the wrong file, and the bound caps the
/// memory and time of the parse that every reload does.
pub const RULES_BYTES_MAX: usize = 1 << 20;

/// Most routes in one file. Every order is tried against the routes in order until one matches,
/// so this bounds the routing work per order; it is also far more than a person can review.
pub const RULES_MAX: usize = 1000;

/// Longest rule or tier name, in bytes. A rule's name is logged with every order it routes.
pub const RULE_NAME_BYTES_MAX: usize = 128;

/// Most escalation tiers. Tier numbers are a `u8` in the log, and tiers exist so that minor
/// alerts do not drown critical ones; more than a handful would.
pub const ESCALATION_TIERS_MAX: usize = 8;

/// Longest SLA deadline or escalation offset, in milliseconds (366 days). No stage waits a year;
/// a longer value is a typo, and the bound keeps deadline arithmetic far from overflow.
pub const DURATION_MS_MAX: u64 = 366 * 24 * 3600 * 1000;

/// Longest velocity window, in milliseconds (24 hours). Intake remembers the time of every order
/// in the window for each buyer, phone and address, so the window bounds that memory; patterns
/// slower than a day belong on the blacklist.
pub const VELOCITY_WINDOW_MS_MAX: u64 = 24 * 3600 * 1000;

/// Most example orders a [`DryRun`] lists; the counts cover all of them.
pub const DRY_RUN_EXAMPLES_MAX: usize = 10;

/// `123456` fen → `"1,234.56 yuan"`, for messages business users read.
fn format_yuan(amount_fen: u64) -> String {
    let yuan = (amount_fen / 100).to_string();
    let mut grouped = String::with_capacity(yuan.len() + yuan.len() / 3);
    for (index, digit) in yuan.chars().enumerate() {
        if index > 0 && (yuan.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("{grouped}.{:02} yuan", amount_fen % 100)
}

#[cfg(test)]
mod tests;
