//! The Markdown recap: what people publish on Zenn, Qiita, Hatena Blog, Hugo, Jekyll, note or
//! GitHub after an event, and what `tn import` can read back.
//!
//! The document is the same skeleton for every platform and layout: the platform's front
//! matter ([`platform`]), a recap marker comment naming the platform and layout, the title,
//! then each event's heading with its facts and memo, the groups of talks, and each talk. The
//! [`Layout`] decides what a talk looks like: the notes layout ([`notes`]) keeps everything,
//! talk by talk, with a closing table of tools; the attendee recap and the digest
//! ([`compact`]) show each talk's page as a card, embed slides and recordings, and keep the
//! rest of the note in the talk's marker.
//!
//! Two constraints shape the text:
//!
//! - **User text never becomes markup.** Every piece of it goes through [`escape`], which is
//!   verified against each platform's renderer: no takeaway can turn into a heading, a list,
//!   an embed, a shortcode, a Liquid tag, front matter or HTML. Links go only to `http(s)` and
//!   `mailto` URLs; other URLs are shown as text. Code blocks in memos are copied exactly
//!   (Hugo and Jekyll get the one change their template engines need), and an unclosed one is
//!   closed, so it cannot swallow the rest of the recap.
//! - **The structure survives a round trip.** Every escape is reversible, headings and labels
//!   are fixed words, and each event and talk heading is followed by a one-line HTML comment
//!   (invisible on every platform) carrying what a reader does not need to see: ids, kinds,
//!   tags, language, the times takeaways were jotted, speakers' roles, and in the compact
//!   layouts the fields they do not show. White space at the edges of fields is kept (as
//!   references). Ratings and statuses are private and are not exported.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

pub(crate) mod compact;
pub(crate) mod escape;
mod notes;
pub(crate) mod platform;

use super::{Block, Layout, Platform, Recap, RecapOptions, blocks, edges};
use crate::interchange::EventBundle;
use crate::note::{
    ClockTime, Date, Event, EventKind, LinkKind, Slug, Source, Speaker, TalkKind, ZoneName,
};
use crate::present;
use escape::{destination, edge_line, linkable};
pub use escape::{inline, unescape};
pub(crate) use escape::{is_unsafe, line_text};

/// How every recap's body starts; `tn import` recognises recaps by it. Recaps for a platform
/// or in a layout other than the notes layout carry a [`RecapMarker`] after it.
pub const RECAP_MARKER: &str = "<!-- talknotes:recap 1 -->";
pub(crate) const RECAP_PREFIX: &str = "<!-- talknotes:recap 1";
pub(crate) const EVENT_MARKER: &str = "<!-- talknotes:event ";
pub(crate) const TALK_MARKER: &str = "<!-- talknotes:talk ";
pub(crate) const MARKER_END: &str = " -->";

pub(crate) const LABEL_DATES: &str = "日程";
pub(crate) const LABEL_PLACE: &str = "会場";
pub(crate) const LABEL_HASHTAG: &str = "ハッシュタグ";
pub(crate) const LABEL_SPEAKERS: &str = "登壇者";
pub(crate) const LABEL_WHEN: &str = "日時";
pub(crate) const LABEL_DATE: &str = "日付";
pub(crate) const LABEL_TRACK: &str = "トラック";
/// A URL that is not a web or mail address, shown as text (it cannot be a link).
pub(crate) const LABEL_URL: &str = "URL";
/// Who wrote the notes of a talk (`--contributors`); for readers only, not read back.
pub(crate) const LABEL_CONTRIBUTORS: &str = "記録";
pub(crate) const SECTION_TAKEAWAYS: &str = "学んだこと";
pub(crate) const SECTION_TOOLS: &str = "紹介されたツール";
pub(crate) const SECTION_LINKS: &str = "関連リンク";
pub(crate) const SECTION_MEMO: &str = "メモ";
pub(crate) const TOOLS_HEADING: &str = "登場したツール一覧";
/// The digest's closing section, the event's memo.
pub(crate) const AFTERWORD: &str = "あとがき";
/// Captions of embedded slides and recordings in the compact layouts.
pub(crate) const CAPTION_SLIDES: &str = "スライド";
pub(crate) const CAPTION_VIDEO: &str = "動画";
/// Separates a start from an end: `2024-06-15 13:00〜13:40`.
pub(crate) const RANGE: char = present::RECAP.range;
pub(crate) const SPEAKER_SEPARATOR: char = '、';

/// What the recap marker carries when the recap is not plain notes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecapMarker {
    #[serde(rename = "for", default)]
    pub platform: Platform,
    #[serde(default)]
    pub layout: Layout,
}

/// What the comment after an event heading carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EventMarker {
    pub id: Slug,
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The event's last day is written and equals its first (shown as one date).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub one_day: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<ZoneName>,
}

/// What the comment after a talk heading carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TalkMarker {
    pub id: Slug,
    pub kind: TalkKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// When each takeaway was jotted, in takeaway order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<Option<ClockTime>>,
    /// Each speaker's role, in speaker order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Option<String>>,
    // The fields the compact layouts do not show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(rename = "abstract", default, skip_serializing_if = "Option::is_none")]
    pub r#abstract: Option<String>,
    /// Where the embedded slides and recordings stand among the talk's links, when they are
    /// not its first links (the compact layouts show them first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<usize>,
    /// Each link's kind (`slides`, `video`, `page`), in the talk's link order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Option<LinkKind>>,
    /// The schedule session the talk was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// Writes the recap of `bundles` as Markdown.
pub fn markdown(bundles: &[EventBundle], options: &RecapOptions) -> String {
    render(&Recap::build(bundles, options), options)
}

/// Writes an already built recap.
pub fn render(recap: &Recap, options: &RecapOptions) -> String {
    let mut w = Writer {
        out: Out::default(),
        platform: options.platform,
        layout: recap.layout,
        contributors: recap.contributors,
    };
    let front_matter = platform::front_matter(recap, options);
    if let Some(text) = &front_matter {
        w.out.raw(text);
    }
    let marker = RecapMarker {
        platform: w.platform,
        layout: w.layout,
    };
    let recap_marker = if marker == RecapMarker::default() {
        RECAP_MARKER.to_owned()
    } else {
        marker_line(RECAP_PREFIX, " ", &marker)
    };
    w.out.block([recap_marker]);
    // Platforms that take a front matter show its title; the body then starts at `##`.
    let event_level = if front_matter.is_some() {
        2
    } else if recap.title_heading {
        w.out.block([format!("# {}", w.text(&recap.title))]);
        2
    } else {
        1
    };
    // A compact recap of one event reads as a post: its event and groups are sections alike.
    let single_compact = recap.layout != Layout::Notes && recap.events.len() == 1;
    for section in &recap.events {
        w.event(&section.event, event_level);
        let group_level = if single_compact {
            event_level
        } else {
            event_level + 1
        };
        for group in &section.groups {
            let heading = w.text(&group.heading);
            w.out
                .block([format!("{} {heading}", "#".repeat(group_level))]);
            for talk in &group.talks {
                match recap.layout {
                    Layout::Notes => w.notes_talk(talk, group_level + 1),
                    _ => w.compact_talk(talk, group_level + 1),
                }
            }
        }
        if recap.layout == Layout::Digest
            && let Some(memo) = &section.event.memo
        {
            let lines = w.block_lines(memo, true);
            if !lines.is_empty() {
                w.out
                    .block([format!("{} {AFTERWORD}", "#".repeat(group_level))]);
                w.out.block(lines);
            }
        }
    }
    if recap.layout == Layout::Notes && !recap.tools.is_empty() {
        let mut table = vec![
            "| ツール | 紹介されたトーク |".to_owned(),
            "| --- | --- |".to_owned(),
        ];
        for row in &recap.tools {
            let (tool, talks) = row.cells(|text, url| w.linked(text, url));
            table.push(format!("| {tool} | {talks} |"));
        }
        w.out.block([format!("## {TOOLS_HEADING}")]);
        w.out.block(table);
    }
    w.out.finish()
}

/// The state of one recap being written.
struct Writer {
    out: Out,
    platform: Platform,
    layout: Layout,
    contributors: bool,
}

impl Writer {
    /// A one-line field, escaped for the platform.
    fn text(&self, text: &str) -> String {
        inline(text, self.platform)
    }

    /// `[text](url)` when the URL is a web or mail address; the text alone otherwise (the
    /// writer shows such a URL elsewhere as text).
    fn linked(&self, text: &str, url: Option<&str>) -> String {
        let text = self.text(text);
        match url.filter(|u| !u.is_empty() && linkable(u)) {
            Some(url) => format!("[{text}]({})", destination(url)),
            None => text,
        }
    }

    /// `- URL: …` for a URL that cannot be a link.
    fn url_meta(&self, url: Option<&str>) -> Option<String> {
        url.filter(|u| !u.is_empty() && !linkable(u))
            .map(|u| format!("- {LABEL_URL}: {}", self.text(u)))
    }

    fn event(&mut self, event: &Event, level: usize) {
        let marker = EventMarker {
            id: event.id.clone(),
            kind: event.kind,
            tags: event.tags.clone(),
            one_day: event.starts_on.is_some() && event.ends_on == event.starts_on,
            timezone: event.timezone.clone(),
        };
        let title = self.linked(&event.name, event.url.as_deref());
        self.out.block([
            format!("{} {title}", "#".repeat(level)),
            marker_line(EVENT_MARKER, "", &marker),
        ]);
        let mut meta = Vec::new();
        if let Some(dates) = present::days(event.starts_on, event.ends_on, present::RECAP) {
            meta.push(format!("- {LABEL_DATES}: {dates}"));
        }
        for (label, value) in [
            (LABEL_PLACE, &event.location),
            (LABEL_HASHTAG, &event.hashtag),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                meta.push(format!("- {label}: {}", self.text(value)));
            }
        }
        meta.extend(self.url_meta(event.url.as_deref()));
        self.out.block(meta);
        if self.layout != Layout::Digest
            && let Some(memo) = &event.memo
        {
            let lines = self.block_lines(memo, true);
            self.out.block(lines);
        }
    }

    /// `山田 花子（Example Inc.）、Jane`: names and affiliations exactly, the separators
    /// (`、`, full-width parentheses) inside them as references, so each reads back whole.
    fn speakers(&self, speakers: &[Speaker]) -> String {
        let part = |text: &str| {
            let mut out = String::new();
            for c in self.text(text).chars() {
                match c {
                    SPEAKER_SEPARATOR | '（' | '）' => {
                        let _ = write!(out, "&#x{:x};", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out
        };
        speakers
            .iter()
            .map(
                |s| match s.affiliation.as_deref().filter(|a| !a.is_empty()) {
                    Some(affiliation) => format!("{}（{}）", part(&s.name), part(affiliation)),
                    None => part(&s.name),
                },
            )
            .collect::<Vec<_>>()
            .join(&SPEAKER_SEPARATOR.to_string())
    }

    fn contributor_names(&self, names: &[&str]) -> String {
        let names: Vec<String> = names.iter().map(|n| self.text(n)).collect();
        names.join(&SPEAKER_SEPARATOR.to_string())
    }

    /// A multi-line field: the lines of text escaped, fenced code blocks (in memos) copied
    /// exactly and closed if left open, and white space at its edges in lines of references.
    fn block_lines(&self, text: &str, code: bool) -> Vec<String> {
        let (head, core, tail) = edges(text);
        let mut lines = Vec::new();
        if !head.is_empty() {
            lines.push(edge_line(head));
        }
        let pieces = if code {
            blocks(core)
        } else {
            super::text_lines(core).map(Block::Line).collect()
        };
        for block in pieces {
            match block {
                Block::Line(l) if l.trim().is_empty() => lines.push(String::new()),
                Block::Line(l) => lines.push(line_text(l, self.platform)),
                Block::Code { open, body, close } => {
                    let code = |l: &str| escape::code_line(l, self.platform);
                    lines.push(code(open));
                    lines.extend(body.iter().map(|l| code(l)));
                    match close {
                        Some(close) => lines.push(code(close)),
                        None => {
                            let (c, len) = super::fence_open(open)
                                .unwrap_or_else(|| unreachable!("a code block opens with a fence"));
                            lines.push(c.to_string().repeat(len));
                        }
                    }
                }
            }
        }
        if !tail.is_empty() {
            lines.push(edge_line(tail));
        }
        lines
    }
}

/// `- text`, or `-` alone for empty text.
fn list_item(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        format!("- {text}")
    }
}

/// A marker comment: `prefix` + JSON + ` -->`. Inside the JSON's strings, `<` and `>` (which
/// could end the comment), the characters templates and Hatena's notations are made of, and
/// characters a terminal acts on are `\u` escapes, which JSON reads the same.
fn marker_line<T: Serialize>(prefix: &str, separator: &str, marker: &T) -> String {
    let json = serde_json::to_string(marker)
        .unwrap_or_else(|e| unreachable!("markers serialize to JSON: {e}"));
    let mut safe = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        let special = match c {
            '<' | '>' => true,
            '{' | '}' | '%' | '[' | ']' => in_string,
            c => is_unsafe(c),
        };
        if special {
            let _ = write!(safe, "\\u{:04x}", c as u32);
        } else {
            safe.push(c);
        }
        if in_string && escaped {
            escaped = false;
        } else if in_string && c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_string = !in_string;
        }
    }
    format!("{prefix}{separator}{safe}{MARKER_END}")
}

/// Lines separated by exactly one blank line between blocks.
#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn raw(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn block<I, S>(&mut self, lines: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut first = true;
        for line in lines {
            if first && !self.text.is_empty() {
                self.text.push('\n');
            }
            first = false;
            self.text.push_str(line.as_ref());
            self.text.push('\n');
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests;
