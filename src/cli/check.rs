//! `tn check`: validate every note; each problem as `path:line:column: message` and its hint.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{relative, warning};
use crate::display::escape;
use crate::error::NoteError;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let mut problems = store.check()?;
        let (files, _) = store.list_files()?;
        // The user's concepts file, beside the event directories.
        let mut idle = Vec::new();
        match crate::concepts::user::load(store) {
            Err(concepts) => problems.extend(concepts),
            Ok(Some(mut user)) => {
                for veto in crate::concepts::idle_vetoes(crate::concepts::Shipped::get(), &mut user)
                {
                    idle.push(
                        NoteError::new(&user.path, "this veto hides nothing: no concept of the glossary, the loanword table or this file has these spellings together; check the spelling (pairs learned from your notes are not known here: `tn concepts WORD` shows them)")
                            .at(veto.position()),
                    );
                }
            }
            Ok(None) => {}
        }
        // Warnings, not problems: the file is valid, and a veto of a learned pair is not idle.
        for veto in &idle {
            warning(&relative(veto).to_string());
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
