//! Crash-safe file replacement and the knowledge base's writer lock.
//!
//! A note is written to a temporary file in the same directory, flushed to disk, and renamed
//! over the old one, then the directory itself is flushed. A crash at any moment leaves either
//! the old or the new file, never a torn one. Temporary files start with `.tn-` and are ignored
//! by every reader.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, IoContext, Result};

/// Prefix of temporary files; readers skip hidden files, so a crash leftover is never a note.
pub const TEMP_PREFIX: &str = ".tn-";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Fail with `AlreadyExists` semantics if the target exists (checked atomically).
    CreateNew,
    /// Replace the target, keeping its permissions.
    Replace,
}

/// Writes `bytes` to `path` atomically. With `CreateNew`, returns `Ok(false)` when the file
/// already exists and nothing was written.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: WriteMode) -> Result<bool> {
    // A bare file name ("backup.json") has an empty parent: the working directory.
    let dir = match path.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => {
            return Err(Error::Invalid(format!(
                "{} is not a file path",
                path.display()
            )));
        }
    };
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .at_path(dir)?;
    temp.write_all(bytes).at_path(temp.path())?;
    temp.as_file().sync_all().at_path(temp.path())?;
    // Keep a replaced note's permissions; new notes get ordinary document permissions rather
    // than the temporary file's 0600.
    let permissions = match mode {
        WriteMode::Replace => fs::metadata(path).map(|m| m.permissions()).ok(),
        WriteMode::CreateNew => new_file_permissions(),
    };
    if let Some(permissions) = permissions {
        fs::set_permissions(temp.path(), permissions).at_path(temp.path())?;
    }
    match mode {
        WriteMode::Replace => {
            temp.persist(path).map_err(|e| Error::io(path, e.error))?;
        }
        WriteMode::CreateNew => match temp.persist_noclobber(path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(Error::io(path, e.error)),
        },
    }
    sync_dir(dir)?;
    Ok(true)
}

#[cfg(unix)]
fn new_file_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn new_file_permissions() -> Option<fs::Permissions> {
    None
}

/// Flushes a directory entry so a rename survives power loss.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    File::open(dir).and_then(|d| d.sync_all()).at_path(dir)?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// An exclusive lock held by the one process writing notes. Dropping it releases the lock.
///
/// Writers hold it only for a read-modify-write of one file, so a second `tn jot` waits a few
/// milliseconds instead of losing its line. Readers never take it.
pub struct WriterLock {
    _file: File,
}

impl WriterLock {
    pub fn acquire(lock_path: &Path) -> Result<WriterLock> {
        if let Some(dir) = lock_path.parent() {
            fs::create_dir_all(dir).at_path(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(lock_path)
            .at_path(lock_path)?;
        file.lock().at_path(lock_path)?;
        Ok(WriterLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_never_clobbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ron");
        assert!(write_atomic(&path, b"one", WriteMode::CreateNew).unwrap());
        assert!(!write_atomic(&path, b"two", WriteMode::CreateNew).unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"one");
        assert!(write_atomic(&path, b"three", WriteMode::Replace).unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"three");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(TEMP_PREFIX)
            })
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn replace_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ron");
        fs::write(&path, "x").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"y", WriteMode::Replace).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
}
