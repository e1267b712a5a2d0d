//! `tn reindex`: rebuild the search index from the notes.

use std::process::ExitCode;

use anyhow::Result;

use crate::search::Engine;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let (_, report) = Engine::reindex(store)?;
        anstream::eprintln!("search index rebuilt: {} talks indexed", report.indexed);
        Ok(ExitCode::SUCCESS)
    }
}
