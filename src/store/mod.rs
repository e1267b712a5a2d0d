//! The knowledge base on disk: `notes/<event-id>/event.ron` and `notes/<event-id>/<talk-id>.ron`.
//!
//! The note files are the only source of truth. Everything that writes one goes through this
//! module, which guarantees three things: a write is atomic (see [`atomic`]); a file changed on
//! disk since it was read is never overwritten blindly (writers hold one lock and re-read under
//! it); and a file is never rewritten in a way that would drop user content (comments).
//! Readers never lock and skip an invalid note with a problem report instead of failing.

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
use atomic::{WriteMode, WriterLock, write_atomic};
use codec::NoteDoc;

pub const NOTES_DIR: &str = "notes";
pub const INDEX_DIR: &str = "index";
const EVENT_FILE: &str = "event.ron";
const CURRENT_FILE: &str = "current";
const LOCK_FILE: &str = ".write.lock";

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

    /// Finds the knowledge base: `--dir`, else `TALKNOTES_DIR`, else the nearest ancestor of the
    /// working directory with `notes/`, else the per-user data directory.
    pub fn locate(dir: Option<&Path>, env_dir: Option<&Path>, cwd: &Path) -> Result<PathBuf> {
        if let Some(dir) = dir.or(env_dir) {
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

    pub fn event_exists(&self, event: &Slug) -> bool {
        self.event_path(event).is_file()
    }

    pub fn talk_exists(&self, talk: &TalkRef) -> bool {
        self.talk_path(talk).is_file()
    }

    fn lock(&self) -> Result<WriterLock> {
        WriterLock::acquire(&self.index_dir().join(LOCK_FILE))
    }

    pub fn read_event(&self, event: &Slug) -> Result<Loaded<Event>> {
        let path = self.event_path(event);
        read_note(&path, event.as_str()).map_err(|e| {
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
        read_note(&path, talk.talk.as_str()).map_err(|e| {
            e.into_error(|| Error::NotFound {
                what: "talk",
                id: talk.to_string(),
                hint: "list talks with `tn list`".into(),
            })
        })
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
                NoteKey::Event(event) => match read_note::<Event>(&file.path, event.as_str()) {
                    Ok(loaded) => {
                        scan.events.insert(event.clone(), loaded);
                    }
                    Err(e) => scan.problems.extend(e.into_note_errors(&file.path)),
                },
                NoteKey::Talk(talk) => match read_note::<Talk>(&file.path, talk.talk.as_str()) {
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
                NoteKey::Event(event) => read_note::<Event>(&file.path, event.as_str()).err(),
                NoteKey::Talk(talk) => read_note::<Talk>(&file.path, talk.talk.as_str()).err(),
            };
            if let Some(e) = errors {
                problems.extend(e.into_note_errors(&file.path));
            }
        }
        problems.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        Ok(problems)
    }

    pub fn create_event(&self, event: &Event) -> Result<PathBuf> {
        let path = self.event_path(&event.id);
        let _lock = self.lock()?;
        let dir = self.event_dir(&event.id);
        fs::create_dir_all(&dir).at_path(&dir)?;
        self.write_new(&path, event, "event", event.id.to_string())?;
        Ok(path)
    }

    pub fn create_talk(&self, event: &Slug, talk: &Talk) -> Result<TalkRef> {
        let id = TalkRef {
            event: event.clone(),
            talk: talk.id.clone(),
        };
        if !self.event_exists(event) {
            return Err(Error::NotFound {
                what: "event",
                id: event.to_string(),
                hint: format!("create it first with `tn event new {event} --name \"…\"`"),
            });
        }
        let _lock = self.lock()?;
        self.write_new(&self.talk_path(&id), talk, "talk", id.to_string())?;
        Ok(id)
    }

    fn write_new<T: NoteDoc>(
        &self,
        path: &Path,
        note: &T,
        what: &'static str,
        id: String,
    ) -> Result<()> {
        let text = codec::to_ron(note).map_err(|e| Error::Invalid(e.to_string()))?;
        if !write_atomic(path, text.as_bytes(), WriteMode::CreateNew)? {
            return Err(Error::AlreadyExists {
                what,
                id,
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    /// Read-modify-write of one talk under the writer lock, so concurrent updates (two `tn jot`
    /// in two terminals) are applied one after the other to the latest file and none is lost.
    pub fn update_talk<F>(&self, id: &TalkRef, change: F) -> Result<Talk>
    where
        F: FnOnce(&mut Talk) -> Result<()>,
    {
        let _lock = self.lock()?;
        let loaded = self.read_talk(id)?;
        self.rewrite(loaded, change)
    }

    pub fn update_event<F>(&self, id: &Slug, change: F) -> Result<Event>
    where
        F: FnOnce(&mut Event) -> Result<()>,
    {
        let _lock = self.lock()?;
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
        let original = fs::read(&loaded.path).at_path(&loaded.path)?;
        if Fingerprint::of(&original) != loaded.fingerprint {
            return Err(Error::Conflict { path: loaded.path });
        }
        if codec::has_comments(&String::from_utf8_lossy(&original)) {
            return Err(Error::WouldDropComments { path: loaded.path });
        }
        let text = codec::to_ron(&value).map_err(|e| Error::Invalid(e.to_string()))?;
        write_atomic(&loaded.path, text.as_bytes(), WriteMode::Replace)?;
        Ok(value)
    }

    /// Fails like a rewrite would if the note could not be rewritten without losing content
    /// (comments). Used to validate a whole import before writing any of it.
    pub fn ensure_rewritable(&self, key: &NoteKey) -> Result<()> {
        let path = self.path_of(key);
        let original = fs::read(&path).at_path(&path)?;
        if codec::has_comments(&String::from_utf8_lossy(&original)) {
            return Err(Error::WouldDropComments { path });
        }
        Ok(())
    }

    /// Replaces a note with text the user edited, unless the file changed since it was read.
    /// The text is written as the user wrote it (comments and layout kept).
    pub fn replace_text(&self, path: &Path, expected: Fingerprint, text: &str) -> Result<()> {
        let _lock = self.lock()?;
        let current = fs::read(path).at_path(path)?;
        if Fingerprint::of(&current) != expected {
            return Err(Error::Conflict {
                path: path.to_owned(),
            });
        }
        write_atomic(path, text.as_bytes(), WriteMode::Replace)?;
        Ok(())
    }

    /// What the user is working on: a talk, or just an event (right after `tn event new`).
    pub fn current_key(&self) -> Result<Option<NoteKey>> {
        let path = self.index_dir().join(CURRENT_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
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
        let exists = match key {
            NoteKey::Event(id) => self.event_exists(id),
            NoteKey::Talk(id) => self.talk_exists(id),
        };
        if !exists {
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
            ReadError::Io(e) => vec![NoteError::new(path, e.to_string())],
            ReadError::Invalid(errors) => errors,
        }
    }
}

fn read_note<T: NoteDoc>(path: &Path, expected_id: &str) -> Result<Loaded<T>, ReadError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(ReadError::Missing),
        Err(e) => return Err(ReadError::Io(Error::io(path, e))),
    };
    let value = codec::parse::<T>(path, &bytes, expected_id).map_err(ReadError::Invalid)?;
    Ok(Loaded {
        value,
        path: path.to_owned(),
        fingerprint: Fingerprint::of(&bytes),
    })
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
        if metadata.file_type().is_symlink() {
            problems.push(symlink_problem(&path));
            continue;
        }
        if !metadata.is_file() {
            problems.push(
                NoteError::new(&path, "expected a note file but found a directory")
                    .hint("move the directory elsewhere; notes/<event>/ holds only .ron files"),
            );
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
    NoteError::new(
        path,
        "is a symbolic link; tn does not follow links inside notes/",
    )
    .hint("replace the link with the file itself")
}

fn user_data_dir() -> Result<PathBuf> {
    use etcetera::BaseStrategy;
    let strategy = etcetera::choose_base_strategy().map_err(|e| {
        Error::Invalid(format!(
            "cannot find a home directory for the default knowledge base ({e})\n  hint: pass --dir or set TALKNOTES_DIR"
        ))
    })?;
    Ok(strategy.data_dir().join("talknotes"))
}
