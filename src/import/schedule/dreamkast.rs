//! Dreamkast, the platform of CloudNative Days: its public API's JSON.
//!
//! A schedule comes in up to four responses, each a file of its own (or fetched together by
//! `tn import https://…/api/v1/talks?eventAbbr=…`): the talks (`/api/v1/talks?eventAbbr=`),
//! and optionally the speakers (`/api/v1/speakers?eventAbbr=`: affiliations and roles), the
//! events (`/api/v1/events`: the event's name, days and abbreviation) and the tracks
//! (`/api/v1/tracks?eventAbbr=`: the names of the rooms). Which is which is told from the
//! content. A talk's `startTime` carries a dummy date (`2000-01-01T10:00:00.000+09:00`): the
//! day is `conferenceDayDate`, and a talk without one has no slot yet. Breaks are rows whose
//! abstract is `intermission`. Slides are `documentUrl`; the recording is `videoId` (a Vimeo
//! id, or a URL) once the archive is published.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{
    Ctx, Format, Schedule, ScheduledEvent, ScheduledTalk, check_unique, clock, date_of, event_id,
    given, key_of, kind_of, push_link, schedule_link, topic_tag, validate,
};
use crate::error::Result;
use crate::note::{ClockTime, Date, LinkKind, Speaker, TalkKind, ZoneName};

/// Where CloudNative Days runs Dreamkast: talk pages are `<site>/<abbr>/talks/<id>`.
pub const SITE: &str = "https://event.cloudnativedays.jp";

/// Which API response a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    Talks,
    Speakers,
    Events,
    Tracks,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Talks => "Dreamkast talks (/api/v1/talks)",
            Part::Speakers => "Dreamkast speakers (/api/v1/speakers)",
            Part::Events => "Dreamkast events (/api/v1/events)",
            Part::Tracks => "Dreamkast tracks (/api/v1/tracks)",
        }
    }

    /// The part a JSON document is, judged by the fields of its (first) object.
    pub fn of(document: &Value) -> Option<Part> {
        let object = match document {
            Value::Array(items) => items.first()?.as_object()?,
            Value::Object(map) => map,
            _ => return None,
        };
        let has = |key: &str| object.contains_key(key);
        let array = document.is_array();
        if has("abbr") && has("conferenceDays") {
            Some(Part::Events)
        } else if !array {
            None
        } else if has("conferenceDayDate") || (has("startTime") && has("trackId")) {
            Some(Part::Talks)
        } else if has("title") {
            None
        } else if has("name") && (has("company") || has("jobTitle") || has("avatarUrl")) {
            Some(Part::Speakers)
        } else if has("name") && (has("onAirTalk") || has("videoPlatform")) {
            Some(Part::Tracks)
        } else {
            None
        }
    }

    /// The part broken JSON seems to be, by the names it uses (so its error fits).
    pub fn guess(text: &str) -> Option<Part> {
        let body = text.trim_start_matches('\u{feff}').trim_start();
        (body.starts_with('[') && body.contains("\"conferenceDayDate\"")).then_some(Part::Talks)
    }
}

/// The files of one Dreamkast schedule, as read; only the talks are required.
#[derive(Debug, Clone, Default)]
pub struct DreamkastFiles<'a> {
    pub talks: Option<(&'a Path, &'a str)>,
    pub speakers: Option<(&'a Path, &'a str)>,
    pub events: Option<(&'a Path, &'a str)>,
    pub tracks: Option<(&'a Path, &'a str)>,
    /// The event's abbreviation when the talks came from a URL naming it (`eventAbbr=`).
    pub abbr: Option<String>,
    /// The site they came from (`https://host`), for the talks' pages; [`SITE`] by default.
    pub site: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DkTalk {
    id: u64,
    #[serde(default)]
    conference_id: Option<u64>,
    #[serde(default)]
    track_id: Option<u64>,
    #[serde(default)]
    video_platform: Option<String>,
    #[serde(default)]
    video_id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default, rename = "abstract")]
    summary: Option<String>,
    #[serde(default)]
    speakers: Vec<DkTalkSpeaker>,
    #[serde(default)]
    start_time: Option<String>,
    #[serde(default)]
    end_time: Option<String>,
    #[serde(default)]
    talk_difficulty: Option<String>,
    #[serde(default)]
    talk_category: Option<String>,
    #[serde(default)]
    document_url: Option<String>,
    #[serde(default)]
    conference_day_date: Option<String>,
    #[serde(default)]
    presentation_method: Option<String>,
    #[serde(default)]
    allow_showing_video: Option<bool>,
    #[serde(default)]
    sponsor: Option<DkSponsor>,
}

#[derive(Deserialize)]
struct DkTalkSpeaker {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "nameKanji")]
    name_kanji: Option<String>,
}

#[derive(Deserialize)]
struct DkSponsor {}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DkSpeaker {
    id: u64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    name_kanji: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    job_title: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DkEvent {
    #[serde(default)]
    id: Option<u64>,
    name: String,
    abbr: String,
    #[serde(default)]
    conference_days: Vec<DkDay>,
}

#[derive(Deserialize)]
struct DkDay {
    date: String,
    #[serde(default)]
    internal: Option<bool>,
}

#[derive(Deserialize)]
struct DkTrack {
    id: u64,
    name: String,
}

/// `/api/v1/events` lists events; `/api/v1/events/<abbr>` is one.
#[derive(Deserialize)]
#[serde(untagged)]
enum DkEvents {
    Many(Vec<DkEvent>),
    One(DkEvent),
}

fn ctx(path: &Path) -> Ctx<'_> {
    Ctx {
        path,
        format: Format::Dreamkast,
    }
}

/// Reads a Dreamkast schedule from its files.
pub fn parse_dreamkast(files: &DreamkastFiles<'_>) -> Result<Schedule> {
    let Some((talks_path, talks_text)) = files.talks else {
        let (path, _) = files
            .speakers
            .or(files.events)
            .or(files.tracks)
            .unwrap_or((Path::new("-"), ""));
        return Err(ctx(path).fail(
            "$",
            "a Dreamkast speakers, events or tracks file only adds to the talks: import it together with the talks (/api/v1/talks?eventAbbr=…)",
        ));
    };
    let talks_ctx = ctx(talks_path);
    let talks: Vec<DkTalk> = talks_ctx.parse(talks_text)?;
    let speakers: Vec<DkSpeaker> = match files.speakers {
        Some((path, text)) => ctx(path).parse(text)?,
        None => Vec::new(),
    };
    let tracks: Vec<DkTrack> = match files.tracks {
        Some((path, text)) => ctx(path).parse(text)?,
        None => Vec::new(),
    };
    // Also whether the events came as an array, to name places in it.
    let (events, listed): (Vec<DkEvent>, bool) = match files.events {
        Some((path, text)) => match ctx(path).parse::<DkEvents>(text)? {
            DkEvents::Many(events) => (events, true),
            DkEvents::One(event) => (vec![event], false),
        },
        None => (Vec::new(), false),
    };

    // The talks' event: by its database id (`conferenceId`), else the abbreviation the URL
    // named, else the only one listed.
    let conference = talks.iter().find_map(|t| t.conference_id);
    let event = events
        .iter()
        .find(|e| conference.is_some() && e.id == conference)
        .or_else(|| {
            files
                .abbr
                .as_deref()
                .and_then(|abbr| events.iter().find(|e| e.abbr == abbr))
        })
        .or(match events.as_slice() {
            [only] => Some(only),
            _ => None,
        });
    if let (Some((path, _)), None) = (files.events, event) {
        return Err(ctx(path).fail(
            "$",
            match conference {
                Some(id) => format!("no event here has the talks' conferenceId {id}"),
                None => "the talks name no conferenceId, and this lists several events".to_owned(),
            },
        ));
    }
    let abbr = event
        .map(|e| e.abbr.trim().to_owned())
        .or_else(|| files.abbr.clone())
        .filter(|a| !a.is_empty());
    let site = files
        .site
        .clone()
        .unwrap_or_else(|| SITE.to_owned())
        .trim_end_matches('/')
        .to_owned();

    let speakers: BTreeMap<u64, &DkSpeaker> = speakers.iter().map(|s| (s.id, s)).collect();
    let tracks: BTreeMap<u64, &str> = tracks.iter().map(|t| (t.id, t.name.as_str())).collect();
    let mut scheduled = Vec::new();
    let mut zone: Option<ZoneName> = None;
    for (i, row) in talks.iter().enumerate() {
        let place = format!("$[{i}]");
        if is_intermission(row) {
            continue;
        }
        if zone.is_none() {
            zone = row.start_time.as_deref().and_then(zone_of);
        }
        scheduled.push(dreamkast_talk(
            &talks_ctx,
            row,
            &place,
            abbr.as_deref(),
            &site,
            &speakers,
            &tracks,
        )?);
    }
    check_unique(&talks_ctx, &scheduled)?;

    let mut days: Vec<Date> = Vec::new();
    if let (Some(event), Some((path, _))) = (event, files.events) {
        let base = match events.iter().position(|e| std::ptr::eq(e, event)) {
            Some(n) if listed => format!("$[{n}]"),
            _ => "$".to_owned(),
        };
        for (d, day) in event.conference_days.iter().enumerate() {
            // Internal days are rehearsals, not part of the event.
            if day.internal == Some(true) {
                continue;
            }
            let date = date_of(&day.date)
                .map_err(|e| ctx(path).fail(&format!("{base}.conferenceDays[{d}].date"), e))?;
            days.push(date);
        }
    }
    if days.is_empty() {
        days = scheduled.iter().filter_map(|t| t.talk.date).collect();
    }
    days.sort();
    Ok(Schedule {
        format: Format::Dreamkast,
        event: ScheduledEvent {
            id: abbr.as_deref().and_then(event_id),
            name: event
                .map(|e| e.name.trim().to_owned())
                .filter(|n| !n.is_empty()),
            starts_on: days.first().copied(),
            ends_on: days.last().copied(),
            url: abbr.as_deref().map(|a| format!("{site}/{a}")),
            timezone: zone,
        },
        talks: scheduled,
        warnings: Vec::new(),
    })
}

/// A break in the timetable, not a talk.
fn is_intermission(row: &DkTalk) -> bool {
    let is = |text: &Option<String>| {
        text.as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("intermission"))
    };
    is(&row.summary) || (is(&row.title) && row.speakers.is_empty())
}

/// Dreamkast runs in Japan time; its times carry the offset, `+09:00`.
fn zone_of(time: &str) -> Option<ZoneName> {
    time.trim()
        .ends_with("+09:00")
        .then(|| "Asia/Tokyo".parse().ok())
        .flatten()
}

/// The clock time of `2000-01-01T10:00:00.000+09:00` (the date is a placeholder).
fn clock_of(ctx: &Ctx<'_>, value: &Option<String>, place: &str) -> Result<Option<ClockTime>> {
    let Some(text) = given(value) else {
        return Ok(None);
    };
    text.get(11..16)
        .filter(|_| text.as_bytes().get(10) == Some(&b'T'))
        .and_then(clock)
        .map(Some)
        .ok_or_else(|| {
            ctx.fail(
                place,
                format!("`{text}` is not a time: expected 2000-01-01T10:00:00.000+09:00"),
            )
        })
}

#[allow(clippy::too_many_arguments)]
fn dreamkast_talk(
    ctx: &Ctx<'_>,
    row: &DkTalk,
    place: &str,
    abbr: Option<&str>,
    site: &str,
    speakers: &BTreeMap<u64, &DkSpeaker>,
    tracks: &BTreeMap<u64, &str>,
) -> Result<ScheduledTalk> {
    let title = given(&row.title)
        .ok_or_else(|| ctx.fail(&format!("{place}.title"), "the talk has no title"))?;
    let id = row.id.to_string();
    let mut scheduled = ScheduledTalk::new(Format::Dreamkast, &id, key_of(&id), title, place);
    let talk = &mut scheduled.talk;
    talk.url = abbr.map(|a| format!("{site}/{a}/talks/{id}"));
    talk.r#abstract = given(&row.summary).map(|a| a.replace("\r\n", "\n"));
    for (j, s) in row.speakers.iter().enumerate() {
        let known = s.id.and_then(|id| speakers.get(&id));
        let name = given(&s.name).or_else(|| known.and_then(|k| given(&k.name)));
        let kanji = given(&s.name_kanji).or_else(|| known.and_then(|k| given(&k.name_kanji)));
        let name = both_names(kanji, name).ok_or_else(|| {
            ctx.fail(
                &format!("{place}.speakers[{j}].name"),
                "the speaker has no name",
            )
        })?;
        talk.speakers.push(Speaker {
            name,
            affiliation: known.and_then(|k| given(&k.company)),
            role: known.and_then(|k| given(&k.job_title)),
        });
    }
    // A talk without a day has no slot yet, whatever its times say.
    if let Some(day) = given(&row.conference_day_date) {
        talk.date =
            Some(date_of(&day).map_err(|e| ctx.fail(&format!("{place}.conferenceDayDate"), e))?);
        talk.start = clock_of(ctx, &row.start_time, &format!("{place}.startTime"))?;
        let end = clock_of(ctx, &row.end_time, &format!("{place}.endTime"))?;
        talk.end = end.filter(|e| talk.start.is_none_or(|s| *e >= s));
    }
    talk.track = row
        .track_id
        .and_then(|t| tracks.get(&t))
        .and_then(|name| topic_tag(name));
    let category = given(&row.talk_category);
    let mut kind_given = false;
    if row.sponsor.is_some() {
        talk.kind = TalkKind::Sponsor;
        kind_given = true;
    } else if let Some(kind) = category.as_deref().map(kind_of)
        && kind != TalkKind::Session
    {
        talk.kind = kind;
        kind_given = true;
    }
    for tag in [&category, &row.talk_difficulty, &row.presentation_method] {
        if let Some(tag) = given(tag).as_deref().and_then(topic_tag)
            && kind_of(&tag) == TalkKind::Session
        {
            talk.add_tag(&tag);
        }
    }
    if let Some(url) = given(&row.document_url) {
        push_link(&mut talk.links, schedule_link(&url, None, LinkKind::Slides));
    }
    if row.allow_showing_video != Some(false)
        && let Some(video) = given(&row.video_id)
    {
        let platform = given(&row.video_platform).map(|p| p.to_ascii_lowercase());
        let url = if video.contains("://") {
            Some(video)
        } else {
            match platform.as_deref() {
                Some("youtube") => Some(format!("https://www.youtube.com/watch?v={video}")),
                // Archives from the admin screen name no platform; their ids are Vimeo's.
                None | Some("vimeo") if video.bytes().all(|b| b.is_ascii_digit()) => {
                    Some(format!("https://vimeo.com/{video}"))
                }
                _ => None,
            }
        };
        if let Some(url) = url {
            push_link(&mut talk.links, schedule_link(&url, None, LinkKind::Video));
        }
    }
    validate(ctx, talk, place)?;
    scheduled.kind_given = kind_given;
    Ok(scheduled)
}

/// A speaker's name with both of Dreamkast's spellings, `鈴木 海斗 / Kaito Suzuki`, so that
/// either finds the talk (the romanised one alone left a Japanese name unsearchable); one of
/// them when the other is missing or the same.
fn both_names(kanji: Option<String>, name: Option<String>) -> Option<String> {
    let key = |s: &str| s.split_whitespace().collect::<String>().to_lowercase();
    match (kanji, name) {
        (Some(k), Some(n)) if key(&k) != key(&n) => Some(format!("{k} / {n}")),
        (Some(k), _) => Some(k),
        (None, n) => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_speaker_keeps_both_spellings_of_the_name() {
        let both = |k: Option<&str>, n: Option<&str>| {
            both_names(k.map(str::to_owned), n.map(str::to_owned))
        };
        assert_eq!(
            both(Some("鈴木 海斗"), Some("Kaito Suzuki")).as_deref(),
            Some("鈴木 海斗 / Kaito Suzuki")
        );
        assert_eq!(
            both(Some("Jane Doe"), Some("jane  doe")).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(both(Some("鈴木 海斗"), None).as_deref(), Some("鈴木 海斗"));
        assert_eq!(
            both(None, Some("Kaito Suzuki")).as_deref(),
            Some("Kaito Suzuki")
        );
        assert_eq!(both(None, None), None);
    }

    #[test]
    fn parts_are_told_apart_by_their_fields() {
        let talk = json!([{"id": 1, "title": "t", "startTime": "x", "trackId": 1, "conferenceDayDate": null}]);
        assert_eq!(Part::of(&talk), Some(Part::Talks));
        let speaker = json!([{"id": 1, "name": "n", "company": "c", "jobTitle": ""}]);
        assert_eq!(Part::of(&speaker), Some(Part::Speakers));
        let event = json!([{"id": 1, "name": "n", "abbr": "a", "conferenceDays": []}]);
        assert_eq!(Part::of(&event), Some(Part::Events));
        assert_eq!(Part::of(&event[0]), Some(Part::Events));
        let track = json!([{"id": 1, "name": "A", "videoPlatform": null, "onAirTalk": null}]);
        assert_eq!(Part::of(&track), Some(Part::Tracks));
        assert_eq!(Part::of(&json!([])), None);
        assert_eq!(
            Part::of(&json!([{"title": "x", "company": "c", "name": "n"}])),
            None
        );
        assert_eq!(Part::of(&json!({"talknotes": 1})), None);
    }

    #[test]
    fn times_take_the_clock_and_the_zone_from_the_offset() {
        let c = ctx(Path::new("t.json"));
        let at = |t: &str| clock_of(&c, &Some(t.into()), "$[0].startTime");
        assert_eq!(
            at("2000-01-01T10:05:00.000+09:00")
                .unwrap()
                .unwrap()
                .to_string(),
            "10:05"
        );
        assert!(at("10:05").is_err());
        assert_eq!(clock_of(&c, &None, "x").unwrap(), None);
        assert_eq!(
            zone_of("2000-01-01T10:05:00.000+09:00").unwrap().as_str(),
            "Asia/Tokyo"
        );
        assert_eq!(zone_of("2000-01-01T10:05:00.000Z"), None);
    }
}
