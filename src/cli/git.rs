//! `tn git setup`: tell git to merge notes with `tn merge-driver` (see [`crate::sync`]).

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::store::Store;
use crate::sync::{self, SetupReport};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Mark notes for the talknotes merge driver (.gitattributes) and name the driver in this
    /// repository's git config. Idempotent.
    Setup,
}

impl Command {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        match self {
            Command::Setup => {
                write_setup(&sync::setup(store)?)?;
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// What a setup changed, a line each (`tn git setup`, `tn init --git`).
pub fn write_setup(report: &SetupReport) -> io::Result<()> {
    let mut err = anstream::stderr().lock();
    if report.created_repository {
        writeln!(err, "created a git repository")?;
    }
    if report.attributes {
        writeln!(err, "wrote .gitattributes: {}", sync::ATTRIBUTES_LINE)?;
    }
    if report.ignore {
        writeln!(err, "added /index/ to .gitignore")?;
    }
    if report.driver {
        writeln!(
            err,
            "named the merge driver in this repository's git config: merge.{}.driver",
            sync::DRIVER
        )?;
    }
    if !report.changed() {
        writeln!(
            err,
            "already set up: git merges notes with `tn merge-driver`"
        )?;
    }
    Ok(())
}
