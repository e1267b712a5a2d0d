//! Crash-safe, checked file replacement, and the knowledge base's writer lock.
//!
//! A file is written to a temporary file in the same directory (`.tn-…`, ignored by every
//! reader), flushed to disk and renamed into place, then the directory itself is flushed: a
//! crash at any moment leaves the old or the new file, never a torn one. Every step names
//! files relative to open directories ([`super::dir`]), so a directory swapped for a link
//! meanwhile cannot redirect a write, and a directory moved away during one is noticed.
//!
//! # Nobody else's save is replaced unseen
//!
//! Editors write a note whenever they like and take no lock. Comparing the note with what tn
//! read and then renaming leaves a window between the two in which an editor's save would be
//! replaced without a word. So [`replace_checked`] closes it from both sides:
//!
//! - From the read on, tn holds a read lease (`F_SETLEASE`) on the note: the kernel grants it
//!   only while nobody has the file open for writing, and a program that then opens it for
//!   writing waits (for tn's few milliseconds at most) while tn sees that it wants to. Just
//!   before renaming, tn looks: someone waiting, or the note replaced by a rename meanwhile,
//!   and tn steps back, lets them write, and starts again from their version.
//! - The rename itself is the final comparison: `renameat2(RENAME_EXCHANGE)` swaps tn's new
//!   file with whatever is at the note's name at that instant, so afterwards the temporary
//!   name holds exactly the file tn displaced. If that is still what tn read, it is deleted
//!   and the write is done; otherwise the two are swapped back, the other writer's version is
//!   in place again, and the caller re-applies or merges its change on it
//!   ([`super::reconcile`]).
//!
//! A write into the displaced file *after* the exchange, by a program that opened the note
//! before it and writes after, would be lost with that file. It cannot happen unseen: such a
//! program is a writer the lease saw (it could not have opened the note for writing without
//! breaking the lease or making it impossible to take), and the file cannot be opened by the
//! note's name any more. Likewise nobody can write into tn's new file while it is at the
//! note's name but not yet confirmed: tn holds a lease on it too, and if it has to be taken
//! back with someone's write pending, it is kept aside and reported, never deleted.
//!
//! Without leases (another user's file, a file system or system without them) the content
//! comparisons remain; the one write that could then be missed is one by a program that
//! opened the note without truncating it before the exchange and writes only after the
//! comparison. (Programs that write in place truncate on open, which changes the file at once.)
//! Where `RENAME_EXCHANGE` is not supported, the note's name is checked to still lead to the
//! unchanged file tn read just before a plain rename: the window is that of one system call.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, RenameFlags};

use super::MAX_NOTE_BYTES;
use super::dir::{self, Chain, Dir, Identity, Lease, entry_of_file, read_limited, take_read_lease};
use crate::error::{Error, IoContext, Result};

/// Prefix of temporary files; readers skip hidden files, so a crash leftover is never a note.
pub const TEMP_PREFIX: &str = ".tn-";

/// Permissions of a file tn creates: an ordinary document, not the temporary file's 0600.
const NEW_FILE_MODE: u32 = 0o644;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    /// Fail with `AlreadyExists` semantics if the target exists (checked atomically).
    CreateNew,
    /// Replace the target, keeping its permissions.
    Replace,
}

/// What [`replace_checked`] found at the note's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replaced {
    /// The note held what tn read and now holds the new content.
    Written,
    /// Someone else changed (or removed) the note since tn read it: their version is in
    /// place and nothing of tn's was written.
    Changed,
}

/// The note as tn read it: the open file, its bytes, and whether tn has held a read lease on
/// it since reading it (then nobody has written it unless the lease was broken).
pub struct Base<'a> {
    pub file: &'a File,
    pub bytes: &'a [u8],
    pub lease: Lease,
}

/// Writes `bytes` to `path` atomically (a file outside the knowledge base, such as an
/// export). With `CreateNew`, returns `Ok(false)` when the file already exists and nothing
/// was written.
///
/// A failure to write (disk full, file-size limit, read-only directory) is an
/// [`Error::Save`] naming `path`, not the temporary file, which is removed.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: WriteMode) -> Result<bool> {
    // A bare file name ("backup.json") has an empty parent: the working directory.
    let (dir, name) = match (path.parent(), path.file_name().and_then(|n| n.to_str())) {
        (Some(dir), Some(name)) if dir.as_os_str().is_empty() => (Path::new("."), name),
        (Some(dir), Some(name)) => (dir, name),
        _ => {
            return Err(Error::Invalid(format!(
                "{} is not a file path",
                path.display()
            )));
        }
    };
    let dir = Dir::open_path(dir).map_err(save_error(path))?;
    match mode {
        WriteMode::CreateNew => create_new_in(&dir, name, bytes, path).map(|c| c.is_some()),
        WriteMode::Replace => replace(&dir, name, bytes, path).map(|()| true),
    }
}

/// Creates file `name` in the last directory of `chain`, holding `bytes`. Returns
/// `Ok(false)` when something is already there (nothing is written).
pub fn create_new(chain: &Chain, name: &str, bytes: &[u8], path: &Path) -> Result<bool> {
    let dir = chain.last();
    let Some(created) = create_new_in(dir, name, bytes, path)? else {
        return Ok(false);
    };
    if let Err(moved) = chain.verify() {
        // Take back what was written into a directory that is no longer in its place.
        if dir.entry(name).ok().flatten().map(|e| e.identity) == Some(created) {
            let _ = dir.unlink(name);
        }
        return Err(moved_error(path, moved));
    }
    Ok(true)
}

/// Creates `name` in `dir`; the new file's identity, or `None` when something is there.
fn create_new_in(dir: &Dir, name: &str, bytes: &[u8], path: &Path) -> Result<Option<Identity>> {
    let temp = Temp::write(dir, bytes, NEW_FILE_MODE).map_err(save_error(path))?;
    before_rename(path, || false);
    let renamed = match dir.rename(&temp.name, name, RenameFlags::NOREPLACE) {
        Err(e) if dir::unsupported(&e) => dir.link(&temp.name, name),
        other => other,
    };
    temp.discard_if_there();
    match renamed {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => return Err(save_error(path)(e)),
    }
    dir.sync().map_err(save_error(path))?;
    Ok(Some(temp.identity))
}

/// Replaces file `name` in `dir` without looking at what it held (a pointer in `index/`, an
/// export), keeping its permissions.
pub fn replace(dir: &Dir, name: &str, bytes: &[u8], path: &Path) -> Result<()> {
    let mode = match dir.open_file(name) {
        Ok(file) => dir::mode_of_file(&file).unwrap_or(NEW_FILE_MODE),
        Err(_) => NEW_FILE_MODE,
    };
    let temp = Temp::write(dir, bytes, mode).map_err(save_error(path))?;
    before_rename(path, || false);
    let renamed = dir.rename(&temp.name, name, RenameFlags::empty());
    if renamed.is_err() {
        temp.discard_if_there();
    }
    renamed.map_err(save_error(path))?;
    dir.sync().map_err(save_error(path))
}

/// Replaces note `name` in the last directory of `chain` with `bytes`, unless it no longer
/// holds `base` (see the module documentation). A directory of `chain` moved away meanwhile
/// is an [`Error::Moved`], and nothing is written.
pub fn replace_checked(
    chain: &Chain,
    name: &str,
    base: &Base<'_>,
    bytes: &[u8],
    path: &Path,
) -> Result<Replaced> {
    let dir = chain.last();
    let mode = dir::mode_of_file(base.file).unwrap_or(NEW_FILE_MODE);
    let read = entry_of_file(base.file).map_err(save_error(path))?.identity;
    let temp = Temp::write(dir, bytes, mode).map_err(save_error(path))?;
    before_rename(path, || {
        base.lease == Lease::Held && dir::lease_broken(base.file)
    });
    // Cheap looks first, so that tn's file is not shown at the note's name for nothing: is
    // someone waiting to write the note (the lease is being broken), or has it been replaced?
    let replaced_meanwhile = dir.entry(name).ok().flatten().map(|e| e.identity) != Some(read);
    if replaced_meanwhile || (base.lease == Lease::Held && dir::lease_broken(base.file)) {
        temp.discard_if_there();
        return Ok(Replaced::Changed);
    }
    // Nobody may write into tn's file while it is at the note's name and not yet confirmed:
    // a writer that tries waits, and is seen.
    let ours = Guard::take(dir, &temp.name);
    match dir.rename(&temp.name, name, RenameFlags::EXCHANGE) {
        Ok(()) => {}
        // Nothing at the note's name: someone removed it.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            temp.discard_if_there();
            return Ok(Replaced::Changed);
        }
        Err(e) if dir::unsupported(&e) => {
            drop(ours);
            return replace_by_rename(chain, name, base, temp, path);
        }
        Err(e) => {
            temp.discard_if_there();
            return Err(save_error(path)(e));
        }
    }
    // The note's name now leads to tn's file, the temporary name to what was there.
    if let Err(moved) = chain.verify() {
        swap_back(dir, &temp, &ours, name, path, bytes)?;
        return Err(moved_error(path, moved));
    }
    let displaced = Displaced::inspect(dir, &temp.name, base, read);
    if displaced.unchanged {
        // Best effort: a leftover is hidden, and swept by the next write here.
        let _ = dir.unlink(&temp.name);
        drop(displaced);
        dir.sync().map_err(save_error(path))?;
        // Dropping `ours` lets a writer waiting for tn's file go on: it is the note now.
        return Ok(Replaced::Written);
    }
    swap_back(dir, &temp, &ours, name, path, bytes)?;
    // Only now may a writer waiting to open the displaced file go on: it is in place again.
    drop(displaced);
    dir.sync().map_err(save_error(path))?;
    Ok(Replaced::Changed)
}

/// Without `RENAME_EXCHANGE`: check as late as possible that the note's name still leads to
/// the unchanged file tn read, then rename over it.
fn replace_by_rename(
    chain: &Chain,
    name: &str,
    base: &Base<'_>,
    temp: Temp<'_>,
    path: &Path,
) -> Result<Replaced> {
    let dir = chain.last();
    let read = entry_of_file(base.file).ok().map(|e| e.identity);
    let at_name = dir.entry(name).ok().flatten().map(|e| e.identity);
    let lease = match base.lease {
        Lease::Held => Lease::Held,
        _ => take_read_lease(base.file),
    };
    let unchanged = at_name.is_some()
        && at_name == read
        && lease != Lease::Busy
        && !(lease == Lease::Held && dir::lease_broken(base.file))
        && read_limited(base.file, MAX_NOTE_BYTES, base.bytes.len() as u64)
            .is_ok_and(|now| now == base.bytes);
    if !unchanged {
        temp.discard_if_there();
        return Ok(Replaced::Changed);
    }
    if let Err(moved) = chain.verify() {
        temp.discard_if_there();
        return Err(moved_error(path, moved));
    }
    let renamed = dir.rename(&temp.name, name, RenameFlags::empty());
    if renamed.is_err() {
        temp.discard_if_there();
    }
    renamed.map_err(save_error(path))?;
    dir.sync().map_err(save_error(path))?;
    Ok(Replaced::Written)
}

/// A file held open with a read lease, where leases exist: while held, whoever tries to open
/// it for writing waits, and [`Guard::wanted`] says so.
struct Guard {
    file: Option<File>,
    lease: Lease,
}

impl Guard {
    fn take(dir: &Dir, name: &str) -> Guard {
        match dir.open_file(name) {
            Ok(file) => {
                let lease = take_read_lease(&file);
                Guard {
                    file: Some(file),
                    lease,
                }
            }
            Err(_) => Guard {
                file: None,
                lease: Lease::Unknown,
            },
        }
    }

    /// Whether someone has (or wants) the file open for writing.
    fn wanted(&self) -> bool {
        match (&self.file, self.lease) {
            (_, Lease::Busy) => true,
            (Some(file), Lease::Held) => dir::lease_broken(file),
            _ => false,
        }
    }
}

/// What the exchange displaced, looked at once nobody can reach it by the note's name.
struct Displaced {
    unchanged: bool,
    /// Held (with its lease) until the displaced file is deleted or back in place.
    _guard: Option<Guard>,
}

impl Displaced {
    fn inspect(dir: &Dir, name: &str, base: &Base<'_>, read: Identity) -> Displaced {
        let changed = Displaced {
            unchanged: false,
            _guard: None,
        };
        // A link, a named pipe, anything unreadable: not the note tn read.
        let Ok(file) = dir.open_file(name) else {
            return changed;
        };
        let Ok(entry) = entry_of_file(&file) else {
            return changed;
        };
        if entry.file_type != FileType::RegularFile {
            return changed;
        }
        // The file tn read, leased since it was read: nobody has written it unless someone
        // broke the lease. Anything else is looked at afresh.
        let guard = if entry.identity == read && base.lease == Lease::Held {
            Guard {
                file: None,
                lease: if dir::lease_broken(base.file) {
                    Lease::Busy
                } else {
                    Lease::Held
                },
            }
        } else {
            let lease = take_read_lease(&file);
            Guard {
                file: Some(file.try_clone().ok()).flatten(),
                lease,
            }
        };
        let unchanged = !guard.wanted()
            && read_limited(&file, MAX_NOTE_BYTES, entry.len).is_ok_and(|now| now == base.bytes);
        Displaced {
            unchanged,
            _guard: Some(guard),
        }
    }
}

/// Undoes an exchange: the note's name gets back what the exchange displaced, and tn's file,
/// back at the temporary name, is deleted, unless someone wrote into it (or is about to)
/// while it was at the note's name: then it holds their save, which is kept (an
/// [`Error::Conflict`] says where).
fn swap_back(
    dir: &Dir,
    temp: &Temp<'_>,
    ours: &Guard,
    name: &str,
    path: &Path,
    bytes: &[u8],
) -> Result<()> {
    let displaced = dir.entry(&temp.name).ok().flatten().map(|e| e.identity);
    for _ in 0..3 {
        if let Err(e) = dir.rename(&temp.name, name, RenameFlags::EXCHANGE) {
            return Err(keep_aside(dir, temp, path, Some(e)));
        }
        match dir.entry(&temp.name).ok().flatten() {
            None => return Ok(()),
            Some(entry) if entry.identity == temp.identity => {
                let written = dir
                    .open_file(&temp.name)
                    .and_then(|f| read_limited(&f, MAX_NOTE_BYTES, bytes.len() as u64));
                if ours.wanted() || !written.is_ok_and(|now| now == bytes) {
                    return Err(keep_aside(dir, temp, path, None));
                }
                let _ = dir.unlink(&temp.name);
                return Ok(());
            }
            // The version a newer one replaced (after a second swap): superseded.
            Some(entry) if Some(entry.identity) == displaced => {
                let _ = dir.unlink(&temp.name);
                return Ok(());
            }
            // Another writer renamed a newer version over tn's meanwhile: that one is what its
            // writer put at the note's place, so it goes back there.
            Some(_) => {}
        }
    }
    Err(keep_aside(dir, temp, path, None))
}

/// A version of the note that cannot go back in place (someone saved into tn's file while it
/// was at the note's name, or the note kept changing) is moved to a name no sweep removes,
/// and the error says where. `cause` is a failure to put it back.
fn keep_aside(dir: &Dir, temp: &Temp<'_>, path: &Path, cause: Option<io::Error>) -> Error {
    let kept = dir::unique_name(&format!("{TEMP_PREFIX}kept-"), 0, ".ron");
    let at = match dir.rename(&temp.name, &kept, RenameFlags::empty()) {
        Ok(()) => dir.path().join(kept),
        Err(_) => dir.path().join(&temp.name),
    };
    match cause {
        Some(source) => Error::Save {
            path: path.to_owned(),
            during: Some(at),
            source,
        },
        None => Error::SavedTwice {
            path: path.to_owned(),
            kept: at,
        },
    }
}

/// A temporary file written and flushed, not yet in place.
struct Temp<'d> {
    dir: &'d Dir,
    name: String,
    identity: Identity,
}

impl<'d> Temp<'d> {
    fn write(dir: &'d Dir, bytes: &[u8], mode: u32) -> io::Result<Temp<'d>> {
        let (name, mut file) = dir.create_temp(TEMP_PREFIX, 0o600)?;
        let written = (|| {
            file.write_all(bytes)?;
            // Set on the open file: the mode is exact, whatever the umask.
            rustix::fs::fchmod(&file, rustix::fs::Mode::from_raw_mode(mode))?;
            file.sync_all()?;
            entry_of_file(&file)
        })();
        match written {
            Ok(entry) => Ok(Temp {
                dir,
                name,
                identity: entry.identity,
            }),
            Err(e) => {
                let _ = dir.unlink(&name);
                Err(e)
            }
        }
    }

    /// Deletes the temporary name if it still leads to this file.
    fn discard_if_there(&self) {
        if let Ok(Some(entry)) = self.dir.entry(&self.name)
            && entry.identity == self.identity
        {
            let _ = self.dir.unlink(&self.name);
        }
    }
}

/// A failure to write `path` (disk full, file-size limit, read-only directory).
fn save_error(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Save {
        path: path.to_owned(),
        during: None,
        source,
    }
}

fn moved_error(path: &Path, dir: PathBuf) -> Error {
    Error::Moved {
        path: path.to_owned(),
        dir,
    }
}

/// Test-only fault injection, in debug builds only: `TN_TEST_BEFORE_RENAME` is a shell
/// command run just before a write's temporary file is renamed into place, with
/// `TN_TEST_NOTE` set to the file being written, so that a test can change that file or its
/// directory at exactly the moment a race would. tn waits for it, unless `waited_on` says
/// that the hook is itself waiting for tn (a write to the note waits for tn's read lease):
/// then tn goes on, as it would with any other writer.
#[cfg(debug_assertions)]
fn before_rename(path: &Path, waited_on: impl Fn() -> bool) {
    let Some(command) = std::env::var_os("TN_TEST_BEFORE_RENAME") else {
        return;
    };
    let Ok(mut hook) = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("TN_TEST_NOTE", path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
    else {
        return;
    };
    loop {
        if !matches!(hook.try_wait(), Ok(None)) {
            return;
        }
        if waited_on() {
            std::thread::spawn(move || hook.wait());
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

#[cfg(not(debug_assertions))]
fn before_rename(_: &Path, _: impl Fn() -> bool) {}

/// Creates directory `name` in the last directory of `parent`, holding one file `file` with
/// `bytes`, atomically: the directory is built under a temporary name beside it and renamed
/// into place, so a crash never leaves it empty. Returns `Ok(false)` when something is
/// already at `name` (nothing is created).
pub fn create_dir_with_file(
    parent: &Chain,
    name: &str,
    file: &str,
    bytes: &[u8],
    path: &Path,
) -> Result<bool> {
    let outer = parent.last();
    let staging = dir::unique_name(TEMP_PREFIX, 0, ".dir");
    // The umask applies, as to any directory the user makes.
    outer.mkdir(&staging, 0o777).map_err(save_error(path))?;
    let built = outer
        .open_dir(&staging, false)
        .map_err(save_error(path))
        .and_then(|staged| {
            if create_new_in(&staged, file, bytes, path)?.is_none() {
                return Err(save_error(path)(io::ErrorKind::AlreadyExists.into()));
            }
            before_rename(path, || false);
            match outer.rename(&staging, name, RenameFlags::NOREPLACE) {
                Ok(()) => Ok(true),
                Err(e) if matches!(e.kind(), io::ErrorKind::AlreadyExists) => Ok(false),
                // rename(2) also replaces an empty directory; a non-empty one makes it fail.
                Err(e) if dir::unsupported(&e) => match outer.entry(name) {
                    Ok(None) => outer
                        .rename(&staging, name, RenameFlags::empty())
                        .map(|()| true)
                        .map_err(save_error(path)),
                    _ => Ok(false),
                },
                Err(e) => Err(save_error(path)(e)),
            }
        });
    if !matches!(built, Ok(true)) {
        remove_staging(outer, &staging);
        return built;
    }
    if let Err(moved) = parent.verify() {
        remove_staging(outer, name);
        return Err(moved_error(path, moved));
    }
    outer.sync().map_err(save_error(path))?;
    Ok(true)
}

/// Removes a staging directory tn made (its files, then itself), never following a link.
fn remove_staging(dir: &Dir, name: &str) {
    if let Ok(staged) = dir.open_dir(name, false) {
        for (file, file_type) in staged.names().unwrap_or_default() {
            if file_type == FileType::RegularFile {
                let _ = staged.unlink(&file);
            }
        }
    }
    let _ = dir.rmdir(name);
}

/// Removes what a killed writer left in `dir`: temporary files and staging directories.
/// Only call it under the [`WriterLock`]: every writer of notes holds it while its temporary
/// file exists, so whatever is found then belongs to a process that died.
pub fn remove_leftovers(dir: &Dir) {
    // Best effort: a leftover is hidden from readers anyway.
    for (name, file_type) in dir.names().unwrap_or_default() {
        if !name.starts_with(TEMP_PREFIX) {
            continue;
        }
        if file_type == FileType::Directory && name.ends_with(".dir") {
            remove_staging(dir, &name);
        } else if file_type == FileType::RegularFile && name.ends_with(".tmp") {
            let _ = dir.unlink(&name);
        }
    }
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
        let parent = Chain::root(dir.path()).unwrap();
        let make = |bytes: &[u8]| {
            create_dir_with_file(&parent, "ev", "event.ron", bytes, &event.join("event.ron"))
        };
        assert!(make(b"one").unwrap());
        assert_eq!(fs::read(event.join("event.ron")).unwrap(), b"one");
        // An existing directory is left as it is.
        assert!(!make(b"two").unwrap());
        assert_eq!(fs::read(event.join("event.ron")).unwrap(), b"one");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["ev"], "no staging directory is left");
    }

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

#[cfg(test)]
mod checked_tests {
    use super::*;
    use std::fs::OpenOptions;
    use std::os::unix::fs::PermissionsExt;

    /// A directory with note `a.ron`, opened as a chain, and the note read as tn reads it
    /// (without a lease; `leased` takes one, as the store does).
    struct Case {
        tmp: tempfile::TempDir,
        chain: Chain,
        file: File,
        bytes: Vec<u8>,
        lease: Lease,
    }

    impl Case {
        fn leased() -> Case {
            let mut case = Case::new();
            case.lease = take_read_lease(&case.file);
            case
        }

        fn new() -> Case {
            let tmp = tempfile::tempdir().unwrap();
            fs::write(tmp.path().join("a.ron"), "base").unwrap();
            fs::set_permissions(tmp.path().join("a.ron"), fs::Permissions::from_mode(0o640))
                .unwrap();
            let chain = Chain::root(tmp.path()).unwrap();
            let file = chain.last().open_file("a.ron").unwrap();
            let bytes = read_limited(&file, MAX_NOTE_BYTES, 4).unwrap();
            Case {
                tmp,
                chain,
                file,
                bytes,
                lease: Lease::Unknown,
            }
        }

        fn path(&self) -> PathBuf {
            self.tmp.path().join("a.ron")
        }

        fn replace(&self, exchange: bool) -> Replaced {
            let base = Base {
                file: &self.file,
                bytes: &self.bytes,
                lease: self.lease,
            };
            if exchange {
                replace_checked(&self.chain, "a.ron", &base, b"ours", &self.path()).unwrap()
            } else {
                let temp = Temp::write(self.chain.last(), b"ours", 0o640).unwrap();
                replace_by_rename(&self.chain, "a.ron", &base, temp, &self.path()).unwrap()
            }
        }

        fn names(&self) -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(self.tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        }
    }

    #[test]
    fn an_unchanged_note_is_replaced() {
        for (exchange, case) in [
            (true, Case::new()),
            (false, Case::new()),
            (true, Case::leased()),
            (false, Case::leased()),
        ] {
            assert_eq!(case.replace(exchange), Replaced::Written);
            assert_eq!(fs::read(case.path()).unwrap(), b"ours");
            let mode = fs::metadata(case.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
            assert_eq!(case.names(), ["a.ron"], "nothing left behind");
        }
    }

    #[test]
    fn a_note_written_in_place_since_it_was_read_is_put_back() {
        for exchange in [true, false] {
            let case = Case::new();
            fs::write(case.path(), "theirs").unwrap();
            assert_eq!(case.replace(exchange), Replaced::Changed);
            assert_eq!(fs::read(case.path()).unwrap(), b"theirs");
            assert_eq!(case.names(), ["a.ron"]);
        }
    }

    #[test]
    fn a_note_renamed_over_since_it_was_read_is_put_back() {
        for exchange in [true, false] {
            let case = Case::new();
            fs::write(case.tmp.path().join("new"), "base").unwrap();
            fs::rename(case.tmp.path().join("new"), case.path()).unwrap();
            // Another file, even with the same bytes: the caller reads it again.
            assert_eq!(case.replace(exchange), Replaced::Changed);
            let case = Case::new();
            fs::write(case.tmp.path().join("new"), "theirs").unwrap();
            fs::rename(case.tmp.path().join("new"), case.path()).unwrap();
            assert_eq!(case.replace(exchange), Replaced::Changed);
            assert_eq!(fs::read(case.path()).unwrap(), b"theirs");
            assert_eq!(case.names(), ["a.ron"]);
        }
    }

    #[test]
    fn a_removed_note_is_not_recreated() {
        for exchange in [true, false] {
            let case = Case::new();
            fs::remove_file(case.path()).unwrap();
            assert_eq!(case.replace(exchange), Replaced::Changed);
            assert!(case.names().is_empty(), "{:?}", case.names());
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_writer_waiting_for_the_lease_is_let_through_and_nothing_is_written() {
        let case = Case::leased();
        if case.lease != Lease::Held {
            return; // no leases here (not the owner, or not supported)
        }
        let path = case.path();
        // Its open waits for tn's lease.
        let writer = std::thread::spawn(move || fs::write(path, "theirs").unwrap());
        let started = std::time::Instant::now();
        while !dir::lease_broken(&case.file) {
            assert!(started.elapsed().as_secs() < 30, "the writer never asked");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(case.replace(true), Replaced::Changed);
        dir::release_lease(&case.file);
        writer.join().unwrap();
        assert_eq!(fs::read(case.path()).unwrap(), b"theirs");
        assert_eq!(case.names(), ["a.ron"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_note_open_for_writing_is_put_back() {
        // A writer that opened the note before tn's rename and writes after it.
        let case = Case::new();
        if take_read_lease(&case.file) == Lease::Unknown {
            return; // no leases here (not the owner, or not supported)
        }
        dir::release_lease(&case.file);
        let mut writer = OpenOptions::new().write(true).open(case.path()).unwrap();
        assert_eq!(case.replace(true), Replaced::Changed);
        writer.write_all(b"THEIRS").unwrap();
        drop(writer);
        assert_eq!(fs::read(case.path()).unwrap(), b"THEIRS");
        assert_eq!(case.names(), ["a.ron"]);
    }

    #[test]
    fn a_directory_moved_during_the_write_is_left_as_it_was() {
        let case = Case::new();
        let outside = tempfile::tempdir().unwrap();
        let moved = outside.path().join("moved");
        fs::rename(case.tmp.path(), &moved).unwrap();
        let chain = Chain::root(outside.path())
            .unwrap()
            .descend("moved", false)
            .unwrap();
        let file = chain.last().open_file("a.ron").unwrap();
        fs::rename(&moved, outside.path().join("elsewhere")).unwrap();
        std::os::unix::fs::symlink(case.tmp.path(), &moved).ok();
        fs::create_dir_all(case.tmp.path()).unwrap();
        let base = Base {
            file: &file,
            bytes: b"base",
            lease: Lease::Unknown,
        };
        let err =
            replace_checked(&chain, "a.ron", &base, b"ours", &moved.join("a.ron")).unwrap_err();
        assert!(matches!(err, Error::Moved { .. }), "{err}");
        let elsewhere = outside.path().join("elsewhere");
        assert_eq!(fs::read(elsewhere.join("a.ron")).unwrap(), b"base");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 1);
        assert_eq!(fs::read_dir(case.tmp.path()).unwrap().count(), 0);
        let err = create_new(&chain, "b.ron", b"new", &moved.join("b.ron")).unwrap_err();
        assert!(matches!(err, Error::Moved { .. }), "{err}");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 1);
    }
}
