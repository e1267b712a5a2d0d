//! The TUI's worker: it carries out the [`Job`]s the app asks for, so the app itself never
//! touches the files or the index.
//!
//! Searching, refreshing and opening the index are the search engine's, and in the real TUI
//! the engine lives on a thread of its own: opening may build the index, a refresh lists
//! every note file (a noticeable fraction of a second at ten thousand notes) and repairing a
//! damaged index rebuilds it, none of which may stall typing. The UI thread sends it jobs and
//! picks up what comes back; while a refresh runs the app keeps showing the results it has,
//! and the search waits for the fresh index. A search on an idle engine takes a millisecond or
//! two, so the session waits that long for it before drawing (see [`Worker::wait_for_search`])
//! and results follow every keystroke. In scripted runs (tests, benchmarks) the engine lives
//! on the calling thread and every job runs at once, in order, which makes them
//! deterministic.
//!
//! Reading the previewed note and saving a capture run on the UI thread in both: each is one
//! small file operation, and a capture must be on disk before the next key is read. Facet
//! counts need a scan of every note and run on a thread of their own in the real TUI.
//!
//! Changes made outside the TUI are noticed by watching `notes/` (inotify, FSEvents, … through
//! `notify`, debounced so a burst of writes is one change); where the system cannot watch,
//! a polling watcher takes its place.

use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use notify::{PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{Config, DebounceEventResult, Debouncer, new_debouncer_opt};

use crate::capture;
use crate::display;
use crate::error::{Error, Result};
use crate::note::{ClockTime, Date, Slug, Talk, TalkRef};
use crate::search::{RefreshReport, SearchEngine, SearchRequest, SearchResults};
use crate::store::Store;

use super::TICK;
use super::action::{Action, Job};
use super::app::{App, CaptureKind, Preview, error_text};
use super::drafts;
use super::facets::Facets;
use super::form::{self, EventDays};
use super::overlay::Captured;

/// How a worker opens its search engine.
pub type Opener<E> = fn(&Store) -> Result<(E, RefreshReport)>;

/// How long changes on disk settle before they count as one.
const DEBOUNCE: Duration = Duration::from_millis(250);
/// The longest the UI waits for a search on an idle engine before drawing without it.
const SEARCH_WAIT: Duration = Duration::from_millis(500);

pub struct Worker<E> {
    store: Store,
    open: Opener<E>,
    clock: fn() -> ClockTime,
    today: fn() -> Date,
    engine: Slot<E>,
    facets: Option<Receiver<Result<Facets>>>,
    watcher: Option<Watcher>,
}

/// Where the search engine is.
enum Slot<E> {
    /// Not open yet.
    Closed,
    /// On the calling thread: its jobs run at once.
    Here(E),
    /// On a thread of its own.
    Thread(EngineThread),
}

/// The engine's thread, seen from the UI thread.
struct EngineThread {
    jobs: Sender<EngineJob>,
    done: Receiver<Done>,
    /// Jobs sent and not done yet, and how many of them are slow (opening, refreshing).
    pending: usize,
    slow: usize,
}

enum EngineJob {
    Search(SearchRequest),
    Refresh,
}

enum Done {
    Opened(Result<RefreshReport>),
    Searched(String, Result<SearchResults>),
    Refreshed(Result<RefreshReport>),
}

/// Changes under `notes/`, debounced.
struct Watcher {
    changes: Receiver<DebounceEventResult>,
    _debouncer: Box<dyn std::any::Any + Send>,
}

impl<E: SearchEngine + Send + 'static> Worker<E> {
    /// A worker whose engine `open` opens later ([`Worker::open_here`] or
    /// [`Worker::start_background`]).
    pub fn new(store: Store, open: Opener<E>) -> Worker<E> {
        Worker {
            store,
            open,
            clock: capture::now,
            today: capture::today,
            engine: Slot::Closed,
            facets: None,
            watcher: None,
        }
    }

    /// A worker with an engine already open, on this thread.
    pub fn with_engine(store: Store, engine: E, open: Opener<E>) -> Worker<E> {
        let mut worker = Worker::new(store, open);
        worker.engine = Slot::Here(engine);
        worker
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Stamps takeaways with this clock instead of the local time (tests).
    pub fn set_clock(&mut self, clock: fn() -> ClockTime) {
        self.clock = clock;
    }

    /// Dates new talks with this date instead of today's (tests).
    pub fn set_today(&mut self, today: fn() -> Date) {
        self.today = today;
    }

    /// Opens the engine on this thread (building the index if needed).
    pub fn open_here(&mut self, app: &mut App) -> Result<()> {
        let (engine, report) = (self.open)(&self.store)?;
        self.engine = Slot::Here(engine);
        app.opened(Ok(report));
        Ok(())
    }

    /// Starts watching `notes/`, then opens the engine on a thread of its own. The watch
    /// starts first, so no change made while the index opens can slip between the two.
    pub fn start_background(&mut self, app: &mut App) {
        match watch(&self.store.notes_dir()) {
            Ok(watcher) => self.watcher = Some(watcher),
            Err(e) => app.set_status(
                format!("not watching the notes for changes ({e}); press r to reload"),
                true,
            ),
        }
        let (jobs, inbox) = mpsc::channel::<EngineJob>();
        let (outbox, done) = mpsc::channel::<Done>();
        let (store, open) = (self.store.clone(), self.open);
        let spawned = std::thread::Builder::new()
            .name("tn-engine".into())
            .spawn(move || serve(store, open, inbox, outbox));
        match spawned {
            Ok(_) => {
                self.engine = Slot::Thread(EngineThread {
                    jobs,
                    done,
                    pending: 1,
                    slow: 1,
                })
            }
            // No thread: open here instead; the UI waits for it once.
            Err(_) => {
                if let Err(e) = self.open_here(app) {
                    app.opened(Err(e));
                }
            }
        }
    }

    /// Whether something is running whose result the loop should pick up soon.
    pub fn busy(&self) -> bool {
        self.facets.is_some() || matches!(&self.engine, Slot::Thread(t) if t.pending > 0)
    }

    /// Carries out the app's queued jobs: here and now, or by sending them to the engine's
    /// thread.
    pub fn carry_out(&mut self, app: &mut App) {
        for job in app.take_jobs() {
            match job {
                Job::Search(request) => match &mut self.engine {
                    Slot::Here(engine) => {
                        let results = engine.search_recent_first(&request);
                        app.searched(&request.query, results);
                    }
                    Slot::Thread(thread) => thread.send(EngineJob::Search(request)),
                    Slot::Closed => {}
                },
                Job::Refresh => match &mut self.engine {
                    Slot::Here(engine) => app.refreshed(engine.refresh()),
                    Slot::Thread(thread) => thread.send(EngineJob::Refresh),
                    Slot::Closed => app.refreshed(Ok(RefreshReport::default())),
                },
                Job::Preview(id) => app.previewed(preview(&self.store, id)),
                Job::Facets => self.count_facets(app),
                Job::Capture {
                    kind,
                    target,
                    lines,
                } => {
                    let outcome = save_lines(&self.store, self.clock, kind, &target, &lines);
                    app.captured(kind, &target, &lines, outcome);
                }
                Job::Draft { key, text } => {
                    if let Err(e) = drafts::save(&self.store, &key, text.as_deref()) {
                        app.draft_failed(&e);
                    }
                }
                Job::LoadDrafts => {
                    let (drafts, problems) = drafts::load(&self.store);
                    app.drafts_loaded(drafts, problems);
                }
                Job::CreateTalk(spec) => app.talk_created(capture::new_talk(&self.store, spec)),
                Job::NewTalkForm => {
                    let event = self.store.current_event().ok().flatten();
                    app.open_new_talk(event, event_days(&self.store), (self.today)());
                }
            }
        }
    }

    /// Counts facet values: on a thread when the engine has one (a scan of every note), else
    /// at once.
    fn count_facets(&mut self, app: &mut App) {
        if matches!(self.engine, Slot::Thread(_)) {
            if self.facets.is_none() {
                let (tx, rx) = mpsc::channel();
                let store = self.store.clone();
                std::thread::spawn(move || {
                    let _ = tx.send(store.scan().map(|scan| Facets::from_scan(&scan)));
                });
                self.facets = Some(rx);
            }
        } else {
            let counted = self.store.scan().map(|scan| Facets::from_scan(&scan));
            facets_done(app, counted);
        }
    }

    /// Hands the app what finished elsewhere: engine results, facet counts, and a change on
    /// disk (as [`Action::Tick`]). Fails when the engine could not be opened at all, or
    /// stopped.
    pub fn poll(&mut self, app: &mut App) -> Result<()> {
        if let Some(rx) = &self.facets {
            match rx.try_recv() {
                Ok(counted) => {
                    self.facets = None;
                    facets_done(app, counted);
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => self.facets = None,
            }
        }
        if let Some(watcher) = &self.watcher
            && watcher.changes.try_iter().count() > 0
        {
            app.update(Action::Tick);
        }
        if let Slot::Thread(thread) = &mut self.engine {
            loop {
                match thread.done.try_recv() {
                    Ok(done) => thread.deliver(done, app)?,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return thread.stopped(),
                }
            }
        }
        Ok(())
    }

    /// Waits for the searches sent to an idle engine, at most [`SEARCH_WAIT`], so the next
    /// frame shows their results. Behind a refresh a search takes as long as the refresh, and
    /// the UI does not wait for it.
    pub fn wait_for_search(&mut self, app: &mut App) -> Result<()> {
        let Slot::Thread(thread) = &mut self.engine else {
            return Ok(());
        };
        let deadline = Instant::now() + SEARCH_WAIT;
        while thread.pending > 0 && thread.slow == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match thread.done.recv_timeout(left) {
                Ok(done) => thread.deliver(done, app)?,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return thread.stopped(),
            }
        }
        Ok(())
    }

    /// Waits for one job of the engine's thread, if any is pending; returns whether one was.
    pub fn wait_one(&mut self, app: &mut App) -> Result<bool> {
        let Slot::Thread(thread) = &mut self.engine else {
            return Ok(false);
        };
        if thread.pending == 0 {
            return Ok(false);
        }
        match thread.done.recv() {
            Ok(done) => thread.deliver(done, app).map(|()| true),
            Err(_) => thread.stopped().map(|()| false),
        }
    }
}

impl EngineThread {
    fn send(&mut self, job: EngineJob) {
        let slow = matches!(job, EngineJob::Refresh);
        // A send fails only when the thread has ended; `poll` reports that.
        if self.jobs.send(job).is_ok() {
            self.pending += 1;
            self.slow += usize::from(slow);
        }
    }

    fn deliver(&mut self, done: Done, app: &mut App) -> Result<()> {
        self.pending = self.pending.saturating_sub(1);
        match done {
            Done::Opened(report) => {
                self.slow = self.slow.saturating_sub(1);
                // Without an index the TUI cannot do its job: the error ends it.
                let report = report?;
                app.opened(Ok(report));
            }
            Done::Searched(query, results) => app.searched(&query, results),
            Done::Refreshed(report) => {
                self.slow = self.slow.saturating_sub(1);
                app.refreshed(report);
            }
        }
        Ok(())
    }

    fn stopped(&mut self) -> Result<()> {
        if self.pending == 0 {
            return Ok(());
        }
        self.pending = 0;
        self.slow = 0;
        Err(Error::Invalid(
            "the search engine's thread stopped unexpectedly".into(),
        ))
    }
}

/// The engine's thread: opens the engine, then runs jobs in the order they come.
fn serve<E: SearchEngine>(
    store: Store,
    open: Opener<E>,
    inbox: Receiver<EngineJob>,
    outbox: Sender<Done>,
) {
    let mut engine = match open(&store) {
        Ok((engine, report)) => {
            if outbox.send(Done::Opened(Ok(report))).is_err() {
                return;
            }
            engine
        }
        Err(e) => {
            let _ = outbox.send(Done::Opened(Err(e)));
            return;
        }
    };
    while let Ok(job) = inbox.recv() {
        let done = match job {
            EngineJob::Search(request) => {
                let results = engine.search_recent_first(&request);
                Done::Searched(request.query, results)
            }
            EngineJob::Refresh => Done::Refreshed(engine.refresh()),
        };
        if outbox.send(done).is_err() {
            return;
        }
    }
}

fn facets_done(app: &mut App, counted: Result<Facets>) {
    match counted {
        Ok(facets) => app.set_facets(facets),
        Err(e) => {
            app.set_error(&e);
            app.set_facets(Facets::default());
        }
    }
}

/// The talk as read from its file, for the preview.
fn preview(store: &Store, id: TalkRef) -> Preview {
    let talk = store
        .read_talk(&id)
        .map(|l| l.value)
        .map_err(|e| error_text(&e, "\n  hint: "));
    let event_name = store.read_event(&id.event).ok().map(|e| e.value.name);
    Preview {
        id,
        talk,
        event_name,
    }
}

/// Every event's dates, for the new-talk form's default date. Events that cannot be read
/// are left out (the form then offers no default date for them).
fn event_days(store: &Store) -> Vec<EventDays> {
    let Ok(entries) = std::fs::read_dir(store.notes_dir()) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|entry| entry.file_name().to_str()?.parse::<Slug>().ok())
        .filter_map(|id| {
            let event = store.read_event(&id).ok()?.value;
            Some(EventDays {
                id,
                starts_on: event.starts_on,
                ends_on: event.ends_on,
            })
        })
        .collect()
}

/// Saves the lines of a capture one by one, in order, stopping at the first that fails.
fn save_lines(
    store: &Store,
    clock: fn() -> ClockTime,
    kind: CaptureKind,
    target: &TalkRef,
    lines: &[String],
) -> Captured {
    let mut outcome = Captured {
        saved: 0,
        talk: None,
        message: None,
        error: None,
    };
    for line in lines {
        match save(store, clock, kind, target, line) {
            Ok((talk, message)) => {
                outcome.saved += 1;
                outcome.talk = talk.or(outcome.talk.take());
                outcome.message = Some(message);
            }
            Err(e) => {
                outcome.error = Some(e);
                break;
            }
        }
    }
    if outcome.saved > 1 && outcome.error.is_none() {
        outcome.message = Some(match kind {
            CaptureKind::Takeaway => format!(
                "saved {} takeaways, one per line, at {}",
                outcome.saved,
                clock()
            ),
            CaptureKind::Tool => format!("added {} tools, one per line", outcome.saved),
            CaptureKind::Link => format!("added {} links, one per line", outcome.saved),
            CaptureKind::Tags => outcome.message.take().unwrap_or_default(),
        });
    }
    outcome
}

/// Saves a capture line: the note as it now is (none for a blank takeaway), and what to say.
fn save(
    store: &Store,
    clock: fn() -> ClockTime,
    kind: CaptureKind,
    target: &TalkRef,
    text: &str,
) -> Result<(Option<Talk>, String)> {
    match kind {
        CaptureKind::Takeaway => {
            let at = clock();
            capture::jot(store, target, text, at)
                .map(|talk| (talk, format!("saved takeaway at {at}")))
        }
        CaptureKind::Tool => {
            let (name, url) = form::parse_tool(text);
            capture::add_tool(store, target, &name, url)
                .map(|talk| (Some(talk), format!("added tool {}", display::line(&name))))
        }
        CaptureKind::Link => {
            let (url, title) = form::parse_link(text);
            capture::add_link(store, target, &url, title)
                .map(|talk| (Some(talk), format!("added link {}", display::line(&url))))
        }
        CaptureKind::Tags => {
            let tags = form::parse_tags(text);
            capture::add_tags(store, target, &tags).map(|talk| {
                let message = format!("{target} tags: {}", display::line(&talk.tags.join(", ")));
                (Some(talk), message)
            })
        }
    }
}

/// Watches `notes` recursively: with the system's notifications where it has them, else by
/// polling about once a [`TICK`].
fn watch(notes: &Path) -> std::result::Result<Watcher, notify::Error> {
    let (tx, changes) = mpsc::channel();
    let config = Config::default().with_timeout(DEBOUNCE);
    let watched = new_debouncer_opt::<_, RecommendedWatcher>(config.clone(), tx.clone()).and_then(
        |mut debouncer| {
            debouncer.watcher().watch(notes, RecursiveMode::Recursive)?;
            Ok(Box::new(debouncer) as Box<dyn std::any::Any + Send>)
        },
    );
    let debouncer = match watched {
        Ok(debouncer) => debouncer,
        // Out of inotify watches, a file system without notifications: poll instead.
        Err(_) => {
            let polling =
                config.with_notify_config(notify::Config::default().with_poll_interval(TICK));
            let mut debouncer: Debouncer<PollWatcher> = new_debouncer_opt(polling, tx)?;
            debouncer.watcher().watch(notes, RecursiveMode::Recursive)?;
            Box::new(debouncer)
        }
    };
    Ok(Watcher {
        changes,
        _debouncer: debouncer,
    })
}
