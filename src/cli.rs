//! The command line, as clap types. The completions and the man page are generated from these.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::export::{FrontMatter, GroupBy};
use crate::note::{ClockTime, Date, EventKind, Slug, TalkKind};
use crate::now::Moment;

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
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a knowledge base (notes/ and a .gitignore for index/).
    Init {
        /// Where to create it; defaults to the current directory.
        dir: Option<PathBuf>,
        /// Also make it a git repository (unless it is in one) set up for `tn sync`.
        #[arg(long)]
        git: bool,
    },
    /// Manage events (conferences, meetups, newsletter issues).
    #[command(subcommand)]
    Event(EventCommand),
    /// Create a talk note, make it the current talk, and open it in $EDITOR.
    New(NewArgs),
    /// Append a takeaway to the current talk, stamped with the local time.
    Jot {
        /// The takeaway; `-` reads one takeaway per line from standard input.
        #[arg(required = true, value_name = "TEXT")]
        text: Vec<String>,
        #[command(flatten)]
        target: Target,
        /// Stamp with this time (HH:MM) instead of now.
        #[arg(long, value_name = "HH:MM")]
        at: Option<ClockTime>,
    },
    /// Add a tool mentioned in the talk.
    Tool {
        name: String,
        url: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Add a link (slides, video, related article).
    Link {
        url: String,
        title: Option<String>,
        #[command(flatten)]
        target: Target,
    },
    /// Add tags to the talk.
    Tag {
        #[arg(required = true)]
        tags: Vec<String>,
        #[command(flatten)]
        target: Target,
    },
    /// List talks (or events with --events).
    List(ListArgs),
    /// Show one talk (EVENT/TALK) or one event (EVENT).
    Show {
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Edit a note in $EDITOR; the result is validated before it is saved.
    Edit { id: String },
    /// Print the current talk, or make ID the current talk.
    Current { id: Option<String> },
    /// Validate every note; prints path:line:column: problem, exits non-zero on any.
    Check,
    /// Full-text search (Japanese and English); terms are ANDed.
    #[command(
        after_help = "Query syntax: words are ANDed; \"a phrase\"; -word excludes; a OR b; \
filters event:ID speaker:NAME tool:NAME tag:TAG kind:KIND year:2024 date:>=2024-01-01 lang:ja"
    )]
    Search(SearchArgs),
    /// Rebuild the search index from the notes.
    Reindex,
    /// The tools linked from talks, with counts and URLs; with NAME, the talks that link it.
    Tools {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The speakers of all talks; with NAME, their talks.
    Speakers {
        name: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Talks similar to EVENT/TALK.
    Related {
        id: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Merge a file into the knowledge base: interchange JSON, a frab/pretalx or Sessionize
    /// schedule, or a Markdown recap written by `tn export --format md`.
    Import(ImportArgs),
    /// Export events as interchange JSON, or as a Markdown or HTML recap ready to publish.
    Export(ExportArgs),
    /// Talks in progress or starting within 30 minutes; --pick makes one the current talk.
    Now(NowArgs),
    /// Print the JSON Schema of the interchange format.
    Schema,
    /// Print shell completions.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// Open the terminal UI: search as you type, capture during a talk (also `tn` alone).
    Tui,
    /// Share the knowledge base through git: set up the merge driver.
    #[command(subcommand)]
    Git(GitCommand),
    /// Commit changed notes, pull (merging notes by meaning), and push.
    Sync,
    /// Merge three versions of a note; git calls it (`tn git setup` tells git how).
    MergeDriver(MergeDriverArgs),
}

#[derive(Debug, Subcommand)]
pub enum GitCommand {
    /// Mark notes for the talknotes merge driver (.gitattributes) and name the driver in this
    /// repository's git config. Idempotent.
    Setup,
}

/// git's merge driver protocol: `tn merge-driver %O %A %B %P`.
#[derive(Debug, Args)]
pub struct MergeDriverArgs {
    /// The common ancestor's version (%O).
    pub base: PathBuf,
    /// Our version (%A); the result is written here.
    pub ours: PathBuf,
    /// Their version (%B).
    pub theirs: PathBuf,
    /// The note's path in the repository (%P): says whether it is a talk or an event.
    pub path: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Create an event.
    New(EventNewArgs),
}

#[derive(Debug, Args)]
pub struct EventNewArgs {
    /// Event id, e.g. kubecon-na-2022.
    pub id: Slug,
    /// Display name, e.g. "KubeCon + CloudNativeCon North America 2022".
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum)]
    pub kind: Option<EventKindArg>,
    /// First day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<Date>,
    /// Last day, when the event spans several days.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub end_date: Option<Date>,
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub url: Option<String>,
    #[arg(long)]
    pub hashtag: Option<String>,
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The talk's title.
    pub title: String,
    /// Event id; defaults to the current talk's event.
    #[arg(long)]
    pub event: Option<Slug>,
    /// Talk id; derived from the title when omitted (Japanese titles are romanised).
    #[arg(long)]
    pub id: Option<Slug>,
    #[arg(long)]
    pub url: Option<String>,
    /// "Name (Affiliation)"; repeat for several speakers.
    #[arg(long = "speaker", value_name = "NAME (AFFILIATION)")]
    pub speakers: Vec<String>,
    #[arg(long, value_enum)]
    pub kind: Option<TalkKindArg>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<Date>,
    #[arg(long, value_name = "HH:MM")]
    pub start: Option<ClockTime>,
    #[arg(long, value_name = "HH:MM")]
    pub end: Option<ClockTime>,
    #[arg(long)]
    pub track: Option<String>,
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Do not open $EDITOR.
    #[arg(long)]
    pub no_edit: bool,
}

/// Which talk a capture command adds to.
#[derive(Debug, Args)]
pub struct Target {
    /// EVENT/TALK instead of the current talk.
    #[arg(long, value_name = "EVENT/TALK")]
    pub talk: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub event: Option<Slug>,
    #[arg(long)]
    pub tag: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<TalkKindArg>,
    /// List events instead of talks.
    #[arg(long)]
    pub events: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query; several words are joined with spaces. Quote a query that excludes words
    /// (`tn search "ebpf -istio"`) or put it after `--`.
    #[arg(required = true)]
    pub query: Vec<String>,
    /// Most results to show.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Let the last word match as a prefix (`kube` finds Kubernetes).
    #[arg(long)]
    pub prefix: bool,
    /// Print a JSON array in rank order.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Interchange JSON (`tn export --format json`), a frab/pretalx `schedule.json`, a
    /// Sessionize "All" export, or a Markdown recap (`tn export --format md`).
    pub file: PathBuf,
    /// The event a schedule goes into (default: the schedule's own acronym or title; for
    /// Sessionize, which names no event, the current event).
    #[arg(long, value_name = "EVENT-ID")]
    pub event: Option<Slug>,
    /// Overwrite existing notes that differ (otherwise they are reported and left alone).
    #[arg(long)]
    pub update: bool,
    /// Show what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Events to export; all when none are given.
    pub events: Vec<Slug>,
    #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
    pub format: ExportFormat,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// How talks are grouped in a recap (md, html).
    #[arg(long, value_enum, default_value_t = GroupBy::Kind)]
    pub group_by: GroupBy,
    /// Front matter for a blog or static-site generator (md).
    #[arg(long, value_enum)]
    pub front_matter: Option<FrontMatter>,
    /// The recap's title (default: the event's name, or the period covered).
    #[arg(long)]
    pub title: Option<String>,
    /// Only talks on or after this day (the talk's date, else its event's).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<Date>,
    /// Only talks on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<Date>,
    /// Only talks with this tag.
    #[arg(long)]
    pub tag: Option<String>,
    /// Only talks that mention this tool.
    #[arg(long)]
    pub tool: Option<String>,
    /// Only talks matching this search query (same syntax as `tn search`).
    #[arg(long, allow_hyphen_values = true)]
    pub query: Option<String>,
    /// Name who wrote each talk's notes, in a line under it (md, html).
    #[arg(long)]
    pub contributors: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The interchange JSON (lossless; `tn import` reads it back).
    Json,
    /// A Markdown recap for Zenn, Qiita, Hatena Blog, note or GitHub (`tn import` reads it back).
    #[value(alias = "markdown")]
    Md,
    /// The same recap as one self-contained HTML page.
    Html,
}

#[derive(Debug, Args)]
pub struct NowArgs {
    /// Only talks in this room (matched against the talk's track).
    #[arg(long)]
    pub room: Option<String>,
    /// Look at this moment instead of now.
    #[arg(long, value_name = "YYYY-MM-DD HH:MM")]
    pub at: Option<Moment>,
    /// Make the earliest listed talk the current talk, so `tn jot` goes to it.
    #[arg(long)]
    pub pick: bool,
}

macro_rules! value_enum_mirror {
    ($arg:ident => $model:ident { $($variant:ident),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, ValueEnum)]
        pub enum $arg {
            $($variant),+
        }

        impl From<$arg> for $model {
            fn from(value: $arg) -> $model {
                match value {
                    $($arg::$variant => $model::$variant),+
                }
            }
        }
    };
}

value_enum_mirror!(EventKindArg => EventKind { Conference, Meetup, Newsletter, Other });
value_enum_mirror!(TalkKindArg => TalkKind {
    Keynote, Session, Sponsor, Lightning, Panel, Workshop, Article, Release, Tool, Other
});

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
