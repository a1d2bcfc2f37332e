//! liballot: the C face of the Allot engine.
//!
//! Every exported function is `extern "C"`, named `allot_<object>_<verb>`, guarded against
//! panics ([`panic`]), and returns an [`status::allot_status`] unless it cannot fail. Handles
//! are opaque boxes of the core's types; the header `include/allot.h` is generated from this
//! crate by cbindgen (config `ffi/cbindgen.toml`, whose `header` holds the ownership rules) and
//! checked by `ffi/tests/header.rs`.
//!
//! Code map, one concept per module:
//!
//! - [`status`] — `allot_status` (the core's error codes, plus 0 for success) and its names.
//! - [`last_error`] — the calling thread's last error message.
//! - [`panic`] — the boundary: every exported body runs inside `guard`.
//! - [`pointers`] — handles, input structs and `out_` parameters: NULL checks and writes.
//! - [`strings`] — `(const char *ptr, size_t len)` inputs and the NUL-terminated strings out.
//! - [`version`], [`limits`] — the version macros and the engine's limits as macros.
//! - [`text`] — `allot_text` (a borrowed string) and `allot_string` (an owned one).
//! - [`vocabulary`] — the order pipeline's enums (states, paths, flags, ...) and their names.
//! - [`engine`] — options, open/close/free, housekeeping, SLA timers, metrics.
//! - [`client`] — clients by role, the catalogue, stock movements and stock reads.
//! - [`catalogue`] — warehouse and SKU listings.
//! - [`reservation`] — reserve (one order or a batch), commit, release, look-up, and the
//!   `allot_reservation` handle.
//! - [`order`] — the order pipeline: intake, orders, moves, acting as someone.
//! - [`tasks`] — SLA to-do tasks and the blacklist.
//! - [`rules`] — the rules file: set, reload, watch, explain, dry run, problems by line.
//! - [`events`] — event polling and the `allot_events` handle.
//! - [`codes`] — SKU and warehouse ids resolved to the codes C sees.
//!
//! **Safety contract** (the same for every function, so it is written once, here and in the
//! header's top comment, instead of a `# Safety` section on each): every pointer is either NULL
//! (reported as `ALLOT_STATUS_INVALID_INPUT` where not allowed) or valid for what it points to
//! (a handle from its own `new`/`open` and not yet freed; `len` readable bytes; one writable
//! `out_` value), and a handle is freed at most once, when no other thread uses it.

// C names (`allot_engine`, `allot_status`) are the interface; Rust naming rules yield to them.
#![allow(non_camel_case_types)]
// The safety contract above covers every exported function.
#![allow(clippy::missing_safety_doc)]

// In the order the header presents them (cbindgen follows the module order).
pub mod status;

pub mod last_error;

pub mod version;

pub mod limits;

pub mod text;

pub mod vocabulary;

pub mod engine;

pub mod client;

pub mod catalogue;

pub mod reservation;

pub mod order;

pub mod tasks;

pub mod rules;

pub mod events;

// Internals.
mod codes;
mod panic;
mod pointers;
mod strings;
