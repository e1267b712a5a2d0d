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
pub mod index;
pub mod query;
pub mod schema;
pub mod snippet;

use crate::error::{Error, Result};
use crate::note::TalkRef;
use crate::store::Store;

pub use index::RefreshReport;
pub use query::{Hit, SearchRequest, SearchResults};
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

/// The search index of one knowledge base, kept up to date and repaired when found damaged.
pub struct Engine {
    store: Store,
    index: SearchIndex,
}

impl Engine {
    /// Opens the index, building it or bringing it up to date first; the report says what
    /// that took (see [`RefreshReport::notice`]).
    pub fn open(store: &Store) -> Result<(Engine, RefreshReport)> {
        let (index, report) = SearchIndex::open(store)?;
        Ok((Engine::with(store, index), report))
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
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Talks similar to `id`, or `None` when the index holds no valid talk under that id.
    pub fn related(&mut self, id: &TalkRef, limit: usize) -> Result<Option<SearchResults>> {
        let (hits, notice) = self.recovering(|index| query::related(index, id, limit))?;
        Ok(hits.map(|hits| SearchResults {
            hits,
            notice,
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
        let (mut results, notice) = self.recovering(|index| query::search(index, request))?;
        results.notice = notice;
        Ok(results)
    }

    fn search_recent_first(&mut self, request: &SearchRequest) -> Result<SearchResults> {
        let (mut results, notice) = self
            .recovering(|index| query::search_ordered(index, request, query::Unranked::Changed))?;
        results.notice = notice;
        Ok(results)
    }

    fn refresh(&mut self) -> Result<RefreshReport> {
        self.index.refresh(&self.store)
    }
}
