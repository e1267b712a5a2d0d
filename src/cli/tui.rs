//! `tn tui` (and `tn` alone on a terminal): the terminal UI.

use std::process::ExitCode;

use anyhow::Result;

use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        crate::tui::run(store.clone())?;
        Ok(ExitCode::SUCCESS)
    }
}
