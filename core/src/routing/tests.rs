//! Module-level tests: the committed example file parses to what its comments say, an empty file
//! means the documented defaults, and random input never makes parsing or routing panic.

use proptest::prelude::*;

use super::*;
use crate::order::change::Stage;
use crate::order::form::{FlagCode, Path, Severity};

const EXAMPLE: &str = include_str!("example-rules.toml");
const MINUTE_MS: u64 = 60 * 1000;
const HOUR_MS: u64 = 60 * MINUTE_MS;

#[test]
fn an_empty_file_means_the_documented_defaults() {
    let rules = parse("").unwrap();
    assert_eq!(rules, Rules::default());
    assert_eq!(rules.default_path(), Path::Auto);
    assert_eq!(rules.limits(), Limits { max_order_amount_fen: 5_000_000, max_lines: None, low_stock_units: None });
    assert_eq!(
        rules.velocity(),
        Velocity {
            window_ms: 10 * MINUTE_MS,
            max_orders_per_buyer: 5,
            max_orders_per_phone: 5,
            max_orders_per_address: 8
        }
    );
    let sla = rules.sla();
    assert_eq!(
        Stage::ALL.map(|stage| sla.deadline_ms(stage)),
        [30 * MINUTE_MS, 2 * HOUR_MS, 24 * HOUR_MS, 4 * HOUR_MS, 72 * HOUR_MS]
    );
    let tiers: Vec<(&str, u64, Severity)> =
        rules.escalation_tiers().iter().map(|tier| (tier.name.as_str(), tier.after_ms, tier.severity)).collect();
    assert_eq!(
        tiers,
        [
            ("remind", 0, Severity::Low),
            ("supervisor", 30 * MINUTE_MS, Severity::High),
            ("critical", 2 * HOUR_MS, Severity::Critical)
        ]
    );
    assert!(rules.routes().is_empty());
    // Comments and empty sections change nothing but the source.
    let commented = parse("# nothing here\n[limits]\n[velocity]\n[sla]\n[sla.escalation]\n").unwrap();
    assert_eq!(commented.limits(), rules.limits());
    assert_eq!(commented.escalation_tiers(), rules.escalation_tiers());
    assert_ne!(commented, rules);
}

#[test]
fn a_section_given_in_part_keeps_the_defaults_of_the_rest() {
    let rules = parse("[sla]\nreview = \"1h\"\n[velocity]\nmax_orders_per_phone = 2\n").unwrap();
    let defaults = Rules::default();
    assert_eq!(rules.sla(), Sla { review_ms: HOUR_MS, ..defaults.sla() });
    assert_eq!(rules.velocity(), Velocity { max_orders_per_phone: 2, ..defaults.velocity() });
    assert_eq!(rules.escalation_tiers(), defaults.escalation_tiers());
}

#[test]
fn the_example_file_parses_to_what_its_comments_say() {
    let rules = parse(EXAMPLE).unwrap_or_else(|errors| {
        panic!("{}", errors.iter().map(|error| error.snippet(EXAMPLE)).collect::<Vec<_>>().join("\n"))
    });
    let defaults = Rules::default();
    // The example spells out every default, except the optional limits, which it shows set.
    assert_eq!(rules.default_path(), defaults.default_path());
    assert_eq!(rules.limits(), Limits { max_lines: Some(50), low_stock_units: Some(20), ..defaults.limits() });
    assert_eq!(rules.velocity(), defaults.velocity());
    assert_eq!(rules.sla(), defaults.sla());
    assert_eq!(rules.escalation_tiers(), defaults.escalation_tiers());
    let routes: Vec<(&str, Path)> = rules.routes().iter().map(|route| (route.name.as_str(), route.path)).collect();
    assert_eq!(
        routes,
        [
            ("blacklisted buyer, phone or address", Path::RiskReview),
            ("too many orders too fast", Path::RiskReview),
            ("not paid yet", Path::Hold),
            ("big orders", Path::ManualReview),
            ("address or phone to check", Path::ManualReview),
            ("returns and exchanges", Path::ManualReview),
            ("small clean furniture orders from Tmall and JD", Path::Auto),
            ("anything else with a flag", Path::ManualReview),
        ]
    );
    let furniture = rules.routes().iter().find(|route| route.path == Path::Auto).unwrap();
    assert_eq!(
        furniture.conditions,
        [
            Condition::Channel(vec!["jd".into(), "tmall".into()]),
            Condition::Category(vec!["furniture".into()]),
            Condition::AmountFenMax(500_000),
            Condition::AnyFlag(false),
        ]
    );
    // The module documentation embeds the same file, so the two cannot drift apart.
    assert_eq!(rules.source(), EXAMPLE);

    let clean = RouteFacts {
        channel: "jd",
        categories: &["furniture"],
        amount_fen: 300_000,
        flags: &[],
        cross_border: false,
        is_return: false,
    };
    let decision = rules.route(&clean);
    assert_eq!((decision.path, decision.rule.as_deref()), (Path::Auto, Some(furniture.name.as_str())));
    let decision = rules.route(&RouteFacts { amount_fen: 2_500_000, ..clean });
    assert_eq!((decision.path, decision.rule.as_deref()), (Path::ManualReview, Some("big orders")));
    let decision = rules.route(&RouteFacts { flags: &[FlagCode::BlacklistedAddress], ..clean });
    assert_eq!(decision.path, Path::RiskReview);
    let decision = rules.route(&RouteFacts { cross_border: true, ..clean });
    assert_eq!((decision.path, decision.guard_rail), (Path::ManualReview, Some(GUARD_RAIL_CROSS_BORDER)));
}

#[test]
fn tiers_may_also_be_written_as_tables() {
    let tables = parse(
        r#"[[sla.escalation.tiers]]
name = "remind"
after = "0m"
severity = "low"

[[sla.escalation.tiers]]
name = "supervisor"
after = "30m"
severity = "high"

[[sla.escalation.tiers]]
name = "critical"
after = "2h"
severity = "critical"
"#,
    )
    .unwrap();
    assert_eq!(tables.escalation_tiers(), Rules::default().escalation_tiers());
}

#[test]
fn the_fingerprint_follows_the_text() {
    assert_eq!(Rules::default().fingerprint(), 0, "CRC32C of nothing");
    let first = parse(EXAMPLE).unwrap();
    assert_eq!(first.fingerprint(), parse(EXAMPLE).unwrap().fingerprint());
    assert_eq!(first.fingerprint(), crc32c::crc32c(EXAMPLE.as_bytes()));
    let edited = format!("{EXAMPLE}\n# edited\n");
    assert_ne!(parse(&edited).unwrap().fingerprint(), first.fingerprint());
}

#[test]
fn amounts_read_as_yuan_with_thousands_grouped() {
    assert_eq!(format_yuan(0), "0.00 yuan");
    assert_eq!(format_yuan(5), "0.05 yuan");
    assert_eq!(format_yuan(12_000), "120.00 yuan");
    assert_eq!(format_yuan(123_456), "1,234.56 yuan");
    assert_eq!(format_yuan(5_000_000), "50,000.00 yuan");
    assert_eq!(format_yuan(100_000_000), "1,000,000.00 yuan");
    assert_eq!(format_yuan(u64::MAX), "184,467,440,737,095,516.15 yuan");
}

#[test]
fn a_refused_file_becomes_one_engine_error() {
    let errors = parse("default_path = \"sometimes\"\n").unwrap_err();
    let error = rules_error(&errors);
    assert_eq!(error.code(), crate::ErrorCode::InvalidRules);
    assert!(error.to_string().contains("line 1, column 16: unknown default_path \"sometimes\""), "{error}");
}

/// Pieces of rules files, right and wrong, that random files are assembled from, so the checks
/// past the TOML syntax are exercised too (random characters alone rarely parse as TOML).
const FRAGMENTS: &[&str] = &[
    "[limits]\n",
    "[velocity]\n",
    "[sla]\n",
    "[sla.escalation]\n",
    "[[route]]\n",
    "[[sla.escalation.tiers]]\n",
    "[route.when]\n",
    "name = \"a\"\n",
    "name = \"天猫\"\n",
    "name = 1\n",
    "path = \"auto\"\n",
    "path = \"hold\"\n",
    "path = \"nowhere\"\n",
    "default_path = \"manual_review\"\n",
    "when.channel = [\"jd\", \"tmall\"]\n",
    "when.category = []\n",
    "when.flags = [\"unpaid\", \"blacklisted_buyer\"]\n",
    "when.any_flag = false\n",
    "when.return = true\n",
    "when.cross_border = \"no\"\n",
    "when.amount_fen_min = 100\n",
    "when.amount_fen_max = -1\n",
    "when = {}\n",
    "max_order_amount_fen = 99999999999999999999999\n",
    "max_lines = 0x10\n",
    "window = \"1d\"\n",
    "review = \"1h30m\"\n",
    "after = \"0m\"\n",
    "severity = \"critical\"\n",
    "tiers = [{ name = \"x\", after = \"5m\", severity = \"low\" }, 3]\n",
    "route = [{ name = \"inline\", path = \"auto\" }]\n",
    "= = =\n",
    "\"\n",
    "é\u{0}\n",
];

fn assembled_file() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..10).prop_map(|pieces| pieces.concat())
}

fn route_facts_parts() -> impl Strategy<Value = (String, Vec<String>, u64, Vec<FlagCode>, bool, bool)> {
    (
        prop::sample::select(vec!["jd", "tmall", "pdd", "", "天猫"]).prop_map(String::from),
        prop::collection::vec(prop::sample::select(vec!["furniture", "toys", ""]).prop_map(String::from), 0..3),
        any::<u64>(),
        prop::collection::vec(prop::sample::select(FlagCode::ALL.to_vec()), 0..4),
        any::<bool>(),
        any::<bool>(),
    )
}

proptest! {
    // proptest reports the seed and the minimal failing input of any failure, and keeps it in
    // proptest-regressions/ so that it is replayed first on the next run.

    #[test]
    fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
        check_parse_outcome(&text);
    }

    #[test]
    fn parse_never_panics_on_assembled_files(text in assembled_file()) {
        check_parse_outcome(&text);
    }

    #[test]
    fn parse_never_panics_on_a_mangled_example(cut in 0..EXAMPLE.len(), length in 0usize..200, insert in any::<String>()) {
        let mut text = EXAMPLE.to_string();
        let start = text.floor_char_boundary(cut);
        let end = text.floor_char_boundary(start + length);
        text.replace_range(start..end, &insert);
        check_parse_outcome(&text);
    }

    #[test]
    fn route_explain_and_dry_run_never_panic(text in assembled_file(), facts in route_facts_parts()) {
        let (channel, categories, amount_fen, flags, cross_border, is_return) = facts;
        let categories: Vec<&str> = categories.iter().map(String::as_str).collect();
        let order = RouteFacts { channel: &channel, categories: &categories, amount_fen, flags: &flags, cross_border, is_return };
        let example = parse(EXAMPLE).unwrap();
        let random = parse(&text).unwrap_or_default();
        for rules in [&example, &random] {
            let decision = rules.route(&order);
            // The guard rails hold for any file.
            let critical = flags.iter().any(|flag| flag.severity() == Severity::Critical);
            if critical || cross_border || is_return {
                prop_assert!(decision.path.needs_human());
            }
            prop_assert_eq!(&rules.explain(&order).decision, &decision);
        }
        let outcome = dry_run(&example, &random, &[order]);
        prop_assert_eq!(outcome.orders, 1);
    }
}

/// Whatever `parse` answers must be well formed: errors in file order, inside the text.
fn check_parse_outcome(text: &str) {
    match parse(text) {
        Ok(rules) => assert_eq!(rules.source(), text),
        Err(errors) => {
            assert!(!errors.is_empty());
            let line_count = text.split('\n').count();
            for error in &errors {
                assert!(error.line >= 1 && error.line <= line_count, "{error} in {line_count} lines");
                assert!(error.column >= 1);
                assert!(!error.message.is_empty());
                let _ = error.snippet(text);
            }
            assert!(errors.windows(2).all(|pair| (pair[0].line, pair[0].column) <= (pair[1].line, pair[1].column)));
        }
    }
}
