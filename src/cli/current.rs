//! `tn current [ID]`: print the current talk, or make ID the current talk (or event).

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::display::line;
use crate::error::Error;
use crate::store::{NoteKey, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    id: Option<String>,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        match self.id {
            Some(id) => {
                let key: NoteKey = super::note_key(store, &id, "tn current ")?;
                store.set_current(&key)?;
                anstream::eprintln!("current {}: {key}", key.what());
            }
            None => match store.current_key()? {
                Some(NoteKey::Talk(id)) => {
                    let talk = store.read_talk(&id)?.value;
                    writeln!(io::stdout().lock(), "{id}\t{}", line(&talk.title))?;
                }
                Some(NoteKey::Event(id)) => {
                    writeln!(io::stdout().lock(), "{id}\t(event; no current talk yet)")?;
                }
                None => return Err(Error::NoCurrentTalk.into()),
            },
        }
        Ok(ExitCode::SUCCESS)
    }
}
