//! The index's tantivy `Directory`: memory-mapped files, without `fsync`.
//!
//! tantivy's `MmapDirectory` syncs every file of a commit and the directory itself: 18
//! `fdatasync` calls for a one-note refresh, about 18 ms of the 47 ms that `tn search` takes
//! right after a `tn jot` at 10k notes. The notes are synced on every write, and the index is
//! only a cache of them. A killed process needs no sync, because the page cache survives it.
//! A power cut can leave a commit's files unwritten, but then the index fails to open, or its
//! first search does, and it is rebuilt from the notes with a notice. That is the same path
//! as any other damage. Everything else, including the cross-process writer lock, is
//! `MmapDirectory`'s.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

#[derive(Debug, Clone)]
pub struct CacheDirectory {
    root: PathBuf,
    inner: MmapDirectory,
}

impl CacheDirectory {
    pub fn open(root: &Path) -> Result<CacheDirectory, OpenDirectoryError> {
        Ok(CacheDirectory {
            root: root.to_owned(),
            inner: MmapDirectory::open(root)?,
        })
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
        self.inner.get_file_handle(path)
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
        self.inner.atomic_read(path)
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

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
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
}
