//! `tn check`: validate every note; each problem as `path:line:column: message` and its hint.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::relative;
use crate::display::escape;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let mut problems = store.check()?;
        let (files, _) = store.list_files()?;
        // The user's concepts file, beside the event directories.
        if let Err(concepts) = crate::concepts::user::load(store) {
            problems.extend(concepts);
        }
        let mut out = anstream::stdout().lock();
        for problem in &problems {
            writeln!(out, "{}", escape(&relative(problem).with_hint_line(), true))?;
        }
        if problems.is_empty() {
            anstream::eprintln!("{} notes checked, no problems", files.len());
            Ok(ExitCode::SUCCESS)
        } else {
            anstream::eprintln!(
                "{} problem(s) in {} notes checked",
                problems.len(),
                files.len()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
