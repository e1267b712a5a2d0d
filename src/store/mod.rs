//! The knowledge base on disk: `notes/<event-id>/event.ron` and `notes/<event-id>/<talk-id>.ron`.
//!
//! The note files are the only source of truth. Everything that writes one goes through this
//! module, which guarantees four things: a write is atomic (see [`atomic`]); it reaches the
//! note from an open directory of the knowledge base, never through a link (see [`dir`]); a
//! file changed on disk since it was read is never overwritten blindly, by another `tn` (one
//! lock, re-read under it) or by anyone else (the rename checks what it replaces, and tn's
//! change is carried over to their version, see [`reconcile`]); and a file is never rewritten
//! in a way that would drop user content (comments). Readers never lock and skip an invalid
//! note with a problem report instead of failing.
//!
//! This is the one module that reads and writes note files, and it is long (over 1,000 lines)
//! for that reason: every rule about what may be read or written lives in one place; the
//! atomic write and the writer lock are in [`atomic`], directory handles in [`dir`], parsing
//! in [`codec`], and what to do about a save made meanwhile in [`reconcile`].

pub mod atomic;
pub mod codec;
pub mod dir;
pub mod reconcile;

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::hash::{Hash, Hasher};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use rustix::fs::FileType;

use crate::author::Author;
use crate::error::{Error, IoContext, NoteError, Result};
use crate::note::{EVENT_FILE_STEM, Event, Slug, Talk, TalkRef};
use atomic::{Base, Replaced, WriteMode, WriterLock, remove_leftovers, write_atomic};
use codec::NoteDoc;
use dir::{Chain, Lease};
use reconcile::{Rebase, ThreeWay};

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

impl NoteKey {
    /// Writes the key as [`Display`](std::fmt::Display) does, into a buffer the caller
    /// reuses: a freshness check looks up every note's key on every search.
    pub fn write_into(&self, out: &mut String) {
        out.clear();
        match self {
            NoteKey::Event(id) => out.push_str(id.as_str()),
            NoteKey::Talk(id) => {
                out.push_str(id.event.as_str());
                out.push('/');
                out.push_str(id.talk.as_str());
            }
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

/// Note files, each with what was made of it as it was listed, and the problems met.
pub type Listing<R> = (Vec<(NoteFile, R)>, Vec<NoteError>);

/// What `tn check` found: problems (a note that cannot be read, a conflict left by a merge),
/// and warnings about notes that read but hold something that looks wrong.
#[derive(Debug, Default)]
pub struct Checked {
    pub problems: Vec<NoteError>,
    pub warnings: Vec<NoteError>,
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
    /// Who captures made through this store are recorded as written by (see `crate::author`).
    author: Author,
}

impl Store {
    /// Opens an existing knowledge base: a directory with a `notes/` directory in it.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        if !root.join(NOTES_DIR).is_dir() {
            return Err(Error::NotAKnowledgeBase { path: root });
        }
        Ok(Store {
            root,
            author: Author::nobody(),
        })
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
        Ok(Store {
            root,
            author: Author::nobody(),
        })
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

    /// The same knowledge base, with captures recorded as written by `author`.
    pub fn with_author(mut self, author: Author) -> Store {
        self.author = author;
        self
    }

    /// The name captures record in `by`, if any (looked up on first use).
    pub fn author(&self) -> Option<&str> {
        self.author.name(&self.root)
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

    /// The writer lock, for a writer of notes other than the store itself (git, rewriting
    /// notes during `tn sync`): tn's own writers wait while it is held, so none of them
    /// rewrites a note from a version read before git changed it.
    pub fn write_lock(&self) -> Result<WriterLock> {
        WriterLock::acquire(&self.index_dir().join(LOCK_FILE))
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
    pub fn list_files(&self) -> Result<(Vec<NoteFile>, Vec<NoteError>)> {
        let (files, problems) = self.list_files_with(|| |_: &NoteFile| ())?;
        Ok((files.into_iter().map(|(file, ())| file).collect(), problems))
    }

    /// Lists note files as [`Store::list_files`] does, and looks at each file as it is
    /// listed, on the thread that listed it: `look` makes each thread's looker. Every search
    /// starts here, so event directories are listed on several threads: the time goes into
    /// one `stat` per note, and there is one note per file. A search compares each file with
    /// what its index recorded while listing, so that work is spread over the same threads.
    pub fn list_files_with<R, L>(&self, look: impl Fn() -> L + Sync) -> Result<Listing<R>>
    where
        R: Send,
        L: FnMut(&NoteFile) -> R,
    {
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
        let threads = if events.len() >= 16 {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
        } else {
            1
        };
        let listed = in_parallel(&events, threads, || {
            let mut looker = look();
            move |(path, event): &(PathBuf, Slug)| list_event_dir(path, event, &mut looker)
        });
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

    /// Every problem of every note, sorted by file, and the warnings about notes that read:
    /// what `tn check` prints. Besides what makes a note unreadable, the problems include the
    /// conflicts a merge left in readable notes.
    pub fn check(&self) -> Result<Checked> {
        let (files, problems) = self.list_files()?;
        let mut checked = Checked {
            problems,
            warnings: Vec::new(),
        };
        for file in files {
            let key = file.key.to_string();
            let found = match &file.key {
                NoteKey::Event(event) => check_file::<Event>(&file.path, event.as_str(), &key),
                NoteKey::Talk(talk) => check_file::<Talk>(&file.path, talk.talk.as_str(), &key),
            };
            checked.problems.extend(found.problems);
            checked.warnings.extend(found.warnings);
        }
        for list in [&mut checked.problems, &mut checked.warnings] {
            list.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        }
        Ok(checked)
    }

    /// The problems `tn check` would report about one note: why it cannot be read, or the
    /// conflicts a merge left in it (not its warnings, which `tn check` alone prints).
    /// Nothing for a note that does not exist.
    pub fn problems_of(&self, key: &NoteKey) -> Vec<NoteError> {
        let (event, stem) = match key {
            NoteKey::Event(id) => (id, id.as_str()),
            NoteKey::Talk(id) => (&id.event, id.talk.as_str()),
        };
        let path = self.path_of(key);
        match self.probe(event, &path) {
            Ok(Probe::Absent) => Vec::new(),
            Ok(Probe::File(_)) => match key {
                NoteKey::Event(_) => check_file::<Event>(&path, stem, &key.to_string()).problems,
                NoteKey::Talk(_) => check_file::<Talk>(&path, stem, &key.to_string()).problems,
            },
            Err(e) => vec![e.to_note_error(&path)],
        }
    }

    /// Creates an event: its directory appears with its `event.ron` in it, or not at all.
    pub fn create_event(&self, event: &Event) -> Result<PathBuf> {
        let path = self.event_path(&event.id);
        let _lock = self.lock_for(&path)?;
        let notes = self.open_kb_dir(NOTES_DIR)?;
        remove_leftovers(notes.last());
        let text = to_text(&path, event)?;
        let dir = self.event_dir(&event.id);
        let already = || Error::AlreadyExists {
            what: "event",
            id: event.id.to_string(),
            path: path.clone(),
        };
        match notes.last().entry(event.id.as_str()).at_path(&dir)? {
            None => {
                if atomic::create_dir_with_file(
                    &notes,
                    event.id.as_str(),
                    EVENT_FILE,
                    text.as_bytes(),
                    &path,
                )? {
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
            Some(entry) if entry.file_type == FileType::Directory => {
                let chain = self.descend_event(notes, &event.id)?;
                match chain.last().entry(EVENT_FILE).at_path(&path)? {
                    Some(entry) if entry.file_type == FileType::RegularFile => Err(already()),
                    Some(entry) => Err(not_a(&path, "a note file", entry.file_type)),
                    None => {
                        remove_leftovers(chain.last());
                        if !atomic::create_new(&chain, EVENT_FILE, text.as_bytes(), &path)? {
                            return Err(already());
                        }
                        Ok(path)
                    }
                }
            }
            Some(entry) => Err(not_a(&dir, "an event directory", entry.file_type)),
        }
    }

    pub fn create_talk(&self, event: &Slug, talk: &Talk) -> Result<TalkRef> {
        let id = TalkRef {
            event: event.clone(),
            talk: talk.id.clone(),
        };
        let path = self.talk_path(&id);
        let no_event = || Error::NotFound {
            what: "event",
            id: event.to_string(),
            hint: format!("create it first with `tn event new {event} --name \"…\"`"),
        };
        let _lock = self.lock_for(&path)?;
        // Also refuses an event directory that is a link: nothing is written through it.
        let Some(chain) = self.event_chain(event)? else {
            return Err(no_event());
        };
        // The event must be a real note: not a link, not a directory named event.ron.
        let event_path = self.event_path(event);
        match chain.last().entry(EVENT_FILE).at_path(&event_path)? {
            None => return Err(no_event()),
            Some(entry) if entry.file_type != FileType::RegularFile => {
                return Err(not_a(&event_path, "a note file", entry.file_type));
            }
            Some(_) => {}
        }
        let text = to_text(&path, talk)?;
        let name = file_name(&path);
        let already = || Error::AlreadyExists {
            what: "talk",
            id: id.to_string(),
            path: path.clone(),
        };
        match chain.last().entry(&name).at_path(&path)? {
            Some(entry) if entry.file_type == FileType::RegularFile => return Err(already()),
            Some(entry) => return Err(not_a(&path, "a note file", entry.file_type)),
            None => {}
        }
        remove_leftovers(chain.last());
        if !atomic::create_new(&chain, &name, text.as_bytes(), &path)? {
            return Err(already());
        }
        Ok(id)
    }

    /// Read-modify-write of one talk under the writer lock, so concurrent updates (two `tn jot`
    /// in two terminals) are applied one after the other to the latest file and none is lost.
    ///
    /// `change` must make sense applied to any later version of the talk: when someone else
    /// (an editor) saves the note while tn writes it, tn applies `change` again to their
    /// version ([`Rebase::Reapply`]). Changes computed from what was read need
    /// [`Store::update_talk_with`] and [`Rebase::ThreeWay`].
    pub fn update_talk<F>(&self, id: &TalkRef, change: F) -> Result<Talk>
    where
        F: FnMut(&mut Talk) -> Result<()>,
    {
        self.update_talk_with(id, Rebase::Reapply, change)
    }

    pub fn update_talk_with<F>(&self, id: &TalkRef, rebase: Rebase, change: F) -> Result<Talk>
    where
        F: FnMut(&mut Talk) -> Result<()>,
    {
        self.update(&NoteKey::Talk(id.clone()), rebase, change)
    }

    /// Like [`Store::update_talk`], for an event.
    pub fn update_event<F>(&self, id: &Slug, change: F) -> Result<Event>
    where
        F: FnMut(&mut Event) -> Result<()>,
    {
        self.update_event_with(id, Rebase::Reapply, change)
    }

    pub fn update_event_with<F>(&self, id: &Slug, rebase: Rebase, change: F) -> Result<Event>
    where
        F: FnMut(&mut Event) -> Result<()>,
    {
        self.update(&NoteKey::Event(id.clone()), rebase, change)
    }

    fn update<T, F>(&self, key: &NoteKey, rebase: Rebase, mut change: F) -> Result<T>
    where
        T: NoteDoc + ThreeWay + Clone + PartialEq,
        F: FnMut(&mut T) -> Result<()>,
    {
        let path = self.path_of(key);
        let _lock = self.lock_for(&path)?;
        let place = self.place_of(key)?;
        let mut current: Current<T> = self.read_current(&place, key)?;
        let mut ours = current.value.clone();
        change(&mut ours)?;
        // The common ancestor of ours and the version on disk, for a three-way merge.
        let mut base = current.value.clone();
        let started = Instant::now();
        let mut round = 0;
        loop {
            round += 1;
            if ours == current.value {
                return Ok(ours);
            }
            let has_comments = codec::has_comments(&String::from_utf8_lossy(&current.raw.bytes));
            if has_comments && round == 1 {
                return Err(Error::WouldDropComments { path });
            }
            let text = keep_bom(&current.raw.bytes, to_text(&path, &ours)?);
            if has_comments {
                // Comments came with someone else's save: their version stays, and so does tn's.
                let reason = "it has comments now, which tn cannot keep when it rewrites the file";
                return Err(conflict(&path, keep_unsaved(key, text.as_bytes()), reason));
            }
            remove_leftovers(place.chain.last());
            let replaced = atomic::replace_checked(
                &place.chain,
                &place.name,
                &current.raw.base(),
                text.as_bytes(),
                &path,
            )?;
            if replaced == Replaced::Written {
                return Ok(ours);
            }
            // Someone else saved the note meanwhile, and their version is back in place.
            let unsaved = || keep_unsaved(key, text.as_bytes());
            if give_up(round, started) {
                return Err(conflict(&path, unsaved(), "it kept changing"));
            }
            // Its lease was broken, or the note replaced: let go of what was read.
            let read = std::mem::replace(&mut current.raw.lease, Lease::Unknown);
            if read == Lease::Held {
                dir::release_lease(&current.raw.file);
            }
            let theirs: Current<T> = match self.read_theirs(&place, key) {
                Ok(theirs) => theirs,
                Err(reason) => return Err(conflict(&path, unsaved(), &reason)),
            };
            ours = match rebase {
                Rebase::Reapply => {
                    let mut value = theirs.value.clone();
                    change(&mut value)?;
                    value
                }
                Rebase::ThreeWay => match T::three_way(&base, &ours, &theirs.value) {
                    Some(merged) => merged,
                    None => {
                        return Err(Error::Conflict {
                            path,
                            kept: unsaved(),
                            reason: None,
                        });
                    }
                },
            };
            base = theirs.value.clone();
            current = theirs;
        }
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

    /// Replaces a note with text the user edited from `original`. The text is written as the
    /// user wrote it (comments and layout kept). If the note changed since `original` was read,
    /// the two are merged ([`reconcile::merge_text`]) or, when they cannot be, the note is
    /// left as the other writer made it and [`Error::Conflict`] returned.
    pub fn replace_text(&self, key: &NoteKey, original: &[u8], text: &str) -> Result<()> {
        let path = self.path_of(key);
        check_size(&path, text.len() as u64, true)?;
        let _lock = self.lock_for(&path)?;
        let place = self.place_of(key)?;
        let mut current = self.read_current_raw(&place, key)?;
        let mut base = original.to_vec();
        let mut ours = text.as_bytes().to_vec();
        let conflict = |reason: Option<String>| Error::Conflict {
            path: path.clone(),
            kept: None,
            reason,
        };
        let started = Instant::now();
        for round in 1.. {
            if current.bytes != base {
                let merged = reconcile::merge_text(&base, &ours, &current.bytes, &path)
                    .filter(|merged| validate(key, &path, merged))
                    .ok_or_else(|| conflict(None))?;
                base = current.bytes.clone();
                ours = merged;
            }
            if ours == current.bytes {
                return Ok(());
            }
            check_size(&path, ours.len() as u64, true)?;
            remove_leftovers(place.chain.last());
            let replaced =
                atomic::replace_checked(&place.chain, &place.name, &current.base(), &ours, &path)?;
            if replaced == Replaced::Written {
                return Ok(());
            }
            if give_up(round, started) {
                break;
            }
            drop(current);
            current = self
                .read_theirs_raw(&place, key)
                .map_err(|reason| conflict(Some(reason)))?;
        }
        Err(conflict(Some("it kept changing".into())))
    }

    /// What the user is working on: a talk, or just an event (right after `tn event new`).
    pub fn current_key(&self) -> Result<Option<NoteKey>> {
        let path = self.index_dir().join(CURRENT_FILE);
        let text = match fs::symlink_metadata(&path) {
            // A pointer is one short line; anything else is damage, not a pointer.
            Ok(metadata) if metadata.is_file() && metadata.len() <= 1024 => {
                // Opened as what was just checked by path: a regular file, not a link.
                match crate::regular_file::read_small(&path, 1024)? {
                    Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                    None => return Ok(None),
                }
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

/// How long a save is tried again on versions someone else keeps saving meanwhile (an editor
/// saving every few milliseconds, nonstop) before tn gives up and reports a conflict; at
/// least [`MIN_ROUNDS`] tries.
const KEEP_TRYING: Duration = Duration::from_secs(2);
const MIN_ROUNDS: usize = 3;

/// Whether to give up after `rounds` tries that started at `started`.
fn give_up(rounds: usize, started: Instant) -> bool {
    rounds >= MIN_ROUNDS && started.elapsed() >= KEEP_TRYING
}

/// How long tn waits for someone else's save under way to finish before it reads the note.
const SAVE_PATIENCE: Duration = Duration::from_secs(1);

/// A note's place, opened for writing: the directories down to it, each opened from the one
/// above without following links (see [`dir`]), and the note's name in the last.
struct Place {
    chain: Chain,
    name: String,
    path: PathBuf,
}

/// A note's bytes as they are on disk, read through its [`Place`] under the writer lock, with
/// the open file the checked replacement compares against. Where leases exist, tn holds a read
/// lease on it from the read on: an editor that starts writing the note meanwhile waits a
/// moment, and tn sees that it wants to (see [`atomic`]).
struct Raw {
    file: File,
    bytes: Vec<u8>,
    lease: Lease,
}

impl Raw {
    fn base(&self) -> Base<'_> {
        Base {
            file: &self.file,
            bytes: &self.bytes,
            lease: self.lease,
        }
    }
}

/// A note as it is on disk, and its value.
struct Current<T> {
    value: T,
    raw: Raw,
}

/// The writing side: every write reaches its file from a directory handle.
impl Store {
    /// The knowledge base's own directory `sub` (`notes`, `index`), opened from the root. Like
    /// the root, these two may be links (where they live is the user's choice); nothing below
    /// them may.
    fn open_kb_dir(&self, sub: &str) -> Result<Chain> {
        let path = self.root.join(sub);
        Chain::root(&self.root)
            .and_then(|root| root.descend(sub, true))
            .map_err(|e| match e.kind() {
                ErrorKind::NotFound => Error::NotAKnowledgeBase {
                    path: self.root.clone(),
                },
                _ => Error::io(&path, e),
            })
    }

    /// An event's directory, opened without following a link; `None` when there is none.
    fn event_chain(&self, event: &Slug) -> Result<Option<Chain>> {
        let notes = self.open_kb_dir(NOTES_DIR)?;
        let dir = self.event_dir(event);
        match notes.last().entry(event.as_str()).at_path(&dir)? {
            None => Ok(None),
            Some(entry) if entry.file_type == FileType::Directory => {
                self.descend_event(notes, event).map(Some)
            }
            Some(entry) => Err(not_a(&dir, "an event directory", entry.file_type)),
        }
    }

    fn descend_event(&self, notes: Chain, event: &Slug) -> Result<Chain> {
        let dir = self.event_dir(event);
        notes.descend(event.as_str(), false).map_err(|e| {
            // Replaced by a link or a file since it was looked at.
            match e.raw_os_error() {
                Some(code)
                    if code == rustix::io::Errno::LOOP.raw_os_error()
                        || code == rustix::io::Errno::NOTDIR.raw_os_error() =>
                {
                    match fs::symlink_metadata(&dir) {
                        Ok(metadata) => unusable(&dir, "an event directory", &metadata),
                        Err(e) => Error::io(&dir, e),
                    }
                }
                _ => Error::io(&dir, e),
            }
        })
    }

    /// Where note `key` is written; a missing event is a missing note.
    fn place_of(&self, key: &NoteKey) -> Result<Place> {
        let event = match key {
            NoteKey::Event(id) => id,
            NoteKey::Talk(id) => &id.event,
        };
        let path = self.path_of(key);
        let chain = self.event_chain(event)?.ok_or_else(|| missing(key))?;
        Ok(Place {
            chain,
            name: file_name(&path),
            path,
        })
    }

    /// The note's bytes and open file, read through its place. If someone has it open for
    /// writing (an editor's save under way), tn waits for that save, a second at most; the
    /// read lease it then gets is kept (see [`Raw`]).
    fn read_current_raw(&self, place: &Place, key: &NoteKey) -> Result<Raw> {
        let (dir, path) = (place.chain.last(), &place.path);
        match dir.entry(&place.name).at_path(path)? {
            None => return Err(missing(key)),
            Some(entry) if entry.file_type != FileType::RegularFile => {
                return Err(not_a(path, "a note file", entry.file_type));
            }
            Some(entry) => check_size(path, entry.len, false)?,
        }
        let file = match dir.open_file(&place.name) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Err(missing(key)),
            Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
                return Err(not_a(path, "a note file", FileType::Symlink));
            }
            Err(e) => return Err(Error::io(path, e)),
        };
        let entry = dir::entry_of_file(&file).at_path(path)?;
        if entry.file_type != FileType::RegularFile {
            return Err(not_a(path, "a note file", entry.file_type));
        }
        let started = Instant::now();
        let lease = loop {
            match dir::take_read_lease(&file) {
                Lease::Busy if started.elapsed() < SAVE_PATIENCE => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                lease => break lease,
            }
        };
        let bytes = dir::read_limited(&file, MAX_NOTE_BYTES, entry.len).at_path(path)?;
        check_size(path, bytes.len() as u64, false)?;
        Ok(Raw { file, bytes, lease })
    }

    fn read_current<T: NoteDoc>(&self, place: &Place, key: &NoteKey) -> Result<Current<T>> {
        let raw = self.read_current_raw(place, key)?;
        let value = codec::parse::<T>(&place.path, &raw.bytes, expected_id(key))
            .map_err(Error::InvalidNote)?;
        Ok(Current { value, raw })
    }

    /// The version someone else saved while tn was writing. A save still under way (a file
    /// half written, or briefly absent) gets a moment to finish; if it is not a note even
    /// then, why not is returned for the conflict message.
    fn read_theirs<T: NoteDoc>(
        &self,
        place: &Place,
        key: &NoteKey,
    ) -> std::result::Result<Current<T>, String> {
        self.patiently(|| self.read_current(place, key))
    }

    fn read_theirs_raw(&self, place: &Place, key: &NoteKey) -> std::result::Result<Raw, String> {
        self.patiently(|| self.read_current_raw(place, key))
    }

    fn patiently<R>(&self, mut read: impl FnMut() -> Result<R>) -> std::result::Result<R, String> {
        let started = Instant::now();
        loop {
            match read() {
                Ok(read) => return Ok(read),
                Err(_) if started.elapsed() < SAVE_PATIENCE => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(Error::NotFound { .. }) => return Err("it was removed".into()),
                Err(Error::InvalidNote(errors)) => {
                    let first = errors.first().map_or_else(String::new, |e| {
                        let at = e
                            .position
                            .map_or_else(String::new, |(l, c)| format!("{l}:{c}: "));
                        format!(": {at}{}", e.message)
                    });
                    return Err(format!("it is not a valid note now{first}"));
                }
                // The first line names what is there instead; the hint is for another case.
                Err(e) => return Err(e.to_string().lines().next().unwrap_or_default().to_owned()),
            }
        }
    }
}

/// The id a note's file name implies, which its `id` field must match.
fn expected_id(key: &NoteKey) -> &str {
    match key {
        NoteKey::Event(id) => id.as_str(),
        NoteKey::Talk(id) => id.talk.as_str(),
    }
}

/// Whether `bytes` are a valid note for `key` (a merge's result must be).
fn validate(key: &NoteKey, path: &Path, bytes: &[u8]) -> bool {
    match key {
        NoteKey::Event(id) => codec::parse::<Event>(path, bytes, id.as_str()).is_ok(),
        NoteKey::Talk(id) => codec::parse::<Talk>(path, bytes, id.talk.as_str()).is_ok(),
    }
}

/// The error for a note that does not exist, as reading it would say.
fn missing(key: &NoteKey) -> Error {
    match key {
        NoteKey::Event(event) => Error::NotFound {
            what: "event",
            id: event.to_string(),
            hint: format!(
                "create it with `tn event new {event} --name \"…\"`, or list events with `tn list`"
            ),
        },
        NoteKey::Talk(talk) => Error::NotFound {
            what: "talk",
            id: talk.to_string(),
            hint: "list talks with `tn list`".into(),
        },
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

/// A note saved with a byte order mark keeps it: the mark was the user's editor's choice, and
/// dropping it would make every capture change the first line in `git diff`.
fn keep_bom(original: &[u8], text: String) -> String {
    if original.starts_with(codec::BOM.as_bytes()) {
        format!("{}{text}", codec::BOM)
    } else {
        text
    }
}

/// Keeps a version tn could not save in a file of its own, so that nothing is lost: beside
/// the drafts of `tn edit`, in the temporary directory. `None` if even that fails.
fn keep_unsaved(key: &NoteKey, bytes: &[u8]) -> Option<PathBuf> {
    use std::io::Write;
    let mut file = tempfile::Builder::new()
        .prefix(&format!("tn-unsaved-{}-", key.file_stem()))
        .suffix(".ron")
        .tempfile()
        .ok()?;
    file.write_all(bytes).ok()?;
    file.as_file().sync_all().ok()?;
    file.keep().ok().map(|(_, path)| path)
}

fn conflict(path: &Path, kept: Option<PathBuf>, reason: &str) -> Error {
    Error::Conflict {
        path: path.to_owned(),
        kept,
        reason: Some(reason.to_owned()),
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

/// What `tn check` finds in one note file: why it cannot be read, or the conflicts left in
/// it, and its warnings.
fn check_file<T: NoteDoc>(path: &Path, expected_id: &str, key: &str) -> Checked {
    match read_file_bytes::<T>(path, expected_id) {
        Ok((loaded, bytes)) => {
            let text = String::from_utf8_lossy(&bytes);
            Checked {
                problems: crate::merge::conflict_problems(path, &text, &loaded.value, key),
                warnings: loaded.value.warnings(path, codec::without_bom(&text), key),
            }
        }
        Err(e) => Checked {
            problems: e.into_note_errors(path),
            warnings: Vec::new(),
        },
    }
}

/// Reads and parses one note file, known to be in a real event directory.
fn read_file<T: NoteDoc>(path: &Path, expected_id: &str) -> Result<Loaded<T>, ReadError> {
    read_file_bytes(path, expected_id).map(|(loaded, _)| loaded)
}

/// [`read_file`], also returning the bytes read.
fn read_file_bytes<T: NoteDoc>(
    path: &Path,
    expected_id: &str,
) -> Result<(Loaded<T>, Vec<u8>), ReadError> {
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
    let loaded = Loaded {
        value,
        path: path.to_owned(),
        fingerprint: Fingerprint::of(&bytes),
    };
    Ok((loaded, bytes))
}

/// Reads a regular file of (about) `len` bytes, refusing more than [`MAX_NOTE_BYTES`] even if
/// it grows meanwhile. Opened without following a link and without blocking, and checked to
/// be a regular file once open: a swap after the caller's check cannot make it hang.
fn read_bounded(path: &Path, len: u64) -> Result<Vec<u8>> {
    check_size(path, len, false)?;
    let (file, entry) = match dir::open_path_file(path) {
        Ok(opened) => opened,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(not_a(path, "a note file", FileType::Symlink));
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    if entry.file_type != FileType::RegularFile {
        return Err(not_a(path, "a note file", entry.file_type));
    }
    let bytes = dir::read_limited(&file, MAX_NOTE_BYTES, len).at_path(path)?;
    check_size(path, bytes.len() as u64, false)?;
    Ok(bytes)
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
    use std::os::unix::fs::MetadataExt;
    not_a(path, expected, FileType::from_raw_mode(metadata.mode()))
}

/// Something other than `expected` at `path`, named by what it is.
fn not_a(path: &Path, expected: &'static str, found: FileType) -> Error {
    Error::NotANote {
        path: path.to_owned(),
        expected,
        found: describe(found),
    }
}

pub(crate) fn describe(file_type: FileType) -> &'static str {
    match file_type {
        FileType::Fifo => "a named pipe (FIFO)",
        FileType::Socket => "a socket",
        FileType::BlockDevice | FileType::CharacterDevice => "a device",
        FileType::Symlink => crate::error::SYMLINK,
        FileType::Directory => "a directory",
        FileType::RegularFile => "a file",
        FileType::Unknown => "something that is not a file",
    }
}

/// The note files of one event directory, by id, each with what `look` made of it.
fn list_event_dir<R>(
    path: &Path,
    event: &Slug,
    look: &mut impl FnMut(&NoteFile) -> R,
) -> (Vec<(NoteFile, R)>, Vec<NoteError>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // Not sorted by name: the files are sorted by id below, and the problems by path.
    let entries = match entries(path) {
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
        let file = NoteFile {
            key,
            path,
            len: metadata.len(),
            modified: metadata.modified().ok(),
        };
        let looked = look(&file);
        files.push((file, looked));
    }
    // By id, the order every listing and export promises: by file name `5--a.ron` would
    // come before `5.ron`, since `-` sorts before `.`. Ids are unique in a directory.
    files.sort_unstable_by(|(a, _), (b, _)| talk_id(&a.key).cmp(&talk_id(&b.key)));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    if !has_event_file {
        problems.push(
            NoteError::new(path, "this event directory has no event.ron").hint(format!(
                "create it with `tn event new {event} --name \"…\"`"
            )),
        );
    }
    (files, problems)
}

/// A note's id in its event directory, the event's own note (`None`) first.
fn talk_id(key: &NoteKey) -> Option<&str> {
    match key {
        NoteKey::Event(_) => None,
        NoteKey::Talk(id) => Some(id.talk.as_str()),
    }
}

/// A worker from `worker` on every item, on `threads` threads of which the calling thread is
/// one (each thread makes its own worker, which may keep state), results in the items'
/// order. Each thread takes the next item not yet taken, so one slowed down (the machine is
/// busy) leaves more of the rest to the others; and the calling thread works instead of
/// waiting, which spares starting a thread (and a fresh heap for it).
fn in_parallel<T: Sync, R: Send, W: FnMut(&T) -> R>(
    items: &[T],
    threads: usize,
    worker: impl Fn() -> W + Sync,
) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let run = || {
        let mut work = worker();
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, work(item)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        // A thread that cannot start leaves its share to the others.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, run).ok())
            .collect();
        let mut done = run();
        for helper in helpers {
            done.extend(
                helper
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

fn sorted_entries(dir: &Path) -> Result<Vec<fs::DirEntry>> {
    let mut entries = entries(dir)?;
    // `file_name` allocates: once per entry, not once per comparison.
    entries.sort_by_cached_key(fs::DirEntry::file_name);
    Ok(entries)
}

fn entries(dir: &Path) -> Result<Vec<fs::DirEntry>> {
    fs::read_dir(dir)
        .at_path(dir)?
        .collect::<std::io::Result<Vec<_>>>()
        .at_path(dir)
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

#[cfg(test)]
mod tests {
    use super::NoteKey;
    use proptest::prelude::*;

    #[test]
    fn in_parallel_keeps_the_order_and_does_every_item_once() {
        let items: Vec<usize> = (0..1000).collect();
        for threads in 1..=4 {
            let out = super::in_parallel(&items, threads, || |i: &usize| i * 2);
            assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
        assert!(super::in_parallel(&[] as &[u8], 2, || |b: &u8| *b).is_empty());
    }

    proptest! {
        /// The freshness check looks keys up by `write_into`; the index stores `Display`.
        #[test]
        fn key_written_into_a_buffer_is_its_display(
            event in "[a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}",
            talk in proptest::option::of("[a-z0-9]{1,10}(-[a-z0-9]{1,6}){0,2}"),
        ) {
            let text = match &talk {
                Some(talk) => format!("{event}/{talk}"),
                None => event.clone(),
            };
            let key: NoteKey = text.parse().map_err(TestCaseError::fail)?;
            let mut buffer = String::from("left over from the last key");
            key.write_into(&mut buffer);
            prop_assert_eq!(buffer, key.to_string());
        }
    }
}
