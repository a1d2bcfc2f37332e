//! Which process an engine belongs to, cheaply enough to ask on every call.
//!
//! A child made by `fork()` inherits a copy of every open engine: its memory, but also the
//! shared mapping of the log's segments, whose bytes are the parent's. A write by the child
//! would land in the parent's log at an LSN the parent goes on to reuse, so an engine refuses
//! every call from a process other than the one that opened it (`Error::WrongProcess`).
//!
//! Asking `getpid()` on every call would cost a system call per reservation. Instead a
//! process-wide *fork generation* is bumped by a `pthread_atfork` child handler, registered
//! once, before the first engine opens. A process's generation never changes while it lives
//! (the handler runs only in the new child), and every child's is its parent's plus one, so
//! an engine that records the generation at open is in its own process exactly when the
//! generation still matches: one relaxed atomic load.
//!
//! Only `fork()` runs the handler: a child made by glibc's `_Fork()` or a raw `clone` system
//! call would not be told apart. Python's `multiprocessing`, `os.fork()` and C's `fork()` all
//! run it; `vfork` and `posix_spawn` children run nothing of the parent's before they exec.

// A process-wide value outside every loom model: the std atomic itself, as lock.rs does with
// its process-wide set (a loom atomic cannot be a static).
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

/// This process's fork generation: how many forks since the handler was registered lie
/// between the registering process and this one (0 in the registering process itself).
static GENERATION: AtomicU64 = AtomicU64::new(0);

static REGISTER_HANDLER: Once = Once::new();

/// Runs in the child, in the thread that called `fork()`, before `fork()` returns there. It may
/// only do what is async-signal-safe (the parent may have had other threads holding locks): a
/// lock-free atomic add is.
extern "C" fn count_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// The generation an engine opening now records (registering the fork handler first, once per
/// process: a child inherits the registration).
pub(crate) fn generation_at_open() -> u64 {
    REGISTER_HANDLER.call_once(|| {
        // SAFETY: `pthread_atfork` only records the three function pointers. The one given is
        // an `extern "C" fn` with no arguments that lives as long as the program (or, in
        // liballot.so, as the library: glibc removes a library's handlers when it is
        // unloaded), and does only async-signal-safe work, as a child handler must.
        let status = unsafe { libc::pthread_atfork(None, None, Some(count_fork_in_child)) };
        // Its one documented failure is ENOMEM, which Rust treats as fatal everywhere else.
        assert_eq!(status, 0, "pthread_atfork failed (out of memory)");
    });
    current()
}

/// This process's generation: compare it with the one recorded at open.
#[inline]
pub(crate) fn current() -> u64 {
    // Relaxed: the value changes only in a child, before any thread there can read it.
    GENERATION.load(Ordering::Relaxed)
}
