//! `tn jot TEXT` and `tn jot -`: append takeaways to the current talk, stamped with the time.

use std::borrow::Cow;
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::Target;
use super::output::warning;
use crate::capture::{self, Jotted, LineJotter};
use crate::display::line;
use crate::note::ClockTime;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The takeaway; `-` reads one takeaway per line from standard input.
    #[arg(required = true, value_name = "TEXT")]
    text: Vec<String>,
    #[command(flatten)]
    target: Target,
    /// Stamp with this time (H:MM or HH:MM, 24-hour) instead of now.
    #[arg(long, value_name = "H:MM", value_parser = ClockTime::parse_typed)]
    at: Option<ClockTime>,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.target.resolve(store)?;
        let at = || self.at.unwrap_or_else(capture::now);
        if self.text.len() == 1 && self.text[0] == "-" {
            return jot_lines(LineJotter::new(store, id), &mut io::stdin().lock(), at);
        }
        match capture::jot(store, &id, &self.text.join(" "), at())? {
            Some(talk) => anstream::eprintln!("{id}: {} takeaway(s)", talk.takeaways.len()),
            None => bail!("nothing to jot: the text is empty"),
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `tn jot -`: one takeaway per line, each saved before the next is read, so a crash or
/// Ctrl-C loses nothing already entered. Input is read to its end whatever happens: a line
/// typed after a failed save must never reach the shell (it would run as a command), and
/// one piped must not be dropped. A line that cannot be saved is held and said so at once;
/// at the end every line not saved is listed and kept in a file, and the exit code is 1.
fn jot_lines(
    mut jotter: LineJotter,
    input: &mut impl BufRead,
    at: impl Fn() -> ClockTime,
) -> Result<ExitCode> {
    let id = jotter.id().clone();
    let mut number = 0usize;
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        match input.read_until(b'\n', &mut bytes) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Nothing more can be read; what was read is saved or reported below.
                warning(&format!(
                    "cannot read standard input after line {number}: {e}"
                ));
                break;
            }
        }
        number += 1;
        let text = String::from_utf8_lossy(&bytes);
        if let Cow::Owned(_) = text {
            warning(&format!(
                "line {number} is not valid UTF-8: its invalid bytes are kept as �"
            ));
        }
        match jotter.line(&text, at()) {
            Jotted::Blank => {}
            Jotted::Saved { held: 0 } => {}
            Jotted::Saved { held } => {
                anstream::eprintln!("saved the {held} held line(s) to {id}; nothing is lost");
            }
            Jotted::Held {
                error,
                held,
                recovery,
            } => {
                warning(&format!("could not save line {number} to {id}: {error}"));
                if let Some(hint) = error.hint() {
                    anstream::eprintln!("  hint: {}", line(&hint));
                }
                let kept = match &recovery {
                    Ok(path) => format!("in memory and in {}", path.display()),
                    Err(why) => format!("in memory only (no recovery file: {why})"),
                };
                warning(&format!(
                    "holding {held} unsaved line(s) {kept}; each new line tries to save them again"
                ));
            }
        }
    }
    let summary = jotter.finish();
    if summary.unsaved.is_empty() {
        anstream::eprintln!("saved {} takeaway(s) to {id}", summary.saved);
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = anstream::stderr().lock();
    let total = summary.saved + summary.unsaved.len();
    let why = summary
        .error
        .as_ref()
        .map(|e| format!(": {e}"))
        .unwrap_or_default();
    writeln!(
        err,
        "error: {} of {total} line(s) could not be saved to {id}{}",
        summary.unsaved.len(),
        line(&why)
    )?;
    if let Some(hint) = summary.error.as_ref().and_then(|e| e.hint()) {
        writeln!(err, "  hint: {}", line(&hint))?;
    }
    match &summary.recovery {
        Some(Ok(path)) => writeln!(
            err,
            "not saved (kept in {path}; add them once the note can be saved: tn jot --talk {id} - < {path}):",
            path = path.display()
        )?,
        Some(Err(why)) => writeln!(
            err,
            "not saved (and no recovery file could be written: {}; copy them from here):",
            line(why)
        )?,
        None => writeln!(err, "not saved:")?,
    }
    for takeaway in &summary.unsaved {
        let at = takeaway.at.map(|t| t.to_string()).unwrap_or_default();
        writeln!(err, "  {at}  {}", line(&takeaway.text))?;
    }
    Ok(ExitCode::FAILURE)
}
