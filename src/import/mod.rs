//! `tn import`: any file that holds notes, merged into the knowledge base in four steps.
//!
//! 1. **detect** ([`detect`]): which format a file is comes from its shape, not from a flag: a
//!    JSON object with `talknotes` is the interchange format, one with `schedule.conference` a
//!    frab/pretalx schedule, one with `sessions` a Sessionize export; a `.md` file, or text that
//!    carries the recap marker, is a Markdown recap.
//! 2. **load** ([`Source::load`]): the file is parsed and validated whole into [`Incoming`]
//!    notes; a mistake is reported with its place (`$.sessions[3].startsAt`, `line 42`).
//! 3. **plan** ([`plan()`]): one planner for every format decides what happens to each note
//!    (create, update which fields, leave unchanged, skip), reading and checking every note it
//!    touches: it must parse, and be rewritable without losing comments.
//! 4. **apply** ([`apply`]): only then is anything written. `--dry-run` stops after the plan.
//!
//! A half-done import is worse than none, hence the whole file and every note it touches are
//! checked before the first write. Adding a format is a [`Source`] variant with its detect
//! rule and a `load` function that gives [`Incoming`] notes.

pub mod fetch;
mod plan;
pub mod recap;
pub mod schedule;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::interchange::{self, EventBundle};
use crate::note::{Slug, ZoneName};

pub use plan::{Action, Change, Note, Plan, apply, plan};
use schedule::{DreamkastFiles, DreamkastPart, Schedule};

/// What a file to import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `tn export --format json`.
    Interchange,
    Schedule(schedule::Format),
    /// One response of the Dreamkast API; the parts of one schedule are loaded together.
    Dreamkast(DreamkastPart),
    /// `tn export --format md`.
    Recap,
}

/// A file, or a fetched URL, to import.
#[derive(Debug, Clone)]
pub struct Input {
    /// What messages call it: the path, or the URL.
    pub name: PathBuf,
    pub bytes: Vec<u8>,
    /// The URL it was fetched from (after redirects), if it was.
    pub url: Option<String>,
}

impl Input {
    pub fn file(path: &Path, bytes: Vec<u8>) -> Input {
        Input {
            name: path.to_owned(),
            bytes,
            url: None,
        }
    }

    fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.bytes).map_err(|e| {
            Error::input(
                format!(
                    "{}: not valid UTF-8 (byte {})",
                    self.name.display(),
                    e.valid_up_to()
                ),
                "tn imports UTF-8 text: save the file as UTF-8",
            )
        })
    }
}

/// Decides what `bytes` (read from `path`) are. Anything unrecognised is left to the
/// interchange reader, whose errors explain what it expected.
pub fn detect(path: &Path, bytes: &[u8]) -> Source {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("md" | "markdown")) {
        return Source::Recap;
    }
    if schedule::looks_like_icalendar(bytes) || matches!(extension.as_deref(), Some("ics" | "ical"))
    {
        return Source::Schedule(schedule::Format::Sched);
    }
    let text = String::from_utf8_lossy(bytes);
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if !body.starts_with(['{', '[']) && recap::looks_like_recap(&text) {
        return Source::Recap;
    }
    match serde_json::from_str::<Value>(body) {
        Ok(value) => {
            if let Some(part) = DreamkastPart::of(&value) {
                return Source::Dreamkast(part);
            }
            match value {
                Value::Object(map) if !map.contains_key("talknotes") => {
                    if map
                        .get("schedule")
                        .and_then(|s| s.get("conference"))
                        .is_some()
                    {
                        Source::Schedule(schedule::Format::Frab)
                    } else if map.get("sessions").is_some_and(Value::is_array) {
                        Source::Schedule(schedule::Format::Sessionize)
                    } else {
                        Source::Interchange
                    }
                }
                _ => Source::Interchange,
            }
        }
        // Broken JSON: judge by the names it uses, so the error message fits the format.
        Err(_) if body.contains("\"schedule\"") && body.contains("\"conference\"") => {
            Source::Schedule(schedule::Format::Frab)
        }
        Err(_) if body.contains("\"sessions\"") && body.contains("\"speakers\"") => {
            Source::Schedule(schedule::Format::Sessionize)
        }
        Err(_) => match DreamkastPart::guess(body) {
            Some(part) => Source::Dreamkast(part),
            None => Source::Interchange,
        },
    }
}

impl Source {
    /// What the format is called in messages.
    pub fn name(self) -> &'static str {
        match self {
            Source::Interchange => "talknotes JSON export",
            Source::Schedule(format) => format.name(),
            Source::Dreamkast(part) => part.name(),
            Source::Recap => "recap",
        }
    }

    /// Parses and validates one whole input; nothing is partially returned. Dreamkast parts
    /// are read together by [`load`].
    fn load(self, input: &Input, options: &Options) -> Result<Incoming> {
        let path = input.name.as_path();
        Ok(match self {
            Source::Schedule(schedule::Format::Sched) => Incoming::Schedule(schedule::parse_sched(
                path,
                &input.bytes,
                options.timezone.as_ref(),
            )?),
            Source::Interchange => Incoming::Notes {
                bundles: interchange::from_json(path, input.text()?)?,
                keep_rating: false,
            },
            Source::Schedule(schedule::Format::Frab) => {
                Incoming::Schedule(schedule::parse_frab(path, input.text()?)?)
            }
            Source::Schedule(schedule::Format::Sessionize) => {
                Incoming::Schedule(schedule::parse_sessionize(path, input.text()?)?)
            }
            Source::Schedule(schedule::Format::Dreamkast) | Source::Dreamkast(_) => {
                load_dreamkast(&[(self, input)])?
            }
            // Recaps do not carry ratings: a note's own rating stays.
            Source::Recap => Incoming::Notes {
                bundles: recap::parse(path, input.text()?)?,
                keep_rating: true,
            },
        })
    }
}

/// Reads the parts of one Dreamkast schedule together.
fn load_dreamkast(parts: &[(Source, &Input)]) -> Result<Incoming> {
    let mut files = DreamkastFiles::default();
    let mut taken: BTreeMap<DreamkastPart, &Path> = BTreeMap::new();
    for (source, input) in parts {
        let Source::Dreamkast(part) = source else {
            continue;
        };
        if let Some(first) = taken.insert(*part, &input.name) {
            return Err(Error::input(
                format!(
                    "{} and {} are both {}",
                    first.display(),
                    input.name.display(),
                    part.name()
                ),
                "import one event's talks, speakers, events and tracks at a time",
            ));
        }
        let file = Some((input.name.as_path(), input.text()?));
        match part {
            DreamkastPart::Talks => {
                files.talks = file;
                if let Some(url) = &input.url {
                    files.abbr = fetch::query_value(url, "eventAbbr");
                    files.site = fetch::origin(url);
                }
            }
            DreamkastPart::Speakers => files.speakers = file,
            DreamkastPart::Events => files.events = file,
            DreamkastPart::Tracks => files.tracks = file,
        }
    }
    Ok(Incoming::Schedule(schedule::parse_dreamkast(&files)?))
}

/// Detects and loads every input: each on its own, but the parts of a Dreamkast schedule
/// (talks, speakers, events, tracks) together, where the first of them stands. Every input
/// is read whole before anything is planned.
pub fn load(inputs: &[Input], options: &Options) -> Result<Vec<(Source, PathBuf, Incoming)>> {
    let detected: Vec<(Source, &Input)> = inputs
        .iter()
        .map(|input| (detect(&input.name, &input.bytes), input))
        .collect();
    let dreamkast: Vec<(Source, &Input)> = detected
        .iter()
        .filter(|(source, _)| matches!(source, Source::Dreamkast(_)))
        .cloned()
        .collect();
    let mut loaded = Vec::new();
    let mut dreamkast_done = false;
    for (source, input) in &detected {
        if let Source::Dreamkast(_) = source {
            if !dreamkast_done {
                dreamkast_done = true;
                loaded.push((*source, input.name.clone(), load_dreamkast(&dreamkast)?));
            }
            continue;
        }
        loaded.push((*source, input.name.clone(), source.load(input, options)?));
    }
    Ok(loaded)
}

/// The notes a file holds, as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// Whole notes that name their events (interchange JSON, a recap). A note that exists and
    /// differs is replaced only with `--update`.
    Notes {
        bundles: Vec<EventBundle>,
        /// Keep each existing note's rating and status (the file carries neither).
        keep_rating: bool,
    },
    /// A schedule: its sessions are matched to notes (by the source recorded on them, then
    /// titles) and only schedule fields are written over them.
    Schedule(Schedule),
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The event a schedule goes into (a schedule's own event when `None`).
    pub event: Option<Slug>,
    /// Replace notes that exist and differ (whole-note formats).
    pub update: bool,
    /// The zone of the event, for a feed whose times are instants (iCalendar).
    pub timezone: Option<ZoneName>,
}

/// Detects, loads and plans the import of `inputs`, as one plan. Nothing is written. Two
/// inputs that would change the same note are refused: their plans were drawn up apart.
pub fn prepare(store: &crate::store::Store, inputs: &[Input], options: &Options) -> Result<Plan> {
    let mut whole = Plan::default();
    let mut owner: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (source, name, incoming) in load(inputs, options)? {
        let part = plan(store, source, incoming, options)?;
        for change in &part.changes {
            if let Some(first) = owner.insert(change.key.to_string(), name.clone())
                && first != name
            {
                return Err(Error::input(
                    format!(
                        "{} and {} both change {}",
                        first.display(),
                        name.display(),
                        change.key
                    ),
                    "import them one at a time",
                ));
            }
        }
        whole.changes.extend(part.changes);
        whole.warnings.extend(part.warnings);
    }
    Ok(whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_shape() {
        let json = Path::new("x.json");
        let is = |path: &Path, text: &str| detect(path, text.as_bytes());
        assert_eq!(
            is(json, "{\"talknotes\": 1, \"events\": []}"),
            Source::Interchange
        );
        assert_eq!(is(json, "[]"), Source::Interchange);
        assert_eq!(is(json, ""), Source::Interchange);
        assert_eq!(is(json, "{\"events\": []}"), Source::Interchange);
        assert_eq!(
            is(json, "{\"schedule\": {\"conference\": {}}}"),
            Source::Schedule(schedule::Format::Frab)
        );
        assert_eq!(
            is(json, "{\"sessions\": [], \"speakers\": []}"),
            Source::Schedule(schedule::Format::Sessionize)
        );
        assert_eq!(
            is(json, "{\"sessions\": [, \"speakers\": []}"),
            Source::Schedule(schedule::Format::Sessionize)
        );
        assert_eq!(is(Path::new("r.md"), "{}"), Source::Recap);
        assert_eq!(
            is(
                Path::new("recap.txt"),
                "---\ntitle: x\n---\n<!-- talknotes:recap 1 -->\n"
            ),
            Source::Recap
        );
        assert_eq!(
            is(json, "\u{feff}BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            Source::Schedule(schedule::Format::Sched)
        );
        assert_eq!(
            is(Path::new("all.ics"), "<html>"),
            Source::Schedule(schedule::Format::Sched)
        );
        assert_eq!(
            is(
                json,
                "[{\"id\": 1, \"conferenceDayDate\": null, \"startTime\": 1}]"
            ),
            Source::Dreamkast(DreamkastPart::Talks)
        );
        assert_eq!(
            is(json, "[{\"id\": 1, \"conferenceDayDate\": , }]"),
            Source::Dreamkast(DreamkastPart::Talks)
        );
        assert_eq!(
            is(json, "{\"abbr\": \"cnds2026\", \"conferenceDays\": []}"),
            Source::Dreamkast(DreamkastPart::Events)
        );
    }
}
