//! Crash-safe file replacement and the knowledge base's writer lock.
//!
//! A note is written to a temporary file in the same directory, flushed to disk, and renamed
//! over the old one, then the directory itself is flushed. A crash at any moment leaves either
//! the old or the new file, never a torn one. Temporary files start with `.tn-` and are ignored
//! by every reader.

use std::fs::{self, File};
use std::io::{self, Write};
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
///
/// A failure to write (disk full, file-size limit, read-only directory) is an
/// [`Error::Save`] naming `path`, not the temporary file, which is removed.
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
    let save_error = |e: io::Error| Error::Save {
        path: path.to_owned(),
        during: None,
        source: without_path(e),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(save_error)?;
    // The file itself, not the wrapper, whose errors name the temporary path.
    temp.as_file_mut().write_all(bytes).map_err(save_error)?;
    temp.as_file().sync_all().map_err(save_error)?;
    // Keep a replaced note's permissions; new notes get ordinary document permissions rather
    // than the temporary file's 0600.
    let permissions = match mode {
        WriteMode::Replace => fs::metadata(path).map(|m| m.permissions()).ok(),
        WriteMode::CreateNew => new_file_permissions(),
    };
    if let Some(permissions) = permissions {
        fs::set_permissions(temp.path(), permissions).map_err(save_error)?;
    }
    match mode {
        WriteMode::Replace => {
            temp.persist(path).map_err(|e| save_error(e.error))?;
        }
        WriteMode::CreateNew => match temp.persist_noclobber(path) {
            Ok(_) => {}
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(save_error(e.error)),
        },
    }
    sync_dir(dir)?;
    Ok(true)
}

/// Creates directory `dir` holding one file `name` with `bytes`, atomically: the directory
/// is built under a temporary name beside it and renamed into place, so a crash never
/// leaves it empty. Returns `Ok(false)` when `dir` already exists (nothing is created).
pub fn create_dir_with_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<bool> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    let save_error = |e: io::Error| Error::Save {
        path: dir.join(name),
        during: None,
        source: without_path(e),
    };
    let unique = format!(
        "{TEMP_PREFIX}{}-{}.dir",
        std::process::id(),
        std::time::UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos())
    );
    let staging = parent.join(unique);
    // Not `tempfile::tempdir`: its 0700 mode would stick to the event directory.
    fs::DirBuilder::new().create(&staging).map_err(save_error)?;
    let built = write_atomic(&staging.join(name), bytes, WriteMode::CreateNew)
        // Name the file as the user knows it, not its staging place.
        .map_err(|e| match e {
            Error::Save { source, .. } => save_error(source),
            other => other,
        })
        .and_then(|_| {
            // rename(2) also replaces an empty directory; a non-empty one makes it fail.
            match fs::symlink_metadata(dir) {
                Ok(_) => Ok(false),
                Err(_) => fs::rename(&staging, dir).map(|()| true).map_err(save_error),
            }
        });
    if !matches!(built, Ok(true)) {
        let _ = fs::remove_dir_all(&staging);
    }
    let created = built?;
    if created {
        sync_dir(parent)?;
    }
    Ok(created)
}

/// Removes what a killed writer left in `dir`: temporary files and staging directories.
/// Only call it under the [`WriterLock`]: every writer of notes holds it while its temporary
/// file exists, so whatever is found then belongs to a process that died.
pub fn remove_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !name.starts_with(TEMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        // Best effort: a leftover is hidden from readers anyway.
        match entry.file_type() {
            Ok(t) if t.is_dir() && name.ends_with(".dir") => {
                let _ = fs::remove_dir_all(&path);
            }
            Ok(t) if t.is_file() && name.ends_with(".tmp") => {
                let _ = fs::remove_file(&path);
            }
            _ => {}
        }
    }
}

/// The OS error without the path `tempfile` appends to its message ("… at path …"): the
/// error that carries it names the note instead.
fn without_path(e: io::Error) -> io::Error {
    if e.raw_os_error().is_some() {
        return e;
    }
    let message = e.to_string();
    match message.split_once(" at path ") {
        Some((cause, _)) => io::Error::new(e.kind(), cause.to_owned()),
        None => e,
    }
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
        // Only ever a regular file: a named pipe here blocked every `tn jot` and froze the
        // TUI. In a read-only knowledge base the lock is still taken (flock needs no write
        // access), and the write itself then fails naming the note.
        let file = crate::regular_file::open_lock(lock_path)?;
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

    #[test]
    fn a_directory_appears_with_its_file_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let event = dir.path().join("ev");
        assert!(create_dir_with_file(&event, "event.ron", b"one").unwrap());
        assert_eq!(fs::read(event.join("event.ron")).unwrap(), b"one");
        // An existing directory is left as it is.
        assert!(!create_dir_with_file(&event, "event.ron", b"two").unwrap());
        assert_eq!(fs::read(event.join("event.ron")).unwrap(), b"one");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["ev"], "no staging directory is left");
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
