//! One-line text inputs and the new-talk form.
//!
//! Japanese is typed through an IME that commits whole words at once, often as a burst of key
//! events or a paste, and every character takes two terminal columns. So the input keeps a
//! byte cursor that always sits on a character boundary, measures the cursor column in display
//! width (not characters, not bytes), and scrolls horizontally by display width. Control
//! characters never enter an input: a note can hold only what a user could see while typing.

use unicode_width::UnicodeWidthChar;

use crate::display;
use crate::note::{Date, Slug, Speaker, TalkKind};

/// An editable line of text with a cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Byte offset into `text`, always on a character boundary.
    cursor: usize,
}

impl LineInput {
    pub fn new(text: &str) -> LineInput {
        let mut input = LineInput::default();
        input.insert_str(text);
        input
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The cursor as a byte offset (on a character boundary).
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Display column of the cursor from the start of the text (wide characters count two).
    pub fn cursor_column(&self) -> usize {
        display::width(&self.text[..self.cursor])
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// Replaces the whole text and puts the cursor at its end.
    pub fn set(&mut self, text: &str) {
        self.clear();
        self.insert_str(text);
    }

    pub fn insert(&mut self, c: char) {
        let Some(c) = clean(c) else {
            return;
        };
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Inserts pasted or committed text: line breaks and tabs become spaces, other control
    /// characters are dropped.
    pub fn insert_str(&mut self, text: &str) {
        let cleaned: String = text
            .trim_end_matches(['\r', '\n'])
            .chars()
            .filter_map(clean)
            .collect();
        self.text.insert_str(self.cursor, &cleaned);
        self.cursor += cleaned.len();
    }

    pub fn backspace(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        if let Some(c) = self.text[..self.cursor].chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.text.len();
    }

    /// Deletes back to the start of the previous word (whitespace-separated).
    pub fn delete_word(&mut self) {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end();
        let start = trimmed
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    pub fn delete_to_start(&mut self) {
        self.text.replace_range(..self.cursor, "");
        self.cursor = 0;
    }

    pub fn delete_to_end(&mut self) {
        self.text.truncate(self.cursor);
    }

    /// The part of the text to show in `columns` columns so that the cursor is visible, and
    /// the cursor's column within it. Never cuts a character in half.
    pub fn window(&self, columns: usize) -> (&str, usize) {
        let column = self.cursor_column();
        if columns == 0 {
            return ("", 0);
        }
        // Keep one column free for the cursor after the last character.
        if column < columns {
            return (&self.text, column);
        }
        let mut start = 0;
        let mut skipped = 0;
        for (i, c) in self.text.char_indices() {
            if column - skipped < columns {
                break;
            }
            skipped += c.width().unwrap_or(0);
            start = i + c.len_utf8();
        }
        (&self.text[start..], column - skipped)
    }
}

fn clean(c: char) -> Option<char> {
    match c {
        '\n' | '\r' | '\t' => Some(' '),
        c if c.is_control() => None,
        // Bidirectional overrides would reorder what is shown around them.
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
        c => Some(c),
    }
}

/// The fields of the new-talk form, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Event,
    Title,
    Url,
    Speakers,
    Kind,
    Date,
    Tags,
}

impl Field {
    pub const ALL: [Field; 7] = [
        Field::Event,
        Field::Title,
        Field::Url,
        Field::Speakers,
        Field::Kind,
        Field::Date,
        Field::Tags,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Event => "Event",
            Field::Title => "Title",
            Field::Url => "URL",
            Field::Speakers => "Speakers",
            Field::Kind => "Kind",
            Field::Date => "Date",
            Field::Tags => "Tags",
        }
    }

    /// What an empty field means (the date's depends on the event: see
    /// [`NewTalkForm::date_hint`]).
    pub fn hint(self) -> &'static str {
        match self {
            Field::Event => "event id, e.g. kubecon-jp-2025",
            Field::Title => "required",
            Field::Url => "optional",
            Field::Speakers => "Name (Affiliation / Role); several separated by ;",
            Field::Kind => "← → to change",
            Field::Date => "YYYY-MM-DD",
            Field::Tags => "space or comma separated",
        }
    }

    fn index(self) -> usize {
        Field::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// An event's id and dates, for the date a new talk gets by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDays {
    pub id: Slug,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
}

impl EventDays {
    /// The date a talk created `today` in this event gets when none is typed: today when it
    /// falls within the event's dates (the talk is being heard now); the event's day when it
    /// has only one (no other day is possible); otherwise none, since any day of a longer
    /// event would be a guess (lists then show the event's first day for it).
    pub fn default_date(&self, today: Date) -> Option<Date> {
        let start = self.starts_on?;
        let end = self.ends_on.unwrap_or(start).max(start);
        if (start..=end).contains(&today) {
            Some(today)
        } else if start == end {
            Some(start)
        } else {
            None
        }
    }
}

/// `n`: a small form for a new talk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTalkForm {
    /// One input per [`Field`]; the kind's holds the chosen kind's name.
    pub inputs: [LineInput; 7],
    pub focus: usize,
    /// Why the last attempt to create the talk failed.
    pub error: Option<String>,
    /// The event it was opened on, to tell whether anything was typed.
    opened_on: String,
    events: Vec<EventDays>,
    today: Option<Date>,
}

impl NewTalkForm {
    /// A form with the event filled in; the cursor starts on the title when there is one.
    pub fn new(event: Option<&Slug>) -> NewTalkForm {
        let mut inputs: [LineInput; 7] = Default::default();
        if let Some(event) = event {
            inputs[0].set(event.as_str());
        }
        inputs[Field::Kind.index()].set(TalkKind::default().as_str());
        NewTalkForm {
            opened_on: inputs[0].text().to_owned(),
            inputs,
            focus: usize::from(event.is_some()),
            error: None,
            events: Vec::new(),
            today: None,
        }
    }

    /// The events' dates and today's date, for the date's default.
    pub fn set_calendar(&mut self, events: Vec<EventDays>, today: Date) {
        self.events = events;
        self.today = Some(today);
    }

    pub fn field(&self) -> Field {
        Field::ALL[self.focus.min(Field::ALL.len() - 1)]
    }

    pub fn input_mut(&mut self) -> &mut LineInput {
        let focus = self.focus.min(self.inputs.len() - 1);
        &mut self.inputs[focus]
    }

    pub fn value(&self, field: Field) -> &str {
        self.inputs[field.index()].text().trim()
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % Field::ALL.len();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + Field::ALL.len() - 1) % Field::ALL.len();
    }

    /// Whether anything was typed since it opened (then Esc keeps it for the next `n`).
    pub fn touched(&self) -> bool {
        self.value(Field::Event) != self.opened_on
            || Field::ALL
                .iter()
                .filter(|f| !matches!(f, Field::Event | Field::Kind))
                .any(|f| !self.value(*f).is_empty())
            || self.kind() != Ok(TalkKind::default())
    }

    fn kind(&self) -> Result<TalkKind, String> {
        self.value(Field::Kind).parse()
    }

    /// Where the kind typed stands in [`TalkKind::ALL`] (the first when it names none).
    fn kind_position(&self) -> usize {
        self.kind()
            .ok()
            .and_then(|k| TalkKind::ALL.iter().position(|a| *a == k))
            .unwrap_or(0)
    }

    /// ← / →: the previous or next kind.
    pub fn cycle_kind(&mut self, by: isize) {
        let all = TalkKind::ALL;
        let at = self.kind_position();
        let next = (at as isize + by).rem_euclid(all.len() as isize) as usize;
        self.inputs[Field::Kind.index()].set(all[next].as_str());
    }

    /// A letter: the next kind that starts with it (`s` goes session, sponsor, session…).
    pub fn pick_kind(&mut self, letter: char) {
        let all = TalkKind::ALL;
        let at = self.kind_position();
        let letter = letter.to_ascii_lowercase();
        let found = (1..=all.len())
            .map(|i| all[(at + i) % all.len()])
            .find(|k| k.as_str().starts_with(letter));
        if let Some(kind) = found {
            self.inputs[Field::Kind.index()].set(kind.as_str());
        }
    }

    /// The event the form names, if its dates are known.
    fn event_days(&self) -> Option<&EventDays> {
        let id = self.value(Field::Event);
        self.events.iter().find(|e| e.id.as_str() == id)
    }

    /// The date the talk gets when the date field is left empty.
    pub fn default_date(&self) -> Option<Date> {
        self.event_days()?.default_date(self.today?)
    }

    /// What an empty date field means, shown in it.
    pub fn date_hint(&self) -> String {
        match (self.default_date(), self.today) {
            (Some(date), Some(today)) if date == today => {
                format!("{date} (today; type another YYYY-MM-DD to change)")
            }
            (Some(date), _) => format!("{date} (the event's day; type YYYY-MM-DD to change)"),
            (None, _) => match self.event_days().and_then(|e| e.starts_on) {
                Some(first) => format!(
                    "none: today is not one of the event's days (lists show {first}); YYYY-MM-DD"
                ),
                None => "none; YYYY-MM-DD".to_owned(),
            },
        }
    }

    /// The typed values as a [`crate::capture::NewTalk`], or why they cannot be one.
    pub fn spec(&self) -> Result<crate::capture::NewTalk, String> {
        let event = match self.value(Field::Event) {
            "" => None,
            text => Some(text.parse::<Slug>()?),
        };
        let url = Some(self.value(Field::Url).to_owned()).filter(|u| !u.is_empty());
        let date = match self.value(Field::Date) {
            "" => self.default_date(),
            text => Some(text.parse::<Date>()?),
        };
        Ok(crate::capture::NewTalk {
            event,
            title: self.value(Field::Title).to_owned(),
            url,
            speakers: parse_speakers(self.value(Field::Speakers)),
            kind: Some(self.kind()?),
            date,
            tags: parse_tags(self.value(Field::Tags)),
            ..Default::default()
        })
    }
}

/// Tags as typed on one line: separated by commas (`,` `，` `、`) when there are any, so a tag
/// may hold a space (`service mesh, ebpf`), else by spaces (`ebpf o11y`).
pub fn parse_tags(text: &str) -> Vec<String> {
    let pieces: Vec<&str> = if text.contains([',', '，', '、']) {
        text.split([',', '，', '、']).collect()
    } else {
        text.split_whitespace().collect()
    };
    pieces
        .into_iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Splits `Name (Affiliation); Name2（所属）` into speakers. Commas and `、` separate speakers
/// too, except inside parentheses (`Example, Inc.`).
pub fn parse_speakers(text: &str) -> Vec<Speaker> {
    let mut speakers = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && matches!(c, ';' | '；' | ',' | '，' | '、') {
            speakers.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    speakers.push(current);
    speakers
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(Speaker::parse_cli)
        .collect()
}

/// `t`: `name [url]`: the last word is the URL when it looks like one.
pub fn parse_tool(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    match text.rsplit_once(char::is_whitespace) {
        Some((name, url)) if crate::capture::looks_like_url(url) && !name.trim().is_empty() => {
            (name.trim().to_owned(), Some(url.to_owned()))
        }
        _ => (text.to_owned(), None),
    }
}

/// `l`: `url [title]`.
pub fn parse_link(text: &str) -> (String, Option<String>) {
    let text = text.trim();
    match text.split_once(char::is_whitespace) {
        Some((url, title)) if !title.trim().is_empty() => {
            (url.to_owned(), Some(title.trim().to_owned()))
        }
        _ => (text.to_owned(), None),
    }
}
