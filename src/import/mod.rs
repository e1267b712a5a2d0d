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

mod plan;
pub mod recap;
pub mod schedule;

use std::path::Path;

use serde_json::Value;

use crate::error::Result;
use crate::interchange::{self, EventBundle};
use crate::note::Slug;

pub use plan::{Action, Change, Note, Plan, apply, plan};
use schedule::Schedule;

/// What a file to import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `tn export --format json`.
    Interchange,
    Schedule(schedule::Format),
    /// `tn export --format md`.
    Recap,
}

/// Decides what `text` (read from `path`) is. Anything unrecognised is left to the
/// interchange reader, whose errors explain what it expected.
pub fn detect(path: &Path, text: &str) -> Source {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("md" | "markdown")) {
        return Source::Recap;
    }
    let body = text.trim_start_matches('\u{feff}').trim_start();
    if !body.starts_with(['{', '[']) && recap::looks_like_recap(text) {
        return Source::Recap;
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) if !map.contains_key("talknotes") => {
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
        Ok(_) => Source::Interchange,
        // Broken JSON: judge by the names it uses, so the error message fits the format.
        Err(_) if body.contains("\"schedule\"") && body.contains("\"conference\"") => {
            Source::Schedule(schedule::Format::Frab)
        }
        Err(_) if body.contains("\"sessions\"") && body.contains("\"speakers\"") => {
            Source::Schedule(schedule::Format::Sessionize)
        }
        Err(_) => Source::Interchange,
    }
}

impl Source {
    /// What the format is called in messages.
    pub fn name(self) -> &'static str {
        match self {
            Source::Interchange => "talknotes JSON export",
            Source::Schedule(format) => format.name(),
            Source::Recap => "recap",
        }
    }

    /// Parses and validates the whole file; nothing is partially returned.
    pub fn load(self, path: &Path, text: &str) -> Result<Incoming> {
        Ok(match self {
            Source::Interchange => Incoming::Notes {
                bundles: interchange::from_json(path, text)?,
                keep_rating: false,
            },
            Source::Schedule(schedule::Format::Frab) => {
                Incoming::Schedule(schedule::parse_frab(path, text)?)
            }
            Source::Schedule(schedule::Format::Sessionize) => {
                Incoming::Schedule(schedule::parse_sessionize(path, text)?)
            }
            // Recaps do not carry ratings: a note's own rating stays.
            Source::Recap => Incoming::Notes {
                bundles: recap::parse(path, text)?,
                keep_rating: true,
            },
        })
    }
}

/// The notes a file holds, as loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// Whole notes that name their events (interchange JSON, a recap). A note that exists and
    /// differs is replaced only with `--update`.
    Notes {
        bundles: Vec<EventBundle>,
        /// Keep each existing note's rating (the file carries none).
        keep_rating: bool,
    },
    /// A schedule: its sessions are matched to notes (by the schedule's own ids, then titles)
    /// and only schedule fields are written over them.
    Schedule(Schedule),
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The event a schedule goes into (a schedule's own event when `None`).
    pub event: Option<Slug>,
    /// Replace notes that exist and differ (whole-note formats).
    pub update: bool,
}

/// Detects, loads and plans the import of `text` (read from `path`). Nothing is written.
pub fn prepare(
    store: &crate::store::Store,
    path: &Path,
    text: &str,
    options: &Options,
) -> Result<Plan> {
    let source = detect(path, text);
    plan(store, source, source.load(path, text)?, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_shape() {
        let json = Path::new("x.json");
        assert_eq!(
            detect(json, "{\"talknotes\": 1, \"events\": []}"),
            Source::Interchange
        );
        assert_eq!(detect(json, "[]"), Source::Interchange);
        assert_eq!(detect(json, ""), Source::Interchange);
        assert_eq!(detect(json, "{\"events\": []}"), Source::Interchange);
        assert_eq!(
            detect(json, "{\"schedule\": {\"conference\": {}}}"),
            Source::Schedule(schedule::Format::Frab)
        );
        assert_eq!(
            detect(json, "{\"sessions\": [], \"speakers\": []}"),
            Source::Schedule(schedule::Format::Sessionize)
        );
        assert_eq!(
            detect(json, "{\"sessions\": [, \"speakers\": []}"),
            Source::Schedule(schedule::Format::Sessionize)
        );
        assert_eq!(detect(Path::new("r.md"), "{}"), Source::Recap);
        assert_eq!(
            detect(
                Path::new("recap.txt"),
                "---\ntitle: x\n---\n<!-- talknotes:recap 1 -->\n"
            ),
            Source::Recap
        );
    }
}
