//! `tn link URL [TITLE]`: add a link (slides, video, related article) to the talk.

use std::process::ExitCode;

use anyhow::Result;

use super::Target;
use crate::capture;
use crate::note::LinkKind;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    url: String,
    title: Option<String>,
    /// What the link is; by default slides or video when the URL tells (Speaker Deck,
    /// YouTube, a PDF, ...).
    #[arg(long, value_enum)]
    kind: Option<LinkKind>,
    #[command(flatten)]
    target: Target,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.target.resolve(store)?;
        let kind = self.kind.or_else(|| LinkKind::guess(&self.url));
        capture::add_typed_link(store, &id, &self.url, self.title, kind)?;
        anstream::eprintln!("added link to {id}");
        Ok(ExitCode::SUCCESS)
    }
}
