//! To-do tasks (opened when an order's stage runs past its SLA deadline) and the blacklist the
//! intake checks consult.

use std::ffi::c_char;

use allot_core::order::Task;
use allot_core::{Error, Operation};

use crate::client::{allot_client, client_ref, inputs};
use crate::order::element;
use crate::panic::guard;
use crate::pointers::{self, reference, required};
use crate::status::allot_status;
use crate::strings::{self, Arena, text};
use crate::vocabulary::{
    BlacklistArg, allot_severity, allot_stage, allot_task_kind, allot_task_state, blacklist_arg, task_kind,
};

/// One to-do task: someone must look at an order whose stage stalled. Strings are borrowed from
/// the `allot_tasks` handle and NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct allot_task {
    /// Pass it to `allot_client_acknowledge_task()` and `allot_client_close_task()`.
    pub id: u64,
    /// The key of the order it is about.
    pub order: *const c_char,
    pub order_len: usize,
    pub kind: allot_task_kind,
    /// The stage that stalled (`ALLOT_STAGE_TRACKING` for `ALLOT_TASK_KIND_ENTER_TRACKING`).
    pub stage: allot_stage,
    /// The kind as the engine names it: "overdue_review", "overdue_ship", ..., "enter_tracking".
    pub kind_name: *const c_char,
    pub kind_name_len: usize,
    /// Raised by each escalation tier of the rules file.
    pub severity: allot_severity,
    /// The role expected to act ("orders", "warehouse", "logistics"), or "supervisor" once the
    /// severity reached high while the task was open.
    pub assignee: *const c_char,
    pub assignee_len: usize,
    pub state: allot_task_state,
    /// When it was opened and last changed (engine clock, ms since the Unix epoch).
    pub opened_at_ms: u64,
    pub changed_at_ms: u64,
}

/// The open and acknowledged tasks (`allot_client_tasks()`), most severe first, then oldest:
/// owned by the caller, freed with `allot_tasks_free()`. Immutable: any number of threads may
/// read one at once.
pub struct allot_tasks {
    tasks: Vec<allot_task>,
    _arena: Arena,
}

impl allot_tasks {
    fn new(tasks: &[Task]) -> allot_tasks {
        let mut arena = Arena::default();
        let tasks = tasks
            .iter()
            .map(|task| {
                let (kind, stage) = task_kind(task.kind);
                let order = arena.add(&task.order);
                let kind_name = arena.add(&task.kind.name());
                let assignee = arena.add(&task.assignee);
                allot_task {
                    id: task.id,
                    order: order.ptr,
                    order_len: order.len,
                    kind,
                    stage,
                    kind_name: kind_name.ptr,
                    kind_name_len: kind_name.len,
                    severity: task.severity.into(),
                    assignee: assignee.ptr,
                    assignee_len: assignee.len,
                    state: task.state.into(),
                    opened_at_ms: task.opened_at_ms,
                    changed_at_ms: task.changed_at_ms,
                }
            })
            .collect();
        allot_tasks { tasks, _arena: arena }
    }
}

/// The open and acknowledged tasks, most severe first, then oldest first (a pile of low ones
/// never hides a critical one): writes a new handle to `*out_tasks` (freed with
/// `allot_tasks_free()`; it may hold no tasks). Closed tasks are not listed.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client` or `out_tasks`), `ALLOT_STATUS_CLOSED`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_tasks(
    client: *const allot_client,
    out_tasks: *mut *mut allot_tasks,
) -> allot_status {
    guard("allot_client_tasks", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        let client = unsafe { client_ref(client) }?;
        // SAFETY: the header's contract: NULL or one writable pointer.
        let out = inputs(client, Operation::ReadOrders, || unsafe { required(out_tasks, "out_tasks") })?;
        let tasks = client.tasks()?;
        out.write(Box::into_raw(Box::new(allot_tasks::new(&tasks))));
        Ok(())
    })
}

/// How many tasks the handle holds; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_tasks_count(tasks: *const allot_tasks) -> usize {
    crate::panic::guard_value(0, || {
        // SAFETY: the header's contract: NULL or a live tasks handle.
        unsafe { tasks.as_ref() }.map_or(0, |tasks| tasks.tasks.len())
    })
}

/// Copies task `index` (0 to count - 1) into `*out_task`; its strings are borrowed from the
/// handle.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `tasks` or `out_task`, `index` out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_tasks_get(
    tasks: *const allot_tasks,
    index: usize,
    out_task: *mut allot_task,
) -> allot_status {
    guard("allot_tasks_get", || {
        // SAFETY: the header's contract: a live tasks handle, and one writable struct.
        let (tasks, out) = unsafe { (reference(tasks, "tasks")?, required(out_task, "out_task")?) };
        out.write(*element(&tasks.tasks, index, "task")?);
        Ok(())
    })
}

/// Frees a tasks handle and every string borrowed from it. NULL does nothing.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_tasks_free(tasks: *mut allot_tasks) {
    crate::panic::guard_value((), || {
        // SAFETY: the header's contract: NULL or a handle from allot_client_tasks, freed once.
        drop(unsafe { pointers::free(tasks) });
    })
}

/// The shared shape of acknowledge and close.
///
/// # Safety
///
/// `client` is NULL or a live client handle.
unsafe fn change_task(client: *const allot_client, id: u64, close: bool) -> Result<(), Error> {
    // SAFETY: passed on from the caller.
    let client = unsafe { client_ref(client) }?;
    if close { client.close_task(id) } else { client.acknowledge_task(id) }.map(drop)
}

/// Someone is on task `id`: it is acknowledged (its escalation still raises its severity).
/// For every role but viewer.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, an unknown task id),
/// `ALLOT_STATUS_ILLEGAL_TRANSITION` (the task is not open), `ALLOT_STATUS_PERMISSION_DENIED`,
/// `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_acknowledge_task(client: *const allot_client, id: u64) -> allot_status {
    guard("allot_client_acknowledge_task", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        unsafe { change_task(client, id, false) }
    })
}

/// Closes task `id` (open or acknowledged). Leaving the stage that stalled closes its task by
/// itself.
///
/// Errors: as `allot_client_acknowledge_task()`; `ALLOT_STATUS_ILLEGAL_TRANSITION` when the
/// task is already closed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_close_task(client: *const allot_client, id: u64) -> allot_status {
    guard("allot_client_close_task", || {
        // SAFETY: the header's contract: a live client handle or NULL.
        unsafe { change_task(client, id, true) }
    })
}

/// The shared shape of blacklist edits.
///
/// # Safety
///
/// The exported function's arguments, under the header's contract.
unsafe fn change_blacklist(
    client: *const allot_client,
    list: BlacklistArg,
    value: (*const c_char, usize),
    added: bool,
) -> Result<(), Error> {
    // SAFETY: passed on from the exported function's caller.
    let client = unsafe { client_ref(client) }?;
    let (list, value) = inputs(client, Operation::ManageBlacklist, || {
        // SAFETY: passed on from the exported function's caller.
        Ok((blacklist_arg("list", list)?, unsafe { text(value.0, value.1, strings::BLACKLIST_VALUE) }?))
    })?;
    if added { client.blacklist_add(list, value) } else { client.blacklist_remove(list, value) }
}

/// Adds `value` to the blacklist `list` (an `allot_blacklist`): a buyer id, a phone number, or
/// an address (province, city, district and detail joined; whitespace is ignored). Later orders
/// that match are flagged `blacklisted_*`, a critical flag: they never go auto. Adding twice is
/// harmless. For the admin role.
///
/// Errors: `ALLOT_STATUS_INVALID_INPUT` (NULL `client`, a list that is not an
/// `allot_blacklist`, an empty value, not UTF-8 or with control characters),
/// `ALLOT_STATUS_LIMIT_EXCEEDED` (above `ALLOT_ADDRESS_FIELD_BYTES_MAX`),
/// `ALLOT_STATUS_PERMISSION_DENIED`, `ALLOT_STATUS_CLOSED`, storage errors.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_blacklist_add(
    client: *const allot_client,
    list: BlacklistArg,
    value: *const c_char,
    value_len: usize,
) -> allot_status {
    guard("allot_client_blacklist_add", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { change_blacklist(client, list, (value, value_len), true) }
    })
}

/// Removes `value` from the blacklist `list`; removing what is not there is harmless.
///
/// Errors: as `allot_client_blacklist_add()`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn allot_client_blacklist_remove(
    client: *const allot_client,
    list: BlacklistArg,
    value: *const c_char,
    value_len: usize,
) -> allot_status {
    guard("allot_client_blacklist_remove", || {
        // SAFETY: the exported arguments, under the header's contract.
        unsafe { change_blacklist(client, list, (value, value_len), false) }
    })
}
