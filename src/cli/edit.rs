//! `tn edit ID`: edit a note in `$EDITOR`; the result is validated before it is saved.

use std::process::ExitCode;

use anyhow::Result;

use crate::editor;
use crate::store::{NoteKey, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id: NoteKey = super::note_key(store, &self.id, "tn edit ")?;
        editor::edit_note(store, &id)?;
        Ok(ExitCode::SUCCESS)
    }
}
