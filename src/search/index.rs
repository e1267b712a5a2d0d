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
//! About 1,000 lines: opening, refreshing, rebuilding aside and repairing the index are one
//! state machine over the same directory and locks, and are kept together so their races can
//! be read in one place.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant, UNIX_EPOCH};

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
use crate::store::atomic::WriterLock;
use crate::store::{NoteFile, NoteKey, Store};

const TANTIVY_DIR: &str = "tantivy";
const VERSION_FILE: &str = "talknotes-index-version";
const BUILD_LOCK: &str = ".build.lock";
/// How long a refresh waits for another process's writer before searching the index as is.
const WRITER_PATIENCE: Duration = Duration::from_secs(10);

fn version_stamp() -> String {
    format!("schema={SCHEMA_VERSION} analyzer={ANALYZER_VERSION}\n")
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
    /// What the index holds for each note file, kept current by `refresh`, so a refresh with
    /// nothing changed reads no index data at all.
    recorded: HashMap<String, Stamp>,
    /// Which build this is (written by the process that built it; empty in memory), so a
    /// process that found it damaged can tell whether someone has rebuilt it since.
    build: String,
}

/// What the index recorded about one note file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    mtime: u64,
    size: u64,
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
        let dir = index_dir.join(TANTIVY_DIR);
        let on_disk = match open_existing(&dir) {
            Ok(mut index) => index.refresh(store).map(|report| (index, report)),
            Err(reason) => Self::rebuild_aside(store, &reason, None),
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
        let recorded = recorded(&reader.searcher())?;
        let index = SearchIndex {
            index,
            reader,
            fields,
            recorded,
            build: String::new(),
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

    /// `tn reindex`: rebuilds from scratch.
    pub fn reindex(store: &Store) -> Result<(SearchIndex, RefreshReport)> {
        Self::rebuild_aside(store, "requested", None)
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// Builds a fresh index next to the current one and swaps it in, so readers of the old
    /// one are never disturbed. One process builds at a time; a process that waited for
    /// another's build uses that build, unless that is the `damaged` build it is replacing.
    fn rebuild_aside(
        store: &Store,
        reason: &str,
        damaged: Option<&str>,
    ) -> Result<(SearchIndex, RefreshReport)> {
        let index_dir = store.index_dir();
        fs::create_dir_all(&index_dir).at_path(&index_dir)?;
        let _build = WriterLock::acquire(&index_dir.join(BUILD_LOCK))?;
        let dir = index_dir.join(TANTIVY_DIR);
        if reason != "requested"
            && let Ok(mut index) = open_existing(&dir)
            && damaged.is_none_or(|build| build != index.build)
        {
            // Someone rebuilt it while this process waited for the build lock. If it is
            // still damaged, build afresh here: `refresh` would recover, which takes the build
            // lock this process already holds.
            match index.refresh_in_place(store) {
                Err(Error::Index { .. }) => {}
                Ok(report) => return Ok((index, report)),
                Err(e) => return Err(e),
            }
        }
        let unique = format!(
            "{}-{}",
            std::process::id(),
            UNIX_EPOCH.elapsed().map_or(0, |d| d.as_nanos())
        );
        let fresh = index_dir.join(format!("{TANTIVY_DIR}.new-{unique}"));
        fs::create_dir_all(&fresh).at_path(&fresh)?;
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
            let stamp = format!("{}build={unique}\n", version_stamp());
            fs::write(fresh.join(VERSION_FILE), stamp).at_path(&fresh)?;
            Ok(count)
        })();
        let indexed = match built {
            Ok(count) => count,
            Err(e) => {
                let _ = fs::remove_dir_all(&fresh);
                return Err(e);
            }
        };
        let old = index_dir.join(format!("{TANTIVY_DIR}.old-{unique}"));
        if fs::symlink_metadata(&dir).is_ok() {
            fs::rename(&dir, &old).at_path(&dir)?;
        }
        fs::rename(&fresh, &dir).at_path(&dir)?;
        // Open readers of the old index keep their files until they close.
        remove_entry(&old);
        remove_leftovers(&index_dir);
        let index = open_existing(&dir)
            .map_err(|reason| Error::Invalid(format!("{}: {reason}", dir.display())))?;
        Ok((
            index,
            RefreshReport {
                rebuilt: Some(reason.to_owned()),
                indexed,
                ..RefreshReport::default()
            },
        ))
    }

    /// Re-indexes notes whose files changed since they were indexed; removes vanished ones.
    /// An index found damaged on the way (its files deleted or garbled under a running
    /// process) is rebuilt, and the report says so.
    pub fn refresh(&mut self, store: &Store) -> Result<RefreshReport> {
        match self.refresh_in_place(store) {
            Err(Error::Index { message, .. }) => self.recover(store, &message),
            other => other,
        }
    }

    /// Rebuilds an index found damaged while in use (`problem` says how), in place.
    pub fn recover(&mut self, store: &Store, problem: &str) -> Result<RefreshReport> {
        let reason = format!("damaged: {problem}");
        let (fresh, report) = Self::rebuild_aside(store, &reason, Some(&self.build))?;
        *self = fresh;
        Ok(report)
    }

    fn refresh_in_place(&mut self, store: &Store) -> Result<RefreshReport> {
        let (files, _) = store.list_files()?;
        let mut changed_events = BTreeSet::new();
        let mut to_index: Vec<&NoteFile> = Vec::new();
        let mut present: HashSet<String> = HashSet::with_capacity(files.len());
        let mut keys: Vec<String> = Vec::with_capacity(files.len());
        for file in &files {
            let key = file.key.to_string();
            if self.recorded.get(&key) != Some(&stamp(file)) {
                if let NoteKey::Event(id) = &file.key {
                    changed_events.insert(id.clone());
                }
                to_index.push(file);
            }
            keys.push(key);
        }
        // A talk document carries its event's name and date, so an event change re-indexes
        // its talks too.
        if !changed_events.is_empty() {
            for (file, key) in files.iter().zip(&keys) {
                if let NoteKey::Talk(id) = &file.key
                    && changed_events.contains(&id.event)
                    && self.recorded.get(key) == Some(&stamp(file))
                {
                    to_index.push(file);
                }
            }
        }
        present.extend(keys);
        let removed: Vec<String> = self
            .recorded
            .keys()
            .filter(|k| !present.contains(*k))
            .cloned()
            .collect();
        if to_index.is_empty() && removed.is_empty() {
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
        writer.commit().map_err(&fail)?;
        // A merge the commit started is kept only if the writer lives until it ends.
        writer.wait_merging_threads().map_err(&fail)?;
        self.reader.reload().map_err(&fail)?;
        for key in &removed {
            self.recorded.remove(key);
        }
        for file in &to_index {
            self.recorded.insert(file.key.to_string(), stamp(file));
        }
        Ok(RefreshReport {
            rebuilt: None,
            indexed,
            removed: removed.len(),
            stale: false,
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
fn recorded(searcher: &tantivy::Searcher) -> Result<HashMap<String, Stamp>> {
    let fail = tantivy_error(Path::new("index"));
    let io_fail = |e: std::io::Error| Error::Index {
        path: "index".into(),
        message: e.to_string(),
    };
    let mut recorded = HashMap::new();
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
            let Some(name) = keys
                .term_ords(doc)
                .next()
                .and_then(|ord| names.get(ord as usize))
            else {
                continue;
            };
            recorded.insert(
                name.clone(),
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

fn open_existing(dir: &Path) -> std::result::Result<SearchIndex, String> {
    if !dir.join("meta.json").exists() {
        return Err("no index yet".into());
    }
    let build = match fs::read_to_string(dir.join(VERSION_FILE)) {
        Ok(stamp) => match stamp.strip_prefix(&version_stamp()) {
            Some(build) => build.trim().to_owned(),
            None => return Err("built by another version of tn".into()),
        },
        Err(_) => return Err("version stamp missing".into()),
    };
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
    // Opening maps most segment files, but positions only when a phrase query needs them:
    // check that every file a segment needs is there, so a missing one shows now rather
    // than as a failed search.
    let metas = index
        .searchable_segment_metas()
        .map_err(|e| format!("unreadable: {e}"))?;
    for meta in &metas {
        let mut components = segment_components();
        if meta.has_deletes() {
            components.push(SegmentComponent::Delete);
        }
        for component in components {
            let file = meta.relative_path(component);
            if !dir.join(&file).is_file() {
                return Err(format!("damaged: {} is missing", file.display()));
            }
        }
    }
    register_tokenizers(&index).map_err(|e| e.to_string())?;
    let reader = reader(&index).map_err(|e| format!("unreadable: {e}"))?;
    // Touches every segment's columns, so a garbled file shows now too.
    let recorded = crate::guard::index_call(dir, || recorded(&reader.searcher()))
        .map_err(|e| format!("damaged: {e}"))?;
    Ok(SearchIndex {
        index,
        reader,
        fields,
        recorded,
        build,
    })
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
    if let Some(lang) = &talk.language {
        doc.add_text(fields.lang, lang.trim().to_lowercase());
    }
    for tag in &talk.tags {
        doc.add_text(fields.tag, name_key(tag));
    }
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
    let speakers: Vec<String> = talk
        .speakers
        .iter()
        .map(|s| {
            [Some(&s.name), s.affiliation.as_ref(), s.role.as_ref()]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let tools: Vec<&str> = talk.tools.iter().map(|t| t.name.as_str()).collect();
    let takeaways: Vec<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    let mut extra: Vec<&str> = Vec::new();
    if let Some(event) = event {
        extra.push(&event.name);
    }
    if let Some(track) = &talk.track {
        extra.push(track);
    }
    extra.extend(talk.links.iter().filter_map(|l| l.title.as_deref()));
    let texts: [(Section, String); 8] = [
        (Section::Title, talk.title.clone()),
        (Section::Speakers, speakers.join("\n")),
        (Section::Tools, tools.join("\n")),
        (Section::Tags, talk.tags.join("\n")),
        (Section::Takeaways, takeaways.join("\n")),
        (
            Section::Abstract,
            talk.r#abstract.clone().unwrap_or_default(),
        ),
        (Section::Memo, talk.memo.clone().unwrap_or_default()),
        (Section::Extra, extra.join("\n")),
    ];
    for (section, text) in texts {
        if text.is_empty() {
            continue;
        }
        let f = fields.section(section);
        doc.add_text(f.ja, &text);
        doc.add_text(f.gram, &text);
    }
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

/// Removes build directories left by a crashed rebuild (not ones being built right now:
/// those belong to a process holding the build lock, which the caller holds).
fn remove_leftovers(index_dir: &Path) {
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

/// Where the index of a store lives.
pub fn index_path(store: &Store) -> PathBuf {
    store.index_dir().join(TANTIVY_DIR)
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
}
