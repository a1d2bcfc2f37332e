//! Checkpoint files: the whole engine state at one LSN, so recovery replays only what came after.
//!
//! ```text
//! checkpoint-<lsn, 20 digits>.ckpt (format 2)
//! | 0..8 magic "ALLOTCKP" | 8..12 format u32 = 2 | 12..16 zero                    |
//! | 16..24 lsn u64        | 24..32 payload length u64 | 32..40 log_id u64         |
//! | 40..44 crc32c of bytes 0..40 and of the payload   | 44..48 zero               |
//! | 48.. payload: the postcard-encoded state image                               |
//! ```
//!
//! Every field recovery trusts is under the checksum, and the LSN in the header must be the one
//! in the file's name, and the log id the log's own: a checkpoint copied under another name or
//! from another directory is corruption, never a reason to skip records. (Format 1 had a 32-byte
//! header whose checksum covered the payload only; it is still read, with the name checked.)
//!
//! A checkpoint is written to a `.tmp` file, fsynced, renamed into place and the directory
//! fsynced; then the manifest names it, and only then are older checkpoints and the segments it
//! covers removed. A crash at any step leaves either the old checkpoint with all its segments or
//! a complete new one.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::frame::{u32_at, u64_at};
use crate::log::segment::sync_dir;

const MAGIC: &[u8; 8] = b"ALLOTCKP";
const FORMAT: u32 = 2;
const FORMAT_1: u32 = 1;
const HEADER_BYTES: usize = 48;
const HEADER_1_BYTES: usize = 32;
const PREFIX: &str = "checkpoint-";
const SUFFIX: &str = ".ckpt";
const TEMP_SUFFIX: &str = ".tmp";

pub(crate) fn checkpoint_path(dir: &Path, lsn: Lsn) -> PathBuf {
    dir.join(format!("{PREFIX}{lsn:020}{SUFFIX}"))
}

fn parse_name(name: &str) -> Option<Lsn> {
    let digits = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every checkpoint file in `dir`, newest first.
pub(crate) fn list(dir: &Path) -> Result<Vec<(Lsn, PathBuf)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, "listing", e))? {
        let entry = entry.map_err(|e| Error::io(dir, "listing", e))?;
        if let Some(lsn) = entry.file_name().to_str().and_then(parse_name) {
            crate::log::segment::require_regular_file(&entry)?;
            found.push((lsn, entry.path()));
        }
    }
    found.sort_by_key(|(lsn, _)| std::cmp::Reverse(*lsn));
    Ok(found)
}

/// Removes `*.tmp` files left by a checkpoint that a crash interrupted.
pub(crate) fn remove_temporaries(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, "listing", e))? {
        let entry = entry.map_err(|e| Error::io(dir, "listing", e))?;
        let name = entry.file_name();
        if name.to_str().is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(TEMP_SUFFIX)) {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| Error::io(&path, "removing an unfinished checkpoint", e))?;
        }
    }
    Ok(())
}

/// Writes a checkpoint durably and returns its path and size.
pub(crate) fn write(dir: &Path, lsn: Lsn, log_id: u64, payload: &[u8]) -> Result<(PathBuf, u64)> {
    let path = checkpoint_path(dir, lsn);
    let temp = path.with_extension(format!("ckpt{TEMP_SUFFIX}"));
    let mut header = [0u8; HEADER_BYTES];
    header[0..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&FORMAT.to_le_bytes());
    header[16..24].copy_from_slice(&lsn.to_le_bytes());
    header[24..32].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    header[32..40].copy_from_slice(&log_id.to_le_bytes());
    let crc = crc32c::crc32c_append(crc32c::crc32c(&header[0..40]), payload);
    header[40..44].copy_from_slice(&crc.to_le_bytes());
    let written = File::create(&temp)
        .and_then(|mut file| {
            file.write_all(&header)?;
            file.write_all(payload)?;
            file.sync_all()
        })
        .map_err(|e| {
            let _ = fs::remove_file(&temp);
            if e.raw_os_error() == Some(libc::ENOSPC) {
                Error::OutOfSpace { path: temp.clone(), bytes: (HEADER_BYTES + payload.len()) as u64 }
            } else {
                Error::io(&temp, "writing checkpoint", e)
            }
        });
    written?;
    fs::rename(&temp, &path).map_err(|e| Error::io(&path, "renaming checkpoint into place", e))?;
    sync_dir(dir)?;
    Ok((path, (HEADER_BYTES + payload.len()) as u64))
}

/// The bytes of the checkpoint file at `path`, read only once its header says it is one and
/// its length agrees with the payload length the header gives (a huge file under a checkpoint's
/// name is refused without reading it); what is read is verified by the caller.
fn read_whole_if_consistent(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut file = File::open(path).map_err(|e| Error::io(path, "opening checkpoint", e))?;
    let len = file.metadata().map_err(|e| Error::io(path, "reading checkpoint size", e))?.len();
    let mut head = [0u8; HEADER_1_BYTES];
    if len < HEADER_1_BYTES as u64 || file.read_exact(&mut head).is_err() || &head[0..8] != MAGIC {
        return Err(Error::corruption(path, 0, "not a checkpoint file"));
    }
    let format = u32_at(&head, 8);
    let header_bytes = if format == FORMAT_1 { HEADER_1_BYTES } else { HEADER_BYTES } as u64;
    let payload_len = u64_at(&head, 24);
    if header_bytes.checked_add(payload_len) != Some(len) {
        return Err(Error::corruption(
            path,
            24,
            format!("the file is {len} bytes, its header says {} of payload", payload_len),
        ));
    }
    let mut bytes = head.to_vec();
    file.read_to_end(&mut bytes).map_err(|e| Error::io(path, "reading checkpoint", e))?;
    Ok(bytes)
}

/// Reads and verifies the checkpoint at `path`, whose name says it holds the state at `lsn`:
/// returns its payload. `log_id` is the log's (from its manifest); `None` for a log from before
/// manifests, which has only format-1 checkpoints.
pub(crate) fn read(path: &Path, lsn: Lsn, log_id: Option<u64>) -> Result<Vec<u8>> {
    let mut bytes = read_whole_if_consistent(path)?;
    if bytes.len() < HEADER_1_BYTES || &bytes[0..8] != MAGIC {
        return Err(Error::corruption(path, 0, "not a checkpoint file"));
    }
    let format = u32_at(&bytes, 8);
    let header_bytes = match format {
        FORMAT => HEADER_BYTES,
        FORMAT_1 => HEADER_1_BYTES,
        _ => return Err(Error::corruption(path, 8, format!("unknown checkpoint format {format}"))),
    };
    if bytes.len() < header_bytes {
        return Err(Error::corruption(path, 0, "the checkpoint header is cut short"));
    }
    let payload_len = u64_at(&bytes, 24);
    if (bytes.len() - header_bytes) as u64 != payload_len {
        return Err(Error::corruption(
            path,
            24,
            format!("payload is {} bytes, header says {payload_len}", bytes.len() - header_bytes),
        ));
    }
    let (crc, stored) = match format {
        FORMAT => (crc32c::crc32c_append(crc32c::crc32c(&bytes[0..40]), &bytes[HEADER_BYTES..]), u32_at(&bytes, 40)),
        _ => (crc32c::crc32c(&bytes[HEADER_1_BYTES..]), u32_at(&bytes, 12)),
    };
    if crc != stored {
        return Err(Error::corruption(path, 0, "checkpoint checksum mismatch"));
    }
    let header_lsn = u64_at(&bytes, 16);
    if header_lsn != lsn {
        return Err(Error::corruption(
            path,
            16,
            format!("the checkpoint holds the state at LSN {header_lsn}, not at the LSN {lsn} its name says"),
        ));
    }
    if format == FORMAT {
        match log_id {
            Some(expected) if u64_at(&bytes, 32) != expected => {
                return Err(Error::corruption(path, 32, "the checkpoint belongs to another data directory's log"));
            }
            Some(_) => {}
            // Format 2 is written only beside a manifest: the log's MANIFEST has gone missing.
            None => return Err(Error::corruption(path, 8, "the checkpoint's log has lost its MANIFEST")),
        }
    }
    Ok(bytes.split_off(header_bytes))
}
