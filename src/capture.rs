//! Capturing notes: creating events and talks, and adding to a talk during it. These are the
//! operations shared by the CLI and the TUI.
//!
//! Each operation is one locked read-modify-write of one file through [`Store`], so a line is
//! on disk (atomically) as soon as the call returns, and concurrent captures never lose data.
//! Every capture only adds to a note, so when an editor saves the note while tn writes it,
//! the store applies the capture again to the editor's version (`Rebase::Reapply`): both
//! the editor's save and the capture are kept.
//! What is added records its author ([`Store::author`]) in `by`.
//! A new event or talk becomes the current one, where `tn new` and `tn jot` go by default.

use crate::error::{Error, Result};
use std::path::PathBuf;

use crate::note::{
    ClockTime, Date, Event, EventKind, Link, LinkKind, Rating, Slug, Speaker, Takeaway, Talk,
    TalkKind, TalkRef, TalkStatus, Tool, ZoneName,
};
use crate::store::{NoteKey, Store};

/// The local wall-clock time, used to stamp takeaways.
pub fn now() -> ClockTime {
    let now = crate::clock::now();
    // `hour()` and `minute()` are always in range, so `new` cannot fail.
    ClockTime::new(now.hour() as u8, now.minute() as u8).unwrap_or_else(|| unreachable!())
}

/// Today's local date.
pub fn today() -> Date {
    Date(crate::clock::now().date())
}

/// What a user gives to create an event; everything but the id and name is optional.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub id: Slug,
    pub name: String,
    pub kind: Option<EventKind>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub location: Option<String>,
    pub timezone: Option<ZoneName>,
    pub url: Option<String>,
    pub hashtag: Option<String>,
    pub tags: Vec<String>,
}

/// Creates an event (its directory and `event.ron`) and makes it the current event, so new
/// talks go to it. Returns the path of its `event.ron`.
pub fn new_event(store: &Store, spec: NewEvent) -> Result<PathBuf> {
    let mut event = Event::new(spec.id, spec.name.trim());
    event.kind = spec.kind.unwrap_or_default();
    event.starts_on = spec.starts_on;
    event.ends_on = spec.ends_on;
    event.location = spec.location;
    event.timezone = spec.timezone;
    event.url = spec.url;
    event.hashtag = spec.hashtag;
    event.tags = spec.tags;
    check(event.semantic_problems())?;
    let path = store.create_event(&event)?;
    store.set_current(&NoteKey::Event(event.id))?;
    Ok(path)
}

/// The first problem of a note about to be created, as the error.
fn check(problems: Vec<crate::note::Problem>) -> Result<()> {
    match problems.into_iter().next() {
        Some(problem) => Err(Error::Invalid(format!(
            "{}: {}",
            problem.field, problem.message
        ))),
        None => Ok(()),
    }
}

/// What a user gives to create a talk; everything but the title is optional.
#[derive(Debug, Clone, Default)]
pub struct NewTalk {
    pub event: Option<Slug>,
    pub id: Option<Slug>,
    pub title: String,
    pub url: Option<String>,
    pub speakers: Vec<Speaker>,
    pub kind: Option<TalkKind>,
    pub date: Option<Date>,
    pub start: Option<ClockTime>,
    pub end: Option<ClockTime>,
    pub track: Option<String>,
    pub tags: Vec<String>,
}

/// Creates a talk and makes it the current talk. The event defaults to the current talk's.
pub fn new_talk(store: &Store, spec: NewTalk) -> Result<TalkRef> {
    let title = spec.title.trim().to_owned();
    if title.is_empty() {
        return Err(Error::input(
            "a talk needs a title",
            "tn new \"Title of the talk\"",
        ));
    }
    let event = match spec.event {
        Some(event) => event,
        None => store.current_event()?.ok_or_else(|| {
            Error::input(
                "which event is this talk part of?",
                "pass --event EVENT-ID (list events with `tn list --events`)",
            )
        })?,
    };
    if !store.event_exists(&event) {
        return Err(Error::NotFound {
            what: "event",
            id: event.to_string(),
            hint: format!("create it first with `tn event new {event} --name \"…\"`"),
        });
    }
    let derived = spec.id.is_none();
    let base = match spec.id {
        Some(id) => id,
        None => {
            let readings = crate::search::analysis::readings(&title);
            crate::slug::derive(&title, &readings).unwrap_or_else(|| {
                "talk"
                    .parse()
                    .unwrap_or_else(|_| unreachable!("`talk` is a valid slug"))
            })
        }
    };
    let id = if derived {
        free_id(store, &event, &base)
    } else {
        base.clone()
    };
    let mut talk = Talk::new(id, title);
    talk.url = spec.url;
    talk.speakers = spec.speakers;
    talk.kind = spec.kind.unwrap_or_default();
    talk.date = spec.date;
    talk.start = spec.start;
    talk.end = spec.end;
    talk.track = spec.track;
    for tag in &spec.tags {
        talk.add_tag(tag);
    }
    check(talk.semantic_problems())?;
    // Another process may take a derived id between the check and the write: the write
    // itself refuses to clobber, and the next free suffix is tried.
    let mut attempts = 0;
    let id = loop {
        match store.create_talk(&event, &talk) {
            Err(Error::AlreadyExists { .. }) if derived && attempts < 100 => {
                attempts += 1;
                talk.id = free_id(store, &event, &base);
            }
            other => break other?,
        }
    };
    // The note is on disk by now: an error here must not read as if it were not.
    store
        .set_current(&NoteKey::Talk(id.clone()))
        .map_err(|e| Error::NotCurrent {
            id: id.to_string(),
            source: Box::new(e),
        })?;
    Ok(id)
}

/// `base`, or the first `base-N` not taken in the event (`event` is the event file's name).
fn free_id(store: &Store, event: &Slug, base: &Slug) -> Slug {
    crate::slug::unique(base, |candidate| {
        candidate.as_str() == crate::note::EVENT_FILE_STEM
            || store.talk_exists(&TalkRef {
                event: event.clone(),
                talk: candidate.clone(),
            })
    })
}

/// Appends a takeaway stamped with `at` (normally [`now`]). Blank lines are ignored.
pub fn jot(store: &Store, id: &TalkRef, text: &str, at: ClockTime) -> Result<Option<Talk>> {
    let text = text.trim_end_matches(['\r', '\n']);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let takeaway = Takeaway {
        text: text.trim().to_owned(),
        at: Some(at),
        by: store.author().map(str::to_owned),
    };
    store
        .update_talk(id, |talk| {
            talk.takeaways.push(takeaway.clone());
            attended(talk);
            Ok(())
        })
        .map(Some)
}

/// Writing a takeaway means being there: a talk without a status, or only starred, becomes
/// attended. A status the user chose since (to watch, watched, skipped) stays.
fn attended(talk: &mut Talk) {
    if matches!(talk.status, None | Some(TalkStatus::Planned)) {
        talk.status = Some(TalkStatus::Attended);
    }
}

/// Sets (or with `None` clears) a talk's status.
pub fn set_status(store: &Store, id: &TalkRef, status: Option<TalkStatus>) -> Result<Talk> {
    change_status(store, id, StatusChange::Set(status))
}

/// How a status changes; the toggles read the note as it is on disk when they apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusChange {
    Set(Option<TalkStatus>),
    /// To this status, or back to none when the talk has it already (a star key).
    Toggle(TalkStatus),
    /// Back to none, only when the talk has this status (`tn star --off`).
    Unset(TalkStatus),
}

pub fn change_status(store: &Store, id: &TalkRef, change: StatusChange) -> Result<Talk> {
    store.update_talk(id, |talk| {
        talk.status = match change {
            StatusChange::Set(status) => status,
            StatusChange::Toggle(status) if talk.status == Some(status) => None,
            StatusChange::Toggle(status) => Some(status),
            StatusChange::Unset(status) if talk.status == Some(status) => None,
            StatusChange::Unset(_) => talk.status,
        };
        Ok(())
    })
}

/// Sets (or with `None` clears) a talk's rating.
pub fn set_rating(store: &Store, id: &TalkRef, rating: Option<Rating>) -> Result<Talk> {
    store.update_talk(id, |talk| {
        talk.rating = rating;
        Ok(())
    })
}

/// Adds a tool; a tool already listed under the same name gets the URL if it had none.
pub fn add_tool(store: &Store, id: &TalkRef, name: &str, url: Option<String>) -> Result<Talk> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::Invalid("a tool needs a name".into()));
    }
    let by = store.author().map(str::to_owned);
    store.update_talk(id, |talk| {
        match talk
            .tools
            .iter_mut()
            .find(|t| t.name.eq_ignore_ascii_case(name))
        {
            Some(existing) if existing.url.is_none() => existing.url = url.clone(),
            Some(_) => {}
            None => talk.tools.push(Tool {
                name: name.to_owned(),
                url: url.clone(),
                by: by.clone(),
            }),
        }
        Ok(())
    })
}

/// Adds a link, of the kind its URL tells ([`LinkKind::guess`]: slides, video) if any.
pub fn add_link(store: &Store, id: &TalkRef, url: &str, title: Option<String>) -> Result<Talk> {
    add_typed_link(store, id, url, title, LinkKind::guess(url))
}

/// Adds a link of `kind`; a link already there with the same URL gets the kind if it had
/// none.
pub fn add_typed_link(
    store: &Store,
    id: &TalkRef,
    url: &str,
    title: Option<String>,
    kind: Option<LinkKind>,
) -> Result<Talk> {
    let url = url.trim();
    if url.is_empty() {
        return Err(Error::Invalid("a link needs a URL".into()));
    }
    let by = store.author().map(str::to_owned);
    store.update_talk(id, |talk| {
        match talk.links.iter_mut().find(|l| l.url == url) {
            Some(existing) if existing.kind.is_none() => existing.kind = kind,
            Some(_) => {}
            None => talk.links.push(Link {
                url: url.to_owned(),
                kind,
                title: title.clone(),
                by: by.clone(),
            }),
        }
        Ok(())
    })
}

pub fn add_tags(store: &Store, id: &TalkRef, tags: &[String]) -> Result<Talk> {
    store.update_talk(id, |talk| {
        for tag in tags {
            talk.add_tag(tag);
        }
        Ok(())
    })
}
