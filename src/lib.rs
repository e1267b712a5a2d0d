//! talknotes: a terminal knowledge base of conference-talk notes.
//!
//! The note files are the only source of truth; everything else is derived from them. The
//! modules form layers, each using only the ones before it, so data flows one way: from the
//! files, through the model and the search index, to the two front ends.
//!
//! 1. [`note`] is the model (events, talks, and the values in them), [`slug`] derives ids,
//!    [`language`] guesses the language a talk is given in,
//!    [`error`] is the library's typed error (with a hint each front end places itself),
//!    [`display`] makes text safe and aligned for a terminal, [`regular_file`] opens only
//!    regular files, and [`clock`] reads the time zone without trusting the environment.
//! 2. [`store`] reads and writes `notes/<event>/*.ron` as those types: atomic writes under one
//!    writer lock, never a blind overwrite, invalid notes reported and skipped. [`merge`] is
//!    the three-way merge of two versions of a note: the store uses it when someone else saved
//!    a note while tn wrote it, and git's merge driver when two people changed it.
//! 3. [`search`] keeps a tantivy index derived from the notes (`analysis` → `schema` →
//!    `index` → `query`, `snippet`) and answers through one façade, [`search::Engine`];
//!    [`guard`] turns a panic inside tantivy into an index error it repairs.
//! 4. Operations on notes: [`capture`] creates events and talks and adds takeaways, tools,
//!    links and tags (what the CLI and the TUI share); [`editor`] runs `$EDITOR` on a note and
//!    validates the result; [`registry`] gathers tools and speakers; [`now`] finds the talks
//!    on now; [`agenda`] lists the starred talks (clashes, iCalendar) and the ones to watch; [`interchange`] is the JSON codec; [`author`] says who is writing; [`git`] runs
//!    git and [`sync`] shares the knowledge base through it (`tn sync`, `tn merge-driver`).
//! 5. [`present`] says how a talk's facts read (date and time, speakers, highlights) in every
//!    output.
//! 6. [`export`] chooses talks and writes JSON, or a Markdown recap for a publishing platform
//!    (Zenn, Qiita, Hatena Blog, Hugo, Jekyll) in a layout, its terminal preview, or HTML.
//! 7. [`import`] turns any file of notes (JSON, schedules, recaps, the last read by the
//!    recap writer's own layout) into a plan checked whole, then writes it.
//! 8. [`cli`] and [`tui`] are the front ends, thin over the same functions.

pub mod agenda;
pub mod author;
pub mod capture;
pub mod cli;
pub mod clock;
pub mod concepts;
pub mod display;
pub mod editor;
pub mod error;
pub mod export;
pub mod git;
pub mod guard;
pub mod import;
pub mod interchange;
pub mod language;
pub mod merge;
pub mod note;
pub mod now;
pub mod present;
pub mod registry;
pub mod regular_file;
pub mod search;
pub mod slug;
pub mod store;
pub mod sync;
pub mod tui;
