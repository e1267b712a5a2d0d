//! Work that must never stall typing runs on other threads: opening the search index (which
//! may have to build it), bringing it up to date after files changed, counting facet values,
//! and watching the notes for changes.
//!
//! A refresh has to list every note file and compare it with what the index recorded, which
//! takes a noticeable fraction of a second on a knowledge base of ten thousand notes. Doing
//! that every second on the UI thread would freeze the screen each time, so a watcher thread
//! lists the files once a second and the index is refreshed only when the listing changed,
//! and then off the UI thread: the app hands the index over and keeps showing the results it
//! has (typing in the query line still echoes at once) until it comes back.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::time::SystemTime;

use crate::error::Result;
use crate::search::{Engine, RefreshReport, SearchEngine};
use crate::store::Store;

use super::TICK;
use super::app::App;
use super::facets::Facets;

enum IndexDone {
    Opened(Result<(Engine, RefreshReport)>),
    Refreshed(Engine, Result<RefreshReport>),
}

#[derive(Default)]
pub(super) struct Jobs {
    index: Option<Receiver<IndexDone>>,
    facets: Option<Receiver<Result<Facets>>>,
    watcher: Option<Receiver<()>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Jobs {
    /// Whether something is running whose result the loop should pick up soon.
    pub(super) fn busy(&self) -> bool {
        self.index.is_some() || self.facets.is_some()
    }

    /// Opens the index on another thread and then watches the files from there. The watcher's
    /// first listing is taken before the index looks at the files, so no change made while
    /// the index opens can slip between the two.
    pub(super) fn open_index(&mut self, store: Store) {
        let (tx, rx) = mpsc::channel();
        let (changed_tx, changed_rx) = mpsc::channel();
        let stop = self.stop.clone();
        std::thread::spawn(move || {
            let baseline = listing(&store);
            if tx.send(IndexDone::Opened(Engine::open(&store))).is_ok() {
                watch_from(&store, baseline, &changed_tx, &stop);
            }
        });
        self.index = Some(rx);
        self.watcher = Some(changed_rx);
    }

    /// Starts what the app needs: facet counts, an index refresh, the file watcher.
    pub(super) fn start(&mut self, app: &mut App, background: bool) {
        if app.wants_facets() && self.facets.is_none() {
            let (tx, rx) = mpsc::channel();
            let store = app.store().clone();
            std::thread::spawn(move || {
                let _ = tx.send(store.scan().map(|scan| Facets::from_scan(&scan)));
            });
            self.facets = Some(rx);
        }
        if !background {
            return;
        }
        if self.watcher.is_none() {
            self.watcher = Some(watch(app.store().clone(), self.stop.clone()));
        }
        if self.index.is_some() {
            return;
        }
        if app.refresh_wanted()
            && let Some(mut index) = app.take_index()
        {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let report = index.refresh();
                let _ = tx.send(IndexDone::Refreshed(index, report));
            });
            self.index = Some(rx);
        }
    }

    /// Whether the watcher saw files change since the last call.
    pub(super) fn files_changed(&mut self) -> bool {
        self.watcher
            .as_ref()
            .is_some_and(|rx| rx.try_iter().count() > 0)
    }

    /// Hands finished work to the app; with `wait`, waits for the index first. Fails only
    /// when the index could not be opened at all.
    pub(super) fn finish(&mut self, app: &mut App, wait: bool) -> Result<()> {
        if let Some(rx) = &self.index {
            let done = if wait {
                rx.recv().ok()
            } else {
                match rx.try_recv() {
                    Ok(done) => Some(done),
                    Err(TryRecvError::Empty) => return self.finish_facets(app),
                    Err(TryRecvError::Disconnected) => None,
                }
            };
            self.index = None;
            match done {
                Some(IndexDone::Opened(opened)) => {
                    let (index, report) = opened?;
                    app.index_refreshed(index, Ok(report));
                }
                Some(IndexDone::Refreshed(index, report)) => app.index_refreshed(index, report),
                None => {}
            }
        }
        self.finish_facets(app)
    }

    fn finish_facets(&mut self, app: &mut App) -> Result<()> {
        if let Some(rx) = &self.facets {
            match rx.try_recv() {
                Ok(Ok(counted)) => {
                    app.set_facets(counted);
                    self.facets = None;
                }
                Ok(Err(e)) => {
                    app.set_error(&e);
                    app.set_facets(Facets::default());
                    self.facets = None;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => self.facets = None,
            }
        }
        Ok(())
    }
}

type Listing = Vec<(PathBuf, u64, Option<SystemTime>)>;

fn listing(store: &Store) -> Option<Listing> {
    let (files, _) = store.list_files().ok()?;
    Some(
        files
            .into_iter()
            .map(|f| (f.path, f.len, f.modified))
            .collect(),
    )
}

/// Lists the note files about once a second and says when the listing changed. A listing
/// costs one `stat` per note, so on a large knowledge base the pause grows to ten times the
/// listing's own time: the watcher never takes more than a tenth of a core.
fn watch(store: Store, stop: Arc<AtomicBool>) -> Receiver<()> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let baseline = listing(&store);
        watch_from(&store, baseline, &tx, &stop);
    });
    rx
}

fn watch_from(store: &Store, mut last: Option<Listing>, tx: &Sender<()>, stop: &AtomicBool) {
    let mut pause = TICK;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(pause);
        let started = std::time::Instant::now();
        let now = listing(store);
        pause = TICK.max(started.elapsed() * 10);
        if now != last {
            last = now;
            if tx.send(()).is_err() {
                return;
            }
        }
    }
}
