//! `tn export [EVENT…]`: the interchange JSON, or a Markdown or HTML recap, of whole events or
//! of the talks the filters choose.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::output::{notice, relative, warn_skipped, warning};
use crate::error::Error;
use crate::export::{self, Format, FrontMatter, GroupBy, RecapOptions, Request, Selection};
use crate::note::{Date, Slug};
use crate::store::Store;
use crate::store::atomic::{WriteMode, write_atomic};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Events to export; all when none are given.
    events: Vec<Slug>,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// How talks are grouped in a recap (md, html).
    #[arg(long, value_enum, default_value_t = GroupBy::Kind)]
    group_by: GroupBy,
    /// Front matter for a blog or static-site generator (md).
    #[arg(long, value_enum)]
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
        let recap_only = self.front_matter.is_some()
            || self.title.is_some()
            || self.contributors
            || self.group_by != GroupBy::Kind;
        if self.format == Format::Json && recap_only {
            bail!(
                "--group-by, --front-matter, --title and --contributors apply to --format md or html"
            );
        }
        if self.front_matter.is_some() && self.format != Format::Md {
            bail!("--front-matter applies to --format md");
        }
        let request = Request {
            format: self.format,
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
                front_matter: self.front_matter,
                title: self.title,
                topic: Vec::new(),
                contributors: self.contributors,
            },
            skip_invalid: self.skip_invalid,
        };
        let exported = export::export(store, &request).map_err(relative_problems)?;
        exported.notices.iter().for_each(|text| notice(text));
        exported.warnings.iter().for_each(|text| warning(text));
        match &self.output {
            Some(path) => {
                write_atomic(path, exported.text.as_bytes(), WriteMode::Replace)?;
                anstream::eprintln!("wrote {}", path.display());
            }
            None => io::stdout().lock().write_all(exported.text.as_bytes())?,
        }
        warn_skipped(&exported.skipped);
        Ok(ExitCode::SUCCESS)
    }
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
