//! The manifest: what recovery must know that the segments cannot say about themselves.
//!
//! The segments prove a great deal on their own: each frame carries its checksum and LSN and the
//! durable LSN its writer knew, each segment its number and first LSN, and an end mark closes
//! the written part of every segment (one that says "sealed" when the log went on in the next).
//! What they cannot prove is how the engine stopped, how far the log was durable after its last
//! flush, which segment the log starts at and which checkpoint stands in for what came before.
//! The manifest records exactly that, in a file of two 4 KiB slots:
//!
//! ```text
//! MANIFEST: slot 0 at byte 0, slot 1 at byte 4096; each slot:
//! | 0..8 magic "ALLOTMAN" | 8..12 format u32 = 1 | 12..16 state u32: 1 open, 2 closed     |
//! | 16..24 version u64    | 24..32 log_id u64    | 32..40 first_seq u64                   |
//! | 40..48 checkpoint_lsn u64 (0: none)          | 48..56 durable_lsn u64                 |
//! | 56..72 boot id of the writer (16 bytes; zeros: unknown) | 72..76 crc32c of 0..72     |
//! | 76..4096 zero                                                                         |
//! ```
//!
//! A write goes to the slot the newest one is not in (version + 1), then `fdatasync`; a read
//! takes the valid slot with the higher version. A write torn by a power cut damages only the
//! slot being written, so the previous state stands. It is written when the engine opens (state
//! open, with this boot's id), after every checkpoint (the new first segment and checkpoint), at
//! most every `DURABLE_RECORD_INTERVAL` when the durable LSN moved (the background worker), and
//! when the engine closes (state closed: the log ends exactly at `durable_lsn`).
//!
//! The boot id (Linux's `/proc/sys/kernel/random/boot_id`) tells recovery whether the machine
//! has restarted since the writer opened the log. If it has not, the writer's process died but
//! the page cache survived: every byte it wrote is readable, so nothing can be "lost in flight"
//! and only the append it was in the middle of may be cut.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::frame::{u32_at, u64_at};
use crate::log::segment::sync_dir;

pub(crate) const MANIFEST_FILE: &str = "MANIFEST";
/// Where a new manifest is written before it is renamed into place.
pub(crate) const MANIFEST_TEMP_FILE: &str = "MANIFEST.tmp";
const MAGIC: &[u8; 8] = b"ALLOTMAN";
const FORMAT: u32 = 1;
const SLOT_BYTES: usize = 4096;
const CHECKED_BYTES: usize = 72;
const STATE_OPEN: u32 = 1;
const STATE_CLOSED: u32 = 2;

/// How often, at most, the worker records a durable LSN that moved since the last record. The
/// frames appended after a flush already carry it; this bounds how stale the manifest's copy is
/// when no frame follows (an idle engine, the last flush before a power cut).
pub(crate) const DURABLE_RECORD_INTERVAL: Duration = Duration::from_millis(100);

/// A boot id: 16 bytes, all zero when unknown.
pub(crate) type BootId = [u8; 16];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub(crate) version: u64,
    pub(crate) log_id: u64,
    /// The oldest segment the log needs; older ones are left over from a checkpoint's cleanup.
    pub(crate) first_seq: u64,
    /// The checkpoint that stands in for every record at or below its LSN (0: none).
    pub(crate) checkpoint_lsn: Lsn,
    /// Every record at or below this LSN was durable when the manifest was written.
    pub(crate) durable_lsn: Lsn,
    /// Closed cleanly: the log ends exactly at `durable_lsn`.
    pub(crate) closed: bool,
    /// The boot during which the writer had the log open.
    pub(crate) boot_id: BootId,
}

impl Manifest {
    fn encode(&self) -> [u8; SLOT_BYTES] {
        let mut slot = [0u8; SLOT_BYTES];
        slot[0..8].copy_from_slice(MAGIC);
        slot[8..12].copy_from_slice(&FORMAT.to_le_bytes());
        let state = if self.closed { STATE_CLOSED } else { STATE_OPEN };
        slot[12..16].copy_from_slice(&state.to_le_bytes());
        slot[16..24].copy_from_slice(&self.version.to_le_bytes());
        slot[24..32].copy_from_slice(&self.log_id.to_le_bytes());
        slot[32..40].copy_from_slice(&self.first_seq.to_le_bytes());
        slot[40..48].copy_from_slice(&self.checkpoint_lsn.to_le_bytes());
        slot[48..56].copy_from_slice(&self.durable_lsn.to_le_bytes());
        slot[56..72].copy_from_slice(&self.boot_id);
        let crc = crc32c::crc32c(&slot[..CHECKED_BYTES]);
        slot[72..76].copy_from_slice(&crc.to_le_bytes());
        slot
    }

    fn decode(slot: &[u8]) -> Option<Manifest> {
        if slot.len() < CHECKED_BYTES + 4 || &slot[0..8] != MAGIC {
            return None;
        }
        if u32_at(slot, 8) != FORMAT || u32_at(slot, 72) != crc32c::crc32c(&slot[..CHECKED_BYTES]) {
            return None;
        }
        let closed = match u32_at(slot, 12) {
            STATE_OPEN => false,
            STATE_CLOSED => true,
            _ => return None,
        };
        Some(Manifest {
            version: u64_at(slot, 16),
            log_id: u64_at(slot, 24),
            first_seq: u64_at(slot, 32),
            checkpoint_lsn: u64_at(slot, 40),
            durable_lsn: u64_at(slot, 48),
            closed,
            boot_id: slot[56..72].try_into().expect("16 bytes"),
        })
    }
}

pub(crate) fn manifest_path(dir: &Path) -> PathBuf {
    dir.join(MANIFEST_FILE)
}

/// Reads the manifest of `dir`: `None` if there is no manifest file, the newest valid slot if
/// there is one, `Corruption` if neither slot is valid.
pub(crate) fn read(dir: &Path) -> Result<Option<Manifest>> {
    let path = manifest_path(dir);
    let kind = match std::fs::symlink_metadata(&path) {
        Ok(metadata) => metadata.file_type(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(Error::io(&path, "reading the log manifest", error)),
    };
    if !kind.is_file() {
        return Err(Error::corruption(&path, 0, "the log manifest is not a regular file"));
    }
    let mut bytes = Vec::with_capacity(2 * SLOT_BYTES);
    File::open(&path)
        .and_then(|file| std::io::Read::read_to_end(&mut std::io::Read::take(file, 2 * SLOT_BYTES as u64), &mut bytes))
        .map_err(|e| Error::io(&path, "reading the log manifest", e))?;
    let slots = bytes.chunks(SLOT_BYTES).take(2).filter_map(Manifest::decode);
    match slots.max_by_key(|manifest| manifest.version) {
        Some(manifest) => Ok(Some(manifest)),
        None => Err(Error::corruption(&path, 0, "neither slot of the log manifest is valid")),
    }
}

/// The manifest file of an open engine, and the state last written to it.
pub(crate) struct ManifestFile {
    path: PathBuf,
    file: File,
    current: Manifest,
}

impl ManifestFile {
    /// Creates the manifest of a new log (or of a log written before there were manifests),
    /// whole or not at all: written to a temporary file, synced, renamed into place, and the
    /// directory synced. A crash before the rename leaves no manifest (and a log with no record
    /// in a format that needs one, which recovery accepts as new).
    pub(crate) fn create(dir: &Path, manifest: Manifest) -> Result<ManifestFile> {
        let path = manifest_path(dir);
        let temp = dir.join(MANIFEST_TEMP_FILE);
        let first = Manifest { version: 1, ..manifest };
        let mut slots = vec![0u8; 2 * SLOT_BYTES];
        slots[SLOT_BYTES..].copy_from_slice(&first.encode());
        std::fs::write(&temp, &slots)
            .and_then(|()| File::open(&temp)?.sync_all())
            .map_err(|e| Error::io(&temp, "writing the log manifest", e))?;
        std::fs::rename(&temp, &path).map_err(|e| Error::io(&path, "renaming the log manifest into place", e))?;
        sync_dir(dir)?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, "opening the log manifest", e))?;
        Ok(ManifestFile { path, file, current: first })
    }

    /// Opens the manifest that recovery read, to write its next states.
    pub(crate) fn open(dir: &Path, current: Manifest) -> Result<ManifestFile> {
        let path = manifest_path(dir);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, "opening the log manifest", e))?;
        Ok(ManifestFile { path, file, current })
    }

    pub(crate) fn current(&self) -> &Manifest {
        &self.current
    }

    /// Writes `next` (its version is set here) and waits for the disk.
    pub(crate) fn write(&mut self, next: Manifest) -> Result<()> {
        // A version this high was not counted up to by writes: a slot damaged to look newest.
        let version = self.current.version.checked_add(1).ok_or_else(|| {
            Error::corruption(&self.path, 16, "the log manifest's version is at its limit: a damaged slot")
        })?;
        let next = Manifest { version, ..next };
        let offset = (next.version % 2) * SLOT_BYTES as u64;
        self.file
            .write_all_at(&next.encode(), offset)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| Error::io(&self.path, "writing the log manifest", e))?;
        self.current = next;
        Ok(())
    }
}

/// Removes a manifest a crash kept from being renamed into place.
pub(crate) fn remove_temporary(dir: &Path) -> Result<()> {
    let temp = dir.join(MANIFEST_TEMP_FILE);
    match std::fs::remove_file(&temp) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(Error::io(&temp, "removing an unfinished log manifest", error)),
    }
}

/// This boot's id, or zeros if the system does not say.
pub(crate) fn current_boot_id() -> BootId {
    let Ok(text) = std::fs::read_to_string("/proc/sys/kernel/random/boot_id") else { return [0; 16] };
    let hex: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    let mut id = [0u8; 16];
    if hex.len() != 32 {
        return id;
    }
    for (i, pair) in hex.chunks(2).enumerate() {
        let digits = std::str::from_utf8(pair).expect("ASCII hex digits");
        id[i] = u8::from_str_radix(digits, 16).expect("two hex digits");
    }
    id
}

/// A new random log id (never 0, which format-1 segments carry).
pub(crate) fn new_log_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    loop {
        // RandomState is keyed from the operating system's randomness.
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        let id = hasher.finish();
        if id != 0 {
            return id;
        }
    }
}

/// Undoes the record of a clean close (the newest slot, when it says closed, is wiped, so the
/// open state before it stands), and with `restarted` forgets the standing slot's boot, as
/// after a machine restart. For tests of recovery (`Faults::simulate_crash`).
#[cfg(feature = "fault-injection")]
pub(crate) fn simulate_crash(dir: &Path, restarted: bool) -> Result<()> {
    let path = manifest_path(dir);
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "reading the log manifest", e))?;
    let mut slots: Vec<(usize, Manifest)> = bytes
        .chunks(SLOT_BYTES)
        .take(2)
        .enumerate()
        .filter_map(|(i, slot)| Some((i, Manifest::decode(slot)?)))
        .collect();
    slots.sort_by_key(|(_, manifest)| std::cmp::Reverse(manifest.version));
    let file = OpenOptions::new().write(true).open(&path).map_err(|e| Error::io(&path, "opening the manifest", e))?;
    let write = |slot: usize, bytes: &[u8]| {
        file.write_all_at(bytes, (slot * SLOT_BYTES) as u64).map_err(|e| Error::io(&path, "writing the manifest", e))
    };
    if slots.first().is_some_and(|(_, newest)| newest.closed) {
        let (newest_slot, _) = slots.remove(0);
        if slots.first().is_none_or(|(_, older)| older.closed) {
            return Err(Error::invalid("the manifest holds no open state to fall back to"));
        }
        write(newest_slot, &[0u8; SLOT_BYTES])?;
    }
    if restarted && let Some((slot, standing)) = slots.first() {
        write(*slot, &Manifest { boot_id: [0; 16], ..*standing }.encode())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        Manifest {
            version: 0,
            log_id: 42,
            first_seq: 3,
            checkpoint_lsn: 900,
            durable_lsn: 1200,
            closed: false,
            boot_id: current_boot_id(),
        }
    }

    #[test]
    fn the_newest_valid_slot_stands_and_a_torn_write_leaves_the_previous_state() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path()).unwrap(), None);
        let mut file = ManifestFile::create(dir.path(), sample()).unwrap();
        file.write(Manifest { durable_lsn: 1300, ..sample() }).unwrap();
        file.write(Manifest { durable_lsn: 1400, closed: true, ..sample() }).unwrap();
        let read_back = read(dir.path()).unwrap().unwrap();
        assert_eq!((read_back.version, read_back.durable_lsn, read_back.closed), (3, 1400, true));
        // Damage the newest slot (version 3 is in slot 1): version 2 stands.
        let path = manifest_path(dir.path());
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[SLOT_BYTES + 50] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let read_back = read(dir.path()).unwrap().unwrap();
        assert_eq!((read_back.version, read_back.durable_lsn, read_back.closed), (2, 1300, false));
        // Both damaged: corruption, never "no manifest".
        bytes[50] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(matches!(read(dir.path()), Err(Error::Corruption { .. })));
    }

    #[test]
    fn every_field_is_checked() {
        let slot = Manifest { version: 5, ..sample() }.encode();
        assert_eq!(Manifest::decode(&slot), Some(Manifest { version: 5, ..sample() }));
        for byte in 0..CHECKED_BYTES + 4 {
            let mut damaged = slot;
            damaged[byte] ^= 0x20;
            assert_eq!(Manifest::decode(&damaged), None, "byte {byte}");
        }
    }

    #[test]
    fn a_version_at_its_limit_is_damage_not_a_wrap_to_zero() {
        let dir = tempfile::tempdir().unwrap();
        ManifestFile::create(dir.path(), sample()).unwrap();
        let mut file = ManifestFile::open(dir.path(), Manifest { version: u64::MAX, ..sample() }).unwrap();
        assert!(matches!(file.write(sample()), Err(Error::Corruption { .. })));
        assert_eq!(read(dir.path()).unwrap().unwrap().version, 1, "nothing was written");
    }

    #[test]
    fn this_boot_has_an_id() {
        // Linux always has one; elsewhere recovery treats every crash as a power cut.
        if cfg!(target_os = "linux") {
            assert_ne!(current_boot_id(), [0; 16]);
            assert_eq!(current_boot_id(), current_boot_id());
        }
    }
}
