//! Reading back a Markdown recap written by `tn export --format md`.
//!
//! A recap is often the only copy that travels: published on a blog, kept in a repository,
//! mailed to a colleague. Reading it back turns it into notes again (export, import into an
//! empty knowledge base, export again gives the same bytes). The reader knows the writer's
//! layout ([`crate::export::markdown`]) and nothing else: it finds events and talks by the
//! `<!-- talknotes:… -->` comment right after their heading, reads the fixed `- label:` lines and
//! section headings, and reverses the escaping. It works line by line rather than through a
//! Markdown parser because it must give back text exactly, code blocks byte for byte, and say
//! which line is wrong when the file was edited into something it cannot read. Text a person
//! added outside events and talks (an introduction, a closing paragraph) is not note data and
//! is ignored; the tools table is derived from the talks and is ignored too.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::{Error, Result};
use crate::export::markdown::escape::{is_edge_line, unescape_code};
use crate::export::markdown::{
    AFTERWORD, EVENT_MARKER, EventMarker, LABEL_CONTRIBUTORS, LABEL_DATE, LABEL_DATES,
    LABEL_HASHTAG, LABEL_PLACE, LABEL_SPEAKERS, LABEL_TRACK, LABEL_URL, LABEL_WHEN, MARKER_END,
    RANGE, RECAP_MARKER, RECAP_PREFIX, RecapMarker, SECTION_LINKS, SECTION_MEMO, SECTION_TAKEAWAYS,
    SECTION_TOOLS, SPEAKER_SEPARATOR, TALK_MARKER, TOOLS_HEADING, TalkMarker, unescape,
};
use crate::export::{Layout, fence_close, fence_open};
use crate::interchange::EventBundle;
use crate::note::{ClockTime, Date, Event, Link, Speaker, Takeaway, Talk, Tool};

mod compact;

/// What Markdown trims around a line's text (not Unicode white space: a recap writes white
/// space at the edges of a field as references, and a typed U+3000 is text).
const BLANKS: [char; 2] = [' ', '\t'];

const HINT: &str = "tn import reads recaps written by `tn export --format md`; keep their headings, `- label:` lines and <!-- talknotes:… --> comments as they were written";

struct Doc<'a> {
    path: &'a Path,
    lines: Vec<&'a str>,
    /// Whether each line belongs to a fenced code block (fences included).
    code: Vec<bool>,
    /// The platform and layout the recap was written for.
    kind: RecapMarker,
}

impl Doc<'_> {
    fn fail(&self, index: usize, message: impl std::fmt::Display) -> Error {
        Error::input(
            format!("{}: line {}: {message}", self.path.display(), index + 1),
            HINT,
        )
    }

    fn heading(&self, index: usize) -> Option<(usize, &str)> {
        if self.code[index] {
            return None;
        }
        heading(self.lines[index])
    }

    fn is_marker(&self, index: usize) -> bool {
        !self.code[index]
            && (self.lines[index].starts_with(EVENT_MARKER)
                || self.lines[index].starts_with(TALK_MARKER))
    }

    fn blank(&self, index: usize) -> bool {
        !self.code[index] && self.lines[index].trim_matches(BLANKS).is_empty()
    }

    fn marker<T: serde::de::DeserializeOwned>(&self, index: usize, prefix: &str) -> Result<T> {
        let line = self.lines[index].trim_end();
        let json = line
            .strip_prefix(prefix)
            .and_then(|l| l.strip_suffix(MARKER_END))
            .ok_or_else(|| self.fail(index, "this talknotes comment does not end with ` -->`"))?;
        serde_json::from_str(json)
            .map_err(|e| self.fail(index, format!("this talknotes comment is damaged: {e}")))
    }
}

/// `## text` as (2, "text").
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &line[level..];
    if rest.is_empty() {
        return Some((level, ""));
    }
    rest.strip_prefix(' ')
        .map(|t| (level, t.trim_matches(BLANKS)))
}

/// The platform and layout a recap marker line names, if it is one.
fn recap_marker(line: &str) -> Option<std::result::Result<RecapMarker, String>> {
    let line = line.trim_end();
    if line == RECAP_MARKER {
        return Some(Ok(RecapMarker::default()));
    }
    let json = line.strip_prefix(RECAP_PREFIX)?.strip_suffix(MARKER_END)?;
    let json = json.strip_prefix(' ')?;
    Some(serde_json::from_str(json).map_err(|e| e.to_string()))
}

/// Whether `text` is a recap (it carries the recap marker outside a front matter).
pub fn looks_like_recap(text: &str) -> bool {
    text.lines().any(|l| recap_marker(l).is_some())
}

/// Parses a whole recap into events and talks; nothing is partially returned.
pub fn parse(path: &Path, text: &str) -> Result<Vec<EventBundle>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut doc = Doc {
        path,
        code: vec![false; lines.len()],
        lines,
        kind: RecapMarker::default(),
    };
    let mut start = 0;
    if doc.lines.first().map(|l| l.trim_end()) == Some("---") {
        let close = (1..doc.lines.len())
            .find(|&i| matches!(doc.lines[i].trim_end(), "---" | "..."))
            .ok_or_else(|| doc.fail(0, "the front matter that starts here is never closed"))?;
        start = close + 1;
    }
    let first = (start..doc.lines.len())
        .find(|&i| !doc.lines[i].trim().is_empty())
        .ok_or_else(|| doc.fail(start, "the file is empty"))?;
    doc.kind = match recap_marker(doc.lines[first]) {
        Some(Ok(kind)) => kind,
        Some(Err(e)) => {
            return Err(doc.fail(first, format!("this talknotes comment is damaged: {e}")));
        }
        None => {
            return Err(doc.fail(
                first,
                format!(
                    "this is not a recap written by `tn export --format md` (it must start with `{RECAP_MARKER}`)"
                ),
            ));
        }
    };
    let mut fence = None;
    for i in first + 1..doc.lines.len() {
        let line = doc.lines[i];
        match fence {
            Some(open) => {
                doc.code[i] = true;
                if fence_close(line, open) {
                    fence = None;
                }
            }
            None => {
                if let Some(open) = fence_open(line) {
                    doc.code[i] = true;
                    fence = Some(open);
                }
            }
        }
    }

    let mut bundles: Vec<EventBundle> = Vec::new();
    let mut talk_ids = BTreeSet::new();
    let mut i = first + 1;
    let n = doc.lines.len();
    while i < n {
        if doc.is_marker(i) {
            return Err(doc.fail(
                i,
                "a talknotes comment must come right after the heading of its event or talk",
            ));
        }
        let Some((level, title)) = doc.heading(i) else {
            i += 1; // text outside events and talks
            continue;
        };
        let next = i + 1;
        if next < n && !doc.code[next] && doc.lines[next].starts_with(EVENT_MARKER) {
            let marker: EventMarker = doc.marker(next, EVENT_MARKER)?;
            let end = (next + 1..n)
                .find(|&j| doc.heading(j).is_some() || doc.is_marker(j))
                .unwrap_or(n);
            let event = read_event(&doc, i, title, marker, next + 1, end)?;
            if bundles.iter().any(|b| b.event.id == event.id) {
                return Err(doc.fail(next, format!("event `{}` appears twice", event.id)));
            }
            talk_ids.clear();
            bundles.push(EventBundle {
                event,
                talks: Vec::new(),
            });
            i = end;
        } else if next < n && !doc.code[next] && doc.lines[next].starts_with(TALK_MARKER) {
            let marker: TalkMarker = doc.marker(next, TALK_MARKER)?;
            let Some(bundle) = bundles.last_mut() else {
                return Err(doc.fail(i, "this talk comes before any event"));
            };
            let end = (next + 1..n)
                .find(|&j| doc.is_marker(j) || doc.heading(j).is_some_and(|(l, _)| l <= level))
                .unwrap_or(n);
            let talk = match doc.kind.layout {
                Layout::Notes => read_talk(&doc, i, level, title, marker, next + 1, end)?,
                _ => compact::read_talk(&doc, i, title, marker, next + 1, end)?,
            };
            if !talk_ids.insert(talk.id.clone()) {
                return Err(doc.fail(
                    next,
                    format!(
                        "talk `{}` appears twice in event `{}`",
                        talk.id, bundle.event.id
                    ),
                ));
            }
            bundle.talks.push(talk);
            i = end;
        } else if title == TOOLS_HEADING {
            // Derived from the talks: skip the table.
            i = (next..n).find(|&j| doc.heading(j).is_some()).unwrap_or(n);
        } else if title == AFTERWORD && doc.kind.layout == Layout::Digest {
            // The event's memo. (A group of that name has no text before its first talk.)
            let end = (next..n)
                .find(|&j| doc.heading(j).is_some() || doc.is_marker(j))
                .unwrap_or(n);
            if let Some(memo) = free_text(&doc, next, end)
                && let Some(bundle) = bundles.last_mut()
            {
                bundle.event.memo = Some(memo);
            }
            i = end;
        } else {
            i += 1; // the recap's title or a group heading
        }
    }
    if bundles.is_empty() {
        return Err(doc.fail(first, "this recap has no events"));
    }
    Ok(bundles)
}

/// `[text](destination)` filling all of `s`.
fn link(s: &str) -> Option<(String, String)> {
    let body = s.strip_prefix('[')?;
    let mut chars = body.char_indices();
    let mut close = None;
    while let Some((idx, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            ']' => {
                close = Some(idx);
                break;
            }
            _ => {}
        }
    }
    let close = close?;
    let text = &body[..close];
    let rest = body[close + 1..].strip_prefix('(')?.strip_suffix(')')?;
    let dest = if let Some(inner) = rest.strip_prefix('<') {
        inner.strip_suffix('>')?
    } else {
        rest
    };
    Some((unescape(text), unescape(dest)))
}

/// A heading's text: a title, linked or not.
fn title_and_url(text: &str) -> (String, Option<String>) {
    match link(text) {
        Some((title, url)) => (title, Some(url)),
        None => (unescape(text), None),
    }
}

/// `- label: value` as (label, value).
fn meta(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("- ")?;
    let (label, value) = rest.split_once(": ")?;
    Some((label, value.trim_matches(BLANKS)))
}

/// Lines `start..end` without the blank lines around them.
fn trimmed(doc: &Doc<'_>, start: usize, end: usize) -> (usize, usize) {
    let mut s = start;
    let mut e = end;
    while s < e && doc.blank(s) {
        s += 1;
    }
    while e > s && doc.blank(e - 1) {
        e -= 1;
    }
    (s, e)
}

/// Free text: code blocks exactly, other lines unescaped.
fn free_text(doc: &Doc<'_>, start: usize, end: usize) -> Option<String> {
    let (s, e) = trimmed(doc, start, end);
    let lines: Vec<(&str, bool)> = (s..e).map(|i| (doc.lines[i], doc.code[i])).collect();
    join_text(doc, &lines)
}

/// Lines of multi-line text as written (each with whether it is code) back into the text: a
/// first and last line of white space references are the text's edges, joined without a line
/// break of their own.
fn join_text(doc: &Doc<'_>, lines: &[(&str, bool)]) -> Option<String> {
    let (mut s, mut e) = (0, lines.len());
    if s == e {
        return None;
    }
    let edge = |(line, code): (&str, bool)| !code && is_edge_line(line.trim_end_matches(BLANKS));
    let head = if edge(lines[s]) {
        s += 1;
        unescape(lines[0].0.trim_end_matches(BLANKS))
    } else {
        String::new()
    };
    let tail = if e > s && edge(lines[e - 1]) {
        e -= 1;
        unescape(lines[e].0.trim_end_matches(BLANKS))
    } else {
        String::new()
    };
    let body: Vec<String> = lines[s..e]
        .iter()
        .map(|&(line, code)| {
            if code {
                unescape_code(line, doc.kind.platform)
            } else {
                unescape(line)
            }
        })
        .collect();
    Some(format!("{head}{}{tail}", body.join("\n")))
}

fn read_event(
    doc: &Doc<'_>,
    heading_line: usize,
    heading_text: &str,
    marker: EventMarker,
    start: usize,
    end: usize,
) -> Result<Event> {
    let (name, url) = title_and_url(heading_text);
    let mut event = Event::new(marker.id.clone(), name);
    event.kind = marker.kind;
    event.tags = marker.tags.clone();
    event.url = url;
    let (mut i, _) = trimmed(doc, start, end);
    while i < end && !doc.code[i] {
        let Some((label, value)) = meta(doc.lines[i]) else {
            break;
        };
        match label {
            LABEL_DATES => {
                let (from, to) = match value.split_once(RANGE) {
                    Some((a, b)) => (a, b),
                    None => (value, ""),
                };
                let date = |s: &str| -> Result<Option<Date>> {
                    if s.is_empty() {
                        return Ok(None);
                    }
                    s.parse().map(Some).map_err(|e: String| doc.fail(i, e))
                };
                event.starts_on = date(from)?;
                event.ends_on = date(to)?;
            }
            LABEL_PLACE => event.location = Some(unescape(value)),
            LABEL_HASHTAG => event.hashtag = Some(unescape(value)),
            LABEL_URL => event.url = Some(unescape(value)),
            _ => break,
        }
        i += 1;
    }
    if marker.one_day && event.ends_on.is_none() {
        event.ends_on = event.starts_on;
    }
    // A digest keeps the memo for its afterword (read where it is found).
    if doc.kind.layout != Layout::Digest {
        event.memo = free_text(doc, i, end);
    }
    if let Some(problem) = event.semantic_problems().into_iter().next() {
        return Err(doc.fail(
            heading_line,
            format!("{}: {}", problem.field, problem.message),
        ));
    }
    Ok(event)
}

#[allow(clippy::too_many_arguments)]
fn read_talk(
    doc: &Doc<'_>,
    heading_line: usize,
    level: usize,
    heading_text: &str,
    marker: TalkMarker,
    start: usize,
    end: usize,
) -> Result<Talk> {
    let (title, url) = title_and_url(heading_text);
    let mut talk = from_marker(title, &marker);
    talk.url = url;

    let (mut i, _) = trimmed(doc, start, end);
    // `- label: value` lines.
    while i < end && !doc.code[i] {
        let Some((label, value)) = meta(doc.lines[i]) else {
            break;
        };
        match label {
            LABEL_SPEAKERS => talk.speakers = speakers(value),
            LABEL_WHEN | LABEL_DATE => when(doc, i, value, &mut talk)?,
            LABEL_TRACK => talk.track = Some(unescape(value)),
            LABEL_URL => talk.url = Some(unescape(value)),
            // Written for readers (`--contributors`); authors are not read back from a recap.
            LABEL_CONTRIBUTORS => {}
            _ => return Err(doc.fail(i, format!("unknown label `{label}` in a talk"))),
        }
        i += 1;
    }
    set_roles(&mut talk, &marker);
    while i < end && doc.blank(i) {
        i += 1;
    }
    // The abstract, quoted.
    let mut quoted = Vec::new();
    while i < end && !doc.code[i] && doc.lines[i].starts_with('>') {
        let line = &doc.lines[i][1..];
        quoted.push((line.strip_prefix(' ').unwrap_or(line), false));
        i += 1;
    }
    if !quoted.is_empty() {
        talk.r#abstract = join_text(doc, &quoted);
    }
    // Sections.
    while i < end {
        if doc.blank(i) {
            i += 1;
            continue;
        }
        let Some((sub_level, name)) = doc.heading(i) else {
            return Err(doc.fail(
                i,
                format!(
                    "unexpected text in talk `{}`: expected a section heading ({})",
                    talk.id,
                    sections_list(level)
                ),
            ));
        };
        let section_end = (i + 1..end)
            .find(|&j| doc.heading(j).is_some())
            .unwrap_or(end);
        if sub_level != level + 1 {
            return Err(doc.fail(
                i,
                format!(
                    "unexpected heading; expected one of {}",
                    sections_list(level)
                ),
            ));
        }
        match name {
            SECTION_TAKEAWAYS => {
                let (items, next) = list(doc, i + 1, section_end);
                if next < section_end {
                    return Err(doc.fail(next, "expected a list item `- …`"));
                }
                talk.takeaways = takeaways(items, &marker);
            }
            SECTION_TOOLS => {
                let (items, next) = list(doc, i + 1, section_end);
                if next < section_end {
                    return Err(doc.fail(next, "expected a list item `- …`"));
                }
                talk.tools = items.iter().map(|(_, item)| tool(item)).collect();
            }
            SECTION_LINKS => {
                let (items, next) = list(doc, i + 1, section_end);
                if next < section_end {
                    return Err(doc.fail(next, "expected a list item `- …`"));
                }
                talk.links = items.iter().map(|(_, item)| link_item(item)).collect();
            }
            SECTION_MEMO => talk.memo = free_text(doc, i + 1, section_end),
            other => {
                return Err(doc.fail(
                    i,
                    format!(
                        "unknown section `{other}`; expected one of {}",
                        sections_list(level)
                    ),
                ));
            }
        }
        i = section_end;
    }
    if let Some(problem) = talk.semantic_problems().into_iter().next() {
        return Err(doc.fail(
            heading_line,
            format!("{}: {}", problem.field, problem.message),
        ));
    }
    Ok(talk)
}

fn sections_list(level: usize) -> String {
    let hashes = "#".repeat(level + 1);
    [
        SECTION_TAKEAWAYS,
        SECTION_TOOLS,
        SECTION_LINKS,
        SECTION_MEMO,
    ]
    .iter()
    .map(|s| format!("`{hashes} {s}`"))
    .collect::<Vec<_>>()
    .join(", ")
}

/// The `- item` lines from `start` (blank lines between them skipped), each with its line
/// index and its text as written, the lines after a hard break joined to it by a line break;
/// and the index of the first line that is not part of the list (`end` if none).
fn list(doc: &Doc<'_>, start: usize, end: usize) -> (Vec<(usize, String)>, usize) {
    let mut items: Vec<(usize, String)> = Vec::new();
    let mut i = start;
    while i < end {
        if doc.blank(i) {
            i += 1;
            continue;
        }
        if doc.code[i] {
            break;
        }
        let line = doc.lines[i];
        let Some(first) = line.strip_prefix("- ").or((line == "-").then_some("")) else {
            break;
        };
        let mut text = first.to_owned();
        i += 1;
        // `\` at the end (not itself escaped) is a hard break: the item goes on.
        while hard_break(&text)
            && i < end
            && !doc.code[i]
            && let Some(more) = doc.lines[i].strip_prefix(ITEM_INDENT)
        {
            text.pop();
            text.push('\n');
            text.push_str(more);
            i += 1;
        }
        items.push((i, text));
    }
    (items, i)
}

/// How far a list item's lines after the first are indented.
const ITEM_INDENT: &str = "  ";

fn hard_break(text: &str) -> bool {
    text.chars().rev().take_while(|c| *c == '\\').count() % 2 == 1
}

/// The talk a marker describes, with the fields it carries.
fn from_marker(title: String, marker: &TalkMarker) -> Talk {
    let mut talk = Talk::new(marker.id.clone(), title);
    talk.kind = marker.kind;
    talk.language = marker.lang.clone();
    talk.tags = marker.tags.clone();
    talk.date = marker.date;
    talk.start = marker.start;
    talk.end = marker.end;
    talk.track = marker.track.clone();
    talk.r#abstract = marker.r#abstract.clone();
    talk
}

fn set_roles(talk: &mut Talk, marker: &TalkMarker) {
    for (speaker, role) in talk.speakers.iter_mut().zip(&marker.roles) {
        speaker.role = role.clone();
    }
}

fn takeaways(items: Vec<(usize, String)>, marker: &TalkMarker) -> Vec<Takeaway> {
    items
        .into_iter()
        .enumerate()
        .map(|(n, (_, item))| Takeaway {
            text: unescape(&item),
            at: marker.at.get(n).copied().flatten(),
            by: None,
        })
        .collect()
}

/// `[name](url)`, `name`, or `name: url` (a URL that could not be a link).
fn tool(item: &str) -> Tool {
    let (name, url) = match link(item) {
        Some((name, url)) => (name, Some(url)),
        None => match text_pair(item) {
            Some((name, url)) => (name, Some(url)),
            None => (unescape(item), None),
        },
    };
    Tool {
        name,
        url,
        by: None,
    }
}

/// `<url>`, `[title](url)`, or as text `url` or `title: url`.
fn link_item(item: &str) -> Link {
    let (url, title) = if let Some(url) = item.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
        (url.to_owned(), None)
    } else if let Some((title, url)) = link(item) {
        let title = (title != url).then_some(title);
        (url, title)
    } else if let Some((title, url)) = text_pair(item) {
        (url, Some(title))
    } else {
        (unescape(item), None)
    };
    Link {
        url,
        title,
        by: None,
    }
}

/// `a: b` split at the first `: ` the writer wrote (user text escapes its colons).
fn text_pair(item: &str) -> Option<(String, String)> {
    let mut chars = item.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            ':' if item[i + 1..].starts_with(' ') => {
                return Some((unescape(&item[..i]), unescape(&item[i + 2..])));
            }
            _ => {}
        }
    }
    None
}

/// `山田 花子（Example Inc.）、Jane`.
fn speakers(value: &str) -> Vec<Speaker> {
    value
        .split(SPEAKER_SEPARATOR)
        .map(|s| s.trim_matches(BLANKS))
        .filter(|s| !s.is_empty())
        .map(speaker)
        .collect()
}

/// `山田 花子（Example Inc.）`.
fn speaker(text: &str) -> Speaker {
    if let Some(inner) = text.strip_suffix('）')
        && let Some((name, affiliation)) = inner.split_once('（')
    {
        return Speaker {
            name: unescape(name.trim_matches(BLANKS)),
            affiliation: Some(unescape(affiliation.trim_matches(BLANKS))),
            role: None,
        };
    }
    Speaker {
        name: unescape(text),
        affiliation: None,
        role: None,
    }
}

/// `2024-06-15 13:00〜13:40`, any part optional.
fn when(doc: &Doc<'_>, i: usize, value: &str, talk: &mut Talk) -> Result<()> {
    let time = |s: &str| -> Result<Option<ClockTime>> {
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(|e: String| doc.fail(i, e))
    };
    for token in value.split_whitespace() {
        if let Some((from, to)) = token.split_once(RANGE) {
            talk.start = time(from)?;
            talk.end = time(to)?;
        } else if token.contains(':') {
            talk.start = time(token)?;
        } else {
            talk.date = Some(token.parse().map_err(|e: String| doc.fail(i, e))?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_and_links() {
        assert_eq!(heading("## a b "), Some((2, "a b")));
        assert_eq!(heading("#no"), None);
        assert_eq!(heading("####### seven"), None);
        assert_eq!(
            link("[a \\] b](https://x/\\(y\\))"),
            Some(("a ] b".to_owned(), "https://x/(y)".to_owned()))
        );
        assert_eq!(
            link("[a](<https://x/a b>)"),
            Some(("a".to_owned(), "https://x/a b".to_owned()))
        );
        assert_eq!(link("[a](b) extra"), None);
        assert_eq!(
            title_and_url("\\[not\\] a link"),
            ("[not] a link".to_owned(), None)
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let path = Path::new("r.md");
        let err = parse(path, "# Title\n").unwrap_err().to_string();
        assert!(
            err.starts_with("r.md: line 1: this is not a recap"),
            "{err}"
        );
        let text = format!(
            "{RECAP_MARKER}\n\n# Ev\n<!-- talknotes:event {{\"id\":\"ev\",\"kind\":\"conference\"}} -->\n\n## セッション\n\n### T\n<!-- talknotes:talk {{\"id\":\"t\",\"kind\":\"session\"}} -->\n\n- 日時: 2024-06-15 25:00\n"
        );
        let err = parse(path, &text).unwrap_err().to_string();
        assert!(
            err.starts_with("r.md: line 11: `25:00` is not a valid time"),
            "{err}"
        );
        let broken = text.replace("\"kind\":\"session\"", "\"kind\":\"talk\"");
        let err = parse(path, &broken).unwrap_err().to_string();
        assert!(
            err.contains("line 9: this talknotes comment is damaged"),
            "{err}"
        );
        let ok = text.replace("25:00", "13:00");
        let bundles = parse(path, &ok).unwrap();
        assert_eq!(bundles[0].talks[0].start.unwrap().to_string(), "13:00");
    }
}
