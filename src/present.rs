//! How a talk's facts read, the same wherever a talk is shown: `tn show` and the search hits
//! of the CLI, the TUI's list and talk view, and the Markdown and HTML recaps.
//!
//! Front ends differ in separators (a recap writes `13:00〜13:40` and `山田（所属）`, the
//! terminal `13:00–13:40` and `山田 (所属)`) and in how text is escaped, which each passes in
//! as a [`Style`] and an escaping function. What they must not differ in is which facts
//! appear: a talk with an end time but no start shows `–13:40` everywhere (the end is what
//! the schedule says, and dropping it would lose it from recaps that are read back), an empty
//! affiliation is no affiliation, and a highlight range that does not fall on character
//! boundaries of its text is skipped by the one highlighter, [`marks`], rather than cutting a
//! character in half.

use std::ops::Range;

use crate::note::{ClockTime, Date, Rating, Speaker, TalkStatus};
use crate::search::Hit;

/// The separators of one kind of output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Between a start and an end time.
    pub range: char,
    /// Between an event's first and last day.
    pub days: &'static str,
    /// Around a speaker's affiliation.
    pub open: &'static str,
    pub close: &'static str,
    /// Between speakers.
    pub between: &'static str,
    /// Before a speaker's role; roles are left out when `None`.
    pub role: Option<&'static str>,
}

/// `tn show` and the TUI's talk view: every speaker with affiliation and role.
pub const DETAIL: Style = Style {
    range: '–',
    days: " – ",
    open: " (",
    close: ")",
    between: "; ",
    role: Some(", "),
};

/// One line of a search hit: speakers with their affiliations.
pub const BRIEF: Style = Style {
    between: ", ",
    role: None,
    ..DETAIL
};

/// Markdown and HTML recaps (roles travel in the recap's hidden marker instead).
pub const RECAP: Style = Style {
    range: '〜',
    days: "〜",
    open: "（",
    close: "）",
    between: "、",
    role: None,
};

/// `13:00–13:40`, `13:00`, `–13:40`, or nothing without times.
pub fn time_range(
    start: Option<ClockTime>,
    end: Option<ClockTime>,
    style: Style,
) -> Option<String> {
    let range = style.range;
    match (start, end) {
        (Some(start), Some(end)) => Some(format!("{start}{range}{end}")),
        (Some(start), None) => Some(start.to_string()),
        (None, Some(end)) => Some(format!("{range}{end}")),
        (None, None) => None,
    }
}

/// The date and the times: `2024-06-15 13:00–13:40`; `None` when there is neither.
pub fn when(
    date: Option<Date>,
    start: Option<ClockTime>,
    end: Option<ClockTime>,
    style: Style,
) -> Option<String> {
    let parts: Vec<String> = date
        .map(|d| d.to_string())
        .into_iter()
        .chain(time_range(start, end, style))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// An event's days: `2024-06-15 – 2024-06-16`, one day when they are the same, `– 2024-06-16`
/// with only a last day.
pub fn days(first: Option<Date>, last: Option<Date>, style: Style) -> Option<String> {
    let between = style.days;
    match (first, last) {
        (Some(first), Some(last)) if last != first => Some(format!("{first}{between}{last}")),
        (Some(first), _) => Some(first.to_string()),
        (None, Some(last)) => Some(format!("{}{last}", between.trim_start())),
        (None, None) => None,
    }
}

/// The speakers on one line. `text` escapes each name, affiliation and role for the output
/// (the separators around them are the style's own and are not escaped).
pub fn speakers(speakers: &[Speaker], style: Style, text: impl Fn(&str) -> String) -> String {
    let one = |s: &Speaker| {
        let mut out = text(s.name.trim());
        if let Some(affiliation) = s.affiliation.as_deref().map(str::trim)
            && !affiliation.is_empty()
        {
            out.push_str(style.open);
            out.push_str(&text(affiliation));
            out.push_str(style.close);
        }
        if let (Some(before), Some(role)) = (style.role, s.role.as_deref().map(str::trim))
            && !role.is_empty()
        {
            out.push_str(before);
            out.push_str(&text(role));
        }
        out
    };
    speakers
        .iter()
        .map(one)
        .collect::<Vec<_>>()
        .join(style.between)
}

/// `★★★☆☆`.
pub fn stars(rating: Rating) -> String {
    let n = usize::from(rating.get());
    "★".repeat(n) + &"☆".repeat(5 - n)
}

/// A talk's status and rating in one short cell: `planned`, `watched ★★★★☆`, or empty.
pub fn standing(status: Option<TalkStatus>, rating: Option<Rating>) -> String {
    let parts: Vec<String> = status
        .map(|s| s.to_string())
        .into_iter()
        .chain(rating.map(stars))
        .collect();
    parts.join(" ")
}

/// What a search hit says after its first column (the id or the event): kind, date, the
/// reader's status and rating (short, so a narrow list still shows them), and speakers,
/// unescaped.
pub fn hit_facts(hit: &Hit) -> Vec<String> {
    let mut facts = vec![hit.kind.to_string()];
    facts.extend(hit.date.map(|d| d.to_string()));
    let standing = standing(hit.status, hit.rating);
    if !standing.is_empty() {
        facts.push(standing);
    }
    if !hit.speakers.is_empty() {
        facts.push(speakers(&hit.speakers, BRIEF, str::to_owned));
    }
    facts
}

/// `text` cut at the highlighted `ranges` (byte ranges of `text`): each piece, and whether it
/// is a match. Ranges that are empty, out of order, out of bounds or not on character
/// boundaries are skipped, so no input can make a front end slice inside a character.
pub fn marks<'a>(text: &'a str, ranges: &[Range<usize>]) -> Vec<(&'a str, bool)> {
    let mut pieces = Vec::new();
    let mut at = 0;
    for r in ranges {
        if r.start < at
            || r.end > text.len()
            || r.start >= r.end
            || !text.is_char_boundary(r.start)
            || !text.is_char_boundary(r.end)
        {
            continue;
        }
        if r.start > at {
            pieces.push((&text[at..r.start], false));
        }
        pieces.push((&text[r.clone()], true));
        at = r.end;
    }
    if at < text.len() {
        pieces.push((&text[at..], false));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(s: &str) -> Option<ClockTime> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_end_without_a_start_is_shown_in_every_style() {
        let date = Some("2024-06-15".parse().unwrap());
        assert_eq!(
            when(date, time("13:00"), time("13:40"), DETAIL).as_deref(),
            Some("2024-06-15 13:00–13:40")
        );
        assert_eq!(
            when(date, None, time("13:40"), DETAIL).as_deref(),
            Some("2024-06-15 –13:40")
        );
        assert_eq!(
            when(None, None, time("13:40"), RECAP).as_deref(),
            Some("〜13:40")
        );
        assert_eq!(
            when(date, time("13:00"), None, RECAP).as_deref(),
            Some("2024-06-15 13:00")
        );
        assert_eq!(when(None, None, None, DETAIL), None);
    }

    #[test]
    fn event_days() {
        let d = |s: &str| Some(s.parse::<Date>().unwrap());
        assert_eq!(
            days(d("2024-06-15"), d("2024-06-16"), DETAIL).as_deref(),
            Some("2024-06-15 – 2024-06-16")
        );
        assert_eq!(
            days(d("2024-06-15"), d("2024-06-15"), RECAP).as_deref(),
            Some("2024-06-15")
        );
        assert_eq!(
            days(None, d("2024-06-16"), DETAIL).as_deref(),
            Some("– 2024-06-16")
        );
        assert_eq!(
            days(None, d("2024-06-16"), RECAP).as_deref(),
            Some("〜2024-06-16")
        );
    }

    #[test]
    fn speakers_read_the_same_with_each_style() {
        let list = vec![
            Speaker {
                name: "山田 花子".into(),
                affiliation: Some("Example".into()),
                role: Some("moderator".into()),
            },
            Speaker {
                name: " Jane ".into(),
                affiliation: Some("  ".into()),
                role: None,
            },
        ];
        assert_eq!(
            speakers(&list, DETAIL, str::to_owned),
            "山田 花子 (Example), moderator; Jane"
        );
        assert_eq!(
            speakers(&list, BRIEF, str::to_owned),
            "山田 花子 (Example), Jane"
        );
        assert_eq!(
            speakers(&list, RECAP, |t| t.replace('山', "[山]")),
            "[山]田 花子（Example）、Jane"
        );
    }

    #[test]
    fn marks_skip_ranges_that_would_cut_a_character() {
        let text = "サービスメッシュ入門";
        let mesh = text.find("メッシュ").unwrap();
        let found = mesh..mesh + "メッシュ".len();
        assert_eq!(
            marks(text, std::slice::from_ref(&found)),
            [("サービス", false), ("メッシュ", true), ("入門", false)]
        );
        // Inside a character, reversed, empty, past the end: all skipped, text kept whole.
        let (reversed, empty) = (Range { start: 6, end: 3 }, Range { start: 3, end: 3 });
        for bad in [1..4, reversed, empty, 0..1000] {
            assert_eq!(
                marks(text, std::slice::from_ref(&bad)),
                [(text, false)],
                "{bad:?}"
            );
        }
        assert_eq!(marks("", &[]), []);
    }
}
