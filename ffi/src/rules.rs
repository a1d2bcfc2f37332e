//! The rules file (routing, limits, velocity, SLA deadlines and escalation): setting it from a
//! client or a file, watching a file, reading it back, explaining an order's route, dry runs of
//! a proposed file, and the problems of a refused one, each with its line and column.
//!
//! A refused file fails its call with `ALLOT_STATUS_INVALID_RULES`; the problems stay in the
//! calling thread's last error (see [`crate::last_error`]), from which
//! `allot_last_rule_errors()` copies them into a handle. Outputs are still written only on
//! success: the failing call writes nothing, and the copy is a call of its own that succeeds.

use std::ffi::c_char;

use allot_core::routing::{DryRun, Explanation, RuleError};
use allot_core::{Error, Operation, RulesWatch};

use crate::client::{allot_client, client_ref, inputs};
use crate::engine::{allot_engine, path_arg};
use crate::order::element;
use crate::panic::guard;
use crate::pointers::{self, reference, required, slice_ptr};
use crate::status::allot_status;
use crate::strings::{self, Arena, text};
use crate::text::{allot_string, allot_text};
use crate::vocabulary::{ALLOT_PATH_COUNT, allot_path};

// ---------------------------------------------------------------------------------------------
// Problems of a refused rules file

/// One problem of a rules file: where it is (1-based `line` and `column`, columns counted in
/// characters, so a line of Chinese text points at the right place) and what to change.
/// `message` is borrowed from the `allot_rule_errors` handle and NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_rule_error {
    pub line: usize,
    pub column: usize,
    pub message: *const c_char,
    pub message_len: usize,
}

/// The problems of a refused rules file, in file order (`allot_last_rule_errors()`): owned by
/// the caller, freed with `allot_rule_errors_free()`. Immutable: any number of threads may read
/// one at once.
pub struct allot_rule_errors {
    errors: Vec<allot_rule_error>,
    _arena: Arena,
}

impl allot_rule_errors {
    fn new(errors: &[RuleError]) -> allot_rule_errors {
        let mut arena = Arena::default();
        let errors = errors
            .iter()
            .map(|error| {
                let message = arena.add(&error.message);
                allot_rule_error {
                    line: error.line,
                    column: error.column,
                    message: message.ptr,
                    message_len: message.len,
                }
            })
            .collect();
        allot_rule_errors { errors, _arena: arena }
    }
}

/// Copies the problems of the calling thread's last failure into a new handle written to
/// `*out_errors` (freed with `allot_rule_errors_free()`): every problem of the rules file that
/// the last failing call refused with `ALLOT_STATUS_INVALID_RULES` (`allot_client_set_rules()`,
/// `allot_client_dry_run_rules()`, `allot_engine_reload_rules()`), each with its line and
/// column. The handle holds no problems when the thread's last failure was something else, or
/// when no call has failed on it.
///
/// Call it right after the refused call, on the same thread: like `allot_last_error_message()`,
/// the problems are replaced by the thread's next failure. It leaves the last error (and the
/// pointer `allot_last_error_message()` returned) alone, unless it fails itself.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `out_errors`; this failure becomes the thread's
/// last error).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_last_rule_errors(out_errors: *mut *mut allot_rule_errors) -> allot_status {
    guard("allot_last_rule_errors", || {
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = unsafe { required(out_errors, "out_errors") }?;
        let errors = crate::last_error::with_last(|last| match last {
            Some(Error::InvalidRules { errors }) => allot_rule_errors::new(errors),
            _ => allot_rule_errors::new(&[]),
        });
        out.write(Box::into_raw(Box::new(errors)));
        Ok(())
    })
}

/// How many problems the handle holds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_rule_errors_count(errors: *const allot_rule_errors) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live handle.
        unsafe { errors.as_ref() }.map_or(0, |errors| errors.errors.len())
    })
}

/// Copies problem `index` (0 to count - 1, in file order) into `*out_error`; its message is
/// borrowed from the handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `errors` or `out_error`, `index` out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_rule_errors_get(
    errors: *const allot_rule_errors,
    index: usize,
    out_error: *mut allot_rule_error,
) -> allot_status {
    guard("allot_rule_errors_get", || {
        // SAFETY: the header's contract: a live handle, and one writable struct.
        let (errors, out) = unsafe { (reference(errors, "errors")?, required(out_error, "out_error")?) };
        out.write(*element(&errors.errors, index, "rule error")?);
        Ok(())
    })
}

/// Frees a rule errors handle and every message borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_rule_errors_free(errors: *mut allot_rule_errors) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_last_rule_errors, freed once.
        drop(unsafe { pointers::free(errors) });
    })
}

// ---------------------------------------------------------------------------------------------
// Setting and reading the rules

/// Replaces the live rules file with `text` (`text_len` bytes of UTF-8, TOML, at most
/// `ALLOT_RULES_BYTES_MAX`; the format is documented in the core's `routing` module and in
/// `core/src/routing/example-rules.toml`), recording the client's actor as who changed it. A
/// file with problems is refused as a whole and the previous rules stay live: the call returns
/// `ALLOT_STATUS_INVALID_RULES` and `allot_last_rule_errors()` lists every problem with its
/// line and column. An empty text means every default. For the admin role.
///
/// Errors: `ALLOT_STATUS_INVALID_RULES`, `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, not
/// UTF-8, a NULL `text` with a nonzero length), `ALLOT_STATUS_LIMIT_EXCEEDED` (above
/// `ALLOT_RULES_BYTES_MAX`, found before a byte is read), `ALLOT_STATUS_PERMISSION_DENIED`,
/// `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_set_rules(
    client: *const allot_client,
    text: *const c_char,
    text_len: usize,
) -> allot_status {
    guard("allot_client_set_rules", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or readable for its length.
        let rules = inputs(client, Operation::ManageRules, || unsafe { self::text(text, text_len, strings::RULES) })?;
        client.set_rules(rules)
    })
}

/// The live rules file's text, as a new string handle written to `*out_text` (freed with
/// `allot_string_free()`; "" while the defaults are live).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_text`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_rules_text(
    client: *const allot_client,
    out_text: *mut *mut allot_string,
) -> allot_status {
    guard("allot_client_rules_text", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = inputs(client, Operation::ReadOrders, || unsafe { required(out_text, "out_text") })?;
        out.write(allot_string::boxed(&client.rules_text()?));
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------------
// Explanations

/// How one rule came out for one order. Strings are borrowed from the `allot_explanation`
/// handle and NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_rule_check {
    /// The rule's name, and the line of the rules file where it starts.
    pub rule: *const c_char,
    pub rule_len: usize,
    pub line: usize,
    /// The path the rule sends orders to.
    pub path: allot_path,
    /// Every condition held (a rule without conditions always matches).
    pub matched: bool,
    /// This is the rule that decided: the first that matched.
    pub chosen: bool,
    /// The conditions that held, and those that failed, each described for this order ("the
    /// amount 120.00 yuan is below amount_fen_min 200000 (2,000.00 yuan)"). NULL when none.
    pub held: *const allot_text,
    pub held_len: usize,
    pub failed: *const allot_text,
    pub failed_len: usize,
}

/// What an `allot_explanation` holds: the decision for the order under the live rules, and how
/// every rule came out. Pointers are borrowed from the handle; strings are NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_explanation_info {
    /// Where the live rules send the order now.
    pub path: allot_path,
    /// The rule that matched; "" when none did and the default path applied.
    pub rule: *const c_char,
    pub rule_len: usize,
    /// Set when a guard rail replaced the rules' choice of auto (a critical flag, a return, a
    /// cross-border order), saying which; "" otherwise.
    pub guard_rail: *const c_char,
    pub guard_rail_len: usize,
    /// A sentence for a business user: which rule, which conditions, which guard rail.
    pub reason: *const c_char,
    pub reason_len: usize,
    /// One entry per rule, in the order they are tried (NULL when the file has no rules).
    pub rules: *const allot_rule_check,
    pub rules_len: usize,
}

/// An explanation (`allot_client_explain()`), owned by the caller and freed with
/// `allot_explanation_free()`. Immutable: any number of threads may read one at once.
pub struct allot_explanation {
    info: allot_explanation_info,
    _rules: Vec<allot_rule_check>,
    /// The held and failed lists of each rule check.
    _conditions: Vec<Vec<allot_text>>,
    _arena: Arena,
}

impl allot_explanation {
    fn new(explanation: &Explanation) -> allot_explanation {
        let mut arena = Arena::default();
        let mut conditions = Vec::with_capacity(explanation.rules.len() * 2);
        let mut texts = |arena: &mut Arena, items: &[String]| -> (*const allot_text, usize) {
            let list: Vec<allot_text> = items.iter().map(|item| arena.add(item).into()).collect();
            let view = (slice_ptr(&list), list.len());
            // The vector's heap block does not move when it is pushed into `conditions`.
            conditions.push(list);
            view
        };
        let rules: Vec<allot_rule_check> = explanation
            .rules
            .iter()
            .map(|check| {
                let rule = arena.add(&check.rule);
                let (held, held_len) = texts(&mut arena, &check.held);
                let (failed, failed_len) = texts(&mut arena, &check.failed);
                allot_rule_check {
                    rule: rule.ptr,
                    rule_len: rule.len,
                    line: check.line,
                    path: check.path.into(),
                    matched: check.matched,
                    chosen: check.chosen,
                    held,
                    held_len,
                    failed,
                    failed_len,
                }
            })
            .collect();
        let decision = &explanation.decision;
        let rule = arena.add_opt(decision.rule.as_deref());
        let guard_rail = arena.add_opt(decision.guard_rail);
        let reason = arena.add(&decision.reason);
        let info = allot_explanation_info {
            path: decision.path.into(),
            rule: rule.ptr,
            rule_len: rule.len,
            guard_rail: guard_rail.ptr,
            guard_rail_len: guard_rail.len,
            reason: reason.ptr,
            reason_len: reason.len,
            rules: slice_ptr(&rules),
            rules_len: rules.len(),
        };
        allot_explanation { info, _rules: rules, _conditions: conditions, _arena: arena }
    }
}

/// Which rule the order under `key` matches under the live rules, and why each rule did or did
/// not: writes a new handle to `*out_explanation` (freed with `allot_explanation_free()`). The
/// path may differ from the one the order took at intake if the rules changed since.
///
/// Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or
/// `out_explanation`, an empty key), `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_explain(
    client: *const allot_client,
    key: *const c_char,
    key_len: usize,
    out_explanation: *mut *mut allot_explanation,
) -> allot_status {
    guard("allot_client_explain", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (key, out) = inputs(client, Operation::ReadOrders, || {
            // SAFETY: the header's contract: a readable string, one writable pointer.
            unsafe { Ok((text(key, key_len, strings::ORDER_KEY)?, required(out_explanation, "out_explanation")?)) }
        })?;
        let explanation = client.explain(key)?;
        out.write(Box::into_raw(Box::new(allot_explanation::new(&explanation))));
        Ok(())
    })
}

/// Copies what the explanation holds into `*out_info`; its pointers are borrowed from the
/// handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `explanation` or `out_info`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_explanation_get_info(
    explanation: *const allot_explanation,
    out_info: *mut allot_explanation_info,
) -> allot_status {
    guard("allot_explanation_get_info", || {
        // SAFETY: the header's contract: a live handle, and one writable struct.
        let (explanation, out) = unsafe { (reference(explanation, "explanation")?, required(out_info, "out_info")?) };
        out.write(explanation.info);
        Ok(())
    })
}

/// Frees an explanation and everything borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_explanation_free(explanation: *mut allot_explanation) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_explain, freed once.
        drop(unsafe { pointers::free(explanation) });
    })
}

// ---------------------------------------------------------------------------------------------
// Dry runs

/// One recent order whose path the proposed rules would change. Strings are borrowed from the
/// `allot_dry_run` handle and NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_path_change {
    /// The order's position among the recent orders routed (0 is the oldest kept).
    pub index: usize,
    pub from: allot_path,
    pub to: allot_path,
    /// The rule that decides under the live rules, and under the proposed ones; "" for the
    /// default path.
    pub from_rule: *const c_char,
    pub from_rule_len: usize,
    pub to_rule: *const c_char,
    pub to_rule_len: usize,
}

/// What an `allot_dry_run` holds: how the most recent orders (up to 10,000) route under the
/// live rules and under the proposed ones. The counts are indexed by `allot_path`
/// (`current[ALLOT_PATH_AUTO]`, ...).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_dry_run_info {
    /// How many recent orders were routed both ways.
    pub orders: usize,
    pub current: [usize; ALLOT_PATH_COUNT],
    pub proposed: [usize; ALLOT_PATH_COUNT],
    /// Orders whose path differs between the two.
    pub changed: usize,
    /// The first few of them (at most 10; NULL when none), oldest first.
    pub examples: *const allot_path_change,
    pub examples_len: usize,
}

/// A dry run (`allot_client_dry_run_rules()`), owned by the caller and freed with
/// `allot_dry_run_free()`. Immutable: any number of threads may read one at once.
pub struct allot_dry_run {
    info: allot_dry_run_info,
    _examples: Vec<allot_path_change>,
    _arena: Arena,
}

impl allot_dry_run {
    fn new(dry: &DryRun) -> allot_dry_run {
        use allot_core::order::Path;
        let mut arena = Arena::default();
        let examples: Vec<allot_path_change> = dry
            .examples
            .iter()
            .map(|change| {
                let from_rule = arena.add_opt(change.from_rule.as_deref());
                let to_rule = arena.add_opt(change.to_rule.as_deref());
                allot_path_change {
                    index: change.index,
                    from: change.from.into(),
                    to: change.to.into(),
                    from_rule: from_rule.ptr,
                    from_rule_len: from_rule.len,
                    to_rule: to_rule.ptr,
                    to_rule_len: to_rule.len,
                }
            })
            .collect();
        let mut current = [0; ALLOT_PATH_COUNT];
        let mut proposed = [0; ALLOT_PATH_COUNT];
        for path in Path::ALL {
            let index = allot_path::from(path) as usize;
            current[index] = dry.current.get(path);
            proposed[index] = dry.proposed.get(path);
        }
        let info = allot_dry_run_info {
            orders: dry.orders,
            current,
            proposed,
            changed: dry.changed,
            examples: slice_ptr(&examples),
            examples_len: examples.len(),
        };
        allot_dry_run { info, _examples: examples, _arena: arena }
    }
}

/// How the most recent orders would be routed by the `text` of a proposed rules file, against
/// the live rules, before the change goes live: writes a new handle to `*out_dry_run` (freed
/// with `allot_dry_run_free()`). Nothing changes. A proposed file with problems is
/// `ALLOT_STATUS_INVALID_RULES`, its problems in `allot_last_rule_errors()`. For the admin
/// role.
///
/// Errors: as `allot_client_set_rules()`, and `ALLOT_STATUS_INVALID_INPUT` for a NULL
/// `out_dry_run`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_dry_run_rules(
    client: *const allot_client,
    text: *const c_char,
    text_len: usize,
    out_dry_run: *mut *mut allot_dry_run,
) -> allot_status {
    guard("allot_client_dry_run_rules", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        let (proposed, out) = inputs(client, Operation::ManageRules, || {
            // SAFETY: the header's contract: a readable string, one writable pointer.
            unsafe { Ok((self::text(text, text_len, strings::RULES)?, required(out_dry_run, "out_dry_run")?)) }
        })?;
        let dry = client.dry_run_rules(proposed)?;
        out.write(Box::into_raw(Box::new(allot_dry_run::new(&dry))));
        Ok(())
    })
}

/// Copies what the dry run holds into `*out_info`; its pointers are borrowed from the handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `dry_run` or `out_info`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_dry_run_get_info(
    dry_run: *const allot_dry_run,
    out_info: *mut allot_dry_run_info,
) -> allot_status {
    guard("allot_dry_run_get_info", || {
        // SAFETY: the header's contract: a live handle, and one writable struct.
        let (dry_run, out) = unsafe { (reference(dry_run, "dry_run")?, required(out_info, "out_info")?) };
        out.write(dry_run.info);
        Ok(())
    })
}

/// Frees a dry run and everything borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_dry_run_free(dry_run: *mut allot_dry_run) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_dry_run_rules, freed once.
        drop(unsafe { pointers::free(dry_run) });
    })
}

// ---------------------------------------------------------------------------------------------
// Rules files (engine)

/// Reads the rules file at `path` (`path_len` bytes of UTF-8) and makes it live, recording
/// `by` (an identifier of 1 to `ALLOT_CODE_BYTES_MAX` bytes: no control, format or invisible
/// character, no whitespace at its ends) as who changed it. A file with problems keeps the
/// previous rules live: `ALLOT_STATUS_INVALID_RULES`, the problems in `allot_last_rule_errors()`.
/// Only a regular file is read, and never more than `ALLOT_RULES_BYTES_MAX + 1` bytes of it: a
/// FIFO, a device (`/dev/zero`) or a directory is refused at once, without blocking.
///
/// Errors: `ALLOT_STATUS_INVALID_RULES`, `ALLOT_STATUS_IO` (the file cannot be read, is not a
/// regular file, or is not UTF-8), `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`, an empty path or
/// one with a NUL byte, a bad `by`), `ALLOT_STATUS_LIMIT_EXCEEDED` (a path or `by` too long, a
/// file above `ALLOT_RULES_BYTES_MAX` bytes), `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_reload_rules(
    engine: *const allot_engine,
    path: *const c_char,
    path_len: usize,
    by: *const c_char,
    by_len: usize,
) -> allot_status {
    guard("allot_engine_reload_rules", || {
        // SAFETY: the header's contract: a live engine handle and readable strings.
        let (engine, path, by) =
            unsafe { (reference(engine, "engine")?, path_arg(path, path_len)?, strings::actor(by, by_len, BY)?) };
        engine.open_engine()?.reload_rules(path, by)
    })
}

const BY: strings::TextArg = strings::TextArg { what: "by", ..strings::ACTOR };

/// A running watch of a rules file (`allot_engine_watch_rules()`); freeing it stops watching.
pub struct allot_rules_watch {
    _watch: RulesWatch,
}

/// Watches the rules file at `path`: every time it is saved (written in place or renamed over),
/// it is reloaded as `allot_engine_reload_rules()` reads it, recording `by` as who changed it; a
/// save with problems (or a path that became a FIFO or a device) keeps the previous rules live,
/// and `allot_engine_rules_reload_error()` says why. Reloads run on a thread of the
/// library's own. Writes a new handle to `*out_watch`; watching stops when it is freed with
/// `allot_rules_watch_free()` (or when the engine closes, after which saves are ignored). The
/// file need not exist yet; its directory must.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_watch`, a bad path or `by`),
/// `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_IO` (the directory cannot be watched),
/// `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_watch_rules(
    engine: *const allot_engine,
    path: *const c_char,
    path_len: usize,
    by: *const c_char,
    by_len: usize,
    out_watch: *mut *mut allot_rules_watch,
) -> allot_status {
    guard("allot_engine_watch_rules", || {
        // SAFETY: the header's contract: a live engine handle, readable strings, one writable
        // pointer.
        let (engine, path, by, out) = unsafe {
            (
                reference(engine, "engine")?,
                path_arg(path, path_len)?,
                strings::actor(by, by_len, BY)?,
                required(out_watch, "out_watch")?,
            )
        };
        let watch = engine.open_engine()?.watch_rules(path, by)?;
        out.write(Box::into_raw(Box::new(allot_rules_watch { _watch: watch })));
        Ok(())
    })
}

/// Stops watching and frees the handle. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_rules_watch_free(watch: *mut allot_rules_watch) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_engine_watch_rules, freed once.
        drop(unsafe { pointers::free(watch) });
    })
}

/// Why the last automatic reload of a watched rules file failed: writes a new string handle
/// with the message (every problem with its line and column) to `*out_error`, or NULL when the
/// last reload succeeded or none failed yet. Free it with `allot_string_free()` (which accepts
/// NULL).
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_error`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_engine_rules_reload_error(
    engine: *const allot_engine,
    out_error: *mut *mut allot_string,
) -> allot_status {
    guard("allot_engine_rules_reload_error", || {
        // SAFETY: the header's contract: a live engine handle, and one writable pointer.
        let (engine, out) = unsafe { (reference(engine, "engine")?, required(out_error, "out_error")?) };
        let error = engine.open_engine()?.rules_reload_error()?;
        out.write(error.map_or(std::ptr::null_mut(), |message| allot_string::boxed(&message)));
        Ok(())
    })
}
