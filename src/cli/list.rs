//! `tn list`: talks (filtered by event, tag, kind, status, rating; in schedule order or by
//! rating or date) or, with `--events`, events.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{EventRow, TalkRow, print_json, warn_skipped, write_table};
use crate::display::line;
use crate::error::Error;
use crate::note::{Slug, Talk, TalkKind, TalkRef, TalkStatus};
use crate::present;
use crate::store::{Scan, Store};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long)]
    event: Option<Slug>,
    #[arg(long)]
    tag: Option<String>,
    #[arg(long, value_enum)]
    kind: Option<TalkKind>,
    /// Only talks with this status (planned = starred).
    #[arg(long, value_enum)]
    status: Option<TalkStatus>,
    /// Only talks rated at least this (1 to 5).
    #[arg(long, value_name = "1-5", value_parser = clap::value_parser!(u8).range(1..=5))]
    min_rating: Option<u8>,
    /// Order: by event and schedule (default), best rated first, or newest first.
    #[arg(long, value_enum, default_value_t = Sort::Schedule)]
    sort: Sort,
    /// List events instead of talks.
    #[arg(long, conflicts_with_all = ["event", "tag", "kind", "status", "min_rating"])]
    events: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
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
        if self.events {
            self.events(&scan)?;
        } else {
            self.talks(&scan)?;
        }
        warn_skipped(&scan.problems);
        Ok(ExitCode::SUCCESS)
    }

    fn events(&self, scan: &Scan) -> Result<()> {
        let talk_count = |id: &Slug| scan.talks.iter().filter(|(t, _)| t.event == *id).count();
        if self.json {
            let rows: Vec<EventRow> = scan
                .events
                .values()
                .map(|e| EventRow::new(&e.value, talk_count(&e.value.id)))
                .collect();
            return print_json(&rows);
        }
        let rows: Vec<Vec<String>> = scan
            .events
            .values()
            .map(|e| {
                let e = &e.value;
                vec![
                    e.id.to_string(),
                    e.kind.to_string(),
                    e.starts_on.map(|d| d.to_string()).unwrap_or_default(),
                    format!("{:>3} talks", talk_count(&e.id)),
                    line(&e.name).into_owned(),
                ]
            })
            .collect();
        write_table(&mut anstream::stdout().lock(), &rows)?;
        Ok(())
    }

    fn talks(&self, scan: &Scan) -> Result<()> {
        let mut talks = sorted_talks(scan, |id, talk| self.matches(id, talk));
        // Stable sorts: ties keep the schedule order.
        match self.sort {
            Sort::Schedule => {}
            Sort::Rating => talks.sort_by_key(|(_, t)| std::cmp::Reverse(t.rating)),
            Sort::Date => talks.sort_by_key(|(_, t)| std::cmp::Reverse(t.date)),
        }
        if self.json {
            let rows: Vec<TalkRow> = talks.iter().map(|(id, t)| TalkRow::new(id, t)).collect();
            return print_json(&rows);
        }
        // Status and rating get a column when any talk listed has one.
        let standing = talks
            .iter()
            .any(|(_, t)| t.status.is_some() || t.rating.is_some());
        let rows: Vec<Vec<String>> = talks
            .iter()
            .map(|(id, t)| {
                let mut row = vec![
                    id.to_string(),
                    t.kind.to_string(),
                    t.date.map(|d| d.to_string()).unwrap_or_default(),
                ];
                if standing {
                    row.push(present::standing(t.status, t.rating));
                }
                row.push(line(&t.title).into_owned());
                row
            })
            .collect();
        let mut out = anstream::stdout().lock();
        write_table(&mut out, &rows)?;
        out.flush()?;
        if talks.is_empty() {
            anstream::eprintln!("no talks match");
        }
        Ok(())
    }

    fn matches(&self, id: &TalkRef, talk: &Talk) -> bool {
        self.event.as_ref().is_none_or(|e| *e == id.event)
            && self
                .tag
                .as_ref()
                .is_none_or(|t| talk.tags.iter().any(|x| x == t))
            && self.kind.is_none_or(|k| k == talk.kind)
            && self.status.is_none_or(|s| Some(s) == talk.status)
            && self
                .min_rating
                .is_none_or(|min| talk.rating.is_some_and(|r| r.get() >= min))
    }
}

/// The order of `tn list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sort {
    /// By event, then day and time.
    Schedule,
    /// Best rated first; unrated last.
    Rating,
    /// Newest first.
    Date,
}

/// The talks `keep` accepts, by event, then in schedule order (see also `tn show EVENT`).
pub(super) fn sorted_talks(
    scan: &Scan,
    keep: impl Fn(&TalkRef, &Talk) -> bool,
) -> Vec<(&TalkRef, &Talk)> {
    let mut talks: Vec<_> = scan
        .talks
        .iter()
        .map(|(id, t)| (id, &t.value))
        .filter(|(id, t)| keep(id, t))
        .collect();
    talks.sort_by(|(a_id, a), (b_id, b)| {
        (&a_id.event, a.date, a.start, &a_id.talk).cmp(&(&b_id.event, b.date, b.start, &b_id.talk))
    });
    talks
}
