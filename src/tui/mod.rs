//! `tn` (no arguments) and `tn tui`: a terminal UI that searches as you type and captures
//! notes during a talk.
//!
//! The TUI is a thin shell over the library, split the way atuin, television and gitui split
//! theirs so that all of it can be tested without a terminal:
//!
//! - [`input`] turns terminal events into [`action::Action`]s (the key bindings);
//! - [`app::App`] is plain state and does no I/O: `update` applies an action, `sync` asks for
//!   a search only when the query changed; what needs the knowledge base comes out as
//!   [`action::Job`]s and what needs the desktop (browser, clipboard, editor) as
//!   [`action::Effect`]s;
//! - [`worker::Worker`] carries out the jobs with a [`SearchEngine`] (the real one on a thread
//!   of its own) and the store, and watches the notes for changes; [`drafts`] keeps what is
//!   typed on a capture line and not saved yet;
//! - [`Session`] pairs an app with its worker, so tests drive it like the event loop does,
//!   with the real engine or a fake one;
//! - [`view::draw`] renders the state, immutably, into any ratatui backend;
//! - [`start`] and [`run_loop`] tie them together, generic over ratatui's `Backend`, an
//!   [`EventSource`] and a [`Host`] for the effects, so tests drive the whole app with scripted
//!   events into a `TestBackend`, and only [`run`] touches the real terminal.

pub mod action;
pub mod app;
pub mod drafts;
pub mod facets;
pub mod form;
pub mod input;
mod overlay;
mod sync;
mod talk_view;
mod term;
pub mod view;
pub mod worker;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::io;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::error::{Error, Result};
use crate::note::{ClockTime, Date};
use crate::search::{Engine, RefreshReport, SearchEngine};
use crate::store::{NoteKey, Store};

use action::{Action, Effect};
use app::App;
use view::Theme;
use worker::{Opener, Worker};

/// How often status messages fade, and how often a polling watcher looks at the files.
pub const TICK: Duration = Duration::from_secs(1);
/// How often the loop looks for finished background work while some is running.
const POLL: Duration = Duration::from_millis(20);

/// What an [`EventSource`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Event(Event),
    /// Nothing happened within the timeout.
    Timeout,
    /// Time passed: look for changed files now (scripted sources use this to stand for a
    /// second of waiting).
    Tick,
    /// No more events: the loop ends.
    Closed,
}

/// Where terminal events come from: the real terminal, or a script in tests.
pub trait EventSource {
    /// The next event, waiting at most `timeout` for it.
    fn next(&mut self, timeout: Duration) -> io::Result<Next>;
}

/// A fixed list of events (and ticks), then [`Next::Closed`].
#[derive(Debug, Default, Clone)]
pub struct Scripted {
    steps: VecDeque<Next>,
}

impl Scripted {
    pub fn new() -> Scripted {
        Scripted::default()
    }

    pub fn push(&mut self, step: Next) -> &mut Self {
        self.steps.push_back(step);
        self
    }

    pub fn key(&mut self, event: crossterm::event::KeyEvent) -> &mut Self {
        self.push(Next::Event(Event::Key(event)))
    }

    /// Each character as its own key event, the way an IME commit without bracketed paste
    /// arrives.
    pub fn typed(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            self.key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char(c),
            ));
        }
        self
    }

    /// Ends the current burst: what follows is read in a later batch.
    pub fn pause(&mut self) -> &mut Self {
        self.push(Next::Timeout)
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl EventSource for Scripted {
    fn next(&mut self, _timeout: Duration) -> io::Result<Next> {
        Ok(self.steps.pop_front().unwrap_or(Next::Closed))
    }
}

/// The outside world the TUI acts on. The outcome of each call is a line for the status
/// line: `Ok` for news, `Err` for a problem.
pub trait Host {
    fn open_url(&mut self, url: &str) -> std::result::Result<String, String>;
    fn copy(&mut self, text: &str) -> std::result::Result<String, String>;
    /// Runs `$EDITOR` on the note with the terminal handed back to it.
    fn edit(&mut self, store: &Store, key: &NoteKey) -> std::result::Result<String, String>;
    /// Outcomes of work that finished in the background since the last call (a browser that
    /// failed to start): (message, is an error).
    fn poll(&mut self) -> Vec<(String, bool)> {
        Vec::new()
    }
}

/// A host that does nothing but remember what it was asked (tests, benchmarks).
#[derive(Debug, Default, Clone)]
pub struct RecordingHost {
    pub effects: Vec<Effect>,
}

impl Host for RecordingHost {
    fn open_url(&mut self, url: &str) -> std::result::Result<String, String> {
        self.effects.push(Effect::OpenUrl(url.to_owned()));
        Ok(format!("opened {url}"))
    }

    fn copy(&mut self, text: &str) -> std::result::Result<String, String> {
        self.effects.push(Effect::Copy(text.to_owned()));
        Ok("copied URL".into())
    }

    fn edit(&mut self, _store: &Store, key: &NoteKey) -> std::result::Result<String, String> {
        self.effects.push(Effect::Edit(key.clone()));
        Ok("editor closed".into())
    }
}

/// How the event loop runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub theme: Theme,
    /// Run the search engine on a thread of its own and watch the files for changes (the
    /// real TUI). Without it everything happens in order on the calling thread, which makes
    /// scripted runs deterministic: a change on disk is then noticed on [`Next::Tick`].
    pub background: bool,
}

/// An app and the worker that carries out its jobs: what the event loop runs, and what tests
/// and benchmarks drive directly. It reads as the app it holds (`session.hits()`).
pub struct Session<E = Engine> {
    app: App,
    worker: Worker<E>,
}

impl Session<Engine> {
    /// A TUI on `store` with the real search engine, opened later ([`Session::open_index`],
    /// or by [`start`]) so a first frame can be drawn before that possibly slow step.
    pub fn new(store: Store) -> Session<Engine> {
        Session {
            app: App::new(),
            worker: Worker::new(store, Engine::open),
        }
    }
}

/// The most rounds of jobs one `sync` carries out (each round answers what the last one
/// changed; two or three are the most a change on disk takes).
const ROUNDS: usize = 8;

impl<E: SearchEngine + Send + 'static> Session<E> {
    /// A TUI on `store` with an engine already open (a test's own).
    pub fn with_engine(store: Store, engine: E) -> Session<E> {
        let no_opener: Opener<E> = |_| {
            Err(Error::Invalid(
                "this session's engine was given to it open".into(),
            ))
        };
        let mut app = App::new();
        app.opened(Ok(RefreshReport::default()));
        let mut session = Session {
            app,
            worker: Worker::with_engine(store, engine, no_opener),
        };
        session.sync();
        session
    }

    /// Opens (and if needed builds) the search index on this thread, then runs the first
    /// search.
    pub fn open_index(&mut self) -> Result<()> {
        self.worker.open_here(&mut self.app)?;
        self.sync();
        Ok(())
    }

    /// Stamps takeaways with this clock instead of the local time (tests).
    pub fn set_clock(&mut self, clock: fn() -> ClockTime) {
        self.worker.set_clock(clock);
    }

    /// Dates new talks with this date instead of today's (tests).
    pub fn set_today(&mut self, today: fn() -> Date) {
        self.worker.set_today(today);
    }

    pub fn store(&self) -> &Store {
        self.worker.store()
    }

    pub fn app(&self) -> &App {
        &self.app
    }

    pub fn app_mut(&mut self) -> &mut App {
        &mut self.app
    }

    /// Applies one action, and carries out at once what it asked for (a capture is on disk
    /// before the next action).
    pub fn update(&mut self, action: Action) {
        self.app.update(action);
        self.worker.carry_out(&mut self.app);
    }

    /// Brings derived state up to date: the app asks for searches, notes and refreshes, and
    /// the worker carries them out (a search sent to the engine's thread is waited for a
    /// moment, so the frame drawn next shows its results).
    pub fn sync(&mut self) {
        for _ in 0..ROUNDS {
            self.app.sync();
            if self.app.jobs.is_empty() {
                break;
            }
            self.worker.carry_out(&mut self.app);
        }
        if let Err(e) = self.worker.wait_for_search(&mut self.app) {
            self.app.set_error(&e);
        }
    }

    /// `update`, then `sync`: one action handled as the event loop would.
    pub fn dispatch(&mut self, action: Action) {
        self.update(action);
        self.sync();
    }

    /// Computes the facet counts now, on this thread.
    pub fn load_facets(&mut self) -> Result<()> {
        let scan = self.worker.store().scan()?;
        self.app.set_facets(facets::Facets::from_scan(&scan));
        Ok(())
    }

    /// Waits until the engine's thread has done everything asked of it and nothing more is
    /// asked: the state a session leaves its loop in.
    fn settle(&mut self) -> Result<()> {
        for _ in 0..ROUNDS {
            self.sync();
            if !self.worker.wait_one(&mut self.app)? {
                break;
            }
        }
        Ok(())
    }
}

impl<E> Deref for Session<E> {
    type Target = App;

    fn deref(&self) -> &App {
        &self.app
    }
}

impl<E> DerefMut for Session<E> {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

impl Options {
    /// What `tn` uses: colour unless `NO_COLOR`, background work.
    pub fn interactive() -> Options {
        Options {
            theme: Theme::from_env(),
            background: true,
        }
    }

    /// No colour, everything in order on the calling thread.
    pub fn scripted() -> Options {
        Options {
            theme: Theme::plain(),
            background: false,
        }
    }
}

/// Opens the TUI on the real terminal and runs it until the user quits.
pub fn run(store: Store) -> Result<()> {
    term::run(store)
}

fn terminal_error(e: impl std::fmt::Display) -> Error {
    Error::io(Path::new("<terminal>"), io::Error::other(e.to_string()))
}

fn event_error(e: io::Error) -> Error {
    Error::io(Path::new("<terminal>"), e)
}

/// Draws a frame and hands the measured sizes back to the app.
pub fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &mut App, theme: &Theme) -> Result<()> {
    let mut viewport = app.viewport;
    terminal
        .draw(|frame| viewport = view::draw(frame, app, theme))
        .map_err(terminal_error)?;
    let before = (app.offset, app.detail_scroll);
    app.set_viewport(viewport);
    if (app.offset, app.detail_scroll) != before {
        // The terminal was resized and the selection moved into view: show that.
        terminal
            .draw(|frame| {
                view::draw(frame, app, theme);
            })
            .map_err(terminal_error)?;
    }
    Ok(())
}

/// Draws a first frame at once, then opens the search index (which may have to be built:
/// on the engine's own thread with [`Options::background`], so typing starts right away) and
/// runs the event loop.
pub fn start<B: Backend, S: SearchEngine + Send + 'static, E: EventSource, H: Host>(
    terminal: &mut Terminal<B>,
    session: &mut Session<S>,
    events: &mut E,
    host: &mut H,
    options: &Options,
) -> Result<()> {
    draw(terminal, &mut session.app, &options.theme)?;
    if options.background {
        session.worker.start_background(&mut session.app);
    } else {
        session.open_index()?;
    }
    run_loop(terminal, session, events, host, options)
}

/// The event loop, on a session whose index is open (or opening): wait for an event (or a
/// second), apply everything that has already arrived (a paste or an IME burst is applied
/// whole), pick up background work, bring the state up to date once, carry out effects,
/// draw. Ends when the app quits or the events run out.
pub fn run_loop<B: Backend, S: SearchEngine + Send + 'static, E: EventSource, H: Host>(
    terminal: &mut Terminal<B>,
    session: &mut Session<S>,
    events: &mut E,
    host: &mut H,
    options: &Options,
) -> Result<()> {
    let theme = &options.theme;
    let mut last_second = Instant::now();
    draw(terminal, &mut session.app, theme)?;
    loop {
        let mut wait = TICK.saturating_sub(last_second.elapsed());
        if session.worker.busy() {
            wait = wait.min(POLL);
        }
        let mut closed = false;
        let mut next = events.next(wait).map_err(event_error)?;
        loop {
            match next {
                Next::Event(event) => {
                    if let Some(action) = input::action(session.app.context(), &event) {
                        session.update(action);
                    }
                }
                Next::Tick => {
                    session.update(Action::Tick);
                    break;
                }
                Next::Timeout => break,
                Next::Closed => {
                    closed = true;
                    break;
                }
            }
            if session.app.should_quit() {
                break;
            }
            next = events.next(Duration::ZERO).map_err(event_error)?;
        }
        if last_second.elapsed() >= TICK {
            session.app.expire_status();
            last_second = Instant::now();
        }
        session.worker.poll(&mut session.app)?;
        let done = closed || session.app.should_quit();
        if done {
            // Whatever is under way finishes first, so the state left behind is current.
            session.settle()?;
        }
        session.sync();
        for effect in session.app.take_effects() {
            let outcome = match &effect {
                Effect::OpenUrl(url) => host.open_url(url),
                Effect::Copy(text) => host.copy(text),
                Effect::Edit(key) => {
                    let outcome = host.edit(session.worker.store(), key);
                    // The editor drew over the screen: repaint all of it.
                    terminal.clear().map_err(terminal_error)?;
                    outcome
                }
            };
            session.app.effect_done(&effect, outcome);
        }
        for (message, error) in host.poll() {
            session.app.set_status(message, error);
        }
        if done {
            session.settle()?;
        } else {
            session.sync();
        }
        if session.app.should_quit() {
            return Ok(());
        }
        draw(terminal, &mut session.app, theme)?;
        if closed {
            return Ok(());
        }
    }
}
