//! `tn now`: the talks in progress or starting soon; `--pick` makes the earliest current.

use std::process::ExitCode;

use anyhow::Result;

use super::output::{warn_skipped, write_table};
use crate::display::line;
use crate::error::Error;
use crate::now::{self, Moment, SOON_MINUTES};
use crate::store::{NoteKey, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only talks in this room (matched against the talk's track).
    #[arg(long)]
    room: Option<String>,
    /// Look at this moment instead of now.
    #[arg(long, value_name = "YYYY-MM-DD H:MM")]
    at: Option<Moment>,
    /// Make the earliest listed talk the current talk, so `tn jot` goes to it.
    #[arg(long)]
    pick: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let at = self.at.unwrap_or_else(Moment::now);
        let scan = store.scan()?;
        let on_now = now::on_now(&scan, at, self.room.as_deref());
        let rows: Vec<Vec<String>> = on_now
            .iter()
            .map(|o| {
                vec![
                    o.id.to_string(),
                    o.status.to_string(),
                    o.time_range(),
                    line(o.talk.track.as_deref().unwrap_or("")).into_owned(),
                    line(&o.talk.title).into_owned(),
                ]
            })
            .collect();
        write_table(&mut anstream::stdout().lock(), &rows)?;
        warn_skipped(&scan.problems);
        let Some(picked) = now::pick(&on_now) else {
            let room = self
                .room
                .as_deref()
                .map(|r| format!(" in room {}", line(r)))
                .unwrap_or_default();
            let message = format!(
                "no talks in progress or starting within {SOON_MINUTES} minutes at {at}{room}"
            );
            if self.pick {
                return Err(Error::input(
                    message,
                    "pass --at \"YYYY-MM-DD HH:MM\" or --room, or pick with `tn current EVENT/TALK`",
                )
                .into());
            }
            anstream::eprintln!("{message}");
            return Ok(ExitCode::SUCCESS);
        };
        if self.pick {
            store.set_current(&NoteKey::Talk(picked.id.clone()))?;
            anstream::eprintln!(
                "current talk: {}  {} ({})",
                picked.id,
                line(&picked.talk.title),
                picked.status
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}
