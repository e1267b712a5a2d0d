//! `tn concepts [WORD]`: the equivalences concept search uses, and where each comes from.
//!
//! With a word: what a search for it matches besides itself, exactly as `tn search` expands
//! it now (the glossary, the loanword table, pairs learned from the notes, the user's
//! `notes/concepts.ron`, vetoes applied). Without: every concept of the glossary and the
//! user's file, the learned pairs and the vetoes; `--loanwords` adds UniDic's pairs.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{
    BOLD, DIM, open_engine, print_json, rel, terminal_width, unused_concepts, warning,
    write_expansion,
};
use crate::concepts::learn::MIN_TALKS;
use crate::concepts::{Hidden, Source, shipped_counts, user};
use crate::display::{self, line};
use crate::store::Store;

/// Where the user's own equivalences and vetoes go, with a file that says each kind once
/// (the tests parse it, so it stays a valid file).
const AFTER_HELP: &str = "Your own concepts and vetoes go in notes/concepts.ron; `tn check` \
validates it and the next search honours it (the README has every kind):

    Concepts(
        schema: 1,
        concepts: [
            Concept(terms: [\"内製\", \"in-house development\"]),
            Concept(id: \"kubernetes\", terms: [\"キューベ\"]),
        ],
        vetoes: [
            Veto(term: \"Lambda\"),
            Veto(term: \"ランチャー\", concept: \"rancher\"),
            Veto(pair: (\"container\", \"コンテナ\")),
        ],
    )";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A word or phrase: what a search for it also matches.
    word: Vec<String>,
    /// Also list the loanword pairs (thousands of them).
    #[arg(long)]
    loanwords: bool,
    /// Print JSON (`Expansion` for a word, with the spellings vetoes hide, else
    /// `Equivalences`; see `tn schema`).
    #[arg(long)]
    json: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let mut engine = open_engine(store)?;
        if !self.word.is_empty() {
            let word = self.word.join(" ");
            let (mut expansion, problems) = engine.describe(&word);
            warn_problems(&problems);
            for hidden in &mut expansion.hidden {
                hidden.path = rel(&hidden.path);
            }
            if self.json {
                print_json(&expansion)?;
                return Ok(ExitCode::SUCCESS);
            }
            let mut out = anstream::stdout().lock();
            if expansion.others().next().is_some() {
                write_expansion(&mut out, &word, &expansion)?;
            } else {
                writeln!(
                    out,
                    "{BOLD}{}{BOLD:#}  {DIM}no known concept: a search matches it as typed{DIM:#}",
                    line(&word)
                )?;
            }
            if !expansion.hidden.is_empty() {
                writeln!(out, "{BOLD}hidden by your vetoes{BOLD:#}")?;
                // One row per veto, with every spelling it hides.
                let mut by_veto: Vec<(&Hidden, Vec<&str>)> = Vec::new();
                for hidden in &expansion.hidden {
                    match by_veto.iter_mut().find(|(h, _)| h.veto == hidden.veto) {
                        Some((_, spellings)) => spellings.push(&hidden.spelling),
                        None => by_veto.push((hidden, vec![&hidden.spelling])),
                    }
                }
                let rows: Vec<Vec<String>> = by_veto
                    .iter()
                    .map(|(hidden, spellings)| {
                        let path = hidden.path.display().to_string();
                        vec![
                            format!("  {}", line(&spellings.join(" · "))),
                            line(&veto_text(&hidden.veto, &path)).into_owned(),
                        ]
                    })
                    .collect();
                for row in display::table(&rows, terminal_width()) {
                    writeln!(out, "{}", row.trim_end())?;
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        let all = engine.equivalences(self.loanwords)?;
        warn_problems(&all.problems);
        if self.json {
            print_json(&all)?;
            return Ok(ExitCode::SUCCESS);
        }
        let mut out = anstream::stdout().lock();
        let rows: Vec<Vec<String>> = all
            .concepts
            .iter()
            .map(|c| {
                let spellings: Vec<&str> =
                    c.spellings.iter().map(|s| s.term.text.as_str()).collect();
                let mut sources: Vec<Source> = c.spellings.iter().map(|s| s.source).collect();
                sources.sort();
                sources.dedup();
                let sources: Vec<String> = sources
                    .iter()
                    .map(|s| format!("{s:?}").to_lowercase())
                    .collect();
                vec![
                    line(&c.id).into_owned(),
                    line(&spellings.join(" · ")).into_owned(),
                    sources.join(","),
                ]
            })
            .collect();
        for row in display::table(&rows, terminal_width()) {
            writeln!(out, "{}", row.trim_end())?;
        }
        writeln!(
            out,
            "\n{BOLD}learned from your notes{BOLD:#} {DIM}(written side by side in {MIN_TALKS} talks or more){DIM:#}"
        )?;
        if all.learned.is_empty() {
            writeln!(out, "  {DIM}none yet{DIM:#}")?;
        }
        for pair in &all.learned {
            writeln!(
                out,
                "  {} = {}  {DIM}{} talks{DIM:#}",
                line(&pair.a),
                line(&pair.b),
                pair.talks
            )?;
        }
        let path = relative_path(store);
        writeln!(out, "\n{BOLD}vetoes{BOLD:#} {DIM}({path}){DIM:#}")?;
        if all.vetoes.is_empty() {
            writeln!(out, "  {DIM}none{DIM:#}")?;
        }
        for veto in &all.vetoes {
            writeln!(out, "  {}", line(&veto_text(veto, &path)))?;
        }
        let counts = shipped_counts();
        if !self.loanwords {
            writeln!(
                out,
                "\n{DIM}{} glossary concepts listed; {} loanword concepts from UniDic are not (`--loanwords`, or `tn concepts WORD`){DIM:#}",
                counts.get("glossary concepts").copied().unwrap_or(0),
                counts.get("loanword concepts").copied().unwrap_or(0)
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// A veto for people, with the line of the user's file that says it.
fn veto_text(veto: &user::Veto, path: &str) -> String {
    match veto {
        user::Veto::Term {
            term,
            concept: Some(id),
            line: at,
            ..
        } => format!("{term} is not a spelling of {id}  ({path}:{at})"),
        user::Veto::Term { term, line: at, .. } => {
            format!("{term} is no concept's spelling  ({path}:{at})")
        }
        user::Veto::Pair { pair, line: at, .. } => format!(
            "{} and {} do not expand to each other  ({path}:{at})",
            pair.0, pair.1
        ),
    }
}

fn relative_path(store: &Store) -> String {
    super::output::rel(&user::path(store)).display().to_string()
}

/// The user's file could not be used: say so (every problem is in `tn check`).
fn warn_problems(problems: &[crate::error::NoteError]) {
    if let Some(first) = problems.first() {
        warning(&unused_concepts(first));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::AFTER_HELP;
    use crate::concepts::{Shipped, user};

    /// The help's example of `notes/concepts.ron` is a valid file (a new user copies it).
    #[test]
    fn the_helps_concepts_file_parses() {
        let start = AFTER_HELP.find("Concepts(").expect("an example");
        let file = AFTER_HELP[start..].to_owned();
        let parsed = user::parse(Path::new("notes/concepts.ron"), &file, Shipped::get());
        assert!(parsed.is_ok(), "{:?}", parsed.err());
    }
}
