//! `tn export [EVENT…]`: the interchange JSON, or a Markdown or HTML recap, of whole events or
//! of the talks the filters choose; `--for` writes the recap a platform takes as it is, and
//! `--preview` shows it in the terminal.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::output::{notice, relative, warn_skipped, warning};
use crate::error::Error;
use crate::export::{self, Format, GroupBy, Layout, Platform, RecapOptions, Request, Selection};
use crate::note::{Date, Slug};
use crate::store::Store;
use crate::store::atomic::{WriteMode, write_atomic};

/// `--front-matter`, kept for scripts written before `--for`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FrontMatter {
    Zenn,
    Hugo,
    Jekyll,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Events to export; all when none are given.
    events: Vec<Slug>,
    /// What to write [default: json, or md with --for, --layout or --preview].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Write the Markdown recap for this platform: its front matter, cards and embeds (md).
    #[arg(long = "for", value_enum, value_name = "PLATFORM")]
    platform: Option<Platform>,
    /// The recap's shape (md) [default: notes; with --for, digest for newsletters and
    /// attendee otherwise].
    #[arg(long, value_enum)]
    layout: Option<Layout>,
    /// Show the Markdown recap rendered in the terminal instead of writing it.
    #[arg(long, conflicts_with = "output")]
    preview: bool,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// How talks are grouped in a recap (md, html).
    #[arg(long, value_enum, default_value_t = GroupBy::Kind)]
    group_by: GroupBy,
    /// Deprecated: use --for (with --layout notes, the same layout).
    #[arg(long, value_enum, hide = true, conflicts_with = "platform")]
    front_matter: Option<FrontMatter>,
    /// The recap's title (default: the event's name, or the period covered).
    #[arg(long)]
    title: Option<String>,
    /// Only talks on or after this day (the talk's date, else its event's).
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<Date>,
    /// Only talks on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<Date>,
    /// Only talks with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Only talks that mention this tool.
    #[arg(long)]
    tool: Option<String>,
    /// Only talks matching this search query (same syntax as `tn search`).
    #[arg(long, allow_hyphen_values = true)]
    query: Option<String>,
    /// Name who wrote each talk's notes, in a line under it (md, html).
    #[arg(long)]
    contributors: bool,
    /// Export even if notes of the chosen events cannot be read: they are left out, each
    /// named in a warning. Without it such a note stops the export (json, md or html alike)
    /// and nothing is written.
    #[arg(long)]
    skip_invalid: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        // Which options go with which format depends on a value, which clap cannot check.
        let md_only = self.platform.is_some()
            || self.layout.is_some()
            || self.preview
            || self.front_matter.is_some();
        let format = self
            .format
            .unwrap_or(if md_only { Format::Md } else { Format::Json });
        let recap_only =
            md_only || self.title.is_some() || self.contributors || self.group_by != GroupBy::Kind;
        if format == Format::Json && recap_only {
            bail!(
                "--for, --layout, --preview, --group-by, --title and --contributors apply to --format md or html"
            );
        }
        if md_only && format != Format::Md {
            bail!("--for, --layout and --preview apply to --format md");
        }
        let (platform, layout) = match self.front_matter {
            Some(old) => {
                let platform = match old {
                    FrontMatter::Zenn => Platform::Zenn,
                    FrontMatter::Hugo => Platform::Hugo,
                    FrontMatter::Jekyll => Platform::Jekyll,
                };
                warning(&format!(
                    "--front-matter is deprecated: use --for {} (add --layout notes to keep this layout)",
                    platform.as_str()
                ));
                (platform, Some(self.layout.unwrap_or(Layout::Notes)))
            }
            None => (
                self.platform.unwrap_or_default(),
                // Without a platform, the recap tn always wrote.
                self.layout
                    .or(self.platform.is_none().then_some(Layout::Notes)),
            ),
        };
        if platform == Platform::Zenn
            && let Some(path) = &self.output
            && !zenn_slug(path)
        {
            warning(&format!(
                "Zenn publishes articles/SLUG.md only when SLUG is 12 to 50 of a-z 0-9 - _ (not {})",
                path.display()
            ));
        }
        let request = Request {
            format,
            selection: Selection {
                events: self.events,
                since: self.since,
                until: self.until,
                tag: self.tag,
                tool: self.tool,
                talks: None,
            },
            query: self.query,
            recap: RecapOptions {
                group_by: self.group_by,
                platform,
                layout,
                time_zone: Some(crate::clock::now().time_zone().clone()),
                title: self.title,
                topic: Vec::new(),
                contributors: self.contributors,
            },
            skip_invalid: self.skip_invalid,
        };
        let exported = export::export(store, &request).map_err(relative_problems)?;
        exported.notices.iter().for_each(|text| notice(text));
        exported.warnings.iter().for_each(|text| warning(text));
        if self.preview {
            let text = export::preview::render(&exported.text);
            anstream::stdout().lock().write_all(text.as_bytes())?;
        } else {
            match &self.output {
                Some(path) => {
                    write_atomic(path, exported.text.as_bytes(), WriteMode::Replace)?;
                    anstream::eprintln!("wrote {}", path.display());
                }
                None => io::stdout().lock().write_all(exported.text.as_bytes())?,
            }
        }
        warn_skipped(&exported.skipped);
        Ok(ExitCode::SUCCESS)
    }
}

/// Whether a file name is one Zenn publishes (`^[0-9a-z_-]{12,50}$` before `.md`).
fn zenn_slug(path: &std::path::Path) -> bool {
    path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| {
        (12..=50).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    })
}

/// The notes that stopped an export, named relative to the working directory like every
/// other path `tn` prints about notes (`notes/ev/talk.ron:3:5`).
fn relative_problems(error: Error) -> Error {
    match error {
        Error::Unreadable {
            doing,
            problems,
            hint,
        } => Error::Unreadable {
            doing,
            problems: problems.iter().map(relative).collect(),
            hint,
        },
        other => other,
    }
}
