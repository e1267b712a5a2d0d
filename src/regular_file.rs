//! Opening files that must be regular files: tn's own state under `index/` (the writer and
//! build locks, the current-talk pointer, every file of the search index) and files the
//! environment names (`TZ`).
//!
//! A plain `open` of a named pipe blocks until someone opens the other end, so a FIFO left at
//! `index/.write.lock` froze every `tn jot` (and the TUI, where Ctrl-C is a key, not a
//! signal); a device such as `/dev/zero` reads without end. So files are opened with
//! `O_NONBLOCK` (opening a FIFO returns at once, or fails) and, for tn's own files,
//! `O_NOFOLLOW` (a link there leads nowhere tn should go); then `fstat` on the open file,
//! not on the path, decides: a regular file is used, anything else is an error naming the
//! path and what to do. Reads are bounded by the caller's limit.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use crate::error::{Error, IoContext, Result};

/// What to do about something that is not a regular file at one of tn's own paths.
pub const REMOVE_IT: &str = "remove it; tn recreates what belongs there";

/// Opens `path` for reading, without following a link at its last component.
pub fn open_read(path: &Path) -> Result<File> {
    open(path, Mode::Read, false)
}

/// Opens `path` for reading, following links (a `TZ` path such as `/etc/localtime` is
/// normally one); still only a regular file is accepted.
pub fn open_read_following(path: &Path) -> Result<File> {
    open(path, Mode::Read, true)
}

/// Opens (creating it if needed) the lock file at `path`, without following a link. Locking
/// needs no write access, so where the file cannot be opened for writing (a read-only
/// knowledge base) it is opened for reading.
pub fn open_lock(path: &Path) -> Result<File> {
    match open(path, Mode::Lock, false) {
        Err(Error::Io { source, .. })
            if matches!(
                source.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            ) =>
        {
            open(path, Mode::Read, false).map_err(|_| Error::io(path, source))
        }
        other => other,
    }
}

/// Reads an opened file whole, refusing more than `limit` bytes (a file that grew meanwhile
/// included).
pub fn read_bounded(mut file: &File, path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    (&mut file)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .at_path(path)?;
    if bytes.len() as u64 > limit {
        return Err(Error::io(
            path,
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("larger than the {limit} bytes tn reads from it"),
            ),
        ));
    }
    Ok(bytes)
}

/// Reads the regular file at `path` (not through a link), at most `limit` bytes; `None`
/// when there is nothing there.
pub fn read_small(path: &Path, limit: u64) -> Result<Option<Vec<u8>>> {
    match open_read(path) {
        Ok(file) => read_bounded(&file, path, limit).map(Some),
        Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether `error` says there was nothing at the path.
pub fn is_not_found(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound)
}

#[derive(Clone, Copy)]
enum Mode {
    Read,
    Lock,
}

fn open(path: &Path, mode: Mode, follow: bool) -> Result<File> {
    let mut options = OpenOptions::new();
    match mode {
        Mode::Read => options.read(true),
        Mode::Lock => options.write(true).create(true).truncate(false),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow { 0 } else { libc::O_NOFOLLOW };
        options.custom_flags(libc::O_NONBLOCK | nofollow);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) => {
            // A link (ELOOP under O_NOFOLLOW), or a FIFO with no reader or a socket (ENXIO):
            // say what is there rather than quote the errno.
            if e.kind() != io::ErrorKind::NotFound
                && let Ok(metadata) = fs::symlink_metadata(path)
                && !metadata.is_file()
                && !(follow && metadata.is_symlink())
            {
                return Err(not_a_file(path, &metadata.file_type()));
            }
            return Err(Error::io(path, e));
        }
    };
    let metadata = file.metadata().at_path(path)?;
    if !metadata.is_file() {
        return Err(not_a_file(path, &metadata.file_type()));
    }
    Ok(file)
}

fn not_a_file(path: &Path, file_type: &fs::FileType) -> Error {
    Error::NotAFile {
        path: path.to_owned(),
        found: describe(file_type),
        hint: REMOVE_IT.into(),
    }
}

/// What a file type is, in words.
pub fn describe(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_symlink() {
        crate::error::SYMLINK
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_file() {
        "a file"
    } else {
        "something that is not a file"
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(status.success());
    }

    #[test]
    fn a_named_pipe_is_refused_at_once_for_reading_and_locking() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("pipe");
        mkfifo(&pipe);
        for result in [
            open_read(&pipe),
            open_lock(&pipe),
            open_read_following(&pipe),
        ] {
            match result {
                Err(Error::NotAFile { found, path, .. }) => {
                    assert_eq!(found, "a named pipe (FIFO)");
                    assert_eq!(path, pipe);
                }
                other => panic!("{other:?}"),
            }
        }
        let hint = open_lock(&pipe).unwrap_err().hint().unwrap_or_default();
        assert!(hint.contains("remove it"), "{hint}");
    }

    #[test]
    fn links_are_refused_unless_followed_and_devices_always() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, "content").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(
            open_read(&link),
            Err(Error::NotAFile {
                found: crate::error::SYMLINK,
                ..
            })
        ));
        assert!(matches!(
            open_lock(&link),
            Err(Error::NotAFile {
                found: crate::error::SYMLINK,
                ..
            })
        ));
        let file = open_read_following(&link).unwrap();
        assert_eq!(read_bounded(&file, &link, 100).unwrap(), b"content");
        assert!(matches!(
            open_read_following(Path::new("/dev/zero")),
            Err(Error::NotAFile {
                found: "a device",
                ..
            })
        ));
        assert!(matches!(
            open_read(dir.path()),
            Err(Error::NotAFile {
                found: "a directory",
                ..
            })
        ));
    }

    #[test]
    fn reads_are_bounded_and_a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert_eq!(read_small(&path, 10).unwrap(), None);
        fs::write(&path, "0123456789").unwrap();
        assert_eq!(read_small(&path, 10).unwrap().unwrap(), b"0123456789");
        let error = read_small(&path, 9).unwrap_err().to_string();
        assert!(error.contains("larger than the 9 bytes"), "{error}");
        // A lock file is created when missing, and a regular one is reused.
        let lock = dir.path().join("lock");
        open_lock(&lock).unwrap();
        assert!(lock.is_file());
        open_lock(&lock).unwrap();
    }
}
