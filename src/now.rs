//! `tn now`: which talks are on right now, so jotting starts with one command.
//!
//! After `tn import schedule.json` every talk knows its day, start and end. Standing in a hall
//! with a laptop open, the question is "what is on in this room now or in a moment?": talks in
//! progress, and talks starting within [`SOON_MINUTES`]. Rooms are kept in the talk's `track`
//! (see [`crate::import::schedule`]), so `--room` matches the track. Everything here takes the
//! moment as an argument; only [`Moment::now`] reads the clock, which keeps it testable.

use std::fmt;
use std::str::FromStr;

use crate::note::{ClockTime, Date, Talk, TalkRef};
use crate::search::analysis::name_key;
use crate::store::Scan;

/// Talks starting within this many minutes are listed. Also a macro, so that `tn now --help`
/// can say the number: clap's help texts are constants.
macro_rules! soon_minutes {
    () => {
        30
    };
}
pub(crate) use soon_minutes;
pub const SOON_MINUTES: u16 = soon_minutes!();
/// How long a talk without an end time is taken to last.
pub const DEFAULT_LENGTH_MINUTES: u16 = 30;

/// A local date and wall-clock time: `YYYY-MM-DD HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment {
    pub date: Date,
    pub time: ClockTime,
}

impl Moment {
    /// The current local time.
    pub fn now() -> Moment {
        Moment {
            date: crate::capture::today(),
            time: crate::capture::now(),
        }
    }
}

impl FromStr for Moment {
    type Err = String;

    /// `YYYY-MM-DD HH:MM` (or with a `T`, or `H:MM`, in full-width digits too); a time
    /// alone means today.
    fn from_str(typed: &str) -> Result<Self, Self::Err> {
        use unicode_normalization::UnicodeNormalization;
        let folded: String = typed.trim().nfkc().collect();
        let s = folded.as_str();
        let bad = |why: String| {
            format!(
                "`{}` is not a moment: write \"YYYY-MM-DD H:MM\", e.g. \"2024-06-15 9:30\" ({why})",
                typed.trim().escape_debug()
            )
        };
        match s.split_once([' ', 'T']) {
            Some((date, time)) => Ok(Moment {
                date: date.parse().map_err(bad)?,
                time: ClockTime::parse_typed(time).map_err(bad)?,
            }),
            None if s.contains(':') => Ok(Moment {
                date: crate::capture::today(),
                time: ClockTime::parse_typed(s).map_err(bad)?,
            }),
            None => Err(bad("no time given".into())),
        }
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.date, self.time)
    }
}

/// Where a talk stands at the moment asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Started this many minutes ago.
    InProgress { since: u16 },
    /// Starts in this many minutes.
    StartsIn(u16),
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::InProgress { .. } => f.write_str("in progress"),
            Status::StartsIn(n) => write!(f, "in {n} min"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OnNow {
    pub id: TalkRef,
    pub talk: Talk,
    pub status: Status,
}

impl OnNow {
    /// `13:00–13:40`, or just the start.
    pub fn time_range(&self) -> String {
        crate::present::time_range(self.talk.start, self.talk.end, crate::present::DETAIL)
            .unwrap_or_default()
    }
}

/// Whether `room` names the talk's room (its track): equal or contained, ignoring case and
/// width, so `--room a` finds "Track A" only when no track is exactly "a".
fn room_matches(talk: &Talk, room: &str) -> bool {
    let wanted = name_key(room);
    talk.track
        .as_deref()
        .is_some_and(|t| name_key(t).contains(&wanted))
}

/// Talks in progress or starting soon at `at`, in `room` if given, earliest first.
pub fn on_now(scan: &Scan, at: Moment, room: Option<&str>) -> Vec<OnNow> {
    let now = at.time.minutes();
    let mut found: Vec<OnNow> = scan
        .talks
        .iter()
        .filter(|(_, t)| t.value.date == Some(at.date))
        .filter_map(|(id, t)| {
            let talk = &t.value;
            let start = talk.start?.minutes();
            let end = talk
                .end
                .map(ClockTime::minutes)
                .unwrap_or(start + DEFAULT_LENGTH_MINUTES);
            let status = if start <= now && now < end.max(start + 1) {
                Status::InProgress { since: now - start }
            } else if now < start && start - now <= SOON_MINUTES {
                Status::StartsIn(start - now)
            } else {
                return None;
            };
            Some(OnNow {
                id: id.clone(),
                talk: talk.clone(),
                status,
            })
        })
        .collect();
    // Exact room names win over partial ones ("A" vs "Track AB").
    if let Some(room) = room {
        let exact: Vec<bool> = found
            .iter()
            .map(|o| {
                o.talk
                    .track
                    .as_deref()
                    .is_some_and(|t| name_key(t) == name_key(room))
            })
            .collect();
        if exact.iter().any(|e| *e) {
            let mut keep = exact.into_iter();
            found.retain(|_| keep.next().unwrap_or(false));
        } else {
            found.retain(|o| room_matches(&o.talk, room));
        }
    }
    found.sort_by(|a, b| {
        (a.talk.start, &a.talk.track, &a.id).cmp(&(b.talk.start, &b.talk.track, &b.id))
    });
    found
}

/// The talk `tn now --pick` makes current: the earliest of those listed (already narrowed to
/// the room when one was given).
pub fn pick(on_now: &[OnNow]) -> Option<&OnNow> {
    on_now.first()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Loaded;

    fn scan(talks: &[(&str, &str, &str, Option<&str>, &str)]) -> Scan {
        let mut scan = Scan::default();
        for (id, date, start, end, track) in talks {
            let mut talk = Talk::new(id.parse().unwrap(), *id);
            talk.date = Some(date.parse().unwrap());
            talk.start = Some(start.parse().unwrap());
            talk.end = end.map(|e| e.parse().unwrap());
            talk.track = Some((*track).into());
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

    fn ids(list: &[OnNow]) -> Vec<String> {
        list.iter().map(|o| o.id.talk.to_string()).collect()
    }

    #[test]
    fn in_progress_and_starting_soon() {
        let s = scan(&[
            ("a", "2024-06-15", "13:00", Some("13:40"), "Track A"),
            ("b", "2024-06-15", "13:50", Some("14:30"), "Track A"),
            ("c", "2024-06-15", "13:30", None, "Track B"),
            ("d", "2024-06-15", "14:30", Some("15:00"), "Track B"),
            ("e", "2024-06-16", "13:30", Some("14:00"), "Track A"),
        ]);
        let at: Moment = "2024-06-15 13:35".parse().unwrap();
        let list = on_now(&s, at, None);
        assert_eq!(ids(&list), ["a", "c", "b"]);
        assert_eq!(list[0].status, Status::InProgress { since: 35 });
        assert_eq!(list[2].status, Status::StartsIn(15));
        assert_eq!(list[2].status.to_string(), "in 15 min");
        assert_eq!(ids(&on_now(&s, at, Some("track b"))), ["c"]);
        assert_eq!(ids(&on_now(&s, at, Some("Ｂ"))), ["c"]);
        assert_eq!(
            pick(&on_now(&s, at, Some("Track A")))
                .unwrap()
                .id
                .talk
                .as_str(),
            "a"
        );
        // A talk without an end lasts the default length.
        let later: Moment = "2024-06-15 14:00".parse().unwrap();
        assert_eq!(ids(&on_now(&s, later, None)), ["b", "d"]);
        assert!(on_now(&s, "2024-06-17 13:00".parse().unwrap(), None).is_empty());
    }

    #[test]
    fn moments_parse_strictly() {
        assert_eq!(
            "2024-06-15 09:05".parse::<Moment>().unwrap().to_string(),
            "2024-06-15 09:05"
        );
        assert!("2024-06-15T09:05".parse::<Moment>().is_ok());
        assert!("09:05".parse::<Moment>().is_ok());
        // As typed: one-digit hours, and full-width digits from a Japanese input method.
        for typed in ["2024-06-15 9:05", "２０２４-０６-１５　９：０５"] {
            assert_eq!(
                typed.parse::<Moment>().unwrap().to_string(),
                "2024-06-15 09:05",
                "{typed}"
            );
        }
        for bad in [
            "2024-06-15",
            "2024-06-15 25:00",
            "2024-06-15 9:5",
            "tomorrow",
            "2024-13-01 10:00",
        ] {
            let err = bad.parse::<Moment>().unwrap_err();
            assert!(err.contains("YYYY-MM-DD H:MM"), "{err}");
        }
    }
}
