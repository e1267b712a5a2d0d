//! Search: how note text is analysed, indexed and queried, behind one façade.
//!
//! [`Engine`] is what the rest of talknotes uses: it opens the index (building or updating it
//! first), searches, finds related talks and refreshes, and it is the one place that answers a
//! damaged index: a search that finds the index damaged rebuilds it and runs again, with a
//! notice. [`SearchEngine`] is the part of it the TUI needs, as a trait, so the TUI can be
//! driven in tests by an engine that returns what the test wants.
//!
//! Underneath, `analysis` turns text into terms (dictionary words and CJK bigrams), `schema`
//! names the index fields, `index` keeps the tantivy index in step with the note files (in
//! the directory `cache_dir` provides), `query` parses what a user typed and ranks hits, and
//! `snippet` cuts and highlights the text shown with each hit.

pub mod analysis;
pub mod cache_dir;
pub mod concepts;
pub mod index;
pub mod query;
pub mod schema;
pub mod snippet;

use crate::error::{Error, Result};
use crate::note::TalkRef;
use crate::store::Store;

pub use index::RefreshReport;
pub use query::{Hit, QueryWord, SearchRequest, SearchResults};
pub use snippet::Snippet;

use index::SearchIndex;

/// What the TUI asks of a search engine.
pub trait SearchEngine {
    /// Runs a search; an engine that can repair itself does so before failing.
    fn search(&mut self, request: &SearchRequest) -> Result<SearchResults>;
    /// A search as the TUI lists it: the same, except that a query without words to rank
    /// by (empty, or filters only) lists the talks changed most recently first, so a talk
    /// just created or jotted to is on top. An engine without that order searches as usual.
    fn search_recent_first(&mut self, request: &SearchRequest) -> Result<SearchResults> {
        self.search(request)
    }
    /// Catches up with the note files changed since the last call.
    fn refresh(&mut self) -> Result<RefreshReport>;
}

/// Parses the shipped concepts (about 2 ms) on a thread of its own, which a search would
/// otherwise do after opening the index. Opening the index is one thread's work (the
/// dictionary, the segments, the stamp hashes); this runs beside it, before the file
/// listing takes both cores. A search that gets there first waits for it; a thread that
/// cannot start costs only that.
fn warm_up() {
    let _ = std::thread::Builder::new()
        .name("tn-warm-up".into())
        .spawn(|| {
            crate::concepts::Shipped::get();
        });
}

/// The search index of one knowledge base, kept up to date and repaired when found damaged.
pub struct Engine {
    store: Store,
    index: SearchIndex,
    /// Modification time and size of the user's concepts file when last refreshed.
    concepts_stamp: Option<(std::time::SystemTime, u64)>,
}

impl Engine {
    /// Opens the index, building it or bringing it up to date first; the report says what
    /// that took (see [`RefreshReport::notice`]).
    pub fn open(store: &Store) -> Result<(Engine, RefreshReport)> {
        warm_up();
        let (index, report) = SearchIndex::open(store)?;
        Ok((Engine::with(store, index), report))
    }

    /// The index as it is, without bringing it up to date, for reading what it holds:
    /// `None` when there is none yet. `tn check` reads the learned pairs this way, and never
    /// writes the index (see [`SearchIndex::open_as_is`]).
    pub fn open_as_is(store: &Store) -> Result<Option<Engine>> {
        Ok(SearchIndex::open_as_is(store)?.map(|index| Engine::with(store, index)))
    }

    /// Rebuilds the index from scratch (`tn reindex`).
    pub fn reindex(store: &Store) -> Result<(Engine, RefreshReport)> {
        let (index, report) = SearchIndex::reindex(store)?;
        Ok((Engine::with(store, index), report))
    }

    fn with(store: &Store, index: SearchIndex) -> Engine {
        Engine {
            store: store.clone(),
            index,
            concepts_stamp: concepts_stamp(store),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How many note files the index could not read: missing from every result until fixed.
    pub fn unreadable(&self) -> Result<usize> {
        self.index.unreadable()
    }

    /// What `word` matches besides itself, as a search would expand it now, and the spellings
    /// the user's vetoes hide from it (`tn concepts WORD`; see
    /// [`crate::concepts::describe`]); and the problems of the user's concepts file if it
    /// cannot be used.
    pub fn describe(
        &mut self,
        word: &str,
    ) -> (crate::concepts::Expansion, Vec<crate::error::NoteError>) {
        let (mut user, problems) = self.user_concepts();
        let searcher = self.index.searcher();
        let learned = concepts::IndexLearned::new(&searcher, self.index.fields().pairs);
        let expansion = crate::concepts::describe(
            crate::concepts::Shipped::get(),
            user.as_mut(),
            word,
            &learned,
        );
        (expansion, problems)
    }

    /// The vetoes of `user` that hide nothing, pairs learned from the notes included (`tn
    /// check`; see [`crate::concepts::idle_vetoes`]).
    pub fn idle_vetoes(
        &self,
        user: &mut crate::concepts::user::UserConcepts,
    ) -> Vec<crate::concepts::user::Veto> {
        let searcher = self.index.searcher();
        let learned = concepts::IndexLearned::new(&searcher, self.index.fields().pairs);
        crate::concepts::idle_vetoes(crate::concepts::Shipped::get(), user, &learned)
    }

    /// Every equivalence in force (`tn concepts`): the glossary's and the user's concepts
    /// (the loanword pairs too with `loanwords`), the learned pairs, the user's vetoes.
    pub fn equivalences(&mut self, loanwords: bool) -> Result<concepts::Equivalences> {
        let (user, problems) = self.user_concepts();
        let searcher = self.index.searcher();
        let learned = concepts::IndexLearned::new(&searcher, self.index.fields().pairs)
            .all()
            .map_err(|e| Error::Index {
                path: std::path::PathBuf::from("index"),
                message: e.to_string(),
            })?;
        let thesaurus =
            crate::concepts::Thesaurus::new(crate::concepts::Shipped::get(), user.as_ref());
        Ok(concepts::Equivalences {
            concepts: thesaurus.all(loanwords),
            learned: learned
                .into_iter()
                .filter(|(a, b, _)| !user.as_ref().is_some_and(|u| u.vetoes.splits(a, b)))
                .map(|(a, b, talks)| concepts::LearnedPair { a, b, talks })
                .collect(),
            vetoes: user.map(|u| u.vetoes.list).unwrap_or_default(),
            problems,
        })
    }

    /// The user's concepts file, read now: `None` when there is none or it has problems.
    fn user_concepts(
        &self,
    ) -> (
        Option<crate::concepts::user::UserConcepts>,
        Vec<crate::error::NoteError>,
    ) {
        match crate::concepts::user::load(&self.store) {
            Ok(user) => (user, Vec::new()),
            Err(problems) => (None, problems),
        }
    }

    /// Talks similar to `id`, or `None` when the index holds no valid talk under that id.
    pub fn related(&mut self, id: &TalkRef, limit: usize) -> Result<Option<SearchResults>> {
        let (user, problems) = self.user_concepts();
        let (hits, notice) =
            self.recovering(|index| query::related(index, id, limit, user.as_ref()))?;
        Ok(hits.map(|hits| SearchResults {
            hits,
            notice,
            concepts_problems: problems,
            ..SearchResults::default()
        }))
    }

    /// Runs `read` on the index; an index that turns out to be damaged only now (a file
    /// garbled under a running process) is rebuilt and `read` runs again. Returns the notice
    /// of the rebuild, if there was one.
    fn recovering<T>(
        &mut self,
        read: impl Fn(&SearchIndex) -> Result<T>,
    ) -> Result<(T, Option<String>)> {
        match read(&self.index) {
            Err(Error::Index { message, .. }) => {
                let report = self.index.recover(&self.store, &message)?;
                Ok((read(&self.index)?, report.notice()))
            }
            other => Ok((other?, None)),
        }
    }
}

impl SearchEngine for Engine {
    fn search(&mut self, request: &SearchRequest) -> Result<SearchResults> {
        // The user's concepts are read for every search: a change is honoured at once.
        let (user, problems) = self.user_concepts();
        let (mut results, notice) =
            self.recovering(|index| query::search(index, request, user.as_ref()))?;
        results.notice = notice;
        results.concepts_problems = problems;
        Ok(results)
    }

    fn search_recent_first(&mut self, request: &SearchRequest) -> Result<SearchResults> {
        let (user, problems) = self.user_concepts();
        let (mut results, notice) = self.recovering(|index| {
            query::search_ordered(index, request, user.as_ref(), query::Unranked::Changed)
        })?;
        results.notice = notice;
        results.concepts_problems = problems;
        Ok(results)
    }

    fn refresh(&mut self) -> Result<RefreshReport> {
        let mut report = self.index.refresh(&self.store)?;
        let stamp = concepts_stamp(&self.store);
        report.concepts_changed = stamp != self.concepts_stamp;
        self.concepts_stamp = stamp;
        Ok(report)
    }
}

/// When and how large the user's concepts file is, if there is one.
fn concepts_stamp(store: &Store) -> Option<(std::time::SystemTime, u64)> {
    let meta = std::fs::symlink_metadata(crate::concepts::user::path(store)).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}
