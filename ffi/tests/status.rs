//! Proves that every error code of the core reaches C unchanged: for each `ErrorCode::ALL`, the
//! header's `allot_status` has `ALLOT_STATUS_<NAME>` with exactly the code's number, the
//! library maps the code to that number, and `allot_status_name` returns exactly
//! `ErrorCode::name`; and that the header has no statuses but these and `ALLOT_STATUS_OK = 0`.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::path::PathBuf;

use allot::status::{allot_status, allot_status_name};
use allot_core::ErrorCode;

/// `ALLOT_STATUS_*` name → number, as the committed header declares them.
fn header_statuses() -> BTreeMap<String, u32> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/allot.h");
    let header = std::fs::read_to_string(&path).expect("reading include/allot.h");
    let start = header.find("enum allot_status\n").expect("the header declares enum allot_status");
    let body = &header[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("};").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|line| line.starts_with("ALLOT_STATUS_"))
        .map(|line| {
            let (name, value) = line.trim_end_matches(',').split_once(" = ").expect("NAME = value");
            (name.to_owned(), value.parse().expect("a decimal value"))
        })
        .collect()
}

fn name_of(status: u32) -> String {
    // SAFETY: allot_status_name returns a static NUL-terminated string for any value.
    unsafe { CStr::from_ptr(allot_status_name(status)) }.to_str().unwrap().to_owned()
}

#[test]
fn every_error_code_has_its_number_and_name_in_the_c_face() {
    let mut declared = header_statuses();
    assert_eq!(declared.remove("ALLOT_STATUS_OK"), Some(0), "ALLOT_STATUS_OK = 0");
    assert_eq!(name_of(0), "ok");
    for code in ErrorCode::ALL {
        let constant = format!("ALLOT_STATUS_{}", code.name().to_uppercase());
        assert_eq!(declared.remove(&constant), Some(code.as_u32()), "{constant} in include/allot.h");
        assert_eq!(name_of(code.as_u32()), code.name(), "allot_status_name({})", code.as_u32());
        assert_eq!(allot_status::from_code(code) as u32, code.as_u32(), "allot_status::from_code({code:?})");
    }
    assert!(declared.is_empty(), "statuses in the header that the core does not have: {declared:?}");
}

#[test]
fn other_numbers_are_unknown() {
    for value in [1, 99, 108, 199, 204, 299, 306, 899, 901, u32::MAX] {
        assert_eq!(name_of(value), "unknown", "allot_status_name({value})");
    }
}
