//! The data directory's lock: one open engine per directory, across processes and within one.
//!
//! Across processes: a POSIX record lock (`fcntl(F_SETLK)`) on the `LOCK` file. Unlike `flock`,
//! a record lock belongs to the process, so a child forked while an engine is open (a test
//! harness spawning a helper, a Python `multiprocessing` worker) does not keep the directory
//! locked after the engine closes. Within one process record locks never conflict, so a
//! process-wide set of locked directories refuses the second open.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::log::fork;

const LOCK_FILE: &str = "LOCK";

/// Directories locked by engines of this process (canonical paths), with the fork generation
/// that took each lock: a forked child inherits the set but none of the record locks, so an
/// entry of another generation is a parent's and locks nothing here.
static LOCKED: Mutex<Option<HashMap<PathBuf, u64>>> = Mutex::new(None);

/// Whether this process holds an engine's lock on `canonical` (dropping an inherited entry).
fn held_here(locked: &mut HashMap<PathBuf, u64>, canonical: &Path) -> bool {
    match locked.get(canonical) {
        Some(&generation) if generation == fork::current() => true,
        Some(_) => {
            locked.remove(canonical);
            false
        }
        None => false,
    }
}

/// Held while an engine has the directory open; dropping it unlocks.
#[derive(Debug)]
pub(crate) struct DirectoryLock {
    dir: PathBuf,
    // Closing the file releases the record lock.
    _file: File,
}

impl DirectoryLock {
    pub(crate) fn acquire(dir: &Path) -> Result<DirectoryLock> {
        let canonical = dir.canonicalize().map_err(|e| Error::io(dir, "resolving data directory", e))?;
        let mut locked = LOCKED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let locked = locked.get_or_insert_with(HashMap::new);
        if held_here(locked, &canonical) {
            return Err(Error::Locked { path: dir.to_path_buf() });
        }
        let path = canonical.join(LOCK_FILE);
        // Non-blocking and not through a symlink: a FIFO or device under the name would block
        // this open (with the process-wide set held) or lock something else.
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| Error::io(&path, "opening lock file", e))?;
        require_regular(&file, &path)?;
        let request = whole_file_write_lock();
        // SAFETY: F_SETLK reads the struct we pass and nothing else; the descriptor is ours.
        let status = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLK, &request) };
        if status == -1 {
            let error = std::io::Error::last_os_error();
            return Err(match error.raw_os_error() {
                Some(libc::EACCES | libc::EAGAIN) => Error::Locked { path: dir.to_path_buf() },
                _ => Error::io(&path, "locking data directory", error),
            });
        }
        locked.insert(canonical.clone(), fork::current());
        Ok(DirectoryLock { dir: canonical, _file: file })
    }
}

/// `Err(Locked)` if an engine (of this process or another) has `dir` open; otherwise nothing,
/// and nothing is taken or written: for readers that must not change the directory (they open
/// the lock file read-only and only ask who holds it, which works on a read-only file system).
pub(crate) fn refuse_if_locked(dir: &Path) -> Result<()> {
    let canonical = dir.canonicalize().map_err(|e| Error::io(dir, "resolving data directory", e))?;
    {
        let mut locked = LOCKED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if locked.as_mut().is_some_and(|set| held_here(set, &canonical)) {
            return Err(Error::Locked { path: dir.to_path_buf() });
        }
    }
    let path = canonical.join(LOCK_FILE);
    let opened = OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW).open(&path);
    let file = match opened {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(Error::io(&path, "opening lock file", error)),
    };
    require_regular(&file, &path)?;
    let mut request = whole_file_write_lock();
    // SAFETY: F_GETLK reads and writes only the struct we pass; the descriptor is ours.
    let status = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLK, &mut request) };
    if status == -1 {
        return Err(Error::io(&path, "asking who holds the data directory's lock", std::io::Error::last_os_error()));
    }
    if request.l_type != libc::F_UNLCK as libc::c_short {
        return Err(Error::Locked { path: dir.to_path_buf() });
    }
    Ok(())
}

/// A request for (or a question about) a write lock on the whole file.
fn whole_file_write_lock() -> libc::flock {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut request: libc::flock = unsafe { std::mem::zeroed() };
    request.l_type = libc::F_WRLCK as libc::c_short;
    request.l_whence = libc::SEEK_SET as libc::c_short;
    // l_start = 0 and l_len = 0: the whole file.
    request
}

/// The lock file must be a regular file (a FIFO, a device or a directory would lock nothing).
fn require_regular(file: &File, path: &Path) -> Result<()> {
    let metadata = file.metadata().map_err(|e| Error::io(path, "reading the type of the lock file", e))?;
    if metadata.is_file() {
        Ok(())
    } else {
        Err(Error::corruption(path, 0, "the data directory's LOCK is not a regular file"))
    }
}

impl Drop for DirectoryLock {
    fn drop(&mut self) {
        let mut locked = LOCKED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(set) = locked.as_mut() {
            if set.get(&self.dir) == Some(&fork::current()) {
                set.remove(&self.dir);
            }
            if set.is_empty() {
                // Nothing left behind once the last engine closes (valgrind sees no leak).
                *locked = None;
            }
        }
    }
}
