//! `tn sync`: commit the changed notes, pull (merging notes by meaning), push.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{WARN, relative};
use crate::display::{escape, line};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let report = crate::sync::sync(store)?;
        let mut err = anstream::stderr().lock();
        if report.setup.driver {
            writeln!(err, "set up the talknotes merge driver in this clone")?;
        }
        match &report.message {
            Some(message) => writeln!(err, "committed: {}", line(message))?,
            None => writeln!(err, "no note changed since the last commit")?,
        }
        let commits = |n: usize| if n == 1 { "commit" } else { "commits" };
        writeln!(
            err,
            "synced with {}: pulled {} {}, pushed {} {}",
            line(&report.upstream),
            report.pulled,
            commits(report.pulled),
            report.pushed,
            commits(report.pushed)
        )?;
        for problem in &report.problems {
            writeln!(
                err,
                "{WARN}warning{WARN:#}: {}",
                escape(&relative(problem).to_string(), true)
            )?;
        }
        if !report.problems.is_empty() {
            writeln!(
                err,
                "{WARN}warning{WARN:#}: {} problem(s) in the synced notes; resolve them with `tn edit` (`tn check` lists them)",
                report.problems.len()
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
