//! A talk's life around its event, as lists: the agenda of starred talks before and during
//! the event (`tn agenda`, also as an iCalendar file a calendar app imports), and the queue
//! of recordings to watch after it (`tn queue`).
//!
//! The agenda is what someone planned to see: an event's `planned` talks, and the ones
//! already `attended` so a day reads whole once jotting has begun (writing a takeaway marks a
//! talk attended). Events without a starred talk are left out unless asked for, so last
//! year's conference does not linger. Two talks of one day clash when their times overlap;
//! a talk without an end is taken to last [`DEFAULT_LENGTH_MINUTES`]. Like `now`, everything
//! here takes the notes as an argument and does no I/O.

use std::collections::BTreeMap;

use crate::note::{ClockTime, Date, Event, Link, LinkKind, Slug, Talk, TalkRef, TalkStatus};
use crate::now::DEFAULT_LENGTH_MINUTES;
use crate::store::Scan;

/// One talk of the agenda.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub id: &'a TalkRef,
    pub talk: &'a Talk,
    /// Agenda talks of the same day whose times overlap this one's.
    pub clashes: Vec<&'a TalkRef>,
}

/// One event's agenda: its days in order, then the talks with no day yet.
#[derive(Debug, Clone)]
pub struct EventAgenda<'a> {
    pub id: &'a Slug,
    pub event: Option<&'a Event>,
    pub days: Vec<(Date, Vec<Item<'a>>)>,
    pub unscheduled: Vec<Item<'a>>,
}

impl EventAgenda<'_> {
    pub fn items(&self) -> impl Iterator<Item = &Item<'_>> {
        self.days
            .iter()
            .flat_map(|(_, items)| items.iter())
            .chain(self.unscheduled.iter())
    }

    pub fn clash_count(&self) -> usize {
        self.items().filter(|i| !i.clashes.is_empty()).count()
    }
}

fn on_agenda(talk: &Talk) -> bool {
    matches!(
        talk.status,
        Some(TalkStatus::Planned | TalkStatus::Attended)
    )
}

/// Minutes since midnight a talk occupies, `[start, end)`; `None` without a start.
fn span(talk: &Talk) -> Option<(u16, u16)> {
    let start = talk.start?.minutes();
    let end = talk
        .end
        .map(ClockTime::minutes)
        .filter(|end| *end > start)
        .unwrap_or(start + DEFAULT_LENGTH_MINUTES);
    Some((start, end))
}

/// The agenda of `event` (it is shown even without a starred talk), or of every event that
/// has a starred talk, in event order.
pub fn agenda<'a>(scan: &'a Scan, event: Option<&Slug>) -> Vec<EventAgenda<'a>> {
    let mut by_event: BTreeMap<&Slug, Vec<(&TalkRef, &Talk)>> = BTreeMap::new();
    for (id, loaded) in &scan.talks {
        if event.is_none_or(|e| *e == id.event) && on_agenda(&loaded.value) {
            by_event
                .entry(&id.event)
                .or_default()
                .push((id, &loaded.value));
        }
    }
    let mut agendas: Vec<EventAgenda<'a>> = by_event
        .into_iter()
        .filter(|(_, talks)| {
            event.is_some()
                || talks
                    .iter()
                    .any(|(_, t)| t.status == Some(TalkStatus::Planned))
        })
        .map(|(id, talks)| event_agenda(scan, id, talks))
        .collect();
    if let Some(event) = event
        && agendas.is_empty()
        && let Some(loaded) = scan.events.get(event)
    {
        agendas.push(EventAgenda {
            id: &loaded.value.id,
            event: Some(&loaded.value),
            days: Vec::new(),
            unscheduled: Vec::new(),
        });
    }
    agendas.sort_by_key(|a| (a.event.and_then(|e| e.starts_on), a.id));
    agendas
}

fn event_agenda<'a>(
    scan: &'a Scan,
    id: &'a Slug,
    mut talks: Vec<(&'a TalkRef, &'a Talk)>,
) -> EventAgenda<'a> {
    talks.sort_by(|(a_id, a), (b_id, b)| {
        (a.date, a.start, a.end, &a.track, a_id).cmp(&(b.date, b.start, b.end, &b.track, b_id))
    });
    let mut days: Vec<(Date, Vec<Item<'a>>)> = Vec::new();
    let mut unscheduled = Vec::new();
    for &(talk_id, talk) in &talks {
        let clashes = talks
            .iter()
            .filter(|(other_id, other)| {
                *other_id != talk_id
                    && talk.date.is_some()
                    && other.date == talk.date
                    && matches!((span(talk), span(other)), (Some((s1, e1)), Some((s2, e2))) if s1 < e2 && s2 < e1)
            })
            .map(|(other_id, _)| *other_id)
            .collect();
        let item = Item {
            id: talk_id,
            talk,
            clashes,
        };
        match talk.date {
            Some(date) => match days.last_mut() {
                Some((day, items)) if *day == date => items.push(item),
                _ => days.push((date, vec![item])),
            },
            None => unscheduled.push(item),
        }
    }
    EventAgenda {
        id,
        event: scan.events.get(id).map(|e| &e.value),
        days,
        unscheduled,
    }
}

/// One recording to watch.
#[derive(Debug, Clone)]
pub struct Queued<'a> {
    pub id: &'a TalkRef,
    pub talk: &'a Talk,
    /// The first video link, when the recording is out.
    pub video: Option<&'a Link>,
}

/// The talks marked to watch later, those whose recording is out first, each group in the
/// order of the events and their schedules.
pub fn queue(scan: &Scan) -> Vec<Queued<'_>> {
    let event_start = |id: &Slug| scan.events.get(id).and_then(|e| e.value.starts_on);
    let mut queued: Vec<Queued<'_>> = scan
        .talks
        .iter()
        .filter(|(_, t)| t.value.status == Some(TalkStatus::ToWatch))
        .map(|(id, t)| Queued {
            id,
            talk: &t.value,
            video: t
                .value
                .links
                .iter()
                .find(|l| l.kind == Some(LinkKind::Video)),
        })
        .collect();
    queued.sort_by(|a, b| {
        let key = |q: &Queued<'_>| {
            (
                q.video.is_none(),
                q.talk.date.or_else(|| event_start(&q.id.event)),
                q.talk.start,
                q.id.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    queued
}

/// The agenda as an iCalendar file (RFC 5545): one VEVENT per talk with a day, at its
/// instants in UTC (so no VTIMEZONE is needed and every calendar shows them in its own zone),
/// a whole-day event for a talk without a time. `stamp` is the DTSTAMP of every event (the
/// moment the file is written); `local` is the zone of events that name none.
pub fn to_ics(
    agendas: &[EventAgenda<'_>],
    stamp: jiff::Timestamp,
    local: &jiff::tz::TimeZone,
) -> Result<String, String> {
    use icalendar::{Component, EventLike, Property};

    let mut calendar = icalendar::Calendar::empty();
    let name = match agendas {
        [one] => format!(
            "{} (talknotes)",
            one.event.map_or(one.id.as_str(), |e| e.name.as_str())
        ),
        _ => "talknotes agenda".to_owned(),
    };
    for (key, value) in [
        ("VERSION", "2.0"),
        ("PRODID", "-//talknotes//tn agenda//EN"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
    ] {
        calendar.append_property(Property::new(key, value));
    }
    calendar.name(&name);
    let stamp_text = utc_text(stamp);
    // RFC 5545 text has no control characters, and the file may be printed to a terminal:
    // they are written as visible escapes, as every output of tn writes them.
    let text = |s: &str| crate::display::escape(s.trim(), true).into_owned();
    for agenda in agendas {
        let zone = agenda
            .event
            .and_then(|e| e.timezone.as_ref())
            .map(|z| z.zone())
            .unwrap_or_else(|| local.clone());
        for item in agenda.items() {
            let talk = item.talk;
            let Some(date) = talk.date else {
                continue; // no day yet: nothing to put in a calendar
            };
            let mut event = icalendar::Event::new();
            event.uid(&format!("{}@talknotes", item.id));
            event.add_property("DTSTAMP", &stamp_text);
            event.summary(&text(&talk.title));
            match span(talk) {
                Some((start, end)) => {
                    let at = |minutes: u16| -> Result<String, String> {
                        let time = jiff::civil::Time::new(
                            (minutes / 60) as i8,
                            (minutes % 60) as i8,
                            0,
                            0,
                        );
                        let time = match time {
                            Ok(t) => t,
                            // Past midnight: the day's last minute.
                            Err(_) => jiff::civil::time(23, 59, 0, 0),
                        };
                        date.0
                            .to_datetime(time)
                            .to_zoned(zone.clone())
                            .map(|z| utc_text(z.timestamp()))
                            .map_err(|e| format!("{}: {e}", item.id))
                    };
                    event.add_property("DTSTART", &at(start)?);
                    event.add_property("DTEND", &at(end)?);
                }
                None => {
                    let day = date.0.strftime("%Y%m%d").to_string();
                    let next = date
                        .0
                        .tomorrow()
                        .map_err(|e| format!("{}: {e}", item.id))?
                        .strftime("%Y%m%d")
                        .to_string();
                    event.append_property(
                        Property::new("DTSTART", &day)
                            .add_parameter("VALUE", "DATE")
                            .done(),
                    );
                    event.append_property(
                        Property::new("DTEND", &next)
                            .add_parameter("VALUE", "DATE")
                            .done(),
                    );
                }
            }
            if let Some(track) = talk.track.as_deref().filter(|t| !t.trim().is_empty()) {
                event.location(&text(track));
            }
            if let Some(url) = talk
                .url
                .as_deref()
                .filter(|u| is_http(u) && text(u) == u.trim())
            {
                event.url(url.trim());
            }
            let mut description = Vec::new();
            if !talk.speakers.is_empty() {
                description.push(crate::present::speakers(
                    &talk.speakers,
                    crate::present::DETAIL,
                    str::to_owned,
                ));
            }
            if let Some(name) = agenda.event.map(|e| e.name.as_str()) {
                description.push(name.to_owned());
            }
            description.push(format!("tn show {}", item.id));
            event.description(&text(&description.join("\n")));
            if talk.status == Some(TalkStatus::Planned) {
                event.add_property("STATUS", "CONFIRMED");
            }
            calendar.push(event.done());
        }
    }
    Ok(calendar.to_string())
}

fn is_http(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// `20260729T020000Z`.
fn utc_text(stamp: jiff::Timestamp) -> String {
    stamp.strftime("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Loaded;

    /// (id, date, start, end, status) of each talk of event `ev`.
    type Row<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<TalkStatus>,
    );

    fn scan(talks: &[Row<'_>]) -> Scan {
        let mut scan = Scan::default();
        for (id, date, start, end, status) in talks {
            let mut talk = Talk::new(id.parse().unwrap(), *id);
            talk.date = date.map(|d| d.parse().unwrap());
            talk.start = start.map(|s| s.parse().unwrap());
            talk.end = end.map(|e| e.parse().unwrap());
            talk.status = *status;
            scan.talks.push((
                format!("ev/{id}").parse().unwrap(),
                Loaded {
                    value: talk,
                    path: "x".into(),
                    fingerprint: crate::store::Fingerprint::of(b""),
                },
            ));
        }
        scan
    }

    const P: Option<TalkStatus> = Some(TalkStatus::Planned);

    fn clashes(agenda: &EventAgenda<'_>) -> Vec<(String, Vec<String>)> {
        agenda
            .items()
            .map(|i| {
                (
                    i.id.talk.to_string(),
                    i.clashes.iter().map(|c| c.talk.to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn overlapping_talks_of_a_day_clash_and_touching_ones_do_not() {
        let s = scan(&[
            ("a", Some("2026-06-11"), Some("11:00"), Some("11:40"), P),
            ("b", Some("2026-06-11"), Some("11:20"), None, P),
            ("c", Some("2026-06-11"), Some("11:40"), Some("12:20"), P),
            ("d", Some("2026-06-12"), Some("11:00"), Some("11:40"), P),
            ("e", Some("2026-06-11"), Some("11:00"), Some("11:40"), None),
            (
                "f",
                Some("2026-06-11"),
                None,
                None,
                Some(TalkStatus::Attended),
            ),
            ("g", None, Some("11:00"), None, P),
        ]);
        let agendas = agenda(&s, None);
        assert_eq!(agendas.len(), 1);
        let a = &agendas[0];
        assert_eq!(a.days.len(), 2);
        assert_eq!(
            clashes(a),
            [
                ("f".to_owned(), vec![]),
                ("a".to_owned(), vec!["b".to_owned()]),
                ("b".to_owned(), vec!["a".to_owned(), "c".to_owned()]),
                ("c".to_owned(), vec!["b".to_owned()]),
                ("d".to_owned(), vec![]),
                ("g".to_owned(), vec![]),
            ],
            "b lasts the default 30 minutes, to 11:50"
        );
        assert_eq!(a.clash_count(), 3);
        assert_eq!(a.unscheduled.len(), 1);
    }

    #[test]
    fn events_with_only_attended_talks_stay_out_unless_named() {
        let s = scan(&[(
            "a",
            Some("2025-06-11"),
            Some("11:00"),
            None,
            Some(TalkStatus::Attended),
        )]);
        assert!(agenda(&s, None).is_empty());
        assert_eq!(agenda(&s, Some(&"ev".parse().unwrap()))[0].days.len(), 1);
    }

    #[test]
    fn the_queue_puts_recordings_first() {
        let mut s = scan(&[
            (
                "a",
                Some("2026-06-11"),
                Some("10:00"),
                None,
                Some(TalkStatus::ToWatch),
            ),
            (
                "b",
                Some("2026-06-12"),
                Some("10:00"),
                None,
                Some(TalkStatus::ToWatch),
            ),
            (
                "c",
                Some("2026-06-10"),
                Some("10:00"),
                None,
                Some(TalkStatus::Watched),
            ),
        ]);
        s.talks[1].1.value.links.push(Link {
            url: "https://vimeo.com/1".into(),
            kind: Some(LinkKind::Video),
            title: None,
            by: None,
        });
        let q = queue(&s);
        let ids: Vec<&str> = q.iter().map(|q| q.id.talk.as_str()).collect();
        assert_eq!(ids, ["b", "a"]);
        assert!(q[0].video.is_some() && q[1].video.is_none());
    }
}
