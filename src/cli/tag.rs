//! `tn tag TAG…`: add tags to the talk.

use std::process::ExitCode;

use anyhow::Result;

use super::Target;
use crate::capture;
use crate::display::line;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(required = true)]
    tags: Vec<String>,
    #[command(flatten)]
    target: Target,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.target.resolve(store)?;
        let talk = capture::add_tags(store, &id, &self.tags)?;
        anstream::eprintln!("{id} tags: {}", line(&talk.tags.join(", ")));
        Ok(ExitCode::SUCCESS)
    }
}
