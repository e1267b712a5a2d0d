//! `tn tool NAME [URL]`: add a tool the talk mentions.

use std::process::ExitCode;

use anyhow::Result;

use super::Target;
use crate::capture;
use crate::display::line;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    name: String,
    url: Option<String>,
    #[command(flatten)]
    target: Target,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.target.resolve(store)?;
        capture::add_tool(store, &id, &self.name, self.url)?;
        anstream::eprintln!("added tool {} to {id}", line(&self.name));
        Ok(ExitCode::SUCCESS)
    }
}
