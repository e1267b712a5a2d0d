//! `tn jot TEXT` and `tn jot -`: append takeaways to the current talk, stamped with the time.

use std::io::{self, BufRead};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::Target;
use crate::capture;
use crate::note::ClockTime;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The takeaway; `-` reads one takeaway per line from standard input.
    #[arg(required = true, value_name = "TEXT")]
    text: Vec<String>,
    #[command(flatten)]
    target: Target,
    /// Stamp with this time (HH:MM) instead of now.
    #[arg(long, value_name = "HH:MM")]
    at: Option<ClockTime>,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.target.resolve(store)?;
        let at = || self.at.unwrap_or_else(capture::now);
        if self.text.len() == 1 && self.text[0] == "-" {
            // One takeaway per line, each saved before the next is read, so a crash or Ctrl-C
            // loses nothing already entered.
            let mut saved = 0usize;
            for input in io::stdin().lock().lines() {
                let input = input.context("cannot read standard input")?;
                if capture::jot(store, &id, &input, at())?.is_some() {
                    saved += 1;
                }
            }
            anstream::eprintln!("saved {saved} takeaway(s) to {id}");
        } else {
            match capture::jot(store, &id, &self.text.join(" "), at())? {
                Some(talk) => anstream::eprintln!("{id}: {} takeaway(s)", talk.takeaways.len()),
                None => bail!("nothing to jot: the text is empty"),
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
