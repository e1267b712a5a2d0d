//! frab and pretalx `schedule.json`: `schedule.conference.days[].rooms{name: [session]}`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::{
    Ctx, Format, Schedule, ScheduledEvent, ScheduledTalk, add_minutes, check_unique, clock,
    date_of, event_id, given, hours_minutes, id_text, key_of, kind_of, language_code, push_key,
    push_link, schedule_link, text_or_fail, time_of, topic_tag, validate,
};
use crate::error::Result;
use crate::note::{Date, LinkKind, Speaker, ZoneName};

#[derive(Deserialize)]
struct FrabDoc {
    schedule: FrabSchedule,
}

#[derive(Deserialize)]
struct FrabSchedule {
    #[serde(default)]
    url: Option<String>,
    conference: FrabConference,
}

#[derive(Deserialize)]
struct FrabConference {
    #[serde(default)]
    acronym: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    time_zone_name: Option<String>,
    #[serde(default)]
    days: Vec<FrabDay>,
}

#[derive(Deserialize)]
struct FrabDay {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    rooms: BTreeMap<String, Vec<FrabTalk>>,
}

#[derive(Deserialize)]
struct FrabTalk {
    #[serde(default)]
    guid: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    subtitle: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    duration: Option<String>,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    track: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default, rename = "abstract")]
    summary: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    persons: Vec<FrabPerson>,
    /// pretalx: files the speakers uploaded (slides); frab: the same, as `{url, title}`.
    #[serde(default)]
    attachments: Vec<FrabLink>,
    /// pretalx and frab: pages and recordings, `{url, title}`.
    #[serde(default)]
    links: Vec<FrabLink>,
}

#[derive(Deserialize)]
struct FrabLink {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Deserialize)]
struct FrabPerson {
    #[serde(default)]
    public_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    full_public_name: Option<String>,
}

/// Reads a frab or pretalx `schedule.json`.
pub fn parse_frab(path: &Path, text: &str) -> Result<Schedule> {
    let ctx = Ctx {
        path,
        format: Format::Frab,
    };
    let doc: FrabDoc = ctx.parse(text)?;
    let conf = doc.schedule.conference;
    let base = "$.schedule.conference";
    let name = text_or_fail(
        &ctx,
        &conf.title,
        &format!("{base}.title"),
        "the conference has no title",
    )?;
    let event_date = |value: &Option<String>, field: &str| -> Result<Option<Date>> {
        given(value)
            .map(|d| date_of(&d).map_err(|e| ctx.fail(&format!("{base}.{field}"), e)))
            .transpose()
    };
    let event = ScheduledEvent {
        id: given(&conf.acronym)
            .and_then(|a| event_id(&a))
            .or_else(|| event_id(&name)),
        starts_on: event_date(&conf.start, "start")?,
        ends_on: event_date(&conf.end, "end")?,
        url: given(&conf.url).or_else(|| given(&doc.schedule.url)),
        name: Some(name),
        timezone: given(&conf.time_zone_name)
            .map(|z| {
                z.parse::<ZoneName>()
                    .map_err(|e| ctx.fail(&format!("{base}.time_zone_name"), e))
            })
            .transpose()?,
    };
    // Found here, the mistake is reported with its place; the event note would refuse it later.
    if let (Some(start), Some(end)) = (event.starts_on, event.ends_on)
        && end < start
    {
        return Err(ctx.fail(
            &format!("{base}.end"),
            format!("the conference ends ({end}) before it starts ({start})"),
        ));
    }

    let mut talks = Vec::new();
    for (d, day) in conf.days.iter().enumerate() {
        let day_place = format!("{base}.days[{d}]");
        let day_date = given(&day.date)
            .map(|v| date_of(&v).map_err(|e| ctx.fail(&format!("{day_place}.date"), e)))
            .transpose()?;
        for (room, sessions) in &day.rooms {
            let mut room_place = format!("{day_place}.rooms");
            push_key(&mut room_place, room);
            for (i, session) in sessions.iter().enumerate() {
                let place = format!("{room_place}[{i}]");
                talks.push(frab_talk(&ctx, session, &place, room, day_date)?);
            }
        }
    }
    check_unique(&ctx, &talks)?;
    Ok(Schedule {
        format: Format::Frab,
        event,
        talks,
        warnings: Vec::new(),
    })
}

fn frab_talk(
    ctx: &Ctx<'_>,
    s: &FrabTalk,
    place: &str,
    room: &str,
    day_date: Option<Date>,
) -> Result<ScheduledTalk> {
    let title = text_or_fail(
        ctx,
        &s.title,
        &format!("{place}.title"),
        "the session has no title",
    )?;
    // The schedule's id of the session, and the short key that ends the note id.
    let (source_id, key) = given(&s.code)
        .or_else(|| id_text(&s.id))
        .map(|id| (id.clone(), key_of(&id)))
        .or_else(|| {
            given(&s.guid).map(|g| {
                let short: String = g.replace('-', "").chars().take(8).collect();
                (g, key_of(&short))
            })
        })
        .filter(|(_, key)| !key.is_empty())
        .ok_or_else(|| {
            ctx.fail(
                place,
                "the session has no `code`, `id` or `guid`, which a re-import needs to find its note again",
            )
        })?;
    let date = match given(&s.date) {
        Some(d) => Some(date_of(&d).map_err(|e| ctx.fail(&format!("{place}.date"), e))?),
        None => day_date,
    };
    let start = match given(&s.start) {
        Some(t) => Some(clock(&t).ok_or_else(|| {
            ctx.fail(
                &format!("{place}.start"),
                format!("`{t}` is not a valid time: write HH:MM (24-hour), e.g. 13:05"),
            )
        })?),
        None => given(&s.date).as_deref().and_then(time_of),
    };
    let end = match (start, given(&s.duration)) {
        (Some(start), Some(duration)) => {
            let (h, m) = hours_minutes(&duration).ok_or_else(|| {
                ctx.fail(
                    &format!("{place}.duration"),
                    format!("`{duration}` is not a valid duration: write HH:MM, e.g. 00:40"),
                )
            })?;
            // A session running past midnight has no end on its day.
            add_minutes(start, u32::from(h) * 60 + u32::from(m))
        }
        _ => None,
    };
    let mut scheduled = ScheduledTalk::new(Format::Frab, &source_id, key, title, place);
    scheduled.kind_given = given(&s.kind).is_some();
    let talk = &mut scheduled.talk;
    talk.kind = given(&s.kind).map(|k| kind_of(&k)).unwrap_or_default();
    talk.url = given(&s.url);
    talk.speakers = s
        .persons
        .iter()
        .filter_map(|p| {
            given(&p.public_name)
                .or_else(|| given(&p.name))
                .or_else(|| given(&p.full_public_name))
        })
        .map(|name| Speaker {
            name,
            affiliation: None,
            role: None,
        })
        .collect();
    talk.date = date;
    talk.start = start;
    talk.end = end;
    talk.track = given(&s.room).or_else(|| topic_tag(room));
    talk.language = given(&s.language).as_deref().and_then(language_code);
    let mut summary = given(&s.summary).or_else(|| given(&s.description));
    if let Some(subtitle) = given(&s.subtitle) {
        summary = Some(match summary {
            Some(body) => format!("{subtitle}\n\n{body}"),
            None => subtitle,
        });
    }
    talk.r#abstract = summary;
    if let Some(tag) = given(&s.track).as_deref().and_then(topic_tag) {
        talk.add_tag(&tag);
    }
    // Uploaded files are mostly slides; links are pages unless the URL says otherwise.
    for (links, default) in [
        (&s.attachments, LinkKind::Slides),
        (&s.links, LinkKind::Page),
    ] {
        for link in links {
            if let Some(url) = given(&link.url) {
                push_link(
                    &mut talk.links,
                    schedule_link(&url, given(&link.title), default),
                );
            }
        }
    }
    validate(ctx, talk, place)?;
    Ok(scheduled)
}
