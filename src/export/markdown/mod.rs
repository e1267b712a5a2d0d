//! The Markdown recap: GitHub-flavoured Markdown that reads well on Zenn, Qiita, Hatena Blog
//! and note, and that `tn import` can read back.
//!
//! Two constraints shape the text:
//!
//! - **User text never breaks the page.** A takeaway that starts with `1.` or `#`, a title with
//!   `*` or `|`, a memo line `---` (which would turn the line above it into a heading) or a `$`
//!   (KaTeX on Zenn and Qiita) must show as typed. [`inline`] backslash-escapes what could start
//!   Markdown syntax, writes control characters as numeric references and line breaks as
//!   `<br>`. Code blocks in memos are copied exactly, and an unclosed one is closed, so it cannot
//!   swallow the rest of the recap.
//! - **The structure survives a round trip.** Every escape is reversible ([`unescape`]), headings
//!   and list labels are fixed words, and each event and talk heading is followed by a one-line
//!   HTML comment (invisible on every platform) carrying what a reader does not need to see:
//!   ids, kinds, tags, language, the times takeaways were jotted, speakers' roles, link kinds,
//!   the schedule session a talk came from. Ratings and statuses are private and are not
//!   exported.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

mod escape;

use super::{Block, FrontMatter, Recap, RecapOptions, blocks, one_line, trimmed_block};
use crate::interchange::EventBundle;
use crate::note::{
    ClockTime, Event, EventKind, Link, LinkKind, Slug, Source, Talk, TalkKind, Tool, ZoneName,
};
use crate::present;
use escape::{autolink_safe, destination};
pub use escape::{inline, unescape};
pub(crate) use escape::{is_unsafe, line_text};

/// The first line of every recap's body; `tn import` recognises recaps by it.
pub const RECAP_MARKER: &str = "<!-- talknotes:recap 1 -->";
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
/// Who wrote the notes of a talk (`--contributors`); for readers only, not read back.
pub(crate) const LABEL_CONTRIBUTORS: &str = "記録";
pub(crate) const SECTION_TAKEAWAYS: &str = "学んだこと";
pub(crate) const SECTION_TOOLS: &str = "紹介されたツール";
pub(crate) const SECTION_LINKS: &str = "関連リンク";
pub(crate) const SECTION_MEMO: &str = "メモ";
pub(crate) const TOOLS_HEADING: &str = "登場したツール一覧";
/// Separates a start from an end: `2024-06-15 13:00〜13:40`.
pub(crate) const RANGE: char = present::RECAP.range;
pub(crate) const SPEAKER_SEPARATOR: char = '、';

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
    /// Each link's kind (`slides`, `video`, `page`), in link order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Option<LinkKind>>,
    /// The schedule session the talk was imported from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// Writes the recap of `bundles` as Markdown.
pub fn markdown(bundles: &[EventBundle], options: &RecapOptions) -> String {
    render(&Recap::build(bundles, options), options.front_matter)
}

/// Writes an already built recap.
pub fn render(recap: &Recap, front_matter: Option<FrontMatter>) -> String {
    let mut out = Out::default();
    if let Some(kind) = front_matter {
        out.raw(&front_matter_text(recap, kind));
    }
    out.block([RECAP_MARKER.to_owned()]);
    // Platforms that take a front matter show its title; the body then starts at `##`.
    let event_level = if front_matter.is_some() {
        2
    } else if recap.title_heading {
        out.block([format!("# {}", inline(one_line(&recap.title)))]);
        2
    } else {
        1
    };
    for section in &recap.events {
        write_event(&mut out, &section.event, event_level);
        for group in &section.groups {
            out.block([format!(
                "{} {}",
                "#".repeat(event_level + 1),
                inline(one_line(&group.heading))
            )]);
            for talk in &group.talks {
                write_talk(&mut out, talk, event_level + 2, recap.contributors);
            }
        }
    }
    if !recap.tools.is_empty() {
        let mut table = vec![
            "| ツール | 紹介されたトーク |".to_owned(),
            "| --- | --- |".to_owned(),
        ];
        for row in &recap.tools {
            let (tool, talks) = row.cells(linked);
            table.push(format!("| {tool} | {talks} |"));
        }
        out.block([format!("## {TOOLS_HEADING}")]);
        out.block(table);
    }
    out.finish()
}

fn write_event(out: &mut Out, event: &Event, level: usize) {
    let marker = EventMarker {
        id: event.id.clone(),
        kind: event.kind,
        tags: event.tags.clone(),
        one_day: event.starts_on.is_some() && event.ends_on == event.starts_on,
        timezone: event.timezone.clone(),
    };
    heading(
        out,
        level,
        &event.name,
        event.url.as_deref(),
        EVENT_MARKER,
        &marker,
    );
    let mut meta = Vec::new();
    if let Some(dates) = present::days(event.starts_on, event.ends_on, present::RECAP) {
        meta.push(format!("- {LABEL_DATES}: {dates}"));
    }
    for (label, value) in [
        (LABEL_PLACE, &event.location),
        (LABEL_HASHTAG, &event.hashtag),
    ] {
        if let Some(value) = value.as_deref().map(one_line).filter(|v| !v.is_empty()) {
            meta.push(format!("- {label}: {}", inline(value)));
        }
    }
    out.block(meta);
    if let Some(memo) = &event.memo {
        out.block(memo_lines(memo));
    }
}

fn write_talk(out: &mut Out, talk: &Talk, level: usize, contributors: bool) {
    let roles: Vec<Option<String>> = talk.speakers.iter().map(|s| s.role.clone()).collect();
    let at: Vec<Option<ClockTime>> = talk.takeaways.iter().map(|t| t.at).collect();
    let marker = TalkMarker {
        id: talk.id.clone(),
        kind: talk.kind,
        lang: talk.language.clone(),
        tags: talk.tags.clone(),
        at: if at.iter().any(Option::is_some) {
            at
        } else {
            Vec::new()
        },
        roles: if roles.iter().any(Option::is_some) {
            roles
        } else {
            Vec::new()
        },
        links: if talk.links.iter().any(|l| l.kind.is_some()) {
            talk.links.iter().map(|l| l.kind).collect()
        } else {
            Vec::new()
        },
        source: talk.source.clone(),
    };
    heading(
        out,
        level,
        &talk.title,
        talk.url.as_deref(),
        TALK_MARKER,
        &marker,
    );

    let mut meta = Vec::new();
    if !talk.speakers.is_empty() {
        let names = present::speakers(&talk.speakers, present::RECAP, speaker_part);
        meta.push(format!("- {LABEL_SPEAKERS}: {names}"));
    }
    if let Some(when) = present::when(talk.date, talk.start, talk.end, present::RECAP) {
        let label = if talk.start.is_some() || talk.end.is_some() {
            LABEL_WHEN
        } else {
            LABEL_DATE
        };
        meta.push(format!("- {label}: {when}"));
    }
    if let Some(track) = talk
        .track
        .as_deref()
        .map(one_line)
        .filter(|t| !t.is_empty())
    {
        meta.push(format!("- {LABEL_TRACK}: {}", inline(track)));
    }
    let names = talk.contributors();
    if contributors && !names.is_empty() {
        let names: Vec<String> = names.iter().map(|n| inline(one_line(n))).collect();
        meta.push(format!(
            "- {LABEL_CONTRIBUTORS}: {}",
            names.join(&SPEAKER_SEPARATOR.to_string())
        ));
    }
    out.block(meta);

    if let Some(text) = talk.r#abstract.as_deref().map(trimmed_block) {
        let quoted = super::text_lines(text)
            .map(|l| {
                if l.trim().is_empty() {
                    ">".to_owned()
                } else {
                    format!("> {}", line_text(l))
                }
            })
            .collect::<Vec<_>>();
        out.block(quoted);
    }
    let sub = "#".repeat(level + 1);
    if !talk.takeaways.is_empty() {
        out.block([format!("{sub} {SECTION_TAKEAWAYS}")]);
        out.block(
            talk.takeaways
                .iter()
                .map(|t| list_item(&inline(one_line(&t.text)))),
        );
    }
    if !talk.tools.is_empty() {
        out.block([format!("{sub} {SECTION_TOOLS}")]);
        out.block(talk.tools.iter().map(tool_item));
    }
    if !talk.links.is_empty() {
        out.block([format!("{sub} {SECTION_LINKS}")]);
        out.block(talk.links.iter().map(link_item));
    }
    if let Some(memo) = &talk.memo {
        let lines = memo_lines(memo);
        if !lines.is_empty() {
            out.block([format!("{sub} {SECTION_MEMO}")]);
            out.block(lines);
        }
    }
}

/// An event's or talk's heading, linked to its URL, with its marker comment right after it.
fn heading<T: Serialize>(
    out: &mut Out,
    level: usize,
    title: &str,
    url: Option<&str>,
    prefix: &str,
    marker: &T,
) {
    out.block([
        format!("{} {}", "#".repeat(level), linked(title, url)),
        marker_line(prefix, marker),
    ]);
}

fn list_item(text: &str) -> String {
    if text.is_empty() {
        "-".to_owned()
    } else {
        format!("- {text}")
    }
}

fn tool_item(tool: &Tool) -> String {
    list_item(&linked(&tool.name, tool.url.as_deref()))
}

fn link_item(link: &Link) -> String {
    let url = one_line(&link.url);
    let title = link
        .title
        .as_deref()
        .map(one_line)
        .filter(|t| !t.is_empty());
    // Always a link, even to an empty URL (`[title]()`), so that the item reads back as one.
    let link = |text: &str| format!("[{}]({})", inline(text), destination(url));
    match title {
        Some(title) if title != url => list_item(&link(title)),
        _ if autolink_safe(url) => format!("- <{url}>"),
        _ => list_item(&link(url)),
    }
}

/// `[text](url)`, or the escaped text alone without a URL.
fn linked(text: &str, url: Option<&str>) -> String {
    let text = inline(one_line(text));
    match url.map(one_line).filter(|u| !u.is_empty()) {
        Some(url) => format!("[{text}]({})", destination(url)),
        None => text,
    }
}

/// A name or affiliation in `山田 花子（Example Inc.）、…`. The separators (`、`, full-width
/// parentheses) are written as numeric references inside them, so a name containing one
/// still reads back as one name.
fn speaker_part(text: &str) -> String {
    let mut out = String::new();
    for c in inline(one_line(text)).chars() {
        match c {
            SPEAKER_SEPARATOR | '（' | '）' => {
                let _ = write!(out, "&#x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn marker_line<T: Serialize>(prefix: &str, marker: &T) -> String {
    let json = serde_json::to_string(marker)
        .unwrap_or_else(|e| unreachable!("markers serialize to JSON: {e}"));
    // `>` and `<` only occur inside JSON strings; escaped, no value can end the comment.
    let mut safe = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' => {
                let _ = write!(safe, "\\u{:04x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(safe, "\\u{:04x}", c as u32);
            }
            c => safe.push(c),
        }
    }
    format!("{prefix}{safe}{MARKER_END}")
}

/// A memo: text lines escaped, fenced code blocks copied exactly (and closed if left open).
fn memo_lines(memo: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for block in blocks(trimmed_block(memo)) {
        match block {
            Block::Line(l) if l.trim().is_empty() => lines.push(String::new()),
            Block::Line(l) => lines.push(line_text(l)),
            Block::Code { open, body, close } => {
                // Code is copied as written; only characters a terminal would act on are
                // replaced, since nothing inside a code block can stand for them.
                let code = |l: &str| -> String {
                    l.chars()
                        .map(|c| if is_unsafe(c) { '\u{fffd}' } else { c })
                        .collect()
                };
                lines.push(code(open));
                lines.extend(body.iter().map(|l| code(l)));
                match close {
                    Some(close) => lines.push(close.to_owned()),
                    None => {
                        let (c, len) = super::fence_open(open)
                            .unwrap_or_else(|| unreachable!("a code block opens with a fence"));
                        lines.push(c.to_string().repeat(len));
                    }
                }
            }
        }
    }
    lines
}

fn front_matter_text(recap: &Recap, kind: FrontMatter) -> String {
    // A JSON string is a YAML double-quoted scalar; `json_safe` also writes the C1 controls and
    // bidirectional overrides JSON leaves raw as `\uXXXX`, which YAML reads the same.
    let quoted = |s: &str| {
        crate::display::json_safe(
            serde_json::to_string(s).unwrap_or_else(|e| unreachable!("a string serializes: {e}")),
        )
    };
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|t| quoted(t)).collect();
        format!("[{}]", quoted.join(", "))
    };
    let title = quoted(one_line(&recap.title));
    let date = recap
        .date
        .map(|d| format!("date: {d}\n"))
        .unwrap_or_default();
    let body = match kind {
        FrontMatter::Zenn => {
            let mut topics: Vec<String> = Vec::new();
            for tag in &recap.tags {
                let topic: String = tag
                    .to_lowercase()
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect();
                if !topic.is_empty() && !topics.contains(&topic) && topics.len() < 5 {
                    topics.push(topic);
                }
            }
            format!(
                "title: {title}\nemoji: \"📝\"\ntype: \"tech\"\ntopics: {}\npublished: false\n",
                list(&topics)
            )
        }
        FrontMatter::Hugo => format!(
            "title: {title}\n{date}tags: {}\ndraft: true\n",
            list(&recap.tags)
        ),
        FrontMatter::Jekyll => format!(
            "layout: post\ntitle: {title}\n{date}tags: {}\n",
            list(&recap.tags)
        ),
    };
    format!("---\n{body}---")
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
mod tests {
    use super::*;
    use crate::note::{Speaker, Takeaway, Tool};

    #[test]
    fn markers_cannot_end_the_comment() {
        let marker = TalkMarker {
            id: "t".parse().unwrap(),
            kind: TalkKind::Session,
            lang: Some("--> <!--".into()),
            tags: vec![],
            at: vec![],
            roles: vec![],
            links: vec![],
            source: None,
        };
        let line = marker_line(TALK_MARKER, &marker);
        assert_eq!(line.matches("-->").count(), 1, "{line}");
        assert!(line.ends_with(" -->"));
        let json = &line[TALK_MARKER.len()..line.len() - MARKER_END.len()];
        let back: TalkMarker = serde_json::from_str(json).unwrap();
        assert_eq!(back, marker);
    }

    #[test]
    fn unclosed_code_blocks_are_closed() {
        let lines = memo_lines("text\n````sh\n# comment\n```");
        assert_eq!(lines, ["text", "````sh", "# comment", "```", "````"]);
    }

    #[test]
    fn a_talk_renders_every_part() {
        let mut talk = Talk::new("t".parse().unwrap(), "Intro to *eBPF*");
        talk.url = Some("https://example.com/t".into());
        talk.speakers = vec![
            Speaker::parse_cli("山田 花子（Example、Inc.）"),
            Speaker::parse_cli("Jane"),
        ];
        talk.date = Some("2024-06-15".parse().unwrap());
        talk.start = Some("13:00".parse().unwrap());
        talk.end = Some("13:40".parse().unwrap());
        talk.takeaways = vec![Takeaway {
            text: "1. first".into(),
            at: Some("13:05".parse().unwrap()),
            by: None,
        }];
        talk.tools = vec![Tool {
            name: "Cilium".into(),
            url: Some("https://cilium.io/".into()),
            by: None,
        }];
        talk.links = vec![Link {
            url: "https://example.com/slides".into(),
            kind: None,
            title: None,
            by: None,
        }];
        talk.memo = Some("```sh\nls\n```".into());
        let mut out = Out::default();
        write_talk(&mut out, &talk, 3, false);
        let text = out.finish();
        let expected = "### [Intro to \\*eBPF\\*](https://example.com/t)\n\
<!-- talknotes:talk {\"id\":\"t\",\"kind\":\"session\",\"at\":[\"13:05\"]} -->\n\
\n\
- 登壇者: 山田 花子（Example&#x3001;Inc.）、Jane\n\
- 日時: 2024-06-15 13:00〜13:40\n\
\n\
#### 学んだこと\n\
\n\
- 1\\. first\n\
\n\
#### 紹介されたツール\n\
\n\
- [Cilium](https://cilium.io/)\n\
\n\
#### 関連リンク\n\
\n\
- <https://example.com/slides>\n\
\n\
#### メモ\n\
\n\
```sh\n\
ls\n\
```\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn front_matter_never_carries_raw_terminal_controls() {
        // JSON quoting leaves C1 controls, DEL and bidirectional overrides raw, and the front
        // matter is the first thing `tn export --format md` prints.
        let name = "Ev \u{1b}]0;x\u{7} \u{9b}2J \u{85}\u{7f} \u{202e}rtl";
        let mut event = Event::new("ev".parse().unwrap(), name);
        event.tags = vec![name.into()];
        let bundles = [crate::interchange::EventBundle {
            event,
            talks: Vec::new(),
        }];
        for kind in [FrontMatter::Zenn, FrontMatter::Hugo, FrontMatter::Jekyll] {
            let options = RecapOptions {
                front_matter: Some(kind),
                ..RecapOptions::default()
            };
            let text = markdown(&bundles, &options);
            assert!(
                !text.chars().any(|c| is_unsafe(c) || c == '\u{7f}'),
                "{kind:?}: {text:?}"
            );
            let title = text.lines().find(|l| l.starts_with("title: ")).unwrap();
            let title: String = serde_json::from_str(&title["title: ".len()..]).unwrap();
            assert_eq!(title, name, "the title reads back as it was");
        }
    }
}
