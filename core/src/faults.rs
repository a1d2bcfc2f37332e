//! Injected storage failures, for tests of what the engine does when the disk says no.
//!
//! With the `fault-injection` feature a test arms a [`Faults`] handle and passes it in the
//! engine options; the next preallocations or syncs then fail as a full disk or a dying disk
//! would. Without the feature the type is empty and every check is a constant `false`.

use std::io;

#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicU32, Ordering};

#[derive(Debug, Default)]
pub struct Faults {
    #[cfg(feature = "fault-injection")]
    preallocations_to_fail: AtomicU32,
    #[cfg(feature = "fault-injection")]
    syncs_to_fail: AtomicU32,
}

impl Faults {
    /// Makes the next `count` segment preallocations fail with `ENOSPC`.
    #[cfg(feature = "fault-injection")]
    pub fn fail_preallocations(&self, count: u32) {
        self.preallocations_to_fail.store(count, Ordering::SeqCst);
    }

    /// Makes the next `count` log syncs fail with `EIO`.
    #[cfg(feature = "fault-injection")]
    pub fn fail_syncs(&self, count: u32) {
        self.syncs_to_fail.store(count, Ordering::SeqCst);
    }

    pub(crate) fn preallocate(&self) -> io::Result<()> {
        #[cfg(feature = "fault-injection")]
        if take_one(&self.preallocations_to_fail) {
            return Err(io::Error::from_raw_os_error(libc::ENOSPC));
        }
        Ok(())
    }

    pub(crate) fn sync(&self) -> io::Result<()> {
        #[cfg(feature = "fault-injection")]
        if take_one(&self.syncs_to_fail) {
            return Err(io::Error::from_raw_os_error(libc::EIO));
        }
        Ok(())
    }
}

#[cfg(feature = "fault-injection")]
fn take_one(counter: &AtomicU32) -> bool {
    counter.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok()
}
