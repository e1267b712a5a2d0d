//! `tn related EVENT/TALK`: talks similar to one talk.

use std::process::ExitCode;

use anyhow::Result;

use super::output::{open_engine, write_hits};
use super::{not_found_talk, talk_ref};
use crate::store::Store;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exits with 1 when no other talk shares a word with it (or the talk does not exist)."
)]
pub struct Args {
    /// EVENT/TALK
    id: String,
    /// Most talks to show.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print a JSON array in rank order.
    #[arg(long)]
    json: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let id = talk_ref(store, &self.id, "tn related ")?;
        let mut engine = open_engine(store)?;
        match engine.related(&id, self.limit)? {
            Some(results) => {
                write_hits(&results, self.json)?;
                if !results.hits.is_empty() {
                    return Ok(ExitCode::SUCCESS);
                }
                // Like a lookup that finds nothing (`tn speakers NAME`): said, and exit 1.
                anstream::eprintln!("no other talk shares words with {id}");
                Ok(ExitCode::FAILURE)
            }
            None => {
                // Not a valid talk in the index: say why in the note's own words if its file
                // exists but does not parse.
                store.read_talk(&id)?;
                Err(not_found_talk(store, &id, "tn related ").into())
            }
        }
    }
}
