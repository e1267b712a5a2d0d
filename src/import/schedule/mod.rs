//! Conference schedules: frab/pretalx `schedule.json`, Sessionize "All" exports, Sched
//! iCalendar feeds (KubeCon) and Dreamkast API responses (CloudNative Days).
//!
//! Importing the schedule before an event turns every session into a note that already has
//! its title, speakers, day, time, room and abstract, so during a talk only takeaways remain to
//! be typed (`tn now --pick`, then `tn jot`). Schedules change until the last day and fill in
//! after it (slides, recordings), so an import must be repeatable: each talk is keyed by the
//! schedule's own id (pretalx `code`, frab `id`, Sessionize and Dreamkast `id`, Sched `UID`),
//! recorded on the note as its [`Source`] and matched exactly, so a re-import finds the note
//! again even after the title changed, and never takes over a note it did not create. The key
//! also ends the note's id (`kubernetes-de-hajimeru-abc123`). A re-import only rewrites
//! schedule fields and adds the schedule's typed links (slides, video, page); takeaways,
//! tools, memo, rating, status and the user's tags and links belong to the user.
//!
//! The talk model has one place for "where": `track`. During a conference the useful "where"
//! is the room (`tn now --room`), so the room goes into `track`; the schedule's topical track
//! ("Security", "Cloud Native") becomes a tag. Schedules are parsed leniently (unknown fields
//! are ignored, since every generator adds its own), but a value that is there and wrong is an
//! error naming its JSON path.

mod dreamkast;
mod frab;
mod ical;
mod sched;
mod sessionize;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::note::{
    ClockTime, Date, Link, LinkKind, ScheduleKind, Slug, Source, Speaker, Talk, TalkKind, ZoneName,
};
use crate::search::analysis::name_key;

pub use dreamkast::{DreamkastFiles, Part as DreamkastPart, parse_dreamkast};
pub use frab::parse_frab;
pub use ical::looks_like_icalendar;
pub use sched::parse_sched;
pub use sessionize::parse_sessionize;

/// Which schedule format a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Frab,
    Sessionize,
    Sched,
    Dreamkast,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Frab => "frab/pretalx schedule",
            Format::Sessionize => "Sessionize export",
            Format::Sched => "Sched iCalendar feed",
            Format::Dreamkast => "Dreamkast schedule",
        }
    }

    /// How notes record the format (see [`Source`]).
    pub fn kind(self) -> ScheduleKind {
        match self {
            Format::Frab => ScheduleKind::Frab,
            Format::Sessionize => ScheduleKind::Sessionize,
            Format::Sched => ScheduleKind::Sched,
            Format::Dreamkast => ScheduleKind::Dreamkast,
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Format::Frab => {
                "this file was read as a frab/pretalx schedule (schedule.conference.days[].rooms); fix the value or export the schedule again"
            }
            Format::Sessionize => {
                "this file was read as a Sessionize \"All\" export (sessions, speakers, rooms); fix the value or download the export again"
            }
            Format::Sched => {
                "this file was read as an iCalendar feed (Sched's all.ics); download it again, or fix the event named"
            }
            Format::Dreamkast => {
                "this file was read as a Dreamkast API response (/api/v1/talks, speakers, events or tracks); fetch it again, e.g. tn import 'https://event.cloudnativedays.jp/api/v1/talks?eventAbbr=…'"
            }
        }
    }
}

/// The event as the schedule describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduledEvent {
    /// Derived from the conference's acronym or title; Sessionize exports name no event.
    pub id: Option<Slug>,
    pub name: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub url: Option<String>,
    /// The zone of the schedule's times.
    pub timezone: Option<ZoneName>,
}

/// One session, as a talk note holding only schedule fields (its `source` set, its `links`
/// those the schedule gives: slides, recordings, pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledTalk {
    /// The schedule's own id of the talk, lower-case letters and digits: the end of the note id.
    pub key: String,
    /// The JSON path of the session, for messages.
    pub place: String,
    /// Whether the schedule gave a type (otherwise a re-import leaves the kind alone).
    pub kind_given: bool,
    pub talk: Talk,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub format: Format,
    pub event: ScheduledEvent,
    pub talks: Vec<ScheduledTalk>,
    /// What the user should know about how the file was read (one line each).
    pub warnings: Vec<String>,
}

impl ScheduledTalk {
    /// The note of a session: `title`, its id derived from the title and `key`, and the
    /// schedule's own `id` of the session recorded as its source.
    fn new(format: Format, id: &str, key: String, title: String, place: &str) -> ScheduledTalk {
        let mut talk = Talk::new(talk_id(&title, &key), title);
        talk.source = Some(Source {
            schedule: format.kind(),
            id: id.to_owned(),
        });
        ScheduledTalk {
            key,
            place: place.to_owned(),
            kind_given: false,
            talk,
        }
    }
}

/// A link the schedule gives: its kind from the URL (slides, video), else `default`. Only
/// http(s) URLs are taken.
fn schedule_link(url: &str, title: Option<String>, default: LinkKind) -> Option<Link> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || url.contains(char::is_whitespace)
    {
        return None;
    }
    Some(Link {
        url: url.to_owned(),
        kind: Some(LinkKind::guess(url).unwrap_or(default)),
        title: title.filter(|t| !t.trim().is_empty()),
        by: None,
    })
}

/// Adds `link` unless a link with its URL is there already.
fn push_link(links: &mut Vec<Link>, link: Option<Link>) {
    if let Some(link) = link
        && !links.iter().any(|l| l.url == link.url)
    {
        links.push(link);
    }
}

struct Ctx<'a> {
    path: &'a Path,
    format: Format,
}

impl Ctx<'_> {
    fn fail(&self, place: &str, message: impl std::fmt::Display) -> Error {
        Error::input(
            format!("{}: {place}: {message}", self.path.display()),
            self.format.hint(),
        )
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, text: &str) -> Result<T> {
        let value: Value = serde_json::from_str(crate::store::codec::without_bom(text))
            .map_err(|e| self.fail(&format!("line {} column {}", e.line(), e.column()), e))?;
        serde_path_to_error::deserialize(value)
            .map_err(|e| self.fail(&json_place(e.path()), e.inner()))
    }
}

/// `$.schedule.conference.days[0].rooms["Room A"][2]`.
fn json_place(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::from("$");
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => {
                let _ = write!(out, "[{index}]");
            }
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

fn push_key(out: &mut String, key: &str) {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        out.push('.');
        out.push_str(key);
    } else {
        let _ = write!(out, "[{}]", serde_json::Value::String(key.to_owned()));
    }
}

/// Text of an optional string field, trimmed; empty counts as absent.
fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// A field that must be there, with `message` naming what is missing.
fn text_or_fail(
    ctx: &Ctx<'_>,
    value: &Option<String>,
    place: &str,
    message: &str,
) -> Result<String> {
    given(value).ok_or_else(|| ctx.fail(place, message))
}

/// A string or number id as text.
fn id_text(value: &Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The schedule id as the end of a note id: lower-case ASCII letters and digits, at most 12.
fn key_of(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(12)
        .collect()
}

/// The note id of a scheduled talk: the title's slug (as `tn new` derives it) and the key.
pub fn talk_id(title: &str, key: &str) -> Slug {
    let readings = crate::search::analysis::readings(title);
    let base = crate::slug::derive(title, &readings)
        .map(|s| s.to_string())
        .unwrap_or_else(|| "talk".to_owned());
    let room = Slug::MAX_LEN - 1 - key.len();
    let mut cut = String::new();
    for part in base.split('-') {
        let extra = if cut.is_empty() {
            part.len()
        } else {
            part.len() + 1
        };
        if cut.len() + extra > room {
            break;
        }
        if !cut.is_empty() {
            cut.push('-');
        }
        cut.push_str(part);
    }
    if cut.is_empty() {
        cut.push_str("talk");
    }
    format!("{cut}-{key}")
        .parse()
        .or_else(|_| format!("talk-{key}").parse())
        .unwrap_or_else(|_| unreachable!("`talk-` and a short alphanumeric key form a valid slug"))
}

/// An event id from an acronym or name.
pub fn event_id(name: &str) -> Option<Slug> {
    // An acronym that already is an id ("cnk2025") is kept as written.
    name.trim()
        .to_ascii_lowercase()
        .parse()
        .ok()
        .or_else(|| crate::slug::derive(name, &crate::search::analysis::readings(name)))
}

/// The kind of a session from its type ("Keynote", "Lightning Talk", "ハンズオン", ...).
pub fn kind_of(kind: &str) -> TalkKind {
    let k = name_key(kind);
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    if has(&["sponsor", "スポンサ"]) {
        TalkKind::Sponsor
    } else if has(&["keynote", "基調", "キーノート"]) {
        TalkKind::Keynote
    } else if has(&["lightning", "ライトニング"])
        || k == "lt"
        || k.starts_with("lt ")
        || k.ends_with(" lt")
    {
        TalkKind::Lightning
    } else if has(&["panel", "パネル"]) {
        TalkKind::Panel
    } else if has(&[
        "workshop",
        "hands-on",
        "handson",
        "tutorial",
        "ワークショップ",
        "ハンズオン",
    ]) {
        TalkKind::Workshop
    } else {
        TalkKind::Session
    }
}

/// `HH:MM`, `H:MM` or `HH:MM:SS` as hours and minutes (not limited to a day, for durations).
fn hours_minutes(text: &str) -> Option<(u16, u16)> {
    let mut parts = text.trim().split(':');
    let h: u16 = parts.next()?.parse().ok()?;
    let m = parts.next()?;
    if m.len() != 2 {
        return None;
    }
    let m: u16 = m.parse().ok()?;
    if let Some(s) = parts.next()
        && (s.len() != 2 || s.parse::<u16>().ok()? >= 60)
    {
        return None;
    }
    (parts.next().is_none() && m < 60).then_some((h, m))
}

fn clock(text: &str) -> Option<ClockTime> {
    let (h, m) = hours_minutes(text)?;
    ClockTime::new(u8::try_from(h).ok()?, u8::try_from(m).ok()?)
}

/// `start` plus `minutes`, or `None` past midnight. Durations come from the file and can be
/// anything up to 65535 hours, so the sum is computed wide.
fn add_minutes(start: ClockTime, minutes: u32) -> Option<ClockTime> {
    let total = u32::from(start.minutes()) + minutes;
    let hour = u8::try_from(total / 60).ok()?;
    ClockTime::new(hour, (total % 60) as u8)
}

/// The date of `2024-06-15` or `2024-06-15T10:00:00+09:00` (as written, in the event's zone).
fn date_of(text: &str) -> std::result::Result<Date, String> {
    let day = text.trim().get(..10).unwrap_or(text.trim());
    day.parse()
}

/// The `HH:MM` of `2024-06-15T10:00:00`.
fn time_of(text: &str) -> Option<ClockTime> {
    clock(text.trim().get(11..16)?)
}

fn language_code(text: &str) -> Option<String> {
    let t = name_key(text);
    let code = match t.as_str() {
        "" => return None,
        "japanese" | "日本語" | "ja-jp" | "jp" => "ja",
        "english" | "英語" | "en-us" | "en-gb" => "en",
        other if other.len() <= 3 && other.chars().all(|c| c.is_ascii_alphabetic()) => other,
        _ => return None,
    };
    Some(code.to_owned())
}

fn topic_tag(track: &str) -> Option<String> {
    let tag = track.trim();
    (!tag.is_empty()).then(|| tag.to_owned())
}

/// Keys must be unique within a schedule, or two sessions would update one note.
fn check_unique(ctx: &Ctx<'_>, talks: &[ScheduledTalk]) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for t in talks {
        if let Some(first) = seen.insert(&t.key, &t.place) {
            return Err(ctx.fail(
                &t.place,
                format!(
                    "this session has the same id as {first} (`{}`); each session needs its own",
                    t.key
                ),
            ));
        }
    }
    Ok(())
}

fn validate(ctx: &Ctx<'_>, talk: &Talk, place: &str) -> Result<()> {
    match talk.semantic_problems().into_iter().next() {
        Some(problem) => Err(ctx.fail(&format!("{place}.{}", problem.field), problem.message)),
        None => Ok(()),
    }
}

/// Applies the schedule's fields to a talk; everything the user wrote stays. Day and times
/// move together, so a rescheduled talk never ends before it starts.
pub fn merge_talk(existing: &mut Talk, incoming: &ScheduledTalk) {
    let new = &incoming.talk;
    existing.title = new.title.clone();
    if new.source.is_some() {
        existing.source.clone_from(&new.source);
    }
    if incoming.kind_given {
        existing.kind = new.kind;
    }
    if new.url.is_some() {
        existing.url = new.url.clone();
    }
    if !new.speakers.is_empty() {
        // Keep what the user added about a speaker the schedule knows only by name.
        existing.speakers = new
            .speakers
            .iter()
            .map(|s| {
                let known = existing.speakers.iter().find(|e| e.name == s.name);
                Speaker {
                    name: s.name.clone(),
                    affiliation: s
                        .affiliation
                        .clone()
                        .or_else(|| known.and_then(|k| k.affiliation.clone())),
                    role: s
                        .role
                        .clone()
                        .or_else(|| known.and_then(|k| k.role.clone())),
                }
            })
            .collect();
    }
    if new.date.is_some() || new.start.is_some() {
        existing.date = new.date.or(existing.date);
        existing.start = new.start;
        existing.end = new.end;
    }
    for (field, value) in [
        (&mut existing.track, &new.track),
        (&mut existing.language, &new.language),
        (&mut existing.r#abstract, &new.r#abstract),
    ] {
        if value.is_some() {
            field.clone_from(value);
        }
    }
    for tag in &new.tags {
        existing.add_tag(tag);
    }
    // Slides and recordings arrive after the event: added once each; a link the user already
    // has keeps its title and author, and learns its kind if it had none.
    for link in &new.links {
        match existing.links.iter_mut().find(|l| l.url == link.url) {
            Some(mine) => {
                if mine.kind.is_none() {
                    mine.kind = link.kind;
                }
            }
            None => existing.links.push(link.clone()),
        }
    }
}

/// Applies the schedule's fields to the event: name, days and URL.
pub fn merge_event(existing: &mut crate::note::Event, incoming: &ScheduledEvent) {
    if let Some(name) = &incoming.name {
        existing.name.clone_from(name);
    }
    if incoming.starts_on.is_some() {
        existing.starts_on = incoming.starts_on;
    }
    if incoming.ends_on.is_some() {
        existing.ends_on = incoming.ends_on;
    }
    if incoming.url.is_some() {
        existing.url.clone_from(&incoming.url);
    }
    if incoming.timezone.is_some() {
        existing.timezone.clone_from(&incoming.timezone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_types_map_to_kinds() {
        for (text, kind) in [
            ("Keynote", TalkKind::Keynote),
            ("基調講演", TalkKind::Keynote),
            ("Sponsor Keynote", TalkKind::Sponsor),
            ("スポンサーセッション", TalkKind::Sponsor),
            ("Lightning Talk", TalkKind::Lightning),
            ("LT", TalkKind::Lightning),
            ("Panel discussion", TalkKind::Panel),
            ("ハンズオン", TalkKind::Workshop),
            ("Talk", TalkKind::Session),
            ("Session (40min)", TalkKind::Session),
        ] {
            assert_eq!(kind_of(text), kind, "{text}");
        }
    }

    #[test]
    fn times_and_durations() {
        assert_eq!(clock("9:05").unwrap().to_string(), "09:05");
        assert_eq!(clock("13:05:00").unwrap().to_string(), "13:05");
        assert!(clock("25:00").is_none());
        assert!(clock("12:5").is_none());
        assert_eq!(hours_minutes("01:30"), Some((1, 30)));
        let start = clock("23:30").unwrap();
        assert!(add_minutes(start, 40).is_none());
        assert_eq!(add_minutes(start, 20).unwrap().to_string(), "23:50");
        assert!(add_minutes(start, 65_535 * 60 + 59).is_none());
        assert_eq!(
            date_of("2024-06-15T10:00:00+09:00").unwrap().to_string(),
            "2024-06-15"
        );
        assert_eq!(time_of("2024-06-15T10:00:00").unwrap().to_string(), "10:00");
    }

    #[test]
    fn ids_end_with_the_schedule_key_and_fit() {
        let id = talk_id("Cilium Deep Dive", "abc123");
        assert_eq!(id.as_str(), "cilium-deep-dive-abc123");
        let long = "word ".repeat(40);
        let id = talk_id(&long, "123456789012");
        assert!(id.as_str().len() <= Slug::MAX_LEN && id.as_str().ends_with("-123456789012"));
        assert_eq!(talk_id("🎉", "x1").as_str(), "talk-x1");
        assert_eq!(key_of("ABC-12_3"), "abc123");
    }

    #[test]
    fn merge_keeps_what_the_user_wrote() {
        let sched = ScheduledTalk {
            key: "k".into(),
            place: "$".into(),
            kind_given: false,
            talk: {
                let mut t = Talk::new("x-k".parse().unwrap(), "New title");
                t.speakers = vec![Speaker {
                    name: "Jane".into(),
                    affiliation: None,
                    role: None,
                }];
                t.date = Some("2024-06-16".parse().unwrap());
                t.start = Some("10:00".parse().unwrap());
                t.tags = vec!["Security".into()];
                t
            },
        };
        let mut mine = Talk::new("x-k".parse().unwrap(), "Old");
        mine.kind = TalkKind::Keynote;
        mine.speakers = vec![Speaker::parse_cli("Jane (Example)")];
        mine.start = Some("09:00".parse().unwrap());
        mine.end = Some("09:40".parse().unwrap());
        mine.memo = Some("mine".into());
        mine.tags = vec!["mine".into()];
        merge_talk(&mut mine, &sched);
        assert_eq!(mine.title, "New title");
        assert_eq!(mine.kind, TalkKind::Keynote);
        assert_eq!(mine.speakers[0].affiliation.as_deref(), Some("Example"));
        assert_eq!(mine.start.unwrap().to_string(), "10:00");
        assert_eq!(mine.end, None);
        assert_eq!(mine.memo.as_deref(), Some("mine"));
        assert_eq!(mine.tags, ["mine", "Security"]);
        assert!(mine.semantic_problems().is_empty());
    }
}
