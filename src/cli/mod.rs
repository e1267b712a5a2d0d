//! The command line: the clap types, and dispatch to one file per command.
//!
//! Each command's file holds its clap `Args` and its `run`, the way atuin lays out its
//! subcommands, so a command is read in one place. Commands stay thin: they parse, call the
//! library (`capture`, `search`, `import`, `export`, ...) and print through [`output`], which
//! owns styles, tables, warnings and the one JSON shape per entity. The completions and the man
//! page are generated from these types.
//!
//! This is the edge: library errors become `anyhow` messages here ([`report_error`] places
//! their hints), and output goes through `anstream`, which drops colour when the output is not
//! a terminal or `NO_COLOR` is set.

mod agenda;
mod check;
mod concepts;
mod current;
mod edit;
mod event;
mod export;
mod generate;
mod git;
mod import;
mod init;
mod jot;
mod link;
mod list;
mod mark;
mod merge_driver;
mod new;
mod now;
pub mod output;
mod registry;
mod reindex;
mod related;
mod search;
mod show;
mod sync;
mod tag;
mod tool;
mod tui;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser, Subcommand};

use crate::author::Author;
use crate::display::escape;
use crate::error::Error;
use crate::git::GitError;
use crate::merge::MergeError;
use crate::note::{Slug, TalkRef};
use crate::store::{NoteKey, Store};
use crate::sync::SyncError;

#[derive(Debug, Parser)]
#[command(
    name = "tn",
    version,
    about = "talknotes: notes of the conference talks you heard, searchable from the terminal",
    long_about = "talknotes keeps structured notes of conference talks as RON files under \
notes/<event-id>/ and lets you capture them during a talk, check, list, import and export them.",
    after_help = "The knowledge base is --dir, else $TALKNOTES_DIR, else the nearest ancestor \
directory with notes/, else the per-user data directory."
)]
pub struct Cli {
    /// Knowledge base directory (the one that contains notes/).
    // Read as an OsString, not a PathBuf: clap refuses an empty path, and an empty
    // TALKNOTES_DIR means "not set" (see `Cli::dir`).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "TALKNOTES_DIR",
        hide_env_values = true
    )]
    dir: Option<OsString>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// `--dir`, else `$TALKNOTES_DIR`; empty counts as not given.
    pub fn dir(&self) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
    }
}

/// Every command. Those that need no knowledge base are a type of their own, so dispatch
/// opens the knowledge base exactly for the others.
#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(flatten)]
    Setup(Setup),
    #[command(flatten)]
    Notes(Notes),
}

/// Commands that work without a knowledge base.
#[derive(Debug, Subcommand)]
pub enum Setup {
    /// Create a knowledge base (notes/ and a .gitignore for index/).
    Init(init::Args),
    /// Print the JSON Schema of the interchange format and of every `--json` output.
    #[command(display_order = 100)]
    Schema(generate::SchemaArgs),
    /// Print shell completions.
    #[command(display_order = 101)]
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff).
    #[command(display_order = 102)]
    Man(generate::ManArgs),
    /// Merge three versions of a note; git calls it (`tn git setup` tells git how).
    #[command(display_order = 104)]
    MergeDriver(merge_driver::Args),
}

/// Commands on a knowledge base.
#[derive(Debug, Subcommand)]
pub enum Notes {
    /// Manage events (conferences, meetups, newsletter issues).
    #[command(subcommand)]
    Event(event::Command),
    /// Create a talk note, make it the current talk, and open it in $EDITOR.
    New(new::Args),
    /// Append a takeaway to the current talk, stamped with the local time.
    Jot(jot::Args),
    /// Add a tool mentioned in the talk.
    Tool(tool::Args),
    /// Add a link (slides, video, related article).
    Link(link::Args),
    /// Add tags to the talk.
    Tag(tag::Args),
    /// Star talks (status `planned`): they make your agenda; `--off` takes the star away.
    Star(mark::StarArgs),
    /// Mark talks attended (writing a takeaway does it too).
    Attend(mark::SetArgs),
    /// Mark talks to watch later (`tn queue` lists them, recordings first).
    WatchLater(mark::SetArgs),
    /// Set talks' status: planned, attended, to-watch, watched, skipped, or none.
    Mark(mark::MarkArgs),
    /// Rate talks 1 to 5 (`--clear` removes the rating).
    Rate(mark::RateArgs),
    /// The starred talks by day and time, clashes marked; `--ics` for a calendar app.
    Agenda(agenda::Args),
    /// The talks to watch later, those with a recording first.
    Queue(agenda::QueueArgs),
    /// List talks (or events with --events).
    List(list::Args),
    /// Show one talk (EVENT/TALK) or one event (EVENT).
    Show(show::Args),
    /// Edit a note in $EDITOR; the result is validated before it is saved.
    Edit(edit::Args),
    /// Print the current talk, or make ID the current talk.
    Current(current::Args),
    /// Validate every note; prints path:line:column: problem, exits non-zero on any.
    Check(check::Args),
    /// Full-text search (Japanese and English); terms are ANDed.
    #[command(
        after_help = "Query syntax: words are ANDed; \"a phrase\"; -word excludes; a OR b; \
=word matches only as typed; filters event:ID speaker:NAME tool:NAME tag:TAG kind:KIND \
year:2024 date:>=2024-01-01 lang:ja url:WORDS (any URL of the talk, e.g. url:speakerdeck) \
status:planned|attended|to-watch|watched|skipped|none rating:>=4; order sort:rating sort:date. \
A word that names a concept also matches its other spellings (container: コンテナ); \
`tn concepts WORD` shows them. A talk's event name and track only narrow: a word found only \
there ranks the talk below talks whose own text has it."
    )]
    Search(search::Args),
    /// The equivalences concept search uses and where each comes from; with WORD, what a
    /// search for it also matches.
    Concepts(concepts::Args),
    /// Rebuild the search index from the notes.
    Reindex(reindex::Args),
    /// The tools linked from talks, with counts and URLs; with NAME, the talks that link it.
    Tools(registry::Args),
    /// The speakers of all talks; with NAME (a part of a name, affiliation or role), their talks.
    Speakers(registry::Args),
    /// Talks similar to EVENT/TALK.
    Related(related::Args),
    /// Merge files or URLs into the knowledge base: a schedule (Sched iCalendar, CloudNative
    /// Days Dreamkast, frab/pretalx, Sessionize), interchange JSON, or a Markdown recap written
    /// by `tn export --format md`.
    Import(import::Args),
    /// Export events as interchange JSON, or as a Markdown or HTML recap ready to publish.
    #[command(
        after_help = "A note of the chosen events that cannot be read stops the export, whatever \
the format (a recap is published, a JSON export is a backup): the error names each such note \
as path:line:column and nothing is written. --skip-invalid exports the rest, with a warning \
naming each note left out."
    )]
    Export(export::Args),
    #[command(about = concat!(
        "Talks in progress or starting within ",
        crate::now::soon_minutes!(),
        " minutes; --pick makes one the current talk"
    ))]
    Now(now::Args),
    /// Open the terminal UI: search as you type, capture during a talk (also `tn` alone).
    #[command(display_order = 103)]
    Tui(tui::Args),
    /// Share the knowledge base through git: set up the merge driver.
    #[command(subcommand)]
    Git(git::Command),
    /// Commit changed notes, pull (merging notes by meaning), and push.
    Sync(sync::Args),
}

/// Which talk a capture command adds to.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// EVENT/TALK instead of the current talk.
    #[arg(long, value_name = "EVENT/TALK")]
    pub talk: Option<String>,
}

impl Target {
    /// The talk named with `--talk` (which must exist), else the current talk.
    fn resolve(&self, store: &Store) -> Result<TalkRef> {
        match &self.talk {
            Some(id) => {
                let id = talk_ref(store, id, "--talk ")?;
                if !store.talk_exists(&id) {
                    return Err(not_found_talk(store, &id, "--talk ").into());
                }
                Ok(id)
            }
            None => Ok(store.current()?),
        }
    }
}

/// The talk `text` names, `EVENT/TALK`. A talk's id alone (the event left out) is looked up
/// among the talks, and the error says which `EVENT/TALK` to write; `usage` is what comes
/// before the id in the suggestion (`tn related `, `--talk `).
fn talk_ref(store: &Store, text: &str, usage: &str) -> Result<TalkRef> {
    match text.parse::<TalkRef>() {
        Ok(id) => Ok(id),
        Err(message) => {
            let bare = text.trim().trim_end_matches(".ron");
            let talks = match bare.parse::<Slug>() {
                Ok(_) => talks_named(store, bare)?,
                Err(_) => Vec::new(),
            };
            match suggest(bare, &talks, usage) {
                Some(hint) => Err(Error::input(message, hint).into()),
                None => Err(anyhow::Error::msg(message)),
            }
        }
    }
}

/// The note `text` names: `EVENT/TALK`, or `EVENT`. An id that is no event but a talk's (its
/// event left out) is an error that says which `EVENT/TALK` to write; `usage` is what comes
/// before the id in the suggestion (`tn show `).
fn note_key(store: &Store, text: &str, usage: &str) -> Result<NoteKey> {
    let key: NoteKey = text.parse().map_err(anyhow::Error::msg)?;
    if let NoteKey::Event(id) = &key
        && !store.event_exists(id)
        && let Some(hint) = suggest(id.as_str(), &talks_named(store, id.as_str())?, usage)
    {
        return Err(Error::NotFound {
            what: "event",
            id: id.to_string(),
            hint,
        }
        .into());
    }
    Ok(key)
}

/// The talks whose id is `id` (in any event); when there are none, those whose id starts
/// with it. Only the files are listed, none is read.
fn talks_named(store: &Store, id: &str) -> Result<Vec<TalkRef>> {
    let (files, _) = store.list_files()?;
    let talks: Vec<TalkRef> = files
        .into_iter()
        .filter_map(|file| match file.key {
            NoteKey::Talk(talk) => Some(talk),
            NoteKey::Event(_) => None,
        })
        .collect();
    let exact: Vec<TalkRef> = talks
        .iter()
        .filter(|t| t.talk.as_str() == id)
        .cloned()
        .collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    Ok(talks
        .into_iter()
        .filter(|t| t.talk.as_str().starts_with(id))
        .collect())
}

/// What to write instead of `typed`, naming up to five talks in full: "`X` is the id of a
/// talk; write it with its event: `tn show ev/X`", or the talks whose id starts with it.
fn suggest(typed: &str, talks: &[TalkRef], usage: &str) -> Option<String> {
    const SHOWN: usize = 5;
    let first = talks.first()?;
    let exact = first.talk.as_str() == typed;
    let mut listed: Vec<String> = talks
        .iter()
        .take(SHOWN)
        .map(|t| format!("`{usage}{t}`"))
        .collect();
    if talks.len() > SHOWN {
        listed.push(format!("{} more (see `tn list`)", talks.len() - SHOWN));
    }
    let listed = listed.join(", or ");
    Some(if exact {
        format!(
            "`{}` is the id of a talk; write it with its event: {listed}",
            first.talk
        )
    } else {
        format!("talks whose id starts with it: {listed}")
    })
}

/// A talk that does not exist, suggesting the same talk id in other events when there is one
/// (the event was mistyped), else `tn list`.
fn not_found_talk(store: &Store, id: &TalkRef, usage: &str) -> Error {
    let elsewhere: Vec<TalkRef> = talks_named(store, id.talk.as_str())
        .unwrap_or_default()
        .into_iter()
        .filter(|t| t.talk == id.talk)
        .collect();
    Error::NotFound {
        what: "talk",
        id: id.to_string(),
        hint: suggest(id.talk.as_str(), &elsewhere, usage)
            .unwrap_or_else(|| "list talks with `tn list`".into()),
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let dir = cli.dir();
    let command = match cli.command {
        Some(command) => command,
        // `tn` alone opens the TUI; without a terminal (a script, a pipe) it prints help.
        None if io::stdin().is_terminal() && io::stdout().is_terminal() => {
            Command::Notes(Notes::Tui(tui::Args {}))
        }
        None => {
            Cli::command().print_help()?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    match command {
        Command::Setup(Setup::Init(args)) => args.run(dir),
        Command::Setup(Setup::Schema(args)) => args.run(),
        Command::Setup(Setup::Completions(args)) => args.run(),
        Command::Setup(Setup::Man(args)) => args.run(),
        Command::Setup(Setup::MergeDriver(args)) => args.run(),
        Command::Notes(command) => {
            let cwd = std::env::current_dir().context("cannot read the current directory")?;
            let root = Store::locate(dir.as_deref(), &cwd)?;
            // What the user captures records who wrote it (`by`).
            let store = Store::open(root)?.with_author(Author::from_environment());
            command.run(&store)
        }
    }
}

impl Notes {
    fn run(self, store: &Store) -> Result<ExitCode> {
        match self {
            Notes::Event(command) => command.run(store),
            Notes::New(args) => args.run(store),
            Notes::Jot(args) => args.run(store),
            Notes::Tool(args) => args.run(store),
            Notes::Link(args) => args.run(store),
            Notes::Tag(args) => args.run(store),
            Notes::Star(args) => args.run(store),
            Notes::Attend(args) => args.run(store, crate::note::TalkStatus::Attended),
            Notes::WatchLater(args) => args.run(store, crate::note::TalkStatus::ToWatch),
            Notes::Mark(args) => args.run(store),
            Notes::Rate(args) => args.run(store),
            Notes::Agenda(args) => args.run(store),
            Notes::Queue(args) => args.run(store),
            Notes::List(args) => args.run(store),
            Notes::Show(args) => args.run(store),
            Notes::Edit(args) => args.run(store),
            Notes::Current(args) => args.run(store),
            Notes::Check(args) => args.run(store),
            Notes::Search(args) => args.run(store),
            Notes::Concepts(args) => args.run(store),
            Notes::Reindex(args) => args.run(store),
            Notes::Tools(args) => args.run(store, registry::Registry::Tools),
            Notes::Speakers(args) => args.run(store, registry::Registry::Speakers),
            Notes::Related(args) => args.run(store),
            Notes::Import(args) => args.run(store),
            Notes::Export(args) => args.run(store),
            Notes::Now(args) => args.run(store),
            Notes::Tui(args) => args.run(store),
            Notes::Git(command) => command.run(store),
            Notes::Sync(args) => args.run(store),
        }
    }
}

/// Prints an error for the user: `error: message`, then what to do on a `hint:` line (a line
/// per problem of an invalid note, each followed by its own hint).
pub fn report_error(error: &anyhow::Error) {
    // Library errors already include their cause; print each cause only once.
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    let lines = match Hinted::find(error) {
        // The whole message is the problems: each gets its hint right after it.
        Some(Hinted::Library(e @ (Error::InvalidNote(_) | Error::Unreadable { .. })))
            if e.to_string() == message =>
        {
            e.hints()
        }
        Some(hinted) => vec![(message, hinted.hint())],
        None => vec![(message, None)],
    };
    let mut err = io::stderr().lock();
    for (i, (text, hint)) in lines.iter().enumerate() {
        let prefix = if i == 0 { "error: " } else { "" };
        let _ = writeln!(err, "{prefix}{}", escape(text, true));
        if let Some(hint) = hint {
            let _ = writeln!(err, "  hint: {}", escape(hint, true));
        }
    }
}

/// An error of the library that knows what to do about itself: its hint is kept out of its
/// message, and [`report_error`] places it.
enum Hinted<'a> {
    Library(&'a Error),
    Sync(&'a SyncError),
    Git(&'a GitError),
    Merge(&'a MergeError),
}

impl<'a> Hinted<'a> {
    /// The first such error in the chain (a sync error that wraps a library one is that one).
    fn find(error: &'a anyhow::Error) -> Option<Hinted<'a>> {
        error.chain().find_map(|e| {
            if let Some(e) = e.downcast_ref::<Error>() {
                Some(Hinted::Library(e))
            } else if let Some(e) = e.downcast_ref::<SyncError>() {
                Some(e.store_error().map_or(Hinted::Sync(e), Hinted::Library))
            } else if let Some(e) = e.downcast_ref::<GitError>() {
                Some(Hinted::Git(e))
            } else {
                e.downcast_ref::<MergeError>().map(Hinted::Merge)
            }
        })
    }

    fn hint(&self) -> Option<String> {
        match self {
            Hinted::Library(e) => e.hint(),
            Hinted::Sync(e) => e.hint(),
            Hinted::Git(e) => e.hint(),
            Hinted::Merge(e) => e.hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
