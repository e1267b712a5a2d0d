//! Sessionize "All" export (`/api/v2/{id}/view/All`): `sessions`, `speakers`, `rooms`,
//! `categories`; it names no event.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{
    Ctx, Format, Schedule, ScheduledEvent, ScheduledTalk, check_unique, date_of, given, id_text,
    key_of, kind_of, language_code, push_link, schedule_link, text_or_fail, time_of, topic_tag,
    validate,
};
use crate::error::Result;
use crate::note::{ClockTime, Date, LinkKind, Speaker};
use crate::search::analysis::name_key;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SzDoc {
    sessions: Vec<SzSession>,
    #[serde(default)]
    speakers: Vec<SzSpeaker>,
    #[serde(default)]
    rooms: Vec<SzRoom>,
    #[serde(default)]
    categories: Vec<SzCategory>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SzSession {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    starts_at: Option<String>,
    #[serde(default)]
    ends_at: Option<String>,
    #[serde(default)]
    is_service_session: bool,
    #[serde(default)]
    speakers: Vec<Value>,
    #[serde(default)]
    category_items: Vec<Value>,
    #[serde(default)]
    room_id: Option<Value>,
    #[serde(default)]
    recording_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SzSpeaker {
    id: Value,
    #[serde(default)]
    full_name: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    tag_line: Option<String>,
}

#[derive(Deserialize)]
struct SzRoom {
    id: Value,
    name: String,
}

#[derive(Deserialize)]
struct SzCategory {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    items: Vec<SzItem>,
}

#[derive(Deserialize)]
struct SzItem {
    id: Value,
    name: String,
}

/// What a Sessionize category item says about a session.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CategoryRole {
    Track,
    Format,
    Language,
    Other,
}

fn category_role(title: &str) -> CategoryRole {
    let t = name_key(title);
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["track", "トラック", "topic", "テーマ"]) {
        CategoryRole::Track
    } else if has(&["format", "type", "形式", "種別"]) {
        CategoryRole::Format
    } else if has(&["language", "言語"]) {
        CategoryRole::Language
    } else {
        CategoryRole::Other
    }
}

/// Reads a Sessionize "All" export (`/api/v2/{id}/view/All`).
pub fn parse_sessionize(path: &Path, text: &str) -> Result<Schedule> {
    let ctx = Ctx {
        path,
        format: Format::Sessionize,
    };
    let doc: SzDoc = ctx.parse(text)?;
    let id_of = |v: &Value| id_text(&Some(v.clone())).unwrap_or_default();
    let speakers: BTreeMap<String, &SzSpeaker> =
        doc.speakers.iter().map(|s| (id_of(&s.id), s)).collect();
    let rooms: BTreeMap<String, &str> = doc
        .rooms
        .iter()
        .map(|r| (id_of(&r.id), r.name.as_str()))
        .collect();
    let mut items: BTreeMap<String, (CategoryRole, &str)> = BTreeMap::new();
    for category in &doc.categories {
        let role = category_role(category.title.as_deref().unwrap_or(""));
        for item in &category.items {
            items.insert(id_of(&item.id), (role, item.name.as_str()));
        }
    }

    let mut talks = Vec::new();
    for (i, s) in doc.sessions.iter().enumerate() {
        if s.is_service_session {
            continue; // breaks, lunch, registration: not talks
        }
        let place = format!("$.sessions[{i}]");
        let title = text_or_fail(
            &ctx,
            &s.title,
            &format!("{place}.title"),
            "the session has no title",
        )?;
        let (source_id, key) = id_text(&s.id)
            .map(|id| (id.clone(), key_of(&id)))
            .filter(|(_, k)| !k.is_empty())
            .ok_or_else(|| {
                ctx.fail(
                    &format!("{place}.id"),
                    "the session has no id, which a re-import needs to find its note again",
                )
            })?;
        let moment = |value: &Option<String>, field: &str| -> Result<Option<(Date, ClockTime)>> {
            let Some(v) = given(value) else {
                return Ok(None);
            };
            let bad = || {
                ctx.fail(
                    &format!("{place}.{field}"),
                    format!("`{v}` is not a date and time: expected YYYY-MM-DDTHH:MM:SS"),
                )
            };
            let date = date_of(&v).map_err(|_| bad())?;
            let time = time_of(&v).ok_or_else(bad)?;
            Ok(Some((date, time)))
        };
        let starts = moment(&s.starts_at, "startsAt")?;
        let ends = moment(&s.ends_at, "endsAt")?;
        let mut scheduled = ScheduledTalk::new(Format::Sessionize, &source_id, key, title, &place);
        let talk = &mut scheduled.talk;
        talk.date = starts.map(|(d, _)| d);
        talk.start = starts.map(|(_, t)| t);
        talk.end = match (starts, ends) {
            (Some((sd, st)), Some((ed, et))) if sd == ed && et >= st => Some(et),
            _ => None,
        };
        talk.r#abstract = given(&s.description);
        for (j, speaker) in s.speakers.iter().enumerate() {
            // The "All" view lists speaker ids; other views embed {id, name}.
            let (id, embedded_name) = match speaker {
                Value::Object(map) => (
                    map.get("id").map(id_of).unwrap_or_default(),
                    map.get("name").and_then(Value::as_str).map(str::to_owned),
                ),
                other => (id_of(other), None),
            };
            let found = speakers.get(&id);
            let name = found
                .and_then(|sp| {
                    given(&sp.full_name).or_else(|| {
                        let parts: Vec<String> = [&sp.first_name, &sp.last_name]
                            .into_iter()
                            .filter_map(given)
                            .collect();
                        (!parts.is_empty()).then(|| parts.join(" "))
                    })
                })
                .or(embedded_name)
                .ok_or_else(|| {
                    ctx.fail(
                        &format!("{place}.speakers[{j}]"),
                        format!("speaker `{id}` is not in the export's `speakers`"),
                    )
                })?;
            talk.speakers.push(Speaker {
                name,
                affiliation: found.and_then(|sp| given(&sp.tag_line)),
                role: None,
            });
        }
        if let Some(room) = &s.room_id
            && !room.is_null()
        {
            let id = id_of(room);
            let name = rooms.get(&id).ok_or_else(|| {
                ctx.fail(
                    &format!("{place}.roomId"),
                    format!("room `{id}` is not in the export's `rooms`"),
                )
            })?;
            talk.track = topic_tag(name);
        }
        let mut kind_given = false;
        if let Some(url) = given(&s.recording_url) {
            push_link(&mut talk.links, schedule_link(&url, None, LinkKind::Video));
        }
        for item in &s.category_items {
            match items.get(&id_of(item)) {
                Some((CategoryRole::Track, name)) => {
                    if let Some(tag) = topic_tag(name) {
                        talk.add_tag(&tag);
                    }
                }
                Some((CategoryRole::Format, name)) => {
                    talk.kind = kind_of(name);
                    kind_given = true;
                }
                Some((CategoryRole::Language, name)) => talk.language = language_code(name),
                _ => {}
            }
        }
        scheduled.kind_given = kind_given;
        validate(&ctx, &scheduled.talk, &place)?;
        talks.push(scheduled);
    }
    check_unique(&ctx, &talks)?;
    let dates: BTreeSet<Date> = talks.iter().filter_map(|t| t.talk.date).collect();
    Ok(Schedule {
        format: Format::Sessionize,
        event: ScheduledEvent {
            id: None,
            name: None,
            starts_on: dates.first().copied(),
            ends_on: dates.last().copied(),
            url: None,
            timezone: None,
        },
        talks,
        warnings: Vec::new(),
    })
}
