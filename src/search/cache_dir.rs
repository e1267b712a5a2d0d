//! The index's tantivy `Directory`: memory-mapped files, without `fsync`.
//!
//! tantivy's `MmapDirectory` syncs every file of a commit and the directory itself: 18
//! `fdatasync` calls for a one-note refresh, about 18 ms of the 47 ms that `tn search` takes
//! right after a `tn jot` at 10k notes. The notes are synced on every write, and the index is
//! only a cache of them. A killed process needs no sync, because the page cache survives it.
//! A power cut can leave a commit's files unwritten, but then the index fails to open, or its
//! first search does, and it is rebuilt from the notes with a notice. That is the same path
//! as any other damage.
//!
//! Files are read, mapped and locked only once they are open and known to be regular files
//! (see [`crate::regular_file`]): `MmapDirectory` opens by path, so a named pipe at a segment
//! file or at tantivy's lock files blocked the process for good. Writes (`create_new`, which
//! never opens what is already there), deletes and renames are `MmapDirectory`'s.
//!
//! The directory is addressed by path, so it must never be renamed while open: the index
//! gives every build a directory of its own for that reason (see [`crate::index`]).

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use memmap2::Mmap;
use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, OwnedBytes,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};

use crate::error::Error;
use crate::regular_file;

/// The most `atomic_read` reads (tantivy's `meta.json` and `.managed.json`, a few KB).
const MAX_ATOMIC_READ: u64 = 64 << 20;

#[derive(Debug, Clone)]
pub struct CacheDirectory {
    root: PathBuf,
    inner: MmapDirectory,
    /// Files mapped and still in use, so a reader reloaded after a commit maps only the new
    /// segments' files (as `MmapDirectory` does).
    maps: Arc<Mutex<HashMap<PathBuf, Weak<Mmap>>>>,
}

impl CacheDirectory {
    pub fn open(root: &Path) -> Result<CacheDirectory, OpenDirectoryError> {
        Ok(CacheDirectory {
            root: root.to_owned(),
            inner: MmapDirectory::open(root)?,
            maps: Arc::default(),
        })
    }

    fn map(&self, path: &Path) -> Result<Option<Arc<Mmap>>, OpenReadError> {
        let full = self.root.join(path);
        let mut maps = self.maps.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(map) = maps.get(&full).and_then(Weak::upgrade) {
            return Ok(Some(map));
        }
        let file = regular_file::open_read(&full).map_err(|e| read_error(e, path))?;
        let len = file
            .metadata()
            .map_err(|e| OpenReadError::wrap_io_error(e, path.to_owned()))?
            .len();
        if len == 0 {
            // An empty file cannot be mapped.
            return Ok(None);
        }
        // SAFETY: index files are written once and never modified in place (tantivy's
        // write-once directory contract); one truncated by someone else is a SIGBUS, the
        // same as with `MmapDirectory` (see `crate::guard`).
        let map = Arc::new(
            unsafe { Mmap::map(&file) }
                .map_err(|e| OpenReadError::wrap_io_error(e, path.to_owned()))?,
        );
        maps.retain(|_, weak| weak.strong_count() > 0);
        maps.insert(full, Arc::downgrade(&map));
        Ok(Some(map))
    }
}

/// A mapped file shared by every reader of it.
struct Shared(Arc<Mmap>);

impl std::ops::Deref for Shared {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

// SAFETY: the bytes live in the mapping, which the `Arc` keeps in place however `Shared`
// moves.
unsafe impl stable_deref_trait::StableDeref for Shared {}

/// tantivy's error for a file that could not be opened: "does not exist" only when nothing
/// is there.
fn read_error(error: Error, path: &Path) -> OpenReadError {
    match error {
        Error::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
            OpenReadError::FileDoesNotExist(path.to_owned())
        }
        Error::Io { source, .. } => OpenReadError::wrap_io_error(source, path.to_owned()),
        other => OpenReadError::wrap_io_error(io::Error::other(other.to_string()), path.to_owned()),
    }
}

/// A file writer whose end flushes without syncing.
struct Unsynced(Box<dyn TerminatingWrite + Send + Sync>);

impl Write for Unsynced {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TerminatingWrite for Unsynced {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        self.0.flush()
    }
}

impl Directory for CacheDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let bytes = match self.map(path)? {
            Some(map) => OwnedBytes::new(Shared(map)),
            None => OwnedBytes::empty(),
        };
        Ok(Arc::new(bytes))
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = self
            .inner
            .open_write(path)?
            .into_inner()
            .map_err(|e| OpenWriteError::wrap_io_error(e.into_error(), path.to_owned()))?;
        Ok(BufWriter::new(Box::new(Unsynced(file))))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        let full = self.root.join(path);
        regular_file::open_read(&full)
            .and_then(|file| regular_file::read_bounded(&file, &full, MAX_ATOMIC_READ))
            .map_err(|e| read_error(e, path))
    }

    /// Still atomic (a temporary file renamed over the old one), so a reader never sees a
    /// half-written meta.json.
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let path = self.root.join(path);
        let parent = path.parent().unwrap_or(&self.root);
        let mut file = tempfile::Builder::new()
            .prefix(".tn-meta")
            .tempfile_in(parent)?;
        file.write_all(data)?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        Ok(())
    }

    /// `MmapDirectory`'s locks (an advisory lock on a file that is never deleted), on a file
    /// opened as a regular file.
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        let path = self.root.join(&lock.filepath);
        let file = regular_file::open_lock(&path)
            .map_err(|e| LockError::wrap_io_error(io::Error::other(e.to_string())))?;
        if lock.is_blocking {
            file.lock().map_err(LockError::wrap_io_error)?;
        } else if file.try_lock().is_err() {
            return Err(LockError::LockBusy);
        }
        // Dropping the file releases the lock.
        Ok(DirectoryLock::from(Box::new(file)))
    }

    /// Readers are reloaded by hand (`ReloadPolicy::Manual`), so nothing watches: no thread
    /// polling `meta.json` by path.
    fn watch(&self, _: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_atomic_writes_land_whole_and_leave_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDirectory::open(dir.path()).unwrap();
        cache.atomic_write(Path::new("meta.json"), b"one").unwrap();
        cache.atomic_write(Path::new("meta.json"), b"two").unwrap();
        assert_eq!(cache.atomic_read(Path::new("meta.json")).unwrap(), b"two");
        let mut file = cache.open_write(Path::new("seg.idx")).unwrap();
        file.write_all(b"postings").unwrap();
        file.terminate().unwrap();
        let read = cache.open_read(Path::new("seg.idx")).unwrap();
        assert_eq!(read.read_bytes().unwrap().as_slice(), b"postings");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["meta.json", "seg.idx"]);
    }

    #[cfg(unix)]
    #[test]
    fn named_pipes_are_errors_at_once_for_reads_and_locks() {
        // Regression (issue 18, item 9): `MmapDirectory` opened these by path and blocked.
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDirectory::open(dir.path()).unwrap();
        for name in ["seg.idx", "meta.json", ".tantivy-writer.lock"] {
            let status = std::process::Command::new("mkfifo")
                .arg(dir.path().join(name))
                .status()
                .unwrap();
            assert!(status.success());
        }
        let error = cache.open_read(Path::new("seg.idx")).err().unwrap();
        assert!(error.to_string().contains("named pipe"), "{error}");
        let error = cache.atomic_read(Path::new("meta.json")).unwrap_err();
        assert!(error.to_string().contains("named pipe"), "{error}");
        let lock = Lock {
            filepath: ".tantivy-writer.lock".into(),
            is_blocking: false,
        };
        let error = cache.acquire_lock(&lock).err().unwrap();
        assert!(format!("{error:?}").contains("named pipe"), "{error:?}");
        // A missing file is still "does not exist", which tantivy relies on.
        assert!(matches!(
            cache.open_read(Path::new("absent.pos")),
            Err(OpenReadError::FileDoesNotExist(_))
        ));
    }

    #[test]
    fn a_mapped_file_is_shared_while_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDirectory::open(dir.path()).unwrap();
        let mut file = cache.open_write(Path::new("seg.term")).unwrap();
        file.write_all(b"terms").unwrap();
        file.terminate().unwrap();
        let one = cache.map(Path::new("seg.term")).unwrap().unwrap();
        let two = cache.map(Path::new("seg.term")).unwrap().unwrap();
        assert!(Arc::ptr_eq(&one, &two));
        drop((one, two));
        assert_eq!(
            cache
                .open_read(Path::new("seg.term"))
                .unwrap()
                .read_bytes()
                .unwrap()
                .as_slice(),
            b"terms"
        );
    }
}
