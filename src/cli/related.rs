//! `tn related EVENT/TALK`: talks similar to one talk.

use std::process::ExitCode;

use anyhow::Result;

use super::output::{open_engine, write_hits};
use super::{not_found_talk, parse_talk_ref};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long)]
    json: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = parse_talk_ref(&self.id)?;
        let mut engine = open_engine(store)?;
        match engine.related(&id, self.limit)? {
            Some(results) => {
                write_hits(&results, self.json)?;
                Ok(ExitCode::SUCCESS)
            }
            None => {
                // Not a valid talk in the index: say why in the note's own words if its file
                // exists but does not parse.
                store.read_talk(&id)?;
                Err(not_found_talk(&id).into())
            }
        }
    }
}
