//! Proves that every error code of the core reaches C unchanged: for each `ErrorCode::ALL`, the
//! header's `allot_status` has `ALLOT_STATUS_<NAME>` with exactly the code's number, the
//! library maps the code to that number, and `allot_status_name` returns exactly
//! `ErrorCode::name`; and that the header has no statuses but these and `ALLOT_STATUS_OK = 0`.
//! Likewise for the order pipeline's vocabulary: each enum of the header (`allot_order_state`,
//! `allot_path`, `allot_flag`, ...) has exactly one constant per core value, spelled as the core
//! names it, numbered in the order of the core's list, and named so by `allot_<enum>_name()`.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::path::PathBuf;

use std::ffi::c_char;

use allot::status::{allot_status, allot_status_name};
use allot::vocabulary::{
    allot_blacklist_name, allot_flag_name, allot_notification_name, allot_order_state_name, allot_path_name,
    allot_payment_name, allot_severity_name, allot_stage_name, allot_task_state_name, allot_tracking_kind_name,
};
use allot_core::ErrorCode;
use allot_core::order::{
    BlacklistKind, FlagCode, Notification, OrderState, Path, PaymentState, Severity, Stage, TaskState, TrackingKind,
};

/// The constants of `enum <name>` (name → number), as the committed header declares them.
fn header_enum(name: &str) -> BTreeMap<String, u32> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../include/allot.h");
    let header = std::fs::read_to_string(&path).expect("reading include/allot.h");
    let start = header.find(&format!("enum {name}\n")).unwrap_or_else(|| panic!("the header declares enum {name}"));
    let body = &header[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("};").unwrap()];
    let prefix = format!("{}_", name.to_uppercase());
    body.lines()
        .map(str::trim)
        .filter(|line| line.starts_with(&prefix))
        .map(|line| {
            let (name, value) = line.trim_end_matches(',').split_once(" = ").expect("NAME = value");
            (name.to_owned(), value.parse().expect("a decimal value"))
        })
        .collect()
}

fn header_statuses() -> BTreeMap<String, u32> {
    header_enum("allot_status")
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
    for value in [1, 99, 108, 199, 204, 299, 308, 899, 901, u32::MAX] {
        assert_eq!(name_of(value), "unknown", "allot_status_name({value})");
    }
}

/// Checks that `enum <c_enum>` declares exactly `names`, numbered from 0 in order, and that
/// `name_of` names each number so.
fn check_enum(c_enum: &str, names: &[&str], name_of: extern "C" fn(u32) -> *const c_char) {
    let mut declared = header_enum(c_enum);
    for (number, name) in names.iter().enumerate() {
        let constant = format!("{}_{}", c_enum.to_uppercase(), name.to_uppercase());
        assert_eq!(declared.remove(&constant), Some(number as u32), "{constant} in include/allot.h");
        // SAFETY: the name functions return static NUL-terminated strings for any value.
        let named = unsafe { CStr::from_ptr(name_of(number as u32)) }.to_str().unwrap();
        assert_eq!(named, *name, "{c_enum}_name({number})");
    }
    assert!(declared.is_empty(), "{c_enum} constants the core does not have: {declared:?}");
    // SAFETY: as above.
    let beyond = unsafe { CStr::from_ptr(name_of(names.len() as u32)) }.to_str().unwrap();
    assert_eq!(beyond, "unknown", "{c_enum}_name({})", names.len());
}

#[test]
fn every_pipeline_enum_has_the_core_values_in_order_with_their_names() {
    check_enum("allot_order_state", &OrderState::ALL.map(OrderState::name), allot_order_state_name);
    check_enum("allot_path", &Path::ALL.map(Path::name), allot_path_name);
    check_enum("allot_flag", &FlagCode::ALL.map(FlagCode::name), allot_flag_name);
    check_enum("allot_tracking_kind", &TrackingKind::ALL.map(TrackingKind::name), allot_tracking_kind_name);
    check_enum("allot_stage", &Stage::ALL.map(Stage::name), allot_stage_name);
    check_enum("allot_blacklist", &BlacklistKind::ALL.map(BlacklistKind::name), allot_blacklist_name);
    // The core has no `ALL` for these: their declaration order.
    let severities = [Severity::Low, Severity::Medium, Severity::High, Severity::Critical].map(Severity::name);
    check_enum("allot_severity", &severities, allot_severity_name);
    let payments = [PaymentState::Unpaid, PaymentState::Paid, PaymentState::Refunded].map(PaymentState::name);
    check_enum("allot_payment", &payments, allot_payment_name);
    let task_states = [TaskState::Open, TaskState::Acknowledged, TaskState::Closed].map(TaskState::name);
    check_enum("allot_task_state", &task_states, allot_task_state_name);
    let notices = [Notification::Shipped, Notification::Delivered].map(Notification::name);
    check_enum("allot_notification", &notices, allot_notification_name);
}
