//! `tn event new ID --name …`: create an event, which becomes where new talks go.

use std::process::ExitCode;

use anyhow::Result;

use super::output::rel;
use crate::capture::{self, NewEvent};
use crate::note::{Date, EventKind, Slug, ZoneName};
use crate::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create an event.
    New(NewArgs),
}

impl Command {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        match self {
            Command::New(args) => args.run(store),
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Event id, e.g. kubecon-na-2022.
    id: Slug,
    /// Display name, e.g. "KubeCon + CloudNativeCon North America 2022".
    #[arg(long)]
    name: String,
    #[arg(long, value_enum)]
    kind: Option<EventKind>,
    /// First day (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<Date>,
    /// Last day, when the event spans several days.
    #[arg(long, value_name = "YYYY-MM-DD")]
    end_date: Option<Date>,
    #[arg(long)]
    location: Option<String>,
    /// The zone of its talks' times, e.g. Asia/Tokyo (default: this computer's).
    #[arg(long, value_name = "ZONE")]
    timezone: Option<ZoneName>,
    #[arg(long)]
    url: Option<String>,
    #[arg(long)]
    hashtag: Option<String>,
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

impl NewArgs {
    fn run(self, store: &Store) -> Result<ExitCode> {
        let id = self.id.clone();
        let path = capture::new_event(
            store,
            NewEvent {
                id: self.id,
                name: self.name,
                kind: self.kind,
                starts_on: self.date,
                ends_on: self.end_date,
                location: self.location,
                timezone: self.timezone,
                url: self.url,
                hashtag: self.hashtag,
                tags: self.tags,
            },
        )?;
        anstream::eprintln!(
            "created event {id} ({}); new talks go to it by default",
            rel(&path).display()
        );
        Ok(ExitCode::SUCCESS)
    }
}
