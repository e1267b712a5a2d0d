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
use std::time::Duration;

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
    /// The language code the talk is given in; guessed from the title when not given (see
    /// [`crate::language`]).
    pub language: Option<String>,
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
    talk.language = spec
        .language
        .map(|code| code.trim().to_lowercase())
        .filter(|code| !code.is_empty())
        .or_else(|| crate::language::detect(&talk.title, None).map(str::to_owned));
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

/// The talk a new talk `id` was numbered beside because it has the same title (`tn new` run
/// twice with one title made `…-2` without a word): `base` for an id `base-N` whose talk
/// `base` has that title too.
pub fn same_title(store: &Store, id: &TalkRef, title: &str) -> Option<TalkRef> {
    let (base, n) = id.talk.as_str().rsplit_once('-')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let other = TalkRef {
        event: id.event.clone(),
        talk: base.parse().ok()?,
    };
    let read = store.read_talk(&other).ok()?;
    // Letters and digits only: `Cilium: Deep Dive` and `Cilium Deep Dive` make one id.
    let key = |t: &str| -> String {
        crate::search::analysis::normalize(t)
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    (key(&read.value.title) == key(title)).then_some(other)
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
    match takeaway(store, text, at) {
        Some(takeaway) => append(store, id, std::slice::from_ref(&takeaway)).map(Some),
        None => Ok(None),
    }
}

/// The takeaway a line makes, or `None` for a blank line.
fn takeaway(store: &Store, text: &str, at: ClockTime) -> Option<Takeaway> {
    let text = text.trim_end_matches(['\r', '\n']).trim();
    (!text.is_empty()).then(|| Takeaway {
        text: text.to_owned(),
        at: Some(at),
        by: store.author().map(str::to_owned),
    })
}

/// Appends takeaways in one write.
fn append(store: &Store, id: &TalkRef, takeaways: &[Takeaway]) -> Result<Talk> {
    store.update_talk(id, |talk| {
        talk.takeaways.extend_from_slice(takeaways);
        attended(talk);
        Ok(())
    })
}

/// Takeaways that arrive one line at a time (`tn jot -`, typed during a talk or piped), each
/// saved as soon as it arrives; no line is ever dropped.
///
/// A save that fails (a disk full, a note an editor broke, a lock that is not a file) is
/// tried again a few times; a line that still cannot be saved is held, in memory and in a
/// recovery file in the temporary directory, and every later line first saves the held ones,
/// in order, so the note gets them all as soon as it can be written again. The caller keeps
/// reading to the end of its input whatever happens (a line typed after a failure must not
/// reach the shell), then calls [`LineJotter::finish`], which tries once more and says what
/// could not be saved.
pub struct LineJotter<'a> {
    store: &'a Store,
    id: TalkRef,
    /// Lines not saved yet, oldest first.
    held: Vec<Takeaway>,
    saved: usize,
    recovery: Option<Recovery>,
    /// Pauses between the tries of a save that fails: long enough for a passing cause (a
    /// note rewritten nonstop, a disk freed) to go, short enough not to stall a talk's notes.
    retry_delays: [Duration; 2],
}

/// What became of one line.
#[derive(Debug)]
pub enum Jotted {
    /// A blank line: nothing to save.
    Blank,
    /// Saved, together with `held` lines that had been waiting (0 when none were).
    Saved { held: usize },
    /// Could not be saved: the line is held with the others that wait, `held` in all.
    Held {
        error: Error,
        held: usize,
        /// Where the held lines are kept on disk meanwhile, or why they could not be.
        recovery: std::result::Result<PathBuf, String>,
    },
}

/// How a [`LineJotter`] ended.
#[derive(Debug)]
pub struct JotSummary {
    pub saved: usize,
    /// The lines that could not be saved, in the order they came.
    pub unsaved: Vec<Takeaway>,
    /// Why the last try failed (when some were not saved).
    pub error: Option<Error>,
    /// The file holding the unsaved lines, one per line (what `tn jot -` reads back), or why
    /// it could not be written.
    pub recovery: Option<std::result::Result<PathBuf, String>>,
}

/// The recovery file, kept open: it is rewritten through this handle, never reopened by
/// name in the shared temporary directory.
struct Recovery {
    file: std::fs::File,
    path: PathBuf,
}

impl<'a> LineJotter<'a> {
    pub fn new(store: &'a Store, id: TalkRef) -> Self {
        LineJotter {
            store,
            id,
            held: Vec::new(),
            saved: 0,
            recovery: None,
            retry_delays: [Duration::from_millis(100), Duration::from_millis(400)],
        }
    }

    pub fn id(&self) -> &TalkRef {
        &self.id
    }

    /// Saves one line stamped `at`, with any held before it.
    pub fn line(&mut self, text: &str, at: ClockTime) -> Jotted {
        let Some(takeaway) = takeaway(self.store, text, at) else {
            return Jotted::Blank;
        };
        // While lines are held the note is known not to save: one try per new line, so a
        // fast pipe is not slowed down by pauses; the first failure gets the retries.
        let retries = self.held.is_empty();
        self.held.push(takeaway);
        match self.save_held(retries) {
            Ok(count) => Jotted::Saved { held: count - 1 },
            Err(error) => Jotted::Held {
                error,
                held: self.held.len(),
                recovery: self.keep_held(),
            },
        }
    }

    /// Tries once more (with the retries) to save what is held, and says how it ended.
    pub fn finish(mut self) -> JotSummary {
        let error = if self.held.is_empty() {
            None
        } else {
            self.save_held(true).err()
        };
        let recovery = if self.held.is_empty() {
            None
        } else {
            Some(self.keep_held())
        };
        JotSummary {
            saved: self.saved,
            unsaved: std::mem::take(&mut self.held),
            error,
            recovery,
        }
    }

    /// Saves every held line in one write; how many were saved.
    fn save_held(&mut self, retries: bool) -> Result<usize> {
        let mut delays = self.retry_delays.iter().filter(|_| retries);
        loop {
            match append(self.store, &self.id, &self.held) {
                Ok(_) => break,
                Err(error) => match delays.next() {
                    Some(delay) => std::thread::sleep(*delay),
                    None => return Err(error),
                },
            }
        }
        let count = self.held.len();
        self.saved += count;
        self.held.clear();
        // Everything is in the note now: the recovery file would only mislead.
        if let Some(recovery) = self.recovery.take() {
            let _ = std::fs::remove_file(&recovery.path);
        }
        Ok(count)
    }

    /// Writes the held lines to the recovery file (created on first use), one per line.
    fn keep_held(&mut self) -> std::result::Result<PathBuf, String> {
        use std::io::{Seek, Write};
        if self.recovery.is_none() {
            let stem = NoteKey::Talk(self.id.clone()).file_stem();
            let file = tempfile::Builder::new()
                .prefix(&format!("tn-unsaved-{stem}-"))
                .suffix(".txt")
                .tempfile()
                .and_then(|file| file.keep().map_err(|e| e.error))
                .map_err(|e| format!("{}: {e}", std::env::temp_dir().display()))?;
            self.recovery = Some(Recovery {
                file: file.0,
                path: file.1,
            });
        }
        let Some(recovery) = &mut self.recovery else {
            unreachable!("created above")
        };
        let mut text = String::new();
        for takeaway in &self.held {
            text.push_str(&takeaway.text);
            text.push('\n');
        }
        let file = &mut recovery.file;
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(text.as_bytes()))
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("{}: {e}", recovery.path.display()))?;
        Ok(recovery.path.clone())
    }
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
    // A second word that is no address is a second tool, or the rest of a name (a new
    // user's `tn tool Grafana Mimir` saved "Mimir" as Grafana's URL).
    let url = url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
    if let Some(u) = url.as_deref().filter(|u| !looks_like_url(u)) {
        return Err(Error::Invalid(format!(
            "`{u}` is not a URL (`tn tool NAME URL` adds one tool and its address): add two \
             tools one at a time (`tn tool {name}`, then `tn tool {u}`), or quote a name with \
             spaces (`tn tool \"{name} {u}\"`)"
        )));
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

/// Whether `text` can be an address: a scheme (`https://…`), `www.`, or a host whose last
/// label is letters (`cilium.io`, `github.com/cilium/hubble`; not `v1.30`, not `Mimir`).
pub fn looks_like_url(text: &str) -> bool {
    if text.contains("://") || text.starts_with("www.") {
        return true;
    }
    let host = text.split('/').next().unwrap_or_default();
    !text.contains(char::is_whitespace)
        && host.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
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
