/*
 * allot.h: the C library of Allot, an embedded inventory engine (liballot.so, liballot.a).
 *
 * Link with `pkg-config --cflags --libs allot`; to link statically, name PREFIX/lib/liballot.a
 * itself and add the system libraries that `pkg-config --static --libs allot` lists.
 * A program opens an engine on a data directory, makes clients bound to roles, and calls
 * them from any number of threads; see ffi/examples/erp.c for a whole program. Two layers:
 * stock (catalogue, movements, reservations) and the order pipeline on top of it (intake of an
 * order form or a channel's payload, checks and flags, routing by a rules file, the order
 * state machine from review to delivery and returns, SLA tasks, the blacklist), both reported
 * through the same event log.
 *
 * CONVENTIONS
 *
 * - Names: every symbol starts with allot_ or ALLOT_; functions are allot_<object>_<verb>.
 *   Arguments come handle first, then inputs, then out_ parameters.
 * - Status: every call that can fail returns an allot_status: ALLOT_STATUS_OK (0) or the
 *   engine's error code, whose numbers never change. allot_status_name() names a status and
 *   allot_last_error_message() says what went wrong on the calling thread.
 * - Outputs are written only on success. When a call fails, its out_ parameters are left as
 *   they were, so initialise handles to NULL and free them unconditionally.
 * - Strings in are (const char *ptr, size_t len) pairs of UTF-8 bytes; no NUL terminator is
 *   needed (and an embedded NUL is a control character, refused in codes). A length of 0 is
 *   the empty string whatever the pointer (NULL included); a NULL pointer with a nonzero
 *   length is ALLOT_STATUS_INVALID_INPUT. A length above the argument's limit (the
 *   ALLOT_*_BYTES_MAX macros) is ALLOT_STATUS_LIMIT_EXCEEDED, found before a byte is read.
 * - Strings out are NUL-terminated and also come with their length (which excludes the NUL).
 *   Inside a handle's struct they are borrowed pointers (below). A string returned on its own
 *   (the rules text, a reload error, the order a tracking event belongs to) is an allot_string
 *   handle: read it with allot_string_text() and allot_string_len(), free it with
 *   allot_string_free().
 * - Enums in (roles, sync modes, clocks, buffer kinds, order states, payments, tracking kinds,
 *   blacklists) are plain integers: a value that is not in the enum is
 *   ALLOT_STATUS_INVALID_INPUT, never undefined behaviour. allot_<enum>_name() spells a value
 *   as the engine, the rules file and Python do ("in_review", "risk_review", "bad_phone"). A
 *   NULL handle or a NULL required pointer is ALLOT_STATUS_INVALID_INPUT. A panic inside the
 *   library never crosses into C: it becomes ALLOT_STATUS_INTERNAL with a message.
 * - Permission first: a call the client's role may not make is ALLOT_STATUS_PERMISSION_DENIED
 *   whatever else is wrong with its arguments (a NULL client aside), as in the Rust API.
 * - Lists (events, orders, tasks, warehouses, SKUs, rule errors) are handles read with
 *   allot_<list>_count() and allot_<list>_get(list, index, &out); a handle with one record is
 *   read with allot_<object>_get_info(handle, &out). Arrays inside a struct come as a pointer
 *   and a _len (NULL when empty).
 * - A refused rules file (ALLOT_STATUS_INVALID_RULES, from allot_client_set_rules(),
 *   allot_client_dry_run_rules() or allot_engine_reload_rules()) writes no output, like every
 *   failure; its problems, each with line and column, stay with the thread's last error and
 *   allot_last_rule_errors() copies them into an allot_rule_errors handle.
 * - An order is named by its key, "channel:channel_order_id". A move the order's state does
 *   not allow is ALLOT_STATUS_ILLEGAL_TRANSITION (the message names both states); an order
 *   never taken in is ALLOT_STATUS_UNKNOWN_ORDER.
 *
 * OWNERSHIP: WHO FREES WHAT
 *
 * - allot_engine: made by allot_engine_open() or allot_engine_open_in_memory(); closed by
 *   allot_engine_close() (flush, unlock; reports a failed final flush) and freed by
 *   allot_engine_free() (which closes first if needed). Close and free are separate so that
 *   other threads may still hold the pointer while the engine closes: after close every call
 *   through the engine or its clients returns ALLOT_STATUS_CLOSED.
 * - allot_client: made by allot_client_new(), freed by allot_client_free(). A client keeps
 *   the engine's state alive, so it may be freed before or after its engine.
 * - allot_reservation: made by allot_client_reserve() (when out_reservation is not NULL) and
 *   allot_client_reservation(), freed by allot_reservation_free().
 * - allot_client_acting_as() makes an allot_client too (same role, recording who acts), freed
 *   by allot_client_free().
 * - allot_events: made by allot_client_events(), freed by allot_events_free().
 * - Results of the order pipeline, each freed by its own *_free(): allot_intake
 *   (allot_client_intake*(), when out_intake is not NULL), allot_order (allot_client_order()),
 *   allot_orders (allot_client_orders_in()), allot_tasks (allot_client_tasks()),
 *   allot_explanation (allot_client_explain()), allot_dry_run (allot_client_dry_run_rules()),
 *   allot_rule_errors (allot_last_rule_errors()), allot_rules_watch
 *   (allot_engine_watch_rules(); freeing it stops the watch), allot_warehouses and allot_skus
 *   (the catalogue listings), allot_string (the strings returned on their own).
 *   allot_client_reserve_many() makes one allot_reservation per order reserved, when asked.
 * - Every *_free() and allot_engine_close() accepts NULL and then does nothing. Free each
 *   handle exactly once.
 * - Borrowed pointers: the strings and arrays inside the structs a handle fills
 *   (allot_reservation_info, allot_event, allot_order_info, allot_task, ...) belong to the
 *   handle they were read from and stay valid until that handle is freed. The allot_order and
 *   allot_reservation inside an allot_intake_info are borrowed the same way: read them, never
 *   free them. allot_status_name(), the other allot_*_name() functions and allot_version()
 *   return static strings. allot_last_error_message() returns a per-thread string valid until
 *   that thread's next call of an allot_ function other than allot_last_error_message(),
 *   allot_last_rule_errors(), the allot_*_name() functions and allot_version(). Never free a
 *   borrowed pointer.
 * - Input pointers are only read during the call; the library keeps no pointer to caller
 *   memory after it returns.
 *
 * THREADS
 *
 * - allot_engine and allot_client are safe to share between threads: any number of threads
 *   may call functions on the same handle at once (they wrap the engine's Send + Sync types;
 *   the engine orders concurrent reservations itself and never oversells).
 *   allot_engine_close() may run while other threads use the engine or its clients.
 * - allot_reservation, allot_events and every other result handle are immutable once
 *   returned: any number of threads may read one at once.
 * - A watched rules file is reloaded on a thread of the library's own; the engine's locking
 *   makes that safe against every other call.
 * - A *_free() must be the last call on its handle: no other thread may be using it.
 *
 * PROCESSES: DO NOT USE AN ENGINE ACROSS fork()
 *
 * - An engine belongs to the process that opened it. A child made by fork() while it is open
 *   inherits the handles, but the log they write to and the lock are the parent's: every call
 *   through an inherited allot_engine or allot_client returns ALLOT_STATUS_WRONG_PROCESS and
 *   changes nothing (the per-function error lists leave it out). allot_engine_close() in the
 *   child does nothing; allot_engine_free() and allot_client_free() free only the handle and
 *   leave the engine's state alone (the child's copy of it is leaked until the child exits).
 * - Start the other process with exec (posix_spawn, or fork() then exec) rather than a bare
 *   fork(), or open the engine in the child (a data directory is open in one process at a time)
 *   when the child was forked before its parent opened any engine: an open engine runs a
 *   worker thread, and a child of a multi-threaded process may deadlock on a lock another
 *   thread held at the fork. The refusal takes none of the engine's locks (it only allocates
 *   its message), so an inherited handle always answers at once. The parent's engine is
 *   unaffected by anything its children do.
 */

#ifndef ALLOT_H
#define ALLOT_H

/*
 * Generated by cbindgen 0.29.4 from ffi/src with ffi/cbindgen.toml. Do not edit: change the
 * Rust, then run `ALLOT_BLESS_HEADER=1 cargo test -p allot-ffi --test header`.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Major version of the header (the macros describe the header you compiled against;
 * `allot_version()` describes the library you linked).
 */
#define ALLOT_VERSION_MAJOR 0

/**
 * Minor version of the header.
 */
#define ALLOT_VERSION_MINOR 1

/**
 * Patch version of the header.
 */
#define ALLOT_VERSION_PATCH 0

/**
 * Longest SKU, warehouse or region code, in bytes.
 */
#define ALLOT_CODE_BYTES_MAX 64

/**
 * Longest category name, in bytes.
 */
#define ALLOT_CATEGORY_BYTES_MAX 64

/**
 * Longest order id, in bytes.
 */
#define ALLOT_ORDER_ID_BYTES_MAX 64

/**
 * Longest reason text of a stock adjustment, in bytes.
 */
#define ALLOT_REASON_BYTES_MAX 256

/**
 * Longest data directory path, in bytes.
 */
#define ALLOT_PATH_BYTES_MAX 4095

/**
 * Most lines in one order.
 */
#define ALLOT_ORDER_LINES_MAX 128

/**
 * Largest quantity on one order line, in units.
 */
#define ALLOT_LINE_QTY_MAX 1000000000

/**
 * Largest value of any counter of a stock cell (on hand, reserved, in transit, buffer), in
 * units; also the largest quantity of one stock movement.
 */
#define ALLOT_CELL_UNITS_MAX 1000000000000000

/**
 * Longest reservation lifetime, in milliseconds (400 days).
 */
#define ALLOT_TTL_MS_MAX 34560000000

/**
 * Most events one poll returns.
 */
#define ALLOT_EVENTS_BATCH_MAX 4096

/**
 * Largest channel payload `allot_client_intake_payload()` parses, in bytes (256 KiB).
 */
#define ALLOT_PAYLOAD_BYTES_MAX 262144

/**
 * Deepest nesting of arrays and objects in a channel payload.
 */
#define ALLOT_PAYLOAD_DEPTH_MAX 32

/**
 * Longest address field of an order form (recipient, phone, province, city, district,
 * detail) and longest blacklist value, in bytes.
 */
#define ALLOT_ADDRESS_FIELD_BYTES_MAX 1024

/**
 * Longest buyer id of an order form, in bytes.
 */
#define ALLOT_BUYER_ID_BYTES_MAX 128

/**
 * Largest rules file, in bytes (1 MiB).
 */
#define ALLOT_RULES_BYTES_MAX 1048576

/**
 * Most orders in one `allot_client_reserve_many()` batch.
 */
#define ALLOT_RESERVE_BATCH_MAX 65536

/**
 * How many `allot_order_state` values there are: the size of per-state count arrays.
 */
#define ALLOT_ORDER_STATE_COUNT 12

/**
 * How many `allot_path` values there are: the size of the per-path count arrays.
 */
#define ALLOT_PATH_COUNT 4

/**
 * How many `allot_severity` values there are: the size of per-severity count arrays.
 */
#define ALLOT_SEVERITY_COUNT 4

/**
 * The outcome of a call: `ALLOT_STATUS_OK` (0), or the number of the engine's error code.
 *
 * Groups: 1xx the caller sent something invalid; 2xx the business said no (the engine is
 * fine); 3xx storage needs an operator; 9xx a bug in Allot. `allot_last_error_message()` says
 * more about the last failure on the calling thread. These numbers never change; new errors
 * get new numbers, so treat an unknown value like `ALLOT_STATUS_INTERNAL`.
 */
enum allot_status
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Success: the outputs are written.
     */
    ALLOT_STATUS_OK = 0,
    /**
     * An argument is malformed: NULL where not allowed, not UTF-8, an unknown enum value, an
     * empty or malformed code, a quantity of 0.
     */
    ALLOT_STATUS_INVALID_INPUT = 100,
    /**
     * An argument is above one of the engine's limits (the `ALLOT_*_MAX` macros).
     */
    ALLOT_STATUS_LIMIT_EXCEEDED = 101,
    /**
     * No SKU has this code.
     */
    ALLOT_STATUS_UNKNOWN_SKU = 102,
    /**
     * No warehouse has this code.
     */
    ALLOT_STATUS_UNKNOWN_WAREHOUSE = 103,
    /**
     * No reservation was ever made under this order id (or it was refused); in the order
     * pipeline, no order was taken in under this key, or no order has this waybill.
     */
    ALLOT_STATUS_UNKNOWN_ORDER = 104,
    /**
     * A warehouse or SKU with this code already exists (or a waybill is on another order).
     */
    ALLOT_STATUS_ALREADY_EXISTS = 105,
    /**
     * The events after this cursor are gone: a checkpoint removed them.
     */
    ALLOT_STATUS_CURSOR_EXPIRED = 106,
    /**
     * A routing rules file has problems (the order pipeline's; each is named with its line
     * and column in the message, and `allot_last_rule_errors()` lists them). The live rules
     * are unchanged.
     */
    ALLOT_STATUS_INVALID_RULES = 107,
    /**
     * Not enough available stock for an order (nothing was reserved) or for a movement.
     */
    ALLOT_STATUS_INSUFFICIENT_STOCK = 200,
    /**
     * The order id was already reserved with different lines.
     */
    ALLOT_STATUS_DUPLICATE_ORDER = 201,
    /**
     * The reservation, order or task is in a state that cannot become the one asked for (for
     * example releasing a committed reservation, cancelling a shipped order).
     */
    ALLOT_STATUS_ILLEGAL_TRANSITION = 202,
    /**
     * The client's role may not make this call.
     */
    ALLOT_STATUS_PERMISSION_DENIED = 203,
    /**
     * An operating-system I/O error on the data directory.
     */
    ALLOT_STATUS_IO = 300,
    /**
     * The data directory is damaged; the message names the file and byte offset.
     */
    ALLOT_STATUS_CORRUPTION = 301,
    /**
     * The disk is full (found while preallocating a log segment).
     */
    ALLOT_STATUS_OUT_OF_SPACE = 302,
    /**
     * A log sync failed earlier: the engine refuses writes until it is reopened.
     */
    ALLOT_STATUS_POISONED = 303,
    /**
     * Another open engine holds the data directory.
     */
    ALLOT_STATUS_LOCKED = 304,
    /**
     * The engine was closed.
     */
    ALLOT_STATUS_CLOSED = 305,
    /**
     * The engine was opened by another process: this is a child made by `fork()` while it was
     * open. Every call through an inherited engine or client handle answers this and changes
     * nothing; open the engine in the child instead.
     */
    ALLOT_STATUS_WRONG_PROCESS = 306,
    /**
     * The engine is open read-only and refuses writes.
     */
    ALLOT_STATUS_READ_ONLY = 307,
    /**
     * A bug in Allot (including a panic caught at the boundary).
     */
    ALLOT_STATUS_INTERNAL = 900,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_status allot_status;
#else
typedef uint32_t allot_status;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Where a reservation is in its life. Only `HELD` holds stock; the others are final.
 */
enum allot_reservation_state
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Holding stock until committed, released or expired.
     */
    ALLOT_RESERVATION_STATE_HELD = 0,
    /**
     * The goods left: its units left on hand and reserved.
     */
    ALLOT_RESERVATION_STATE_COMMITTED = 1,
    /**
     * Cancelled: its units returned to available.
     */
    ALLOT_RESERVATION_STATE_RELEASED = 2,
    /**
     * Its TTL passed before a commit or release: its units returned to available.
     */
    ALLOT_RESERVATION_STATE_EXPIRED = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_reservation_state allot_reservation_state;
#else
typedef uint32_t allot_reservation_state;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Where an order is in its life (the core's `OrderState`). The legal moves:
 *
 * ```text
 * received -> flagged | in_review | reserved | cancelled
 * flagged -> in_review | cancelled
 * in_review -> reserved | return_requested | cancelled
 * reserved -> released_to_warehouse | in_review (hold) | cancelled
 * released_to_warehouse -> shipped | cancelled
 * shipped -> picked_up | delivered | exception
 * picked_up -> delivered | exception
 * exception -> picked_up | delivered | return_requested | returned
 * delivered -> return_requested
 * return_requested -> returned | delivered (return denied)
 * ```
 *
 * `cancelled` and `returned` are final. Any other move is `ALLOT_STATUS_ILLEGAL_TRANSITION`.
 */
enum allot_order_state
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Taken in, not yet decided (seen only inside intake, or after a crash during one).
     */
    ALLOT_ORDER_STATE_RECEIVED = 0,
    /**
     * A check raised at least one flag; waits to be taken into review.
     */
    ALLOT_ORDER_STATE_FLAGGED = 1,
    /**
     * A person (risk or manual review, or a hold) must decide.
     */
    ALLOT_ORDER_STATE_IN_REVIEW = 2,
    /**
     * Stock is held for it.
     */
    ALLOT_ORDER_STATE_RESERVED = 3,
    /**
     * Sent to the warehouse for picking.
     */
    ALLOT_ORDER_STATE_RELEASED_TO_WAREHOUSE = 4,
    /**
     * Handed to a carrier (a waybill is assigned); its stock left.
     */
    ALLOT_ORDER_STATE_SHIPPED = 5,
    /**
     * The carrier reported pickup.
     */
    ALLOT_ORDER_STATE_PICKED_UP = 6,
    ALLOT_ORDER_STATE_DELIVERED = 7,
    /**
     * Cancelled before shipping; any stock held was released.
     */
    ALLOT_ORDER_STATE_CANCELLED = 8,
    /**
     * The buyer asked to return it (or a return order was approved).
     */
    ALLOT_ORDER_STATE_RETURN_REQUESTED = 9,
    /**
     * The goods came back.
     */
    ALLOT_ORDER_STATE_RETURNED = 10,
    /**
     * The carrier reported a problem (lost, damaged, refused).
     */
    ALLOT_ORDER_STATE_EXCEPTION = 11,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_order_state allot_order_state;
#else
typedef uint32_t allot_order_state;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Where routing sends an order (the core's `Path`).
 */
enum allot_path
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * No human: stock is reserved and the order flows on.
     */
    ALLOT_PATH_AUTO = 0,
    /**
     * A risk reviewer looks at it (fraud, velocity, blacklists).
     */
    ALLOT_PATH_RISK_REVIEW = 1,
    /**
     * A person checks it (returns, cross-border, big orders).
     */
    ALLOT_PATH_MANUAL_REVIEW = 2,
    /**
     * Parked until someone releases it.
     */
    ALLOT_PATH_HOLD = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_path allot_path;
#else
typedef uint32_t allot_path;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why an order needs a second look, raised by the checks at intake (the core's `FlagCode`).
 */
enum allot_flag
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * A required address field is empty.
     */
    ALLOT_FLAG_ADDRESS_INCOMPLETE = 0,
    /**
     * The province is not one of China's province-level divisions.
     */
    ALLOT_FLAG_UNKNOWN_PROVINCE = 1,
    /**
     * The city is not a city-level division of that province.
     */
    ALLOT_FLAG_UNKNOWN_CITY = 2,
    /**
     * The phone number is neither a mainland mobile nor a landline number.
     */
    ALLOT_FLAG_BAD_PHONE = 3,
    ALLOT_FLAG_BLACKLISTED_BUYER = 4,
    ALLOT_FLAG_BLACKLISTED_PHONE = 5,
    ALLOT_FLAG_BLACKLISTED_ADDRESS = 6,
    /**
     * Too many orders from this buyer in the velocity window.
     */
    ALLOT_FLAG_VELOCITY_BUYER = 7,
    ALLOT_FLAG_VELOCITY_PHONE = 8,
    ALLOT_FLAG_VELOCITY_ADDRESS = 9,
    /**
     * Above the amount limit of the rules file.
     */
    ALLOT_FLAG_AMOUNT_TOO_HIGH = 10,
    /**
     * Not enough stock to reserve the order at once.
     */
    ALLOT_FLAG_STOCK_SHORT = 11,
    /**
     * Not paid yet.
     */
    ALLOT_FLAG_UNPAID = 12,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_flag allot_flag;
#else
typedef uint32_t allot_flag;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * How urgent a flag, an escalation or a task is. Ordered: a higher number is more urgent.
 */
enum allot_severity
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    ALLOT_SEVERITY_LOW = 0,
    ALLOT_SEVERITY_MEDIUM = 1,
    ALLOT_SEVERITY_HIGH = 2,
    ALLOT_SEVERITY_CRITICAL = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_severity allot_severity;
#else
typedef uint32_t allot_severity;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Why a to-do task was opened.
 */
enum allot_task_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * A stage ran past its deadline (the task's `stage` says which).
     */
    ALLOT_TASK_KIND_OVERDUE = 0,
    /**
     * No tracking arrived after shipping: someone must enter it by hand or chase the carrier
     * (the task's `stage` is `ALLOT_STAGE_TRACKING`).
     */
    ALLOT_TASK_KIND_ENTER_TRACKING = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_task_kind allot_task_kind;
#else
typedef uint32_t allot_task_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * A stage of an order's life with a deadline (the rules file's `[sla]`).
 */
enum allot_stage
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Flagged, in review or in a carrier exception: a person must decide.
     */
    ALLOT_STAGE_REVIEW = 0,
    /**
     * Reserved: the warehouse must take it.
     */
    ALLOT_STAGE_RELEASE = 1,
    /**
     * Released to the warehouse: it must ship.
     */
    ALLOT_STAGE_SHIP = 2,
    /**
     * Shipped: the carrier's first tracking event must arrive.
     */
    ALLOT_STAGE_TRACKING = 3,
    /**
     * Picked up: it must be delivered.
     */
    ALLOT_STAGE_DELIVERY = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_stage allot_stage;
#else
typedef uint32_t allot_stage;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Where a to-do task is.
 */
enum allot_task_state
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    ALLOT_TASK_STATE_OPEN = 0,
    /**
     * Someone is on it.
     */
    ALLOT_TASK_STATE_ACKNOWLEDGED = 1,
    ALLOT_TASK_STATE_CLOSED = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_task_state allot_task_state;
#else
typedef uint32_t allot_task_state;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * What changed.
 */
enum allot_event_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * A warehouse was added: `warehouse`, `region`, `priority`, `active`.
     */
    ALLOT_EVENT_KIND_ADD_WAREHOUSE = 0,
    /**
     * A warehouse changed: `warehouse`, `priority`, `active`.
     */
    ALLOT_EVENT_KIND_UPDATE_WAREHOUSE = 1,
    /**
     * A SKU was added: `sku`, `category`.
     */
    ALLOT_EVENT_KIND_ADD_SKU = 2,
    /**
     * A safety buffer was set: `sku`, `warehouse` ("" for the SKU's default), `buffer`,
     * `buffer_value`.
     */
    ALLOT_EVENT_KIND_SET_BUFFER = 3,
    /**
     * A stocktake: `sku`, `warehouse`, `qty` (the new on hand).
     */
    ALLOT_EVENT_KIND_SET_STOCK = 4,
    /**
     * Goods received: `sku`, `warehouse`, `qty`.
     */
    ALLOT_EVENT_KIND_RECEIVE = 5,
    /**
     * A correction: `sku`, `warehouse`, `delta` (signed), `qty` (its magnitude), `reason`.
     */
    ALLOT_EVENT_KIND_ADJUST = 6,
    /**
     * Goods on their way: `sku`, `warehouse`, `qty`.
     */
    ALLOT_EVENT_KIND_EXPECT_INBOUND = 7,
    /**
     * In-transit goods arrived: `sku`, `warehouse`, `qty`.
     */
    ALLOT_EVENT_KIND_LAND_INBOUND = 8,
    /**
     * A reservation: `order_id`, `lines`, `at_ms`, `expires_at_ms`.
     */
    ALLOT_EVENT_KIND_RESERVE = 9,
    /**
     * A reservation was committed: `order_id`, `at_ms`.
     */
    ALLOT_EVENT_KIND_COMMIT = 10,
    /**
     * A reservation was released: `order_id`, `at_ms`.
     */
    ALLOT_EVENT_KIND_RELEASE = 11,
    /**
     * A reservation expired: `order_id`, `at_ms`.
     */
    ALLOT_EVENT_KIND_EXPIRE = 12,
    /**
     * A change in the order pipeline newer than this version of the C library: `at_ms`. Skip
     * it, but keep its LSN as the cursor.
     */
    ALLOT_EVENT_KIND_PIPELINE = 13,
    /**
     * An order was taken in: `order_id` (its key), `to_state` (where it landed:
     * `ALLOT_ORDER_STATE_FLAGGED`, `_IN_REVIEW` or `_RESERVED`; `from_state` is
     * `ALLOT_ORDER_STATE_RECEIVED`), `path`, `rule` ("" for the default path), `flags_len` (how
     * many flags the checks raised; read them with `allot_client_order()`), `at_ms`.
     */
    ALLOT_EVENT_KIND_ORDER_RECEIVED = 14,
    /**
     * An order moved: `order_id`, `from_state`, `to_state`, `by` (who), `note`, `at_ms`.
     */
    ALLOT_EVENT_KIND_ORDER_MOVED = 15,
    /**
     * A waybill was written back: `order_id`, `carrier`, `tracking_number`, `at_ms`.
     */
    ALLOT_EVENT_KIND_WAYBILL = 16,
    /**
     * A carrier reported on a shipment: `order_id`, `tracking`, `detail`, `at_ms`.
     */
    ALLOT_EVENT_KIND_TRACKING = 17,
    /**
     * A stage's deadline passed: `order_id`, `stage`, `tier` (from 0, the rules' escalation
     * tiers), `severity`, `task` (the task opened or raised), `at_ms`.
     */
    ALLOT_EVENT_KIND_ESCALATED = 18,
    /**
     * A to-do task was opened: `task`, `order_id`, `task_kind`, `stage`, `severity`,
     * `assignee`, `at_ms`.
     */
    ALLOT_EVENT_KIND_TASK_OPENED = 19,
    /**
     * A task was acknowledged, closed, or raised in severity: `task`, `task_state`,
     * `severity`, `by`, `at_ms`.
     */
    ALLOT_EVENT_KIND_TASK_CHANGED = 20,
    /**
     * The buyer is to be told something (the channel's messaging picks this up): `order_id`,
     * `notification`, `at_ms`.
     */
    ALLOT_EVENT_KIND_NOTIFIED = 21,
    /**
     * A blacklist entry was added (`added`) or removed: `blacklist`, `value`, `by`, `at_ms`.
     */
    ALLOT_EVENT_KIND_BLACKLIST = 22,
    /**
     * The live rules file changed: `by`, `rules_text` (the whole new text), `at_ms`.
     */
    ALLOT_EVENT_KIND_RULES = 23,
    /**
     * A SKU's availability over all warehouses fell to or below the rules' low-stock level:
     * `sku`, `available`, `threshold`, `at_ms`.
     */
    ALLOT_EVENT_KIND_STOCK_ALERT = 24,
    /**
     * A kind of change newer than this version of the C library: only `lsn` is set. Skip it,
     * but keep its LSN as the cursor.
     */
    ALLOT_EVENT_KIND_OTHER = 255,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_event_kind allot_event_kind;
#else
typedef uint32_t allot_event_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * The kind of a safety buffer (`allot_client_set_buffer()`), units held back from sale.
 */
enum allot_buffer
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * No buffer: removes the cell's own rule (the cell then follows the SKU's default), or the
     * SKU's default.
     */
    ALLOT_BUFFER_NONE = 0,
    /**
     * A fixed number of units (at most `ALLOT_CELL_UNITS_MAX`).
     */
    ALLOT_BUFFER_UNITS = 1,
    /**
     * A share of on-hand stock in whole percent (0 to 100), rounded up to whole units.
     */
    ALLOT_BUFFER_PERCENT = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_buffer allot_buffer;
#else
typedef uint32_t allot_buffer;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * What a carrier reports about a shipment (`allot_client_track()`).
 */
enum allot_tracking_kind
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Moves a shipped order to picked up.
     */
    ALLOT_TRACKING_KIND_PICKED_UP = 0,
    /**
     * Recorded; moves nothing.
     */
    ALLOT_TRACKING_KIND_IN_TRANSIT = 1,
    /**
     * Moves the order to delivered (and the buyer is told).
     */
    ALLOT_TRACKING_KIND_DELIVERED = 2,
    /**
     * Moves the order to exception.
     */
    ALLOT_TRACKING_KIND_EXCEPTION = 3,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_tracking_kind allot_tracking_kind;
#else
typedef uint32_t allot_tracking_kind;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * What the buyer is to be told (the channel's messaging picks these events up).
 */
enum allot_notification
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    ALLOT_NOTIFICATION_SHIPPED = 0,
    ALLOT_NOTIFICATION_DELIVERED = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_notification allot_notification;
#else
typedef uint32_t allot_notification;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Which blacklist (`allot_client_blacklist_add()`).
 */
enum allot_blacklist
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * The buyer's id on the channel.
     */
    ALLOT_BLACKLIST_BUYER = 0,
    /**
     * A phone number, as the order form carries it.
     */
    ALLOT_BLACKLIST_PHONE = 1,
    /**
     * An address: province, city, district and detail joined, compared without whitespace.
     */
    ALLOT_BLACKLIST_ADDRESS = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_blacklist allot_blacklist;
#else
typedef uint32_t allot_blacklist;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Who a client acts for. The whole permission policy:
 *
 * | role      | catalogue changes | stock movements | reserve, commit, release | reads |
 * |-----------|-------------------|-----------------|--------------------------|-------|
 * | admin     | yes               | yes             | yes                      | yes   |
 * | orders    |                   |                 | yes                      | yes   |
 * | warehouse |                   | yes             |                          | yes   |
 * | logistics |                   |                 |                          | no stock, reservations or events |
 * | viewer    |                   |                 |                          | yes   |
 *
 * The order pipeline (admin may do everything):
 *
 * | role      | intake, review, cancel | release, ship | track | returns | tasks | blacklist, rules |
 * |-----------|------------------------|---------------|-------|---------|-------|------------------|
 * | orders    | yes                    |               |       | yes     | yes   |                  |
 * | warehouse |                        | yes           |       | yes     | yes   |                  |
 * | logistics |                        | ship only     | yes   |         | yes   |                  |
 * | viewer    |                        |               |       |         |       |                  |
 *
 * Every role may read orders, tasks, explanations and the rules text, and the catalogue.
 * A call the role may not make is `ALLOT_STATUS_PERMISSION_DENIED` and changes nothing.
 */
enum allot_role
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * Catalogue, configuration and everything the other roles may do.
     */
    ALLOT_ROLE_ADMIN = 0,
    /**
     * Order systems: reserve, commit, release, and read stock.
     */
    ALLOT_ROLE_ORDERS = 1,
    /**
     * Warehouse systems: stock movements and reads.
     */
    ALLOT_ROLE_WAREHOUSE = 2,
    /**
     * Carrier integrations: no stock, reservation or event call at all.
     */
    ALLOT_ROLE_LOGISTICS = 3,
    /**
     * Dashboards and reports: read only.
     */
    ALLOT_ROLE_VIEWER = 4,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_role allot_role;
#else
typedef uint32_t allot_role;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * When a write is acknowledged (`allot_engine_options.sync`).
 */
enum allot_sync_mode
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * After its log record is on stable storage (group commit shares the syncs). Survives a
     * power cut.
     */
    ALLOT_SYNC_MODE_ALWAYS = 0,
    /**
     * At once; a background flush every `sync_interval_ms` bounds what a power cut can lose.
     * A process crash loses nothing.
     */
    ALLOT_SYNC_MODE_INTERVAL = 1,
    /**
     * At once; the operating system writes back when it likes. A process crash loses
     * nothing; a power cut may. For tests and load generation.
     */
    ALLOT_SYNC_MODE_NONE = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_sync_mode allot_sync_mode;
#else
typedef uint32_t allot_sync_mode;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Where the engine's time comes from (`allot_engine_options.clock`).
 */
enum allot_clock
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    /**
     * The system's real-time clock; a background sweep expires reservations.
     */
    ALLOT_CLOCK_SYSTEM = 0,
    /**
     * A clock that starts at `clock_start_ms` and moves only with `allot_engine_advance_time()`
     * (which also expires what came due). For tests and simulations.
     */
    ALLOT_CLOCK_MANUAL = 1,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_clock allot_clock;
#else
typedef uint32_t allot_clock;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * Whether the buyer paid (`allot_order_form.payment`).
 */
enum allot_payment
#if defined(__cplusplus) || __STDC_VERSION__ >= 202311L
  : uint32_t
#endif // defined(__cplusplus) || __STDC_VERSION__ >= 202311L
 {
    ALLOT_PAYMENT_UNPAID = 0,
    ALLOT_PAYMENT_PAID = 1,
    ALLOT_PAYMENT_REFUNDED = 2,
};
#ifndef __cplusplus
#if __STDC_VERSION__ >= 202311L
typedef enum allot_payment allot_payment;
#else
typedef uint32_t allot_payment;
#endif // __STDC_VERSION__ >= 202311L
#endif // __cplusplus

/**
 * A client of one engine, acting with one role's permissions.
 *
 * Thread safety: any number of threads may use one client at once (or one client each);
 * `allot_client_free()` must be the last call on it. A client keeps the engine's state alive:
 * after the engine is closed (or its handle freed) the client answers `ALLOT_STATUS_CLOSED`.
 */
typedef struct allot_client allot_client;

/**
 * A dry run (`allot_client_dry_run_rules()`), owned by the caller and freed with
 * `allot_dry_run_free()`. Immutable: any number of threads may read one at once.
 */
typedef struct allot_dry_run allot_dry_run;

/**
 * An open engine: one data directory (or memory), shared by every client made from it.
 *
 * Thread safety: any number of threads may use one engine handle at once, including
 * `allot_engine_close()`; `allot_engine_free()` must be the last call on it.
 */
typedef struct allot_engine allot_engine;

/**
 * The events one poll returned, owned by the caller and freed with `allot_events_free()`.
 * Immutable: any number of threads may read one at once.
 */
typedef struct allot_events allot_events;

/**
 * An explanation (`allot_client_explain()`), owned by the caller and freed with
 * `allot_explanation_free()`. Immutable: any number of threads may read one at once.
 */
typedef struct allot_explanation allot_explanation;

/**
 * The outcome of one intake, owned by the caller and freed with `allot_intake_free()`.
 * Immutable: any number of threads may read one at once.
 */
typedef struct allot_intake allot_intake;

/**
 * An order, as a look-up or an intake found it: an immutable snapshot, owned by the caller
 * (freed with `allot_order_free()`) unless borrowed from an `allot_intake`. Any number of
 * threads may read one at once.
 */
typedef struct allot_order allot_order;

/**
 * A list of orders (`allot_client_orders_in()`), owned by the caller and freed with
 * `allot_orders_free()`. Immutable: any number of threads may read one at once.
 */
typedef struct allot_orders allot_orders;

/**
 * A reservation, as a reserve call or a look-up found it: an immutable snapshot, owned by the
 * caller, freed with `allot_reservation_free()`. Any number of threads may read one at once.
 */
typedef struct allot_reservation allot_reservation;

/**
 * The problems of a refused rules file, in file order (`allot_last_rule_errors()`): owned by
 * the caller, freed with `allot_rule_errors_free()`. Immutable: any number of threads may read
 * one at once.
 */
typedef struct allot_rule_errors allot_rule_errors;

/**
 * A running watch of a rules file (`allot_engine_watch_rules()`); freeing it stops watching.
 */
typedef struct allot_rules_watch allot_rules_watch;

/**
 * Every SKU (`allot_client_skus()`), in the order they were added: owned by the caller, freed
 * with `allot_skus_free()`. Immutable: any number of threads may read one at once.
 */
typedef struct allot_skus allot_skus;

/**
 * A string the library returned on its own, owned by the caller and freed with
 * `allot_string_free()`. Read it with `allot_string_text()` and `allot_string_len()`.
 * Immutable: any number of threads may read one at once.
 */
typedef struct allot_string allot_string;

/**
 * The open and acknowledged tasks (`allot_client_tasks()`), most severe first, then oldest:
 * owned by the caller, freed with `allot_tasks_free()`. Immutable: any number of threads may
 * read one at once.
 */
typedef struct allot_tasks allot_tasks;

/**
 * Every warehouse (`allot_client_warehouses()`), in the order they were added: owned by the
 * caller, freed with `allot_warehouses_free()`. Immutable: any number of threads may read one
 * at once.
 */
typedef struct allot_warehouses allot_warehouses;

/**
 * How an engine is opened. Fill it with `allot_engine_options_default()`, then change fields.
 *
 * A field of 0 does not mean "default"; where 0 has a meaning of its own it is documented.
 */
typedef struct allot_engine_options {
    /**
     * An `allot_sync_mode`. Default: `ALLOT_SYNC_MODE_ALWAYS`.
     */
    allot_sync_mode sync;
    /**
     * Flush period for `ALLOT_SYNC_MODE_INTERVAL`, in ms (at least 1). Default: 100.
     */
    uint64_t sync_interval_ms;
    /**
     * An `allot_clock`. Default: `ALLOT_CLOCK_SYSTEM`.
     */
    allot_clock clock;
    /**
     * Start time of an `ALLOT_CLOCK_MANUAL` clock, in ms since the Unix epoch. Default: 0.
     */
    uint64_t clock_start_ms;
    /**
     * TTL of reservations whose caller gives none, in ms (at most `ALLOT_TTL_MS_MAX`); 0: such
     * reservations never expire. Default: 30 minutes.
     */
    uint64_t default_ttl_ms;
    /**
     * How long a committed, released or expired reservation is remembered, so that a repeat
     * of its order id is answered from it (the idempotency window), in ms; 0: forever.
     * Default: 7 days.
     */
    uint64_t settled_retention_ms;
    /**
     * Size of each preallocated log segment, in bytes (256 KiB to 4 GiB). Default: 64 MiB.
     */
    uint64_t segment_bytes;
    /**
     * Write a checkpoint after this many log bytes; 0: no automatic checkpoints. Default:
     * 256 MiB.
     */
    uint64_t checkpoint_every_bytes;
    /**
     * How often a system clock's sweep expires due reservations, in ms (at least 1). Default:
     * 1000.
     */
    uint64_t expiry_sweep_ms;
    /**
     * Lock stripes: a power of two from 1 to 2^20. More stripes, fewer SKUs share a lock.
     * Default: 1024.
     */
    uint32_t stripes;
    /**
     * 1: the engine's worker expires due reservations and fires SLA timers on its own (with
     * the system clock); 0: it does not, and nothing writes but the callers (a process that
     * only looks, such as a dashboard). Any other value is refused. Default: 1.
     */
    uint8_t housekeeping;
} allot_engine_options;

/**
 * The engine's counters at one moment (`allot_engine_metrics()`). Counts marked "since open"
 * start at 0 each time the engine is opened; the others describe the whole state or log.
 */
typedef struct allot_metrics {
    uint64_t skus;
    uint64_t warehouses;
    /**
     * Reservations made since the engine (or its log) began.
     */
    uint64_t reservations_made;
    uint64_t reservations_held;
    uint64_t reservations_committed;
    uint64_t reservations_released;
    uint64_t reservations_expired;
    /**
     * Reserve calls refused for want of stock (since open).
     */
    uint64_t reserves_refused;
    /**
     * Reserve calls answered from an earlier reservation of the same order (since open).
     */
    uint64_t reserve_repeats;
    /**
     * Reserve calls refused because the order id was used with other lines (since open).
     */
    uint64_t duplicate_orders;
    /**
     * Calls refused with `ALLOT_STATUS_PERMISSION_DENIED`, all roles and operations (since
     * open).
     */
    uint64_t permission_denied_total;
    /**
     * The LSN of the last record, and of the last durable one.
     */
    uint64_t log_last_lsn;
    uint64_t log_durable_lsn;
    /**
     * Records and bytes appended to the log, syncs, and segments (since open).
     */
    uint64_t log_records_appended;
    uint64_t log_bytes_appended;
    uint64_t log_flushes;
    uint64_t log_segments;
    /**
     * Checkpoints written (since open).
     */
    uint64_t checkpoints;
    /**
     * Orders in the book by state, indexed by `allot_order_state`
     * (`orders_by_state[ALLOT_ORDER_STATE_SHIPPED]`). Finished orders are forgotten by the
     * checkpoint after the idempotency window.
     */
    uint64_t orders_by_state[ALLOT_ORDER_STATE_COUNT];
    /**
     * Orders in the book that never needed a person's decision.
     */
    uint64_t orders_zero_touch;
    /**
     * Open and acknowledged tasks by severity, indexed by `allot_severity`.
     */
    uint64_t open_tasks_by_severity[ALLOT_SEVERITY_COUNT];
} allot_metrics;

/**
 * The counters of one stock cell (one SKU in one warehouse), or their sums over several
 * warehouses, in units.
 */
typedef struct allot_stock {
    /**
     * Units physically in the warehouse.
     */
    uint64_t on_hand;
    /**
     * Units held by reservations (never more than on hand).
     */
    uint64_t reserved;
    /**
     * What a new order may take: on hand - reserved - buffer, never below 0.
     */
    uint64_t available;
    /**
     * Units on their way (expected inbound), not sellable yet.
     */
    uint64_t in_transit;
    /**
     * The safety buffer in units, as applied to the current on-hand count.
     */
    uint64_t buffer;
} allot_stock;

/**
 * One warehouse. Strings are borrowed from the `allot_warehouses` handle and NUL-terminated.
 */
typedef struct allot_warehouse_info {
    const char *code;
    size_t code_len;
    /**
     * Its administrative region code ("310000").
     */
    const char *region;
    size_t region_len;
    /**
     * Lower is preferred when distances tie.
     */
    uint32_t priority;
    /**
     * Whether new reservations may use it.
     */
    bool active;
} allot_warehouse_info;

/**
 * One SKU. Strings are borrowed from the `allot_skus` handle and NUL-terminated.
 */
typedef struct allot_sku_info {
    const char *code;
    size_t code_len;
    /**
     * "" when it has none.
     */
    const char *category;
    size_t category_len;
} allot_sku_info;

/**
 * One line of an order: `qty` units (1 to `ALLOT_LINE_QTY_MAX`) of the SKU `sku` (`sku_len`
 * bytes of UTF-8). Lines naming the same SKU are summed.
 */
typedef struct allot_order_line {
    const char *sku;
    size_t sku_len;
    uint32_t qty;
} allot_order_line;

/**
 * Options of one reserve call. A zeroed struct (`{0}`) is the defaults, as is passing NULL.
 */
typedef struct allot_reserve_options {
    /**
     * Region code of the delivery address (`ship_to_len` bytes); warehouses nearer to it are
     * preferred. Length 0: no preference.
     */
    const char *ship_to;
    size_t ship_to_len;
    /**
     * How long the hold lasts, in ms (at most `ALLOT_TTL_MS_MAX`); 0: the engine's default TTL.
     */
    uint64_t ttl_ms;
    /**
     * Whether lines may be served from different warehouses when no single warehouse can serve
     * the whole order.
     */
    bool allow_split;
} allot_reserve_options;

/**
 * One order of a batch (`allot_client_reserve_many()`): the arguments of one
 * `allot_client_reserve()` call. `options` may be NULL for the defaults.
 */
typedef struct allot_order_request {
    const char *order_id;
    size_t order_id_len;
    const struct allot_order_line *lines;
    size_t lines_len;
    const struct allot_reserve_options *options;
} allot_order_request;

/**
 * What a commit or release did.
 */
typedef struct allot_settled {
    /**
     * The reservation's state after the call.
     */
    allot_reservation_state state;
    /**
     * False when the reservation was already in a final state and nothing changed.
     */
    bool changed;
    /**
     * The LSN of the record that settled the reservation (this call's or an earlier one's).
     */
    uint64_t lsn;
} allot_settled;

/**
 * One line of a reservation: `qty` units of SKU `sku` held in warehouse `warehouse`. The
 * strings are NUL-terminated (the lengths exclude the NUL) and borrowed from the handle that
 * produced the line (an `allot_reservation` or `allot_events`) until it is freed.
 */
typedef struct allot_reserved_line {
    const char *sku;
    size_t sku_len;
    const char *warehouse;
    size_t warehouse_len;
    uint32_t qty;
} allot_reserved_line;

/**
 * What an `allot_reservation` handle holds. Every pointer is borrowed from the handle and
 * valid until `allot_reservation_free()`; the strings are NUL-terminated.
 */
typedef struct allot_reservation_info {
    /**
     * The order id the reservation was made under.
     */
    const char *order_id;
    size_t order_id_len;
    /**
     * The reservation's state when the handle was made.
     */
    allot_reservation_state state;
    /**
     * True when the reserve call found the order already reserved with the same lines and held
     * nothing new (an idempotent repeat). Always false from `allot_client_reservation()`.
     */
    bool repeat;
    /**
     * The LSN of the reserve record.
     */
    uint64_t lsn;
    /**
     * When it was reserved (engine clock, ms since the Unix epoch).
     */
    uint64_t reserved_at_ms;
    /**
     * When a held reservation expires (engine clock, ms since the Unix epoch); 0: never.
     */
    uint64_t expires_at_ms;
    /**
     * The lines, by SKU and warehouse: an order line served from two warehouses is two lines.
     */
    const struct allot_reserved_line *lines;
    size_t lines_len;
} allot_reservation_info;

/**
 * A delivery address in the shape of Chinese addresses. Each field is `(ptr, len)` UTF-8, at
 * most `ALLOT_ADDRESS_FIELD_BYTES_MAX` bytes; any may be empty (the intake checks flag an
 * incomplete or unknown address rather than refuse the order).
 */
typedef struct allot_address {
    const char *recipient;
    size_t recipient_len;
    const char *phone;
    size_t phone_len;
    /**
     * A province-level division ("广东省", "上海市").
     */
    const char *province;
    size_t province_len;
    /**
     * A city-level division of the province ("深圳市").
     */
    const char *city;
    size_t city_len;
    /**
     * Optional ("南山区").
     */
    const char *district;
    size_t district_len;
    /**
     * The street-level rest of the address.
     */
    const char *detail;
    size_t detail_len;
} allot_address;

/**
 * One line of an order form: `qty` units (1 to `ALLOT_LINE_QTY_MAX`) of SKU `sku`, at
 * `unit_price_minor` each, in the currency's minor unit (fen for CNY).
 */
typedef struct allot_form_line {
    const char *sku;
    size_t sku_len;
    uint32_t qty;
    uint64_t unit_price_minor;
} allot_form_line;

/**
 * An order as Allot knows it, whatever channel it came from (the core's `OrderForm`): the input
 * of `allot_client_intake()`, and the `form` of `allot_order_info` (there, every pointer is
 * borrowed from the order's handle and every string is also NUL-terminated).
 *
 * The order's key is `channel:channel_order_id` (at most `ALLOT_ORDER_ID_BYTES_MAX` bytes in
 * all; the channel may not contain ':'): the same channel order taken in twice is one order.
 */
typedef struct allot_order_form {
    /**
     * The channel's code (`taobao`, `jd`, `pdd`, or any code the seller uses).
     */
    const char *channel;
    size_t channel_len;
    /**
     * The channel's own id of the order.
     */
    const char *channel_order_id;
    size_t channel_order_id_len;
    /**
     * The buyer's id on the channel (at most `ALLOT_BUYER_ID_BYTES_MAX` bytes).
     */
    const char *buyer_id;
    size_t buyer_id_len;
    struct allot_address ship_to;
    /**
     * 1 to `ALLOT_ORDER_LINES_MAX` lines.
     */
    const struct allot_form_line *lines;
    size_t lines_len;
    /**
     * Shipped across a border: a person always looks at it.
     */
    bool cross_border;
    /**
     * A return or exchange order: a person always looks at it.
     */
    bool is_return;
    /**
     * An `allot_payment`; anything but `ALLOT_PAYMENT_PAID` flags the order `unpaid`.
     */
    allot_payment payment;
    /**
     * When the buyer placed it, by the channel's clock (ms since the Unix epoch; 0: unknown).
     */
    uint64_t placed_at_ms;
} allot_order_form;

/**
 * What `allot_client_intake()` or `allot_client_intake_payload()` did. The handles are borrowed
 * from the `allot_intake` (read them with `allot_order_get_info()` and
 * `allot_reservation_get_info()`; never free them) and valid until `allot_intake_free()`.
 */
typedef struct allot_intake_info {
    /**
     * True when this channel order had been taken in before: nothing new happened, and `order`
     * is the order as it is now.
     */
    bool repeat;
    /**
     * Why routing chose the path, in words a business user reads (NUL-terminated).
     */
    const char *reason;
    size_t reason_len;
    /**
     * The order (never NULL).
     */
    const struct allot_order *order;
    /**
     * The reservation, when stock was held at intake (the automatic path); NULL otherwise.
     */
    const struct allot_reservation *reservation;
} allot_intake_info;

/**
 * A flag raised on an order at intake: which check, how serious, and what exactly was wrong.
 * `detail` is borrowed from the order's handle.
 */
typedef struct allot_order_flag {
    allot_flag code;
    allot_severity severity;
    const char *detail;
    size_t detail_len;
} allot_order_flag;

/**
 * What an `allot_order` handle holds (the core's `Order`). Every pointer is borrowed from the
 * handle (or the `allot_orders` list it came from) and valid until that is freed; strings are
 * NUL-terminated, "" where they do not apply.
 */
typedef struct allot_order_info {
    /**
     * `channel:channel_order_id`: the key of every call about the order, and the order id of
     * its reservation.
     */
    const char *key;
    size_t key_len;
    /**
     * Its state when the snapshot was taken.
     */
    allot_order_state state;
    /**
     * The path routing chose at intake.
     */
    allot_path path;
    /**
     * The name of the routing rule that chose the path; "" when no rule matched and the rules'
     * default path applied.
     */
    const char *rule;
    size_t rule_len;
    /**
     * The flags the intake checks raised (`flags_len` of them; NULL when there are none).
     */
    const struct allot_order_flag *flags;
    size_t flags_len;
    /**
     * The order form as taken in.
     */
    struct allot_order_form form;
    /**
     * The waybill, once shipped: the carrier's code and the number; "" before.
     */
    const char *carrier;
    size_t carrier_len;
    const char *tracking_number;
    size_t tracking_number_len;
    /**
     * Whether a person acted on it (zero-touch orders never are).
     */
    bool touched;
    /**
     * When it was taken in, and when it entered its current state (engine clock, ms since the
     * Unix epoch).
     */
    uint64_t received_at_ms;
    uint64_t state_since_ms;
    /**
     * The LSN of its last change.
     */
    uint64_t last_lsn;
} allot_order_info;

/**
 * One to-do task: someone must look at an order whose stage stalled. Strings are borrowed from
 * the `allot_tasks` handle and NUL-terminated.
 */
typedef struct allot_task {
    /**
     * Pass it to `allot_client_acknowledge_task()` and `allot_client_close_task()`.
     */
    uint64_t id;
    /**
     * The key of the order it is about.
     */
    const char *order;
    size_t order_len;
    allot_task_kind kind;
    /**
     * The stage that stalled (`ALLOT_STAGE_TRACKING` for `ALLOT_TASK_KIND_ENTER_TRACKING`).
     */
    allot_stage stage;
    /**
     * The kind as the engine names it: "overdue_review", "overdue_ship", ..., "enter_tracking".
     */
    const char *kind_name;
    size_t kind_name_len;
    /**
     * Raised by each escalation tier of the rules file.
     */
    allot_severity severity;
    /**
     * The role expected to act ("orders", "warehouse", "logistics"), or "supervisor" once the
     * severity reached high while the task was open.
     */
    const char *assignee;
    size_t assignee_len;
    allot_task_state state;
    /**
     * When it was opened and last changed (engine clock, ms since the Unix epoch).
     */
    uint64_t opened_at_ms;
    uint64_t changed_at_ms;
} allot_task;

/**
 * One problem of a rules file: where it is (1-based `line` and `column`, columns counted in
 * characters, so a line of Chinese text points at the right place) and what to change.
 * `message` is borrowed from the `allot_rule_errors` handle and NUL-terminated.
 */
typedef struct allot_rule_error {
    size_t line;
    size_t column;
    const char *message;
    size_t message_len;
} allot_rule_error;

/**
 * A string borrowed from the handle it was read from, valid until that handle is freed:
 * `text` is NUL-terminated at `text + len` and never NULL ("" when empty).
 */
typedef struct allot_text {
    const char *text;
    size_t len;
} allot_text;

/**
 * How one rule came out for one order. Strings are borrowed from the `allot_explanation`
 * handle and NUL-terminated.
 */
typedef struct allot_rule_check {
    /**
     * The rule's name, and the line of the rules file where it starts.
     */
    const char *rule;
    size_t rule_len;
    size_t line;
    /**
     * The path the rule sends orders to.
     */
    allot_path path;
    /**
     * Every condition held (a rule without conditions always matches).
     */
    bool matched;
    /**
     * This is the rule that decided: the first that matched.
     */
    bool chosen;
    /**
     * The conditions that held, and those that failed, each described for this order ("the
     * amount 120.00 yuan is below amount_fen_min 200000 (2,000.00 yuan)"). NULL when none.
     */
    const struct allot_text *held;
    size_t held_len;
    const struct allot_text *failed;
    size_t failed_len;
} allot_rule_check;

/**
 * What an `allot_explanation` holds: the decision for the order under the live rules, and how
 * every rule came out. Pointers are borrowed from the handle; strings are NUL-terminated.
 */
typedef struct allot_explanation_info {
    /**
     * Where the live rules send the order now.
     */
    allot_path path;
    /**
     * The rule that matched; "" when none did and the default path applied.
     */
    const char *rule;
    size_t rule_len;
    /**
     * Set when a guard rail replaced the rules' choice of auto (a critical flag, a return, a
     * cross-border order), saying which; "" otherwise.
     */
    const char *guard_rail;
    size_t guard_rail_len;
    /**
     * A sentence for a business user: which rule, which conditions, which guard rail.
     */
    const char *reason;
    size_t reason_len;
    /**
     * One entry per rule, in the order they are tried (NULL when the file has no rules).
     */
    const struct allot_rule_check *rules;
    size_t rules_len;
} allot_explanation_info;

/**
 * One recent order whose path the proposed rules would change. Strings are borrowed from the
 * `allot_dry_run` handle and NUL-terminated.
 */
typedef struct allot_path_change {
    /**
     * The order's position among the recent orders routed (0 is the oldest kept).
     */
    size_t index;
    allot_path from;
    allot_path to;
    /**
     * The rule that decides under the live rules, and under the proposed ones; "" for the
     * default path.
     */
    const char *from_rule;
    size_t from_rule_len;
    const char *to_rule;
    size_t to_rule_len;
} allot_path_change;

/**
 * What an `allot_dry_run` holds: how the most recent orders (up to 10,000) route under the
 * live rules and under the proposed ones. The counts are indexed by `allot_path`
 * (`current[ALLOT_PATH_AUTO]`, ...).
 */
typedef struct allot_dry_run_info {
    /**
     * How many recent orders were routed both ways.
     */
    size_t orders;
    size_t current[ALLOT_PATH_COUNT];
    size_t proposed[ALLOT_PATH_COUNT];
    /**
     * Orders whose path differs between the two.
     */
    size_t changed;
    /**
     * The first few of them (at most 10; NULL when none), oldest first.
     */
    const struct allot_path_change *examples;
    size_t examples_len;
} allot_dry_run_info;

/**
 * One state change. Strings are NUL-terminated (lengths exclude the NUL), never NULL ("" where
 * a field does not apply), and borrowed, like `lines`, from the `allot_events` handle until it
 * is freed.
 */
typedef struct allot_event {
    /**
     * The change's LSN: pass the last one back to `allot_client_events()` to continue.
     */
    uint64_t lsn;
    allot_event_kind kind;
    /**
     * RESERVE, COMMIT, RELEASE, EXPIRE; the order's key for the order pipeline's kinds
     * (ORDER_RECEIVED, ORDER_MOVED, WAYBILL, TRACKING, ESCALATED, TASK_OPENED, NOTIFIED).
     */
    const char *order_id;
    size_t order_id_len;
    /**
     * ADD_SKU, SET_BUFFER, the stock movements and STOCK_ALERT.
     */
    const char *sku;
    size_t sku_len;
    /**
     * ADD_WAREHOUSE, UPDATE_WAREHOUSE, SET_BUFFER (a cell's rule; "" for the SKU's default)
     * and the stock movements.
     */
    const char *warehouse;
    size_t warehouse_len;
    /**
     * ADD_WAREHOUSE: the warehouse's region code.
     */
    const char *region;
    size_t region_len;
    /**
     * ADD_SKU: the SKU's category.
     */
    const char *category;
    size_t category_len;
    /**
     * ADJUST: why.
     */
    const char *reason;
    size_t reason_len;
    /**
     * Units: the new on hand (SET_STOCK), the units moved (RECEIVE, EXPECT_INBOUND,
     * LAND_INBOUND), the magnitude of `delta` (ADJUST).
     */
    uint64_t qty;
    /**
     * ADJUST: the signed change of on hand.
     */
    int64_t delta;
    /**
     * ADD_WAREHOUSE, UPDATE_WAREHOUSE.
     */
    uint32_t priority;
    bool active;
    /**
     * SET_BUFFER: the rule's kind (`ALLOT_BUFFER_NONE`: the rule was removed) and its units or
     * percent.
     */
    allot_buffer buffer;
    uint64_t buffer_value;
    /**
     * RESERVE, COMMIT, RELEASE, EXPIRE and every kind of the order pipeline: when (engine
     * clock, ms since the Unix epoch).
     */
    uint64_t at_ms;
    /**
     * RESERVE: when the hold expires (engine clock); 0: never.
     */
    uint64_t expires_at_ms;
    /**
     * RESERVE, and ORDER_RECEIVED or ORDER_MOVED of a pipeline order whose stock was reserved
     * by that change: the reserved lines (SKU, warehouse, qty); NULL (and 0) otherwise.
     */
    const struct allot_reserved_line *lines;
    size_t lines_len;
    /**
     * ORDER_RECEIVED (from `ALLOT_ORDER_STATE_RECEIVED` to where it landed), ORDER_MOVED.
     */
    allot_order_state from_state;
    allot_order_state to_state;
    /**
     * ORDER_RECEIVED: the path routing chose, the rule that chose it ("" for the default
     * path), and how many flags the checks raised.
     */
    allot_path path;
    const char *rule;
    size_t rule_len;
    size_t flags_len;
    /**
     * ORDER_MOVED, TASK_CHANGED, BLACKLIST, RULES: who made the change (a client's actor, the
     * role's name by default; "sla" for escalations).
     */
    const char *by;
    size_t by_len;
    /**
     * ORDER_MOVED: the note given with the move.
     */
    const char *note;
    size_t note_len;
    /**
     * WAYBILL: the carrier's code and the waybill number.
     */
    const char *carrier;
    size_t carrier_len;
    const char *tracking_number;
    size_t tracking_number_len;
    /**
     * TRACKING: what the carrier reported, and its free-text detail.
     */
    allot_tracking_kind tracking;
    const char *detail;
    size_t detail_len;
    /**
     * ESCALATED, TASK_OPENED: the stage that stalled.
     */
    allot_stage stage;
    /**
     * ESCALATED: the escalation tier (from 0).
     */
    uint32_t tier;
    /**
     * ESCALATED, TASK_OPENED, TASK_CHANGED.
     */
    allot_severity severity;
    /**
     * ESCALATED, TASK_OPENED, TASK_CHANGED: the task's id.
     */
    uint64_t task;
    /**
     * TASK_OPENED.
     */
    allot_task_kind task_kind;
    const char *assignee;
    size_t assignee_len;
    /**
     * TASK_CHANGED.
     */
    allot_task_state task_state;
    /**
     * NOTIFIED.
     */
    allot_notification notification;
    /**
     * BLACKLIST: which list, the value, and whether it was added (false: removed).
     */
    allot_blacklist blacklist;
    const char *value;
    size_t value_len;
    bool added;
    /**
     * RULES: the new rules file's whole text.
     */
    const char *rules_text;
    size_t rules_text_len;
    /**
     * STOCK_ALERT: the SKU's available units over all warehouses, and the rules' low-stock
     * level it fell to or below.
     */
    uint64_t available;
    uint64_t threshold;
} allot_event;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/**
 * The name of a status, as the engine spells its error codes: "ok" for `ALLOT_STATUS_OK`,
 * "insufficient_stock" for `ALLOT_STATUS_INSUFFICIENT_STOCK`, and so on; "unknown" for any
 * other number.
 *
 * The string is static: never free it; it stays valid for the life of the process.
 */
const char *allot_status_name(allot_status status);

/**
 * The message of the last call that failed on the calling thread, NUL-terminated; "" if no
 * call has failed on this thread yet.
 *
 * Read it right after a call returned a status other than `ALLOT_STATUS_OK`: a successful call
 * does not clear it. The pointer is never NULL. It is owned by the library and stays valid
 * until the calling thread's next call of an `allot_` function other than
 * `allot_last_error_message()`, `allot_last_rule_errors()`, `allot_status_name()`, the other
 * `allot_*_name()` functions and `allot_version()`, or until the thread exits; copy the text
 * to keep it longer. Never free it.
 */
const char *allot_last_error_message(void);

/**
 * The version of the linked library, "MAJOR.MINOR.PATCH" (for example "0.1.0").
 *
 * The string is static: never free it; it stays valid for the life of the process.
 */
const char *allot_version(void);

/**
 * The string's bytes, NUL-terminated; "" for NULL. Borrowed from the handle: valid until
 * `allot_string_free()`.
 */
const char *allot_string_text(const struct allot_string *string);

/**
 * The string's length in bytes, without the NUL; 0 for NULL.
 */
size_t allot_string_len(const struct allot_string *string);

/**
 * Frees a string handle. NULL does nothing.
 */
void allot_string_free(struct allot_string *string);

/**
 * The name of an order state as the engine spells it ("in_review", "released_to_warehouse",
 * ...); "unknown" for a number that is not an `allot_order_state`. Static: never free it.
 */
const char *allot_order_state_name(allot_order_state state);

/**
 * The name of a path as rules files spell it ("auto", "risk_review", "manual_review",
 * "hold"); "unknown" for any other number. Static.
 */
const char *allot_path_name(allot_path path);

/**
 * The name of a flag as rules files spell it ("bad_phone", "stock_short", ...); "unknown"
 * for any other number. Static.
 */
const char *allot_flag_name(allot_flag flag);

/**
 * The name of a severity ("low", "medium", "high", "critical"); "unknown" for any other
 * number. Static.
 */
const char *allot_severity_name(allot_severity severity);

/**
 * The name of a payment state ("unpaid", "paid", "refunded"); "unknown" for any other
 * number. Static.
 */
const char *allot_payment_name(allot_payment payment);

/**
 * The name of a tracking kind ("picked_up", "in_transit", "delivered", "exception");
 * "unknown" for any other number. Static.
 */
const char *allot_tracking_kind_name(allot_tracking_kind kind);

/**
 * The name of an SLA stage as the rules file's `[sla]` keys spell it ("review", "release",
 * "ship", "tracking", "delivery"); "unknown" for any other number. Static.
 */
const char *allot_stage_name(allot_stage stage);

/**
 * The name of a task state ("open", "acknowledged", "closed"); "unknown" for any other
 * number. Static.
 */
const char *allot_task_state_name(allot_task_state state);

/**
 * The name of a notification ("shipped", "delivered"); "unknown" for any other number.
 * Static.
 */
const char *allot_notification_name(allot_notification kind);

/**
 * The name of a blacklist ("buyer", "phone", "address"); "unknown" for any other number.
 * Static.
 */
const char *allot_blacklist_name(allot_blacklist list);

/**
 * Fills `out_options` with the defaults (the core's `EngineOptions::default()`): sync always,
 * system clock, 30-minute TTL, 64 MiB segments.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` if `out_options` is NULL.
 */
allot_status allot_engine_options_default(struct allot_engine_options *out_options);

/**
 * Opens (creating it if needed) the data directory `path` (`path_len` bytes of UTF-8, no NUL
 * needed): takes its lock, loads the newest checkpoint, replays the log after it, and writes
 * the new engine handle to `*out_engine`. `options` may be NULL for the defaults.
 *
 * The caller owns the handle: close it with `allot_engine_close()` (to learn whether the final
 * flush succeeded) and free it with `allot_engine_free()`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `out_engine`, a NULL `path` with a nonzero
 * length, an empty path, not UTF-8 or with a NUL byte, a bad option), `ALLOT_STATUS_LIMIT_EXCEEDED` (a path
 * longer than `ALLOT_PATH_BYTES_MAX`), `ALLOT_STATUS_LOCKED` (another open engine has the
 * directory), `ALLOT_STATUS_IO`, `ALLOT_STATUS_CORRUPTION`, `ALLOT_STATUS_OUT_OF_SPACE`.
 */
allot_status allot_engine_open(const char *path,
                               size_t path_len,
                               const struct allot_engine_options *options,
                               struct allot_engine **out_engine);

/**
 * Opens an engine that keeps everything in memory and writes nothing (nothing survives the
 * process): for tests, examples and simulations. `options` may be NULL for the defaults; the
 * sync mode still decides when events become visible, the segment and checkpoint fields are
 * ignored. The handle is the caller's, as with `allot_engine_open()`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `out_engine`, a bad option).
 */
allot_status allot_engine_open_in_memory(const struct allot_engine_options *options,
                                         struct allot_engine **out_engine);

/**
 * Closes the engine: stops its background work, makes the log durable and unlocks the
 * directory. Every later call through this engine or any of its clients returns
 * `ALLOT_STATUS_CLOSED`; calls running meanwhile either finish or return
 * `ALLOT_STATUS_CLOSED` having changed nothing. Closing twice is harmless; NULL does nothing
 * and returns `ALLOT_STATUS_OK`. The handle must still be freed with `allot_engine_free()`.
 *
 * Errors: `ALLOT_STATUS_IO` or `ALLOT_STATUS_POISONED` if the final flush failed (the directory
 * is unlocked all the same; reopening it recovers what reached the disk);
 * `ALLOT_STATUS_WRONG_PROCESS` in a child made by `fork()`, where it does nothing at all (the
 * worker, the log and the lock are the parent's).
 */
allot_status allot_engine_close(const struct allot_engine *engine);

/**
 * Frees an engine handle, closing the engine first if it is still open (any error of that
 * close is lost: call `allot_engine_close()` first to see it). NULL does nothing. Clients made
 * from the engine stay valid and must be freed on their own; they answer
 * `ALLOT_STATUS_CLOSED`. In a child made by `fork()` it frees only the handle: the engine's
 * state is the parent's, and the child's copy of it is leaked, never closed.
 */
void allot_engine_free(struct allot_engine *engine);

/**
 * Writes a checkpoint now (the whole state at the current LSN) and removes the log segments
 * it covers; `*out_lsn` (may be NULL) receives the checkpoint's LSN. A no-op for an in-memory
 * engine (which still reports its last LSN).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`), `ALLOT_STATUS_CLOSED`,
 * `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`, `ALLOT_STATUS_OUT_OF_SPACE`.
 */
allot_status allot_engine_checkpoint(const struct allot_engine *engine,
                                     uint64_t *out_lsn);

/**
 * Expires every held reservation whose TTL has passed (a system clock's engine also does this
 * in the background); `*out_expired` (may be NULL) receives how many expired.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`), `ALLOT_STATUS_CLOSED`,
 * `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`.
 */
allot_status allot_engine_expire_due(const struct allot_engine *engine,
                                     size_t *out_expired);

/**
 * Moves a manual clock forward by `by_ms` and expires what came due; `*out_expired` (may be
 * NULL) receives how many reservations expired.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`, or an engine with a system clock),
 * `ALLOT_STATUS_CLOSED`, `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`.
 */
allot_status allot_engine_advance_time(const struct allot_engine *engine,
                                       uint64_t by_ms,
                                       size_t *out_expired);

/**
 * Writes the LSN of the last record in the log (0 for an empty log) to `*out_lsn`: the cursor
 * at which a new event subscriber that wants only future events starts.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_lsn`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_engine_last_lsn(const struct allot_engine *engine,
                                   uint64_t *out_lsn);

/**
 * Writes the engine clock's time (ms since the Unix epoch) to `*out_now_ms`: the time base of
 * every `expires_at_ms` and `at_ms`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_now_ms`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_engine_now_ms(const struct allot_engine *engine,
                                 uint64_t *out_now_ms);

/**
 * Fires the SLA escalations that came due by the engine's clock (opening or raising to-do
 * tasks); `*out_fired` (may be NULL) receives how many fired. A system clock's engine does
 * this in the background every `expiry_sweep_ms`, and `allot_engine_advance_time()` does it
 * for a manual clock: call it to catch up at once.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`), `ALLOT_STATUS_CLOSED`,
 * `ALLOT_STATUS_POISONED`, `ALLOT_STATUS_IO`.
 */
allot_status allot_engine_run_timers(const struct allot_engine *engine,
                                     size_t *out_fired);

/**
 * Writes the engine's counters to `*out_metrics`, for monitoring.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_metrics`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_engine_metrics(const struct allot_engine *engine,
                                  struct allot_metrics *out_metrics);

/**
 * The engine's counters in Prometheus' text exposition format (metric names prefixed
 * `allot_`), as a new string handle written to `*out_text` (freed with `allot_string_free()`),
 * for a process that serves `/metrics`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_text`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_engine_metrics_prometheus(const struct allot_engine *engine,
                                             struct allot_string **out_text);

/**
 * Makes a client of `engine` acting as `role` (an `allot_role`) and writes it to `*out_client`.
 * The caller owns it and frees it with `allot_client_free()`. Clients are cheap: make one per
 * integration (orders, warehouse, ...), or one per thread, as convenient.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_client`, a role that is not an
 * `allot_role`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_new(const struct allot_engine *engine,
                              allot_role role,
                              struct allot_client **out_client);

/**
 * Frees a client. NULL does nothing.
 */
void allot_client_free(struct allot_client *client);

/**
 * Adds a warehouse: its `code`, its administrative `region` code (for example "310000";
 * warehouses nearer the ship-to region are preferred), its `priority` (lower is preferred when
 * distances tie) and whether new reservations may use it (`active`).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, a code that is empty, not UTF-8, or has
 * whitespace or control characters), `ALLOT_STATUS_LIMIT_EXCEEDED` (a code longer than
 * `ALLOT_CODE_BYTES_MAX`, too many warehouses), `ALLOT_STATUS_ALREADY_EXISTS`,
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_add_warehouse(const struct allot_client *client,
                                        const char *code,
                                        size_t code_len,
                                        const char *region,
                                        size_t region_len,
                                        uint32_t priority,
                                        bool active);

/**
 * Changes a warehouse's priority and whether new reservations may use it (an inactive
 * warehouse keeps its stock and its reservations).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
 * `ALLOT_STATUS_UNKNOWN_WAREHOUSE`, `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`,
 * storage errors.
 */
allot_status allot_client_update_warehouse(const struct allot_client *client,
                                           const char *code,
                                           size_t code_len,
                                           uint32_t priority,
                                           bool active);

/**
 * Adds a SKU with its `category` (may be empty; at most `ALLOT_CATEGORY_BYTES_MAX` bytes).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
 * `ALLOT_STATUS_ALREADY_EXISTS`, `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`,
 * storage errors.
 */
allot_status allot_client_add_sku(const struct allot_client *client,
                                  const char *code,
                                  size_t code_len,
                                  const char *category,
                                  size_t category_len);

/**
 * Sets the safety buffer of one cell (`warehouse_len > 0`) or the SKU's default for all its
 * cells (`warehouse_len == 0`): `kind` is an `allot_buffer`, `value` its units or percent.
 * `ALLOT_BUFFER_NONE` (value ignored) removes the rule.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (also: a kind that is not an `allot_buffer`, a percent
 * above 100), `ALLOT_STATUS_LIMIT_EXCEEDED` (units above `ALLOT_CELL_UNITS_MAX`),
 * `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_UNKNOWN_WAREHOUSE`,
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_set_buffer(const struct allot_client *client,
                                     const char *sku,
                                     size_t sku_len,
                                     const char *warehouse,
                                     size_t warehouse_len,
                                     allot_buffer kind,
                                     uint64_t value);

/**
 * A stocktake: the cell's on hand becomes exactly `on_hand` (never below what is reserved).
 * `*out_stock` (may be NULL) receives the cell's levels after the movement.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED` (above
 * `ALLOT_CELL_UNITS_MAX`), `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_UNKNOWN_WAREHOUSE`,
 * `ALLOT_STATUS_INSUFFICIENT_STOCK` (below reserved), `ALLOT_STATUS_PERMISSION_DENIED`,
 * `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_set_stock(const struct allot_client *client,
                                    const char *sku,
                                    size_t sku_len,
                                    const char *warehouse,
                                    size_t warehouse_len,
                                    uint64_t on_hand,
                                    struct allot_stock *out_stock);

/**
 * Goods received: the cell's on hand grows by `qty` (at least 1). `*out_stock` (may be NULL)
 * receives the cell's levels after the movement.
 *
 * Errors: as `allot_client_set_stock()`, with `ALLOT_STATUS_INVALID_INPUT` for a `qty` of 0.
 */
allot_status allot_client_receive(const struct allot_client *client,
                                  const char *sku,
                                  size_t sku_len,
                                  const char *warehouse,
                                  size_t warehouse_len,
                                  uint64_t qty,
                                  struct allot_stock *out_stock);

/**
 * A signed correction of the cell's on hand (`delta` not 0: found goods, damage, loss) with its
 * `reason` (1 to `ALLOT_REASON_BYTES_MAX` bytes); never below what is reserved. `*out_stock`
 * (may be NULL) receives the cell's levels after the movement.
 *
 * Errors: as `allot_client_set_stock()`; `ALLOT_STATUS_INSUFFICIENT_STOCK` when the removal
 * would take on hand below reserved.
 */
allot_status allot_client_adjust(const struct allot_client *client,
                                 const char *sku,
                                 size_t sku_len,
                                 const char *warehouse,
                                 size_t warehouse_len,
                                 int64_t delta,
                                 const char *reason,
                                 size_t reason_len,
                                 struct allot_stock *out_stock);

/**
 * Goods on their way: the cell's in transit grows by `qty` (at least 1; not sellable until it
 * lands). `*out_stock` (may be NULL) receives the cell's levels after the movement.
 *
 * Errors: as `allot_client_receive()`.
 */
allot_status allot_client_expect_inbound(const struct allot_client *client,
                                         const char *sku,
                                         size_t sku_len,
                                         const char *warehouse,
                                         size_t warehouse_len,
                                         uint64_t qty,
                                         struct allot_stock *out_stock);

/**
 * In-transit goods arrived: `qty` units (at least 1, at most what is in transit) move from in
 * transit to on hand. `*out_stock` (may be NULL) receives the cell's levels after the movement.
 *
 * Errors: as `allot_client_receive()`; `ALLOT_STATUS_INVALID_INPUT` also when more would land
 * than is in transit.
 */
allot_status allot_client_land_inbound(const struct allot_client *client,
                                       const char *sku,
                                       size_t sku_len,
                                       const char *warehouse,
                                       size_t warehouse_len,
                                       uint64_t qty,
                                       struct allot_stock *out_stock);

/**
 * A SKU's stock summed over every warehouse (the virtual warehouse), written to `*out_stock`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_stock`, bad string),
 * `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_PERMISSION_DENIED`
 * (logistics), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_stock(const struct allot_client *client,
                                const char *sku,
                                size_t sku_len,
                                struct allot_stock *out_stock);

/**
 * A SKU's stock summed over the warehouses whose region code starts with `region_prefix`
 * (for example "31" for every warehouse in regions 31xxxx), written to `*out_stock`.
 *
 * Errors: as `allot_client_stock()`.
 */
allot_status allot_client_stock_in_region(const struct allot_client *client,
                                          const char *sku,
                                          size_t sku_len,
                                          const char *region_prefix,
                                          size_t region_prefix_len,
                                          struct allot_stock *out_stock);

/**
 * One cell's stock (one SKU in one warehouse; zeros if the SKU was never there), written to
 * `*out_stock`.
 *
 * Errors: as `allot_client_stock()`, and `ALLOT_STATUS_UNKNOWN_WAREHOUSE`.
 */
allot_status allot_client_cell(const struct allot_client *client,
                               const char *sku,
                               size_t sku_len,
                               const char *warehouse,
                               size_t warehouse_len,
                               struct allot_stock *out_stock);

/**
 * Every warehouse, written as a new list handle to `*out_warehouses` (freed with
 * `allot_warehouses_free()`). Every role may read the catalogue.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_warehouses`),
 * `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_warehouses(const struct allot_client *client,
                                     struct allot_warehouses **out_warehouses);

/**
 * How many warehouses the list holds; 0 for NULL.
 */
size_t allot_warehouses_count(const struct allot_warehouses *warehouses);

/**
 * Copies warehouse `index` (0 to count - 1) into `*out_info`; its strings are borrowed from
 * the list.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `warehouses` or `out_info`, `index` out of range).
 */
allot_status allot_warehouses_get(const struct allot_warehouses *warehouses,
                                  size_t index,
                                  struct allot_warehouse_info *out_info);

/**
 * Frees a warehouse list and every string borrowed from it. NULL does nothing.
 */
void allot_warehouses_free(struct allot_warehouses *warehouses);

/**
 * Every SKU, written as a new list handle to `*out_skus` (freed with `allot_skus_free()`).
 * Every role may read the catalogue.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_skus`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_skus(const struct allot_client *client,
                               struct allot_skus **out_skus);

/**
 * How many SKUs the list holds; 0 for NULL.
 */
size_t allot_skus_count(const struct allot_skus *skus);

/**
 * Copies SKU `index` (0 to count - 1) into `*out_info`; its strings are borrowed from the
 * list.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `skus` or `out_info`, `index` out of range).
 */
allot_status allot_skus_get(const struct allot_skus *skus,
                            size_t index,
                            struct allot_sku_info *out_info);

/**
 * Frees a SKU list and every string borrowed from it. NULL does nothing.
 */
void allot_skus_free(struct allot_skus *skus);

/**
 * Reserves every line of an order or none, choosing warehouses (nearest to the ship-to region,
 * then by priority, then by stock; one warehouse for the whole order unless `allow_split`).
 * `lines` is an array of `lines_len` lines (1 to `ALLOT_ORDER_LINES_MAX`); `options` may be
 * NULL for the defaults.
 *
 * Idempotent by `order_id`: the same lines again return the first reservation (`repeat` is
 * true) and hold nothing new; other lines are `ALLOT_STATUS_DUPLICATE_ORDER`.
 *
 * `out_reservation` may be NULL (the fast path: nothing is allocated); otherwise it receives a
 * new `allot_reservation` handle that the caller frees with `allot_reservation_free()`.
 *
 * Errors: `ALLOT_STATUS_INSUFFICIENT_STOCK` (nothing was reserved; the message names the SKU),
 * `ALLOT_STATUS_DUPLICATE_ORDER`, `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, bad strings, no
 * lines, a quantity of 0, a NULL `lines` with a nonzero length), `ALLOT_STATUS_LIMIT_EXCEEDED`
 * (too many lines, a quantity above `ALLOT_LINE_QTY_MAX`, a TTL above `ALLOT_TTL_MS_MAX`),
 * `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage
 * errors. If the engine is closed while the call runs, `ALLOT_STATUS_CLOSED` may come after
 * the reservation was recorded (while its codes were being looked up for `out_reservation`);
 * reserving again with the same order id and lines after reopening returns it.
 */
allot_status allot_client_reserve(const struct allot_client *client,
                                  const char *order_id,
                                  size_t order_id_len,
                                  const struct allot_order_line *lines,
                                  size_t lines_len,
                                  const struct allot_reserve_options *options,
                                  struct allot_reservation **out_reservation);

/**
 * Reserves a batch of `orders_len` orders (0 to `ALLOT_RESERVE_BATCH_MAX`), each all-or-nothing
 * on its own exactly as `allot_client_reserve()` would, waiting for durability once for the
 * whole batch: the bulk-load path. `out_statuses` (an array of `orders_len`; may be NULL only
 * when `orders_len` is 0) receives each order's status, in the order given: `ALLOT_STATUS_OK`,
 * or what `allot_client_reserve()` would have returned for it (`ALLOT_STATUS_INSUFFICIENT_STOCK`,
 * `ALLOT_STATUS_DUPLICATE_ORDER`, `ALLOT_STATUS_INVALID_INPUT` for a malformed order, ...). To
 * learn more about one order's failure, reserve it alone. `out_reservations` may be NULL;
 * otherwise it is an array of `orders_len` pointers, each receiving a new `allot_reservation`
 * handle for an order reserved (free each with `allot_reservation_free()`) or NULL for one that
 * failed.
 *
 * The call itself succeeds when the batch ran, whatever each order's outcome; only then are
 * the outputs written.
 *
 * Errors (the whole batch; nothing was reserved unless stated): `ALLOT_STATUS_INVALID_INPUT`
 * (NULL `client`, a NULL `orders` or `out_statuses` with a nonzero length),
 * `ALLOT_STATUS_LIMIT_EXCEEDED` (more than `ALLOT_RESERVE_BATCH_MAX` orders),
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors (the orders reserved
 * before the failure may stand: reserving them again returns them).
 */
allot_status allot_client_reserve_many(const struct allot_client *client,
                                       const struct allot_order_request *orders,
                                       size_t orders_len,
                                       allot_status *out_statuses,
                                       struct allot_reservation **out_reservations);

/**
 * The goods left: the reservation's units leave on hand and reserved. Committing twice is
 * harmless (`changed` is false). `*out_settled` (may be NULL) receives what the call did.
 *
 * Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_ILLEGAL_TRANSITION` (the order was
 * released or expired; if its TTL had passed but no sweep had expired it yet, this call
 * records the expiry and then answers so), `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_commit(const struct allot_client *client,
                                 const char *order_id,
                                 size_t order_id_len,
                                 struct allot_settled *out_settled);

/**
 * Cancelled: the reservation's units return to available. Releasing twice, or releasing an
 * expired order, is harmless (`changed` is false; the state says `EXPIRED` for the latter, also
 * when this call found the TTL passed and recorded the expiry). `*out_settled` (may be NULL)
 * receives what the call did.
 *
 * Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_ILLEGAL_TRANSITION` (the order was
 * committed), `ALLOT_STATUS_INVALID_INPUT`, `ALLOT_STATUS_LIMIT_EXCEEDED`,
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_release(const struct allot_client *client,
                                  const char *order_id,
                                  size_t order_id_len,
                                  struct allot_settled *out_settled);

/**
 * Looks up the reservation made under `order_id` and writes a new handle to
 * `*out_reservation` (the caller frees it with `allot_reservation_free()`).
 *
 * Errors: `ALLOT_STATUS_UNKNOWN_ORDER` (never reserved, refused, or forgotten after the
 * idempotency window), `ALLOT_STATUS_INVALID_INPUT` (also: NULL `out_reservation`),
 * `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_PERMISSION_DENIED` (logistics),
 * `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_reservation(const struct allot_client *client,
                                      const char *order_id,
                                      size_t order_id_len,
                                      struct allot_reservation **out_reservation);

/**
 * Copies what the handle holds into `*out_info`; its pointers are borrowed from the handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `reservation` or `out_info`).
 */
allot_status allot_reservation_get_info(const struct allot_reservation *reservation,
                                        struct allot_reservation_info *out_info);

/**
 * Frees a reservation handle and every string and line borrowed from it. NULL does nothing.
 */
void allot_reservation_free(struct allot_reservation *reservation);

/**
 * Takes an order in: checks it (address, phone, blacklist, velocity, amount, payment), routes
 * it by the rules file, and on the automatic path reserves its stock, all in this call. The
 * same channel order again is answered from the first intake (`repeat` is true) and changes
 * nothing. `out_intake` may be NULL; otherwise it receives a new `allot_intake` handle that the
 * caller frees with `allot_intake_free()`.
 *
 * A flagged order is not an error: it is taken in (state `ALLOT_ORDER_STATE_FLAGGED`, its
 * flags in the order) and waits for a reviewer. Not enough stock on the automatic path is a
 * `stock_short` flag, not `ALLOT_STATUS_INSUFFICIENT_STOCK`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `form`, a string that is not UTF-8 or
 * NULL with a nonzero length, an empty channel or channel order id, a channel with ':', no
 * lines, a quantity of 0, a payment that is not an `allot_payment`),
 * `ALLOT_STATUS_LIMIT_EXCEEDED` (a field above its `ALLOT_*_BYTES_MAX`, more than
 * `ALLOT_ORDER_LINES_MAX` lines, a key above `ALLOT_ORDER_ID_BYTES_MAX`),
 * `ALLOT_STATUS_UNKNOWN_SKU`, `ALLOT_STATUS_PERMISSION_DENIED` (roles other than admin and
 * orders), `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_intake(const struct allot_client *client,
                                 const struct allot_order_form *form,
                                 struct allot_intake **out_intake);

/**
 * `allot_client_intake()` of a marketplace's own JSON payload (`payload_len` bytes, at most
 * `ALLOT_PAYLOAD_BYTES_MAX`): `style` is "taobao", "jd" or "pdd" (the payload's shape; the
 * fields each style reads are listed in the core's `order::adapters` documentation) and
 * `channel` the seller's code for the shop, which becomes the order's channel.
 *
 * Errors: as `allot_client_intake()`; a payload that is not valid JSON, lacks a field or has a
 * malformed one is `ALLOT_STATUS_INVALID_INPUT`, whose message names the field as a JSON path
 * (`orders[2].num`); an unknown style is `ALLOT_STATUS_INVALID_INPUT` too.
 */
allot_status allot_client_intake_payload(const struct allot_client *client,
                                         const char *style,
                                         size_t style_len,
                                         const char *channel,
                                         size_t channel_len,
                                         const uint8_t *payload,
                                         size_t payload_len,
                                         struct allot_intake **out_intake);

/**
 * Copies what the intake handle holds into `*out_info`; its pointers are borrowed from the
 * handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `intake` or `out_info`).
 */
allot_status allot_intake_get_info(const struct allot_intake *intake,
                                   struct allot_intake_info *out_info);

/**
 * Frees an intake handle, with the order and reservation handles borrowed from it. NULL does
 * nothing.
 */
void allot_intake_free(struct allot_intake *intake);

/**
 * Looks up the order under `key` (`channel:channel_order_id`) and writes a new handle to
 * `*out_order` (the caller frees it with `allot_order_free()`). An order that was never taken
 * in is `ALLOT_STATUS_UNKNOWN_ORDER`, as for `allot_client_reservation()`.
 *
 * Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_INVALID_INPUT` (also: NULL `out_order`, an
 * empty key), `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_order(const struct allot_client *client,
                                const char *key,
                                size_t key_len,
                                struct allot_order **out_order);

/**
 * Copies what the order handle holds into `*out_info`; its pointers are borrowed from the
 * handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `order` or `out_info`).
 */
allot_status allot_order_get_info(const struct allot_order *order,
                                  struct allot_order_info *out_info);

/**
 * Frees an order handle made by `allot_client_order()` and every string and array borrowed
 * from it. NULL does nothing. Never pass the order of an `allot_intake_info`: it belongs to
 * the intake.
 */
void allot_order_free(struct allot_order *order);

/**
 * Every order currently in `state` (an `allot_order_state`), oldest in that state first, for
 * work queues and dashboards: writes a new list handle to `*out_orders` (freed with
 * `allot_orders_free()`; it may hold no orders).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_orders`, a state that is not an
 * `allot_order_state`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_orders_in(const struct allot_client *client,
                                    allot_order_state state,
                                    struct allot_orders **out_orders);

/**
 * How many orders the list holds; 0 for NULL.
 */
size_t allot_orders_count(const struct allot_orders *orders);

/**
 * Copies order `index` (0 to count - 1) of the list into `*out_info`; its pointers are
 * borrowed from the list.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `orders` or `out_info`, `index` out of range).
 */
allot_status allot_orders_get(const struct allot_orders *orders,
                              size_t index,
                              struct allot_order_info *out_info);

/**
 * Frees an order list and every string and array borrowed from it. NULL does nothing.
 */
void allot_orders_free(struct allot_orders *orders);

/**
 * A new client with the same role and engine as `client` that records `actor` (a person's or a
 * system's name, an identifier: 1 to `ALLOT_CODE_BYTES_MAX` bytes, no control, format or
 * invisible character, no whitespace at its ends) as who made each
 * order move, task change, blacklist edit and rules change, instead of the role's name. The
 * caller frees it with `allot_client_free()`.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_client`, an empty actor, not UTF-8
 * or not an identifier), `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_acting_as(const struct allot_client *client,
                                    const char *actor,
                                    size_t actor_len,
                                    struct allot_client **out_client);

/**
 * A reviewer takes a flagged order into review (`FLAGGED` to `IN_REVIEW`).
 *
 * Errors (every move): `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_ILLEGAL_TRANSITION` (the
 * order's state does not allow the move; the message names both states),
 * `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, an empty key or one that is not UTF-8),
 * `ALLOT_STATUS_LIMIT_EXCEEDED` (a key above `ALLOT_ORDER_ID_BYTES_MAX`, a note above
 * `ALLOT_REASON_BYTES_MAX`), `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage
 * errors. Review moves (start review, approve, reject, hold) are for the admin and orders
 * roles.
 */
allot_status allot_client_start_review(const struct allot_client *client,
                                       const char *key,
                                       size_t key_len);

/**
 * A reviewer approves an order in review: its stock is reserved (split across warehouses if no
 * single one can serve it) and it becomes `RESERVED`; a return order's return is accepted
 * instead (`RETURN_REQUESTED`).
 *
 * Errors: as `allot_client_start_review()`; `ALLOT_STATUS_INSUFFICIENT_STOCK` when the stock
 * is not there (the order stays in review).
 */
allot_status allot_client_approve(const struct allot_client *client,
                                  const char *key,
                                  size_t key_len);

/**
 * A reviewer rejects a flagged order or one in review, with a `note` (may be empty): it is
 * cancelled.
 *
 * Errors: as `allot_client_start_review()`.
 */
allot_status allot_client_reject(const struct allot_client *client,
                                 const char *key,
                                 size_t key_len,
                                 const char *note,
                                 size_t note_len);

/**
 * Parks a reserved order in review with a `note` (`RESERVED` to `IN_REVIEW`; its stock stays
 * held).
 *
 * Errors: as `allot_client_start_review()`.
 */
allot_status allot_client_hold(const struct allot_client *client,
                               const char *key,
                               size_t key_len,
                               const char *note,
                               size_t note_len);

/**
 * The warehouse takes a reserved order for picking (`RESERVED` to `RELEASED_TO_WAREHOUSE`).
 * For the admin and warehouse roles.
 *
 * Errors: as `allot_client_start_review()`.
 */
allot_status allot_client_release_to_warehouse(const struct allot_client *client,
                                               const char *key,
                                               size_t key_len);

/**
 * Writes a waybill back to a released order: `carrier` (a carrier code such as "SF", "JD",
 * "YTO", "ZTO", "STO", "YD", "EMS", or another of 1 to 16 letters and digits) and its
 * `tracking_number`, checked against the carrier's format. The order's stock leaves (its
 * reservation is committed), it becomes `SHIPPED`, and the buyer is to be told. Repeating it
 * with the same waybill is harmless. For the admin, warehouse and logistics roles.
 *
 * Errors: as `allot_client_start_review()`; `ALLOT_STATUS_INVALID_INPUT` for a waybill number
 * the carrier never prints, `ALLOT_STATUS_ALREADY_EXISTS` for a waybill already on another
 * order.
 */
allot_status allot_client_ship(const struct allot_client *client,
                               const char *key,
                               size_t key_len,
                               const char *carrier,
                               size_t carrier_len,
                               const char *tracking_number,
                               size_t tracking_number_len);

/**
 * A carrier's tracking event for the waybill `carrier` + `tracking_number`: `kind` is an
 * `allot_tracking_kind`, `detail` free text (0 to `ALLOT_REASON_BYTES_MAX` bytes). Pickup,
 * delivery and exception move the order when its state allows (events that arrive out of
 * order are recorded and move nothing). `*out_order_key` (may be NULL) receives a new string
 * handle with the key of the order the waybill belongs to; free it with
 * `allot_string_free()`. For the admin and logistics roles.
 *
 * Errors: `ALLOT_STATUS_UNKNOWN_ORDER` (no order has this waybill),
 * `ALLOT_STATUS_INVALID_INPUT` (also: a kind that is not an `allot_tracking_kind`, a waybill
 * number the carrier never prints), `ALLOT_STATUS_LIMIT_EXCEEDED`,
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_track(const struct allot_client *client,
                                const char *carrier,
                                size_t carrier_len,
                                const char *tracking_number,
                                size_t tracking_number_len,
                                allot_tracking_kind kind,
                                const char *detail,
                                size_t detail_len,
                                struct allot_string **out_order_key);

/**
 * Cancels an order that has not shipped, with a `note`; its held stock is released. For the
 * admin and orders roles.
 *
 * Errors: as `allot_client_start_review()`.
 */
allot_status allot_client_cancel(const struct allot_client *client,
                                 const char *key,
                                 size_t key_len,
                                 const char *note,
                                 size_t note_len);

/**
 * The buyer asks to return a delivered order, with a `note` (`DELIVERED` or `EXCEPTION` to
 * `RETURN_REQUESTED`). Returns are for the admin, orders and warehouse roles.
 *
 * Errors: as `allot_client_start_review()`.
 */
allot_status allot_client_request_return(const struct allot_client *client,
                                         const char *key,
                                         size_t key_len,
                                         const char *note,
                                         size_t note_len);

/**
 * The returned goods arrived in `warehouse` (a warehouse code) and go back on hand there; the
 * order becomes `RETURNED`.
 *
 * Errors: as `allot_client_start_review()`, and `ALLOT_STATUS_UNKNOWN_WAREHOUSE`.
 */
allot_status allot_client_complete_return(const struct allot_client *client,
                                          const char *key,
                                          size_t key_len,
                                          const char *warehouse,
                                          size_t warehouse_len);

/**
 * A return request is turned down, with a `note`: the order is `DELIVERED` again.
 *
 * Errors: as `allot_client_start_review()`.
 */
allot_status allot_client_deny_return(const struct allot_client *client,
                                      const char *key,
                                      size_t key_len,
                                      const char *note,
                                      size_t note_len);

/**
 * The open and acknowledged tasks, most severe first, then oldest first (a pile of low ones
 * never hides a critical one): writes a new handle to `*out_tasks` (freed with
 * `allot_tasks_free()`; it may hold no tasks). Closed tasks are not listed.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_tasks`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_tasks(const struct allot_client *client,
                                struct allot_tasks **out_tasks);

/**
 * How many tasks the handle holds; 0 for NULL.
 */
size_t allot_tasks_count(const struct allot_tasks *tasks);

/**
 * Copies task `index` (0 to count - 1) into `*out_task`; its strings are borrowed from the
 * handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `tasks` or `out_task`, `index` out of range).
 */
allot_status allot_tasks_get(const struct allot_tasks *tasks,
                             size_t index,
                             struct allot_task *out_task);

/**
 * Frees a tasks handle and every string borrowed from it. NULL does nothing.
 */
void allot_tasks_free(struct allot_tasks *tasks);

/**
 * Someone is on task `id`: it is acknowledged (its escalation still raises its severity).
 * For every role but viewer.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, an unknown task id),
 * `ALLOT_STATUS_ILLEGAL_TRANSITION` (the task is not open), `ALLOT_STATUS_PERMISSION_DENIED`,
 * `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_acknowledge_task(const struct allot_client *client,
                                           uint64_t id);

/**
 * Closes task `id` (open or acknowledged). Leaving the stage that stalled closes its task by
 * itself.
 *
 * Errors: as `allot_client_acknowledge_task()`; `ALLOT_STATUS_ILLEGAL_TRANSITION` when the
 * task is already closed.
 */
allot_status allot_client_close_task(const struct allot_client *client,
                                     uint64_t id);

/**
 * Adds `value` to the blacklist `list` (an `allot_blacklist`): a buyer id, a phone number, or
 * an address (province, city, district and detail joined; whitespace is ignored). Later orders
 * that match are flagged `blacklisted_*`, a critical flag: they never go auto. Adding twice is
 * harmless. For the admin role.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, a list that is not an
 * `allot_blacklist`, an empty value, not UTF-8 or with control characters),
 * `ALLOT_STATUS_LIMIT_EXCEEDED` (above `ALLOT_ADDRESS_FIELD_BYTES_MAX`),
 * `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_blacklist_add(const struct allot_client *client,
                                        allot_blacklist list,
                                        const char *value,
                                        size_t value_len);

/**
 * Removes `value` from the blacklist `list`; removing what is not there is harmless.
 *
 * Errors: as `allot_client_blacklist_add()`.
 */
allot_status allot_client_blacklist_remove(const struct allot_client *client,
                                           allot_blacklist list,
                                           const char *value,
                                           size_t value_len);

/**
 * Copies the problems of the calling thread's last failure into a new handle written to
 * `*out_errors` (freed with `allot_rule_errors_free()`): every problem of the rules file that
 * the last failing call refused with `ALLOT_STATUS_INVALID_RULES` (`allot_client_set_rules()`,
 * `allot_client_dry_run_rules()`, `allot_engine_reload_rules()`), each with its line and
 * column. The handle holds no problems when the thread's last failure was something else, or
 * when no call has failed on it.
 *
 * Call it right after the refused call, on the same thread: like `allot_last_error_message()`,
 * the problems are replaced by the thread's next failure. It leaves the last error (and the
 * pointer `allot_last_error_message()` returned) alone, unless it fails itself.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `out_errors`; this failure becomes the thread's
 * last error).
 */
allot_status allot_last_rule_errors(struct allot_rule_errors **out_errors);

/**
 * How many problems the handle holds; 0 for NULL.
 */
size_t allot_rule_errors_count(const struct allot_rule_errors *errors);

/**
 * Copies problem `index` (0 to count - 1, in file order) into `*out_error`; its message is
 * borrowed from the handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `errors` or `out_error`, `index` out of range).
 */
allot_status allot_rule_errors_get(const struct allot_rule_errors *errors,
                                   size_t index,
                                   struct allot_rule_error *out_error);

/**
 * Frees a rule errors handle and every message borrowed from it. NULL does nothing.
 */
void allot_rule_errors_free(struct allot_rule_errors *errors);

/**
 * Replaces the live rules file with `text` (`text_len` bytes of UTF-8, TOML, at most
 * `ALLOT_RULES_BYTES_MAX`; the format is documented in the core's `routing` module and in
 * `core/src/routing/example-rules.toml`), recording the client's actor as who changed it. A
 * file with problems is refused as a whole and the previous rules stay live: the call returns
 * `ALLOT_STATUS_INVALID_RULES` and `allot_last_rule_errors()` lists every problem with its
 * line and column. An empty text means every default. For the admin role.
 *
 * Errors: `ALLOT_STATUS_INVALID_RULES`, `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, not
 * UTF-8, a NULL `text` with a nonzero length), `ALLOT_STATUS_LIMIT_EXCEEDED` (above
 * `ALLOT_RULES_BYTES_MAX`, found before a byte is read), `ALLOT_STATUS_PERMISSION_DENIED`,
 * `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_client_set_rules(const struct allot_client *client,
                                    const char *text,
                                    size_t text_len);

/**
 * The live rules file's text, as a new string handle written to `*out_text` (freed with
 * `allot_string_free()`; "" while the defaults are live).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_text`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_rules_text(const struct allot_client *client,
                                     struct allot_string **out_text);

/**
 * Which rule the order under `key` matches under the live rules, and why each rule did or did
 * not: writes a new handle to `*out_explanation` (freed with `allot_explanation_free()`). The
 * path may differ from the one the order took at intake if the rules changed since.
 *
 * Errors: `ALLOT_STATUS_UNKNOWN_ORDER`, `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or
 * `out_explanation`, an empty key), `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_client_explain(const struct allot_client *client,
                                  const char *key,
                                  size_t key_len,
                                  struct allot_explanation **out_explanation);

/**
 * Copies what the explanation holds into `*out_info`; its pointers are borrowed from the
 * handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `explanation` or `out_info`).
 */
allot_status allot_explanation_get_info(const struct allot_explanation *explanation,
                                        struct allot_explanation_info *out_info);

/**
 * Frees an explanation and everything borrowed from it. NULL does nothing.
 */
void allot_explanation_free(struct allot_explanation *explanation);

/**
 * How the most recent orders would be routed by the `text` of a proposed rules file, against
 * the live rules, before the change goes live: writes a new handle to `*out_dry_run` (freed
 * with `allot_dry_run_free()`). Nothing changes. A proposed file with problems is
 * `ALLOT_STATUS_INVALID_RULES`, its problems in `allot_last_rule_errors()`. For the admin
 * role.
 *
 * Errors: as `allot_client_set_rules()`, and `ALLOT_STATUS_INVALID_INPUT` for a NULL
 * `out_dry_run`.
 */
allot_status allot_client_dry_run_rules(const struct allot_client *client,
                                        const char *text,
                                        size_t text_len,
                                        struct allot_dry_run **out_dry_run);

/**
 * Copies what the dry run holds into `*out_info`; its pointers are borrowed from the handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `dry_run` or `out_info`).
 */
allot_status allot_dry_run_get_info(const struct allot_dry_run *dry_run,
                                    struct allot_dry_run_info *out_info);

/**
 * Frees a dry run and everything borrowed from it. NULL does nothing.
 */
void allot_dry_run_free(struct allot_dry_run *dry_run);

/**
 * Reads the rules file at `path` (`path_len` bytes of UTF-8) and makes it live, recording
 * `by` (an identifier of 1 to `ALLOT_CODE_BYTES_MAX` bytes: no control, format or invisible
 * character, no whitespace at its ends) as who changed it. A file with problems keeps the
 * previous rules live: `ALLOT_STATUS_INVALID_RULES`, the problems in `allot_last_rule_errors()`.
 * Only a regular file is read, and never more than `ALLOT_RULES_BYTES_MAX + 1` bytes of it: a
 * FIFO, a device (`/dev/zero`) or a directory is refused at once, without blocking.
 *
 * Errors: `ALLOT_STATUS_INVALID_RULES`, `ALLOT_STATUS_IO` (the file cannot be read, is not a
 * regular file, or is not UTF-8), `ALLOT_STATUS_INVALID_INPUT` (NULL `engine`, an empty path or
 * one with a NUL byte, a bad `by`), `ALLOT_STATUS_LIMIT_EXCEEDED` (a path or `by` too long, a
 * file above `ALLOT_RULES_BYTES_MAX` bytes), `ALLOT_STATUS_CLOSED`, storage errors.
 */
allot_status allot_engine_reload_rules(const struct allot_engine *engine,
                                       const char *path,
                                       size_t path_len,
                                       const char *by,
                                       size_t by_len);

/**
 * Watches the rules file at `path`: every time it is saved (written in place or renamed over),
 * it is reloaded as `allot_engine_reload_rules()` reads it, recording `by` as who changed it; a
 * save with problems (or a path that became a FIFO or a device) keeps the previous rules live,
 * and `allot_engine_rules_reload_error()` says why. Reloads run on a thread of the
 * library's own. Writes a new handle to `*out_watch`; watching stops when it is freed with
 * `allot_rules_watch_free()` (or when the engine closes, after which saves are ignored). The
 * file need not exist yet; its directory must.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_watch`, a bad path or `by`),
 * `ALLOT_STATUS_LIMIT_EXCEEDED`, `ALLOT_STATUS_IO` (the directory cannot be watched),
 * `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_engine_watch_rules(const struct allot_engine *engine,
                                      const char *path,
                                      size_t path_len,
                                      const char *by,
                                      size_t by_len,
                                      struct allot_rules_watch **out_watch);

/**
 * Stops watching and frees the handle. NULL does nothing.
 */
void allot_rules_watch_free(struct allot_rules_watch *watch);

/**
 * Why the last automatic reload of a watched rules file failed: writes a new string handle
 * with the message (every problem with its line and column) to `*out_error`, or NULL when the
 * last reload succeeded or none failed yet. Free it with `allot_string_free()` (which accepts
 * NULL).
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `engine` or `out_error`), `ALLOT_STATUS_CLOSED`.
 */
allot_status allot_engine_rules_reload_error(const struct allot_engine *engine,
                                             struct allot_string **out_error);

/**
 * Polls the state changes after the LSN `after_lsn` (0: from the oldest still in the log), in
 * order, at most `max_events` (1 to `ALLOT_EVENTS_BATCH_MAX`), and writes a new handle to
 * `*out_events` (the caller frees it with `allot_events_free()`; it may hold no events). To
 * continue, pass the LSN of the last event received. Only changes as durable as the engine's
 * sync mode promises are shown, so a subscriber never acts on a change that a crash could take
 * back.
 *
 * Errors: `ALLOT_STATUS_CURSOR_EXPIRED` (a checkpoint removed the events after `after_lsn`:
 * resynchronise from the stock reads, then continue from `allot_engine_last_lsn()`),
 * `ALLOT_STATUS_LIMIT_EXCEEDED` (`max_events` is above the limit, or 0: the message says at
 * least 1 is needed),
 * `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_events`),
 * `ALLOT_STATUS_PERMISSION_DENIED` (logistics), `ALLOT_STATUS_CLOSED`, `ALLOT_STATUS_IO`,
 * `ALLOT_STATUS_CORRUPTION`.
 */
allot_status allot_client_events(const struct allot_client *client,
                                 uint64_t after_lsn,
                                 size_t max_events,
                                 struct allot_events **out_events);

/**
 * How many events the handle holds; 0 for NULL.
 */
size_t allot_events_count(const struct allot_events *events);

/**
 * Copies event `index` (0 to count - 1, oldest first) into `*out_event`; its strings and lines
 * are borrowed from the handle.
 *
 * Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `events` or `out_event`, `index` out of range).
 */
allot_status allot_events_get(const struct allot_events *events,
                              size_t index,
                              struct allot_event *out_event);

/**
 * Frees an events handle and every string and line borrowed from it. NULL does nothing.
 */
void allot_events_free(struct allot_events *events);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* ALLOT_H */
