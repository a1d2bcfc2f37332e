//! Carriers and their waybill (tracking) number formats.
//!
//! A waybill number that cannot be right is refused when it is written back, before an order
//! is marked shipped: a typo caught there is a parcel that does not vanish from view later. The
//! formats are those the main Chinese carriers print on their waybills (as published on their
//! sites and in the marketplaces' logistics integration guides); EMS and China Post parcels
//! follow the UPU S10 standard, whose check digit is verified. Other carriers' numbers are
//! accepted when they look like a waybill number at all: 6 to 40 letters and digits.

use crate::error::{Error, Result};
use crate::validate;

/// A carrier the engine knows the waybill format of.
#[derive(Clone, Copy, Debug)]
pub struct Carrier {
    /// The code integrations use (upper case).
    pub code: &'static str,
    pub name: &'static str,
    /// How its waybill numbers look, for error messages.
    pub format: &'static str,
    matches: fn(&str) -> bool,
}

/// The main carriers: SF Express, JD Logistics, ZTO, YTO, STO, Yunda and EMS.
pub const CARRIERS: [Carrier; 7] = [
    Carrier { code: "SF", name: "SF Express", format: "SF followed by 12 or 13 digits", matches: sf },
    Carrier { code: "JD", name: "JD Logistics", format: "JD, an optional letter, then 11 to 13 digits", matches: jd },
    Carrier { code: "ZTO", name: "ZTO Express", format: "12 to 15 digits", matches: zto_or_sto },
    Carrier { code: "YTO", name: "YTO Express", format: "YT followed by 13 digits", matches: yto },
    Carrier { code: "STO", name: "STO Express", format: "12 to 15 digits", matches: zto_or_sto },
    Carrier { code: "YD", name: "Yunda Express", format: "13 or 15 digits", matches: yunda },
    Carrier {
        code: "EMS",
        name: "China Post EMS",
        format: "UPU S10 (two letters, 8 digits, a check digit, two letters, e.g. EA123456785CN) or 13 digits",
        matches: ems,
    },
];

/// The carrier with this code (case-insensitive), if it is one of the main carriers.
pub fn carrier(code: &str) -> Option<&'static Carrier> {
    CARRIERS.iter().find(|carrier| carrier.code.eq_ignore_ascii_case(code))
}

/// Checks a waybill number against its carrier's format; returns the number normalised (spaces
/// removed, letters upper-cased) when it is plausible.
pub fn check_waybill(carrier_code: &str, tracking_number: &str) -> Result<String> {
    // Both are identifiers first (no control, format or invisible character, no padding), so a
    // refusal names what is wrong with the text before what is wrong with the format.
    if !carrier_code.is_empty() {
        validate::check(validate::CARRIER_CODE, carrier_code)?;
    }
    validate::check(validate::TRACKING_NUMBER, tracking_number)?;
    let number: String =
        tracking_number.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if carrier_code.is_empty() || !carrier_code.chars().all(|c| c.is_ascii_alphanumeric()) || carrier_code.len() > 16 {
        return Err(Error::invalid(format!("carrier code {carrier_code:?} must be 1 to 16 letters or digits")));
    }
    match carrier(carrier_code) {
        Some(known) if (known.matches)(&number) => Ok(number),
        Some(known) => Err(Error::invalid(format!(
            "{tracking_number:?} is not a {} waybill number: expected {}",
            known.name, known.format
        ))),
        None if (6..=40).contains(&number.len()) && number.chars().all(|c| c.is_ascii_alphanumeric()) => Ok(number),
        None => Err(Error::invalid(format!(
            "{tracking_number:?} is not a waybill number for carrier {carrier_code:?}: expected 6 to 40 letters and digits"
        ))),
    }
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn sf(number: &str) -> bool {
    number.strip_prefix("SF").is_some_and(|rest| digits(rest) && (12..=13).contains(&rest.len()))
}

fn jd(number: &str) -> bool {
    let Some(rest) = number.strip_prefix("JD") else { return false };
    let rest = rest.strip_prefix(|c: char| c.is_ascii_uppercase()).unwrap_or(rest);
    digits(rest) && (11..=13).contains(&rest.len())
}

fn zto_or_sto(number: &str) -> bool {
    digits(number) && (12..=15).contains(&number.len())
}

fn yto(number: &str) -> bool {
    number.strip_prefix("YT").is_some_and(|rest| digits(rest) && rest.len() == 13)
}

fn yunda(number: &str) -> bool {
    digits(number) && (number.len() == 13 || number.len() == 15)
}

/// EMS: a UPU S10 identifier with a valid check digit, or a 13-digit domestic number.
fn ems(number: &str) -> bool {
    if digits(number) && number.len() == 13 {
        return true;
    }
    let bytes = number.as_bytes();
    if bytes.len() != 13
        || !bytes[..2].iter().all(u8::is_ascii_uppercase)
        || !bytes[2..11].iter().all(u8::is_ascii_digit)
        || !bytes[11..].iter().all(u8::is_ascii_uppercase)
    {
        return false;
    }
    s10_check_digit(&bytes[2..10]) == bytes[10] - b'0'
}

/// The UPU S10 check digit of an 8-digit serial number: weights 8 6 4 2 3 5 9 7, then
/// 11 − (sum mod 11), where 10 becomes 0 and 11 becomes 5.
fn s10_check_digit(serial: &[u8]) -> u8 {
    const WEIGHTS: [u32; 8] = [8, 6, 4, 2, 3, 5, 9, 7];
    let sum: u32 = serial.iter().zip(WEIGHTS).map(|(digit, weight)| u32::from(digit - b'0') * weight).sum();
    match 11 - sum % 11 {
        10 => 0,
        11 => 5,
        check => check as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_carriers_accept_their_formats_and_refuse_others() {
        let good = [
            ("SF", "SF1234567890123"),
            ("sf", "sf 123456789012"),
            ("JD", "JDX000123456789"),
            ("JD", "JD0012345678901"),
            ("ZTO", "773012345678901"),
            ("YTO", "YT1234567890123"),
            ("STO", "777012345678"),
            ("YD", "4312345678901"),
            ("EMS", "EA123456785CN"),
            ("EMS", "1012345678901"),
        ];
        for (carrier, number) in good {
            assert!(check_waybill(carrier, number).is_ok(), "{carrier} {number}");
        }
        let bad = [
            ("SF", "1234567890123"),
            ("SF", "SF12345"),
            ("YTO", "YT12345678901234"),
            ("ZTO", "77301234567A"),
            ("YD", "43123456789012"),
            ("EMS", "EA123456789CN"), // wrong check digit
            ("EMS", "E1123456785CN"),
        ];
        for (carrier, number) in bad {
            let error = check_waybill(carrier, number).unwrap_err();
            assert!(error.to_string().contains("expected"), "{carrier} {number}: {error}");
        }
    }

    #[test]
    fn s10_check_digits_follow_the_standard() {
        // RA473124829GB is the standard's own example.
        assert_eq!(s10_check_digit(b"47312482"), 9);
        assert!(check_waybill("EMS", "RA473124829GB").is_ok());
        assert_eq!(s10_check_digit(b"12345678"), 5);
    }

    #[test]
    fn unknown_carriers_get_a_plausibility_check() {
        assert_eq!(check_waybill("DBL", "db 1234567").unwrap(), "DB1234567");
        assert!(check_waybill("DBL", "12").is_err());
        assert!(check_waybill("", "1234567").is_err());
        assert!(check_waybill("D B", "1234567").is_err());
    }

    #[test]
    fn waybills_are_identifiers_before_they_are_formats() {
        for number in ["SF123456789012\u{200B}3", "\u{FEFF}SF1234567890123", "SF1234567890123\n", " SF1234567890123"] {
            let error = check_waybill("SF", number).unwrap_err();
            assert!(error.to_string().starts_with("invalid input: tracking number"), "{number:?}: {error}");
        }
        let error = check_waybill("S\u{200B}F", "SF1234567890123").unwrap_err();
        assert!(error.to_string().contains("zero-width space"), "{error}");
    }
}
