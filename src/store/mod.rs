//! The knowledge base on disk: `notes/<event-id>/event.ron` and `notes/<event-id>/<talk-id>.ron`.
//!
//! The note files are the only source of truth. Everything that writes one goes through this
//! module, which guarantees three things: a write is atomic (see [`atomic`]); a file changed on
//! disk since it was read is never overwritten blindly (writers hold one lock and re-read under
//! it); and a file is never rewritten in a way that would drop user content (comments).
//! Readers never lock and skip an invalid note with a problem report instead of failing.
//!
//! This is the one module that reads and writes note files, and it is long (about 900 lines)
//! for that reason: every rule about what may be read or written lives in one place, the
//! atomic write and the writer lock in [`atomic`], parsing in [`codec`].

pub mod atomic;
pub mod codec;

use std::collections::BTreeMap;
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::{Error, IoContext, NoteError, Result};
use crate::note::{EVENT_FILE_STEM, Event, Slug, Talk, TalkRef};
use atomic::{WriteMode, WriterLock, remove_leftovers, write_atomic};
use codec::NoteDoc;

pub const NOTES_DIR: &str = "notes";
pub const INDEX_DIR: &str = "index";
const EVENT_FILE: &str = "event.ron";
const CURRENT_FILE: &str = "current";
const LOCK_FILE: &str = ".write.lock";

/// The largest note tn reads or writes. Real notes are a few kilobytes; the limit keeps a
/// stray huge file (a video saved as `.ron`) from exhausting memory or stalling every search.
pub const MAX_NOTE_BYTES: u64 = 8 * 1024 * 1024;

/// Identity of a file's contents at the time it was read, to detect changes made since.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    pub fn of(bytes: &[u8]) -> Self {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        bytes.hash(&mut hasher);
        Fingerprint {
            len: bytes.len(),
            hash: hasher.finish(),
        }
    }
}

/// A note together with where it came from and what the file held.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    pub value: T,
    pub path: PathBuf,
    pub fingerprint: Fingerprint,
}

/// What a note file is, judged from its path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteKey {
    Event(Slug),
    Talk(TalkRef),
}

impl NoteKey {
    pub fn what(&self) -> &'static str {
        match self {
            NoteKey::Event(_) => "event",
            NoteKey::Talk(_) => "talk",
        }
    }

    /// Used to name drafts, so an editor shows which note it is editing.
    pub fn file_stem(&self) -> String {
        match self {
            NoteKey::Event(id) => format!("{id}-event"),
            NoteKey::Talk(id) => format!("{}-{}", id.event, id.talk),
        }
    }
}

/// `EVENT` or `EVENT/TALK`, as typed on the command line (a trailing `.ron` is tolerated).
impl std::str::FromStr for NoteKey {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        let text = text.trim().trim_end_matches(".ron");
        if text.contains('/') {
            text.parse().map(NoteKey::Talk)
        } else {
            text.parse().map(NoteKey::Event)
        }
    }
}

impl std::fmt::Display for NoteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoteKey::Event(id) => write!(f, "{id}"),
            NoteKey::Talk(id) => write!(f, "{id}"),
        }
    }
}

/// A note file found by a directory walk, not yet read.
#[derive(Debug, Clone)]
pub struct NoteFile {
    pub key: NoteKey,
    pub path: PathBuf,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

/// Every note of the knowledge base that could be read, plus every problem met on the way.
#[derive(Debug, Default)]
pub struct Scan {
    pub events: BTreeMap<Slug, Loaded<Event>>,
    pub talks: Vec<(TalkRef, Loaded<Talk>)>,
    pub problems: Vec<NoteError>,
}

impl Scan {
    pub fn talk(&self, id: &TalkRef) -> Option<&Talk> {
        self.talks
            .iter()
            .find(|(r, _)| r == id)
            .map(|(_, t)| &t.value)
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens an existing knowledge base: a directory with a `notes/` directory in it.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        if !root.join(NOTES_DIR).is_dir() {
            return Err(Error::NotAKnowledgeBase { path: root });
        }
        Ok(Store { root })
    }

    /// Creates a knowledge base (idempotent): `notes/`, and a `.gitignore` for the index.
    pub fn init(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        let notes = root.join(NOTES_DIR);
        fs::create_dir_all(&notes).at_path(&notes)?;
        let gitignore = root.join(".gitignore");
        if !gitignore.exists() {
            write_atomic(&gitignore, b"/index/\n", WriteMode::CreateNew)?;
        }
        Ok(Store { root })
    }

    /// Finds the knowledge base: `dir` (`--dir`, else `TALKNOTES_DIR`, as the CLI reads them),
    /// else the nearest ancestor of the working directory with `notes/`, else the per-user
    /// data directory.
    pub fn locate(dir: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
        if let Some(dir) = dir {
            return Ok(dir.to_owned());
        }
        if let Some(found) = cwd.ancestors().find(|a| a.join(NOTES_DIR).is_dir()) {
            return Ok(found.to_owned());
        }
        user_data_dir()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn notes_dir(&self) -> PathBuf {
        self.root.join(NOTES_DIR)
    }

    /// Local derived state (search index, current talk, lock): never committed.
    pub fn index_dir(&self) -> PathBuf {
        self.root.join(INDEX_DIR)
    }

    pub fn event_dir(&self, event: &Slug) -> PathBuf {
        self.notes_dir().join(event.as_str())
    }

    pub fn event_path(&self, event: &Slug) -> PathBuf {
        self.event_dir(event).join(EVENT_FILE)
    }

    pub fn talk_path(&self, talk: &TalkRef) -> PathBuf {
        self.event_dir(&talk.event)
            .join(format!("{}.ron", talk.talk.as_str()))
    }

    pub fn path_of(&self, key: &NoteKey) -> PathBuf {
        match key {
            NoteKey::Event(id) => self.event_path(id),
            NoteKey::Talk(id) => self.talk_path(id),
        }
    }

    /// Whether something is at the event's note path. A link or a directory there counts, so
    /// that reading it reports what is wrong instead of "does not exist", and nothing is
    /// created over it.
    pub fn event_exists(&self, event: &Slug) -> bool {
        !matches!(
            self.probe(event, &self.event_path(event)),
            Ok(Probe::Absent)
        )
    }

    /// Whether something is at the talk's note path (see [`Store::event_exists`]).
    pub fn talk_exists(&self, talk: &TalkRef) -> bool {
        !matches!(
            self.probe(&talk.event, &self.talk_path(talk)),
            Ok(Probe::Absent)
        )
    }

    /// What is at `path`, a note of `event`, without following links: the event directory
    /// and the file itself must be real, so no read or write can lead outside `notes/`.
    fn probe(&self, event: &Slug, path: &Path) -> Result<Probe> {
        let dir = self.event_dir(event);
        match fs::symlink_metadata(&dir) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(metadata) => return Err(unusable(&dir, "an event directory", &metadata)),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Probe::Absent),
            Err(e) => return Err(Error::io(&dir, e)),
        }
        probe_file(path)
    }

    /// The writer lock, taken to save `path`; failing to take it is a failure to save it.
    fn lock_for(&self, path: &Path) -> Result<WriterLock> {
        let lock = self.index_dir().join(LOCK_FILE);
        WriterLock::acquire(&lock).map_err(|e| match e {
            Error::Io { path: at, source } => Error::Save {
                path: path.to_owned(),
                during: Some(at),
                source,
            },
            other => other,
        })
    }

    pub fn read_event(&self, event: &Slug) -> Result<Loaded<Event>> {
        let path = self.event_path(event);
        self.read_note(event, &path, event.as_str()).map_err(|e| {
            e.into_error(|| Error::NotFound {
                what: "event",
                id: event.to_string(),
                hint: format!(
                    "create it with `tn event new {event} --name \"…\"`, or list events with `tn list`"
                ),
            })
        })
    }

    pub fn read_talk(&self, talk: &TalkRef) -> Result<Loaded<Talk>> {
        let path = self.talk_path(talk);
        self.read_note(&talk.event, &path, talk.talk.as_str())
            .map_err(|e| {
                e.into_error(|| Error::NotFound {
                    what: "talk",
                    id: talk.to_string(),
                    hint: "list talks with `tn list`".into(),
                })
            })
    }

    /// The bytes of a note as they are on disk, with the same checks as reading it (no links,
    /// no oversized files): what `tn edit` hands to the editor.
    pub fn read_raw(&self, key: &NoteKey) -> Result<(PathBuf, Vec<u8>)> {
        let event = match key {
            NoteKey::Event(id) => id,
            NoteKey::Talk(id) => &id.event,
        };
        let path = self.path_of(key);
        match self.probe(event, &path)? {
            Probe::Absent => Err(Error::NotFound {
                what: key.what(),
                id: key.to_string(),
                hint: "list notes with `tn list`".into(),
            }),
            Probe::File(len) => {
                let bytes = read_bounded(&path, len)?;
                Ok((path, bytes))
            }
        }
    }

    /// Lists note files without reading them; problems with the layout itself are returned too.
    /// Every search starts here, so event directories are listed on several threads: the
    /// time goes into one `stat` per note, and there is one note per file.
    pub fn list_files(&self) -> Result<(Vec<NoteFile>, Vec<NoteError>)> {
        let notes = self.notes_dir();
        let mut problems = Vec::new();
        let mut events: Vec<(PathBuf, Slug)> = Vec::new();
        for entry in sorted_entries(&notes)? {
            let path = entry.path();
            let Some(name) = visible_name(&path) else {
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                problems.extend(non_utf8_problem(&path, is_dir));
                continue;
            };
            let file_type = entry.file_type().at_path(&path)?;
            if file_type.is_symlink() {
                problems.push(symlink_problem(&path));
                continue;
            }
            if !file_type.is_dir() {
                continue;
            }
            let Ok(event) = name.parse::<Slug>() else {
                problems.push(
                    NoteError::new(&path, "this directory name is not a valid event id").hint(
                        "rename it to lower-case letters, digits and `-`, e.g. `kubecon-na-2022`",
                    ),
                );
                continue;
            };
            events.push((path, event));
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4);
        let listed: Vec<(Vec<NoteFile>, Vec<NoteError>)> = if threads > 1 && events.len() >= 16 {
            let chunk = events.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let workers: Vec<_> = events
                    .chunks(chunk)
                    .map(|part| {
                        scope.spawn(move || {
                            part.iter()
                                .map(|(path, event)| list_event_dir(path, event))
                                .collect::<Vec<_>>()
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        } else {
            events
                .iter()
                .map(|(path, event)| list_event_dir(path, event))
                .collect()
        };
        let mut files = Vec::with_capacity(listed.iter().map(|(f, _)| f.len()).sum());
        for (event_files, event_problems) in listed {
            files.extend(event_files);
            problems.extend(event_problems);
        }
        Ok((files, problems))
    }

    /// Reads every note. Invalid notes become problems; the rest is still returned.
    pub fn scan(&self) -> Result<Scan> {
        let (files, problems) = self.list_files()?;
        let mut scan = Scan {
            problems,
            ..Scan::default()
        };
        for file in files {
            match &file.key {
                NoteKey::Event(event) => match read_file::<Event>(&file.path, event.as_str()) {
                    Ok(loaded) => {
                        scan.events.insert(event.clone(), loaded);
                    }
                    Err(e) => scan.problems.extend(e.into_note_errors(&file.path)),
                },
                NoteKey::Talk(talk) => match read_file::<Talk>(&file.path, talk.talk.as_str()) {
                    Ok(loaded) => scan.talks.push((talk.clone(), loaded)),
                    Err(e) => scan.problems.extend(e.into_note_errors(&file.path)),
                },
            }
        }
        Ok(scan)
    }

    /// Every problem of every note, sorted by file: what `tn check` prints.
    pub fn check(&self) -> Result<Vec<NoteError>> {
        let (files, mut problems) = self.list_files()?;
        for file in files {
            let errors = match &file.key {
                NoteKey::Event(event) => read_file::<Event>(&file.path, event.as_str()).err(),
                NoteKey::Talk(talk) => read_file::<Talk>(&file.path, talk.talk.as_str()).err(),
            };
            if let Some(e) = errors {
                problems.extend(e.into_note_errors(&file.path));
            }
        }
        problems.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        Ok(problems)
    }

    /// Creates an event: its directory appears with its `event.ron` in it, or not at all.
    pub fn create_event(&self, event: &Event) -> Result<PathBuf> {
        let path = self.event_path(&event.id);
        let _lock = self.lock_for(&path)?;
        remove_leftovers(&self.notes_dir());
        let text = to_text(&path, event)?;
        let dir = self.event_dir(&event.id);
        let already = || Error::AlreadyExists {
            what: "event",
            id: event.id.to_string(),
            path: path.clone(),
        };
        match self.probe(&event.id, &path)? {
            Probe::File(_) => Err(already()),
            Probe::Absent if !dir.is_dir() => {
                if atomic::create_dir_with_file(&dir, EVENT_FILE, text.as_bytes())? {
                    return Ok(path);
                }
                // Something appeared at the directory's place meanwhile: say what.
                match self.probe(&event.id, &path)? {
                    Probe::File(_) => Err(already()),
                    Probe::Absent => Err(Error::Save {
                        path: path.clone(),
                        during: Some(dir),
                        source: ErrorKind::AlreadyExists.into(),
                    }),
                }
            }
            // The directory exists without event.ron (talks moved in by hand): add it.
            Probe::Absent => {
                self.write_new(&path, &text, already)?;
                Ok(path)
            }
        }
    }

    pub fn create_talk(&self, event: &Slug, talk: &Talk) -> Result<TalkRef> {
        let id = TalkRef {
            event: event.clone(),
            talk: talk.id.clone(),
        };
        // The event must be a real note: not a link, not a directory named event.ron.
        if let Probe::Absent = self.probe(event, &self.event_path(event))? {
            return Err(Error::NotFound {
                what: "event",
                id: event.to_string(),
                hint: format!("create it first with `tn event new {event} --name \"…\"`"),
            });
        }
        let path = self.talk_path(&id);
        let _lock = self.lock_for(&path)?;
        let text = to_text(&path, talk)?;
        let already = || Error::AlreadyExists {
            what: "talk",
            id: id.to_string(),
            path: path.clone(),
        };
        // Also refuses an event directory that is a link: nothing is written through it.
        match self.probe(event, &path)? {
            Probe::File(_) => return Err(already()),
            Probe::Absent => {
                remove_leftovers(&self.event_dir(event));
                self.write_new(&path, &text, already)?;
            }
        }
        Ok(id)
    }

    fn write_new(&self, path: &Path, text: &str, already: impl FnOnce() -> Error) -> Result<()> {
        if !write_atomic(path, text.as_bytes(), WriteMode::CreateNew)? {
            return Err(already());
        }
        Ok(())
    }

    /// Read-modify-write of one talk under the writer lock, so concurrent updates (two `tn jot`
    /// in two terminals) are applied one after the other to the latest file and none is lost.
    pub fn update_talk<F>(&self, id: &TalkRef, change: F) -> Result<Talk>
    where
        F: FnOnce(&mut Talk) -> Result<()>,
    {
        let _lock = self.lock_for(&self.talk_path(id))?;
        let loaded = self.read_talk(id)?;
        self.rewrite(loaded, change)
    }

    pub fn update_event<F>(&self, id: &Slug, change: F) -> Result<Event>
    where
        F: FnOnce(&mut Event) -> Result<()>,
    {
        let _lock = self.lock_for(&self.event_path(id))?;
        let loaded = self.read_event(id)?;
        self.rewrite(loaded, change)
    }

    fn rewrite<T, F>(&self, loaded: Loaded<T>, change: F) -> Result<T>
    where
        T: NoteDoc + Clone + PartialEq,
        F: FnOnce(&mut T) -> Result<()>,
    {
        let mut value = loaded.value.clone();
        change(&mut value)?;
        if value == loaded.value {
            return Ok(value);
        }
        let original = reread(&loaded.path)?;
        if Fingerprint::of(&original) != loaded.fingerprint {
            return Err(Error::Conflict { path: loaded.path });
        }
        if codec::has_comments(&String::from_utf8_lossy(&original)) {
            return Err(Error::WouldDropComments { path: loaded.path });
        }
        let text = to_text(&loaded.path, &value)?;
        if let Some(dir) = loaded.path.parent() {
            remove_leftovers(dir);
        }
        write_atomic(&loaded.path, text.as_bytes(), WriteMode::Replace)?;
        Ok(value)
    }

    /// Fails like a rewrite would if the note could not be rewritten without losing content
    /// (comments). Used to validate a whole import before writing any of it.
    pub fn ensure_rewritable(&self, key: &NoteKey) -> Result<()> {
        let (path, original) = self.read_raw(key)?;
        if codec::has_comments(&String::from_utf8_lossy(&original)) {
            return Err(Error::WouldDropComments { path });
        }
        Ok(())
    }

    /// Replaces a note with text the user edited, unless the file changed since it was read.
    /// The text is written as the user wrote it (comments and layout kept).
    pub fn replace_text(&self, path: &Path, expected: Fingerprint, text: &str) -> Result<()> {
        check_size(path, text.len() as u64, true)?;
        let _lock = self.lock_for(path)?;
        let current = reread(path)?;
        if Fingerprint::of(&current) != expected {
            return Err(Error::Conflict {
                path: path.to_owned(),
            });
        }
        if let Some(dir) = path.parent() {
            remove_leftovers(dir);
        }
        write_atomic(path, text.as_bytes(), WriteMode::Replace)?;
        Ok(())
    }

    /// What the user is working on: a talk, or just an event (right after `tn event new`).
    pub fn current_key(&self) -> Result<Option<NoteKey>> {
        let path = self.index_dir().join(CURRENT_FILE);
        let text = match fs::symlink_metadata(&path) {
            // A pointer is one short line; anything else is damage, not a pointer.
            Ok(metadata) if metadata.is_file() && metadata.len() <= 1024 => {
                String::from_utf8_lossy(&read_bounded(&path, metadata.len())?).into_owned()
            }
            Ok(metadata) if metadata.is_file() => return Ok(None),
            // Never opened: a named pipe would block every command.
            Ok(metadata) => return Err(unusable(&path, "a file", &metadata)),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        // A stale or damaged pointer is treated as no pointer: it is only a convenience.
        let key = text.trim().parse::<NoteKey>().ok().filter(|key| match key {
            NoteKey::Event(id) => self.event_exists(id),
            NoteKey::Talk(id) => self.talk_exists(id),
        });
        Ok(key)
    }

    /// The talk that `tn jot`, `tn tool`, `tn link` and `tn tag` add to.
    pub fn current(&self) -> Result<TalkRef> {
        match self.current_key()? {
            Some(NoteKey::Talk(id)) => Ok(id),
            _ => Err(Error::NoCurrentTalk),
        }
    }

    /// The event new talks go to by default: the current talk's, or the current event.
    pub fn current_event(&self) -> Result<Option<Slug>> {
        Ok(self.current_key()?.map(|key| match key {
            NoteKey::Event(id) => id,
            NoteKey::Talk(id) => id.event,
        }))
    }

    pub fn set_current(&self, key: &NoteKey) -> Result<()> {
        let event = match key {
            NoteKey::Event(id) => id,
            NoteKey::Talk(id) => &id.event,
        };
        // Only a note that can be read becomes current: not a link, not a directory.
        if let Probe::Absent = self.probe(event, &self.path_of(key))? {
            return Err(Error::NotFound {
                what: key.what(),
                id: key.to_string(),
                hint: "list notes with `tn list` or `tn list --events`".into(),
            });
        }
        let dir = self.index_dir();
        fs::create_dir_all(&dir).at_path(&dir)?;
        write_atomic(
            &dir.join(CURRENT_FILE),
            format!("{key}\n").as_bytes(),
            WriteMode::Replace,
        )?;
        Ok(())
    }
}

enum ReadError {
    Missing,
    Io(Error),
    Invalid(Vec<NoteError>),
}

impl ReadError {
    fn into_error(self, missing: impl FnOnce() -> Error) -> Error {
        match self {
            ReadError::Missing => missing(),
            ReadError::Io(e) => e,
            ReadError::Invalid(errors) => Error::InvalidNote(errors),
        }
    }

    fn into_note_errors(self, path: &Path) -> Vec<NoteError> {
        match self {
            ReadError::Missing => vec![NoteError::new(
                path,
                "the file disappeared while being read",
            )],
            ReadError::Io(e) => vec![e.to_note_error(path)],
            ReadError::Invalid(errors) => errors,
        }
    }
}

impl Store {
    fn read_note<T: NoteDoc>(
        &self,
        event: &Slug,
        path: &Path,
        expected_id: &str,
    ) -> Result<Loaded<T>, ReadError> {
        match self.probe(event, path) {
            Ok(Probe::Absent) => Err(ReadError::Missing),
            Ok(Probe::File(_)) => read_file(path, expected_id),
            Err(e) => Err(ReadError::Io(e)),
        }
    }
}

/// What is at a note's path.
enum Probe {
    Absent,
    /// A regular file of this many bytes.
    File(u64),
}

/// What is at `path`, without following a link there. Anything but a regular file or
/// nothing is an error naming what it is: reading a named pipe would block forever.
fn probe_file(path: &Path) -> Result<Probe> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() => Ok(Probe::File(metadata.len())),
        Ok(metadata) => Err(unusable(path, "a note file", &metadata)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Probe::Absent),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Reads and parses one note file, known to be in a real event directory.
fn read_file<T: NoteDoc>(path: &Path, expected_id: &str) -> Result<Loaded<T>, ReadError> {
    let len = match probe_file(path) {
        Ok(Probe::File(len)) => len,
        Ok(Probe::Absent) => return Err(ReadError::Missing),
        Err(e) => return Err(ReadError::Io(e)),
    };
    let bytes = match read_bounded(path, len) {
        Ok(bytes) => bytes,
        Err(Error::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
            return Err(ReadError::Missing);
        }
        Err(e) => return Err(ReadError::Io(e)),
    };
    let value = codec::parse::<T>(path, &bytes, expected_id).map_err(ReadError::Invalid)?;
    Ok(Loaded {
        value,
        path: path.to_owned(),
        fingerprint: Fingerprint::of(&bytes),
    })
}

/// Reads a regular file of (about) `len` bytes, refusing more than [`MAX_NOTE_BYTES`] even if
/// it grows meanwhile.
fn read_bounded(path: &Path, len: u64) -> Result<Vec<u8>> {
    use std::io::Read;
    check_size(path, len, false)?;
    let file = fs::File::open(path).at_path(path)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_NOTE_BYTES + 1)
        .read_to_end(&mut bytes)
        .at_path(path)?;
    check_size(path, bytes.len() as u64, false)?;
    Ok(bytes)
}

/// The file as it is now, under the writer lock, to compare with what was read.
fn reread(path: &Path) -> Result<Vec<u8>> {
    match probe_file(path)? {
        Probe::File(len) => read_bounded(path, len),
        Probe::Absent => Err(Error::Conflict {
            path: path.to_owned(),
        }),
    }
}

fn check_size(path: &Path, size: u64, writing: bool) -> Result<()> {
    if size > MAX_NOTE_BYTES {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            size,
            limit: MAX_NOTE_BYTES,
            writing,
        });
    }
    Ok(())
}

/// The note's file text, refused if it would be too large to read back.
fn to_text<T: NoteDoc>(path: &Path, note: &T) -> Result<String> {
    let text = codec::to_ron(note).map_err(|e| Error::Invalid(e.to_string()))?;
    check_size(path, text.len() as u64, true)?;
    Ok(text)
}

fn unusable(path: &Path, expected: &'static str, metadata: &fs::Metadata) -> Error {
    Error::NotANote {
        path: path.to_owned(),
        expected,
        found: describe(&metadata.file_type()),
    }
}

fn describe(file_type: &fs::FileType) -> &'static str {
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

/// The note files of one event directory, in name order.
fn list_event_dir(path: &Path, event: &Slug) -> (Vec<NoteFile>, Vec<NoteError>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let entries = match sorted_entries(path) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(NoteError::new(path, e.to_string()));
            return (files, problems);
        }
    };
    let mut has_event_file = false;
    for entry in entries {
        let path = entry.path();
        let Some(name) = visible_name(&path) else {
            problems.extend(non_utf8_problem(&path, false));
            continue;
        };
        let Some(stem) = name.strip_suffix(".ron") else {
            continue;
        };
        // Like `symlink_metadata`, but relative to the open directory: no path lookup.
        let metadata = match entry.metadata() {
            Ok(metadata) => metadata,
            Err(e) => {
                problems.push(NoteError::new(&path, e.to_string()));
                continue;
            }
        };
        if !metadata.is_file() {
            // A link, a directory, a named pipe...: say which (reading a pipe would block).
            problems.push(unusable(&path, "a note file", &metadata).to_note_error(&path));
            continue;
        }
        let key = if stem == EVENT_FILE_STEM {
            has_event_file = true;
            NoteKey::Event(event.clone())
        } else {
            match stem.parse::<Slug>() {
                Ok(talk) => NoteKey::Talk(TalkRef {
                    event: event.clone(),
                    talk,
                }),
                Err(message) => {
                    problems.push(
                        NoteError::new(&path, "this file name is not a valid talk id")
                            .hint(message),
                    );
                    continue;
                }
            }
        };
        files.push(NoteFile {
            key,
            path,
            len: metadata.len(),
            modified: metadata.modified().ok(),
        });
    }
    // By id, the order every listing and export promises: by file name `5--a.ron` would
    // come before `5.ron`, since `-` sorts before `.`.
    files.sort_by_cached_key(|file| match &file.key {
        NoteKey::Event(_) => None,
        NoteKey::Talk(id) => Some(id.talk.as_str().to_owned()),
    });
    if !has_event_file {
        problems.push(
            NoteError::new(path, "this event directory has no event.ron").hint(format!(
                "create it with `tn event new {event} --name \"…\"`"
            )),
        );
    }
    (files, problems)
}

fn sorted_entries(dir: &Path) -> Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(dir)
        .at_path(dir)?
        .collect::<std::io::Result<Vec<_>>>()
        .at_path(dir)?;
    entries.sort_by_key(fs::DirEntry::file_name);
    Ok(entries)
}

/// The file name, unless it is hidden (temporary files, editor swap files, `.git`).
fn visible_name(path: &Path) -> Option<&str> {
    let name = path.file_name()?.to_str()?;
    (!name.starts_with('.')).then_some(name)
}

fn symlink_problem(path: &Path) -> NoteError {
    Error::NotANote {
        path: path.to_owned(),
        expected: "a note file",
        found: crate::error::SYMLINK,
    }
    .to_note_error(path)
}

/// A name that is not UTF-8 cannot be an id: say so for what looks like a note or an event
/// instead of skipping it silently.
fn non_utf8_problem(path: &Path, is_event_dir: bool) -> Option<NoteError> {
    let name = path.file_name()?;
    if name.to_str().is_some() {
        return None; // hidden: not a note
    }
    let looks_like_note = name.as_encoded_bytes().ends_with(b".ron");
    (is_event_dir || looks_like_note).then(|| {
        NoteError::new(path, "this name is not valid UTF-8, so it cannot be an id")
            .hint("rename it to lower-case letters, digits and `-`")
    })
}

fn user_data_dir() -> Result<PathBuf> {
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().map_err(|e| {
        Error::input(
            format!("cannot find a home directory for the default knowledge base ({e})"),
            "pass --dir or set TALKNOTES_DIR",
        )
    })?;
    Ok(strategy.data_dir().join("talknotes"))
}
