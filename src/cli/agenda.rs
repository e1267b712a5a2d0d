//! `tn agenda [EVENT]`: the starred talks by day and time, clashes marked; `--ics` writes
//! them as an iCalendar file for a calendar app. `tn queue`: the recordings to watch.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{BOLD, DIM, WARN, warn_skipped, write_table};
use crate::agenda::{self, EventAgenda, Item};
use crate::display::line;
use crate::error::Error;
use crate::note::Slug;
use crate::present;
use crate::store::Store;
use crate::store::atomic::{WriteMode, write_atomic};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this event (default: every event with a starred talk).
    event: Option<Slug>,
    /// Write an iCalendar file (RFC 5545) instead, for a calendar app to import.
    #[arg(long)]
    ics: bool,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let scan = store.scan()?;
        if let Some(event) = &self.event
            && !scan.events.contains_key(event)
        {
            return Err(Error::NotFound {
                what: "event",
                id: event.to_string(),
                hint: "list events with `tn list --events`".into(),
            }
            .into());
        }
        let agendas = agenda::agenda(&scan, self.event.as_ref());
        let empty = agendas.iter().all(|a| a.items().next().is_none());
        if self.ics {
            let stamp = stamp();
            let local = crate::clock::now().time_zone().clone();
            let text = agenda::to_ics(&agendas, stamp, &local).map_err(Error::Invalid)?;
            match &self.output {
                Some(path) => {
                    write_atomic(path, text.as_bytes(), WriteMode::Replace)?;
                    anstream::eprintln!("wrote {}", path.display());
                }
                None => io::stdout().lock().write_all(text.as_bytes())?,
            }
            let undated: usize = agendas.iter().map(|a| a.unscheduled.len()).sum();
            if undated > 0 {
                anstream::eprintln!(
                    "{undated} starred talk(s) without a day are not in the calendar"
                );
            }
        } else {
            match &self.output {
                Some(path) => {
                    // A file gets the same text without colours.
                    let mut text = Vec::new();
                    write_all(&mut anstream::StripStream::new(&mut text), &agendas)?;
                    write_atomic(path, &text, WriteMode::Replace)?;
                    anstream::eprintln!("wrote {}", path.display());
                }
                None => write_all(&mut anstream::stdout().lock(), &agendas)?,
            }
            let clashes: usize = agendas.iter().map(EventAgenda::clash_count).sum();
            if clashes > 0 {
                anstream::eprintln!(
                    "{WARN}{clashes} talk(s) clash{WARN:#} with another starred talk: keep one starred with `tn star --off EVENT/TALK`"
                );
            }
        }
        if empty {
            anstream::eprintln!(
                "no starred talks{}: star talks with `tn star EVENT/TALK…` (find them with `tn list` or `tn search`)",
                self.event
                    .as_ref()
                    .map(|e| format!(" in {e}"))
                    .unwrap_or_default()
            );
        }
        warn_skipped(&scan.problems);
        Ok(ExitCode::SUCCESS)
    }
}

/// The moment the calendar is written: `SOURCE_DATE_EPOCH` when set (reproducible files),
/// else now.
fn stamp() -> jiff::Timestamp {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(jiff::Timestamp::now)
}

fn write_all(out: &mut dyn Write, agendas: &[EventAgenda<'_>]) -> io::Result<()> {
    for (n, agenda) in agendas.iter().enumerate() {
        if n > 0 {
            writeln!(out)?;
        }
        write_agenda(out, agenda)?;
    }
    Ok(())
}

fn write_agenda(out: &mut dyn Write, agenda: &EventAgenda<'_>) -> io::Result<()> {
    let name = agenda.event.map_or(agenda.id.as_str(), |e| e.name.as_str());
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {DIM}{}{DIM:#}",
        line(name),
        agenda.id
    )?;
    for (date, items) in &agenda.days {
        writeln!(out, "{BOLD}{}{BOLD:#}", date.0.strftime("%Y-%m-%d (%a)"))?;
        write_items(out, items)?;
    }
    if !agenda.unscheduled.is_empty() {
        writeln!(out, "{BOLD}no day yet{BOLD:#}")?;
        write_items(out, &agenda.unscheduled)?;
    }
    Ok(())
}

fn write_items(out: &mut dyn Write, items: &[Item<'_>]) -> io::Result<()> {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| {
            let talk = item.talk;
            let clash = if item.clashes.is_empty() {
                String::new()
            } else {
                let others: Vec<String> = item.clashes.iter().map(ToString::to_string).collect();
                format!("! clashes with {}", others.join(", "))
            };
            vec![
                item.id.to_string(),
                present::time_range(talk.start, talk.end, present::DETAIL).unwrap_or_default(),
                talk.status.map(|s| s.to_string()).unwrap_or_default(),
                line(talk.track.as_deref().unwrap_or("")).into_owned(),
                line(&talk.title).into_owned(),
                clash,
            ]
        })
        .collect();
    let mut text = Vec::new();
    write_table(&mut text, &rows)?;
    for row in String::from_utf8_lossy(&text).lines() {
        writeln!(out, "  {row}")?;
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct QueueArgs {}

impl QueueArgs {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let scan = store.scan()?;
        let queued = agenda::queue(&scan);
        let rows: Vec<Vec<String>> = queued
            .iter()
            .map(|q| {
                vec![
                    q.id.to_string(),
                    q.talk.date.map(|d| d.to_string()).unwrap_or_default(),
                    line(&q.talk.title).into_owned(),
                    q.video
                        .map(|v| line(&v.url).into_owned())
                        .unwrap_or_else(|| "(no recording yet)".to_owned()),
                ]
            })
            .collect();
        write_table(&mut anstream::stdout().lock(), &rows)?;
        if queued.is_empty() {
            anstream::eprintln!(
                "nothing to watch: mark a talk with `tn watch-later EVENT/TALK`; re-import the schedule to pick up recordings"
            );
        } else {
            let waiting = queued.iter().filter(|q| q.video.is_none()).count();
            anstream::eprintln!(
                "{} to watch, {} with a recording; then `tn mark watched EVENT/TALK` and `tn rate N EVENT/TALK`",
                queued.len(),
                queued.len() - waiting
            );
        }
        warn_skipped(&scan.problems);
        Ok(ExitCode::SUCCESS)
    }
}
