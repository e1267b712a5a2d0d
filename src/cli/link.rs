//! `tn link URL [TITLE]`: add a link (slides, video, related article) to the talk.

use std::process::ExitCode;

use anyhow::Result;

use super::Target;
use crate::capture;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    url: String,
    title: Option<String>,
    #[command(flatten)]
    target: Target,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.target.resolve(store)?;
        capture::add_link(store, &id, &self.url, self.title)?;
        anstream::eprintln!("added link to {id}");
        Ok(ExitCode::SUCCESS)
    }
}
