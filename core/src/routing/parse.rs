//! Reading a rules file: the TOML syntax first (every syntax error, with its position), then
//! every key and value against the schema, so that one pass reports every problem a person must
//! fix, each at the token to change.
//!
//! The schema is checked by walking toml's spanned document rather than by serde derives: serde
//! stops at the first error, and the file's users deserve the whole list at once.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::duration::{DURATION_FORMS, format_duration_ms, parse_duration_ms};
use super::error::{Positions, Problems, RuleError};
use super::rules::{
    Condition, DEFAULT_LIMITS, DEFAULT_PATH, DEFAULT_SLA, DEFAULT_VELOCITY, EscalationTier, Limits, Route, Rules, Sla,
    Velocity, default_escalation_tiers, fingerprint_of,
};
use super::{
    DURATION_MS_MAX, ESCALATION_TIERS_MAX, RULE_NAME_BYTES_MAX, RULES_BYTES_MAX, RULES_MAX, VELOCITY_WINDOW_MS_MAX,
    format_yuan,
};
use crate::limits::{CATEGORY_BYTES_MAX, CELL_UNITS_MAX, CODE_BYTES_MAX, ORDER_LINES_MAX};
use crate::order::form::{FlagCode, Path, Severity};

type Node<'i> = Spanned<DeValue<'i>>;

const TOP_KEYS: &[&str] = &["default_path", "limits", "velocity", "sla", "route"];
const LIMITS_KEYS: &[&str] = &["max_order_amount_fen", "max_lines", "low_stock_units"];
const VELOCITY_KEYS: &[&str] = &["window", "max_orders_per_buyer", "max_orders_per_phone", "max_orders_per_address"];
const SLA_KEYS: &[&str] = &["review", "release", "ship", "tracking", "delivery", "escalation"];
const ESCALATION_KEYS: &[&str] = &["tiers"];
const TIER_KEYS: &[&str] = &["name", "after", "severity"];
const ROUTE_KEYS: &[&str] = &["name", "when", "path"];
const CONDITION_KEYS: &[&str] =
    &["channel", "category", "amount_fen_min", "amount_fen_max", "flags", "any_flag", "cross_border", "return"];
const SEVERITIES: [Severity; 4] = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical];

/// TOML integers are signed 64-bit; nothing in the file may be larger.
const WHOLE_NUMBER_MAX: u64 = i64::MAX as u64;

/// How to write an amount, for anyone who wrote yuan.
const FEN_HINT: &str = "amounts are whole fen (1 yuan = 100 fen), so 50,000.00 yuan is written 5000000 or 5_000_000";

/// Reads a rules file. Returns the rules, or every problem found, in file order.
///
/// If the text is not valid TOML only the syntax errors are reported (the schema cannot be
/// checked reliably on a document that did not parse); otherwise every schema problem is.
pub fn parse(text: &str) -> Result<Rules, Vec<RuleError>> {
    let mut problems = Problems::default();
    if text.len() > RULES_BYTES_MAX {
        problems.at(
            RULES_BYTES_MAX..RULES_BYTES_MAX,
            format!(
                "the rules file is {} bytes, more than the {RULES_BYTES_MAX} allowed (RULES_BYTES_MAX); \
                 this is where the limit falls. Is it the right file?",
                text.len()
            ),
        );
        return Err(problems.into_errors(text));
    }
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        for error in syntax_errors {
            problems.at(error.span().unwrap_or(0..0), syntax_message(error.message()));
        }
        return Err(problems.into_errors(text));
    }
    let mut reader = Reader { text, positions: Positions::new(text), problems };
    let rules = reader.document(document.get_ref());
    if reader.problems.is_empty() { Ok(rules) } else { Err(reader.problems.into_errors(text)) }
}

fn syntax_message(toml_message: &str) -> String {
    let mut message = format!("this is not valid TOML: {toml_message}");
    if toml_message.contains("must be quoted") {
        message.push_str(" (put text and durations in double quotes, like \"30m\")");
    } else if toml_message.contains("duplicate key") {
        message.push_str(" (this key, or this [section], is already given above)");
    }
    message
}

struct Reader<'t> {
    text: &'t str,
    positions: Positions<'t>,
    problems: Problems,
}

impl Reader<'_> {
    fn document(&mut self, top: &DeTable<'_>) -> Rules {
        self.known_keys(top, TOP_KEYS, "at the top of the file");
        let default_path = top.get("default_path").and_then(|node| self.path("default_path", node));
        let limits = top.get("limits").and_then(|node| self.section("limits", node)).map(|table| self.limits(table));
        let velocity =
            top.get("velocity").and_then(|node| self.section("velocity", node)).map(|table| self.velocity(table));
        let sla = top.get("sla").and_then(|node| self.section("sla", node)).map(|table| self.sla(table));
        let routes = top.get("route").map(|node| self.routes(node)).unwrap_or_default();
        let (sla, escalation_tiers) = sla.unwrap_or_else(|| (DEFAULT_SLA, default_escalation_tiers()));
        Rules {
            source: self.text.to_string(),
            fingerprint: fingerprint_of(self.text),
            default_path: default_path.unwrap_or(DEFAULT_PATH),
            limits: limits.unwrap_or(DEFAULT_LIMITS),
            velocity: velocity.unwrap_or(DEFAULT_VELOCITY),
            sla,
            escalation_tiers,
            routes,
        }
    }

    fn limits(&mut self, table: &DeTable<'_>) -> Limits {
        self.known_keys(table, LIMITS_KEYS, "in [limits]");
        let mut limits = DEFAULT_LIMITS;
        if let Some(node) = table.get("max_order_amount_fen") {
            let amount = self.whole_number("max_order_amount_fen", node, 1, WHOLE_NUMBER_MAX, "");
            limits.max_order_amount_fen = amount.unwrap_or(limits.max_order_amount_fen);
        }
        if let Some(node) = table.get("max_lines") {
            let lines_max = ORDER_LINES_MAX as u64;
            let note = " (the engine never takes longer orders: ORDER_LINES_MAX)";
            // Bounded by ORDER_LINES_MAX just above, so the conversion cannot fail.
            limits.max_lines = self.whole_number("max_lines", node, 1, lines_max, note).map(|n| n as u32);
        }
        if let Some(node) = table.get("low_stock_units") {
            // Zero is meaningful: alert when a SKU runs out.
            let note = " (no stock cell holds more: CELL_UNITS_MAX)";
            limits.low_stock_units = self.whole_number("low_stock_units", node, 0, CELL_UNITS_MAX, note);
        }
        limits
    }

    fn velocity(&mut self, table: &DeTable<'_>) -> Velocity {
        self.known_keys(table, VELOCITY_KEYS, "in [velocity]");
        let mut velocity = DEFAULT_VELOCITY;
        if let Some(node) = table.get("window") {
            velocity.window_ms =
                self.duration("window", node, 1000, VELOCITY_WINDOW_MS_MAX).unwrap_or(velocity.window_ms);
        }
        for (key, field) in [
            ("max_orders_per_buyer", &mut velocity.max_orders_per_buyer),
            ("max_orders_per_phone", &mut velocity.max_orders_per_phone),
            ("max_orders_per_address", &mut velocity.max_orders_per_address),
        ] {
            if let Some(node) = table.get(key) {
                // Bounded by u32::MAX, so the conversion cannot fail.
                *field = self.whole_number(key, node, 1, u64::from(u32::MAX), "").map_or(*field, |n| n as u32);
            }
        }
        velocity
    }

    fn sla(&mut self, table: &DeTable<'_>) -> (Sla, Vec<EscalationTier>) {
        self.known_keys(table, SLA_KEYS, "in [sla]");
        let mut sla = DEFAULT_SLA;
        for (key, field) in [
            ("review", &mut sla.review_ms),
            ("release", &mut sla.release_ms),
            ("ship", &mut sla.ship_ms),
            ("tracking", &mut sla.tracking_ms),
            ("delivery", &mut sla.delivery_ms),
        ] {
            if let Some(node) = table.get(key) {
                // A zero deadline would escalate every order the moment it enters the stage.
                *field = self.duration(key, node, 1000, DURATION_MS_MAX).unwrap_or(*field);
            }
        }
        let tiers = match table.get("escalation").and_then(|node| self.section("sla.escalation", node)) {
            Some(escalation) => self.escalation(escalation),
            None => default_escalation_tiers(),
        };
        (sla, tiers)
    }

    fn escalation(&mut self, table: &DeTable<'_>) -> Vec<EscalationTier> {
        self.known_keys(table, ESCALATION_KEYS, "in [sla.escalation]");
        let Some(node) = table.get("tiers") else {
            return default_escalation_tiers();
        };
        let DeValue::Array(items) = node.get_ref() else {
            let found = self.found(node);
            self.problems.at(
                node.span(),
                format!(
                    "tiers must be a list of tiers in square brackets, like \
                     tiers = [{{ name = \"remind\", after = \"0m\", severity = \"low\" }}]; {found}"
                ),
            );
            return default_escalation_tiers();
        };
        if items.is_empty() {
            self.problems.at(
                node.span(),
                "an empty list of tiers would never escalate a late order; list at least one tier, \
                 or remove `tiers` to keep the default tiers",
            );
        }
        if let Some(extra) = items.get(ESCALATION_TIERS_MAX) {
            self.problems.at(
                extra.span(),
                format!(
                    "too many tiers: {} given, at most {ESCALATION_TIERS_MAX} allowed (ESCALATION_TIERS_MAX); \
                     this is the first one too many",
                    items.len()
                ),
            );
        }
        let mut tiers: Vec<EscalationTier> = Vec::new();
        let mut names_seen: HashMap<String, usize> = HashMap::new();
        for item in items.iter() {
            let DeValue::Table(tier) = item.get_ref() else {
                let found = self.found(item);
                self.problems.at(
                    item.span(),
                    format!(
                        "each tier must look like {{ name = \"remind\", after = \"0m\", severity = \"low\" }}; {found}"
                    ),
                );
                continue;
            };
            self.known_keys(tier, TIER_KEYS, "in an escalation tier");
            let name = match tier.get("name") {
                Some(node) => self.name("tier name", node).inspect(|name| {
                    let line = self.line_of(node.span());
                    if let Some(first_line) = names_seen.get(name) {
                        self.problems.at(
                            node.span(),
                            format!(
                                "the tier name {name:?} is already used by the tier on line {first_line}; \
                                 each tier needs its own name"
                            ),
                        );
                    } else {
                        names_seen.insert(name.clone(), line);
                    }
                }),
                None => self.missing(item, "this tier has no name: add name = \"...\", like name = \"remind\""),
            };
            let after = match tier.get("after") {
                Some(node) => self.duration("after", node, 0, DURATION_MS_MAX).inspect(|&after_ms| {
                    if let Some(previous) = tiers.last().filter(|previous| after_ms <= previous.after_ms) {
                        self.problems.at(
                            node.span(),
                            format!(
                                "this tier starts {} after the deadline, which is not later than the tier before it \
                                 ({:?}, {} after); list tiers from earliest to latest, each later than the one before",
                                format_duration_ms(after_ms),
                                previous.name,
                                format_duration_ms(previous.after_ms)
                            ),
                        );
                    }
                }),
                None => self.missing(
                    item,
                    "this tier has no `after`: add how long after the deadline it starts, like after = \"30m\"",
                ),
            };
            let severity = match tier.get("severity") {
                Some(node) => self.severity(node),
                None => self.missing(
                    item,
                    "this tier has no severity: add severity = \"low\", \"medium\", \"high\" or \"critical\"",
                ),
            };
            if let (Some(name), Some(after_ms), Some(severity)) = (name, after, severity) {
                tiers.push(EscalationTier { name, after_ms, severity });
            }
        }
        tiers
    }

    fn routes(&mut self, node: &Node<'_>) -> Vec<Route> {
        let DeValue::Array(items) = node.get_ref() else {
            let found = self.found(node);
            self.problems.at(
                node.span(),
                format!("route must be a list of rules, each starting with a [[route]] line (two brackets); {found}"),
            );
            return Vec::new();
        };
        if let Some(extra) = items.get(RULES_MAX) {
            self.problems.at(
                extra.span(),
                format!(
                    "too many rules: {} given, at most {RULES_MAX} allowed (RULES_MAX); this is the first one too many",
                    items.len()
                ),
            );
        }
        let mut routes = Vec::new();
        let mut names_seen: HashMap<String, usize> = HashMap::new();
        // The first rule without conditions: every rule after it is unreachable.
        let mut takes_everything: Option<(String, usize)> = None;
        let mut unreachable_reported = false;
        for item in items.iter() {
            let DeValue::Table(rule) = item.get_ref() else {
                let found = self.found(item);
                self.problems.at(item.span(), format!("each rule must be a table starting with [[route]]; {found}"));
                continue;
            };
            let line = self.line_of(item.span());
            self.route_keys(rule);
            let name_node = rule.get("name");
            let name = match name_node {
                Some(node) => self.name("rule name", node),
                None => self.missing(item, "this rule has no name: add name = \"...\" (each rule needs its own name)"),
            };
            if let (Some(name), Some(node)) = (&name, name_node) {
                if let Some(first_line) = names_seen.get(name) {
                    self.problems.at(
                        node.span(),
                        format!(
                            "the rule name {name:?} is already used by the rule on line {first_line}; \
                             each rule needs its own name"
                        ),
                    );
                } else {
                    names_seen.insert(name.clone(), line);
                }
            }
            let path = match rule.get("path") {
                Some(node) => self.path("path", node),
                None => self.missing(
                    item,
                    "this rule has no path: add path = \"auto\", \"risk_review\", \"manual_review\" or \"hold\"",
                ),
            };
            let when = rule.get("when");
            let conditions = when.map(|node| self.conditions(node)).unwrap_or_default();
            let anchor = name_node.map_or(item.span(), Spanned::span);
            if let Some((catch_all_name, catch_all_line)) = &takes_everything
                && !unreachable_reported
            {
                self.problems.at(
                    anchor.clone(),
                    format!(
                        "this rule can never be used: the rule {catch_all_name:?} on line {catch_all_line} has no \
                         conditions and takes every order, so the rules after it are unreachable; move this rule \
                         above it, or give that rule conditions"
                    ),
                );
                unreachable_reported = true;
            }
            let has_no_conditions = when.is_none_or(|node| matches!(node.get_ref(), DeValue::Table(t) if t.is_empty()));
            if has_no_conditions && takes_everything.is_none() {
                takes_everything = Some((name.clone().unwrap_or_else(|| "(unnamed)".into()), line));
            }
            if let (Some(name), Some(path)) = (name, path) {
                routes.push(Route { name, line, conditions, path });
            }
        }
        routes
    }

    /// Unknown keys of a rule, with a pointed hint for the common slip of writing a condition
    /// straight into the rule instead of under `when`.
    fn route_keys(&mut self, rule: &DeTable<'_>) {
        for (key, _) in rule.iter() {
            let given: &str = key.get_ref();
            if CONDITION_KEYS.contains(&given) {
                self.problems.at(
                    key.span(),
                    format!(
                        "{given:?} is a condition, so it goes under `when`: write when.{given} = ... \
                         (or when = {{ {given} = ... }})"
                    ),
                );
            }
        }
        let unknown: Vec<(String, Range<usize>)> = rule
            .iter()
            .map(|(key, _)| (key.get_ref().to_string(), key.span()))
            .filter(|(key, _)| !CONDITION_KEYS.contains(&key.as_str()))
            .collect();
        for (key, span) in unknown {
            self.unknown_key(&key, span, ROUTE_KEYS, "in a [[route]]");
        }
    }

    fn conditions(&mut self, node: &Node<'_>) -> Vec<Condition> {
        let Some(when) = self.table(
            "when",
            node,
            "conditions, written when.channel = [\"tmall\"] or when = { channel = [\"tmall\"] }",
        ) else {
            return Vec::new();
        };
        self.known_keys(when, CONDITION_KEYS, "in a rule's `when`");
        let mut conditions = Vec::new();
        if let Some(node) = when.get("channel") {
            conditions
                .extend(self.text_list("channel", node, CODE_BYTES_MAX, "CODE_BYTES_MAX").map(Condition::Channel));
        }
        if let Some(node) = when.get("category") {
            let categories = self.text_list("category", node, CATEGORY_BYTES_MAX, "CATEGORY_BYTES_MAX");
            conditions.extend(categories.map(Condition::Category));
        }
        let min = when.get("amount_fen_min").and_then(|node| self.amount("amount_fen_min", node));
        let max_node = when.get("amount_fen_max");
        let max = max_node.and_then(|node| self.amount("amount_fen_max", node));
        if let (Some(min), Some(max), Some(max_node)) = (min, max, max_node)
            && min > max
        {
            self.problems.at(
                max_node.span(),
                format!(
                    "amount_fen_max {max} ({}) is below amount_fen_min {min} ({}), so no order can match; \
                     swap them or correct one",
                    format_yuan(max),
                    format_yuan(min)
                ),
            );
        }
        conditions.extend(min.map(Condition::AmountFenMin));
        conditions.extend(max.map(Condition::AmountFenMax));
        let flags = when.get("flags").and_then(|node| self.flag_list(node));
        if let Some(flags) = &flags {
            conditions.push(Condition::Flags(flags.clone()));
        }
        if let Some(node) = when.get("any_flag")
            && let Some(any_flag) = self.boolean("any_flag", node)
        {
            if !any_flag && flags.is_some() {
                self.problems.at(
                    node.span(),
                    "any_flag = false (the order has no flags) contradicts `flags` (it has one of them), \
                     so no order can match; remove one of the two",
                );
            }
            conditions.push(Condition::AnyFlag(any_flag));
        }
        if let Some(node) = when.get("cross_border") {
            conditions.extend(self.boolean("cross_border", node).map(Condition::CrossBorder));
        }
        if let Some(node) = when.get("return") {
            conditions.extend(self.boolean("return", node).map(Condition::Return));
        }
        conditions
    }

    // ----- Values -----

    fn section<'a, 'i>(&mut self, name: &str, node: &'a Node<'i>) -> Option<&'a DeTable<'i>> {
        self.table(name, node, &format!("a section: a line [{name}] followed by its keys"))
    }

    fn table<'a, 'i>(&mut self, key: &str, node: &'a Node<'i>, expected: &str) -> Option<&'a DeTable<'i>> {
        match node.get_ref() {
            DeValue::Table(table) => Some(table),
            _ => {
                let found = self.found(node);
                self.problems.at(node.span(), format!("{key} must be {expected}; {found}"));
                None
            }
        }
    }

    fn whole_number(&mut self, key: &str, node: &Node<'_>, min: u64, max: u64, max_note: &str) -> Option<u64> {
        let is_amount = key.contains("amount");
        let DeValue::Integer(integer) = node.get_ref() else {
            let found = self.found(node);
            let message = if is_amount {
                format!("{key} must be a whole number of fen; {found}; {FEN_HINT}")
            } else {
                format!("{key} must be a whole number, like 20; {found}")
            };
            self.problems.at(node.span(), message);
            return None;
        };
        // Parsed wide, so that "too large" and "negative" are told apart from other mistakes.
        let Ok(value) = i128::from_str_radix(integer.as_str(), integer.radix()) else {
            self.problems.at(node.span(), format!("{key} is too large: at most {max}{max_note}"));
            return None;
        };
        if value < i128::from(min) {
            let message = if value < 0 && min == 0 {
                format!("{key} must not be negative")
            } else {
                format!("{key} must be at least {min}")
            };
            self.problems.at(node.span(), message);
            return None;
        }
        if value > i128::from(max) {
            self.problems.at(node.span(), format!("{key} is {value}, more than the {max} allowed{max_note}"));
            return None;
        }
        // Between min and max, both u64.
        Some(value as u64)
    }

    fn amount(&mut self, key: &str, node: &Node<'_>) -> Option<u64> {
        self.whole_number(key, node, 0, WHOLE_NUMBER_MAX, "")
    }

    fn duration(&mut self, key: &str, node: &Node<'_>, min_ms: u64, max_ms: u64) -> Option<u64> {
        let DeValue::String(text) = node.get_ref() else {
            let found = self.found(node);
            self.problems.at(
                node.span(),
                format!("{key} must be a duration in double quotes, like \"30m\"; {found}; {DURATION_FORMS}"),
            );
            return None;
        };
        let Some(duration_ms) = parse_duration_ms(text) else {
            self.problems.at(node.span(), format!("{text:?} is not a duration: {DURATION_FORMS}"));
            return None;
        };
        if duration_ms < min_ms {
            self.problems.at(
                node.span(),
                format!(
                    "{key} must be at least {}: a zero deadline would escalate at once",
                    format_duration_ms(min_ms)
                ),
            );
            return None;
        }
        if duration_ms > max_ms {
            self.problems.at(
                node.span(),
                format!("{key} is {text:?}, longer than the longest allowed, {:?}", format_duration_ms(max_ms)),
            );
            return None;
        }
        Some(duration_ms)
    }

    fn boolean(&mut self, key: &str, node: &Node<'_>) -> Option<bool> {
        if let DeValue::Boolean(value) = node.get_ref() {
            return Some(*value);
        }
        let found = self.found(node);
        self.problems.at(node.span(), format!("{key} must be true or false, without quotes; {found}"));
        None
    }

    fn path(&mut self, key: &str, node: &Node<'_>) -> Option<Path> {
        let names: Vec<&str> = Path::ALL.iter().map(|path| path.name()).collect();
        let text = self.one_of(key, node, &names)?;
        Path::parse(text)
    }

    fn severity(&mut self, node: &Node<'_>) -> Option<Severity> {
        let names: Vec<&str> = SEVERITIES.iter().map(|severity| severity.name()).collect();
        let text = self.one_of("severity", node, &names)?;
        SEVERITIES.into_iter().find(|severity| severity.name() == text)
    }

    /// A text that must be one of `names`; the error lists them.
    fn one_of<'a>(&mut self, key: &str, node: &'a Node<'_>, names: &[&str]) -> Option<&'a str> {
        let DeValue::String(text) = node.get_ref() else {
            let found = self.found(node);
            self.problems
                .at(node.span(), format!("{key} must be one of {} (in double quotes); {found}", quoted_list(names)));
            return None;
        };
        if names.contains(&text.as_ref()) {
            return Some(text);
        }
        let hint = did_you_mean(text, names);
        self.problems
            .at(node.span(), format!("unknown {key} {text:?}{hint}: it must be one of {}", quoted_list(names)));
        None
    }

    /// A rule or tier name: text, not blank, no control characters, bounded (names are logged
    /// with every order routed).
    fn name(&mut self, what: &str, node: &Node<'_>) -> Option<String> {
        let DeValue::String(text) = node.get_ref() else {
            let found = self.found(node);
            self.problems.at(node.span(), format!("the {what} must be text in double quotes; {found}"));
            return None;
        };
        let message = if text.trim().is_empty() {
            format!("the {what} must not be empty")
        } else if text.len() > RULE_NAME_BYTES_MAX {
            format!(
                "the {what} is {} bytes long, more than the {RULE_NAME_BYTES_MAX} allowed (RULE_NAME_BYTES_MAX)",
                text.len()
            )
        } else if text.chars().any(char::is_control) {
            format!("the {what} must be on one line, without tabs or other control characters")
        } else if let Some((index, character, class)) = crate::validate::hidden_character(text) {
            format!(
                "the {what} {text:?} contains {class} (U+{:04X} at character {index}); names are shown to people and must read as they are",
                u32::from(character)
            )
        } else {
            return Some(text.to_string());
        };
        self.problems.at(node.span(), message);
        None
    }

    /// A non-empty list of codes (channels, categories), sorted and without duplicates.
    fn text_list(&mut self, key: &str, node: &Node<'_>, bytes_max: usize, limit: &str) -> Option<Vec<String>> {
        let items = self.list(key, node, "[\"tmall\", \"jd\"]")?;
        let mut values = Vec::new();
        let mut valid = true;
        for item in items {
            let DeValue::String(text) = item.get_ref() else {
                let found = self.found(item);
                self.problems.at(item.span(), format!("each {key} must be text in double quotes; {found}"));
                valid = false;
                continue;
            };
            let message = if text.is_empty() {
                format!("an empty {key} matches no order")
            } else if text.trim() != text.as_ref() {
                format!("{text:?} has spaces at its start or end, so it would never match; remove them")
            } else if text.chars().any(char::is_control) {
                format!("{text:?} contains a control character (a tab or line break)")
            } else if let Some((index, character, class)) = crate::validate::hidden_character(text) {
                format!(
                    "{text:?} contains {class} (U+{:04X} at character {index}), so it would never match",
                    u32::from(character)
                )
            } else if text.len() > bytes_max {
                format!(
                    "this {key} is {} bytes long, more than the {bytes_max} allowed ({limit}), so it would never match",
                    text.len()
                )
            } else {
                values.push(text.to_string());
                continue;
            };
            self.problems.at(item.span(), message);
            valid = false;
        }
        values.sort_unstable();
        values.dedup();
        valid.then_some(values)
    }

    fn flag_list(&mut self, node: &Node<'_>) -> Option<Vec<FlagCode>> {
        let items = self.list("flags", node, "[\"blacklisted_buyer\", \"velocity_buyer\"]")?;
        let names: Vec<&str> = FlagCode::ALL.iter().map(|flag| flag.name()).collect();
        let mut flags = Vec::new();
        let mut valid = true;
        for item in items {
            let text = self.one_of("flag", item, &names);
            match text.and_then(FlagCode::parse) {
                Some(flag) => flags.push(flag),
                None => valid = false,
            }
        }
        flags.sort_unstable();
        flags.dedup();
        valid.then_some(flags)
    }

    /// A non-empty list's items; an empty list is an error because it would match no order.
    fn list<'a, 'i>(&mut self, key: &str, node: &'a Node<'i>, example: &str) -> Option<&'a [Node<'i>]> {
        let DeValue::Array(items) = node.get_ref() else {
            let found = self.found(node);
            self.problems.at(node.span(), format!("{key} must be a list in square brackets, like {example}; {found}"));
            return None;
        };
        if items.is_empty() {
            self.problems.at(
                node.span(),
                format!("an empty {key} list matches no order; list at least one, or remove the condition"),
            );
            return None;
        }
        Some(items)
    }

    // ----- Reporting -----

    fn known_keys(&mut self, table: &DeTable<'_>, allowed: &[&str], place: &str) {
        let unknown: Vec<(String, Range<usize>)> = table
            .iter()
            .filter(|(key, _)| !allowed.contains(&key.get_ref().as_ref()))
            .map(|(key, _)| (key.get_ref().to_string(), key.span()))
            .collect();
        for (key, span) in unknown {
            self.unknown_key(&key, span, allowed, place);
        }
    }

    fn unknown_key(&mut self, key: &str, span: Range<usize>, allowed: &[&str], place: &str) {
        if allowed.contains(&key) {
            return;
        }
        let hint = did_you_mean(key, allowed);
        self.problems
            .at(span, format!("unknown key {key:?} {place}{hint}: the keys allowed here are {}", allowed.join(", ")));
    }

    /// Records that something required is missing, at the start of what should hold it.
    fn missing<T>(&mut self, holder: &Node<'_>, message: &str) -> Option<T> {
        self.problems.at(holder.span(), message);
        None
    }

    /// "found …": the offending value as written, and what kind of value it is.
    fn found(&self, node: &Node<'_>) -> String {
        let kind = match node.get_ref() {
            DeValue::String(_) => "text",
            DeValue::Integer(_) => "a whole number",
            DeValue::Float(_) => "a decimal number",
            DeValue::Boolean(_) => "true/false",
            DeValue::Datetime(_) => "a date or time",
            DeValue::Array(_) => return "found a list".into(),
            DeValue::Table(_) => return "found a table".into(),
        };
        let written = self.text.get(node.span()).unwrap_or("").lines().next().unwrap_or("");
        // Long values are cut: the position already says where the whole of it is.
        const SHOWN_CHARS_MAX: usize = 40;
        let mut shown: String = written.chars().take(SHOWN_CHARS_MAX).collect();
        if shown.len() < written.len() {
            shown.push('…');
        }
        format!("found {shown}, which is {kind}")
    }

    fn line_of(&self, span: Range<usize>) -> usize {
        self.positions.locate(span.start).0
    }
}

fn quoted_list(names: &[&str]) -> String {
    names.iter().map(|name| format!("{name:?}")).collect::<Vec<_>>().join(", ")
}

/// " (did you mean "x"?)" when `given` is close to one of `candidates`, else "".
fn did_you_mean(given: &str, candidates: &[&str]) -> String {
    // Long inputs are not typos of short keys; the bound also keeps the distance cheap.
    const COMPARED_CHARS_MAX: usize = 64;
    if given.chars().count() > COMPARED_CHARS_MAX {
        return String::new();
    }
    let given_lower = given.to_lowercase();
    let closest = candidates
        .iter()
        .map(|&candidate| (edit_distance(&given_lower, candidate), candidate))
        .filter(|&(distance, candidate)| {
            let tolerated = (candidate.len() / 3).max(2);
            // A prefix either way catches "manual" for "manual_review" and "shipping" for "ship".
            let (shorter, longer) = if given_lower.len() < candidate.len() {
                (given_lower.as_str(), candidate)
            } else {
                (candidate, given_lower.as_str())
            };
            distance <= tolerated || (shorter.len() >= 3 && longer.starts_with(shorter))
        })
        .min_by_key(|&(distance, _)| distance);
    closest.map(|(_, candidate)| format!(" (did you mean {candidate:?}?)")).unwrap_or_default()
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every problem in `text` as (line, column, message).
    fn problems(text: &str) -> Vec<(usize, usize, String)> {
        match parse(text) {
            Ok(_) => panic!("expected problems in:\n{text}"),
            Err(errors) => errors.into_iter().map(|error| (error.line, error.column, error.message)).collect(),
        }
    }

    /// Where the problems are, in file order.
    fn positions(text: &str) -> Vec<(usize, usize)> {
        problems(text).into_iter().map(|(line, column, _)| (line, column)).collect()
    }

    /// The one problem in `text`, which must be at (line, column) and mention every one of `words`.
    fn assert_one(text: &str, at: (usize, usize), words: &[&str]) {
        let found = problems(text);
        assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
        let (line, column, message) = &found[0];
        assert_eq!((*line, *column), at, "{message}");
        for word in words {
            assert!(message.contains(word), "{message:?} does not mention {word:?}");
        }
    }

    #[test]
    fn syntax_errors_point_at_the_token_and_all_are_reported() {
        let text = r#"[sla]
review = 30m
ship = "24h"
delivery = 3d
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(2, 10), (4, 12)]);
        assert!(found[0].2.starts_with("this is not valid TOML"), "{}", found[0].2);
        assert!(found[0].2.contains("double quotes"), "{}", found[0].2);
    }

    #[test]
    fn a_key_or_section_given_twice_is_a_syntax_error_at_the_second() {
        let text = r#"default_path = "auto"
[limits]
max_lines = 5
max_lines = 6
"#;
        assert_one(text, (4, 1), &["duplicate key"]);
        let text = r#"[limits]
max_lines = 5
[velocity]
window = "5m"
[limits]
"#;
        assert_one(text, (5, 2), &["duplicate key"]);
    }

    #[test]
    fn an_unterminated_string_is_reported_where_the_line_ends() {
        let text = "default_path = \"auto\n[limits]\n";
        assert_eq!(positions(text), [(1, 21)]);
    }

    #[test]
    fn unknown_keys_are_errors_with_the_allowed_keys_and_a_suggestion() {
        let text = r#"default_pth = "auto"
[limits]
max_order_amount = 100
[velocity]
windw = "5m"
[sla]
reveiw = "1h"
[sla.escalation]
tier = []
[[route]]
name = "a"
when.chanel = ["jd"]
path = "auto"
colour = "red"
"#;
        let found = problems(text);
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, [(1, 1), (3, 1), (5, 1), (7, 1), (9, 1), (12, 6), (14, 1)]);
        let messages: Vec<&str> = found.iter().map(|(_, _, m)| m.as_str()).collect();
        assert!(messages[0].contains("did you mean \"default_path\"?"), "{}", messages[0]);
        assert!(messages[0].contains("default_path, limits, velocity, sla, route"), "{}", messages[0]);
        assert!(messages[1].contains("in [limits] (did you mean \"max_order_amount_fen\"?):"), "{}", messages[1]);
        assert!(messages[2].contains("did you mean \"window\"?"), "{}", messages[2]);
        assert!(messages[3].contains("did you mean \"review\"?"), "{}", messages[3]);
        assert!(messages[4].contains("did you mean \"tiers\"?"), "{}", messages[4]);
        assert!(messages[5].contains("in a rule's `when` (did you mean \"channel\"?):"), "{}", messages[5]);
        assert!(
            messages[6]
                .starts_with("unknown key \"colour\" in a [[route]]: the keys allowed here are name, when, path")
        );
    }

    #[test]
    fn a_condition_written_straight_into_a_rule_says_to_put_it_under_when() {
        let text = r#"[[route]]
name = "jd"
channel = ["jd"]
path = "auto"
"#;
        assert_one(text, (3, 1), &["goes under `when`", "when.channel = ..."]);
    }

    #[test]
    fn unknown_keys_in_tiers_are_errors() {
        let text = r#"[sla.escalation]
tiers = [
  { name = "remind", after = "0m", severity = "low", colour = "red" },
]
"#;
        assert_one(text, (3, 54), &["unknown key \"colour\" in an escalation tier", "name, after, severity"]);
    }

    #[test]
    fn wrong_types_name_what_was_expected_and_what_was_found() {
        let text = r#"default_path = 3
limits = 5
velocity = "fast"
[sla]
review = 30
[[route]]
name = 7
when.channel = "tmall"
when.any_flag = "yes"
when.return = 1
path = true
"#;
        let found = problems(text);
        let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
        assert_eq!(at, [(1, 16), (2, 10), (3, 12), (5, 10), (7, 8), (8, 16), (9, 17), (10, 15), (11, 8)]);
        let messages: Vec<&str> = found.iter().map(|(_, _, m)| m.as_str()).collect();
        assert!(messages[0].contains("must be one of \"auto\", \"risk_review\", \"manual_review\", \"hold\""));
        assert!(messages[0].contains("found 3, which is a whole number"), "{}", messages[0]);
        assert!(messages[1].contains("limits must be a section: a line [limits]"), "{}", messages[1]);
        assert!(messages[2].contains("found \"fast\", which is text"), "{}", messages[2]);
        assert!(messages[3].contains("review must be a duration in double quotes"), "{}", messages[3]);
        assert!(messages[4].contains("rule name must be text"), "{}", messages[4]);
        assert!(messages[5].contains("must be a list in square brackets"), "{}", messages[5]);
        assert!(messages[6].contains("any_flag must be true or false, without quotes"), "{}", messages[6]);
        assert!(messages[7].contains("return must be true or false"), "{}", messages[7]);
        assert!(messages[8].contains("found true, which is true/false"), "{}", messages[8]);
    }

    #[test]
    fn amounts_in_yuan_are_refused_with_the_fen_hint() {
        let text = r#"[limits]
max_order_amount_fen = 50000.00
[[route]]
name = "big"
when.amount_fen_min = "20000.00"
path = "manual_review"
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(2, 24), (5, 23)]);
        for (_, _, message) in &found {
            assert!(message.contains("must be a whole number"), "{message}");
            assert!(message.contains("1 yuan = 100 fen"), "{message}");
        }
        assert!(found[0].2.contains("found 50000.00, which is a decimal number"), "{}", found[0].2);
    }

    #[test]
    fn a_route_must_be_a_list_of_tables() {
        let text = r#"[route]
name = "one"
path = "auto"
"#;
        assert_one(text, (1, 1), &["route must be a list of rules", "[[route]]"]);
        let text = "route = [\"auto\"]\n";
        assert_one(text, (1, 10), &["each rule must be a table"]);
    }

    #[test]
    fn unknown_paths_flags_and_severities_list_the_names_allowed() {
        let text = r#"default_path = "autoo"
[sla.escalation]
tiers = [{ name = "remind", after = "0m", severity = "urgent" }]
[[route]]
name = "blacklist"
when.flags = ["blacklisted_buyer", "blacklist_phone", "fraud"]
path = "risk"
"#;
        let found = problems(text);
        assert_eq!(
            found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(),
            [(1, 16), (3, 54), (6, 36), (6, 55), (7, 8)]
        );
        assert!(
            found[0].2.starts_with("unknown default_path \"autoo\" (did you mean \"auto\"?): it must be one of"),
            "{}",
            found[0].2
        );
        assert!(found[1].2.contains("\"low\", \"medium\", \"high\", \"critical\""), "{}", found[1].2);
        assert!(found[2].2.contains("unknown flag \"blacklist_phone\" (did you mean \"blacklisted_phone\"?)"));
        assert!(found[3].2.contains("\"address_incomplete\""), "{}", found[3].2);
        assert!(found[3].2.contains("\"unpaid\""), "{}", found[3].2);
        assert!(!found[3].2.contains("did you mean"), "{}", found[3].2);
        assert!(found[4].2.contains("unknown path \"risk\" (did you mean \"risk_review\"?)"), "{}", found[4].2);
    }

    #[test]
    fn bad_durations_point_at_the_string_and_give_the_accepted_forms() {
        let text = r#"[velocity]
window = "30 minutes"
[sla]
review = "1.5h"
ship = "0m"
delivery = "400d"
[sla.escalation]
tiers = [{ name = "remind", after = "soon", severity = "low" }]
"#;
        let found = problems(text);
        assert_eq!(
            found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(),
            [(2, 10), (4, 10), (5, 8), (6, 12), (8, 37)]
        );
        assert!(found[0].2.starts_with("\"30 minutes\" is not a duration: write a whole number and a unit"));
        assert!(found[0].2.contains("\"1h30m\""), "{}", found[0].2);
        assert!(found[1].2.starts_with("\"1.5h\" is not a duration"), "{}", found[1].2);
        assert!(found[2].2.contains("ship must be at least 1s"), "{}", found[2].2);
        assert!(found[3].2.contains("longer than the longest allowed, \"366d\""), "{}", found[3].2);
        assert!(found[4].2.starts_with("\"soon\" is not a duration"), "{}", found[4].2);
    }

    #[test]
    fn the_velocity_window_is_at_most_a_day_and_counts_at_least_one() {
        let text = r#"[velocity]
window = "1d1s"
max_orders_per_buyer = 0
max_orders_per_phone = 99999999999
max_orders_per_address = -3
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(2, 10), (3, 24), (4, 24), (5, 26)]);
        assert!(found[0].2.contains("\"1d\""), "{}", found[0].2);
        assert!(found[1].2.contains("must be at least 1"), "{}", found[1].2);
        assert!(found[2].2.contains("more than the 4294967295 allowed"), "{}", found[2].2);
        assert!(found[3].2.contains("must be at least 1"), "{}", found[3].2);
    }

    #[test]
    fn max_lines_is_between_one_and_the_engines_limit() {
        assert_one("[limits]\nmax_lines = 0\n", (2, 13), &["max_lines must be at least 1"]);
        assert_one("[limits]\nmax_lines = 129\n", (2, 13), &["more than the 128 allowed", "ORDER_LINES_MAX"]);
        assert_one("[limits]\nmax_order_amount_fen = 0\n", (2, 24), &["at least 1"]);
        assert_one("[limits]\nlow_stock_units = -1\n", (2, 19), &["low_stock_units must not be negative"]);
        let too_many = format!("[limits]\nlow_stock_units = {}\n", crate::limits::CELL_UNITS_MAX + 1);
        assert_one(&too_many, (2, 19), &["CELL_UNITS_MAX"]);
        assert_eq!(parse("[limits]\nlow_stock_units = 0\n").unwrap().limits().low_stock_units, Some(0));
        assert_one(
            "[limits]\nmax_order_amount_fen = 99999999999999999999\n",
            (2, 24),
            &["more than the 9223372036854775807 allowed"],
        );
    }

    #[test]
    fn negative_and_inverted_amounts_point_at_the_offending_value() {
        let text = r#"[[route]]
name = "negative"
when.amount_fen_min = -1
path = "auto"

[[route]]
name = "inverted"
when.amount_fen_min = 200000
when.amount_fen_max = 100000
path = "auto"
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(3, 23), (9, 23)]);
        assert_eq!(found[0].2, "amount_fen_min must not be negative");
        assert!(
            found[1].2.starts_with(
                "amount_fen_max 100000 (1,000.00 yuan) is below amount_fen_min 200000 (2,000.00 yuan), so no order \
                 can match"
            ),
            "{}",
            found[1].2
        );
        // Equal bounds are one amount, not an inverted range.
        parse("[[route]]\nname = \"exact\"\nwhen = { amount_fen_min = 5, amount_fen_max = 5 }\npath = \"hold\"\n")
            .unwrap();
    }

    #[test]
    fn duplicate_rule_names_are_reported_at_the_second() {
        let text = r#"[[route]]
name = "big orders"
when.amount_fen_min = 100
path = "manual_review"

[[route]]
name = "jd"
when.channel = ["jd"]
path = "auto"

[[route]]
name = "big orders"
when.amount_fen_min = 200
path = "hold"
"#;
        assert_one(text, (12, 8), &["\"big orders\" is already used by the rule on line 1"]);
    }

    #[test]
    fn rules_after_a_rule_without_conditions_are_unreachable() {
        let text = r#"[[route]]
name = "everything"
path = "manual_review"

[[route]]
name = "jd"
when.channel = ["jd"]
path = "auto"

[[route]]
name = "tmall"
when.channel = ["tmall"]
path = "auto"
"#;
        // Only the first unreachable rule is reported: one fix (moving the catch-all) fixes all.
        assert_one(text, (6, 8), &["can never be used", "\"everything\" on line 1", "has no conditions"]);
        // An empty `when` is no condition either.
        let text = r#"[[route]]
name = "everything"
when = {}
path = "hold"
[[route]]
name = "after"
path = "auto"
"#;
        assert_one(text, (6, 8), &["\"everything\" on line 1"]);
    }

    #[test]
    fn a_rule_without_conditions_is_fine_as_the_last_rule() {
        let text = r#"[[route]]
name = "jd"
when.channel = ["jd"]
path = "auto"

[[route]]
name = "everything else"
path = "manual_review"
"#;
        let rules = parse(text).unwrap();
        assert_eq!(rules.routes().len(), 2);
        assert!(rules.routes()[1].conditions.is_empty());
        assert_eq!(rules.routes()[1].line, 6);
    }

    #[test]
    fn a_rule_needs_a_name_and_a_path_reported_at_its_header() {
        let text = r#"[[route]]
when.channel = ["jd"]

[[route]]
name = ""
path = "auto"
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(1, 1), (1, 1), (5, 8)]);
        assert!(found[0].2.starts_with("this rule has no name"), "{}", found[0].2);
        assert!(found[1].2.starts_with("this rule has no path"), "{}", found[1].2);
        assert_eq!(found[2].2, "the rule name must not be empty");
    }

    #[test]
    fn a_rule_name_is_one_line_of_bounded_length() {
        let long = "x".repeat(RULE_NAME_BYTES_MAX + 1);
        let text = format!("[[route]]\nname = \"{long}\"\npath = \"auto\"\n");
        assert_one(&text, (2, 8), &["129 bytes long", "RULE_NAME_BYTES_MAX"]);
        let text = "[[route]]\nname = \"two\\nlines\"\npath = \"auto\"\n";
        assert_one(text, (2, 8), &["on one line"]);
    }

    #[test]
    fn lists_must_be_non_empty_and_hold_clean_text() {
        let text = r#"[[route]]
name = "lists"
when.channel = []
when.category = ["furniture", " sofa", "", 3]
when.flags = []
path = "auto"
"#;
        let found = problems(text);
        assert_eq!(
            found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(),
            [(3, 16), (4, 31), (4, 40), (4, 44), (5, 14)]
        );
        assert!(found[0].2.contains("an empty channel list matches no order"), "{}", found[0].2);
        assert!(found[1].2.contains("\" sofa\" has spaces at its start or end"), "{}", found[1].2);
        assert!(found[2].2.contains("an empty category matches no order"), "{}", found[2].2);
        assert!(found[3].2.contains("each category must be text"), "{}", found[3].2);
        assert!(found[4].2.contains("an empty flags list"), "{}", found[4].2);
    }

    #[test]
    fn names_and_list_items_with_hidden_characters_are_refused() {
        let text = "[[route]]\nname = \"big\u{200B}orders\"\nwhen.channel = [\"tm\u{202E}all\"]\npath = \"auto\"\n";
        let found = problems(text);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].2.contains("zero-width space (a format character) (U+200B at character 3)"), "{}", found[0].2);
        assert!(found[1].2.contains("bidi") && found[1].2.contains("never match"), "{}", found[1].2);
    }

    #[test]
    fn contradictory_flag_conditions_are_reported() {
        let text = r#"[[route]]
name = "never"
when.flags = ["unpaid"]
when.any_flag = false
path = "auto"
"#;
        assert_one(text, (4, 17), &["contradicts `flags`", "no order can match"]);
    }

    #[test]
    fn tiers_must_come_in_increasing_order_with_unique_names() {
        let text = r#"[sla.escalation]
tiers = [
  { name = "remind",     after = "30m", severity = "low" },
  { name = "supervisor", after = "10m", severity = "high" },
  { name = "supervisor", after = "2h",  severity = "critical" },
  { name = "late",       after = "2h",  severity = "critical" },
]
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(4, 34), (5, 12), (6, 34)]);
        assert!(found[0].2.contains("starts 10m after the deadline, which is not later than the tier before it"));
        assert!(found[0].2.contains("(\"remind\", 30m after)"), "{}", found[0].2);
        assert!(found[1].2.contains("\"supervisor\" is already used by the tier on line 4"), "{}", found[1].2);
        assert!(found[2].2.contains("not later than the tier before it (\"supervisor\", 2h after)"), "{}", found[2].2);
    }

    #[test]
    fn tiers_need_every_field_and_at_least_one_tier() {
        let text = r#"[sla.escalation]
tiers = [
  { name = "remind" },
]
"#;
        let found = problems(text);
        assert_eq!(found.iter().map(|(l, c, _)| (*l, *c)).collect::<Vec<_>>(), [(3, 3), (3, 3)]);
        assert!(found[0].2.starts_with("this tier has no `after`"), "{}", found[0].2);
        assert!(found[1].2.starts_with("this tier has no severity"), "{}", found[1].2);
        assert_one("[sla.escalation]\ntiers = []\n", (2, 9), &["an empty list of tiers"]);
        assert_one("[sla.escalation]\ntiers = \"remind\"\n", (2, 9), &["tiers must be a list of tiers"]);
        assert_one("[sla.escalation]\ntiers = [\"remind\"]\n", (2, 10), &["each tier must look like"]);
    }

    #[test]
    fn at_most_escalation_tiers_max_tiers() {
        let mut text = String::from("[sla.escalation]\n");
        for tier in 0..=ESCALATION_TIERS_MAX {
            text.push_str(&format!(
                "[[sla.escalation.tiers]]\nname = \"t{tier}\"\nafter = \"{tier}m\"\nseverity = \"low\"\n"
            ));
        }
        // The ninth tier's header is on line 2 + 8 * 4.
        assert_one(&text, (34, 1), &["too many tiers: 9 given, at most 8", "ESCALATION_TIERS_MAX"]);
    }

    #[test]
    fn at_most_rules_max_rules() {
        let mut text = String::new();
        for rule in 0..=RULES_MAX {
            text.push_str(&format!("[[route]]\nname = \"r{rule}\"\nwhen.amount_fen_min = {rule}\npath = \"auto\"\n"));
        }
        assert_one(&text, (4 * RULES_MAX + 1, 1), &["too many rules: 1001 given, at most 1000", "RULES_MAX"]);
        text.truncate(text.rfind("[[route]]").unwrap());
        assert_eq!(parse(&text).unwrap().routes().len(), RULES_MAX);
    }

    #[test]
    fn at_most_rules_bytes_max_bytes() {
        // A line of comment, then padding to exactly the limit: accepted.
        let mut text = String::from("# padding\n");
        text.push('#');
        text.push_str(&"x".repeat(RULES_BYTES_MAX - text.len() - 1));
        text.push('\n');
        assert_eq!(text.len(), RULES_BYTES_MAX);
        parse(&text).unwrap();
        // One byte more: refused, pointing where the limit falls (just after the last newline).
        text.push('y');
        assert_one(&text, (3, 1), &["1048577 bytes", "RULES_BYTES_MAX"]);
    }

    #[test]
    fn columns_count_characters_after_chinese_text() {
        let text = "[[route]]\nname = \"天猫大单\"; path = 1\n";
        // A syntax error after four three-byte characters: column 14 in characters (22 in bytes).
        assert_eq!(positions(text), [(2, 14)]);
        let text = "route = [{ name = \"天猫大单\", when.channel = [\"天猫\"], path = \"自动\" }]\n";
        assert_one(text, (1, 57), &["unknown path \"自动\""]);
        let text = "route = [{ name = \"天猫大单\", when.return = true, path = \"auto\" }, { name = \"天猫大单\", path = \"hold\" }]\n";
        assert_one(text, (1, 73), &["\"天猫大单\" is already used by the rule on line 1"]);
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let text = r#"default_path = "automatic"

[limits]
max_lines = 500

[sla]
review = "half an hour"

[[route]]
name = "a"
when.flags = ["stock_low"]
path = "manual_review"

[[route]]
name = "a"
when.amount_fen_min = 10
when.amount_fen_max = 5
path = "auto"
"#;
        assert_eq!(positions(text), [(1, 16), (4, 13), (7, 10), (11, 15), (15, 8), (17, 23)]);
    }

    #[test]
    fn messages_display_with_line_and_column() {
        let errors = parse("[limits]\nmax_lines = 0\n").unwrap_err();
        assert_eq!(errors[0].to_string(), "line 2, column 13: max_lines must be at least 1");
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        assert_eq!(did_you_mean("autoo", &["auto", "hold"]), " (did you mean \"auto\"?)");
        assert_eq!(did_you_mean("AUTO", &["auto", "hold"]), " (did you mean \"auto\"?)");
        assert_eq!(did_you_mean("manual", &["auto", "manual_review"]), " (did you mean \"manual_review\"?)");
        assert_eq!(did_you_mean("automatic", &["auto", "hold"]), " (did you mean \"auto\"?)");
        assert_eq!(did_you_mean("shipping", &["review", "ship"]), " (did you mean \"ship\"?)");
        assert_eq!(did_you_mean("shipping", &["auto", "hold"]), "");
        assert_eq!(did_you_mean(&"x".repeat(100), &["auto"]), "");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("天猫", "天"), 1);
    }
}
