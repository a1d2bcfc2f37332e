//! Human durations as the rules file writes them: `"45s"`, `"30m"`, `"2h"`, `"3d"`, `"1h30m"`.
//!
//! A duration is one or more groups of a whole number and a unit, from the largest unit to the
//! smallest, each unit at most once, with nothing between them. Units: `d` (day), `h` (hour),
//! `m` (minute), `s` (second). Anything else (spaces, decimals, words, `ms`) is refused rather
//! than guessed at: "1.5h" or "30 minutes" must be written "1h30m" and "30m".

/// The units a duration may use, largest first, with their length in milliseconds.
const UNITS: [(char, u64); 4] = [('d', 24 * 3600 * 1000), ('h', 3600 * 1000), ('m', 60 * 1000), ('s', 1000)];

/// What to tell a person who wrote something that is not a duration.
pub(crate) const DURATION_FORMS: &str = "write a whole number and a unit with no space: \"45s\" (seconds), \
     \"30m\" (minutes), \"2h\" (hours), \"3d\" (days), or several from largest to smallest, like \"1h30m\"";

/// Reads a duration, in milliseconds. `None` if `text` is not one (the caller explains the forms).
pub(crate) fn parse_duration_ms(text: &str) -> Option<u64> {
    let mut rest = text;
    let mut total_ms: u64 = 0;
    // Index into UNITS of the next unit allowed: each unit is smaller than the one before it.
    let mut next_unit = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        let number: u64 = rest[..digits].parse().ok()?;
        let unit = rest[digits..].chars().next()?;
        let position = UNITS[next_unit..].iter().position(|&(name, _)| name == unit)? + next_unit;
        total_ms = total_ms.checked_add(number.checked_mul(UNITS[position].1)?)?;
        next_unit = position + 1;
        rest = &rest[digits + unit.len_utf8()..];
    }
    Some(total_ms)
}

/// Writes a duration the way the rules file would: `5400000` → `"1h30m"`, `0` → `"0s"`.
/// Milliseconds below a second (never produced by [`parse_duration_ms`]) are dropped.
pub(crate) fn format_duration_ms(duration_ms: u64) -> String {
    let mut rest_ms = duration_ms;
    let mut text = String::new();
    for (unit, unit_ms) in UNITS {
        let count = rest_ms / unit_ms;
        if count > 0 {
            text.push_str(&format!("{count}{unit}"));
            rest_ms %= unit_ms;
        }
    }
    if text.is_empty() {
        text.push_str("0s");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE_MS: u64 = 60 * 1000;

    #[test]
    fn accepts_every_unit_and_combinations_largest_first() {
        assert_eq!(parse_duration_ms("45s"), Some(45_000));
        assert_eq!(parse_duration_ms("30m"), Some(30 * MINUTE_MS));
        assert_eq!(parse_duration_ms("2h"), Some(120 * MINUTE_MS));
        assert_eq!(parse_duration_ms("3d"), Some(3 * 24 * 60 * MINUTE_MS));
        assert_eq!(parse_duration_ms("1h30m"), Some(90 * MINUTE_MS));
        assert_eq!(parse_duration_ms("1d2h3m4s"), Some(((24 + 2) * 60 + 3) * MINUTE_MS + 4000));
        assert_eq!(parse_duration_ms("0m"), Some(0));
        assert_eq!(parse_duration_ms("90m"), Some(90 * MINUTE_MS));
    }

    #[test]
    fn refuses_anything_a_person_might_mean_differently() {
        for text in [
            "",
            "30",
            "m",
            "30 minutes",
            "30 m",
            " 30m",
            "30m ",
            "1.5h",
            "30M",
            "2H",
            "30min",
            "500ms",
            "30m1h",
            "1h1h",
            "-5m",
            "+5m",
            "1h 30m",
            "３０m",
        ] {
            assert_eq!(parse_duration_ms(text), None, "{text:?}");
        }
    }

    #[test]
    fn refuses_overflow_instead_of_wrapping() {
        assert_eq!(parse_duration_ms("99999999999999999999s"), None);
        assert_eq!(parse_duration_ms("18446744073709551d"), None);
        assert_eq!(parse_duration_ms("18446744073709551615d"), None);
    }

    #[test]
    fn formats_back_to_the_files_notation() {
        for text in ["45s", "30m", "2h", "3d", "1h30m", "1d2h3m4s"] {
            assert_eq!(format_duration_ms(parse_duration_ms(text).unwrap()), text);
        }
        assert_eq!(format_duration_ms(0), "0s");
        assert_eq!(format_duration_ms(90 * MINUTE_MS), "1h30m");
    }
}
