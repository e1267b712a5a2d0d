//! `tn import FILE`: merge interchange JSON, a schedule or a recap into the knowledge base,
//! and report what changed (or, with `--dry-run`, what would).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::import::{self, Action, Plan};
use crate::note::Slug;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Interchange JSON (`tn export --format json`), a frab/pretalx `schedule.json`, a
    /// Sessionize "All" export, or a Markdown recap (`tn export --format md`).
    file: PathBuf,
    /// The event a schedule goes into (default: the schedule's own acronym or title; for
    /// Sessionize, which names no event, the current event).
    #[arg(long, value_name = "EVENT-ID")]
    event: Option<Slug>,
    /// Overwrite existing notes that differ (otherwise they are reported and left alone).
    #[arg(long)]
    update: bool,
    /// Show what would change without writing anything.
    #[arg(long)]
    dry_run: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let bytes = std::fs::read(&self.file)
            .with_context(|| format!("cannot read {}", self.file.display()))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            anyhow::anyhow!(
                "{}: not valid UTF-8 (byte {})",
                self.file.display(),
                e.valid_up_to()
            )
        })?;
        let options = import::Options {
            event: self.event.clone(),
            update: self.update,
        };
        let plan = import::prepare(store, &self.file, text, &options)?;
        if !self.dry_run {
            import::apply(store, &plan)?;
        }
        report(&plan, self.dry_run)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// Each note the import changed (or would change), then the counts.
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
            Action::Update { fields } if fields.is_empty() => writeln!(out, "{update} {key}")?,
            Action::Update { fields } => writeln!(out, "{update} {key} ({})", fields.join(", "))?,
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
