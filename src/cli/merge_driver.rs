//! `tn merge-driver %O %A %B %P`: git's merge driver for notes (set up by `tn git setup`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::display::{escape, line};
use crate::sync::{self, DriverOutcome};

/// git's merge driver protocol: `tn merge-driver %O %A %B %P`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The common ancestor's version (%O).
    base: PathBuf,
    /// Our version (%A); the result is written here.
    ours: PathBuf,
    /// Their version (%B).
    theirs: PathBuf,
    /// The note's path in the repository (%P): says whether it is a talk or an event.
    path: PathBuf,
}

impl Args {
    /// Exit 0 when the note was merged into %A, 1 when git's own conflict is left there.
    pub fn run(self) -> Result<ExitCode> {
        let path = self.path.display().to_string();
        match sync::merge_driver(&self.base, &self.ours, &self.theirs, &self.path) {
            Ok(DriverOutcome::Merged(report)) => {
                if !report.conflicts.is_empty() {
                    anstream::eprintln!(
                        "tn: merged {}; {} value(s) changed on both sides are kept in its `conflicts` (see `tn check`)",
                        line(&path),
                        report.conflicts.len()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Ok(DriverOutcome::ConceptsMerged) => Ok(ExitCode::SUCCESS),
            Ok(DriverOutcome::TextMerged) => {
                anstream::eprintln!(
                    "tn: {} has comments, so git's line merge (clean) was kept",
                    line(&path)
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(refused) => {
                anstream::eprintln!("tn merge-driver: {}", escape(&refused.reason, true));
                if let Some(hint) = &refused.hint {
                    anstream::eprintln!("  hint: {}", escape(hint, true));
                }
                anstream::eprintln!(
                    "tn merge-driver: {} is left to git's own merge",
                    line(&path)
                );
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
