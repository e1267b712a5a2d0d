//! `tn show ID`: one talk (`EVENT/TALK`) or one event (`EVENT`), as text or JSON.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use super::list::sorted_talks;
use super::output::{BOLD, DIM, EventRow, ID, TalkRow, WARN, print_json};
use crate::display::{self, escape, line};
use crate::note::{Event, Talk, TalkRef};
use crate::present;
use crate::store::{NoteKey, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    id: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        match super::note_key(store, &self.id, "tn show ")? {
            NoteKey::Talk(id) => {
                let talk = store.read_talk(&id)?.value;
                if self.json {
                    print_json(&TalkRow::new(&id, &talk))?;
                } else {
                    let event = store.read_event(&id.event).ok().map(|e| e.value);
                    write_talk(&mut anstream::stdout().lock(), &id, &talk, event.as_ref())?;
                }
            }
            NoteKey::Event(id) => {
                let event = store.read_event(&id)?.value;
                let scan = store.scan()?;
                let talks = sorted_talks(&scan, |t, _| t.event == id);
                if self.json {
                    let mut row = EventRow::new(&event, talks.len());
                    row.talks = Some(talks.iter().map(|(id, t)| TalkRow::new(id, t)).collect());
                    print_json(&row)?;
                } else {
                    write_event(&mut anstream::stdout().lock(), &event, &talks)?;
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn field(out: &mut impl Write, name: &str, value: &str) -> io::Result<()> {
    writeln!(
        out,
        "{DIM}{}{DIM:#} {}",
        display::pad(name, 10),
        line(value)
    )
}

fn write_event(out: &mut impl Write, event: &Event, talks: &[(&TalkRef, &Talk)]) -> io::Result<()> {
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {ID}{}{ID:#}",
        line(&event.name),
        event.id
    )?;
    field(out, "kind", event.kind.as_str())?;
    if let Some(days) = present::days(event.starts_on, event.ends_on, present::DETAIL) {
        field(out, "date", &days)?;
    }
    for (name, value) in [
        ("location", &event.location),
        ("url", &event.url),
        ("hashtag", &event.hashtag),
    ] {
        if let Some(value) = value {
            field(out, name, value)?;
        }
    }
    if !event.tags.is_empty() {
        field(out, "tags", &event.tags.join(", "))?;
    }
    if let Some(memo) = &event.memo {
        writeln!(out, "\n{}", escape(memo, true))?;
    }
    writeln!(out, "\n{BOLD}{} talks{BOLD:#}", talks.len())?;
    for (id, talk) in talks {
        writeln!(
            out,
            "  {ID}{}{ID:#}  {}  {}",
            id.talk,
            talk.kind,
            line(&talk.title)
        )?;
    }
    write_conflicts(out, &event.conflicts, event, event.id.as_str())
}

fn write_talk(
    out: &mut impl Write,
    id: &TalkRef,
    talk: &Talk,
    event: Option<&Event>,
) -> io::Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#}", line(&talk.title))?;
    field(out, "id", &id.to_string())?;
    let event_name = event.map_or_else(|| id.event.to_string(), |e| e.name.clone());
    field(out, "event", &event_name)?;
    field(out, "kind", talk.kind.as_str())?;
    if let Some(url) = &talk.url {
        field(out, "url", url)?;
    }
    if !talk.speakers.is_empty() {
        let speakers = present::speakers(&talk.speakers, present::DETAIL, str::to_owned);
        field(out, "speakers", &speakers)?;
    }
    if let Some(when) = present::when(talk.date, talk.start, talk.end, present::DETAIL) {
        field(out, "when", &when)?;
    }
    for (name, value) in [("track", &talk.track), ("language", &talk.language)] {
        if let Some(value) = value {
            field(out, name, value)?;
        }
    }
    if !talk.tags.is_empty() {
        field(out, "tags", &talk.tags.join(", "))?;
    }
    if let Some(rating) = talk.rating {
        field(out, "rating", &present::stars(rating))?;
    }
    if let Some(text) = &talk.r#abstract {
        writeln!(out, "\n{BOLD}abstract{BOLD:#}\n{}", escape(text, true))?;
    }
    if !talk.takeaways.is_empty() {
        writeln!(out, "\n{BOLD}takeaways{BOLD:#}")?;
        for t in &talk.takeaways {
            match t.at {
                Some(at) => write!(out, "  {DIM}{at}{DIM:#} {}", line(&t.text))?,
                None => write!(out, "  - {}", line(&t.text))?,
            }
            writeln!(out, "{}", by(&t.by))?;
        }
    }
    if !talk.tools.is_empty() {
        writeln!(out, "\n{BOLD}tools{BOLD:#}")?;
        for tool in &talk.tools {
            let url = tool
                .url
                .as_deref()
                .map(|u| format!("  {}", line(u)))
                .unwrap_or_default();
            writeln!(out, "  {}{url}{}", line(&tool.name), by(&tool.by))?;
        }
    }
    if !talk.links.is_empty() {
        writeln!(out, "\n{BOLD}links{BOLD:#}")?;
        for link in &talk.links {
            match &link.title {
                Some(title) => write!(out, "  {}  {}", line(title), line(&link.url))?,
                None => write!(out, "  {}", line(&link.url))?,
            }
            writeln!(out, "{}", by(&link.by))?;
        }
    }
    if let Some(memo) = &talk.memo {
        writeln!(out, "\n{BOLD}memo{BOLD:#}\n{}", escape(memo, true))?;
    }
    write_conflicts(out, &talk.conflicts, talk, &id.to_string())
}

/// `  — Alice` after an item someone is recorded to have written.
fn by(author: &Option<String>) -> String {
    author
        .as_deref()
        .map(|name| format!("  {DIM}— {}{DIM:#}", line(name)))
        .unwrap_or_default()
}

/// The values a merge could not choose between, and how to settle them.
fn write_conflicts<T: serde::Serialize>(
    out: &mut impl Write,
    conflicts: &[crate::note::Conflict],
    note: &T,
    id: &str,
) -> io::Result<()> {
    if conflicts.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{WARN}conflicts{WARN:#} (changed on both sides)")?;
    for c in conflicts {
        let kept = crate::merge::kept_value(note, &c.field).unwrap_or_default();
        writeln!(out, "  {BOLD}{}{BOLD:#}", line(&c.field))?;
        writeln!(out, "    kept   {}", line(&kept))?;
        writeln!(out, "    other  {}{}", line(&c.theirs), by(&c.by))?;
    }
    writeln!(
        out,
        "  {DIM}resolve with `tn edit {id}`: keep the value you want, delete the entry from `conflicts`{DIM:#}"
    )
}
