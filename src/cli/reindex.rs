//! `tn reindex`: rebuild the search index from the notes.

use std::process::ExitCode;

use anyhow::Result;

use super::output::warn_unreadable;
use crate::search::Engine;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let (engine, report) = Engine::reindex(store)?;
        anstream::eprintln!("search index rebuilt: {} talks indexed", report.indexed);
        warn_unreadable(engine.unreadable()?);
        Ok(ExitCode::SUCCESS)
    }
}
