//! `tn new TITLE`: create a talk note, make it the current talk, open it in `$EDITOR`.

use std::process::ExitCode;

use anyhow::Result;

use crate::capture::{self, NewTalk};
use crate::editor;
use crate::note::{ClockTime, Date, Slug, Speaker, TalkKind};
use crate::store::{NoteKey, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The talk's title.
    title: String,
    /// Event id; defaults to the current talk's event.
    #[arg(long)]
    event: Option<Slug>,
    /// Talk id; derived from the title when omitted (Japanese titles are romanised).
    #[arg(long)]
    id: Option<Slug>,
    #[arg(long)]
    url: Option<String>,
    /// "Name (Affiliation)" or "Name (Affiliation / Role)"; repeat for several speakers.
    #[arg(long = "speaker", value_name = "NAME (AFFILIATION / ROLE)")]
    speakers: Vec<String>,
    #[arg(long, value_enum)]
    kind: Option<TalkKind>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<Date>,
    #[arg(long, value_name = "H:MM", value_parser = ClockTime::parse_typed)]
    start: Option<ClockTime>,
    #[arg(long, value_name = "H:MM", value_parser = ClockTime::parse_typed)]
    end: Option<ClockTime>,
    #[arg(long)]
    track: Option<String>,
    /// The language the talk is given in (ja, en, …); guessed from the title when omitted
    /// (Japanese script: ja; Latin letters: en).
    #[arg(long = "lang", value_name = "CODE")]
    language: Option<String>,
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Do not open $EDITOR.
    #[arg(long)]
    no_edit: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let spec = NewTalk {
            event: self.event,
            id: self.id,
            title: self.title,
            url: self.url,
            speakers: self
                .speakers
                .iter()
                .map(|s| Speaker::parse_cli(s))
                .collect(),
            kind: self.kind,
            date: self.date,
            start: self.start,
            end: self.end,
            track: self.track,
            language: self.language,
            tags: self.tags,
        };
        let title = spec.title.clone();
        let derived = spec.id.is_none();
        let id = capture::new_talk(store, spec)?;
        let path = store.talk_path(&id);
        // Relative to the working directory, as `tn event new` prints it.
        anstream::eprintln!(
            "created {id} ({}); it is now the current talk",
            super::output::rel(&path).display()
        );
        if let Some(other) = derived
            .then(|| capture::same_title(store, &id, &title))
            .flatten()
        {
            super::output::notice(&format!(
                "{other} has the same title, so this is a second talk; to write in that one \
                 instead: `tn current {other}` (and delete {} if this one is not wanted)",
                super::output::rel(&path).display()
            ));
        }
        if !self.no_edit {
            editor::edit_note(store, &NoteKey::Talk(id))?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
