//! `tn` (no arguments) and `tn tui`: a terminal UI that searches as you type and captures
//! notes during a talk.
//!
//! The TUI is a thin shell over the library, split the way atuin, television and gitui split
//! theirs so that all of it can be tested without a terminal:
//!
//! - [`input`] turns terminal events into [`action::Action`]s (the key bindings);
//! - [`app::App`] is plain state: `update` applies an action, `sync` re-runs the search only
//!   when the query changed, and side effects (browser, clipboard, editor) come out as
//!   [`action::Effect`]s;
//! - [`view::draw`] renders the state, immutably, into any ratatui backend;
//! - [`start`] and [`run_loop`] tie them together, generic over ratatui's `Backend`, an [`EventSource`]
//!   and a [`Host`] for the side effects, so tests drive the whole app with scripted events
//!   into a `TestBackend`, and only [`run`] touches the real terminal.

pub mod action;
pub mod app;
pub mod facets;
pub mod form;
pub mod input;
mod jobs;
mod overlay;
mod sync;
mod talk_view;
mod term;
pub mod view;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::error::{Error, Result};
use crate::store::{NoteKey, Store};

use action::{Action, Effect};
use app::App;
use jobs::Jobs;
use view::Theme;

/// How often files are checked for changes made outside the TUI.
pub const TICK: Duration = Duration::from_secs(1);

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
    /// Open and refresh the index on other threads and watch the files for changes (the
    /// real TUI). Without it everything happens in order on the calling thread, which makes
    /// scripted runs deterministic: a change on disk is then noticed on [`Next::Tick`].
    pub background: bool,
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
/// in the background with [`Options::background`], so typing starts right away) and runs
/// the event loop.
pub fn start<B: Backend, E: EventSource, H: Host>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut E,
    host: &mut H,
    options: &Options,
) -> Result<()> {
    draw(terminal, app, &options.theme)?;
    let mut jobs = Jobs::default();
    if options.background {
        jobs.open_index(app.store().clone());
    } else {
        app.open_index()?;
    }
    event_loop(terminal, app, events, host, options, jobs)
}

/// The event loop on an app whose index is open.
pub fn run_loop<B: Backend, E: EventSource, H: Host>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut E,
    host: &mut H,
    options: &Options,
) -> Result<()> {
    event_loop(terminal, app, events, host, options, Jobs::default())
}

/// Wait for an event (or a second), apply everything that has already arrived (a paste or
/// an IME burst is applied whole), pick up background work, bring the state up to date once,
/// carry out effects, draw. Ends when the app quits or the events run out.
fn event_loop<B: Backend, E: EventSource, H: Host>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut E,
    host: &mut H,
    options: &Options,
    mut jobs: Jobs,
) -> Result<()> {
    let theme = &options.theme;
    let mut last_second = Instant::now();
    draw(terminal, app, theme)?;
    loop {
        jobs.start(app, options.background);
        let mut wait = TICK.saturating_sub(last_second.elapsed());
        if jobs.busy() {
            wait = wait.min(Duration::from_millis(20));
        }
        let mut closed = false;
        let mut next = events.next(wait).map_err(event_error)?;
        loop {
            match next {
                Next::Event(event) => {
                    if let Some(action) = input::action(app.context(), &event) {
                        app.update(action);
                    }
                }
                Next::Tick => {
                    app.update(Action::Tick);
                    break;
                }
                Next::Timeout => break,
                Next::Closed => {
                    closed = true;
                    break;
                }
            }
            if app.should_quit() {
                break;
            }
            next = events.next(Duration::ZERO).map_err(event_error)?;
        }
        if last_second.elapsed() >= TICK {
            app.expire_status();
            last_second = Instant::now();
        }
        if jobs.files_changed() {
            app.update(Action::Tick);
        }
        let done = closed || app.should_quit();
        jobs.finish(app, done)?;
        // A refresh the app wants goes to another thread before `sync` could run it here.
        jobs.start(app, options.background && !done);
        app.sync();
        for effect in app.take_effects() {
            let outcome = match &effect {
                Effect::OpenUrl(url) => host.open_url(url),
                Effect::Copy(text) => host.copy(text),
                Effect::Edit(key) => {
                    let outcome = host.edit(app.store(), key);
                    // The editor drew over the screen: repaint all of it.
                    terminal.clear().map_err(terminal_error)?;
                    outcome
                }
            };
            app.effect_done(&effect, outcome);
        }
        for (message, error) in host.poll() {
            app.set_status(message, error);
        }
        jobs.start(app, options.background && !done);
        app.sync();
        if app.should_quit() {
            return Ok(());
        }
        draw(terminal, app, theme)?;
        if closed {
            return Ok(());
        }
    }
}
