//! Sched iCalendar feeds (`https://<event>.sched.com/all.ics`): how KubeCon publishes its
//! schedule.
//!
//! One talk per `VEVENT`: `SUMMARY` is the title, `DESCRIPTION` the abstract (with the
//! speakers taken out of a trailing `Speakers:` line when there is one), `DTSTART`/`DTEND`
//! the day and times, `LOCATION` the room, `CATEGORIES` the kind, language and tags, `URL` the
//! session page, `ATTACH` and slide or video URLs in the description the typed links, and
//! `UID` the key a re-import matches.
//!
//! Real feeds fold long lines inside multi-byte characters, so the file is unfolded on bytes
//! first ([`super::ical`]) and then parsed by the `icalendar` crate. Times come in UTC or
//! with a `TZID`; notes keep the event's wall-clock time, so every time is converted to the
//! event's zone: `--timezone`, else the feed's `X-WR-TIMEZONE`, else the zone its events
//! name, else the computer's (with a warning).

use std::path::Path;

use icalendar::{Component, EventLike};
use jiff::tz::TimeZone;

use super::ical::{Unfolded, Zones, local_time, looks_like_icalendar, nom_line};
use super::{
    Ctx, Format, Schedule, ScheduledEvent, ScheduledTalk, check_unique, event_id, key_of, kind_of,
    push_link, schedule_link, topic_tag, validate,
};
use crate::error::Result;
use crate::note::{Date, LinkKind, Speaker, TalkKind, ZoneName};
use crate::search::analysis::name_key;

/// Reads a Sched (or any) iCalendar feed. `zone` is the zone the user named for the event.
pub fn parse_sched(path: &Path, bytes: &[u8], zone: Option<&ZoneName>) -> Result<Schedule> {
    let ctx = Ctx {
        path,
        format: Format::Sched,
    };
    let raw = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if !looks_like_icalendar(raw) {
        return Err(ctx.fail(
            "line 1",
            "not an iCalendar file: it does not start with BEGIN:VCALENDAR",
        ));
    }
    let unfolded = Unfolded::new(raw);
    let text = std::str::from_utf8(&unfolded.bytes).map_err(|e| {
        ctx.fail(
            &format!("line {}", unfolded.line_of_offset(e.valid_up_to())),
            "not valid UTF-8 text",
        )
    })?;
    // Only line ends the parser takes (CRLF became LF above).
    let parsed = icalendar::parser::read_calendar(text).map_err(|e| {
        let line = nom_line(&e).map_or(1, |l| unfolded.file_line(l.saturating_sub(1)));
        ctx.fail(
            &format!("line {line}"),
            "not valid iCalendar: a line here is not `NAME:value`, or a BEGIN has no matching END",
        )
    })?;
    let calendar: icalendar::Calendar = parsed.into();

    // Where each VEVENT starts in the file, in order, for messages.
    let event_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_end().eq_ignore_ascii_case("BEGIN:VEVENT"))
        .map(|(i, _)| unfolded.file_line(i))
        .collect();
    let events: Vec<&icalendar::Event> = calendar.events().collect();
    if events.is_empty() {
        return Err(ctx.fail(
            "line 1",
            "the calendar has no events (no VEVENT): nothing to import",
        ));
    }

    let zones = Zones::of(&calendar);
    let (event_zone, warnings) = match zone {
        Some(zone) => (Some(zone.clone()), Vec::new()),
        None => match zones.named(&calendar, &events) {
            Some(zone) => (Some(zone), Vec::new()),
            None => (
                None,
                vec![format!(
                    "{}: the feed names no time zone; its times are shown in this computer's zone (pass --timezone ZONE, e.g. --timezone Asia/Tokyo, for the event's)",
                    path.display()
                )],
            ),
        },
    };
    let local = event_zone
        .as_ref()
        .map(ZoneName::zone)
        .unwrap_or_else(|| crate::clock::now().time_zone().clone());

    let mut talks = Vec::new();
    let mut skipped_breaks = 0usize;
    for (n, event) in events.iter().enumerate() {
        let line = event_lines.get(n).copied().unwrap_or(1);
        let place = format!("line {line} (VEVENT {})", n + 1);
        if is_break(event) {
            skipped_breaks += 1;
            continue;
        }
        talks.push(sched_talk(&ctx, event, &place, &zones, &local)?);
    }
    check_unique(&ctx, &talks)?;

    let mut warnings = warnings;
    if skipped_breaks > 0 {
        warnings.push(format!(
            "{}: {skipped_breaks} break(s) (registration, lunch, coffee) are not talks and were left out",
            path.display()
        ));
    }
    let dates: std::collections::BTreeSet<Date> =
        talks.iter().filter_map(|t| t.talk.date).collect();
    let name = calendar
        .property_value("X-WR-CALNAME")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    let site = sched_site(&talks);
    let id = site
        .as_deref()
        .and_then(event_id)
        .or_else(|| name.as_deref().and_then(event_id));
    Ok(Schedule {
        format: Format::Sched,
        event: ScheduledEvent {
            id,
            name,
            starts_on: dates.first().copied(),
            ends_on: dates.last().copied(),
            url: site.map(|s| format!("https://{s}.sched.com/")),
            timezone: event_zone,
        },
        talks,
        warnings,
    })
}

/// The Sched site of the talks' session pages (`kccncjp2026` of
/// `http://kccncjp2026.sched.com/event/…`), when they all share one.
fn sched_site(talks: &[ScheduledTalk]) -> Option<String> {
    let mut site: Option<String> = None;
    for talk in talks {
        let url = talk.talk.url.as_deref()?;
        let host = url.split_once("://")?.1.split('/').next()?;
        let sub = host
            .to_ascii_lowercase()
            .strip_suffix(".sched.com")?
            .to_owned();
        match &site {
            Some(s) if *s != sub => return None,
            _ => site = Some(sub),
        }
    }
    site
}

/// Breaks are in the feed too; they are not talks.
fn is_break(event: &icalendar::Event) -> bool {
    const BREAKS: &[&str] = &[
        "break",
        "breaks",
        "lunch",
        "breakfast",
        "coffee",
        "registration",
        "badge pick-up",
        "休憩",
        "昼食",
        "受付",
    ];
    let is = |text: &str| BREAKS.contains(&name_key(text).as_str());
    let categories = event.get_categories().unwrap_or_default();
    (!categories.is_empty() && categories.iter().all(|c| is(c)))
        || event.get_summary().is_some_and(is)
}

fn sched_talk(
    ctx: &Ctx<'_>,
    event: &icalendar::Event,
    place: &str,
    zones: &Zones,
    local: &TimeZone,
) -> Result<ScheduledTalk> {
    let title = event
        .get_summary()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ctx.fail(&format!("{place}.SUMMARY"), "the event has no title"))?;
    // A personal feed (`/<user>.ics`) writes `<id>@<user>`: the id is the same session.
    let uid = event
        .get_uid()
        .map(|u| u.split('@').next().unwrap_or(u).trim())
        .filter(|u| !key_of(u).is_empty())
        .ok_or_else(|| {
            ctx.fail(
                &format!("{place}.UID"),
                "the event has no UID, which a re-import needs to find its note again",
            )
        })?
        .to_owned();
    let url = event
        .get_url()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_owned);
    let (title, summary_speakers) = title_and_speakers(title, url.as_deref());
    let mut scheduled = ScheduledTalk::new(Format::Sched, &uid, key_of(&uid), title, place);
    let talk = &mut scheduled.talk;
    talk.url = url;

    let start = event
        .get_start()
        .map(|s| local_time(ctx, &s, place, "DTSTART", zones, local))
        .transpose()?;
    let end = event
        .get_end()
        .map(|e| local_time(ctx, &e, place, "DTEND", zones, local))
        .transpose()?;
    if let Some((date, time)) = start {
        talk.date = Some(date);
        talk.start = time;
        // An end on another day (past midnight) is no end on the talk's day.
        talk.end = match (time, end) {
            (Some(s), Some((end_date, Some(e)))) if end_date == date && e >= s => Some(e),
            _ => None,
        };
    }

    let description = event.get_description().unwrap_or_default();
    let (abstract_text, speakers) = split_speakers(description);
    talk.r#abstract = Some(abstract_text.trim().to_owned()).filter(|a| !a.is_empty());
    talk.speakers = if speakers.is_empty() {
        summary_speakers
    } else {
        speakers
    };
    talk.track = event
        .get_location()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);

    let mut kind_given = false;
    for category in event.get_categories().unwrap_or_default() {
        let category = category.trim();
        if category.is_empty() {
            continue;
        }
        if let Some(code) = language(category) {
            talk.language = Some(code.to_owned());
            continue;
        }
        let kind = kind_of(category);
        if kind != TalkKind::Session {
            talk.kind = kind;
            kind_given = true;
            continue;
        }
        if let Some(tag) = topic_tag(category) {
            talk.add_tag(&tag);
        }
    }

    // Slides and recordings: attachments, then slide or video URLs in the description.
    if let Some(attachments) = event.multi_properties().get("ATTACH") {
        for attach in attachments {
            let default = match attach.params().get("FMTTYPE").map(|p| p.value()) {
                Some(t) if t.starts_with("video/") => LinkKind::Video,
                Some(t) if t.starts_with("text/html") => LinkKind::Page,
                _ => LinkKind::Slides,
            };
            push_link(
                &mut talk.links,
                schedule_link(attach.value(), None, default),
            );
        }
    }
    for word in description.split(|c: char| c.is_whitespace() || c == '<' || c == '>') {
        let url = word.trim_end_matches(['.', ',', ';', ')', '」', '）', '。', '、']);
        if LinkKind::guess(url).is_some() {
            push_link(&mut talk.links, schedule_link(url, None, LinkKind::Page));
        }
    }
    validate(ctx, talk, place)?;
    scheduled.kind_given = kind_given;
    Ok(scheduled)
}

/// A category that names the talk's language.
fn language(category: &str) -> Option<&'static str> {
    match name_key(category).as_str() {
        "japanese" | "日本語" | "in japanese" | "japanese language" => Some("ja"),
        "english" | "英語" | "in english" | "english language" => Some("en"),
        _ => None,
    }
}

/// The description without its speakers line, and the speakers that line lists:
/// `Speakers: Name, Role, Company; Name, Company`.
fn split_speakers(description: &str) -> (String, Vec<Speaker>) {
    let lines: Vec<&str> = description.lines().collect();
    let found = lines.iter().rposition(|line| {
        let key = name_key(line.trim_start());
        ["speakers:", "speaker:", "登壇者:", "スピーカー:"]
            .iter()
            .any(|label| key.starts_with(label))
    });
    let Some(index) = found else {
        return (description.to_owned(), Vec::new());
    };
    let line = lines[index].trim_start();
    let list = line
        .split_once([':', '：'])
        .map_or("", |(_, rest)| rest)
        .trim();
    let speakers: Vec<Speaker> = list
        .split([';', '；'])
        .filter_map(|person| {
            let parts: Vec<&str> = person
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let (name, rest) = parts.split_first()?;
            let (affiliation, role) = match rest {
                [] => (None, None),
                [company] => (Some(*company), None),
                [roles @ .., company] => (Some(*company), Some(roles.join(", "))),
            };
            Some(Speaker {
                name: (*name).to_owned(),
                affiliation: affiliation.map(str::to_owned),
                role,
            })
        })
        .collect();
    if speakers.is_empty() {
        return (description.to_owned(), Vec::new());
    }
    let mut rest: Vec<&str> = lines[..index].to_vec();
    rest.extend_from_slice(&lines[index + 1..]);
    (rest.join("\n"), speakers)
}

/// Sched titles its pages `Title - Name, Company`; when the session page's URL ends with the
/// same words, the part after ` - ` is the speakers, not the title.
fn title_and_speakers(summary: &str, url: Option<&str>) -> (String, Vec<Speaker>) {
    let whole = (summary.to_owned(), Vec::new());
    let Some((title, tail)) = summary.rsplit_once(" - ") else {
        return whole;
    };
    let slug = |text: &str| -> String {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let url_slug = url
        .and_then(|u| u.trim_end_matches('/').rsplit('/').next())
        .map(|s| s.to_lowercase())
        .unwrap_or_default();
    let tail_slug = slug(tail);
    if title.trim().is_empty() || tail_slug.is_empty() || !url_slug.ends_with(&tail_slug) {
        return whole;
    }
    let speakers = tail
        .split([';', '&'])
        .filter_map(|person| {
            let (name, company) = match person.split_once(',') {
                Some((name, company)) => (name.trim(), Some(company.trim().to_owned())),
                None => (person.trim(), None),
            };
            (!name.is_empty()).then(|| Speaker {
                name: name.to_owned(),
                affiliation: company.filter(|c| !c.is_empty()),
                role: None,
            })
        })
        .collect();
    (title.trim().to_owned(), speakers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speakers_come_out_of_the_description() {
        let (text, speakers) = split_speakers(
            "About the talk.\n\nSpeakers: Priya Raman, Staff Engineer, Lumen Metrics; Kenji Arai, Example KK; Solo",
        );
        assert_eq!(text.trim(), "About the talk.");
        let shown: Vec<String> = speakers
            .iter()
            .map(|s| format!("{s} [{}]", s.role.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            shown,
            [
                "Priya Raman (Lumen Metrics) [Staff Engineer]",
                "Kenji Arai (Example KK) []",
                "Solo []"
            ]
        );
        let (text, speakers) = split_speakers("No speakers here.");
        assert_eq!((text.as_str(), speakers.len()), ("No speakers here.", 0));
    }

    #[test]
    fn a_summary_names_speakers_only_when_the_page_slug_agrees() {
        let (title, speakers) = title_and_speakers(
            "Build Your Own Control Plane - Steve Sloka, VMware",
            Some(
                "https://kccncna.sched.com/event/ek9x/build-your-own-control-plane-steve-sloka-vmware",
            ),
        );
        assert_eq!(title, "Build Your Own Control Plane");
        assert_eq!(speakers[0].to_string(), "Steve Sloka (VMware)");
        let (title, speakers) = title_and_speakers(
            "Keynote - Opening",
            Some("https://x.sched.com/event/3c1f6a0e9b2d47c58e1a2f3b4c5d6e7f"),
        );
        assert_eq!((title.as_str(), speakers.len()), ("Keynote - Opening", 0));
    }
}
