//! Injected storage failures, for tests of what the engine does when the disk says no.
//!
//! With the `fault-injection` feature a test arms a [`Faults`] handle and passes it in the
//! engine options; the next preallocations or syncs then fail as a full disk or a dying disk
//! would. Without the feature the type is empty and every check is a constant `false`.

use std::io;

#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use crate::log::manifest::BootId;

#[derive(Debug, Default)]
pub struct Faults {
    #[cfg(feature = "fault-injection")]
    preallocations_to_fail: AtomicU32,
    #[cfg(feature = "fault-injection")]
    syncs_to_fail: AtomicU32,
    #[cfg(feature = "fault-injection")]
    restarted: AtomicBool,
    #[cfg(feature = "fault-injection")]
    no_durable_records: AtomicBool,
}

/// How a simulated crash left a data directory (see [`Faults::simulate_crash`]).
#[cfg(feature = "fault-injection")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimulatedCrash {
    /// The process died after its last flush; the machine kept running (its page cache too).
    ProcessKilled,
    /// The machine went down: recovery must assume unsynced writes may be lost, in any order.
    MachineRestarted,
}

impl Faults {
    /// Makes a directory closed by [`Engine::close`](crate::Engine::close) look as if its
    /// engine's process had died instead (the manifest's record of the clean close is undone),
    /// and with [`SimulatedCrash::MachineRestarted`] as if the machine had restarted since. On a
    /// directory whose engine did die, `MachineRestarted` turns a process crash into a power cut.
    /// Damage a test then does to the files is judged as recovery would judge it after such a
    /// crash.
    #[cfg(feature = "fault-injection")]
    pub fn simulate_crash(dir: &std::path::Path, crash: SimulatedCrash) -> crate::Result<()> {
        crate::log::manifest::simulate_crash(dir, crash == SimulatedCrash::MachineRestarted)
    }

    /// Makes the engines opened with these faults believe the machine restarted since their
    /// directory was last written (a kill -9 then counts as a power cut).
    #[cfg(feature = "fault-injection")]
    pub fn pretend_restart(&self) {
        self.restarted.store(true, Ordering::SeqCst);
    }

    /// Keeps the worker from recording the durable LSN in the manifest (as if the process died
    /// before each such write), so that what recovery can prove durable depends on the frames'
    /// watermarks alone: tests of lost-in-flight writes need that to be deterministic.
    #[cfg(feature = "fault-injection")]
    pub fn skip_durable_records(&self) {
        self.no_durable_records.store(true, Ordering::SeqCst);
    }

    pub(crate) fn durable_records(&self) -> bool {
        #[cfg(feature = "fault-injection")]
        if self.no_durable_records.load(Ordering::SeqCst) {
            return false;
        }
        true
    }

    /// The boot id recovery compares with the manifest's.
    pub(crate) fn boot_id(&self, real: BootId) -> BootId {
        #[cfg(feature = "fault-injection")]
        if self.restarted.load(Ordering::SeqCst) {
            return [0; 16];
        }
        real
    }

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
