//! One-line text inputs and the new-talk form.
//!
//! Japanese is typed through an IME that commits whole words at once, often as a burst of key
//! events or a paste, and every character takes two terminal columns. So the input keeps a
//! byte cursor that always sits on a character boundary, measures the cursor column in display
//! width (not characters, not bytes), and scrolls horizontally by display width. Control
//! characters never enter an input: a note can hold only what a user could see while typing.

use unicode_width::UnicodeWidthChar;

use crate::display;
use crate::note::{Slug, Speaker};

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
}

impl Field {
    pub const ALL: [Field; 4] = [Field::Event, Field::Title, Field::Url, Field::Speakers];

    pub fn label(self) -> &'static str {
        match self {
            Field::Event => "Event",
            Field::Title => "Title",
            Field::Url => "URL",
            Field::Speakers => "Speakers",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            Field::Event => "event id, e.g. kubecon-jp-2025",
            Field::Title => "required",
            Field::Url => "optional",
            Field::Speakers => "Name (Affiliation); several separated by ;",
        }
    }
}

/// `n`: a small form for a new talk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTalkForm {
    pub inputs: [LineInput; 4],
    pub focus: usize,
    /// Why the last attempt to create the talk failed.
    pub error: Option<String>,
}

impl NewTalkForm {
    /// A form with the event filled in; the cursor starts on the title when there is one.
    pub fn new(event: Option<&Slug>) -> NewTalkForm {
        let mut inputs: [LineInput; 4] = Default::default();
        if let Some(event) = event {
            inputs[0].set(event.as_str());
        }
        NewTalkForm {
            inputs,
            focus: usize::from(event.is_some()),
            error: None,
        }
    }

    pub fn field(&self) -> Field {
        Field::ALL[self.focus.min(Field::ALL.len() - 1)]
    }

    pub fn input_mut(&mut self) -> &mut LineInput {
        let focus = self.focus.min(self.inputs.len() - 1);
        &mut self.inputs[focus]
    }

    pub fn value(&self, field: Field) -> &str {
        let i = Field::ALL.iter().position(|f| *f == field).unwrap_or(0);
        self.inputs[i].text().trim()
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % Field::ALL.len();
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + Field::ALL.len() - 1) % Field::ALL.len();
    }

    /// The typed values as a [`crate::capture::NewTalk`], or why they cannot be one.
    pub fn spec(&self) -> Result<crate::capture::NewTalk, String> {
        let event = match self.value(Field::Event) {
            "" => None,
            text => Some(text.parse::<Slug>()?),
        };
        let url = Some(self.value(Field::Url).to_owned()).filter(|u| !u.is_empty());
        Ok(crate::capture::NewTalk {
            event,
            title: self.value(Field::Title).to_owned(),
            url,
            speakers: parse_speakers(self.value(Field::Speakers)),
            ..Default::default()
        })
    }
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
        Some((name, url)) if looks_like_url(url) && !name.trim().is_empty() => {
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

fn looks_like_url(word: &str) -> bool {
    word.contains("://") || word.starts_with("www.")
}
