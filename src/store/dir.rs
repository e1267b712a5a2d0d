//! Directory handles: every file tn writes in the knowledge base is reached from an open
//! directory, one name at a time, never through a symbolic link.
//!
//! A path is looked up again by every system call, so a directory replaced by a link between
//! two calls (`notes/conf` → `/somewhere/else`) would redirect the rest of a write. Holding
//! each directory open and naming files relative to it with `O_NOFOLLOW` makes the lookup
//! happen once: a note is written into the very directory tn checked, and [`Chain::verify`]
//! then tells whether that directory is still at its place (see [`super::atomic`]).
//!
//! rustix rather than cap-std: cap-std confines lookups beneath a directory but still follows
//! links that stay inside it, and it has no `renameat2(RENAME_EXCHANGE)`, which the checked
//! replacement of a note is built on. rustix is a thin, safe layer over exactly these calls.
//! File leases (`F_SETLEASE`), which rustix does not wrap, come from libc.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{self as rfs, AtFlags, FileType, Mode, OFlags, RenameFlags};
use rustix::io::Errno;

/// Which file a name led to: equal identities are the same file (or directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    dev: u64,
    ino: u64,
}

/// What a name in a directory holds, looked at without following a link.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    pub file_type: FileType,
    pub len: u64,
    pub identity: Identity,
}

// `st_dev`/`st_ino` are u64 on some targets and c_ulong on others.
#[allow(clippy::unnecessary_cast)]
fn entry_of(stat: &rfs::Stat) -> Entry {
    Entry {
        file_type: FileType::from_raw_mode(stat.st_mode),
        len: stat.st_size.max(0) as u64,
        identity: Identity {
            dev: stat.st_dev as u64,
            ino: stat.st_ino as u64,
        },
    }
}

/// What an open file is, from the file itself (`fstat`).
pub fn entry_of_file(file: &impl AsFd) -> io::Result<Entry> {
    Ok(entry_of(&rfs::fstat(file)?))
}

/// The permission bits of an open file.
pub fn mode_of_file(file: &impl AsFd) -> io::Result<u32> {
    Ok(rfs::fstat(file)?.st_mode & 0o7777)
}

/// An open directory, with the path it was reached by (used in messages only).
#[derive(Debug)]
pub struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

/// Flags for opening a file to read: never a link, never blocking on a named pipe or a
/// device, never becoming the controlling terminal.
fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

impl Dir {
    /// Opens a directory by its path, following links: where the knowledge base lives
    /// (`--dir`, a link to a synced folder) is the user's choice.
    pub fn open_path(path: &Path) -> io::Result<Dir> {
        let fd = rfs::open(
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Dir {
            fd,
            path: path.to_owned(),
        })
    }

    /// Opens directory `name` in this one. Unless `follow`, a link there is refused
    /// (`ELOOP`), and so is anything but a directory (`ENOTDIR`).
    pub fn open_dir(&self, name: &str, follow: bool) -> io::Result<Dir> {
        let mut flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        if !follow {
            flags |= OFlags::NOFOLLOW;
        }
        let fd = rfs::openat(&self.fd, name, flags, Mode::empty())?;
        Ok(Dir {
            fd,
            path: self.path.join(name),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What `name` holds, without following a link; `None` when nothing is there.
    pub fn entry(&self, name: &str) -> io::Result<Option<Entry>> {
        match rfs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(entry_of(&stat))),
            Err(Errno::NOENT) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub fn identity(&self) -> io::Result<Identity> {
        Ok(entry_of_file(&self.fd)?.identity)
    }

    /// Opens file `name` to read it. A link fails (`ELOOP`); a named pipe opens without
    /// blocking, so the caller's check that it is a regular file is what refuses it.
    pub fn open_file(&self, name: &str) -> io::Result<File> {
        let fd = rfs::openat(&self.fd, name, read_flags(), Mode::empty())?;
        Ok(File::from(fd))
    }

    /// Creates a new, empty file for writing under a fresh temporary name starting with
    /// `prefix`; returns the name and the file.
    pub fn create_temp(&self, prefix: &str, mode: u32) -> io::Result<(String, File)> {
        let flags = OFlags::WRONLY
            | OFlags::CREATE
            | OFlags::EXCL
            | OFlags::NOFOLLOW
            | OFlags::NOCTTY
            | OFlags::CLOEXEC;
        let mut attempt = 0u32;
        loop {
            let name = unique_name(prefix, attempt, ".tmp");
            match rfs::openat(&self.fd, name.as_str(), flags, Mode::from_raw_mode(mode)) {
                Ok(fd) => return Ok((name, File::from(fd))),
                Err(Errno::EXIST) if attempt < 100 => attempt += 1,
                Err(e) => return Err(e.into()),
            }
        }
    }

    pub fn mkdir(&self, name: &str, mode: u32) -> io::Result<()> {
        Ok(rfs::mkdirat(&self.fd, name, Mode::from_raw_mode(mode))?)
    }

    /// `renameat2` within this directory.
    pub fn rename(&self, from: &str, to: &str, flags: RenameFlags) -> io::Result<()> {
        if flags.is_empty() {
            return Ok(rfs::renameat(&self.fd, from, &self.fd, to)?);
        }
        rename_with(self, from, to, flags)
    }

    /// Moves `from` in this directory to `to` in `target`, failing if `to` exists.
    pub fn rename_noreplace_into(&self, from: &str, target: &Dir, to: &str) -> io::Result<()> {
        Ok(rfs::renameat_with(
            &self.fd,
            from,
            &target.fd,
            to,
            RenameFlags::NOREPLACE,
        )?)
    }

    /// A second name `to` for file `from` (fails if `to` exists).
    pub fn link(&self, from: &str, to: &str) -> io::Result<()> {
        Ok(rfs::linkat(&self.fd, from, &self.fd, to, AtFlags::empty())?)
    }

    pub fn unlink(&self, name: &str) -> io::Result<()> {
        Ok(rfs::unlinkat(&self.fd, name, AtFlags::empty())?)
    }

    pub fn rmdir(&self, name: &str) -> io::Result<()> {
        Ok(rfs::unlinkat(&self.fd, name, AtFlags::REMOVEDIR)?)
    }

    /// Flushes the directory's entries, so a rename survives a power cut.
    pub fn sync(&self) -> io::Result<()> {
        Ok(rfs::fsync(&self.fd)?)
    }

    /// The names in this directory with what they are (from the directory listing; a type
    /// the file system does not report is looked up without following links).
    pub fn names(&self) -> io::Result<Vec<(String, FileType)>> {
        let mut names = Vec::new();
        for entry in rfs::Dir::read_from(&self.fd)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().to_str() else {
                continue;
            };
            if name == "." || name == ".." {
                continue;
            }
            let mut file_type = entry.file_type();
            if file_type == FileType::Unknown {
                file_type = match self.entry(name)? {
                    Some(entry) => entry.file_type,
                    None => continue,
                };
            }
            names.push((name.to_owned(), file_type));
        }
        Ok(names)
    }
}

#[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
fn rename_with(dir: &Dir, from: &str, to: &str, flags: RenameFlags) -> io::Result<()> {
    Ok(rfs::renameat_with(&dir.fd, from, &dir.fd, to, flags)?)
}

#[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
fn rename_with(_: &Dir, _: &str, _: &str, _: RenameFlags) -> io::Result<()> {
    Err(Errno::NOSYS.into())
}

/// Whether a `renameat2` flag is not supported here (old kernel, a file system without it):
/// the caller falls back to what plain `rename` can do.
pub fn unsupported(error: &io::Error) -> bool {
    let raw = error.raw_os_error();
    [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP]
        .iter()
        .any(|e| raw == Some(e.raw_os_error()))
}

/// A name no other process picks: the process id, the time, and a counter.
pub fn unique_name(prefix: &str, attempt: u32, suffix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::UNIX_EPOCH
        .elapsed()
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}{}-{nanos:09}-{}-{attempt}{suffix}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The directories from the knowledge base's root down to the one a file is written in,
/// each opened from the one above it.
#[derive(Debug)]
pub struct Chain {
    /// Each directory with the name it was opened by in the one before and whether a link
    /// was allowed there (the first, the root, has no parent here).
    dirs: Vec<(Dir, Option<(String, bool)>)>,
}

impl Chain {
    pub fn root(path: &Path) -> io::Result<Chain> {
        Ok(Chain {
            dirs: vec![(Dir::open_path(path)?, None)],
        })
    }

    /// The chain one directory further down: `name` in the last one (see [`Dir::open_dir`]).
    pub fn descend(mut self, name: &str, follow: bool) -> io::Result<Chain> {
        let dir = self.last().open_dir(name, follow)?;
        self.dirs.push((dir, Some((name.to_owned(), follow))));
        Ok(self)
    }

    pub fn last(&self) -> &Dir {
        &self.dirs[self.dirs.len() - 1].0
    }

    /// Whether every directory is still where it was opened from. A directory moved away
    /// or replaced (by a link to somewhere else) since returns its path.
    pub fn verify(&self) -> Result<(), PathBuf> {
        for pair in self.dirs.windows(2) {
            let (parent, (dir, link)) = (&pair[0].0, (&pair[1].0, &pair[1].1));
            let Some((name, follow)) = link else { continue };
            let flags = if *follow {
                AtFlags::empty()
            } else {
                AtFlags::SYMLINK_NOFOLLOW
            };
            let now = rfs::statat(&parent.fd, name.as_str(), flags)
                .ok()
                .map(|s| entry_of(&s).identity);
            if now.is_none() || now != dir.identity().ok() {
                return Err(dir.path.clone());
            }
        }
        Ok(())
    }
}

/// Reads at most `limit` + 1 bytes of an open file from its start, so a caller can tell
/// that it is larger than the limit without reading it all.
pub fn read_limited(file: &File, limit: u64, hint: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(hint.min(limit) as usize);
    rfs::seek(file, rfs::SeekFrom::Start(0))?;
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Opens a file by path to read it: the last component may not be a link, and a named
/// pipe or a device opens without blocking; returns what the open file is. For files whose
/// path the user chose (an editor's draft), and for readers of notes, which then check the
/// type: a swap between a check by path and the open cannot make them block or follow.
pub fn open_path_file(path: &Path) -> io::Result<(File, Entry)> {
    let fd = rfs::open(path, read_flags(), Mode::empty())?;
    let file = File::from(fd);
    let entry = entry_of_file(&file)?;
    Ok((file, entry))
}

/// A read lease on an open file (Linux): while it is held, nobody else has the file open for
/// writing, and anyone who tries to open it for writing waits until it is released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lease {
    Held,
    /// The file is open for writing somewhere: a write to it may be under way.
    Busy,
    /// Leases are not available (not the file's owner, a file system without them, not
    /// Linux): nothing is known.
    Unknown,
}

#[cfg(target_os = "linux")]
pub fn take_read_lease(file: &File) -> Lease {
    use std::os::fd::AsRawFd;
    quiet_lease_breaks();
    // SAFETY: fcntl on a file descriptor this `File` owns, with integer arguments only.
    let result = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLEASE, libc::F_RDLCK) };
    if result == 0 {
        return Lease::Held;
    }
    match io::Error::last_os_error().raw_os_error() {
        Some(libc::EAGAIN) => Lease::Busy,
        _ => Lease::Unknown,
    }
}

/// Whether someone has tried to open the leased file for writing since the lease was taken
/// (the kernel then reports the lease it is breaking toward, `F_UNLCK`).
#[cfg(target_os = "linux")]
pub fn lease_broken(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    // SAFETY: as above.
    let lease = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLEASE) };
    lease != libc::F_RDLCK
}

/// Gives the lease back, so a writer waiting for it goes on at once.
#[cfg(target_os = "linux")]
pub fn release_lease(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: as above.
    unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK) };
}

#[cfg(not(target_os = "linux"))]
pub fn take_read_lease(_: &File) -> Lease {
    Lease::Unknown
}

#[cfg(not(target_os = "linux"))]
pub fn lease_broken(_: &File) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
pub fn release_lease(_: &File) {}

/// The kernel announces a broken lease with SIGIO, whose default action ends the process.
/// tn learns of a break by asking ([`lease_broken`]), so the signal only needs to be harmless:
/// a handler that does nothing (unlike an ignored signal, it is not inherited by an editor).
#[cfg(target_os = "linux")]
fn quiet_lease_breaks() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Registering cannot fail for SIGIO; if it did, leases would still work, only a
        // break would end the process as before.
        let _ = signal_hook::flag::register(signal_hook::consts::SIGIO, flag);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn links_are_never_followed_below_the_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("notes/ev")).unwrap();
        fs::create_dir_all(root.join("outside")).unwrap();
        fs::write(root.join("outside/t.ron"), "x").unwrap();
        std::os::unix::fs::symlink(root.join("outside"), root.join("notes/evx")).unwrap();
        std::os::unix::fs::symlink(root.join("outside/t.ron"), root.join("notes/ev/t.ron"))
            .unwrap();
        let notes = || Chain::root(root).unwrap().descend("notes", true).unwrap();
        // With O_DIRECTORY, Linux reports a link as "not a directory".
        let e = notes().descend("evx", false).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(Errno::NOTDIR.raw_os_error()));
        let ev = notes().descend("ev", false).unwrap();
        let e = ev.last().open_file("t.ron").unwrap_err();
        assert_eq!(e.raw_os_error(), Some(Errno::LOOP.raw_os_error()));
        let entry = ev.last().entry("t.ron").unwrap().unwrap();
        assert_eq!(entry.file_type, FileType::Symlink);
        assert!(ev.last().entry("none.ron").unwrap().is_none());
    }

    #[test]
    fn a_directory_moved_after_it_was_opened_is_noticed() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("notes/ev")).unwrap();
        let ev = Chain::root(root)
            .unwrap()
            .descend("notes", true)
            .unwrap()
            .descend("ev", false)
            .unwrap();
        assert!(ev.verify().is_ok());
        fs::rename(root.join("notes/ev"), root.join("moved")).unwrap();
        std::os::unix::fs::symlink(root.join("moved"), root.join("notes/ev")).unwrap();
        assert_eq!(ev.verify(), Err(root.join("notes/ev")));
        // The handle still names the directory itself, wherever it went.
        let (name, _) = ev.last().create_temp(".tn-", 0o600).unwrap();
        assert!(root.join("moved").join(name).is_file());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_read_lease_tells_whether_a_file_is_open_for_writing() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a");
        fs::write(&path, "x").unwrap();
        let (file, _) = open_path_file(&path).unwrap();
        let writer = fs::OpenOptions::new().append(true).open(&path).unwrap();
        let lease = take_read_lease(&file);
        // Not the owner and without CAP_LEASE, or no lease support: nothing to check.
        if lease == Lease::Unknown {
            return;
        }
        assert_eq!(lease, Lease::Busy);
        drop(writer);
        assert_eq!(take_read_lease(&file), Lease::Held);
        assert!(!lease_broken(&file));
        release_lease(&file);
    }
}
