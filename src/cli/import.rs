//! `tn import FILE|URL…`: merge interchange JSON, a schedule (file or URL) or a recap into the
//! knowledge base, and report what changed per note (or, with `--dry-run`, what would).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use super::output::warning;
use crate::display::line;
use crate::import::fetch::{self, FetchOptions};
use crate::import::{self, Action, Input, Plan};
use crate::note::{Slug, ZoneName};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or http(s) URLs: interchange JSON (`tn export --format json`), a frab/pretalx
    /// `schedule.json`, a Sessionize "All" export, a Sched iCalendar feed (`all.ics`; a
    /// Sched site's URL means its feed), Dreamkast API responses (talks, with speakers,
    /// events and tracks beside them; a talks URL brings the others), or a Markdown recap.
    #[arg(required = true, value_name = "FILE|URL")]
    inputs: Vec<String>,
    /// The event a schedule goes into (default: the schedule's own acronym or title; for
    /// Sessionize, which names no event, the current event).
    #[arg(long, value_name = "EVENT-ID")]
    event: Option<Slug>,
    /// The event's time zone, for a feed whose times are instants and that names no zone
    /// (default: the feed's own, else this computer's).
    #[arg(long, value_name = "ZONE")]
    timezone: Option<ZoneName>,
    /// Overwrite existing notes that differ (otherwise they are reported and left alone).
    #[arg(long)]
    update: bool,
    /// Show what would change without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Give up on a URL after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let (urls, files): (Vec<&String>, Vec<&String>) =
            self.inputs.iter().partition(|i| fetch::is_url(i));
        let mut inputs = Vec::new();
        for file in files {
            let path = PathBuf::from(file);
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            inputs.push(Input::file(&path, bytes));
        }
        if !urls.is_empty() {
            let urls: Vec<String> = urls.into_iter().cloned().collect();
            let options = FetchOptions {
                timeout: Duration::from_secs(self.timeout.max(1)),
            };
            let (fetched, warnings) = fetch::fetch_all(&urls, &options)?;
            for text in &warnings {
                warning(text);
            }
            inputs.extend(fetched);
        }
        let options = import::Options {
            event: self.event.clone(),
            update: self.update,
            timezone: self.timezone.clone(),
        };
        let plan = import::prepare(store, &inputs, &options)?;
        for text in &plan.warnings {
            warning(text);
        }
        if !self.dry_run {
            import::apply(store, &plan)?;
        }
        report(&plan, self.dry_run)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Each note the import changed (or would change) and how, then the counts.
fn report(plan: &Plan, dry_run: bool) -> Result<()> {
    let (create, update) = if dry_run {
        ("would create", "would update")
    } else {
        ("created", "updated")
    };
    let mut out = anstream::stdout().lock();
    for change in &plan.changes {
        let key = &change.key;
        match &change.action {
            Action::Create => writeln!(out, "{create} {key}")?,
            Action::Update { changes, .. } if changes.is_empty() => {
                writeln!(out, "{update} {key}")?
            }
            Action::Update { changes, .. } => {
                writeln!(out, "{update} {key} ({})", line(&changes.join(", ")))?
            }
            Action::Skipped => writeln!(
                out,
                "skipped {key} (exists and differs; use --update to overwrite)"
            )?,
            Action::Unchanged => {}
        }
    }
    drop(out);
    anstream::eprintln!(
        "{} created, {} updated, {} unchanged, {} skipped{}",
        plan.count(|a| matches!(a, Action::Create)),
        plan.count(|a| matches!(a, Action::Update { .. })),
        plan.count(|a| matches!(a, Action::Unchanged)),
        plan.count(|a| matches!(a, Action::Skipped)),
        if dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        }
    );
    Ok(())
}
