//! Reading iCalendar (RFC 5545) the way real feeds are written: lines folded inside
//! multi-byte characters, unfolded here on bytes before the text is decoded (remembering the
//! file's line of each for messages), and times in UTC, with a `TZID` the zone database
//! knows, or with one only the feed's own VTIMEZONE defines. Sched's mapping onto notes is
//! [`super::sched`]'s; this is what any iCalendar reader needs first.

use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};
use jiff::Timestamp;
use jiff::civil;
use jiff::tz::TimeZone;

use super::Ctx;
use crate::error::Result;
use crate::note::{ClockTime, Date, ZoneName};

/// Whether `bytes` start like an iCalendar file (after a byte order mark and blank lines).
pub fn looks_like_icalendar(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    body[start..]
        .get(..15)
        .is_some_and(|head| head.eq_ignore_ascii_case(b"BEGIN:VCALENDAR"))
}

/// Unfolded text, and for each of its lines the line of the file it starts on (1-based).
pub(super) struct Unfolded {
    pub(super) bytes: Vec<u8>,
    lines: Vec<usize>,
}

impl Unfolded {
    /// RFC 5545 3.1: a line break followed by one space or tab continues the line. Done on
    /// bytes, because feeds fold inside multi-byte characters.
    pub(super) fn new(raw: &[u8]) -> Unfolded {
        let mut bytes = Vec::with_capacity(raw.len());
        let mut lines = vec![1];
        let mut line = 1;
        let mut i = 0;
        while i < raw.len() {
            let newline = match raw[i] {
                b'\r' if raw.get(i + 1) == Some(&b'\n') => Some(2),
                b'\n' => Some(1),
                _ => None,
            };
            match newline {
                Some(n) => {
                    line += 1;
                    if matches!(raw.get(i + n), Some(b' ' | b'\t')) {
                        i += n + 1; // a fold: the next line goes on this one
                        continue;
                    }
                    bytes.push(b'\n');
                    lines.push(line);
                    i += n;
                }
                None => {
                    bytes.push(raw[i]);
                    i += 1;
                }
            }
        }
        Unfolded { bytes, lines }
    }

    /// The file's line of the unfolded line `index` (0-based).
    pub(super) fn file_line(&self, index: usize) -> usize {
        self.lines
            .get(index)
            .copied()
            .unwrap_or_else(|| self.lines.last().copied().unwrap_or(1))
    }

    /// The file's line of a byte offset into the unfolded text.
    pub(super) fn line_of_offset(&self, offset: usize) -> usize {
        let index = self.bytes[..offset.min(self.bytes.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.file_line(index)
    }
}

/// The feed's time zones: the names its events use, and the offsets of its VTIMEZONEs.
pub(super) struct Zones {
    /// (TZID, the one offset of its VTIMEZONE in seconds, if it has only one).
    defined: Vec<(String, Option<i32>)>,
}

impl Zones {
    pub(super) fn of(calendar: &icalendar::Calendar) -> Zones {
        let mut defined = Vec::new();
        for component in &calendar.components {
            let CalendarComponent::Other(other) = component else {
                continue;
            };
            if !other.component_kind().eq_ignore_ascii_case("VTIMEZONE") {
                continue;
            }
            let Some(tzid) = other.property_value("TZID") else {
                continue;
            };
            let offsets: std::collections::BTreeSet<Option<i32>> = other
                .components()
                .iter()
                .map(|part| part.property_value("TZOFFSETTO").and_then(offset_seconds))
                .collect();
            let single = match offsets.into_iter().collect::<Vec<_>>().as_slice() {
                [Some(one)] => Some(*one),
                _ => None,
            };
            defined.push((tzid.to_owned(), single));
        }
        Zones { defined }
    }

    /// The zone a TZID names: a zone of the database (also as the end of a longer path such
    /// as `/mozilla.org/…/Asia/Tokyo`), else the fixed offset of the feed's own VTIMEZONE.
    fn resolve(&self, tzid: &str) -> Option<TimeZone> {
        let tzid = tzid.trim().trim_matches('"');
        if let Some(name) = iana_name(tzid) {
            return Some(name.zone());
        }
        let offset = self
            .defined
            .iter()
            .find(|(id, _)| id == tzid)
            .and_then(|(_, offset)| *offset)?;
        jiff::tz::Offset::from_seconds(offset)
            .ok()
            .map(TimeZone::fixed)
    }

    /// The zone the feed says it is in: `X-WR-TIMEZONE`, else the first TZID its events
    /// use, else its first VTIMEZONE; only names of the zone database count.
    pub(super) fn named(
        &self,
        calendar: &icalendar::Calendar,
        events: &[&icalendar::Event],
    ) -> Option<ZoneName> {
        let from_events = events.iter().find_map(|e| {
            e.properties()
                .get("DTSTART")
                .and_then(|p| p.params().get("TZID"))
                .map(|tzid| tzid.value().to_owned())
        });
        calendar
            .property_value("X-WR-TIMEZONE")
            .map(str::to_owned)
            .into_iter()
            .chain(from_events)
            .chain(self.defined.iter().map(|(id, _)| id.clone()))
            .find_map(|name| iana_name(name.trim()))
    }
}

/// A TZID as a zone name of the database, trying its last two and three path parts too.
fn iana_name(tzid: &str) -> Option<ZoneName> {
    if let Ok(name) = tzid.parse::<ZoneName>() {
        return Some(name);
    }
    let parts: Vec<&str> = tzid.split('/').filter(|p| !p.is_empty()).collect();
    (2..=3)
        .filter(|n| parts.len() > *n)
        .find_map(|n| parts[parts.len() - n..].join("/").parse().ok())
}

/// `+0900`, `-0530`, `+053000` as seconds east of UTC.
fn offset_seconds(text: &str) -> Option<i32> {
    let text = text.trim();
    let (sign, digits) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| digits.get(range).and_then(|d| d.parse::<i32>().ok());
    let seconds = n(0..2)? * 3600 + n(2..4)? * 60 + n(4..6).unwrap_or(0);
    Some(sign * seconds)
}

/// A start or end as the event's date and wall-clock time (`None` time for a whole day).
pub(super) fn local_time(
    ctx: &Ctx<'_>,
    value: &DatePerhapsTime,
    place: &str,
    field: &str,
    zones: &Zones,
    local: &TimeZone,
) -> Result<(Date, Option<ClockTime>)> {
    let bad = |why: String| ctx.fail(&format!("{place}.{field}"), why);
    let civil_of = |naive: &dyn std::fmt::Display| -> Result<civil::DateTime> {
        naive
            .to_string()
            .replace(' ', "T")
            .parse::<civil::DateTime>()
            .map_err(|e| bad(format!("not a date and time ({e})")))
    };
    let zoned = match value {
        DatePerhapsTime::Date(date) => {
            let date: civil::Date = date
                .to_string()
                .parse()
                .map_err(|e| bad(format!("not a date ({e})")))?;
            return Ok((Date(date), None));
        }
        // A floating time is already the event's wall clock.
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(naive)) => {
            let dt = civil_of(naive)?;
            return Ok((Date(dt.date()), clock_of(dt)));
        }
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(utc)) => {
            Timestamp::from_second(utc.timestamp())
                .map_err(|e| bad(format!("out of range ({e})")))?
                .to_zoned(local.clone())
        }
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid }) => {
            let zone = zones.resolve(tzid).ok_or_else(|| {
                bad(format!(
                    "TZID `{}` is not a time zone tn knows, and the feed defines no fixed offset for it",
                    tzid.escape_debug()
                ))
            })?;
            civil_of(date_time)?
                .to_zoned(zone)
                .map_err(|e| bad(format!("not a time in TZID `{tzid}` ({e})")))?
                .with_time_zone(local.clone())
        }
    };
    let dt = zoned.datetime();
    Ok((Date(dt.date()), clock_of(dt)))
}

fn clock_of(dt: civil::DateTime) -> Option<ClockTime> {
    ClockTime::new(dt.hour() as u8, dt.minute() as u8)
}

/// The line number in a nom error text (`… at line 4, in Tag …`).
pub(super) fn nom_line(message: &str) -> Option<usize> {
    let at = message.find("at line ")? + "at line ".len();
    let digits: String = message[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolding_works_on_bytes_and_remembers_lines() {
        // A fold inside a three-byte character, CRLF and LF, and a tab fold.
        let raw = b"A:\xe3\x83\r\n \xaf\r\nB:x\n\ty\r\nC:z";
        let unfolded = Unfolded::new(raw);
        assert_eq!(
            std::str::from_utf8(&unfolded.bytes).unwrap(),
            "A:\u{30ef}\nB:xy\nC:z"
        );
        assert_eq!(unfolded.lines, [1, 3, 5]);
        assert_eq!(unfolded.line_of_offset(8), 3);
    }

    #[test]
    fn offsets_and_zone_names() {
        assert_eq!(offset_seconds("+0900"), Some(32_400));
        assert_eq!(offset_seconds("-0530"), Some(-19_800));
        assert_eq!(offset_seconds("0900"), None);
        assert_eq!(
            iana_name("/mozilla.org/20050126_1/Asia/Tokyo")
                .unwrap()
                .as_str(),
            "Asia/Tokyo"
        );
        assert!(iana_name("Tokyo Standard Time").is_none());
        assert_eq!(nom_line("error: 0: at line 4, in Tag:"), Some(4));
    }

    #[test]
    fn detection_skips_a_bom_and_blank_lines() {
        assert!(looks_like_icalendar(b"\xef\xbb\xbf\r\nbegin:vcalendar\r\n"));
        assert!(!looks_like_icalendar(b"<!DOCTYPE html>"));
        assert!(!looks_like_icalendar(b"BEGIN:VCARD"));
    }
}
