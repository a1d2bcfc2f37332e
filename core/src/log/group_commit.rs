//! Group commit: many writers waiting for durability share one flush.
//!
//! A writer appends its record (getting an LSN) while it holds its stock stripes, releases the
//! stripes, and only then calls [`GroupCommit::wait_durable`]. If no flush is running, it becomes
//! the leader: it flushes everything appended so far (a prefix of the log, which covers its own
//! record and every record appended before it) and wakes the others. If a flush is running, it
//! waits for it; when that flush did not reach its LSN, one of the waiters leads the next one.
//! While one flush runs, new records pile up for the next, so the number of flushes per second
//! stays bounded by the disk, and each flush acknowledges a whole group.
//!
//! Waiters sleep in two alternating batches: those who arrive while flush `e` runs cannot be
//! covered by it, so they wait on batch `e + 1`. When flush `e` ends it wakes all of batch `e`
//! (everyone it covered), and each thread leaving with its answer wakes one sleeper of the next
//! batch if that batch has no leader yet, instead of waking every waiter to find most of them
//! not yet covered: with dozens of callers on two cores, those wasted wake-ups were most of the
//! cost.
//!
//! **Invariant:** `durable_lsn` only ever takes a value that a completed flush reported as
//! covered, and a waiter returns `Ok` only when `durable_lsn >= its lsn`. The loom model
//! `group_commit_never_acknowledges_above_the_durable_prefix` checks this.
//!
//! A failed flush poisons the log: every waiter (and every later writer) gets
//! [`Error::Poisoned`], because what reached the disk is unknown until the engine is reopened.

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{Condvar, Mutex};

pub(crate) struct GroupCommit {
    state: Mutex<FlushState>,
    /// Waiters of even and odd flush epochs.
    batches: [Condvar; 2],
    /// Mirror of `state.durable_lsn` for lock-free readers (the frame watermark, metrics).
    durable_lsn: AtomicU64,
    flushes: AtomicU64,
}

struct FlushState {
    durable_lsn: Lsn,
    leader_active: bool,
    failure: Option<String>,
    /// Number of the running flush (or of the next one, when none runs).
    epoch: u64,
    /// Threads asleep in each batch.
    waiting: [usize; 2],
}

fn batch_of(epoch: u64) -> usize {
    (epoch % 2) as usize
}

impl GroupCommit {
    pub(crate) fn new(durable_lsn: Lsn) -> GroupCommit {
        GroupCommit {
            state: Mutex::new(FlushState {
                durable_lsn,
                leader_active: false,
                failure: None,
                epoch: 0,
                waiting: [0; 2],
            }),
            batches: [Condvar::new(), Condvar::new()],
            durable_lsn: AtomicU64::new(durable_lsn),
            flushes: AtomicU64::new(0),
        }
    }

    pub(crate) fn durable_lsn(&self) -> Lsn {
        self.durable_lsn.load(Ordering::Acquire)
    }

    pub(crate) fn flushes(&self) -> u64 {
        self.flushes.load(Ordering::Relaxed)
    }

    /// The reason the log is poisoned, if a flush failed.
    pub(crate) fn failure(&self) -> Option<String> {
        self.state.lock().failure.clone()
    }

    /// Returns once `lsn` is durable, leading a flush when none is running.
    ///
    /// `flush` makes everything appended so far durable and returns the last LSN it covered; it
    /// is called by at most one thread at a time.
    pub(crate) fn wait_durable(&self, lsn: Lsn, flush: impl FnMut() -> Result<Lsn, String>) -> Result<()> {
        self.lead_or_wait(Some(lsn), flush).map(|_| ())
    }

    /// Runs one flush now (after any running one), whatever is already durable; for the interval
    /// flusher, checkpoints and close. Returns the durable LSN after it.
    pub(crate) fn flush_now(&self, flush: impl FnMut() -> Result<Lsn, String>) -> Result<Lsn> {
        self.lead_or_wait(None, flush)
    }

    fn lead_or_wait(&self, target: Option<Lsn>, mut flush: impl FnMut() -> Result<Lsn, String>) -> Result<Lsn> {
        let mut state = self.state.lock();
        loop {
            if let Some(cause) = &state.failure {
                return Err(Error::Poisoned { cause: cause.clone() });
            }
            if let Some(lsn) = target
                && state.durable_lsn >= lsn
            {
                self.hand_over(&state);
                return Ok(state.durable_lsn);
            }
            if state.leader_active {
                // Not covered by the running flush: wait for the next one.
                let batch = batch_of(state.epoch + 1);
                state.waiting[batch] += 1;
                self.batches[batch].wait(&mut state);
                state.waiting[batch] -= 1;
                continue;
            }
            state.leader_active = true;
            let epoch = state.epoch;
            drop(state);
            let flushed = flush();
            state = self.state.lock();
            state.leader_active = false;
            state.epoch = epoch + 1;
            self.flushes.fetch_add(1, Ordering::Relaxed);
            match flushed {
                Ok(covered) => {
                    if covered > state.durable_lsn {
                        state.durable_lsn = covered;
                        self.durable_lsn.store(covered, Ordering::Release);
                    }
                    // Everyone this flush covered (they arrived during the flush before it).
                    self.batches[batch_of(epoch)].notify_all();
                }
                Err(cause) => {
                    state.failure = Some(cause);
                    for batch in &self.batches {
                        batch.notify_all();
                    }
                }
            }
            if target.is_none() {
                self.hand_over(&state);
                return match &state.failure {
                    Some(cause) => Err(Error::Poisoned { cause: cause.clone() }),
                    None => Ok(state.durable_lsn),
                };
            }
        }
    }

    /// Called by every thread leaving with its answer: if no flush runs and someone sleeps
    /// waiting for the next one, wake one of them to lead it. (Whoever ends a flush leaves right
    /// after, so a batch left asleep without a leader always gets one.)
    fn hand_over(&self, state: &FlushState) {
        let next = batch_of(state.epoch);
        if !state.leader_active && state.waiting[next] > 0 {
            self.batches[next].notify_one();
        }
    }
}
