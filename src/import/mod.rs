//! `tn import` of files other than the interchange JSON: conference schedules and Markdown
//! recaps.
//!
//! One file can hold many notes, and a half-done import is worse than none, so every import
//! is planned first: the file is parsed and validated whole, every note it touches is read and
//! checked (it must parse, and must be rewritable without losing comments), and only then is
//! anything written. `--dry-run` prints the plan and stops. Which kind of file it is comes from
//! its shape, not from a flag: a JSON object with `schedule.conference` is a frab/pretalx
//! schedule, one with `sessions` a Sessionize export, one with `talknotes` the interchange
//! format (handled by [`crate::interchange`]); a `.md` file, or text that carries the recap
//! marker, is a recap.

pub mod recap;
pub mod schedule;

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::interchange::EventBundle;
use crate::note::{Event, Slug, Talk, TalkRef};
use crate::store::{NoteKey, Store};
use schedule::{Schedule, ScheduledEvent, ScheduledTalk};

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

/// A note as it will be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Event(Event),
    Talk(Talk),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Action {
    Create,
    /// The fields that change.
    Update {
        fields: Vec<String>,
    },
    Unchanged,
    /// Exists and differs; left alone without `--update` (recaps only).
    Skipped,
}

/// One note the import touches.
#[derive(Debug, Clone)]
pub struct Change {
    pub key: NoteKey,
    pub action: Action,
    /// The note after the change.
    pub note: Note,
    /// What the file says, re-applied to the note as it is when written.
    incoming: Incoming,
}

#[derive(Debug, Clone)]
enum Incoming {
    ScheduleEvent(ScheduledEvent),
    ScheduleTalk(Box<ScheduledTalk>),
    RecapEvent,
    RecapTalk,
}

/// Everything an import would do, in the order it does it (events before their talks).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
}

impl Plan {
    pub fn count(&self, what: fn(&Action) -> bool) -> usize {
        self.changes.iter().filter(|c| what(&c.action)).count()
    }
}

/// Names of the top-level fields that differ between two notes.
fn changed_fields<T: Serialize>(old_note: &T, new_note: &T) -> Vec<String> {
    let (Ok(Value::Object(old)), Ok(Value::Object(new))) = (
        serde_json::to_value(old_note),
        serde_json::to_value(new_note),
    ) else {
        return vec!["(all)".into()];
    };
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut fields: Vec<String> = keys
        .into_iter()
        .filter(|k| old.get(*k) != new.get(*k))
        .cloned()
        .collect();
    // In the note's own field order, which struct serialization keeps (a JSON map does not).
    let written = |note: &T| serde_json::to_string(note).unwrap_or_default();
    let (old_text, new_text) = (written(old_note), written(new_note));
    fields.sort_by_key(|f| {
        let needle = format!("\"{f}\":");
        new_text
            .find(&needle)
            .or_else(|| old_text.find(&needle))
            .unwrap_or(usize::MAX)
    });
    fields
}

fn check_writable<T: crate::store::codec::NoteDoc>(key: &NoteKey, note: &T) -> Result<()> {
    match note.semantic_problems().into_iter().next() {
        Some(problem) => Err(Error::Invalid(format!(
            "{key}: {}: {} (after applying the import); nothing was written",
            problem.field, problem.message
        ))),
        None => Ok(()),
    }
}

/// Plans the import of a schedule into `event` (the schedule's own event when `None`).
pub fn plan_schedule(store: &Store, sched: &Schedule, event: Option<Slug>) -> Result<Plan> {
    let event_id = match event.or_else(|| sched.event.id.clone()) {
        Some(id) => id,
        None => match store.current_event()? {
            Some(id) if sched.format == schedule::Format::Sessionize => id,
            _ => {
                return Err(Error::input(
                    format!("a {} does not name its event", sched.format.name()),
                    "pass --event EVENT-ID (an existing event, or the id of one to create)",
                ));
            }
        },
    };
    let mut plan = Plan::default();
    let key = NoteKey::Event(event_id.clone());
    let incoming = Incoming::ScheduleEvent(sched.event.clone());
    if store.event_exists(&event_id) {
        let existing = store.read_event(&event_id)?.value;
        let mut merged = existing.clone();
        schedule::merge_event(&mut merged, &sched.event);
        plan.changes.push(update_or_same(
            store,
            key,
            &existing,
            merged,
            Note::Event,
            incoming,
        )?);
    } else {
        let mut new = Event::new(
            event_id.clone(),
            sched
                .event
                .name
                .clone()
                .unwrap_or_else(|| event_id.to_string()),
        );
        schedule::merge_event(&mut new, &sched.event);
        check_writable(&key, &new)?;
        plan.changes.push(Change {
            key,
            action: Action::Create,
            note: Note::Event(new),
            incoming,
        });
    }

    // Notes of this event already on disk; an invalid one is found when it is read below.
    let scan = store.scan()?;
    let existing: Vec<&Talk> = scan
        .talks
        .iter()
        .filter(|(id, _)| id.event == event_id)
        .map(|(_, t)| &t.value)
        .collect();
    let mut claimed: BTreeSet<Slug> = BTreeSet::new();
    let mut sorted: Vec<&ScheduledTalk> = sched.talks.iter().collect();
    sorted.sort_by(|a, b| {
        (a.talk.date, a.talk.start, &a.talk.track, &a.key).cmp(&(
            b.talk.date,
            b.talk.start,
            &b.talk.track,
            &b.key,
        ))
    });
    for sched_talk in sorted {
        let target = find_target(store, &event_id, &existing, sched_talk, &claimed);
        claimed.insert(target.clone());
        let id = TalkRef {
            event: event_id.clone(),
            talk: target.clone(),
        };
        let key = NoteKey::Talk(id.clone());
        let incoming = Incoming::ScheduleTalk(Box::new(sched_talk.clone()));
        if store.talk_exists(&id) {
            let existing = store.read_talk(&id)?.value;
            let mut merged = existing.clone();
            schedule::merge_talk(&mut merged, sched_talk);
            plan.changes.push(update_or_same(
                store,
                key,
                &existing,
                merged,
                Note::Talk,
                incoming,
            )?);
        } else {
            let mut new = sched_talk.talk.clone();
            new.id = target;
            check_writable(&key, &new)?;
            plan.changes.push(Change {
                key,
                action: Action::Create,
                note: Note::Talk(new),
                incoming,
            });
        }
    }
    Ok(plan)
}

/// The note a scheduled talk belongs to: the one with its derived id; else the one whose id
/// ends with its schedule key (the title changed since); else the one with its title (written
/// with `tn new` before the schedule was imported); else a new one.
fn find_target(
    store: &Store,
    event: &Slug,
    existing: &[&Talk],
    sched_talk: &ScheduledTalk,
    claimed: &BTreeSet<Slug>,
) -> Slug {
    let derived = sched_talk.talk.id.clone();
    let exists = |id: &Slug| {
        store.talk_exists(&TalkRef {
            event: event.clone(),
            talk: id.clone(),
        })
    };
    if exists(&derived) && !claimed.contains(&derived) {
        return derived;
    }
    let suffix = format!("-{}", sched_talk.key);
    let unique = |found: Vec<&&Talk>| match found.as_slice() {
        [one] => Some(one.id.clone()),
        _ => None,
    };
    let by_key: Vec<&&Talk> = existing
        .iter()
        .filter(|t| t.id.as_str().ends_with(&suffix) && !claimed.contains(&t.id))
        .collect();
    if let Some(id) = unique(by_key) {
        return id;
    }
    let title = crate::export::name_key(&sched_talk.talk.title);
    let by_title: Vec<&&Talk> = existing
        .iter()
        .filter(|t| crate::export::name_key(&t.title) == title && !claimed.contains(&t.id))
        .collect();
    if let Some(id) = unique(by_title) {
        return id;
    }
    // A different note already uses the derived id: count up, as `tn new` does.
    crate::slug::unique(&derived, |c| claimed.contains(c) || exists(c))
}

fn update_or_same<T: crate::store::codec::NoteDoc + Clone + PartialEq>(
    store: &Store,
    key: NoteKey,
    existing: &T,
    merged: T,
    wrap: fn(T) -> Note,
    incoming: Incoming,
) -> Result<Change> {
    let action = if merged == *existing {
        Action::Unchanged
    } else {
        check_writable(&key, &merged)?;
        store.ensure_rewritable(&key)?;
        Action::Update {
            fields: changed_fields(existing, &merged),
        }
    };
    Ok(Change {
        key,
        action,
        note: wrap(merged),
        incoming,
    })
}

/// Plans the import of a recap's notes. A note that exists is replaced with `update`, keeping
/// its rating (recaps do not carry ratings); without it, a note that differs is skipped.
pub fn plan_recap(store: &Store, bundles: &[EventBundle], update: bool) -> Result<Plan> {
    let mut plan = Plan::default();
    for bundle in bundles {
        let event_id = bundle.event.id.clone();
        let key = NoteKey::Event(event_id.clone());
        if store.event_exists(&event_id) {
            let existing = store.read_event(&event_id)?.value;
            plan.changes.push(recap_change(
                store,
                key,
                &existing,
                bundle.event.clone(),
                Note::Event,
                Incoming::RecapEvent,
                update,
            )?);
        } else {
            plan.changes.push(Change {
                key,
                action: Action::Create,
                note: Note::Event(bundle.event.clone()),
                incoming: Incoming::RecapEvent,
            });
        }
        for talk in &bundle.talks {
            let id = TalkRef {
                event: event_id.clone(),
                talk: talk.id.clone(),
            };
            let key = NoteKey::Talk(id.clone());
            if store.talk_exists(&id) {
                let existing = store.read_talk(&id)?.value;
                let mut merged = talk.clone();
                merged.rating = existing.rating;
                plan.changes.push(recap_change(
                    store,
                    key,
                    &existing,
                    merged,
                    Note::Talk,
                    Incoming::RecapTalk,
                    update,
                )?);
            } else {
                plan.changes.push(Change {
                    key,
                    action: Action::Create,
                    note: Note::Talk(talk.clone()),
                    incoming: Incoming::RecapTalk,
                });
            }
        }
    }
    Ok(plan)
}

fn recap_change<T: crate::store::codec::NoteDoc + Clone + PartialEq>(
    store: &Store,
    key: NoteKey,
    existing: &T,
    merged: T,
    wrap: fn(T) -> Note,
    incoming: Incoming,
    update: bool,
) -> Result<Change> {
    if merged != *existing && !update {
        return Ok(Change {
            key,
            action: Action::Skipped,
            note: wrap(merged),
            incoming,
        });
    }
    update_or_same(store, key, existing, merged, wrap, incoming)
}

/// Writes a plan. Updates are re-applied to each note as it is on disk at that moment, under
/// the writer lock, so a `tn jot` made since the plan was drawn up is kept.
pub fn apply(store: &Store, plan: &Plan) -> Result<()> {
    for change in &plan.changes {
        match (&change.action, &change.note, &change.key) {
            (Action::Create, Note::Event(event), _) => {
                store.create_event(event)?;
            }
            (Action::Create, Note::Talk(talk), NoteKey::Talk(id)) => {
                store.create_talk(&id.event, talk)?;
            }
            (Action::Update { .. }, Note::Event(planned), NoteKey::Event(id)) => {
                store.update_event(id, |event| {
                    match &change.incoming {
                        Incoming::ScheduleEvent(incoming) => schedule::merge_event(event, incoming),
                        _ => *event = planned.clone(),
                    }
                    Ok(())
                })?;
            }
            (Action::Update { .. }, Note::Talk(planned), NoteKey::Talk(id)) => {
                store.update_talk(id, |talk| {
                    match &change.incoming {
                        Incoming::ScheduleTalk(incoming) => schedule::merge_talk(talk, incoming),
                        _ => {
                            let rating = talk.rating;
                            *talk = planned.clone();
                            talk.rating = rating;
                        }
                    }
                    Ok(())
                })?;
            }
            _ => {}
        }
    }
    Ok(())
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

    #[test]
    fn changed_fields_are_named_in_note_order() {
        let a = Talk::new("t".parse().unwrap(), "A");
        let mut b = a.clone();
        b.title = "B".into();
        b.start = Some("10:00".parse().unwrap());
        assert_eq!(changed_fields(&a, &b), ["title", "start"]);
    }
}
