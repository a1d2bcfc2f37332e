//! Checkpoint files: the whole engine state at one LSN, so recovery replays only what came after.
//!
//! ```text
//! checkpoint-<lsn, 20 digits>.ckpt
//! | 0..8 magic "ALLOTCKP" | 8..12 format u32 | 12..16 crc32c of the payload |
//! | 16..24 lsn u64        | 24..32 payload length u64                      |
//! | 32.. payload: the postcard-encoded state image                        |
//! ```
//!
//! A checkpoint is written to a `.tmp` file, fsynced, renamed into place and the directory
//! fsynced; only then are older checkpoints and the segments it covers removed. A crash at any
//! step leaves either the old checkpoint with all its segments or a complete new one.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::ids::Lsn;
use crate::log::segment::sync_dir;

const MAGIC: &[u8; 8] = b"ALLOTCKP";
const FORMAT: u32 = 1;
const HEADER_BYTES: usize = 32;
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
pub(crate) fn write(dir: &Path, lsn: Lsn, payload: &[u8]) -> Result<(PathBuf, u64)> {
    let path = checkpoint_path(dir, lsn);
    let temp = path.with_extension(format!("ckpt{TEMP_SUFFIX}"));
    let mut header = [0u8; HEADER_BYTES];
    header[0..8].copy_from_slice(MAGIC);
    header[8..12].copy_from_slice(&FORMAT.to_le_bytes());
    header[12..16].copy_from_slice(&crc32c::crc32c(payload).to_le_bytes());
    header[16..24].copy_from_slice(&lsn.to_le_bytes());
    header[24..32].copy_from_slice(&(payload.len() as u64).to_le_bytes());
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

/// Reads and verifies a checkpoint, returning its LSN and payload.
pub(crate) fn read(path: &Path) -> Result<(Lsn, Vec<u8>)> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, "reading checkpoint", e))?;
    if bytes.len() < HEADER_BYTES || &bytes[0..8] != MAGIC {
        return Err(Error::corruption(path, 0, "not a checkpoint file"));
    }
    let format = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if format != FORMAT {
        return Err(Error::corruption(path, 8, format!("unknown checkpoint format {format}")));
    }
    let crc = u32::from_le_bytes(bytes[12..16].try_into().expect("4 bytes"));
    let lsn = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes"));
    let len = u64::from_le_bytes(bytes[24..32].try_into().expect("8 bytes"));
    let payload = &bytes[HEADER_BYTES..];
    if payload.len() as u64 != len {
        return Err(Error::corruption(path, 24, format!("payload is {} bytes, header says {len}", payload.len())));
    }
    if crc32c::crc32c(payload) != crc {
        return Err(Error::corruption(path, HEADER_BYTES as u64, "checkpoint checksum mismatch"));
    }
    Ok((lsn, payload.to_vec()))
}
