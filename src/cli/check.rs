//! `tn check`: validate every note; each problem as `path:line:column: message` and its hint.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{relative, warning};
use crate::concepts::user::Veto;
use crate::concepts::{NothingLearned, Shipped, idle_vetoes};
use crate::display::escape;
use crate::error::NoteError;
use crate::search::Engine;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let checked = store.check()?;
        let mut problems = checked.problems;
        // Notes that read but hold something that looks wrong (a tool's url that is no
        // address): warned about, since every command can still use them.
        let mut warnings: Vec<NoteError> = checked.warnings;
        let (files, _) = store.list_files()?;
        // The user's concepts file, beside the event directories.
        match crate::concepts::user::load(store) {
            Err(concepts) => problems.extend(concepts),
            Ok(Some(mut user)) => {
                warnings.extend(user.warnings.iter().cloned());
                // Learned pairs live in the index: read from it as it is when there is one,
                // so a veto of one is not taken for a mistake. A check never writes: the
                // index is neither built nor brought up to date for this.
                let (vetoes, learned) = match Engine::open_as_is(store) {
                    Ok(Some(engine)) => (engine.idle_vetoes(&mut user), LearnedPairs::Known),
                    Ok(None) => (
                        idle_vetoes(Shipped::get(), &mut user, &NothingLearned),
                        LearnedPairs::NoIndex,
                    ),
                    Err(e) => (
                        idle_vetoes(Shipped::get(), &mut user, &NothingLearned),
                        LearnedPairs::Unreadable(e.to_string()),
                    ),
                };
                for veto in vetoes {
                    warnings.push(
                        NoteError::new(&user.path, idle_message(&veto, &learned))
                            .at(veto.position()),
                    );
                }
            }
            Ok(None) => {}
        }
        // Warnings, not problems: the file is valid. In the file's order, as it is read.
        warnings.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        for found in &warnings {
            warning(&relative(found).to_string());
            if let Some(hint) = &found.hint {
                anstream::eprintln!("  hint: {}", crate::display::line(hint));
            }
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

/// Whether `tn check` could see the pairs learned from the notes.
enum LearnedPairs {
    Known,
    /// No search index yet: nothing has been learned from the notes so far.
    NoIndex,
    /// The index could not be opened (why).
    Unreadable(String),
}

/// The warning for a veto that hides nothing tn knows of, in the words of its kind. Without
/// the learned pairs it may still hide one of those, so it says what was left out instead of
/// calling the veto wrong (a veto within a concept is not about learned pairs).
fn idle_message(veto: &Veto, learned: &LearnedPairs) -> String {
    let sources = "the glossary, the loanword table or this file";
    let (what, learned_too) = match veto {
        Veto::Term {
            term,
            concept: Some(id),
            ..
        } => {
            return format!(
                "this veto hides nothing: `{term}` is not a spelling of concept `{id}`; check the spelling and the id (`tn concepts {term}` shows the concepts it names)"
            );
        }
        Veto::Term { term, .. } => (
            format!("`{term}` is a spelling of no concept of {sources}"),
            "nor of a pair learned from your notes",
        ),
        Veto::Pair { .. } => (
            format!("no concept of {sources} has these spellings together"),
            "nor does a pair learned from your notes",
        ),
    };
    match learned {
        LearnedPairs::Known => format!(
            "this veto hides nothing: {what}, {learned_too} (as of the last search); check the spelling"
        ),
        LearnedPairs::NoIndex => format!(
            "this veto hides nothing known so far: {what}; pairs learned from your notes are not known until the search index is built (any `tn search` builds it), so if it is for one of those, run `tn check` again then"
        ),
        LearnedPairs::Unreadable(why) => format!(
            "this veto hides nothing known so far: {what}; pairs learned from your notes could not be read ({why}; any `tn search` rebuilds the index), so it may still be for one of those"
        ),
    }
}
