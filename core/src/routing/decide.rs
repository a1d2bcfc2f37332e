//! Routing an order by the rules: the first route whose conditions all hold, then the guard
//! rails; explanations a business user can read; and dry runs that compare two versions of the
//! rules over recent orders before a reload.

use std::fmt;

use super::rules::{Condition, Route, Rules};
use super::{DRY_RUN_EXAMPLES_MAX, format_yuan};
use crate::order::form::{FlagCode, Path, Severity};

/// Why a guard rail overrode the rules: an order with a critical flag (a blacklist hit) never
/// goes auto; it goes to risk review.
pub const GUARD_RAIL_CRITICAL_FLAG: &str = "an order with a critical flag never goes auto";
/// Why a guard rail overrode the rules: a return goes to manual review.
pub const GUARD_RAIL_RETURN: &str = "a return order always goes to a person";
/// Why a guard rail overrode the rules: a cross-border order goes to manual review.
pub const GUARD_RAIL_CROSS_BORDER: &str = "a cross-border order always goes to a person";

/// What routing needs to know about an order, gathered by the intake checks.
#[derive(Clone, Copy, Debug)]
pub struct RouteFacts<'a> {
    /// The channel's code (`tmall`, `jd`, ...).
    pub channel: &'a str,
    /// The distinct categories of the order's SKUs.
    pub categories: &'a [&'a str],
    /// What the order is worth, in fen.
    pub amount_fen: u64,
    /// The flags the intake checks raised.
    pub flags: &'a [FlagCode],
    pub cross_border: bool,
    pub is_return: bool,
}

/// Where an order goes, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub path: Path,
    /// The name of the rule that matched; `None` when no rule did and the default path applied.
    pub rule: Option<String>,
    /// Set when a guard rail replaced the rules' choice of `auto` (one of the `GUARD_RAIL_*`).
    pub guard_rail: Option<&'static str>,
    /// A sentence for a business user: which rule, which conditions, which guard rail.
    pub reason: String,
}

/// How every rule came out for one order, and the decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// One entry per rule, in the order they are tried.
    pub rules: Vec<RuleCheck>,
    pub decision: Decision,
}

/// How one rule came out for one order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCheck {
    pub rule: String,
    pub line: usize,
    pub path: Path,
    /// Every condition held (a rule without conditions always matches).
    pub matched: bool,
    /// This is the rule that decided: the first that matched.
    pub chosen: bool,
    /// The conditions that held, described for this order.
    pub held: Vec<String>,
    /// The conditions that failed, described for this order ("the amount 120.00 yuan is below
    /// amount_fen_min 200000 (2,000.00 yuan)").
    pub failed: Vec<String>,
}

/// How many orders take each path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PathCounts {
    by_path: [usize; Path::ALL.len()],
}

impl PathCounts {
    pub fn get(&self, path: Path) -> usize {
        self.by_path[path_index(path)]
    }

    fn add(&mut self, path: Path) {
        self.by_path[path_index(path)] += 1;
    }
}

fn path_index(path: Path) -> usize {
    match path {
        Path::Auto => 0,
        Path::RiskReview => 1,
        Path::ManualReview => 2,
        Path::Hold => 3,
    }
}

/// The outcome of routing the same orders by the live rules and by proposed ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DryRun {
    pub orders: usize,
    pub current: PathCounts,
    pub proposed: PathCounts,
    /// Orders whose path differs between the two.
    pub changed: usize,
    /// The first few of them (at most `DRY_RUN_EXAMPLES_MAX`), in the order given.
    pub examples: Vec<PathChange>,
}

/// One order whose path a proposed rules file would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathChange {
    /// Position of the order in the slice given to [`dry_run`].
    pub index: usize,
    pub from: Path,
    pub to: Path,
    /// The rule that decides under the current rules (`None`: the default path).
    pub from_rule: Option<String>,
    /// The rule that would decide under the proposed rules (`None`: the default path).
    pub to_rule: Option<String>,
}

/// Routes `recent` orders by both `current` and `proposed` rules and reports the difference, so
/// that a person sees what a change would do before it goes live.
pub fn dry_run(current: &Rules, proposed: &Rules, recent: &[RouteFacts<'_>]) -> DryRun {
    let mut outcome = DryRun {
        orders: recent.len(),
        current: PathCounts::default(),
        proposed: PathCounts::default(),
        changed: 0,
        examples: Vec::new(),
    };
    for (index, order) in recent.iter().enumerate() {
        let before = current.route(order);
        let after = proposed.route(order);
        outcome.current.add(before.path);
        outcome.proposed.add(after.path);
        if before.path != after.path {
            outcome.changed += 1;
            if outcome.examples.len() < DRY_RUN_EXAMPLES_MAX {
                outcome.examples.push(PathChange {
                    index,
                    from: before.path,
                    to: after.path,
                    from_rule: before.rule,
                    to_rule: after.rule,
                });
            }
        }
    }
    outcome
}

impl Rules {
    /// Where `order` goes: the path of the first route whose conditions all hold (or the default
    /// path), unless a guard rail overrides a choice of `auto`:
    ///
    /// - an order with a critical flag goes to `risk_review` (this rail wins over the other two:
    ///   a blacklist hit is a risk question even on a return);
    /// - a return, or a cross-border order, goes to `manual_review`.
    ///
    /// Paths other than `auto` already put a person in front of the order and stay as chosen.
    pub fn route(&self, order: &RouteFacts<'_>) -> Decision {
        let chosen = self.routes.iter().find(|route| route.matches(order));
        self.decide(chosen, order)
    }

    /// How each rule, in order, came out for `order`, and the decision. Rules after the chosen
    /// one are evaluated too, so a person can see which others would also have matched.
    pub fn explain(&self, order: &RouteFacts<'_>) -> Explanation {
        let mut chosen: Option<&Route> = None;
        let mut checks = Vec::with_capacity(self.routes.len());
        for route in &self.routes {
            let (held, failed): (Vec<&Condition>, Vec<&Condition>) =
                route.conditions.iter().partition(|condition| condition.holds(order));
            let matched = failed.is_empty();
            let is_chosen = matched && chosen.is_none();
            if is_chosen {
                chosen = Some(route);
            }
            checks.push(RuleCheck {
                rule: route.name.clone(),
                line: route.line,
                path: route.path,
                matched,
                chosen: is_chosen,
                held: held.iter().map(|condition| condition.describe(order, true)).collect(),
                failed: failed.iter().map(|condition| condition.describe(order, false)).collect(),
            });
        }
        Explanation { rules: checks, decision: self.decide(chosen, order) }
    }

    fn decide(&self, chosen: Option<&Route>, order: &RouteFacts<'_>) -> Decision {
        let (path, rule, mut reason) = match chosen {
            Some(route) => (route.path, Some(route.name.clone()), route.reason(order)),
            None if self.routes.is_empty() => (
                self.default_path,
                None,
                format!("There are no rules, so the default path applies: {}.", self.default_path.name()),
            ),
            None => (
                self.default_path,
                None,
                format!("No rule matched, so the default path applies: {}.", self.default_path.name()),
            ),
        };
        let guard_rail = if path == Path::Auto { guard_rail(order) } else { None };
        let path = match guard_rail {
            Some((rail, overriding_path)) => {
                reason.push_str(&format!(" But {rail}, so the path is {} instead.", overriding_path.name()));
                overriding_path
            }
            None => path,
        };
        Decision { path, rule, guard_rail: guard_rail.map(|(rail, _)| rail), reason }
    }
}

/// The guard rail that keeps `order` from going auto, if any, and where it sends it instead.
fn guard_rail(order: &RouteFacts<'_>) -> Option<(&'static str, Path)> {
    if order.flags.iter().any(|flag| flag.severity() == Severity::Critical) {
        Some((GUARD_RAIL_CRITICAL_FLAG, Path::RiskReview))
    } else if order.is_return {
        Some((GUARD_RAIL_RETURN, Path::ManualReview))
    } else if order.cross_border {
        Some((GUARD_RAIL_CROSS_BORDER, Path::ManualReview))
    } else {
        None
    }
}

impl Route {
    fn matches(&self, order: &RouteFacts<'_>) -> bool {
        self.conditions.iter().all(|condition| condition.holds(order))
    }

    /// Why this route took `order` (every condition held).
    fn reason(&self, order: &RouteFacts<'_>) -> String {
        if self.conditions.is_empty() {
            return format!(
                "Rule {:?} (line {}) has no conditions, so it takes every order. Path: {}.",
                self.name,
                self.line,
                self.path.name()
            );
        }
        let held: Vec<String> = self.conditions.iter().map(|condition| condition.describe(order, true)).collect();
        format!("Rule {:?} (line {}) matched: {}. Path: {}.", self.name, self.line, and_list(&held), self.path.name())
    }
}

impl Condition {
    fn holds(&self, order: &RouteFacts<'_>) -> bool {
        match self {
            Condition::Channel(channels) => contains_text(channels, order.channel),
            Condition::Category(categories) => {
                order.categories.iter().any(|category| contains_text(categories, category))
            }
            Condition::AmountFenMin(min) => order.amount_fen >= *min,
            Condition::AmountFenMax(max) => order.amount_fen <= *max,
            Condition::Flags(flags) => order.flags.iter().any(|flag| flags.binary_search(flag).is_ok()),
            Condition::AnyFlag(wanted) => {
                let has_flags = !order.flags.is_empty();
                has_flags == *wanted
            }
            Condition::CrossBorder(wanted) => order.cross_border == *wanted,
            Condition::Return(wanted) => order.is_return == *wanted,
        }
    }

    /// How this condition came out for `order`, as a clause of a sentence. `held` is what
    /// [`Condition::holds`] returned.
    fn describe(&self, order: &RouteFacts<'_>, held: bool) -> String {
        let amount = format_yuan(order.amount_fen);
        match self {
            Condition::Channel(channels) => {
                let verb = if held { "is" } else { "is not" };
                format!("the channel {:?} {verb} one of {}", order.channel, quoted(channels))
            }
            Condition::Category(categories) if held => {
                let matching = order.categories.iter().find(|category| contains_text(categories, category));
                format!("the category {:?} is one of {}", matching.unwrap_or(&""), quoted(categories))
            }
            Condition::Category(categories) if order.categories.is_empty() => {
                format!("the order has no categories, so none is one of {}", quoted(categories))
            }
            Condition::Category(categories) => format!(
                "none of the order's categories ({}) is one of {}",
                quoted(order.categories),
                quoted(categories)
            ),
            Condition::AmountFenMin(min) => {
                let verb = if held { "is at least" } else { "is below" };
                format!("the amount {amount} {verb} amount_fen_min {min} ({})", format_yuan(*min))
            }
            Condition::AmountFenMax(max) => {
                let verb = if held { "is at most" } else { "is above" };
                format!("the amount {amount} {verb} amount_fen_max {max} ({})", format_yuan(*max))
            }
            Condition::Flags(flags) if held => {
                let matching = order.flags.iter().find(|flag| flags.binary_search(flag).is_ok());
                format!(
                    "the order has the flag {}, one of {}",
                    matching.map_or("", |flag| flag.name()),
                    flag_names(flags)
                )
            }
            Condition::Flags(flags) if order.flags.is_empty() => {
                format!("the order has none of the flags {}: it has no flags", flag_names(flags))
            }
            Condition::Flags(flags) => format!(
                "the order has none of the flags {}: its flags are {}",
                flag_names(flags),
                flag_names(order.flags)
            ),
            Condition::AnyFlag(wanted) => match (order.flags.is_empty(), wanted) {
                (true, true) => "the order has no flags, and any_flag = true".into(),
                (true, false) => "the order has no flags".into(),
                (false, true) => format!("the order has flags ({})", flag_names(order.flags)),
                (false, false) => format!("the order has flags ({}), and any_flag = false", flag_names(order.flags)),
            },
            Condition::CrossBorder(wanted) => {
                yes_no_clause(order.cross_border, *wanted, "cross-border", "cross_border")
            }
            Condition::Return(wanted) => yes_no_clause(order.is_return, *wanted, "a return", "return"),
        }
    }
}

/// "the order is cross-border" / "the order is not cross-border, and cross_border = true".
fn yes_no_clause(actual: bool, wanted: bool, what: &str, key: &str) -> String {
    let state = if actual { format!("the order is {what}") } else { format!("the order is not {what}") };
    if actual == wanted { state } else { format!("{state}, and {key} = {wanted}") }
}

fn contains_text(sorted: &[String], wanted: &str) -> bool {
    sorted.binary_search_by(|text| text.as_str().cmp(wanted)).is_ok()
}

fn quoted<T: AsRef<str>>(texts: &[T]) -> String {
    texts.iter().map(|text| format!("{:?}", text.as_ref())).collect::<Vec<_>>().join(", ")
}

fn flag_names(flags: &[FlagCode]) -> String {
    flags.iter().map(|flag| flag.name()).collect::<Vec<_>>().join(", ")
}

/// "a", "a and b", "a, b and c".
fn and_list(clauses: &[String]) -> String {
    match clauses {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for check in &self.rules {
            let outcome = match (check.matched, check.chosen) {
                (true, true) => "matched, and decides",
                (true, false) => "would match too, but an earlier rule decides",
                (false, _) => "does not match",
            };
            write!(f, "rule {:?} (line {}, path {}): {outcome}", check.rule, check.line, check.path.name())?;
            if !check.failed.is_empty() {
                write!(f, ": {}", check.failed.join("; "))?;
            } else if !check.held.is_empty() {
                write!(f, ": {}", check.held.join("; "))?;
            }
            writeln!(f)?;
        }
        write!(f, "decision: {}. {}", self.decision.path.name(), self.decision.reason)
    }
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} orders:", self.orders)?;
        for path in Path::ALL {
            write!(f, " {} {} → {};", path.name(), self.current.get(path), self.proposed.get(path))?;
        }
        write!(f, " {} would change path", self.changed)?;
        for change in &self.examples {
            let rule = |rule: &Option<String>| {
                rule.as_ref().map_or("the default path".into(), |name| format!("rule {name:?}"))
            };
            write!(
                f,
                "\n  order #{}: {} ({}) → {} ({})",
                change.index,
                change.from.name(),
                rule(&change.from_rule),
                change.to.name(),
                rule(&change.to_rule)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::parse;

    fn rules(text: &str) -> Rules {
        parse(text).unwrap_or_else(|errors| panic!("{errors:#?}"))
    }

    /// A clean order: no flags, domestic, not a return.
    fn order() -> RouteFacts<'static> {
        RouteFacts {
            channel: "tmall",
            categories: &["furniture"],
            amount_fen: 12_000,
            flags: &[],
            cross_border: false,
            is_return: false,
        }
    }

    /// Whether a file whose only rule has `conditions` (and whose default is `hold`) routes
    /// `order` by that rule.
    fn matches(conditions: &str, order: &RouteFacts<'_>) -> bool {
        let text = format!(
            "default_path = \"hold\"\n[[route]]\nname = \"only\"\nwhen = {{ {conditions} }}\npath = \"risk_review\"\n"
        );
        let decision = rules(&text).route(order);
        assert_eq!(decision.path == Path::RiskReview, decision.rule.is_some());
        decision.rule.is_some()
    }

    #[test]
    fn the_first_matching_rule_decides_in_file_order() {
        let rules = rules(
            r#"[[route]]
name = "jd only"
when.channel = ["jd"]
path = "hold"

[[route]]
name = "big"
when.amount_fen_min = 10000
path = "manual_review"

[[route]]
name = "tmall"
when.channel = ["tmall"]
path = "risk_review"
"#,
        );
        let decision = rules.route(&order());
        assert_eq!((decision.path, decision.rule.as_deref()), (Path::ManualReview, Some("big")));
        let decision = rules.route(&RouteFacts { channel: "jd", ..order() });
        assert_eq!((decision.path, decision.rule.as_deref()), (Path::Hold, Some("jd only")));
        let decision = rules.route(&RouteFacts { amount_fen: 9_999, ..order() });
        assert_eq!((decision.path, decision.rule.as_deref()), (Path::RiskReview, Some("tmall")));
        let decision = rules.route(&RouteFacts { amount_fen: 9_999, channel: "pdd", ..order() });
        assert_eq!((decision.path, decision.rule.as_deref(), decision.guard_rail), (Path::Auto, None, None));
        assert_eq!(decision.reason, "No rule matched, so the default path applies: auto.");
    }

    #[test]
    fn channel_matches_any_listed_channel_exactly() {
        assert!(matches(r#"channel = ["jd", "tmall"]"#, &order()));
        assert!(!matches(r#"channel = ["jd", "pdd"]"#, &order()));
        assert!(!matches(r#"channel = ["TMALL"]"#, &order()));
    }

    #[test]
    fn category_matches_if_any_of_the_orders_categories_is_listed() {
        let two = RouteFacts { categories: &["lamps", "sofas"], ..order() };
        assert!(matches(r#"category = ["sofas", "beds"]"#, &two));
        assert!(!matches(r#"category = ["beds"]"#, &two));
        assert!(!matches(r#"category = ["beds"]"#, &RouteFacts { categories: &[], ..order() }));
    }

    #[test]
    fn amount_bounds_are_inclusive() {
        let at = |amount_fen| RouteFacts { amount_fen, ..order() };
        assert!(matches("amount_fen_min = 200000", &at(200_000)));
        assert!(!matches("amount_fen_min = 200000", &at(199_999)));
        assert!(matches("amount_fen_max = 200000", &at(200_000)));
        assert!(!matches("amount_fen_max = 200000", &at(200_001)));
        let range = "amount_fen_min = 100, amount_fen_max = 200";
        assert!(matches(range, &at(100)) && matches(range, &at(150)) && matches(range, &at(200)));
        assert!(!matches(range, &at(99)) && !matches(range, &at(201)));
        assert!(matches("amount_fen_max = 0", &at(0)));
        assert!(matches("amount_fen_min = 0", &at(u64::MAX)));
    }

    #[test]
    fn flags_match_if_the_order_has_any_listed_flag() {
        let flagged = RouteFacts { flags: &[FlagCode::BadPhone, FlagCode::Unpaid], ..order() };
        assert!(matches(r#"flags = ["unpaid", "stock_short"]"#, &flagged));
        assert!(!matches(r#"flags = ["stock_short"]"#, &flagged));
        assert!(!matches(r#"flags = ["unpaid"]"#, &order()));
    }

    #[test]
    fn any_flag_asks_for_some_flag_or_none() {
        let flagged = RouteFacts { flags: &[FlagCode::StockShort], ..order() };
        assert!(matches("any_flag = true", &flagged));
        assert!(!matches("any_flag = true", &order()));
        assert!(matches("any_flag = false", &order()));
        assert!(!matches("any_flag = false", &flagged));
    }

    #[test]
    fn cross_border_and_return_match_either_way() {
        let abroad = RouteFacts { cross_border: true, ..order() };
        let returned = RouteFacts { is_return: true, ..order() };
        assert!(matches("cross_border = true", &abroad) && !matches("cross_border = true", &order()));
        assert!(matches("cross_border = false", &order()) && !matches("cross_border = false", &abroad));
        assert!(matches("return = true", &returned) && !matches("return = true", &order()));
        assert!(matches("return = false", &order()) && !matches("return = false", &returned));
    }

    #[test]
    fn all_conditions_must_hold() {
        let conditions = r#"channel = ["tmall"], category = ["furniture"], amount_fen_max = 20000, any_flag = false"#;
        assert!(matches(conditions, &order()));
        assert!(!matches(conditions, &RouteFacts { channel: "jd", ..order() }));
        assert!(!matches(conditions, &RouteFacts { categories: &["toys"], ..order() }));
        assert!(!matches(conditions, &RouteFacts { amount_fen: 20_001, ..order() }));
        assert!(!matches(conditions, &RouteFacts { flags: &[FlagCode::Unpaid], ..order() }));
    }

    /// Rules that send every order to `path`, by a rule or by the default.
    fn every_order_to(path: Path) -> [Rules; 2] {
        [
            rules(&format!("[[route]]\nname = \"all\"\npath = \"{}\"\n", path.name())),
            rules(&format!("default_path = \"{}\"\n", path.name())),
        ]
    }

    #[test]
    fn returns_and_cross_border_orders_never_go_auto_whatever_the_path() {
        let returned = RouteFacts { is_return: true, ..order() };
        let abroad = RouteFacts { cross_border: true, ..order() };
        for path in Path::ALL {
            for rules in every_order_to(path) {
                for (order, rail) in [(returned, GUARD_RAIL_RETURN), (abroad, GUARD_RAIL_CROSS_BORDER)] {
                    let decision = rules.route(&order);
                    if path == Path::Auto {
                        assert_eq!(decision.path, Path::ManualReview);
                        assert_eq!(decision.guard_rail, Some(rail));
                        assert!(
                            decision.reason.ends_with(&format!("But {rail}, so the path is manual_review instead."))
                        );
                    } else {
                        assert_eq!((decision.path, decision.guard_rail), (path, None));
                    }
                    // The rule that matched is still named: the rail changed its path, not its match.
                    assert_eq!(decision.rule.is_some(), !rules.routes().is_empty());
                }
            }
        }
    }

    #[test]
    fn orders_with_a_critical_flag_never_go_auto_whatever_the_path() {
        let critical: Vec<FlagCode> =
            FlagCode::ALL.into_iter().filter(|flag| flag.severity() == Severity::Critical).collect();
        assert_eq!(critical.len(), 3);
        for path in Path::ALL {
            for rules in every_order_to(path) {
                for flag in &critical {
                    let flags = [FlagCode::Unpaid, *flag];
                    let decision = rules.route(&RouteFacts { flags: &flags, ..order() });
                    let expected = if path == Path::Auto { Path::RiskReview } else { path };
                    assert_eq!(decision.path, expected, "{flag:?} under {path:?}");
                    assert_eq!(decision.guard_rail.is_some(), path == Path::Auto);
                }
            }
        }
        // Serious but not critical flags are the file's business.
        let decision = Rules::default().route(&RouteFacts { flags: &[FlagCode::VelocityBuyer], ..order() });
        assert_eq!((decision.path, decision.guard_rail), (Path::Auto, None));
    }

    #[test]
    fn a_critical_flag_on_a_return_goes_to_risk_review() {
        let flags = [FlagCode::BlacklistedPhone];
        let order = RouteFacts { flags: &flags, is_return: true, cross_border: true, ..order() };
        let decision = Rules::default().route(&order);
        assert_eq!(decision.path, Path::RiskReview);
        assert_eq!(decision.guard_rail, Some(GUARD_RAIL_CRITICAL_FLAG));
    }

    #[test]
    fn reasons_name_the_rule_its_line_and_the_conditions_that_held() {
        let rules = rules(
            r#"[[route]]
name = "big tmall orders"
when.channel = ["tmall", "jd"]
when.amount_fen_min = 10000
path = "auto"

[[route]]
name = "the rest"
path = "hold"
"#,
        );
        let decision = rules.route(&order());
        assert_eq!(
            decision.reason,
            "Rule \"big tmall orders\" (line 1) matched: the channel \"tmall\" is one of \"jd\", \"tmall\" and the \
             amount 120.00 yuan is at least amount_fen_min 10000 (100.00 yuan). Path: auto."
        );
        let decision = rules.route(&RouteFacts { amount_fen: 1, is_return: true, ..order() });
        assert_eq!(decision.rule.as_deref(), Some("the rest"));
        assert_eq!(
            decision.reason,
            "Rule \"the rest\" (line 7) has no conditions, so it takes every order. Path: hold."
        );
        let decision = rules.route(&RouteFacts { is_return: true, ..order() });
        assert!(decision.reason.ends_with(
            "Path: auto. But a return order always goes to a person, so the path is manual_review instead."
        ));
        let decision = Rules::default().route(&order());
        assert_eq!(decision.reason, "There are no rules, so the default path applies: auto.");
    }

    #[test]
    fn explain_says_for_each_rule_whether_it_matched_and_what_failed() {
        let rules = rules(
            r#"[[route]]
name = "blacklist"
when.flags = ["blacklisted_buyer"]
path = "risk_review"

[[route]]
name = "big"
when.amount_fen_min = 200000
when.channel = ["tmall"]
path = "manual_review"

[[route]]
name = "tmall"
when.channel = ["tmall"]
path = "auto"

[[route]]
name = "flagged"
when.any_flag = true
path = "hold"
"#,
        );
        let explanation = rules.explain(&order());
        let outcomes: Vec<(&str, bool, bool)> =
            explanation.rules.iter().map(|check| (check.rule.as_str(), check.matched, check.chosen)).collect();
        assert_eq!(
            outcomes,
            [("blacklist", false, false), ("big", false, false), ("tmall", true, true), ("flagged", false, false)]
        );
        assert_eq!(explanation.rules[0].failed, ["the order has none of the flags blacklisted_buyer: it has no flags"]);
        assert_eq!(
            explanation.rules[1].failed,
            ["the amount 120.00 yuan is below amount_fen_min 200000 (2,000.00 yuan)"]
        );
        assert_eq!(explanation.rules[1].held, ["the channel \"tmall\" is one of \"tmall\""]);
        assert_eq!(explanation.decision, rules.route(&order()));
        assert_eq!(
            explanation.to_string(),
            "rule \"blacklist\" (line 1, path risk_review): does not match: the order has none of the flags \
             blacklisted_buyer: it has no flags\n\
             rule \"big\" (line 6, path manual_review): does not match: the amount 120.00 yuan is below \
             amount_fen_min 200000 (2,000.00 yuan)\n\
             rule \"tmall\" (line 12, path auto): matched, and decides: the channel \"tmall\" is one of \"tmall\"\n\
             rule \"flagged\" (line 17, path hold): does not match: the order has no flags, and any_flag = true\n\
             decision: auto. Rule \"tmall\" (line 12) matched: the channel \"tmall\" is one of \"tmall\". Path: auto."
        );
        // A later rule that also matches is shown as such.
        let flags = [FlagCode::Unpaid];
        let explanation = rules.explain(&RouteFacts { flags: &flags, ..order() });
        assert!(explanation.rules[3].matched && !explanation.rules[3].chosen);
        assert!(explanation.to_string().contains("would match too, but an earlier rule decides"));
    }

    #[test]
    fn failed_conditions_describe_what_the_order_has() {
        let flags = [FlagCode::BadPhone];
        let order = RouteFacts { flags: &flags, categories: &["toys", "lamps"], cross_border: true, ..order() };
        let failed = |condition: Condition| condition.describe(&order, false);
        assert_eq!(failed(Condition::Channel(vec!["jd".into()])), "the channel \"tmall\" is not one of \"jd\"");
        assert_eq!(
            failed(Condition::Category(vec!["beds".into()])),
            "none of the order's categories (\"toys\", \"lamps\") is one of \"beds\""
        );
        assert_eq!(
            failed(Condition::AmountFenMax(100)),
            "the amount 120.00 yuan is above amount_fen_max 100 (1.00 yuan)"
        );
        assert_eq!(
            failed(Condition::Flags(vec![FlagCode::Unpaid])),
            "the order has none of the flags unpaid: its flags are bad_phone"
        );
        assert_eq!(failed(Condition::AnyFlag(false)), "the order has flags (bad_phone), and any_flag = false");
        assert_eq!(failed(Condition::CrossBorder(false)), "the order is cross-border, and cross_border = false");
        assert_eq!(failed(Condition::Return(true)), "the order is not a return, and return = true");
    }

    #[test]
    fn dry_run_counts_paths_under_both_rules_and_lists_changes() {
        let current = Rules::default();
        let proposed = rules(
            r#"[[route]]
name = "jd to review"
when.channel = ["jd"]
path = "manual_review"

[[route]]
name = "unpaid waits"
when.flags = ["unpaid"]
path = "hold"
"#,
        );
        let unpaid = [FlagCode::Unpaid];
        let blacklisted = [FlagCode::BlacklistedBuyer];
        let mut recent = Vec::new();
        for index in 0..30 {
            recent.push(match index % 3 {
                0 => RouteFacts { channel: "jd", ..order() },
                1 => RouteFacts { flags: &unpaid, ..order() },
                _ => RouteFacts { flags: &blacklisted, ..order() },
            });
        }
        let outcome = dry_run(&current, &proposed, &recent);
        assert_eq!(outcome.orders, 30);
        let counts = |counts: &PathCounts| Path::ALL.map(|path| counts.get(path));
        // Order: auto, risk_review, manual_review, hold.
        assert_eq!(counts(&outcome.current), [20, 10, 0, 0]);
        assert_eq!(counts(&outcome.proposed), [0, 10, 10, 10]);
        assert_eq!(outcome.changed, 20);
        assert_eq!(outcome.examples.len(), DRY_RUN_EXAMPLES_MAX);
        assert_eq!(
            outcome.examples[0],
            PathChange {
                index: 0,
                from: Path::Auto,
                to: Path::ManualReview,
                from_rule: None,
                to_rule: Some("jd to review".into())
            }
        );
        assert_eq!(outcome.examples[1].index, 1);
        assert_eq!(outcome.examples[1].to, Path::Hold);
        assert_eq!(outcome.examples[2].index, 3);
        let shown = outcome.to_string();
        assert!(shown.starts_with(
            "30 orders: auto 20 → 0; risk_review 10 → 10; manual_review 0 → 10; hold 0 → 10; 20 would change path\n  \
             order #0: auto (the default path) → manual_review (rule \"jd to review\")"
        ));
        // The same rules change nothing.
        let outcome = dry_run(&proposed, &proposed.clone(), &recent);
        assert_eq!((outcome.changed, outcome.examples.len()), (0, 0));
        assert_eq!(outcome.current, outcome.proposed);
    }
}
