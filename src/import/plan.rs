//! The one planner of every import, and the writer that carries a plan out.
//!
//! Each incoming note meets the note on disk (if there is one) through a [`Merge`]: whole
//! notes replace it (keeping its rating for a recap, which carries none), a schedule writes
//! only its own fields over it. The planner reads every note the import touches and checks
//! that the result is valid and that the file can be rewritten, so [`apply`] only writes.
//! [`apply`] re-applies each merge to the note as it is on disk at that moment, under the
//! writer lock, so a `tn jot` made between plan and write is kept.

use std::collections::{BTreeSet, HashSet};

use serde::Serialize;
use serde_json::Value;

use super::schedule::{self, Schedule, ScheduledEvent, ScheduledTalk};
use super::{Incoming, Options, Source};
use crate::error::{Error, NoteError, Result};
use crate::interchange::EventBundle;
use crate::note::{Event, Slug, Source as NoteSource, Talk, TalkRef};
use crate::search::analysis::name_key;
use crate::store::codec::NoteDoc;
use crate::store::reconcile::Rebase;
use crate::store::{NoteKey, Store};

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
    /// The fields that change; none are named when the file's note replaces the note whole
    /// (interchange JSON, which carries every field: the note becomes the file's). `changes`
    /// says how, one entry per field (`start 13:00 → 13:10`, `links +slides +video`).
    Update {
        fields: Vec<String>,
        changes: Vec<String>,
    },
    Unchanged,
    /// Exists and differs; left alone without `--update` (whole-note formats only).
    Skipped,
}

/// One note the import touches.
#[derive(Debug, Clone)]
pub struct Change {
    pub key: NoteKey,
    pub action: Action,
    /// The note after the change.
    pub note: Note,
    /// How the file's note meets the one on disk, re-applied when it is written.
    merge: Merges,
}

/// Everything an import would do, in the order it does it (events before their talks).
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// What the user should know about how the input was read.
    pub warnings: Vec<String>,
}

impl Plan {
    pub fn count(&self, what: fn(&Action) -> bool) -> usize {
        self.changes.iter().filter(|c| what(&c.action)).count()
    }
}

/// How an incoming note meets the note on disk.
#[derive(Debug, Clone)]
enum Merge<S> {
    /// The file's note replaces it (keeping its rating, authors and merge conflicts, which a
    /// recap does not carry); a difference needs `--update`.
    Replace { keep_rating: bool },
    /// What the schedule says is written over it; the rest is the user's.
    Schedule(S),
}

impl<S> Merge<S> {
    fn needs_update_flag(&self) -> bool {
        matches!(self, Merge::Replace { .. })
    }

    /// How the change is carried over to a version someone saved while it was written: a
    /// schedule sets only its own fields, so applying it again is right; a whole note replaces
    /// the one read, which needs a three-way merge.
    fn rebase(&self) -> Rebase {
        match self {
            Merge::Replace { .. } => Rebase::ThreeWay,
            Merge::Schedule(_) => Rebase::Reapply,
        }
    }

    /// `note` (as on disk) after the file's `incoming` note met it.
    fn apply<T: Planned<Scheduled = S>>(&self, note: &mut T, incoming: &T) {
        match self {
            Merge::Replace { keep_rating } => note.replace(incoming, *keep_rating),
            Merge::Schedule(scheduled) => note.schedule(scheduled),
        }
    }
}

/// The merge of a change, by the kind of note it is.
#[derive(Debug, Clone)]
enum Merges {
    Event(Merge<ScheduledEvent>),
    Talk(Merge<Box<ScheduledTalk>>),
}

/// A note type the planner handles.
trait Planned: NoteDoc + Clone + PartialEq {
    /// What a schedule says about such a note.
    type Scheduled;
    /// The note under `key` on disk, if there is one.
    fn read(store: &Store, key: &NoteKey) -> Result<Option<Self>>;
    fn replace(&mut self, incoming: &Self, keep_rating: bool);
    fn schedule(&mut self, scheduled: &Self::Scheduled);
    fn wrap(self, merge: Merge<Self::Scheduled>) -> (Note, Merges);
    /// Fills in what a note a schedule creates gets when the schedule does not say (a
    /// talk's language).
    fn created(&mut self) {}
}

impl Planned for Event {
    type Scheduled = ScheduledEvent;

    fn read(store: &Store, key: &NoteKey) -> Result<Option<Event>> {
        match key {
            NoteKey::Event(id) if store.event_exists(id) => Ok(Some(store.read_event(id)?.value)),
            _ => Ok(None),
        }
    }

    fn replace(&mut self, incoming: &Event, _keep_rating: bool) {
        *self = incoming.clone();
    }

    fn schedule(&mut self, scheduled: &ScheduledEvent) {
        schedule::merge_event(self, scheduled);
    }

    fn wrap(self, merge: Merge<ScheduledEvent>) -> (Note, Merges) {
        (Note::Event(self), Merges::Event(merge))
    }
}

impl Planned for Talk {
    type Scheduled = Box<ScheduledTalk>;

    fn read(store: &Store, key: &NoteKey) -> Result<Option<Talk>> {
        match key {
            NoteKey::Talk(id) if store.talk_exists(id) => Ok(Some(store.read_talk(id)?.value)),
            _ => Ok(None),
        }
    }

    fn replace(&mut self, incoming: &Talk, keep_rating: bool) {
        let stored = std::mem::replace(self, incoming.clone());
        if keep_rating {
            // A recap carries neither ratings, statuses, authors nor merge conflicts.
            self.keep_private_from(&stored);
        }
    }

    fn schedule(&mut self, scheduled: &Box<ScheduledTalk>) {
        schedule::merge_talk(self, scheduled);
    }

    fn wrap(self, merge: Merge<Box<ScheduledTalk>>) -> (Note, Merges) {
        (Note::Talk(self), Merges::Talk(merge))
    }

    /// A talk the file gives no language gets the one its title and abstract are written in
    /// (see [`crate::language`]); a given one is kept.
    fn created(&mut self) {
        if self.language.is_none() {
            self.language =
                crate::language::detect(&self.title, self.r#abstract.as_deref()).map(Into::into);
        }
    }
}

/// Plans the import of what a file (in format `source`) holds.
pub fn plan(store: &Store, source: Source, incoming: Incoming, options: &Options) -> Result<Plan> {
    let mut plan = Plan::default();
    match incoming {
        Incoming::Notes {
            bundles,
            keep_rating,
        } => {
            if options.event.is_some() {
                return Err(Error::Invalid(format!(
                    "--event applies to schedules; a {} names its own events",
                    source.name()
                )));
            }
            for EventBundle { event, talks } in bundles {
                let id = event.id.clone();
                let merge = Merge::Replace { keep_rating };
                plan.push(store, NoteKey::Event(id.clone()), event, merge, options)?;
                for talk in talks {
                    let key = NoteKey::Talk(TalkRef {
                        event: id.clone(),
                        talk: talk.id.clone(),
                    });
                    plan.push(store, key, talk, Merge::Replace { keep_rating }, options)?;
                }
            }
        }
        Incoming::Schedule(sched) => {
            plan.warnings.extend(sched.warnings.iter().cloned());
            plan_schedule(&mut plan, store, sched, options)?
        }
    }
    Ok(plan)
}

impl Plan {
    /// Plans one note: created when it does not exist; otherwise merged, and updated when that
    /// changes it (a whole-note import only with `--update`).
    fn push<T: Planned>(
        &mut self,
        store: &Store,
        key: NoteKey,
        incoming: T,
        merge: Merge<T::Scheduled>,
        options: &Options,
    ) -> Result<()> {
        let (action, note) = match T::read(store, &key)? {
            None => {
                let mut incoming = incoming;
                // A talk a schedule creates gets the language its text is in when the
                // schedule gives none. Whole notes (JSON, a recap) are taken as they are, so
                // a backup restores exactly; the index guesses for them (`lang:`).
                if let Merge::Schedule(_) = merge {
                    incoming.created();
                }
                check_writable(&key, &incoming)?;
                (Action::Create, incoming)
            }
            Some(existing) => {
                let mut merged = existing.clone();
                merge.apply(&mut merged, &incoming);
                let action = if merged == existing {
                    Action::Unchanged
                } else if merge.needs_update_flag() && !options.update {
                    Action::Skipped
                } else {
                    check_writable(&key, &merged)?;
                    store.ensure_rewritable(&key)?;
                    let whole = matches!(&merge, Merge::Replace { keep_rating: false });
                    let fields = if whole {
                        Vec::new()
                    } else {
                        changed_fields(&existing, &merged)
                    };
                    let changes = describe_changes(&existing, &merged, &fields);
                    Action::Update { fields, changes }
                };
                (action, merged)
            }
        };
        let (note, merge) = note.wrap(merge);
        self.changes.push(Change {
            key,
            action,
            note,
            merge,
        });
        Ok(())
    }
}

/// Plans a schedule into `options.event`, else the schedule's own event, else (for a
/// Sessionize export, which names none) the current event.
fn plan_schedule(plan: &mut Plan, store: &Store, sched: Schedule, options: &Options) -> Result<()> {
    let event_id = match options.event.clone().or_else(|| sched.event.id.clone()) {
        Some(id) => id,
        None => match store.current_event()? {
            Some(id)
                if matches!(
                    sched.format,
                    schedule::Format::Sessionize | schedule::Format::Dreamkast
                ) =>
            {
                id
            }
            _ => {
                return Err(Error::input(
                    format!("a {} does not name its event", sched.format.name()),
                    "pass --event EVENT-ID (an existing event, or the id of one to create)",
                ));
            }
        },
    };
    let mut event = Event::new(
        event_id.clone(),
        sched
            .event
            .name
            .clone()
            .unwrap_or_else(|| event_id.to_string()),
    );
    schedule::merge_event(&mut event, &sched.event);
    let merge = Merge::Schedule(sched.event.clone());
    plan.push(
        store,
        NoteKey::Event(event_id.clone()),
        event,
        merge,
        options,
    )?;

    // Notes of this event already on disk. One that cannot be read may be a session's note:
    // planning without it would create that session again, so the import stops.
    let scan = store.scan()?;
    let dir = store.event_dir(&event_id);
    let unreadable: Vec<NoteError> = scan
        .problems
        .iter()
        .filter(|p| p.path.starts_with(&dir))
        .cloned()
        .collect();
    if !unreadable.is_empty() {
        return Err(Error::Unreadable {
            doing: format!("cannot import into {event_id}"),
            hint: "fix it (`tn check` lists every problem) and import again: a session whose \
                   note cannot be read would get a second note"
                .into(),
            problems: unreadable,
        });
    }
    // The same sessions (same source, same title) already notes of another event: the
    // schedule was imported there before, and importing it here would copy every one.
    let incoming: HashSet<(&NoteSource, String)> = sched
        .talks
        .iter()
        .filter_map(|s| Some((s.talk.source.as_ref()?, name_key(&s.talk.title))))
        .collect();
    let elsewhere: Vec<&TalkRef> =
        scan.talks
            .iter()
            .filter(|(id, t)| {
                id.event != event_id
                    && t.value.source.as_ref().is_some_and(|source| {
                        incoming.contains(&(source, name_key(&t.value.title)))
                    })
            })
            .map(|(id, _)| id)
            .collect();
    if let Some(first) = elsewhere.first() {
        let events: BTreeSet<String> = elsewhere.iter().map(|id| id.event.to_string()).collect();
        let events: Vec<String> = events.into_iter().collect();
        return Err(Error::input(
            format!(
                "{} of these sessions are already notes of {} (such as {first}): importing them into {event_id} would copy them",
                elsewhere.len(),
                events.join(", "),
            ),
            format!(
                "import into {} (`--event {}`) to update those notes",
                events[0], events[0]
            ),
        ));
    }
    let existing: Vec<&Talk> = scan
        .talks
        .iter()
        .filter(|(id, _)| id.event == event_id)
        .map(|(_, t)| &t.value)
        .collect();
    let mut claimed: BTreeSet<Slug> = BTreeSet::new();
    let mut sorted: Vec<ScheduledTalk> = sched.talks;
    sorted.sort_by(|a, b| {
        (a.talk.date, a.talk.start, &a.talk.track, &a.key).cmp(&(
            b.talk.date,
            b.talk.start,
            &b.talk.track,
            &b.key,
        ))
    });
    for sched_talk in sorted {
        let target = find_target(store, &event_id, &existing, &sched_talk, &claimed)?;
        claimed.insert(target.clone());
        let key = NoteKey::Talk(TalkRef {
            event: event_id.clone(),
            talk: target.clone(),
        });
        let mut talk = sched_talk.talk.clone();
        talk.id = target;
        let merge = Merge::Schedule(Box::new(sched_talk));
        plan.push(store, key, talk, merge, options)?;
    }
    Ok(())
}

/// The note a scheduled talk belongs to:
///
/// 1. the one that records the session as its source (imported, or adopted, before);
/// 2. else a note imported before notes recorded their source: one without a source whose
///    id is what an import derived from its title and the session's key (`<title>-<key>`),
///    and that shares a fact only a schedule gives with the session (its URL, its slot or a
///    speaker); an id that merely ends with the key (a hand-made `keynote-2` for session 2)
///    is not enough, and neither is a title (two hand-made "Keynote" notes);
/// 3. else a note without a source that has its title (written with `tn new` before the
///    schedule was imported);
/// 4. else a new one, under the derived id or the next free `-N` of it.
///
/// Each step takes a note only when exactly one qualifies, and never one already claimed
/// by another session of this import.
fn find_target(
    store: &Store,
    event: &Slug,
    existing: &[&Talk],
    sched_talk: &ScheduledTalk,
    claimed: &BTreeSet<Slug>,
) -> Result<Slug> {
    let free = |t: &&&Talk| !claimed.contains(&t.id);
    let unique = |found: Vec<&&Talk>| match found.as_slice() {
        [one] => Some(one.id.clone()),
        _ => None,
    };
    let incoming = &sched_talk.talk;
    if let Some(source) = &incoming.source {
        let found: Vec<&&Talk> = existing
            .iter()
            .filter(|t| t.source.as_ref() == Some(source))
            .filter(free)
            .collect();
        if let [first, second, ..] = found.as_slice() {
            // A copied note kept the source: which one is the session's is the user's call.
            return Err(Error::input(
                format!(
                    "notes {event}/{} and {event}/{} both record session `{}` of this schedule",
                    first.id, second.id, source.id
                ),
                "keep the source on one of them (`tn edit`, delete the other's `source:` line), then import again",
            ));
        }
        if let Some(id) = unique(found) {
            return Ok(id);
        }
    }
    let suffix = format!("-{}", sched_talk.key);
    let legacy: Vec<&&Talk> = existing
        .iter()
        .filter(|t| t.source.is_none() && t.id.as_str().ends_with(&suffix))
        .filter(|t| schedule::talk_id(&t.title, &sched_talk.key) == t.id)
        .filter(|t| agrees(t, incoming))
        .filter(free)
        .collect();
    if let Some(id) = unique(legacy) {
        return Ok(id);
    }
    let title = name_key(&incoming.title);
    let by_title: Vec<&&Talk> = existing
        .iter()
        .filter(|t| t.source.is_none() && name_key(&t.title) == title)
        .filter(free)
        .collect();
    if let Some(id) = unique(by_title) {
        return Ok(id);
    }
    // A different note already uses the derived id: count up, as `tn new` does.
    let derived = incoming.id.clone();
    Ok(crate::slug::unique(&derived, |c| {
        claimed.contains(c)
            || store.talk_exists(&TalkRef {
                event: event.clone(),
                talk: c.clone(),
            })
    }))
}

/// Whether a note without a source is plausibly an earlier import of `incoming`: it shares
/// a fact only a schedule gives it.
fn agrees(note: &Talk, incoming: &Talk) -> bool {
    let same = |a: &Option<String>, b: &Option<String>| a.is_some() && a == b;
    same(&note.url, &incoming.url)
        || (note.date.is_some()
            && note.start.is_some()
            && (note.date, note.start) == (incoming.date, incoming.start))
        || note.speakers.iter().any(|s| {
            incoming
                .speakers
                .iter()
                .any(|i| name_key(&i.name) == name_key(&s.name))
        })
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

/// How each of `fields` changed, for the report: short values as `old → new`, lists as what
/// was added (`links +slides +video`, `tags +Security`), the rest by name.
fn describe_changes<T: Serialize>(old_note: &T, new_note: &T, fields: &[String]) -> Vec<String> {
    let (Ok(old), Ok(new)) = (
        serde_json::to_value(old_note),
        serde_json::to_value(new_note),
    ) else {
        return fields.to_vec();
    };
    fields
        .iter()
        .map(|field| describe(field, old.get(field), new.get(field)))
        .collect()
}

fn describe(field: &str, old: Option<&Value>, new: Option<&Value>) -> String {
    const SHORT: usize = 24;
    let short = |v: Option<&Value>| match v {
        Some(Value::String(s)) if s.chars().count() <= SHORT && !s.contains('\n') => {
            Some(s.clone())
        }
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let items = |v: Option<&Value>| match v {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    match field {
        "links" => {
            // Added links by kind (`+slides`), and kinds learned by links already there.
            let before = items(old);
            let url = |v: &Value| v.get("url").cloned();
            let kind = |v: &Value| v.get("kind").and_then(Value::as_str).map(str::to_owned);
            let changes: Vec<String> = items(new)
                .iter()
                .filter_map(|l| match before.iter().find(|b| url(b) == url(l)) {
                    None => Some(format!("+{}", kind(l).as_deref().unwrap_or("link"))),
                    Some(b) if kind(b).is_none() => kind(l).map(|k| format!("kind {k}")),
                    Some(_) => None,
                })
                .collect();
            if changes.is_empty() {
                "links".to_owned()
            } else {
                format!("links {}", changes.join(" "))
            }
        }
        "tags" => {
            let before = items(old);
            let added: Vec<String> = items(new)
                .iter()
                .filter(|t| !before.contains(t))
                .filter_map(|t| t.as_str().map(|t| format!("+{t}")))
                .collect();
            if added.is_empty() {
                "tags".to_owned()
            } else {
                format!("tags {}", added.join(" "))
            }
        }
        _ => match (old.filter(|v| !v.is_null()), short(new), short(old)) {
            (None, Some(new), _) => format!("{field} {new}"),
            (Some(_), Some(new), Some(old)) => format!("{field} {old} → {new}"),
            (Some(_), None, Some(old)) if new.is_none_or(Value::is_null) => {
                format!("{field} {old} → none")
            }
            _ => field.to_owned(),
        },
    }
}

fn check_writable<T: NoteDoc>(key: &NoteKey, note: &T) -> Result<()> {
    match note.semantic_problems().into_iter().next() {
        Some(problem) => Err(Error::Invalid(format!(
            "{key}: {}: {} (after applying the import); nothing was written",
            problem.field, problem.message
        ))),
        None => Ok(()),
    }
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
                if let Merges::Event(merge) = &change.merge {
                    store.update_event_with(id, merge.rebase(), |event| {
                        merge.apply(event, planned);
                        Ok(())
                    })?;
                }
            }
            (Action::Update { .. }, Note::Talk(planned), NoteKey::Talk(id)) => {
                if let Merges::Talk(merge) = &change.merge {
                    store.update_talk_with(id, merge.rebase(), |talk| {
                        merge.apply(talk, planned);
                        Ok(())
                    })?;
                }
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
    fn changes_are_described_briefly() {
        use serde_json::json;
        let old = json!([{"url": "a"}, {"url": "b", "kind": "page"}]);
        let new = json!([
            {"url": "a", "kind": "slides"},
            {"url": "b", "kind": "page"},
            {"url": "c", "kind": "video"},
            {"url": "d"}
        ]);
        assert_eq!(
            describe("links", Some(&old), Some(&new)),
            "links kind slides +video +link"
        );
        assert_eq!(
            describe("start", Some(&json!("10:00")), Some(&json!("10:30"))),
            "start 10:00 → 10:30"
        );
        assert_eq!(describe("end", None, Some(&json!("11:00"))), "end 11:00");
        assert_eq!(
            describe("end", Some(&json!("11:00")), None),
            "end 11:00 → none"
        );
        assert_eq!(
            describe("title", Some(&json!("a")), Some(&json!("x".repeat(40)))),
            "title"
        );
        assert_eq!(
            describe("tags", Some(&json!(["a"])), Some(&json!(["a", "b"]))),
            "tags +b"
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
