//! The search index in `<root>/index/tantivy/`: derived from the notes, never the source of
//! truth, rebuilt at will.
//!
//! Before every search the index is brought up to date cheaply: note files are listed with
//! their modification time and size, compared with what the index recorded (fast fields), and
//! only added, changed or removed notes are re-indexed. When nothing changed no writer is
//! needed, so searches never wait on each other. Writers take turns through tantivy's own lock
//! (retried for a while, then the search goes on with the index as it is and says so). A
//! missing, corrupt or outdated index is rebuilt aside and swapped in, with a one-line notice.
//!
//! # Builds, and searches running beside them
//!
//! Every build gets a directory of its own, `tantivy/<build>/`, never renamed; the file
//! `tantivy/live` names the one searches use, and a build goes live by replacing that file
//! (a rename, so a reader sees the old name or the new one). A process pins the build it
//! opens with a shared lock on the build's stamp file and keeps it for as long as it uses it;
//! a build that is neither live nor pinned is removed under the build lock. So a search
//! started before or during a rebuild answers from the old build, whole, and one started
//! after it from the new one; the TUI moves to a newer build at its next refresh.
//!
//! This replaced a rename swap (`tantivy` → `tantivy.old-…`, `tantivy.new-…` → `tantivy`)
//! whose races an outside attack found (issue 18, item 4). tantivy's `MmapDirectory`, and so
//! [`CacheDirectory`], addresses files by path, so an index opened before the swap silently
//! read and wrote the new build after it:
//! - a refresh that committed before the swap reloaded its reader from the new build, made
//!   from a listing taken before the note was jotted: `[]` for a note that exists;
//! - a refresh that committed after the swap wrote, into the new build's directory, a
//!   `meta.json` naming the old build's segments: the rebuild's own open then failed
//!   ("damaged: <segment>.idx is missing"), and every search after it rebuilt a healthy index
//!   after "damaged: FileDoesNotExist … .term";
//! - a second `tn reindex` waiting for the build lock rebuilt again, with no need.
//!
//! A writer that is not `fsync`ed cannot make this worse: the page cache is shared, so every
//! process sees every write at once; only a power cut loses them, and then the build fails to
//! open and is rebuilt like any damage.
//!
//! Over 1,000 lines: opening, refreshing, rebuilding aside and repairing the index are one
//! state machine over the same directory and locks, and are kept together so their races can
//! be read in one place.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::directory::error::LockError;
use tantivy::index::{SegmentComponent, SegmentId};
use tantivy::indexer::{LogMergePolicy, NoMergePolicy};
use tantivy::schema::{Document, Value};
use tantivy::{Directory, HasLen};
use tantivy::{
    Executor, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term,
};

use super::analysis::{ANALYZER_VERSION, name_key};
use super::cache_dir::CacheDirectory;
use super::schema::{self, DocType, Fields, SCHEMA_VERSION, Section, register_tokenizers};
use crate::error::{Error, IoContext, Result};
use crate::note::{Event, Slug, Talk, TalkRef};
use crate::regular_file;
use crate::store::atomic::TEMP_PREFIX;
use crate::store::{NoteFile, NoteKey, Store};

/// Holds the builds and the pointer to the live one.
const TANTIVY_DIR: &str = "tantivy";
/// Names the live build: one line, the name of its directory.
const LIVE_FILE: &str = "live";
/// In each build: the versions it was built with and its name. Also the file a process that
/// uses the build holds a shared lock on (see the module doc).
const VERSION_FILE: &str = "talknotes-index-version";
/// Held by the one process building (and removing old builds) at a time.
const BUILD_LOCK: &str = ".build.lock";
/// How long a refresh waits for another process's writer before searching the index as is.
const WRITER_PATIENCE: Duration = Duration::from_secs(10);
/// Opening gives up after the live build changed under it this many times in a row (each
/// time a rebuild finished between reading `live` and pinning the build it named).
const OPEN_ATTEMPTS: usize = 8;

fn version_stamp() -> String {
    let probe = stamp_hash("talknotes", Stamp { mtime: 1, size: 2 });
    format!("schema={SCHEMA_VERSION} analyzer={ANALYZER_VERSION} stamp-hash={probe:016x}\n")
}

/// What bringing the index up to date did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RefreshReport {
    /// Why the index was rebuilt from scratch, if it was.
    pub rebuilt: Option<String>,
    pub indexed: usize,
    pub removed: usize,
    /// Another process held the writer too long; results may miss the newest changes.
    pub stale: bool,
    /// The user's concepts file (`notes/concepts.ron`) changed: results may differ though
    /// no note did (set by `Engine::refresh`).
    pub concepts_changed: bool,
}

impl RefreshReport {
    /// The one-line notice a user should see, if any.
    pub fn notice(&self) -> Option<String> {
        if let Some(reason) = &self.rebuilt {
            Some(format!(
                "search index rebuilt ({reason}); {} notes indexed",
                self.indexed
            ))
        } else if self.stale {
            Some(
                "search index is being updated by another tn; results may miss the latest changes"
                    .into(),
            )
        } else {
            None
        }
    }
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// What the index holds for each note file, kept current by `refresh`.
    recorded: Recorded,
    /// Which build this is (the name of its directory; empty in memory), so a process that
    /// found it damaged can tell whether someone has rebuilt it since.
    build: String,
    /// The shared lock that keeps this build from being removed while it is used (`None` in
    /// memory).
    _pin: Option<File>,
}

/// What the index recorded about one note file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    mtime: u64,
    size: u64,
}

/// What the index recorded about the note files, read in two steps. Every search asks
/// whether anything changed, and the answer is nearly always no: one hash per file of its
/// key, modification time and size answers that from a column of numbers. Which files
/// changed, and which were removed, needs the keys themselves; they are read only then (the
/// keys of 10,000 notes took 1.5–2.5 ms of every search). A key column garbled with its
/// file's footer intact is therefore found at the first change, not at every open: a search
/// with nothing changed reads no key, and shows nothing it could have garbled. A hash that
/// disagrees with its stamp re-indexes its note (see `refresh_in_place`).
struct Recorded {
    /// The stamp hashes of the documents that have one (every note's document does).
    stamp_hashes: FxHashSet<u64>,
    /// How many documents have a stamp hash: the set's size unless two hashes collide or
    /// two documents share a key and stamp, and then every refresh compares keys.
    documents: usize,
    /// The stamps by key, once a refresh needed them; dropped at a commit (this process's
    /// or, unseen, another's), so they are never older than the hashes.
    stamps: Option<FxHashMap<String, Stamp>>,
}

impl Recorded {
    /// Reads the stamp hashes of every live document.
    fn read(searcher: &tantivy::Searcher) -> Result<Recorded> {
        let fail = tantivy_error(Path::new("index"));
        let docs: usize = searcher
            .segment_readers()
            .iter()
            .map(|s| s.num_docs() as usize)
            .sum();
        let mut stamp_hashes = FxHashSet::with_capacity_and_hasher(docs, Default::default());
        let mut documents = 0;
        for segment in searcher.segment_readers() {
            let column = segment
                .fast_fields()
                .u64(schema::STAMP_HASH)
                .map_err(&fail)?;
            for doc in segment.doc_ids_alive() {
                if let Some(hash) = column.first(doc) {
                    documents += 1;
                    stamp_hashes.insert(hash);
                }
            }
        }
        Ok(Recorded {
            stamp_hashes,
            documents,
            stamps: None,
        })
    }

    /// Whether `files` are exactly the files recorded, each as it was when indexed, given
    /// whether each one's stamp hash is recorded.
    fn same(&self, files: &[(NoteFile, bool)]) -> bool {
        self.stamp_hashes.len() == self.documents
            && files.len() == self.documents
            && files.iter().all(|(_, recorded)| *recorded)
    }
}

/// A note file's key, modification time and size as one number, with SipHash: two files
/// collide with a chance of about one in 10^15 at 10,000 notes. std does not promise the
/// algorithm across toolchains, so [`version_stamp`] records a hash of its own: an index
/// hashed another way is rebuilt once, not compared key by key on every search.
fn stamp_hash(key: &str, stamp: Stamp) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    key.hash(&mut hasher);
    stamp.mtime.hash(&mut hasher);
    stamp.size.hash(&mut hasher);
    hasher.finish()
}

/// Which build a rebuild may use instead of building, if one went live while it waited for
/// the build lock.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reuse {
    /// Any that opens: it was built after this process found no usable index.
    Any,
    /// Any but this one: the build found damaged, or the one `tn reindex` was asked to
    /// replace.
    AnyBut(String),
}

/// What a rebuild did.
enum Rebuilt {
    /// Built a new index of this many talks.
    Built(SearchIndex, usize),
    /// Another process built one while this one waited; brought up to date.
    Reused(SearchIndex, RefreshReport),
}

impl SearchIndex {
    /// Opens the index (building it if needed) and brings it up to date.
    ///
    /// When the index cannot be written (a read-only knowledge base, a full disk), the search
    /// still works: it runs on an index built in memory, and the report says why.
    pub fn open(store: &Store) -> Result<(SearchIndex, RefreshReport)> {
        let index_dir = store.index_dir();
        if index_dir.exists() && !index_dir.is_dir() {
            let reason = format!(
                "{} is not a directory, so the index is kept in memory only; move that file \
                 away to let tn keep its index",
                index_dir.display()
            );
            return Self::build_in_memory(store, reason);
        }
        let on_disk = match open_live(&index_dir) {
            Ok(mut index) => {
                sweep_if_idle(&index_dir, &index.build);
                index
                    .refresh_or_recover(store)
                    .map(|report| (index, report))
            }
            Err(reason) => Self::rebuild_aside(store, Reuse::Any).map(|rebuilt| match rebuilt {
                Rebuilt::Built(index, indexed) => (
                    index,
                    RefreshReport {
                        rebuilt: Some(reason),
                        indexed,
                        ..RefreshReport::default()
                    },
                ),
                Rebuilt::Reused(index, report) => (index, report),
            }),
        };
        match on_disk {
            Err(e) if cannot_write_index(&e, &index_dir) => {
                let why = match &e {
                    Error::Io { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                let reason = format!(
                    "{} could not be updated: {why}; this search used an index kept in memory",
                    index_dir.display()
                );
                Self::build_in_memory(store, reason).map_err(|_| e)
            }
            other => other,
        }
    }

    /// When there is nowhere to keep an index (`index/` is a file, or cannot be written),
    /// one is built in memory for this process and `reason` tells the user why. Nothing on
    /// disk is touched: a file in the way is not tn's to delete.
    fn build_in_memory(store: &Store, reason: String) -> Result<(SearchIndex, RefreshReport)> {
        let fields = Fields::new();
        let index = Index::create_in_ram(fields.schema.clone());
        register_tokenizers(&index)?;
        let fail = tantivy_error(Path::new("memory"));
        let indexed = build(store, &fields, &index, Path::new("memory"))?;
        let reader = reader(&index).map_err(&fail)?;
        // Recorded like a disk index, so a refresh (the TUI's) re-indexes only what changed.
        let recorded = Recorded::read(&reader.searcher())?;
        let index = SearchIndex {
            index,
            reader,
            fields,
            recorded,
            build: String::new(),
            _pin: None,
        };
        Ok((
            index,
            RefreshReport {
                rebuilt: Some(reason),
                indexed,
                ..RefreshReport::default()
            },
        ))
    }

    /// Whether the knowledge base has a live index on disk (built before, maybe out of date).
    fn exists(store: &Store) -> bool {
        read_live(&store.index_dir().join(TANTIVY_DIR)).is_ok()
    }

    /// The index as it is, to read what it already holds: nothing is refreshed, rebuilt,
    /// recovered or swept, so nothing under `index/` is written (`tn check` reads the
    /// learned pairs this way). `None` when there is no index; an error when it cannot be
    /// opened as it is (damaged, or built by another version of tn).
    pub fn open_as_is(store: &Store) -> Result<Option<SearchIndex>> {
        if !Self::exists(store) {
            return Ok(None);
        }
        let index_dir = store.index_dir();
        open_live(&index_dir)
            .map(Some)
            .map_err(|message| Error::Index {
                path: index_dir,
                message,
            })
    }

    /// `tn reindex`: rebuilds from scratch. A rebuild that another process finished while
    /// this one waited for it is used instead of building again: brought up to date (every
    /// note changed since it read them is read again), it is what a second build would be.
    pub fn reindex(store: &Store) -> Result<(SearchIndex, RefreshReport)> {
        let reuse = match read_live(&store.index_dir().join(TANTIVY_DIR)) {
            Ok(build) => Reuse::AnyBut(build),
            Err(_) => Reuse::Any,
        };
        let (index, indexed) = match Self::rebuild_aside(store, reuse)? {
            Rebuilt::Built(index, indexed) => (index, indexed),
            Rebuilt::Reused(index, _) => {
                let talks = index.talks()?;
                (index, talks)
            }
        };
        Ok((
            index,
            RefreshReport {
                rebuilt: Some("requested".into()),
                indexed,
                ..RefreshReport::default()
            },
        ))
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// How many valid talks the index holds.
    fn talks(&self) -> Result<usize> {
        self.count(DocType::Talk)
    }

    /// How many note files could not be read when they were indexed (each is recorded, so
    /// that searches can say some notes are missing from their results).
    pub fn unreadable(&self) -> Result<usize> {
        self.count(DocType::Invalid)
    }

    fn count(&self, doc_type: DocType) -> Result<usize> {
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(self.fields.doc_type, doc_type.as_str()),
            tantivy::schema::IndexRecordOption::Basic,
        );
        self.searcher()
            .search(&query, &tantivy::collector::Count)
            .map_err(tantivy_error(Path::new("index")))
    }

    /// Builds a fresh index in a directory of its own and makes it the live one; readers of
    /// the old one are never disturbed (see the module doc). One process builds at a time; a
    /// process that waited for another's build uses that build if `reuse` allows.
    fn rebuild_aside(store: &Store, reuse: Reuse) -> Result<Rebuilt> {
        let index_dir = store.index_dir();
        fs::create_dir_all(&index_dir).at_path(&index_dir)?;
        pause(&index_dir, Point::BeforeBuildLock);
        let _build = BuildLock::acquire(&index_dir)?;
        let builds = index_dir.join(TANTIVY_DIR);
        if !fs::symlink_metadata(&builds).is_ok_and(|m| m.is_dir()) {
            // A file or a link where the builds belong: derived state, replaced.
            remove_entry(&builds);
        }
        fs::create_dir_all(&builds).at_path(&builds)?;
        if let Ok(mut index) = open_live(&index_dir)
            && match &reuse {
                Reuse::Any => true,
                Reuse::AnyBut(build) => *build != index.build,
            }
        {
            // Someone rebuilt it while this process waited for the build lock. If it is
            // still damaged, build afresh here: `refresh` would recover, which takes the build
            // lock this process already holds.
            match index.refresh_in_place(store) {
                Err(Error::Index { .. }) => {}
                Ok(report) => {
                    sweep(&index_dir, &index.build);
                    return Ok(Rebuilt::Reused(index, report));
                }
                Err(e) => return Err(e),
            }
        }
        let name = format!(
            "{}-{}",
            std::process::id(),
            UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos())
        );
        let fresh = builds.join(&name);
        fs::create_dir(&fresh).at_path(&fresh)?;
        let built = (|| -> Result<usize> {
            let fields = Fields::new();
            let directory = CacheDirectory::open(&fresh).map_err(|e| Error::Index {
                path: fresh.clone(),
                message: e.to_string(),
            })?;
            let index = Index::create(
                directory,
                fields.schema.clone(),
                tantivy::IndexSettings::default(),
            )
            .map_err(tantivy_error(&fresh))?;
            register_tokenizers(&index)?;
            let count = build(store, &fields, &index, &fresh)?;
            let stamp = format!("{}build={name}\n", version_stamp());
            fs::write(fresh.join(VERSION_FILE), stamp).at_path(&fresh)?;
            pause(&index_dir, Point::BeforeSwap);
            set_live(&builds, &name)?;
            Ok(count)
        })();
        let indexed = match built {
            Ok(count) => count,
            Err(e) => {
                let _ = fs::remove_dir_all(&fresh);
                return Err(e);
            }
        };
        pause(&index_dir, Point::AfterSwap);
        let index = open_live(&index_dir)
            .map_err(|reason| Error::Invalid(format!("{}: {reason}", fresh.display())))?;
        sweep(&index_dir, &index.build);
        Ok(Rebuilt::Built(index, indexed))
    }

    /// Re-indexes notes whose files changed since they were indexed; removes vanished ones.
    /// A long-lived index (the TUI's) first moves to the live build if another process
    /// rebuilt the index meanwhile. An index found damaged on the way (its files deleted or
    /// garbled under a running process) is rebuilt, and the report says so.
    pub fn refresh(&mut self, store: &Store) -> Result<RefreshReport> {
        self.follow_live(store);
        self.refresh_or_recover(store)
    }

    fn refresh_or_recover(&mut self, store: &Store) -> Result<RefreshReport> {
        match self.refresh_in_place(store) {
            Err(Error::Index { message, .. }) => self.recover(store, &message),
            other => other,
        }
    }

    /// Moves to the live build when it is no longer this one; on any trouble stays where it
    /// is (a refresh of this build then finds out what is wrong).
    fn follow_live(&mut self, store: &Store) {
        if self._pin.is_none() {
            return;
        }
        let index_dir = store.index_dir();
        if read_live(&index_dir.join(TANTIVY_DIR)).is_ok_and(|live| live != self.build)
            && let Ok(live) = open_live(&index_dir)
        {
            *self = live;
            sweep_if_idle(&index_dir, &self.build);
        }
    }

    /// Rebuilds an index found damaged while in use (`problem` says how), in place.
    pub fn recover(&mut self, store: &Store, problem: &str) -> Result<RefreshReport> {
        let reason = format!("damaged: {problem}");
        let replaced = Reuse::AnyBut(self.build.clone());
        let report = match Self::rebuild_aside(store, replaced)? {
            Rebuilt::Built(fresh, indexed) => {
                *self = fresh;
                RefreshReport {
                    rebuilt: Some(reason),
                    indexed,
                    ..RefreshReport::default()
                }
            }
            Rebuilt::Reused(fresh, report) => {
                *self = fresh;
                report
            }
        };
        // The damaged build was pinned by this process until now.
        sweep_if_idle(&store.index_dir(), &self.build);
        Ok(report)
    }

    fn refresh_in_place(&mut self, store: &Store) -> Result<RefreshReport> {
        // Each file's stamp hash is looked up by the thread that listed it.
        let stamp_hashes = &self.recorded.stamp_hashes;
        let (files, _) = store.list_files_with(|| {
            let mut key = String::new();
            move |file: &NoteFile| {
                file.key.write_into(&mut key);
                stamp_hashes.contains(&stamp_hash(&key, stamp(file)))
            }
        })?;
        if self.recorded.same(&files) {
            return Ok(RefreshReport::default());
        }
        let (files, hashed): (Vec<NoteFile>, Vec<bool>) = files.into_iter().unzip();
        let stamps = match self.recorded.stamps.take() {
            Some(stamps) => stamps,
            None => {
                let searcher = self.reader.searcher();
                crate::guard::index_call(Path::new("index"), || recorded(&searcher))?
            }
        };
        let recorded = &*self.recorded.stamps.insert(stamps);
        let mut changed_events = BTreeSet::new();
        let mut to_index: Vec<&NoteFile> = Vec::new();
        // Files whose key the index has: when that is all the index has, nothing was removed
        // and no set of keys need be built.
        let mut known = 0;
        let mut key = String::new();
        for (file, hashed) in files.iter().zip(hashed) {
            file.key.write_into(&mut key);
            let changed = match recorded.get(&key) {
                Some(recorded) => {
                    known += 1;
                    // A file whose stamp is recorded but whose hash is not: the hash column
                    // is wrong (a collision loses a hash from the set, it adds none).
                    // Re-indexed, which writes its hash again; left so, every later search
                    // would compare keys. (Hashes and stamps come from one reader, which
                    // reloads only after this process's own commit.)
                    *recorded != stamp(file) || !hashed
                }
                None => true,
            };
            if changed {
                if let NoteKey::Event(id) = &file.key {
                    changed_events.insert(id.clone());
                }
                to_index.push(file);
            }
        }
        let removed: Vec<String> = if known == recorded.len() {
            Vec::new()
        } else {
            let present: FxHashSet<String> = files.iter().map(|f| f.key.to_string()).collect();
            recorded
                .keys()
                .filter(|k| !present.contains(*k))
                .cloned()
                .collect()
        };
        // A removed event file changes its talks as much as an edited one.
        for key in &removed {
            if let Ok(NoteKey::Event(id)) = key.parse::<NoteKey>() {
                changed_events.insert(id);
            }
        }
        // A talk document carries its event's name and date, so an event change re-indexes
        // its talks too.
        if !changed_events.is_empty() {
            for file in &files {
                if let NoteKey::Talk(id) = &file.key
                    && changed_events.contains(&id.event)
                {
                    file.key.write_into(&mut key);
                    if recorded.get(&key) == Some(&stamp(file)) {
                        to_index.push(file);
                    }
                }
            }
        }
        if to_index.is_empty() && removed.is_empty() {
            // Only hashes differed: two collided, or two documents share a key and stamp.
            return Ok(RefreshReport::default());
        }
        let Some(mut writer) = self.wait_for_writer()? else {
            return Ok(RefreshReport {
                stale: true,
                ..RefreshReport::default()
            });
        };
        for key in &removed {
            writer.delete_term(Term::from_field_text(self.fields.key, key));
        }
        let to_index: Vec<NoteFile> = to_index.into_iter().cloned().collect();
        let indexed = index_files(store, &self.fields, &mut writer, &to_index, false, |d| d)?;
        let fail = tantivy_error(Path::new("index"));
        pause(&store.index_dir(), Point::BeforeCommit);
        writer.commit().map_err(&fail)?;
        // A merge the commit started is kept only if the writer lives until it ends.
        writer.wait_merging_threads().map_err(&fail)?;
        pause(&store.index_dir(), Point::AfterCommit);
        self.reader.reload().map_err(&fail)?;
        let searcher = self.reader.searcher();
        self.recorded = crate::guard::index_call(Path::new("index"), || Recorded::read(&searcher))?;
        Ok(RefreshReport {
            rebuilt: None,
            indexed,
            removed: removed.len(),
            stale: false,
            concepts_changed: false,
        })
    }

    fn wait_for_writer(&self) -> Result<Option<IndexWriter>> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            match writer(&self.index) {
                Ok(writer) => return Ok(Some(writer)),
                Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                    if started.elapsed() > WRITER_PATIENCE {
                        return Ok(None);
                    }
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                Err(e) => return Err(tantivy_error(Path::new("index"))(e)),
            }
        }
    }
}

/// The file stamps the index recorded, by key, read from fast fields (no stored-doc reads).
/// Each segment's key dictionary is streamed once: looking keys up one by one would
/// decompress a dictionary block per document.
fn recorded(searcher: &tantivy::Searcher) -> Result<FxHashMap<String, Stamp>> {
    let fail = tantivy_error(Path::new("index"));
    let io_fail = |e: std::io::Error| Error::Index {
        path: "index".into(),
        message: e.to_string(),
    };
    let docs = searcher
        .segment_readers()
        .iter()
        .map(|s| s.num_docs() as usize);
    let mut recorded = FxHashMap::with_capacity_and_hasher(docs.sum(), Default::default());
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let Some(keys) = fast.str(schema::KEY).map_err(&fail)? else {
            continue;
        };
        let mut names = Vec::with_capacity(keys.num_terms());
        let mut stream = keys.dictionary().stream().map_err(io_fail)?;
        while stream.advance() {
            names.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
        let mtimes = fast.u64(schema::MTIME).map_err(&fail)?;
        let sizes = fast.u64(schema::SIZE).map_err(&fail)?;
        for doc in segment.doc_ids_alive() {
            // Each key is one live document's: moved out, not copied.
            let Some(name) = keys
                .term_ords(doc)
                .next()
                .and_then(|ord| names.get_mut(ord as usize))
                .map(std::mem::take)
                .filter(|name| !name.is_empty())
            else {
                continue;
            };
            recorded.insert(
                name,
                Stamp {
                    mtime: mtimes.first(doc).unwrap_or_default(),
                    size: sizes.first(doc).unwrap_or_default(),
                },
            );
        }
    }
    Ok(recorded)
}

/// Whether opening the index failed because its directory cannot be written: permissions,
/// a read-only file system, a full disk or a file-size limit. Those leave the notes readable,
/// so a search can still run on an index in memory.
fn cannot_write_index(error: &Error, index_dir: &Path) -> bool {
    match error {
        Error::Io { path, source } => {
            path.starts_with(index_dir)
                && matches!(
                    source.kind(),
                    std::io::ErrorKind::PermissionDenied
                        | std::io::ErrorKind::ReadOnlyFilesystem
                        | std::io::ErrorKind::StorageFull
                        | std::io::ErrorKind::FileTooLarge
                        | std::io::ErrorKind::QuotaExceeded
                )
        }
        // tantivy reports its I/O failures as text; a damaged index that could not be
        // rebuilt is the same situation.
        Error::Index { .. } => true,
        _ => false,
    }
}

/// Opens the live build of the index in `index_dir` and pins it (see the module doc). The
/// error says why there is no usable index, as the rebuild notice shows it.
fn open_live(index_dir: &Path) -> std::result::Result<SearchIndex, String> {
    let builds = index_dir.join(TANTIVY_DIR);
    for _ in 0..OPEN_ATTEMPTS {
        let name = read_live(&builds)?;
        let dir = builds.join(&name);
        match pin(&dir) {
            Ok((pin, stamp)) => return open_build(&dir, name, pin, &stamp),
            // Removed after `live` was read: a rebuild went live meanwhile; open that one.
            Err(Pin::Gone) if read_live(&builds).is_ok_and(|live| live != name) => continue,
            Err(Pin::Gone) => return Err("version stamp missing".into()),
            Err(Pin::Unusable(reason)) => return Err(reason),
        }
    }
    Err("the index was rebuilt again and again while this tn opened it".into())
}

/// The name of the live build, from `tantivy/live`.
fn read_live(builds: &Path) -> std::result::Result<String, String> {
    let path = builds.join(LIVE_FILE);
    match regular_file::read_small(&path, 256) {
        Ok(Some(bytes)) => {
            let name = String::from_utf8_lossy(&bytes).trim().to_owned();
            // Only a name this module makes: no separators, so never a path elsewhere.
            if !name.is_empty()
                && name.len() <= 64
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                Ok(name)
            } else {
                Err(format!("damaged: {} names no build", path.display()))
            }
        }
        Ok(None) => Err("no index yet".into()),
        Err(e) if regular_file::is_not_found(&e) => Err("no index yet".into()),
        Err(e) => Err(format!("damaged: {}", one_line(&e))),
    }
}

/// An error as part of a one-line notice.
fn one_line(error: &Error) -> String {
    match error {
        Error::NotAFile { path, found, .. } => format!("{} is {found}", path.display()),
        other => other.to_string(),
    }
}

/// Makes build `name` the live one: `live` is replaced whole, so a reader sees the old name
/// or the new one.
fn set_live(builds: &Path, name: &str) -> Result<()> {
    let path = builds.join(LIVE_FILE);
    let mut file = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(builds)
        .at_path(builds)?;
    writeln!(file, "{name}").at_path(&path)?;
    file.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    Ok(())
}

enum Pin {
    /// The build's stamp is not there (any more).
    Gone,
    Unusable(String),
}

/// Takes a shared lock on the build's stamp file, for as long as the file is held, and reads
/// the stamp. A build being removed loses its stamp first, under an exclusive lock: a stamp
/// found unlinked once the lock is held means the build is gone.
fn pin(dir: &Path) -> std::result::Result<(File, String), Pin> {
    let path = dir.join(VERSION_FILE);
    let file = match regular_file::open_read(&path) {
        Ok(file) => file,
        // Also `dir` itself gone, or a file where it was.
        Err(e) if regular_file::is_not_found(&e) || not_a_directory(&e) => return Err(Pin::Gone),
        Err(e) => return Err(Pin::Unusable(format!("damaged: {}", one_line(&e)))),
    };
    // Held exclusively only while a sweep removes the build, a moment; anything longer is
    // not tn's doing, and is reported rather than waited for.
    let started = Instant::now();
    loop {
        match file.try_lock_shared() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < WRITER_PATIENCE => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(e) => {
                let why = match e {
                    std::fs::TryLockError::WouldBlock => "locked by another process".to_owned(),
                    std::fs::TryLockError::Error(e) => e.to_string(),
                };
                return Err(Pin::Unusable(format!(
                    "unreadable: {}: {why}",
                    path.display()
                )));
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if file.metadata().is_ok_and(|m| m.nlink() == 0) {
            return Err(Pin::Gone);
        }
    }
    let stamp = regular_file::read_bounded(&file, &path, 4096)
        .map_err(|e| Pin::Unusable(format!("damaged: {}", one_line(&e))))?;
    Ok((file, String::from_utf8_lossy(&stamp).into_owned()))
}

fn not_a_directory(error: &Error) -> bool {
    matches!(error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotADirectory)
}

/// Opens the pinned build in `dir`, checking what can be checked before a search needs it.
fn open_build(
    dir: &Path,
    build: String,
    pin: File,
    stamp: &str,
) -> std::result::Result<SearchIndex, String> {
    if stamp.strip_prefix(&version_stamp()).is_none() {
        return Err("built by another version of tn".into());
    }
    let fields = Fields::new();
    let directory = CacheDirectory::open(dir).map_err(|e| format!("unreadable: {e}"))?;
    let mut index = Index::open(directory).map_err(|e| format!("unreadable: {e}"))?;
    let cores = cores();
    if cores > 1 && index.searchable_segment_ids().map_or(0, |s| s.len()) > 1 {
        // Segments searched in parallel; threads that cannot start only cost speed. Their
        // names tell the panic hook that a panic there is caught (see `guard`).
        if let Ok(executor) = Executor::multi_thread(cores, crate::guard::SEARCH_THREADS) {
            index.set_executor(executor);
        }
    }
    if index.schema() != fields.schema {
        return Err("schema changed".into());
    }
    if let Some(index_dir) = dir.parent().and_then(Path::parent) {
        pause(index_dir, Point::Opened);
    }
    register_tokenizers(&index).map_err(|e| e.to_string())?;
    // Opening the reader reads the segment list and opens every segment's files, under
    // tantivy's meta lock, so another process's merge cannot delete them in between: a file
    // missing now is missing for good. Checking paths against a list read earlier (as before)
    // took a merge's clean-up for damage.
    let reader = reader(&index).map_err(|e| format!("unreadable: {e}"))?;
    let searcher = reader.searcher();
    let checked = crate::guard::index_call(dir, || {
        // A segment without its positions file opens with none, and fails only when a phrase
        // needs them: every talk has a title, whose words carry positions.
        let title = fields.section(Section::Title).ja;
        for segment in searcher.segment_readers() {
            segment.inverted_index(title).map_err(tantivy_error(dir))?;
        }
        Recorded::read(&searcher)
    });
    let recorded = checked.map_err(|e| match e {
        Error::Index { message, .. } => format!("damaged: {message}"),
        other => format!("damaged: {other}"),
    })?;
    Ok(SearchIndex {
        index,
        reader,
        fields,
        recorded,
        build,
        _pin: Some(pin),
    })
}

/// The build lock: one process builds, or removes old builds, at a time. Its file is opened
/// only as a regular file: a named pipe there hung `tn reindex` and every search that needed
/// a rebuild.
struct BuildLock {
    _file: File,
}

impl BuildLock {
    fn acquire(index_dir: &Path) -> Result<BuildLock> {
        let path = index_dir.join(BUILD_LOCK);
        let file = regular_file::open_lock(&path)?;
        file.lock().at_path(&path)?;
        Ok(BuildLock { _file: file })
    }

    /// The lock if no one holds it now.
    fn try_acquire(index_dir: &Path) -> Option<BuildLock> {
        let file = regular_file::open_lock(&index_dir.join(BUILD_LOCK)).ok()?;
        file.try_lock().ok()?;
        Some(BuildLock { _file: file })
    }
}

/// Removes what is in `tantivy/` besides `live` and the `live` build: older builds no process
/// has pinned, builds a killed rebuild left, stray files. Only call it under the build lock:
/// a build in progress is not live yet.
fn sweep(index_dir: &Path, live: &str) {
    let builds = index_dir.join(TANTIVY_DIR);
    let Ok(entries) = fs::read_dir(&builds) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if name == LIVE_FILE || name == live {
            continue;
        }
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_file(&path);
            continue;
        }
        let stamp = path.join(VERSION_FILE);
        match regular_file::open_read(&stamp) {
            Ok(file) => {
                // Pinned by a process still using it: left for a later sweep.
                if file.try_lock().is_err() {
                    continue;
                }
                // The stamp goes first, while the lock is held: see `pin`.
                let _ = fs::remove_file(&stamp);
                let _ = fs::remove_dir_all(&path);
            }
            // Nobody can pin a build without a (regular) stamp.
            Err(_) => {
                let _ = fs::remove_dir_all(&path);
            }
        }
    }
    remove_legacy(index_dir);
}

/// Sweeps when there is something besides `live` and the build just opened (`opened`, live
/// a moment ago) and no one is building. Costs one directory listing when there is not.
fn sweep_if_idle(index_dir: &Path, opened: &str) {
    let builds = index_dir.join(TANTIVY_DIR);
    let others = fs::read_dir(&builds).map_or(0, |entries| {
        entries
            .flatten()
            .filter(|e| e.file_name() != LIVE_FILE && e.file_name() != opened)
            .count()
    });
    if others > 0
        && let Some(_lock) = BuildLock::try_acquire(index_dir)
        // Read again under the lock: a rebuild may have gone live meanwhile.
        && let Ok(live) = read_live(&builds)
    {
        sweep(index_dir, &live);
    }
}

/// Removes what the rename swap of earlier versions left: `tantivy.new-…` and `tantivy.old-…`
/// beside `tantivy/`.
fn remove_legacy(index_dir: &Path) {
    let Ok(entries) = fs::read_dir(index_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&format!("{TANTIVY_DIR}.new-"))
            || name.starts_with(&format!("{TANTIVY_DIR}.old-"))
        {
            remove_entry(&entry.path());
        }
    }
}

fn reader(index: &Index) -> tantivy::Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
}

/// The writer for a refresh: one thread, a small budget (a refresh indexes a few notes).
/// Each refresh adds a small segment; those are merged among themselves only, 8 at a time,
/// never with a build's segments (tantivy's default would merge a 1-note segment with
/// segments of up to ~16k notes, rewriting much of the index during a search).
fn writer(index: &Index) -> tantivy::Result<IndexWriter> {
    let writer = index.writer_with_num_threads(1, 15 << 20)?;
    let mut policy = LogMergePolicy::default();
    policy.set_min_layer_size(100);
    policy.set_max_docs_before_merge(1_000);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

/// Notes read by a bulk build but not yet indexed, at most. Reading notes is far faster
/// than analysing them, and tantivy's own queue holds 10 000 documents, each carrying its
/// text twice (once per view): that queue alone took ~40 MB at 100k notes.
const BULK_IN_FLIGHT: usize = 256;

/// The indexing buffers of a bulk build, shared by its threads.
const BUILD_BUDGET: usize = 96 << 20;

/// The least tantivy accepts per writer thread.
const MIN_THREAD_BUDGET: usize = 15_000_000;

/// Merges aim at groups of this many bytes, so a merge maps only part of the index at once
/// (the pages it reads count in the process's memory). Merging everything into one segment,
/// as tantivy's default policy does, peaked at 428 MB for 100k notes; groups of 96 MB (4
/// segments of ~75 MB) peaked at 191–198 MB, groups of 64 MB (6 segments) at 174–185 MB,
/// set by indexing rather than merging, for a p99 of 4.2–4.3 ms instead of 3.8–4.2 (2 cores;
/// more cores round the count up to more, smaller groups).
const MERGE_GROUP_BYTES: u64 = 64 << 20;

/// A bulk build leaves up to this many segments as they are (10k notes make 2): merging
/// them costs more time (~0.4 s at 10k) than it saves searches.
const MAX_UNMERGED: usize = 4;

/// How many threads search and build use: more than 4 did not pay off for a few hundred
/// MB of notes, and each build thread gets a slice of one fixed budget.
fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4)
}

/// Indexes every note into the empty `index`, using every core, within a bounded amount of
/// memory: segments are written without merging, then merged in bounded groups.
fn build(store: &Store, fields: &Fields, index: &Index, place: &Path) -> Result<usize> {
    let fail = tantivy_error(place);
    let threads = cores();
    let per_thread = (BUILD_BUDGET / threads).max(MIN_THREAD_BUDGET);
    let mut writer: IndexWriter<Queued> = index
        .writer_with_num_threads(threads, threads * per_thread)
        .map_err(&fail)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let (files, _) = store.list_files()?;
    let in_flight = InFlight::default();
    let count = index_files(store, fields, &mut writer, &files, true, |doc| Queued {
        doc,
        _slot: in_flight.enter(BULK_IN_FLIGHT, Duration::from_secs(1)),
    })?;
    writer.commit().map_err(&fail)?;
    writer.wait_merging_threads().map_err(&fail)?;
    if index.searchable_segment_metas().map_err(&fail)?.len() > MAX_UNMERGED {
        merge_in_groups(index, MERGE_GROUP_BYTES, threads).map_err(&fail)?;
    }
    Ok(count)
}

/// Merges the index's segments, one group at a time, into as many groups as `limit` bytes
/// per group asks for, rounded up to a multiple of `cores`, and balanced by size (largest
/// segment first into the lightest group). Segments are not split, so a group can exceed
/// `limit` when the segments are few and large; a bulk build writes many small ones (100k
/// notes on 2 cores: 15 of ~20 MB, merged into 6 of ~50 MB). The multiple of `cores` is because a
/// search gives each core whole segments: 3 segments on 2 cores leave one core idle for a
/// third of the time.
fn merge_in_groups(index: &Index, limit: u64, cores: usize) -> tantivy::Result<()> {
    let mut segments = Vec::new();
    for meta in index.searchable_segment_metas()? {
        let mut bytes = 0;
        for component in segment_components() {
            bytes += index
                .directory()
                .open_read(&meta.relative_path(component))?
                .len() as u64;
        }
        segments.push((bytes, meta.id()));
    }
    let total: u64 = segments.iter().map(|(bytes, _)| bytes).sum();
    let cores = cores.max(1);
    let wanted = total.div_ceil(limit.max(1)).max(1) as usize;
    let count = wanted.div_ceil(cores) * cores;
    // Largest first, each into the lightest group so far.
    segments.sort_by(|a, b| b.cmp(a));
    let mut groups: Vec<(u64, Vec<SegmentId>)> = vec![(0, Vec::new()); count];
    for (bytes, id) in segments {
        if let Some(group) = groups.iter_mut().min_by_key(|(sum, _)| *sum) {
            group.0 += bytes;
            group.1.push(id);
        }
    }
    let mut writer: IndexWriter = writer(index)?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for (_, group) in groups.iter().filter(|(_, g)| g.len() > 1) {
        writer.merge(group).wait()?;
    }
    writer.wait_merging_threads()
}

/// The files every segment has (deletes aside).
fn segment_components() -> Vec<SegmentComponent> {
    vec![
        SegmentComponent::Postings,
        SegmentComponent::Positions,
        SegmentComponent::FastFields,
        SegmentComponent::FieldNorms,
        SegmentComponent::Terms,
        SegmentComponent::Store,
    ]
}

/// A document on its way into a bulk build; once tantivy has indexed and dropped it, its
/// place in [`InFlight`] is free again.
struct Queued {
    doc: TantivyDocument,
    _slot: Slot,
}

impl Document for Queued {
    type Value<'a> = <TantivyDocument as Document>::Value<'a>;
    type FieldsValuesIter<'a> = <TantivyDocument as Document>::FieldsValuesIter<'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.doc.iter_fields_and_values()
    }
}

/// Counts the documents handed to a writer and not yet dropped by it.
#[derive(Clone, Default)]
struct InFlight(Arc<(Mutex<usize>, Condvar)>);

impl InFlight {
    /// Waits until fewer than `limit` documents are in flight and takes a place. The cap is
    /// soft: after `patience` the document goes in anyway. Then a build whose threads died
    /// fails at once (adding the document reports why) instead of waiting forever, and one
    /// whose threads are all busy writing segments only reads a little ahead.
    fn enter(&self, limit: usize, patience: Duration) -> Slot {
        let (count, freed) = &*self.0;
        let mut n = count.lock().unwrap_or_else(PoisonError::into_inner);
        let deadline = Instant::now() + patience;
        while *n >= limit {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            n = freed
                .wait_timeout(n, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *n += 1;
        Slot(self.clone())
    }
}

struct Slot(InFlight);

impl Drop for Slot {
    fn drop(&mut self) {
        let (count, freed) = &*(self.0).0;
        let mut n = count.lock().unwrap_or_else(PoisonError::into_inner);
        *n = n.saturating_sub(1);
        freed.notify_one();
    }
}

fn stamp(file: &NoteFile) -> Stamp {
    Stamp {
        mtime: file
            .modified
            .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64),
        size: file.len,
    }
}

/// Reads and indexes the given files, deleting their previous documents first unless the
/// index is `fresh` (a delete per document would only slow a build down).
fn index_files<D: Document>(
    store: &Store,
    fields: &Fields,
    writer: &mut IndexWriter<D>,
    files: &[NoteFile],
    fresh: bool,
    wrap: impl Fn(TantivyDocument) -> D,
) -> Result<usize> {
    let mut events: BTreeMap<Slug, Option<Event>> = BTreeMap::new();
    let mut count = 0;
    for file in files {
        let key = file.key.to_string();
        if !fresh {
            writer.delete_term(Term::from_field_text(fields.key, &key));
        }
        let doc = match &file.key {
            NoteKey::Event(id) => {
                let event = store.read_event(id).ok().map(|e| e.value);
                let doc = marker_doc(
                    fields,
                    if event.is_some() {
                        DocType::Event
                    } else {
                        DocType::Invalid
                    },
                    &key,
                    file,
                );
                events.insert(id.clone(), event);
                doc
            }
            NoteKey::Talk(id) => match store.read_talk(id) {
                Ok(talk) => {
                    let event = events
                        .entry(id.event.clone())
                        .or_insert_with(|| store.read_event(&id.event).ok().map(|e| e.value));
                    count += 1;
                    talk_doc(fields, id, &talk.value, event.as_ref(), file)
                }
                // Recorded anyway, so an invalid note is not re-read on every search.
                Err(_) => marker_doc(fields, DocType::Invalid, &key, file),
            },
        };
        writer
            .add_document(wrap(doc))
            .map_err(tantivy_error(&file.path))?;
    }
    Ok(count)
}

fn marker_doc(fields: &Fields, doc_type: DocType, key: &str, file: &NoteFile) -> TantivyDocument {
    let s = stamp(file);
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.doc_type, doc_type.as_str());
    doc.add_text(fields.key, key);
    doc.add_u64(fields.mtime, s.mtime);
    doc.add_u64(fields.size, s.size);
    doc.add_u64(fields.stamp_hash, stamp_hash(key, s));
    doc
}

/// Compact YYYYMMDD form of a date, for range filters and sorting.
pub fn date_number(date: crate::note::Date) -> u64 {
    let d = date.0;
    (d.year() as u64) * 10_000 + (d.month() as u64) * 100 + d.day() as u64
}

fn talk_doc(
    fields: &Fields,
    id: &TalkRef,
    talk: &Talk,
    event: Option<&Event>,
    file: &NoteFile,
) -> TantivyDocument {
    let mut doc = marker_doc(fields, DocType::Talk, &id.to_string(), file);
    doc.add_text(fields.event, id.event.as_str());
    doc.add_text(fields.kind, talk.kind.as_str());
    let date = talk.date.or_else(|| event.and_then(|e| e.starts_on));
    if let Some(date) = date {
        doc.add_u64(fields.date, date_number(date));
        doc.add_u64(fields.year, date.year() as u64);
    } else {
        doc.add_u64(fields.date, 0);
    }
    // A talk that does not say its language is filtered by the one it is written in
    // (`lang:ja`); the note itself is not changed.
    let lang = talk.language.as_deref().map(|l| l.trim().to_lowercase());
    let lang = lang.or_else(|| {
        crate::language::detect(&talk.title, talk.r#abstract.as_deref()).map(str::to_owned)
    });
    if let Some(lang) = lang {
        doc.add_text(fields.lang, lang);
    }
    for tag in &talk.tags {
        doc.add_text(fields.tag, name_key(tag));
    }
    // Talks without a status are `none`, so `status:none` finds the untriaged.
    doc.add_text(
        fields.status,
        talk.status.map_or("none", crate::note::TalkStatus::as_str),
    );
    doc.add_u64(fields.rating, talk.rating.map_or(0, |r| u64::from(r.get())));
    doc.add_text(fields.title, &talk.title);
    if let Some(url) = &talk.url {
        doc.add_text(fields.url, url);
    }
    if let Some(event) = event {
        doc.add_text(fields.event_name, &event.name);
    }
    for speaker in &talk.speakers {
        // A speaker always serializes; nothing to store if it somehow did not.
        if let Ok(json) = serde_json::to_string(speaker) {
            doc.add_text(fields.speakers, json);
        }
    }
    // A speaker's name says who gave the talk; an affiliation or role only says what the
    // speaker does, so they are a section of their own that ranks like body text.
    let names: Vec<&str> = talk.speakers.iter().map(|s| s.name.as_str()).collect();
    let affiliations: Vec<&str> = talk
        .speakers
        .iter()
        .flat_map(|s| [s.affiliation.as_deref(), s.role.as_deref()])
        .flatten()
        .collect();
    let tools: Vec<&str> = talk.tools.iter().map(|t| t.name.as_str()).collect();
    let takeaways: Vec<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    let links: Vec<&str> = talk
        .links
        .iter()
        .filter_map(|l| l.title.as_deref())
        .collect();
    let mut context: Vec<&str> = Vec::new();
    if let Some(event) = event {
        context.push(&event.name);
    }
    if let Some(track) = &talk.track {
        context.push(track);
    }
    // URLs are found by `url:` only: as text, `event.cloudnativedays.jp` would make `cloud`
    // and `native` match every talk of the event.
    for url in talk
        .url
        .iter()
        .chain(talk.links.iter().map(|l| &l.url))
        .chain(talk.tools.iter().filter_map(|t| t.url.as_ref()))
    {
        doc.add_text(fields.urls, url);
    }
    let texts: [(Section, String); 10] = [
        (Section::Title, talk.title.clone()),
        (Section::Tags, talk.tags.join("\n")),
        (Section::Speakers, names.join("\n")),
        (Section::Tools, tools.join("\n")),
        (Section::Takeaways, takeaways.join("\n")),
        (
            Section::Abstract,
            talk.r#abstract.clone().unwrap_or_default(),
        ),
        (Section::Affiliations, affiliations.join("\n")),
        (Section::Memo, talk.memo.clone().unwrap_or_default()),
        (Section::Extra, links.join("\n")),
        (Section::Context, context.join("\n")),
    ];
    for (section, text) in &texts {
        if text.is_empty() {
            continue;
        }
        let f = fields.section(*section);
        doc.add_text(f.ja, text);
        doc.add_text(f.gram, text);
    }
    crate::search::concepts::add_to_doc(fields, &texts, &mut doc);
    doc
}

/// Reads a stored text field of a document.
pub fn stored_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

fn tantivy_error(path: &Path) -> impl Fn(TantivyError) -> Error + '_ {
    move |e| Error::Index {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Removes a directory tree, or a file that stood where one was expected.
fn remove_entry(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// Where a build and a search can interleave; tests pause a thread at one of these to force
/// an interleaving (see [`pauses`]). Outside tests, passing one does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Point {
    /// An index was opened and its list of segments read; their files are not open yet.
    Opened,
    /// A refresh has indexed its notes and is about to commit.
    BeforeCommit,
    /// A refresh has committed and is about to reload its reader.
    AfterCommit,
    /// A rebuild is about to wait for the build lock.
    BeforeBuildLock,
    /// A rebuild has built its index and is about to make it the live one.
    BeforeSwap,
    /// A rebuild has made its index the live one and is about to open it.
    AfterSwap,
}

fn pause(_index_dir: &Path, _point: Point) {
    #[cfg(test)]
    pauses::here(_index_dir, _point);
}

/// Test-only gates: the next thread to reach a point for a given knowledge base says so and
/// waits to be let go.
#[cfg(test)]
mod pauses {
    use std::path::{Path, PathBuf};
    use std::sync::Mutex;
    use std::sync::mpsc::{Receiver, Sender, channel};

    use super::Point;

    struct Gate {
        index_dir: PathBuf,
        point: Point,
        arrived: Sender<()>,
        go: Receiver<()>,
    }

    static GATES: Mutex<Vec<Gate>> = Mutex::new(Vec::new());

    /// A gate at `point` for the index in `index_dir`: the first receiver hears when a thread
    /// reaches it, which then waits until the sender sends (or is dropped).
    pub(super) fn at(index_dir: &Path, point: Point) -> (Receiver<()>, Sender<()>) {
        let (arrived, arrivals) = channel();
        let (release, go) = channel();
        GATES.lock().unwrap().push(Gate {
            index_dir: index_dir.to_owned(),
            point,
            arrived,
            go,
        });
        (arrivals, release)
    }

    pub(super) fn here(index_dir: &Path, point: Point) {
        let gate = {
            let mut gates = GATES
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            gates
                .iter()
                .position(|g| g.point == point && g.index_dir == index_dir)
                .map(|i| gates.remove(i))
        };
        if let Some(gate) = gate {
            let _ = gate.arrived.send(());
            let _ = gate.go.recv();
        }
    }
}

/// Where the live build of a store's index is (`index/tantivy/<build>`); the directory of
/// builds when none is live.
pub fn index_path(store: &Store) -> PathBuf {
    let builds = store.index_dir().join(TANTIVY_DIR);
    match read_live(&builds) {
        Ok(name) => builds.join(name),
        Err(_) => builds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segments(index: &Index) -> usize {
        index.searchable_segment_metas().map_or(0, |m| m.len())
    }

    /// An in-memory index with `n` one-document segments.
    fn index_with_segments(n: usize) -> (Index, Fields) {
        let fields = Fields::new();
        let index = Index::create_in_ram(fields.schema.clone());
        register_tokenizers(&index).expect("dictionary loads");
        let mut writer = writer(&index).expect("writer");
        writer.set_merge_policy(Box::new(NoMergePolicy));
        for i in 0..n {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.key, format!("e/t{i}"));
            doc.add_text(fields.section(Section::Title).ja, "可観測性の話");
            writer.add_document(doc).expect("add");
            writer.commit().expect("commit");
        }
        writer.wait_merging_threads().expect("merges");
        (index, fields)
    }

    #[test]
    fn segments_are_merged_in_groups_within_the_byte_limit() {
        let (index, _) = index_with_segments(6);
        assert_eq!(segments(&index), 6);
        // A limit below any segment's size merges nothing.
        merge_in_groups(&index, 1, 1).expect("merge");
        assert_eq!(segments(&index), 6);
        // Room for about two segments per group: 6 become 3, and no document is lost.
        let one = {
            let meta = &index.searchable_segment_metas().expect("metas")[0];
            segment_components()
                .into_iter()
                .filter_map(|c| index.directory().open_read(&meta.relative_path(c)).ok())
                .map(|f| f.len() as u64)
                .sum::<u64>()
        };
        merge_in_groups(&index, one * 2 + one / 2, 1).expect("merge");
        assert_eq!(segments(&index), 3);
        let reader = reader(&index).expect("reader");
        assert_eq!(reader.searcher().num_docs(), 6);
        // No limit: one segment per core.
        merge_in_groups(&index, u64::MAX, 2).expect("merge");
        assert_eq!(segments(&index), 2);
        merge_in_groups(&index, u64::MAX, 1).expect("merge");
        assert_eq!(segments(&index), 1);
        reader.reload().expect("reload");
        assert_eq!(reader.searcher().num_docs(), 6);
    }

    #[test]
    fn refreshes_merge_their_small_segments_and_leave_a_builds_alone() {
        // Regression: with tantivy's default policy a refresh's 1-note segment was merged
        // with a build's segments (any under ~16k notes), rewriting much of the index
        // during a search.
        let (index, fields) = index_with_segments(0);
        let mut bulk: IndexWriter = index
            .writer_with_num_threads(1, MIN_THREAD_BUDGET)
            .expect("writer");
        bulk.set_merge_policy(Box::new(NoMergePolicy));
        for batch in 0..2 {
            for i in 0..1_500 {
                let mut doc = TantivyDocument::default();
                doc.add_text(fields.key, format!("e/b{batch}-{i}"));
                bulk.add_document(doc).expect("add");
            }
            bulk.commit().expect("commit");
        }
        bulk.wait_merging_threads().expect("merges");
        let built: Vec<SegmentId> = index.searchable_segment_ids().expect("segments");
        assert_eq!(built.len(), 2);
        for i in 0..20 {
            let mut refresh = writer(&index).expect("writer");
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.key, format!("e/edit{i}"));
            refresh.add_document(doc).expect("add");
            refresh.commit().expect("commit");
            refresh.wait_merging_threads().expect("merges");
        }
        let ids = index.searchable_segment_ids().expect("segments");
        assert!(
            built.iter().all(|id| ids.contains(id)),
            "a build segment was merged"
        );
        // 20 one-note segments, merged 8 at a time: far fewer than 20 remain.
        assert!(
            ids.len() - built.len() < 8,
            "{} small segments",
            ids.len() - 2
        );
        let reader = reader(&index).expect("reader");
        assert_eq!(reader.searcher().num_docs(), 3_020);
    }

    #[test]
    fn in_flight_documents_are_capped_until_one_is_dropped() {
        let in_flight = InFlight::default();
        let patience = Duration::from_secs(600);
        let first = in_flight.enter(1, patience);
        let (sent, got) = std::sync::mpsc::channel();
        let waiting = in_flight.clone();
        let thread = std::thread::spawn(move || {
            let slot = waiting.enter(1, patience);
            sent.send(()).expect("main thread listens");
            drop(slot);
        });
        // The second document waits for the first (the patience is far longer).
        assert!(got.recv_timeout(Duration::from_millis(200)).is_err());
        drop(first);
        got.recv_timeout(Duration::from_secs(10))
            .expect("a freed place is taken");
        thread.join().expect("no panic");
        assert_eq!(*in_flight.0.0.lock().expect("not poisoned"), 0);
    }

    // -----------------------------------------------------------------------------------------
    // Searches and rebuilds at the same time (issue 18, item 4), made deterministic by pausing
    // one of them where the other has to get in.

    use crate::note::{Event as NoteEvent, Takeaway};
    use std::sync::mpsc::Receiver;

    const TALKS: usize = 12;

    fn store_with_talks() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path()).unwrap();
        store
            .create_event(&NoteEvent::new("ev".parse().unwrap(), "Example Conf"))
            .unwrap();
        for i in 0..TALKS {
            let mut talk = Talk::new(format!("t{i}").parse().unwrap(), format!("Talk {i}"));
            talk.takeaways.push(Takeaway {
                text: format!("可観測性 {i}"),
                at: None,
                by: None,
            });
            store.create_talk(&"ev".parse().unwrap(), &talk).unwrap();
        }
        (dir, store)
    }

    fn jot(store: &Store, talk: &str, text: &str) {
        let id: TalkRef = format!("ev/{talk}").parse().unwrap();
        store
            .update_talk(&id, |talk| {
                talk.takeaways.push(Takeaway {
                    text: text.into(),
                    at: None,
                    by: None,
                });
                Ok(())
            })
            .unwrap();
    }

    fn found(index: &SearchIndex, query: &str) -> Vec<String> {
        let request = crate::search::query::SearchRequest {
            query: query.into(),
            limit: 100,
            prefix: false,
            literal: false,
            prefix_fallback: false,
        };
        crate::search::query::search(index, &request, None)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id.to_string())
            .collect()
    }

    fn arrive(arrivals: &Receiver<()>, what: &str) {
        arrivals
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{what} never got there"));
    }

    #[test]
    fn any_limit_is_capped_at_the_documents_in_the_index() {
        // Regression (issue 18, item 8): the library passed the limit to tantivy, which
        // reserves room for it: 1e15 aborted the process, usize::MAX panicked, and that panic
        // was taken for damage. The TUI and `export --query` call the same function.
        let (_dir, store) = store_with_talks();
        let (index, _) = SearchIndex::open(&store).unwrap();
        for limit in [1_000_000_000_000_000, usize::MAX] {
            let request = crate::search::query::SearchRequest {
                query: "可観測性".into(),
                limit,
                prefix: false,
                literal: false,
                prefix_fallback: false,
            };
            let hits = crate::search::query::search(&index, &request, None)
                .unwrap()
                .hits;
            assert_eq!(hits.len(), TALKS, "{limit}");
            let related =
                crate::search::query::related(&index, &"ev/t1".parse().unwrap(), limit, None)
                    .unwrap()
                    .unwrap();
            assert_eq!(related.len(), TALKS - 1, "{limit}");
        }
    }

    fn builds(store: &Store) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(store.index_dir().join(TANTIVY_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != LIVE_FILE)
            .collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_changed_is_told_by_stamp_hashes_and_a_change_by_the_keys() {
        let (_dir, store) = store_with_talks();
        let (mut index, _) = SearchIndex::open(&store).unwrap();
        let nothing = RefreshReport::default();
        assert_eq!(index.refresh(&store).unwrap(), nothing);
        assert!(
            index.recorded.stamps.is_none(),
            "keys read with nothing changed"
        );
        // Same size, another modification time: re-indexed.
        let id: TalkRef = "ev/t2".parse().unwrap();
        let file = File::options()
            .write(true)
            .open(store.talk_path(&id))
            .unwrap();
        file.set_modified(UNIX_EPOCH + Duration::from_secs(1_000_000_000))
            .unwrap();
        assert_eq!(index.refresh(&store).unwrap().indexed, 1);
        // The hashes follow the commit, and the keys read for it are dropped with it.
        assert!(index.recorded.stamps.is_none());
        assert_eq!(index.refresh(&store).unwrap(), nothing);
        fs::remove_file(store.talk_path(&"ev/t3".parse().unwrap())).unwrap();
        assert_eq!(index.refresh(&store).unwrap().removed, 1);
        assert_eq!(index.refresh(&store).unwrap(), nothing);
        assert_eq!(found(&index, "\"Talk 3\""), Vec::<String>::new());
        // A hash that disagrees with its recorded stamp (a damaged column) re-indexes its
        // note, which writes the hash again. A talk's: an event's takes its talks along.
        // (Regression: the first hash of the set was taken, in an order that follows the
        // files' times, so the test failed when that was the event's.)
        let (files, _) = store
            .list_files_with(|| {
                |file: &NoteFile| {
                    let mut key = String::new();
                    file.key.write_into(&mut key);
                    (key.ends_with("t1"), stamp_hash(&key, stamp(file)))
                }
            })
            .unwrap();
        let some = files
            .iter()
            .find_map(|(_, (talk, hash))| talk.then_some(*hash))
            .unwrap();
        assert!(index.recorded.stamp_hashes.contains(&some));
        index.recorded.stamp_hashes.remove(&some);
        index.recorded.stamp_hashes.insert(some ^ 1);
        assert_eq!(index.refresh(&store).unwrap().indexed, 1);
        assert_eq!(index.refresh(&store).unwrap(), nothing);
        // Two hashes that collided would make every refresh compare keys, which
        // finds nothing to re-index.
        index.recorded.documents += 1;
        index.recorded.stamps = None;
        assert_eq!(index.refresh(&store).unwrap(), nothing);
        assert!(
            index.recorded.stamps.is_some(),
            "keys not compared after a collision"
        );
    }

    #[test]
    fn a_build_in_use_is_kept_until_its_last_user_moves_on() {
        let (_dir, store) = store_with_talks();
        let (mut old, _) = SearchIndex::open(&store).unwrap();
        let (new, _) = SearchIndex::reindex(&store).unwrap();
        assert_ne!(old.build, new.build);
        let mut both = vec![old.build.clone(), new.build.clone()];
        both.sort();
        assert_eq!(builds(&store), both, "the old build went while in use");
        // The old one still searches, whole.
        assert_eq!(found(&old, "\"Talk 4\""), ["ev/t4"]);
        // A long-lived index (the TUI's) moves to the live build at its next refresh, and
        // the build it leaves, used by no one now, is removed.
        jot(&store, "t4", "zanzibar");
        old.refresh(&store).unwrap();
        assert_eq!(old.build, new.build);
        assert_eq!(found(&old, "zanzibar"), ["ev/t4"]);
        assert_eq!(builds(&store), std::slice::from_ref(&new.build));
    }

    #[test]
    fn what_a_killed_build_left_is_swept() {
        let (_dir, store) = store_with_talks();
        let (index, _) = SearchIndex::open(&store).unwrap();
        let builds_dir = store.index_dir().join(TANTIVY_DIR);
        // A build killed half-way (no stamp), a stray file, an old layout's leftovers.
        fs::create_dir(builds_dir.join("123-456")).unwrap();
        fs::write(builds_dir.join("123-456/meta.json"), "{}").unwrap();
        fs::write(builds_dir.join(".tn-abc"), "half a pointer").unwrap();
        fs::create_dir(store.index_dir().join("tantivy.old-1-2")).unwrap();
        drop(index);
        let (index, report) = SearchIndex::open(&store).unwrap();
        assert_eq!(report.rebuilt, None);
        assert_eq!(builds(&store), std::slice::from_ref(&index.build));
        assert!(!store.index_dir().join("tantivy.old-1-2").exists());
    }

    #[test]
    fn a_refresh_across_a_swap_keeps_searching_its_own_index() {
        // Regression: a refresh that committed just before a rebuild's swap reloaded its
        // reader from the path, now the new build, made before the note was jotted: `[]`.
        let (_dir, store) = store_with_talks();
        SearchIndex::open(&store).unwrap();
        let (built, swap) = pauses::at(&store.index_dir(), Point::BeforeSwap);
        let rebuild = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::reindex(&store).map(|(i, _)| i.build))
        };
        arrive(&built, "the rebuild");
        // Jotted after the rebuild listed the notes: only a refresh can index it.
        jot(&store, "t1", "zanzibar");
        let (committed, reload) = pauses::at(&store.index_dir(), Point::AfterCommit);
        let search = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::open(&store))
        };
        arrive(&committed, "the refresh");
        swap.send(()).unwrap();
        rebuild.join().unwrap().unwrap();
        reload.send(()).unwrap();
        let (index, report) = search.join().unwrap().unwrap();
        assert_eq!(report.rebuilt, None);
        assert_eq!(found(&index, "zanzibar"), ["ev/t1"]);
        // The live index catches up on its own, quietly.
        let (index, report) = SearchIndex::open(&store).unwrap();
        assert_eq!(report.rebuilt, None);
        assert_eq!(found(&index, "zanzibar"), ["ev/t1"]);
    }

    #[test]
    fn a_commit_across_a_swap_leaves_both_indexes_whole() {
        // Regression: a refresh that took its writer before a rebuild's swap committed into the
        // new build's directory a meta.json naming the old build's segments: the rebuild's own
        // open failed ("<segment>.idx is missing"), as did the searches after it.
        let (_dir, store) = store_with_talks();
        SearchIndex::open(&store).unwrap();
        jot(&store, "t2", "zanzibar");
        let index_dir = store.index_dir();
        let (indexed, commit) = pauses::at(&index_dir, Point::BeforeCommit);
        let (committed, reload) = pauses::at(&index_dir, Point::AfterCommit);
        let search = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::open(&store))
        };
        arrive(&indexed, "the refresh");
        let (swapped, open) = pauses::at(&index_dir, Point::AfterSwap);
        let rebuild = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::reindex(&store))
        };
        arrive(&swapped, "the rebuild");
        commit.send(()).unwrap();
        arrive(&committed, "the refresh's commit");
        open.send(()).unwrap();
        let (_, report) = rebuild.join().unwrap().unwrap();
        assert_eq!(report.rebuilt.as_deref(), Some("requested"));
        reload.send(()).unwrap();
        let (index, report) = search.join().unwrap().unwrap();
        assert_eq!(report.rebuilt, None, "the refresh took the swap for damage");
        assert_eq!(found(&index, "zanzibar"), ["ev/t2"]);
        let (index, report) = SearchIndex::open(&store).unwrap();
        assert_eq!(report.rebuilt, None, "the new build was damaged");
        assert_eq!(found(&index, "zanzibar"), ["ev/t2"]);
        assert_eq!(found(&index, "\"Talk 7\""), ["ev/t7"]);
    }

    #[test]
    fn an_open_across_a_swap_is_not_damage() {
        // Regression: a search that read meta.json before a swap and the segment files after it
        // found them missing, called the index damaged and rebuilt it.
        let (_dir, store) = store_with_talks();
        SearchIndex::open(&store).unwrap();
        let (opened, go) = pauses::at(&store.index_dir(), Point::Opened);
        let search = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::open(&store))
        };
        arrive(&opened, "the search");
        SearchIndex::reindex(&store).unwrap();
        go.send(()).unwrap();
        let (index, report) = search.join().unwrap().unwrap();
        assert_eq!(report.rebuilt, None, "a swap was taken for damage");
        assert_eq!(found(&index, "\"Talk 3\""), ["ev/t3"]);
    }

    #[test]
    fn a_reindex_that_waited_for_another_uses_its_build() {
        let (_dir, store) = store_with_talks();
        SearchIndex::open(&store).unwrap();
        let (built, swap) = pauses::at(&store.index_dir(), Point::BeforeSwap);
        let first = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::reindex(&store))
        };
        arrive(&built, "the first rebuild");
        let (waiting, go) = pauses::at(&store.index_dir(), Point::BeforeBuildLock);
        let second = {
            let store = store.clone();
            std::thread::spawn(move || SearchIndex::reindex(&store))
        };
        arrive(&waiting, "the second rebuild");
        swap.send(()).unwrap();
        let (first, _) = first.join().unwrap().unwrap();
        go.send(()).unwrap();
        let (second, report) = second.join().unwrap().unwrap();
        assert_eq!(second.build, first.build, "built twice");
        assert_eq!(report.rebuilt.as_deref(), Some("requested"));
        assert_eq!(report.indexed, TALKS);
        assert_eq!(found(&second, "\"Talk 5\""), ["ev/t5"]);
    }
}
